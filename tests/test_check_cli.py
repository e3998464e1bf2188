"""`handmlp check` and `pytest --handmlp-impl` on the examples: exit statuses, formats, user mistakes as one
line with status 2, and the oracle fixture for a user's own tests."""

from __future__ import annotations

import json
import pathlib
import xml.etree.ElementTree as ET

import pytest

from handmlp.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLUMN = f"{ROOT / 'examples' / 'check_network.py'}:implementation"
DICT = f"{ROOT / 'examples' / 'check_two_layer_net.py'}:implementation"

pytest_plugins = ["pytester"]


def test_check_on_an_example_exits_0_with_not_applicable_counted_apart(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "report.json"
    assert main(["check", DICT, "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    summary = data["summary"]
    assert summary["failed"] == summary["errors"] == 0 and summary["passed"] > 20
    assert summary["not_applicable"] > 0 and data["diagnosis"] == ""
    assert summary["total"] == summary["passed"] + summary["not_applicable"]


def test_check_junit_marks_not_applicable_as_skipped(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "report.xml"
    assert main(["check", COLUMN, "--format", "junit", "-o", str(out)]) == 0
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None and int(suite.get("failures", "1")) == 0 and int(suite.get("skipped", "0")) > 0


def test_check_junit_and_text_both_call_the_cases_that_do_not_apply_not_applicable(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.xml"
    assert main(["check", DICT, "--format", "junit", "-o", str(out)]) == 0
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None
    messages = [s.get("message", "") for s in suite.iter("skipped")]
    assert messages and all(m.startswith("not applicable: ") for m in messages), messages[:3]
    assert "not applicable: about handmlp itself, not about TwoLayerNet" in messages
    assert not any("does not offer handmlp" in m for m in messages)
    counted = suite.find("properties/property[@name='not_applicable']")
    assert counted is not None and int(counted.get("value", "-1")) == len(messages) == int(
        suite.get("skipped", "-1")
    )
    capsys.readouterr()
    assert main(["check", DICT]) == 0
    summary = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert f"0 skipped, 0 errors; {len(messages)} not applicable in " in summary, summary


def _planted(tmp_path: pathlib.Path) -> str:
    source = (ROOT / "examples" / "network.py").read_text(encoding="utf-8")
    (tmp_path / "planted_network.py").write_text(
        source.replace("return sigmoid(z) * (1 - sigmoid(z))", "return sigmoid(z)"), encoding="utf-8"
    )
    check = (ROOT / "examples" / "check_network.py").read_text(encoding="utf-8")
    check = check.replace("import network\n", "import planted_network as network\n")
    (tmp_path / "check_planted.py").write_text(check, encoding="utf-8")
    return f"{tmp_path / 'check_planted.py'}:implementation"


def test_check_on_a_planted_bug_exits_1_and_names_the_equation_first(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", _planted(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("Network: the derivative of sigmoid (C3, C10) is wrong")
    assert "σ′ without (1 − σ)" in captured.err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon_here", "expected MODULE_OR_FILE:FACTORY"),
        ("missing/file.py:make", "no such file"),
        ("json:nothing_called_this", "has no function"),
        ("no.such.module:make", "cannot import no.such.module"),
        (f"{ROOT / 'examples' / 'network.py'}:sigmoid", "raised TypeError"),
        (f"{ROOT / 'examples' / 'network.py'}:Network", "raised TypeError"),
    ],
)
def test_check_user_mistakes_are_one_line_and_exit_2(
    spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", spec]) == 2
    err = capsys.readouterr().err
    assert err.startswith("handmlp check: error: ") and message in err and err.count("\n") == 1


def test_check_on_an_implementation_that_expresses_nothing_exits_nonzero(tmp_path: pathlib.Path) -> None:
    (tmp_path / "nothing.py").write_text(
        "from reference.conformance.default import HandmlpImplementation\n"
        "class Nothing(HandmlpImplementation):\n"
        "    extra_capabilities = ()\n"
        "    lacks = ('activations', 'loss', 'input_gradient', 'sgd_step')\n"
        "    def supports(self, arch, loss):\n"
        "        return 'it expresses nothing'\n"
        "def make():\n"
        "    return Nothing()\n",
        encoding="utf-8",
    )
    assert main(["check", f"{tmp_path / 'nothing.py'}:make", "-o", str(tmp_path / "r.txt")]) == 1
    assert "0 passed" in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_pytest_plugin_runs_the_cases_as_tests_on_an_example(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--handmlp-impl", DICT, "-q", "-p", "no:randomly", "-k", "network or C16 or C9"
    )
    result.assert_outcomes(passed=21, skipped=6)


def test_pytest_plugin_fails_a_planted_bug_with_its_diagnosis(
    pytester: pytest.Pytester, tmp_path: pathlib.Path
) -> None:
    spec = _planted(tmp_path)
    result = pytester.runpytest_inprocess(
        "--handmlp-impl", spec, "-q", "-p", "no:randomly", "-k", "derivative"
    )
    result.assert_outcomes(failed=2, skipped=1)  # the catalog's C3/sigmoid_derivative and the probe
    result.stdout.fnmatch_lines(["*the derivative of sigmoid (C3, C10) is wrong*"])


def test_the_oracle_fixture_serves_a_users_own_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT / "examples")!r})
        import check_two_layer_net

        def test_mine(handmlp_oracle):
            report = handmlp_oracle.check_network(check_two_layer_net.implementation(), shapes=[(3, 4, 2)])
            assert report.ok
            assert handmlp_oracle.run(pattern="C11/or_gate").count("pass") == 1
        """
    )
    pytester.runpytest_inprocess("-q", "-p", "no:randomly").assert_outcomes(passed=1)


def test_check_on_handmlp_itself_runs_the_selected_catalog_cases(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "handmlp.json"
    spec = "reference.conformance.default:HandmlpImplementation"
    assert main(["check", spec, "-k", "C9|C10|C5", "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    summary, ids = data["summary"], {case["id"] for case in data["cases"]}
    assert summary["not_applicable"] == 0 and summary["passed"] == summary["total"]
    assert {"C9/dL_dw1", "C10/delta_rule", "C5/hinge", "C8/sgd_step", "network/3-4-2/float32/batch5"} <= ids


def test_check_refuses_a_bad_regex_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", DICT, "-k", "("]) == 2
    assert capsys.readouterr().err.startswith("handmlp check: error: ")


@pytest.mark.parametrize("script", ["check_network.py", "check_two_layer_net.py"])
def test_the_example_scripts_run_and_exit_0(
    script: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import runpy

    monkeypatch.syspath_prepend(str(ROOT / "examples"))  # as `python examples/<script>` puts it first
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(ROOT / "examples" / script), run_name="__main__")
    assert done.value.code == 0 and "OK:" in capsys.readouterr().out


def test_without_torch_check_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from handmlp import check_network

    monkeypatch.setitem(sys.modules, "torch", None)  # any `import torch` now raises ImportError
    assert main(["check", DICT]) == 2
    assert "pip install torch==2.13.0" in capsys.readouterr().err
    with pytest.raises(ImportError, match="pip install torch"):
        check_network()
