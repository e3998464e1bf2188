"""`handmlp verify`: every output format parsed and checked, exit codes, selection, and life without torch."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from handmlp.cli import main
from reference.conformance import report as verify
from reference.conformance.catalog import CATALOG, Case, Outcome

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _report(pattern: str = "C9|C4") -> verify.Report:
    return verify.run(pattern)


def _with_series() -> verify.Report:
    series = Outcome(
        True,
        1e-17,
        1e-15,
        "synthetic",
        {"handmlp loss": [1.0, 0.5, 0.25], "error": [0.0, 1e-17, 2e-17], "bound": [1e-16, 2e-16, 3e-16]},
    )
    case = Case("C8/synthetic", "θ ← θ − η·∂L/∂θ", "a synthetic trajectory", "none", "none", lambda: series)
    return verify.Report([verify.run_case(case, True)], "0", "x", 0.1)


def test_json_report_is_the_documented_schema() -> None:
    data = json.loads(verify.render(_report(), "json"))
    assert data["schema"] == "handmlp-verify/1"
    assert data["summary"]["total"] == len(data["cases"]) == 5
    assert data["summary"]["passed"] == 5 and data["summary"]["failed"] == 0
    first = data["cases"][0]
    assert set(first) == {
        "id",
        "course_id",
        "equation",
        "computes",
        "oracle",
        "comparison",
        "status",
        "worst_error",
        "bound",
        "detail",
        "seconds",
    }
    assert first["status"] == "pass" and first["worst_error"] <= first["bound"]


def test_junit_report_parses_with_one_testcase_per_case() -> None:
    root = ET.fromstring(verify.render(_report(), "junit"))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "5" and suite.get("failures") == "0"
    names = [tc.get("name") for tc in suite.iter("testcase")]
    assert names == ["C4/counts_3_4_2", "C9/dL_dw3", "C9/dL_dw2", "C9/dL_dw1", "C9/dL_db"]
    assert [tc.get("classname") for tc in suite.iter("testcase")][:2] == ["C4", "C9"]


def test_junit_marks_failures_and_skips() -> None:
    failing = Case("C1/bad", "", "", "", "", lambda: Outcome(False, 1.0, 0.0, "planted"))
    skipped = Case("C1/skip", "", "", "", "", lambda: Outcome(True, 0.0, 0.0))
    report = verify.Report([verify.run_case(failing, True), verify.run_case(skipped, False)], "0", None, 0.0)
    suite = ET.fromstring(verify.render(report, "junit")).find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and suite.get("skipped") == "1"
    assert not report.ok and "FAILED" in report.summary()


def test_markdown_report_is_a_table_with_a_summary() -> None:
    text = verify.render(_report(), "markdown")
    lines = text.splitlines()
    assert lines[0].startswith("| case |") and lines[1].startswith("|---")
    assert sum(line.startswith("| `C") for line in lines) == 5
    assert "**OK: 5 cases" in text


def test_text_report_has_table_and_summary_line() -> None:
    text = verify.render(_report(), "text")
    assert text.splitlines()[0].split() == ["case", "compared", "worst", "error", "bound", "verdict"]
    assert text.rstrip().splitlines()[-1].startswith("OK: 5 cases, 5 passed, 0 failed, 0 skipped, 0 errors")


def test_html_report_is_self_contained_with_table_and_images() -> None:
    page = verify.render(_with_series(), "html")
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "C8/synthetic" in page
    assert page.count('src="data:image/png;base64,') == 1
    assert "http://" not in page and "https://" not in page
    plain = verify.render(_report("C4"), "html")
    assert "No case in this run recorded a trajectory" in plain


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format: expected one of"):
        verify.render(_report("C4"), "pdf")


def test_a_raising_check_is_an_error_not_a_crash() -> None:
    def boom() -> Outcome:
        raise RuntimeError("broken check")

    result = verify.run_case(Case("C1/boom", "", "", "", "", boom), True)
    assert result.status == "error" and "broken check" in result.detail


def test_cli_writes_each_format_and_exits_zero(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in verify.FORMATS:
        out = tmp_path / f"report.{fmt}"
        assert main(["verify", "C4", "--format", fmt, "--output", str(out)]) == 0
        assert out.read_text(encoding="utf-8")
    assert "[1/1] C4/counts_3_4_2 ... PASS" in capsys.readouterr().err


def test_cli_exit_status_is_one_when_a_case_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    planted = Case("C4/planted", "", "", "", "", lambda: Outcome(False, 1.0, 0.0, "planted"))
    monkeypatch.setattr("reference.conformance.catalog.CATALOG", [*CATALOG, planted])
    assert main(["verify", "-k", "C4", "-q"]) == 1


def test_cli_selection_list_and_unknown_pattern(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list", "C9"]) == 0
    assert capsys.readouterr().out.count("C9/") == 4
    assert main(["verify", "no-such-case"]) == 2


def test_verify_without_torch_skips_torch_cases_and_says_what_to_install() -> None:
    script = (
        "import sys; sys.modules['torch'] = None; from handmlp.cli import main; "
        "sys.exit(main(['verify', '--format', 'json', '-q']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "pip install torch==2.13.0" in result.stderr
    data = json.loads(result.stdout)
    statuses = {c["id"]: c["status"] for c in data["cases"]}
    assert statuses["C12/xor_truth_table"] == "pass" and statuses["C9/dL_dw1"] == "skip"
    assert data["torch_version"] is None and data["summary"]["skipped"] > 0
