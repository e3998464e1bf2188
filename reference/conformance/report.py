"""Run the catalog and report it: text, JSON, Markdown, JUnit XML or a self-contained HTML page.

The JSON report (schema "handmlp-verify/1") is stable:
  {"schema": "handmlp-verify/1", "handmlp_version": str, "torch_version": str | null,
   "summary": {"total": int, "passed": int, "failed": int, "skipped": int, "errors": int, "seconds": float},
   "cases": [{"id": str, "course_id": str, "equation": str, "computes": str, "oracle": str,
              "comparison": str, "status": "pass" | "fail" | "skip" | "error", "worst_error": float | null,
              "bound": float | null, "detail": str, "seconds": float}]}
Fields are only ever added, never renamed or removed, within a schema version.
"""

from __future__ import annotations

import base64
import html
import io
import json
import textwrap
import time
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reference.conformance.case import Case, Outcome
from reference.conformance.catalog import id_key, select
from reference.conformance.protocol import NotApplicableError, capabilities

SCHEMA = "handmlp-verify/1"
FORMATS = ("text", "json", "markdown", "junit", "html")
# A skipped case's detail reads "<reason>: <remedy>"; the summary line counts the skips by reason.
TORCH_HINT = (
    "torch is not installed: pip install torch==2.13.0 (or: pip install -c constraints.txt -e '.[test]')"
)
PLOTS_HINT = "matplotlib is not installed, so the HTML report has no plots: pip install matplotlib"


@dataclass
class CaseResult:
    """A case as run: pass, fail, skip (torch absent), error (the check itself raised) or n/a (the
    implementation under test cannot express what the case needs: counted apart, never as passed)."""

    case: Case
    status: str
    outcome: Outcome | None
    seconds: float
    detail: str


@dataclass
class Report:
    """Every case result of one run, with the versions it ran against."""

    results: list[CaseResult]
    handmlp_version: str
    torch_version: str | None
    seconds: float
    allow_skip: bool = False  # True: skipped cases do not make the run incomplete
    implementation: str = "handmlp"
    diagnosis: str = ""  # the most upstream failing equation and layer, for an implementation under test

    def __str__(self) -> str:
        return to_text(self)

    def count(self, status: str) -> int:
        """How many cases ended with `status`."""
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> bool:
        """True when no case failed or raised (skipped cases do not count against the run), and not every
        case was not applicable."""
        nothing_ran = self.count("n/a") > 0 and self.count("pass") == 0
        return self.count("fail") == 0 and self.count("error") == 0 and not nothing_ran

    @property
    def verdict(self) -> str:
        """FAILED (a case failed or raised), INCOMPLETE (cases skipped, skips not allowed), or OK."""
        if not self.ok:
            return "FAILED"
        return "INCOMPLETE" if self.count("skip") and not self.allow_skip else "OK"

    def skip_reasons(self) -> dict[str, int]:
        """How many cases were skipped for each reason (the part of the detail before its first colon)."""
        reasons: dict[str, int] = {}
        for r in self.results:
            if r.status == "skip":
                reason = r.detail.split(":", 1)[0].strip() or "no reason given"
                reasons[reason] = reasons.get(reason, 0) + 1
        return reasons

    def summary(self) -> str:
        """The one-line summary printed at the end of a run, the skipped cases counted with their reasons:
        `INCOMPLETE: 53 cases, 19 passed, 0 failed, 34 skipped (torch is not installed), 0 errors in …`."""
        skipped = f"{self.count('skip')} skipped"
        if self.count("skip"):
            reasons = self.skip_reasons()
            why = "; ".join(
                reasons if len(reasons) == 1 else (f"{n}: {reason}" for reason, n in reasons.items())
            )
            skipped += f" ({why}{'; skips allowed' if self.allow_skip else ''})"
        passed, failed, errors = self.count("pass"), self.count("fail"), self.count("error")
        counts = f"{passed} passed, {failed} failed, {skipped}, {errors} errors"
        if self.count("n/a"):
            counts += f"; {self.count('n/a')} not applicable"
        return f"{self.verdict}: {len(self.results)} cases, {counts} in {self.seconds:.2f}s"

    def ordered(self) -> list[CaseResult]:
        """The results ordered by case id (C1 < C2 < … < C17 < E1 < … < E5), as every format shows them."""
        return sorted(self.results, key=lambda r: id_key(r.case.id))


def torch_version() -> str | None:
    """The installed torch's version, or None when torch is absent."""
    try:
        import torch
    except ImportError:
        return None
    return str(torch.__version__)


def run_case(case: Case, has_torch: bool, impl: Any = None) -> CaseResult:
    """Run one case on `impl` (handmlp when None), turning an exception inside its check into an "error"
    result and a case the implementation cannot express into "n/a"."""
    if case.needs_torch and not has_torch:
        return CaseResult(case, "skip", None, 0.0, TORCH_HINT)
    if impl is not None:
        missing = sorted(set(case.needs) - capabilities(impl))
        if missing:
            return CaseResult(case, "n/a", None, 0.0, f"{impl.name} does not offer {', '.join(missing)}")
    start = time.perf_counter()
    try:
        outcome = case.run(impl if impl is not None else default_implementation())
    except NotApplicableError as exc:
        return CaseResult(case, "n/a", None, time.perf_counter() - start, str(exc))
    except Exception as exc:  # a broken check is reported, not allowed to stop the run
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return CaseResult(case, "error", None, time.perf_counter() - start, last)
    status = "pass" if outcome.passed else "fail"
    return CaseResult(case, status, outcome, time.perf_counter() - start, outcome.detail)


def default_implementation() -> Any:
    """handmlp itself, the implementation the catalog checks when none is given."""
    from reference.conformance.adapters import HandmlpImplementation

    return HandmlpImplementation()


def run(
    pattern: str | None = None,
    progress: Callable[[CaseResult, int, int], None] | None = None,
    impl: Any = None,
    *,
    ids: Sequence[str] | None = None,
    allow_skip: bool = False,
) -> Report:
    """Run the catalog cases `select(pattern, ids=ids)` picks (all when both are None), in id order, on
    `impl` (handmlp when None), calling `progress` after each. With `allow_skip`, cases skipped for want of
    torch leave the verdict OK."""
    import handmlp

    version = torch_version()
    cases = select(pattern, ids=ids)
    start = time.perf_counter()
    results = []
    for i, case in enumerate(cases, 1):
        result = run_case(case, version is not None, impl)
        results.append(result)
        if progress is not None:
            progress(result, i, len(cases))
    name = "handmlp" if impl is None else impl.name
    return Report(
        results, handmlp.__version__, version, time.perf_counter() - start, allow_skip, implementation=name
    )


# --- formats ------------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """(id, compared, worst error, bound, verdict) for each result, in id order."""
    rows = []
    for r in report.ordered():
        error = r.outcome.error if r.outcome else None
        bound = r.outcome.bound if r.outcome else None
        rows.append((r.case.id, r.case.computes, _number(error), _number(bound), r.status.upper()))
    return rows


TEXT_WRAP = 40  # the equation and compared columns wrap at this many characters, never cut


def to_text(report: Report) -> str:
    """A fixed-width table: case id, equation, what was compared, worst error, bound, verdict, the long
    cells wrapped onto continuation lines; then notes on failures and the summary line."""
    header = ("case", "equation", "compared", "worst error", "bound", "verdict")
    rows = [
        (case_id, r.case.equation, computes, error, bound, verdict)
        for r, (case_id, computes, error, bound, verdict) in zip(report.ordered(), _rows(report))
    ]
    cells = [
        [textwrap.wrap(cell, TEXT_WRAP, break_on_hyphens=False) or [""] for cell in row]
        for row in [header, *rows]
    ]
    widths = [max(len(line) for row in cells for line in row[i]) for i in range(len(header))]
    lines = []
    for row in cells:
        for k in range(max(len(cell) for cell in row)):
            parts = [(cell[k] if k < len(cell) else "").ljust(w) for cell, w in zip(row, widths)]
            lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.case.id}: {r.detail}" for r in report.ordered() if r.status in ("fail", "error")]
    if report.torch_version is None:
        notes.append(f"  {TORCH_HINT}")
    if report.diagnosis:
        lines.insert(0, f"{report.implementation}: {report.diagnosis}\n")
    return "\n".join([*lines, *(["", "Notes:", *notes] if notes else []), "", report.summary()]) + "\n"


def to_json(report: Report) -> str:
    """The documented, stable JSON report (see the module docstring)."""
    data = {
        "schema": SCHEMA,
        "handmlp_version": report.handmlp_version,
        "torch_version": report.torch_version,
        "summary": {
            "total": len(report.results),
            "passed": report.count("pass"),
            "failed": report.count("fail"),
            "skipped": report.count("skip"),
            "errors": report.count("error"),
            "not_applicable": report.count("n/a"),
            "seconds": round(report.seconds, 4),
        },
        "implementation": report.implementation,
        "diagnosis": report.diagnosis,
        "cases": [
            {
                "id": r.case.id,
                "course_id": r.case.course_id,
                "equation": r.case.equation,
                "computes": r.case.computes,
                "oracle": r.case.oracle,
                "comparison": r.case.comparison,
                "status": r.status,
                "worst_error": r.outcome.error if r.outcome else None,
                "bound": r.outcome.bound if r.outcome else None,
                "detail": r.detail,
                "seconds": round(r.seconds, 4),
            }
            for r in report.ordered()
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(report: Report) -> str:
    """A Markdown table, for a CI job summary or a README."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| case | equation | compared | worst error | bound | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r, (case_id, computes, error, bound, verdict) in zip(report.ordered(), _rows(report)):
        lines.append(
            f"| `{case_id}` | {cell(r.case.equation)} | {cell(computes)} | {error} | {bound} | {verdict} |"
        )
    return "\n".join([*lines, "", f"**{report.summary()}**"]) + "\n"


def to_junit(report: Report) -> str:
    """JUnit XML: one testsuite, one testcase per case (classname = the course id), as CI systems ingest."""
    suite = ET.Element(
        "testsuite",
        name="handmlp-verify",
        tests=str(len(report.results)),
        failures=str(report.count("fail")),
        errors=str(report.count("error")),
        skipped=str(report.count("skip") + report.count("n/a")),
        time=f"{report.seconds:.4f}",
    )
    for r in report.ordered():
        testcase = ET.SubElement(
            suite, "testcase", classname=r.case.course_id, name=r.case.id, time=f"{r.seconds:.4f}"
        )
        if r.status == "fail":
            ET.SubElement(testcase, "failure", message=r.detail[:500]).text = r.detail
        elif r.status == "error":
            ET.SubElement(testcase, "error", message=r.detail[:500]).text = r.detail
        elif r.status in ("skip", "n/a"):
            ET.SubElement(testcase, "skipped", message=r.detail)
        else:
            ET.SubElement(testcase, "system-out").text = r.detail
    suites = ET.Element("testsuites", name="handmlp-verify")
    suites.append(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def can_plot() -> bool:
    """True when matplotlib is importable; the HTML report then inlines its plots."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _style(name: str) -> dict[str, Any]:
    """torch's curve drawn wide and pale, handmlp's (and the bound) dashed with markers on top of it, so a
    curve lying exactly on the other stays visible."""
    if "torch" in name or name.startswith("error"):
        return {"linewidth": 3.0, "alpha": 0.55}
    return {"linewidth": 1.2, "linestyle": "--", "marker": "o", "markersize": 2.5}


def figure(result: CaseResult) -> Any:
    """One case's series as a matplotlib figure: values per step, and the error beside its bound; both axes
    labelled, no title (the HTML caption names the case)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = result.outcome.series if result.outcome else {}
    values = {k: v for k, v in series.items() if not k.startswith(("error", "bound"))}
    errors = {k: v for k, v in series.items() if k.startswith(("error", "bound"))}
    panels = [(p, label) for p, label in ((values, "value"), (errors, "|handmlp − torch| and bound")) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.4), squeeze=False)
    for ax, (panel, label) in zip(axes[0], panels):
        for name, ys in panel.items():
            ax.plot(range(len(ys)), ys, label=name, markevery=max(1, len(ys) // 25), **_style(name))
        if panel is errors:
            ax.set_yscale("symlog", linthresh=1e-20)
        ax.set_xlabel("step")
        ax.set_ylabel("loss" if all("loss" in name for name in panel) else label)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _png(result: CaseResult) -> str:
    """The case's figure as base64 PNG data."""
    import matplotlib.pyplot as plt

    fig = figure(result)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(report: Report) -> list[tuple[str, str]] | None:
    """(case id, base64 PNG) for each case that recorded series; None when matplotlib is absent."""
    if not can_plot():
        return None
    return [(r.case.id, _png(r)) for r in report.ordered() if r.outcome and r.outcome.series]


def to_html(report: Report) -> str:
    """One self-contained page: the summary, the table, and the plots inlined as PNG data (without
    matplotlib, the page says the plots were left out and why)."""
    colours = {"pass": "#1a7f37", "fail": "#cf222e", "skip": "#9a6700", "error": "#8250df", "n/a": "#57606a"}
    body_rows = []
    for r, (case_id, computes, error, bound, verdict) in zip(report.ordered(), _rows(report)):
        body_rows.append(
            "<tr>"
            f"<td><code>{html.escape(case_id)}</code></td><td>{html.escape(r.case.equation)}</td>"
            f"<td>{html.escape(computes)}</td><td>{html.escape(r.case.oracle)}</td><td>{error}</td><td>{bound}</td>"
            f'<td style="color:{colours.get(r.status, "#1f2328")};font-weight:bold" '
            f'title="{html.escape(r.detail)}">{verdict}</td>'
            "</tr>"
        )
    plots = _plots(report)
    if plots is None:
        figures = f'<p class="no-plots">Plots omitted: {html.escape(PLOTS_HINT)}.</p>'
    else:
        figures = (
            "\n".join(
                f'<figure><img alt="{html.escape(case_id)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{html.escape(case_id)}</figcaption></figure>"
                for case_id, data in plots
            )
            or "<p>No case in this run recorded a trajectory.</p>"
        )
    torch_line = report.torch_version or f"not installed ({TORCH_HINT})"
    diagnosis = f"<p><strong>{html.escape(report.diagnosis)}</strong></p>" if report.diagnosis else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>handmlp verify</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; }}
figure {{ display: inline-block; margin: 1em; }}
</style></head>
<body>
<h1>handmlp verify: the course's equations against PyTorch</h1>
<p>handmlp {html.escape(report.handmlp_version)}; torch {html.escape(torch_line)}.</p>
<p><strong>{html.escape(report.summary())}</strong></p>{diagnosis}
<table>
<thead><tr><th>case</th><th>equation</th><th>compared</th><th>oracle</th>
<th>worst error</th><th>bound</th><th>verdict</th></tr></thead>
<tbody>
{chr(10).join(body_rows)}
</tbody>
</table>
<h2>Trajectories and errors against their bounds</h2>
{figures}
</body></html>
"""


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": to_text,
    "json": to_json,
    "markdown": to_markdown,
    "junit": to_junit,
    "html": to_html,
}


def render(report: Report, fmt: str) -> str:
    """The report in one of FORMATS."""
    if fmt not in RENDERERS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    return RENDERERS[fmt](report)


def progress_line(result: CaseResult, index: int, total: int) -> str:
    """`[ 3/40] C9/dL_dw1 ... PASS` for the progress shown while running."""
    width = len(str(total))
    return f"[{index:>{width}}/{total}] {result.case.id} ... {result.status.upper()}"


def as_dict(report: Report) -> dict[str, Any]:
    """The JSON report as a Python object."""
    parsed: dict[str, Any] = json.loads(to_json(report))
    return parsed
