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
        `INCOMPLETE: 95 cases, 25 passed, 0 failed, 70 skipped (torch is not installed), 0 errors in …`."""
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
            return CaseResult(case, "n/a", None, 0.0, not_offered(impl.name, missing))
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


OFFERS = {  # what each optional capability (reference.conformance.protocol) gives a case, for the messages
    "activations": "the activation functions g and g′ (activation_functions)",
    "loss": "the loss gradient ∂L/∂ŷ (loss_gradient)",
    "input_gradient": "the input gradient ∂L/∂x (input_gradient)",
    "sgd_step": "an SGD step (sgd_step)",
}


def not_offered(name: str, missing: Sequence[str]) -> str:
    """Why a case is not applicable to the implementation `name` lacking `missing`; every renderer that
    has no "n/a" status of its own (JUnit's <skipped>, pytest's skip) puts "not applicable: " before it."""
    if "handmlp" in missing:
        return f"about handmlp itself, not about {name}"
    needs = " and ".join(OFFERS.get(m, m) for m in missing)
    return f"needs {needs}, which {name} does not offer"


def default_implementation() -> Any:
    """handmlp itself, the implementation the catalog checks when none is given."""
    from reference.conformance.default import HandmlpImplementation

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


def table_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
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
        for r, (case_id, computes, error, bound, verdict) in zip(report.ordered(), table_rows(report))
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
    for r, (case_id, computes, error, bound, verdict) in zip(report.ordered(), table_rows(report)):
        lines.append(
            f"| `{case_id}` | {cell(r.case.equation)} | {cell(computes)} | {error} | {bound} | {verdict} |"
        )
    return "\n".join([*lines, "", f"**{report.summary()}**"]) + "\n"


def to_junit(report: Report) -> str:
    """JUnit XML: one testsuite, one testcase per case (classname = the course id), as CI systems ingest.
    A not-applicable case is a <skipped> whose message starts "not applicable: ", and the suite's
    `not_applicable` property counts them apart from the cases skipped for want of torch, as the text
    summary does (`skipped=` counts both)."""
    suite = ET.Element(
        "testsuite",
        name="handmlp-verify",
        tests=str(len(report.results)),
        failures=str(report.count("fail")),
        errors=str(report.count("error")),
        skipped=str(report.count("skip") + report.count("n/a")),
        time=f"{report.seconds:.4f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="not_applicable", value=str(report.count("n/a")))
    for r in report.ordered():
        testcase = ET.SubElement(
            suite, "testcase", classname=r.case.course_id, name=r.case.id, time=f"{r.seconds:.4f}"
        )
        if r.status == "fail":
            ET.SubElement(testcase, "failure", message=r.detail[:500]).text = r.detail
        elif r.status == "error":
            ET.SubElement(testcase, "error", message=r.detail[:500]).text = r.detail
        elif r.status == "skip":
            ET.SubElement(testcase, "skipped", message=r.detail)
        elif r.status == "n/a":
            ET.SubElement(testcase, "skipped", message=f"not applicable: {r.detail}")
        else:
            ET.SubElement(testcase, "system-out").text = r.detail
    suites = ET.Element("testsuites", name="handmlp-verify")
    suites.append(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def to_html(report: Report) -> str:
    """One self-contained HTML page with the table and the plots (reference/conformance/html_page.py)."""
    from reference.conformance.html_page import page

    return page(report)


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
