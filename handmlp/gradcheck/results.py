"""What a check returns: the verdict with the worst element and the kinks found (C15), and the assertion
message of the raising forms. docs/gradcheck.md explains how the verdict is reached."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kink:
    """A non-differentiable point found by one-sided differences (C15 from the left and from the right)."""

    index: tuple[int, ...]
    left: float
    right: float
    claimed: float
    claimed_between: bool

    def __str__(self) -> str:
        verdict = "lies between them" if self.claimed_between else "lies OUTSIDE them"
        return (
            f"kink at {self.index}: left derivative {self.left:.10g}, right derivative {self.right:.10g}; "
            f"claimed {self.claimed:.10g} {verdict}"
        )


@dataclass
class GradcheckResult:
    """The verdict of a check against finite differences (C15), with the worst element and the kinks found.

    `index` is the worst element (largest error/bound), or in fast mode the worst direction as (j,).
    """

    passed: bool
    index: tuple[int, ...] | None
    numerical: float
    claimed: float
    abs_error: float
    rel_error: float
    bound: float
    method: str
    mode: str
    kinks: list[Kink] = field(default_factory=list)
    n_checked: int = 0
    n_failed: int = 0
    n_evaluations: int = 0

    @property
    def failed_kinks(self) -> list[Kink]:
        """Kinks whose claimed value lies outside the one-sided derivatives."""
        return [kink for kink in self.kinks if not kink.claimed_between]

    def summary(self) -> str:
        """A few readable lines: verdict, worst element with both values, error and bound, and the kinks."""
        verdict = "PASSED" if self.passed else "FAILED"
        what = "directions" if self.mode == "fast" else "elements"
        lines = [
            f"gradcheck {verdict} ({self.method}, {self.mode}): {self.n_checked} {what} checked, "
            f"{self.n_failed} failed, {len(self.kinks)} kinks, {self.n_evaluations} evaluations of f"
        ]
        if self.index is not None:
            lines.append(
                f"  worst at {self.index}: numerical {self.numerical:.17g}, claimed {self.claimed:.17g}, "
                f"abs error {self.abs_error:.3g}, rel error {self.rel_error:.3g}, bound {self.bound:.3g}"
            )
        passed_kinks = [kink for kink in self.kinks if kink.claimed_between]
        shown = self.failed_kinks[:5] + passed_kinks[:5]  # failed first, five in all
        lines.extend(f"  {kink}" for kink in shown[:5])
        if len(self.kinks) > 5:
            lines.append(f"  … and {len(self.kinks) - 5} more kinks")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __bool__(self) -> bool:
        return self.passed


def raise_unless(result: GradcheckResult, name: str) -> GradcheckResult:
    """The result if it passed; otherwise an AssertionError naming the index, both values, error and bound."""
    if result.passed:
        return result
    if result.failed_kinks:
        kink = result.failed_kinks[0]
        raise AssertionError(
            f"{name}: at kink {kink.index} the claimed value {kink.claimed:.17g} lies outside the one-sided "
            f"derivatives {kink.left:.17g} (left) and {kink.right:.17g} (right)\n{result.summary()}"
        )
    raise AssertionError(
        f"{name}: at {result.index} the numerical derivative is {result.numerical:.17g} but the claimed "
        f"value is {result.claimed:.17g}: error {result.abs_error:.3g} (relative {result.rel_error:.3g}) "
        f"exceeds the bound {result.bound:.3g}\n{result.summary()}"
    )
