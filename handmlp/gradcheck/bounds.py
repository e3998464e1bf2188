"""The derived bound per element and the verdict it gives (C15): |numerical − claimed| against twice the
numerical value's estimated error plus the claimed value's own rounding. docs/gradcheck.md derives it."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from handmlp.gradcheck.estimator import F64, Estimate
from handmlp.gradcheck.results import GradcheckResult, Kink

BOUND_SAFETY = 2.0  # the bound is twice the estimated error of the numerical derivative


def compare(
    numerical: F64,
    numerical_error: F64,
    claimed: F64,
    f0: F64,
    scale: F64,
    claimed_u: float,
    ulps: float,
    x_curvature: F64 | float = 0.0,
) -> tuple[F64, F64]:
    """Absolute error and bound per element. The claimed value is trusted to ulps·u_c·(|claimed| +
    |f|/max(1, |x|) + |x·f″|): the last term is what rounding x inside the derivative's formula costs."""
    with np.errstate(all="ignore"):
        error = np.abs(numerical - claimed)
        claimed_rounding = ulps * claimed_u * (np.abs(claimed) + np.abs(f0) / scale + x_curvature)
        bound = BOUND_SAFETY * numerical_error + claimed_rounding
    error[numerical == claimed] = 0.0  # equal infinities agree (their difference is NaN)
    error[np.isnan(error)] = np.inf  # any other NaN is as far off as can be
    return error, bound


def agree(error: F64, bound: F64) -> NDArray[np.bool_]:
    """Within a finite bound, or exactly equal: an infinite bound (an infinite claimed value, or f
    overflowing within the step) vouches for nothing."""
    return (error <= bound) & np.isfinite(bound) | (error == 0)


def _kinks_found(estimate: Estimate, bound: F64, claimed: F64, shape: tuple[int, ...]) -> list[Kink]:
    """The kinks the estimate found, each passing when the claimed value lies between the one-sided
    derivatives (within their error and the element's bound)."""
    kinks = []
    for i in np.flatnonzero(estimate.kink):
        left, right = float(estimate.left[i]), float(estimate.right[i])
        low, high = sorted((left, right))
        tolerance = BOUND_SAFETY * float(estimate.side_error[i]) + float(bound[i])
        value = float(claimed[i])
        between = math.isfinite(tolerance) and low - tolerance <= value <= high + tolerance
        index = tuple(int(j) for j in np.unravel_index(i, shape))
        kinks.append(Kink(index, left, right, value, between))
    return kinks


def verdict(
    error: F64,
    bound: F64,
    numerical: F64,
    claimed: F64,
    estimate: Estimate | None,
    shape: tuple[int, ...],
    method: str,
    mode: str,
    n_evaluations: int,
) -> GradcheckResult:
    """The result: passed when every smooth element agrees and every kink has the claimed value between its
    one-sided derivatives; the worst smooth element (largest error/bound) reported with both values."""
    kinks = [] if estimate is None else _kinks_found(estimate, bound, claimed, shape)
    smooth = np.ones(error.shape, dtype=bool) if estimate is None else ~estimate.kink
    with np.errstate(invalid="ignore"):
        ratio = error / np.where(bound > 0, bound, np.finfo(np.float64).tiny)
    ratio[np.isnan(ratio)] = np.inf  # an infinite error against an infinite or NaN bound
    ratio[~smooth] = -np.inf
    failed = smooth & ~agree(error, bound)
    index: tuple[int, ...] | None = None
    worst_numerical = worst_claimed = worst_error = worst_rel_error = worst_bound = math.nan
    if smooth.any():
        worst = int(np.argmax(ratio))
        index = tuple(int(j) for j in np.unravel_index(worst, shape))
        worst_numerical, worst_claimed = float(numerical[worst]), float(claimed[worst])
        worst_error, worst_bound = float(error[worst]), float(bound[worst])
        magnitude = max(abs(worst_numerical), abs(worst_claimed))
        zero_magnitude = 0.0 if worst_error == 0 else math.inf
        worst_rel_error = worst_error / magnitude if magnitude > 0 else zero_magnitude
    return GradcheckResult(
        passed=not failed.any() and all(kink.claimed_between for kink in kinks),
        index=index,
        numerical=worst_numerical,
        claimed=worst_claimed,
        abs_error=worst_error,
        rel_error=worst_rel_error,
        bound=worst_bound,
        method=method,
        mode=mode,
        kinks=kinks,
        n_checked=int(error.size),
        n_failed=int(failed.sum()) + sum(not kink.claimed_between for kink in kinks),
        n_evaluations=n_evaluations,
    )
