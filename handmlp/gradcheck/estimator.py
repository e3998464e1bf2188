"""The step ladder and the estimator shared by every entry point: f(x ± h_k) on a ladder of steps → the best
numerical derivative per element (C15), its estimated error, its one-sided derivatives and any kink.

docs/gradcheck.md explains the ladder, the error estimate and the kink test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
F64 = NDArray[np.float64]

STEP_RATIO = 4.0  # step ratio between rungs of the ladder
KINK_NOISE_FACTOR = 8.0  # a kink's one-sided disagreement must stand this far above its roundoff
NOISE_SIGMAS = 4.0  # a measured noise level (a standard deviation) counts this many times


def unit_roundoff(dtype: Any) -> float:
    """u = eps/2 of a floating dtype."""
    return float(np.finfo(np.dtype(dtype)).eps) / 2.0


def ladder(method: str, levels: int, eps: float) -> list[float]:
    """Relative steps: the power of two nearest eps^(1/3) (eps^(1/5) for Richardson), one rung ×4 above it
    and the rest ÷4 below."""
    first = eps ** (1.0 / 5.0) if method == "richardson" else eps ** (1.0 / 3.0)
    first = 2.0 ** round(math.log2(first))
    return [first * STEP_RATIO ** (1 - rung) for rung in range(levels)]


def scale_of(x: Array) -> Array:
    """max(1, |x|): the scale on which f is assumed to vary, and steps and bounds with it."""
    return np.maximum(1.0, np.abs(x.astype(np.float64, copy=False)))


def exact_steps(x: Array, steps: list[float], scale: F64) -> tuple[Array, Array, Array, Array]:
    """x ± h_k·scale as arrays (K, n) of x's dtype (views of one (2K, n) stack), with the exactly
    representable steps (x + h) − x and x − (x − h) in float64."""
    levels = len(steps)
    h = (np.asarray(steps)[:, None] * scale[None, :]).astype(x.dtype, copy=False)
    stack = np.empty((2 * levels, x.size), dtype=x.dtype)
    x_plus, x_minus = stack[:levels], stack[levels:]
    np.add(x, h, out=x_plus)
    np.subtract(x, h, out=x_minus)
    h_plus = (x_plus - x).astype(np.float64, copy=False)
    h_minus = np.subtract(x, x_minus, out=h).astype(np.float64, copy=False)
    return x_plus, x_minus, h_plus, h_minus


@dataclass(frozen=True)
class Roundoff:
    """The error of one computed value of f: ulps·u·|f|, or `noise` (measured) where that is larger."""

    u: float
    ulps: float
    noise: float = 0.0

    def of(self, values: F64) -> F64:
        scaled = np.abs(values) * (self.ulps * self.u)
        return np.maximum(scaled, NOISE_SIGMAS * self.noise) if self.noise > 0 else scaled


@dataclass
class Samples:
    """f on a ladder of K rungs around n points: f(x + h_k), f(x − h_k), the steps (each (K, n)) and f(x)."""

    f_plus: F64
    f_minus: F64
    f0: F64
    h_plus: F64
    h_minus: F64


@dataclass
class Candidates:
    values: F64  # (C, n) candidate derivatives, candidate c from rungs up to first + c
    errors: F64  # (C, n) their estimated errors
    truncation: F64  # (n,) truncation part of the finest candidate's estimate
    rounding: F64  # (n,) roundoff part of it
    first: int  # the rung of the first candidate
    slopes: F64  # (K, n) the central differences D(h_k)
    x_abs: F64 | None  # |x|, when rounding x counts in the roundoff of f


@dataclass
class Estimate:
    value: F64  # the numerical derivative per element
    error: F64  # its estimated error
    left: F64  # one-sided derivatives at the chosen rung
    right: F64
    side_error: F64  # their estimated error
    kink: NDArray[np.bool_]
    curvature: F64  # |f″| estimated as |right − left|/h


ESTIMATE_FIELDS = ("value", "error", "left", "right", "side_error", "kink", "curvature")


def conditioning(roundoff: Roundoff, x_abs: F64 | None, slope: F64) -> F64 | float:
    """The roundoff of f from rounding x (or an intermediate of it): ulps·u·|x·f′|, f′ ≈ the slope."""
    return 0.0 if x_abs is None else (roundoff.ulps * roundoff.u) * x_abs * np.abs(slope)


def _slope_roundoff(
    f_plus: F64, f_minus: F64, two_h: F64, slope: F64, roundoff: Roundoff, x_abs: F64 | None
) -> F64:
    """The roundoff of the central difference (f(x+h) − f(x−h))/2h: the two values' errors over 2h."""
    value_errors = roundoff.of(f_plus) + roundoff.of(f_minus)
    return (value_errors + 2 * conditioning(roundoff, x_abs, slope)) / two_h


def candidates(samples: Samples, method: str, roundoff: Roundoff, x_abs: F64 | None = None) -> Candidates:
    """Candidate derivatives per rung with their error estimates (truncation + roundoff).

    With `x_abs` = |x| the roundoff of each value of f also counts ulps·u·|x·f′| (f′ ≈ the difference): f
    computed from a rounded intermediate of x (exp(−x²) rounds x² first) is off by that much, which for an
    ill-conditioned f (|x·f′| ≫ |f|, or f a cancellation such as z·E(αz) + α near 0) exceeds ulps·u·|f|."""
    f_plus, f_minus = samples.f_plus, samples.f_minus
    two_h = samples.h_plus + samples.h_minus
    with np.errstate(all="ignore"):
        slopes = (f_plus - f_minus) / two_h
        if method == "richardson":
            ratio_squared = STEP_RATIO * STEP_RATIO
            slope_rounding = _slope_roundoff(f_plus, f_minus, two_h, slopes, roundoff, x_abs)
            extrapolated = (ratio_squared * slopes[1:] - slopes[:-1]) / (ratio_squared - 1)
            rounding = (ratio_squared * slope_rounding[1:] + slope_rounding[:-1]) / (ratio_squared - 1)
            values, rounding = extrapolated[1:], rounding[1:]
            truncation = np.abs(extrapolated[:-1] - extrapolated[1:]) / (STEP_RATIO - 1)
            first = 2
        else:  # every rung but the first gives a candidate
            rounding = _slope_roundoff(f_plus[1:], f_minus[1:], two_h[1:], slopes[1:], roundoff, x_abs)
            values, truncation, first = slopes[1:], np.abs(slopes[:-1] - slopes[1:]) / (STEP_RATIO - 1), 1
        errors = truncation + rounding
    errors[~np.isfinite(errors)] = np.inf  # also where values are not finite: truncation contains them
    return Candidates(values, errors, truncation[-1], rounding[-1], first, slopes, x_abs)


def estimate(samples: Samples, method: str, roundoff: Roundoff, x_abs: F64 | None = None) -> Estimate:
    """From f(x ± h_k) on a ladder of K rungs (arrays of shape (K, n)) the best derivative per element."""
    return estimate_from(samples, roundoff, candidates(samples, method, roundoff, x_abs))


def one_sided(f_plus: F64, f_minus: F64, f0: F64, h_plus: F64, h_minus: F64) -> tuple[F64, F64]:
    """The right and left differences (f(x+h) − f(x))/h and (f(x) − f(x−h))/h (C15 from either side)."""
    return (f_plus - f0) / h_plus, (f0 - f_minus) / h_minus


class _AtBestRung:
    """Reads arrays (K, n) at each element's best rung, shifted by a number of rungs: plain rows when one rung
    is best for every element, one gathered element per column otherwise."""

    def __init__(self, best: NDArray[np.intp], n: int) -> None:
        self.n = n
        self.common = int(best[0])
        uniform = best.size == 1 or bool(np.all(best == best[0]))
        self.flat_index = None if uniform else best * n + np.arange(n)

    def __call__(self, array: F64, shift: int) -> F64:
        if self.flat_index is None:
            return array[self.common + shift]
        return np.take(array, self.flat_index + shift * self.n)

    def points(self, samples: Samples, shift: int) -> tuple[F64, F64, F64, F64, F64]:
        """f(x + h), f(x − h), f(x), h₊ and h₋ at the rung `shift` rungs away from the best candidate's."""
        return (
            self(samples.f_plus, shift),
            self(samples.f_minus, shift),
            samples.f0,
            self(samples.h_plus, shift),
            self(samples.h_minus, shift),
        )


def estimate_from(samples: Samples, roundoff: Roundoff, cands: Candidates) -> Estimate:
    """`estimate` from the candidates, already computed: per element the candidate with the smallest
    estimated error, and the one-sided derivatives at its rung, which tell a kink."""
    n = cands.values.shape[1]
    several = cands.values.shape[0] > 1 and n
    best = np.argmin(cands.errors, axis=0) if several else np.zeros(1, dtype=np.intp)
    at_best = _AtBestRung(best, n)
    value, error = at_best(cands.values, 0), at_best(cands.errors, 0)
    points = at_best.points(samples, cands.first)
    with np.errstate(all="ignore"):
        right, left = one_sided(*points)
        curvature = 2.0 * np.abs(right - left) / (points[3] + points[4])
        coarser = at_best.points(samples, cands.first - 1)
        slope = at_best(cands.slopes, cands.first)
        kink, side_error = _kinks(points, (right, left), coarser, slope, roundoff, cands.x_abs)
    return Estimate(value, error, left, right, side_error, kink, curvature)


def _kinks(
    points: tuple[F64, F64, F64, F64, F64],
    sides: tuple[F64, F64],
    coarser: tuple[F64, F64, F64, F64, F64],
    slope: F64,
    roundoff: Roundoff,
    x_abs: F64 | None,
) -> tuple[NDArray[np.bool_], F64]:
    """Which elements are kinks, and the one-sided derivatives' estimated error there (NaN elsewhere).

    A kink: a one-sided disagreement right − left that does not shrink with the step (a smooth f's shrinks
    4× per rung: the ratio is ¼; here it keeps its sign and at least half its size) and stands well above
    roundoff. Roundoff is worked out only where the first holds."""
    right, left = sides  # one_sided(*points)
    coarser_right, coarser_left = one_sided(*coarser)
    disagreement, coarser_disagreement = right - left, coarser_right - coarser_left
    steady = np.flatnonzero((coarser_disagreement != 0) & (disagreement / coarser_disagreement > 0.5))
    kink = np.zeros(right.size, dtype=bool)
    side_error = np.full(right.size, np.nan)
    if not steady.size:
        return kink, side_error
    f_plus, f_minus, f0, h_plus, h_minus = (values[steady] for values in points)
    x_rounding = conditioning(roundoff, None if x_abs is None else x_abs[steady], slope[steady])
    f0_error = roundoff.of(f0) + x_rounding
    plus_error, minus_error = roundoff.of(f_plus) + x_rounding, roundoff.of(f_minus) + x_rounding
    side_rounding = (plus_error + 2 * f0_error + minus_error) / np.minimum(h_plus, h_minus)
    kink[steady] = np.abs(disagreement[steady]) > KINK_NOISE_FACTOR * side_rounding
    right_drift = np.abs(right[steady] - coarser_right[steady])
    side_error[steady] = side_rounding + right_drift + np.abs(left[steady] - coarser_left[steady])
    return kink, side_error
