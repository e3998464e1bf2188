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
import time
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference.conformance.case import Case, Outcome
from reference.conformance.catalog import select
from reference.conformance.protocol import NotApplicableError, capabilities

SCHEMA = "handmlp-verify/1"
FORMATS = ("text", "json", "markdown", "junit", "html")
TORCH_HINT = (
    "torch is not installed: pip install torch==2.13.0 (or: pip install -c constraints.txt -e '.[test]')"
)


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

    def summary(self) -> str:
        """The one-line summary printed at the end of a run."""
        counts = ", ".join(
            f"{self.count(s)} {w}"
            for s, w in (("pass", "passed"), ("fail", "failed"), ("skip", "skipped"), ("error", "errors"))
        )
        if self.count("n/a"):
            counts += f"; {self.count('n/a')} not applicable"
        return f"{'OK' if self.ok else 'FAILED'}: {len(self.results)} cases, {counts} in {self.seconds:.2f}s"


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
) -> Report:
    """Run the catalog cases matching `pattern` (all when None) on `impl` (handmlp when None), calling
    `progress` after each."""
    import handmlp

    version = torch_version()
    cases = select(pattern)
    start = time.perf_counter()
    results = []
    for i, case in enumerate(cases, 1):
        result = run_case(case, version is not None, impl)
        results.append(result)
        if progress is not None:
            progress(result, i, len(cases))
    name = "handmlp" if impl is None else impl.name
    return Report(results, handmlp.__version__, version, time.perf_counter() - start, name)


# --- formats ------------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for r in report.results:
        error = r.outcome.error if r.outcome else None
        bound = r.outcome.bound if r.outcome else None
        rows.append((r.case.id, r.case.computes, _number(error), _number(bound), r.status.upper()))
    return rows


def to_text(report: Report) -> str:
    """A fixed-width table: case id, what was compared, worst error, bound, verdict; then the summary."""
    header = ("case", "compared", "worst error", "bound", "verdict")
    rows = [(a, b if len(b) <= 60 else b[:57] + "...", c, d, e) for a, b, c, d, e in _rows(report)]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(5)]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.case.id}: {r.detail}" for r in report.results if r.status in ("fail", "error")]
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
            for r in report.results
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
    for r, (case_id, computes, error, bound, verdict) in zip(report.results, _rows(report)):
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
    for r in report.results:
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


def _plots(report: Report) -> list[tuple[str, str]]:
    """(case id, base64 PNG) for each case that recorded series: values per step, and error against bound."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = []
    for r in report.results:
        series = r.outcome.series if r.outcome else {}
        if not series:
            continue
        values = {k: v for k, v in series.items() if not k.startswith(("error", "bound"))}
        errors = {k: v for k, v in series.items() if k.startswith(("error", "bound"))}
        panels = [p for p in (values, errors) if p]
        fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.4), squeeze=False)
        for ax, panel in zip(axes[0], panels):
            for name, ys in panel.items():
                ax.plot(range(len(ys)), ys, label=name, linewidth=1.2)
            if panel is errors:
                ax.set_yscale("symlog", linthresh=1e-20)
            ax.set_xlabel("step")
            ax.legend(fontsize=8)
            ax.grid(alpha=0.3)
        fig.suptitle(r.case.id, fontsize=10)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        plt.close(fig)
        images.append((r.case.id, base64.b64encode(buffer.getvalue()).decode("ascii")))
    return images


def to_html(report: Report) -> str:
    """One self-contained page: the summary, the table, and the plots inlined as PNG data."""
    colours = {"pass": "#1a7f37", "fail": "#cf222e", "skip": "#9a6700", "error": "#8250df", "n/a": "#57606a"}
    body_rows = []
    for r, (case_id, computes, error, bound, verdict) in zip(report.results, _rows(report)):
        body_rows.append(
            "<tr>"
            f"<td><code>{html.escape(case_id)}</code></td><td>{html.escape(r.case.equation)}</td>"
            f"<td>{html.escape(computes)}</td><td>{html.escape(r.case.oracle)}</td><td>{error}</td><td>{bound}</td>"
            f'<td style="color:{colours[r.status]};font-weight:bold" title="{html.escape(r.detail)}">'
            f"{verdict}</td>"
            "</tr>"
        )
    figures = "\n".join(
        f'<figure><img alt="{html.escape(case_id)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(case_id)}</figcaption></figure>"
        for case_id, data in _plots(report)
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
{figures or "<p>No case in this run recorded a trajectory.</p>"}
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
