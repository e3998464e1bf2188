"""What a catalog case is: the `Case` record, its `Outcome`, the `case` decorator that registers one, and
the helpers that turn comparisons into outcomes.

Each `Case` says which equation it verifies, what handmlp computes, what the oracle computes (torch.autograd,
torch.optim.SGD, handmlp's finite-difference checker, or the definition itself) and how the two are
compared. `CATALOG` is the one source of truth: the pytest suite (tests/test_catalog.py) and the
`handmlp verify` command both run it. Cases that need torch import it inside their check, so the catalog
itself imports without torch and the rest still runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reference.oracle.compare import Comparison


@dataclass
class Outcome:
    """What a case found: its verdict, the worst error against the oracle and the bound it was held to."""

    passed: bool
    error: float
    bound: float
    detail: str = ""
    series: dict[str, list[float]] = field(default_factory=dict)
    diagnosis: str = ""  # for an implementation under test: the equation and layer a failure points to


@dataclass(frozen=True)
class Case:
    """One verifiable claim of the course, with its citation."""

    id: str
    equation: str
    computes: str
    oracle: str
    comparison: str
    check: Callable[..., Outcome]
    needs_torch: bool = True
    # The capabilities of the implementation under test the case needs (reference.conformance.protocol);
    # "handmlp" marks a case about handmlp itself. A case that needs anything else gets the implementation.
    needs: tuple[str, ...] = ("handmlp",)

    @property
    def takes_implementation(self) -> bool:
        """True when the check is a function of the implementation under test."""
        return "handmlp" not in self.needs

    def run(self, impl: Any) -> Outcome:
        """The check, on `impl` when the case takes an implementation."""
        return self.check(impl) if self.takes_implementation else self.check()

    @property
    def course_id(self) -> str:
        """The course id this case cites (docs/equations.md): "C9" for "C9/dL_dw1"."""
        return self.id.split("/")[0]


CATALOG: list[Case] = []

# Every equation and erratum id of the course, as docs/equations.md maps them; tests/test_catalog.py and
# tests/test_equations_map.py check this list against the map.
COURSE_IDS = [f"C{i}" for i in range(1, 18)] + [f"E{i}" for i in range(1, 6)]

AUTOGRAD = "torch.autograd on the torch twin with the same weights"
WITHIN_BOUND = "every element within its derived rounding bound"
EXACT = "exact equality"


def case(
    case_id: str,
    equation: str,
    computes: str,
    oracle: str,
    comparison: str,
    *,
    needs_torch: bool = True,
    needs: tuple[str, ...] = ("handmlp",),
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register the decorated check as a catalog case; with `needs` other than ("handmlp",) the check
    takes the implementation under test as its argument."""

    def register(check: Callable[..., Outcome]) -> Callable[..., Outcome]:
        if any(c.id == case_id for c in CATALOG):
            raise ValueError(f"case id {case_id!r} registered twice")
        CATALOG.append(Case(case_id, equation, computes, oracle, comparison, check, needs_torch, needs))
        return check

    return register


# --- outcomes from comparisons -------------------------------------------------------------------------


def from_comparisons(results: list[Comparison], detail: str = "") -> Outcome:
    """The worst of several bounded comparisons (by error/bound) as one outcome."""
    worst = max(results, key=lambda r: r.ratio)
    failed = [r for r in results if not r.passed]
    message = "; ".join(r.message() for r in failed) if failed else detail
    return Outcome(not failed, worst.error, worst.bound, message or worst.message())


def exact(actual: Any, expected: Any, detail: str) -> Outcome:
    """An exact comparison (counts, truth tables, conventions): the bound is 0."""
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    error = float(np.max(np.abs(a - e))) if a.shape == e.shape else float("inf")
    shown = f"{detail}: got {a.tolist()}, expected {e.tolist()}"
    return Outcome(error == 0.0, error, 0.0, shown)


def erratum(printed: Outcome, corrected: Outcome, what: str) -> Outcome:
    """An erratum holds when the printed form disagrees with the oracle and the corrected form agrees."""
    ok = (not printed.passed) and corrected.passed
    printed_verdict = "disagrees" if not printed.passed else "AGREES"
    corrected_verdict = "agrees" if corrected.passed else "DISAGREES"
    detail = (
        f"{what}: printed form {printed_verdict} (error {printed.error:.3g}, bound {printed.bound:.3g}); "
        f"corrected form {corrected_verdict} (error {corrected.error:.3g}, bound {corrected.bound:.3g})"
    )
    return Outcome(ok, corrected.error, corrected.bound, detail, {**printed.series, **corrected.series})
