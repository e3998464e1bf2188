"""Every mistake on the command line, run as a user runs it (`python -m handmlp …` in a subprocess): one line
on stderr naming what was wrong, exit status 2, no traceback, nothing on stdout, and no case run first."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _handmlp(*args: str, cwd: pathlib.Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handmlp", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


MISTAKES = [
    # (argv, a fragment the one line must contain)
    (["verify", "("], "ID: expected a case id"),
    (["verify", "C99"], "got 'C99'"),
    (["verify", "C1", "C9/dL_dw"], "got 'C9/dL_dw'"),
    (["verify", "c9"], "got 'c9'"),
    (["verify", "C9|C4"], "use -k for a regular expression"),
    (["verify", "-k", "("], "-k: expected a regular expression"),
    (["verify", "-k", "[a-"], "-k: expected a regular expression"),
    (["verify", "-k", "no-such-case"], "-k: no case id matches"),
    (["verify", "--list", "C99"], "got 'C99'"),
    (["verify", "--format", "pdf"], "invalid choice: 'pdf'"),
    (["verify", "--format"], "expected one argument"),
    (["verify", "-o"], "expected one argument"),
    (["verify", "--bogus"], "unrecognized arguments: --bogus"),
    (["verify", "-k"], "expected one argument"),
    (["check"], "required: MODULE_OR_FILE:FACTORY"),
    (["check", "nosuch"], "expected MODULE_OR_FILE:FACTORY"),
    (["check", "x:"], "expected MODULE_OR_FILE:FACTORY"),
    (["check", ":f"], "expected MODULE_OR_FILE:FACTORY"),
    (["check", "nosuch.py:make"], "no such file: nosuch.py"),
    (["check", "README.md:make"], "expected a Python file ending in .py"),
    (["check", "json:no_such_function"], "json has no function 'no_such_function'"),
    (["check", "examples/check_network.py:implementation", "--format", "pdf"], "invalid choice: 'pdf'"),
    (["check", "examples/check_network.py:implementation", "-o", "missing_folder/r.txt"], "missing_folder"),
    (["check", "examples/check_network.py:implementation", "-k", "("], "-k: expected a regular expression"),
    (["train", "--save", "/"], "--save: expected a file name, got the folder '/'"),
    (["nosuch"], "invalid choice: 'nosuch'"),
    ([], "required: command"),
]


@pytest.mark.parametrize(("argv", "fragment"), MISTAKES, ids=[" ".join(a) or "(none)" for a, _ in MISTAKES])
def test_cli_mistake_is_one_line_exit_two_no_traceback(argv: list[str], fragment: str) -> None:
    result = _handmlp(*argv)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("handmlp") and "error: " in lines[0], result.stderr
    assert fragment in lines[0]


def _output_mistakes(tmp: pathlib.Path) -> list[tuple[str, str]]:
    afile = tmp / "a_file.txt"
    afile.write_text("not a folder", encoding="utf-8")
    return [
        (str(tmp / "missing_folder" / "report.html"), "expected a file in an existing folder"),
        ("missing_folder/report.html", "no folder 'missing_folder'"),
        (str(tmp), "expected a file name, got the folder"),
        (str(afile / "report.html"), "expected a file in an existing folder"),
        ("", "--output: expected a writable file"),
    ]


def test_cli_unwritable_output_is_refused_before_any_case_runs(tmp_path: pathlib.Path) -> None:
    for output, fragment in _output_mistakes(tmp_path):
        for fmt in ("text", "html"):
            result = _handmlp("verify", "--format", fmt, "-o", output, cwd=tmp_path)
            assert result.returncode == 2, (output, result)
            assert "Traceback" not in result.stderr and result.stdout == ""
            lines = result.stderr.splitlines()  # one line: no progress line, so no case ran
            assert len(lines) == 1 and fragment in lines[0], (output, result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file.txt"]  # nothing created on the way


def test_cli_output_check_leaves_no_file_behind_and_keeps_an_existing_one(tmp_path: pathlib.Path) -> None:
    from handmlp.cli.verify import check_output

    fresh = tmp_path / "new.json"
    check_output(str(fresh))
    assert not fresh.exists()
    kept = tmp_path / "old.json"
    kept.write_text("previous report", encoding="utf-8")
    check_output(str(kept))
    assert kept.read_text(encoding="utf-8") == "previous report"


def test_python_dash_m_handmlp_and_version_work() -> None:
    result = _handmlp("--version")
    assert result.returncode == 0 and result.stdout.startswith("handmlp ")
    listed = _handmlp("verify", "--list", "C1")
    assert listed.returncode == 0 and [line.split("\t")[0] for line in listed.stdout.splitlines()] == [
        "C1/rosenblatt_trace",
        "C1/sign_zero",
    ]


def test_help_names_its_placeholders_plainly() -> None:
    text = _handmlp("verify", "--help").stdout
    assert "PATTERN_K" not in text and "-k REGEX" in text and "[ID ...]" in text and "--allow-skip" in text


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    listing = subprocess.Popen(
        [sys.executable, "-m", "handmlp", "verify", "--list"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert listing.stdout is not None and listing.stdout.readline().startswith("C1/")
    listing.stdout.close()  # as `| head -1` does
    _, err = listing.communicate(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err
