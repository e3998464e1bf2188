"""`handmlp verify`: every output format parsed and checked, exit codes, selection by id, id order, the
text table's columns and the HTML plots. Command-line mistakes are in tests/test_cli_errors.py, the run
without torch in tests/test_no_torch.py."""

from __future__ import annotations

import json
import pathlib
import sys
import xml.etree.ElementTree as ET

import pytest

from handmlp.cli import main
from reference.conformance import html_page
from reference.conformance import report as verify
from reference.conformance.catalog import CATALOG, Case, Outcome, id_key, select


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
    assert names == ["C4/counts_3_4_2", "C9/dL_db", "C9/dL_dw1", "C9/dL_dw2", "C9/dL_dw3"]
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
    assert text.splitlines()[0].split() == [
        "case",
        "equation",
        "compared",
        "worst",
        "error",
        "bound",
        "verdict",
    ]
    assert text.rstrip().splitlines()[-1].startswith("OK: 5 cases, 5 passed, 0 failed, 0 skipped, 0 errors")


def test_text_report_wraps_long_cells_instead_of_cutting_them() -> None:
    report = _report("C10|C16")
    text = verify.render(report, "text")
    assert "..." not in text
    table = text.split("\n\n")[0].splitlines()
    for r in report.results:  # every word of both long columns is printed, on the case's row or below it
        rows = "\n".join(table[next(i for i, line in enumerate(table) if line.startswith(r.case.id)) :])
        for word in (r.case.equation + " " + r.case.computes).split():
            assert word in rows, (r.case.id, word)
    # the two wrapped columns, the id, and the short columns: no line grows with a cell's length
    assert max(map(len, table)) <= 2 * verify.TEXT_WRAP + max(len(c.id) for c in CATALOG) + 45


def test_every_format_orders_cases_by_id_naturally() -> None:
    ids = ["E2/descent", "C10/delta", "C2/rule", "C1/trace", "C13/full", "C1/sign", "C9/dL_dw3", "C9/dL_db"]
    cases = [Case(i, "", "", "", "", lambda: Outcome(True, 0.0, 0.0)) for i in ids]
    shuffled = verify.Report([verify.run_case(c, True) for c in cases], "0", "x", 0.0)
    expected = [
        "C1/sign",
        "C1/trace",
        "C2/rule",
        "C9/dL_db",
        "C9/dL_dw3",
        "C10/delta",
        "C13/full",
        "E2/descent",
    ]
    assert [c["id"] for c in json.loads(verify.render(shuffled, "json"))["cases"]] == expected
    suite = ET.fromstring(verify.render(shuffled, "junit")).find("testsuite")
    assert suite is not None and [tc.get("name") for tc in suite.iter("testcase")] == expected
    for fmt in ("text", "markdown", "html"):
        text = verify.render(shuffled, fmt)
        positions = [text.index(case_id) for case_id in expected]
        assert positions == sorted(positions), fmt


def test_id_order_is_natural_course_order() -> None:
    ids = ["E1/a", "C10/a", "C2/a", "C1/b", "C17/a", "C1/a", "E5/a", "C9/dL_dw10", "C9/dL_dw2"]
    assert sorted(ids, key=id_key) == [
        "C1/a",
        "C1/b",
        "C2/a",
        "C9/dL_dw2",
        "C9/dL_dw10",
        "C10/a",
        "C17/a",
        "E1/a",
        "E5/a",
    ]
    assert [c.id for c in select()] == sorted((c.id for c in CATALOG), key=id_key)


def test_a_course_id_selects_its_cases_only_not_longer_ids() -> None:
    chosen = {c.id for c in select(ids=["C1"])}
    assert chosen == {c.id for c in CATALOG if c.id.split("/")[0] == "C1"} and chosen
    assert [c.id for c in select(ids=["C9/dL_dw1"])] == ["C9/dL_dw1"]
    assert [c.id for c in select(ids=["C9/dL_dw1", "C4"])] == ["C4/counts_3_4_2", "C9/dL_dw1"]
    assert {c.id for c in select("dw[12]$")} == {"C9/dL_dw1", "C9/dL_dw2"}
    assert [c.id for c in select("^C9", ids=["C9", "C10"])] == [
        "C9/dL_db",
        "C9/dL_dw1",
        "C9/dL_dw2",
        "C9/dL_dw3",
    ]


@pytest.mark.parametrize(
    ("pattern", "ids", "named"),
    [(None, ["C9/dL_dw"], "ID"), (None, ["C1", "C99"], "ID"), ("(", None, "-k"), ("[a-", None, "-k")],
)
def test_a_bad_selector_is_refused_naming_it(pattern: str | None, ids: list[str] | None, named: str) -> None:
    with pytest.raises(ValueError, match=f"^{named}: expected"):
        select(pattern, ids=ids)


def _skipped_report(allow_skip: bool) -> verify.Report:
    passing = Case("C4/ok", "", "", "", "", lambda: Outcome(True, 0.0, 0.0), needs_torch=False)
    results = [verify.run_case(passing, False)] + [
        verify.run_case(Case(f"C9/t{i}", "", "", "", "", lambda: Outcome(True, 0.0, 0.0)), False)
        for i in range(3)
    ]
    return verify.Report(results, "0", None, 0.0, allow_skip)


def test_summary_counts_skips_with_their_reason_and_is_incomplete_unless_allowed() -> None:
    report = _skipped_report(allow_skip=False)
    assert report.ok and report.verdict == "INCOMPLETE"
    assert report.summary().startswith(
        "INCOMPLETE: 4 cases, 1 passed, 0 failed, 3 skipped (torch is not installed), 0 errors"
    )
    allowed = _skipped_report(allow_skip=True)
    assert (
        allowed.verdict == "OK" and "3 skipped (torch is not installed; skips allowed)" in allowed.summary()
    )
    mixed = verify.Report(
        [*report.results, verify.CaseResult(report.results[0].case, "skip", None, 0.0, "no data: fetch it")],
        "0",
        None,
        0.0,
    )
    assert "4 skipped (3: torch is not installed; 1: no data)" in mixed.summary()


def test_html_report_is_self_contained_with_table_and_images() -> None:
    page = verify.render(_with_series(), "html")
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "C8/synthetic" in page
    assert page.count('src="data:image/png;base64,') == 1
    assert "http://" not in page and "https://" not in page
    plain = verify.render(_report("C4"), "html")
    assert "No case in this run recorded a trajectory" in plain


def test_html_plots_label_both_axes_show_handmlp_on_torch_and_title_once() -> None:
    series = {
        "handmlp loss": [1.0, 0.5, 0.25],
        "torch loss": [1.0, 0.5, 0.25],
        "error max|Δθ|": [0.0, 1e-17, 2e-17],
        "bound max": [1e-16, 2e-16, 3e-16],
    }
    case = Case("C8/trajectory", "", "", "", "", lambda: Outcome(True, 2e-17, 3e-16, "", series))
    fig = html_page.figure(verify.run_case(case, True))
    try:
        assert fig._suptitle is None  # the HTML caption names the case; no second title in the image
        for ax in fig.axes:
            assert ax.get_xlabel() == "step" and ax.get_ylabel() and not ax.get_title()
        lines = {line.get_label(): line for ax in fig.axes for line in ax.get_lines()}
        mine, theirs = lines["handmlp loss"], lines["torch loss"]
        assert mine.get_linestyle() == "--" and mine.get_marker() == "o"  # visible where it lies on torch's
        assert theirs.get_linewidth() > mine.get_linewidth()
        assert fig.axes[0].get_ylabel() == "loss"
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
    page = verify.render(verify.Report([verify.run_case(case, True)], "0", "x", 0.1), "html")
    assert page.count("C8/trajectory") == 3  # table row, img alt, caption: the caption is the one title


def test_html_without_matplotlib_renders_the_table_and_says_plots_are_omitted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    assert not html_page.can_plot()
    page = verify.render(_with_series(), "html")
    assert "<table>" in page and "C8/synthetic" in page and "data:image/png" not in page
    assert "Plots omitted: matplotlib is not installed" in page


def test_cli_html_without_matplotlib_says_so_on_stderr_and_exits_zero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "report.html"
    assert main(["verify", "C4", "-q", "--format", "html", "-o", str(out)]) == 0
    assert "matplotlib is not installed" in capsys.readouterr().err
    assert "Plots omitted" in out.read_text(encoding="utf-8")


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


def test_cli_selection_list_and_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list", "C9"]) == 0
    assert capsys.readouterr().out.count("C9/") == 4
    assert main(["verify", "--list", "C1"]) == 0
    listed = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["C1/rosenblatt_trace", "C1/sign_zero"]
    assert main(["verify", "--list", "-k", "^E"]) == 0
    assert [line[:2] for line in capsys.readouterr().out.splitlines()] == ["E1", "E2", "E3", "E4", "E5"]
    assert main(["verify", "no-such-case"]) == 2
    assert "ID: expected a case id" in capsys.readouterr().err


def test_cli_without_torch_in_process_is_incomplete_unless_skips_are_allowed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(verify, "torch_version", lambda: None)
    assert main(["verify", "C4", "C12", "-q"]) == 1  # the cases that need torch are skipped
    captured = capsys.readouterr()
    assert "the run is INCOMPLETE (exit 1) unless --allow-skip" in captured.err
    chosen = select(ids=["C4", "C12"])
    skipped = sum(c.needs_torch for c in chosen)
    assert 0 < skipped < len(chosen)
    assert (
        f"INCOMPLETE: {len(chosen)} cases, {len(chosen) - skipped} passed, 0 failed, "
        f"{skipped} skipped (torch is not installed)"
    ) in captured.out
    assert main(["verify", "C4", "C12", "-q", "--allow-skip"]) == 0
    assert f"OK: {len(chosen)} cases" in capsys.readouterr().out


def test_cli_a_report_that_cannot_be_written_after_all_is_one_line_exit_two(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("handmlp.cli.verify.check_output", lambda path: None)  # the folder vanished since
    assert main(["verify", "C4", "-q", "-o", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("handmlp verify: error: --output: could not write")


def test_cli_a_broken_install_without_the_reference_package_is_one_line_exit_two(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "reference.conformance", None)
    assert main(["verify", "C4"]) == 2
    assert "cannot import the reference package" in capsys.readouterr().err
