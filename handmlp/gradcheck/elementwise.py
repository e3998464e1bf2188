"""The elementwise checker: a claimed f′ at every element of x against finite differences of f (C15), in a
fixed number of vectorised calls of f. docs/gradcheck.md explains the method and its bounds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from handmlp.gradcheck import arguments, bounds, complex_step
from handmlp.gradcheck.estimator import (
    ESTIMATE_FIELDS,
    F64,
    Array,
    Candidates,
    Estimate,
    Roundoff,
    Samples,
    candidates,
    estimate,
    estimate_from,
    exact_steps,
    ladder,
    scale_of,
    unit_roundoff,
)
from handmlp.gradcheck.results import GradcheckResult, raise_unless

REFINE_FACTOR = 32.0  # rungs below the first candidate are computed only where errors exceed this


@dataclass
class NumericalDerivative:
    """f′ at every element (flattened, float64) with its estimated error and what the bounds need."""

    value: F64
    error: F64
    estimate: Estimate  # central (or Richardson) differences, with their one-sided derivatives and kinks
    f0: F64
    scale: F64  # max(1, |x|)
    x_abs: F64
    n_evaluations: int


def _values(f: Callable[[Array], Any], z: Array) -> Array:
    """f(z), which must be real numbers of z's shape (f is elementwise)."""
    out = arguments.real_values("f", f(z))
    if out.shape != z.shape:
        raise ValueError(f"f: expected an elementwise function returning shape {z.shape}, got {out.shape}")
    return out


def _on_rows(f: Callable[[Array], Any], points: Array, shape: tuple[int, ...]) -> F64:
    """f at each row of points (K, n), one call of f per row on an array of the given shape, as float64."""
    out = np.empty(points.shape)
    for row, row_points in enumerate(points):
        out[row] = _values(f, row_points.reshape(shape)).reshape(-1)
    return out


def _reproduces(values: F64, known: F64, roundoff: Roundoff) -> bool:
    """Whether two evaluations of f agree to its assumed accuracy (equal, both NaN, or within ulps·u·|f|)."""
    with np.errstate(invalid="ignore"):
        close = (values == known) | (np.abs(values - known) <= roundoff.of(values) + roundoff.of(known))
    return bool(np.all(close | (np.isnan(values) & np.isnan(known))))


def _on_subset(
    f: Callable[[Array], Any],
    points: Array,
    flat: Array,
    shape: tuple[int, ...],
    subset: Array,
    known: F64,
    roundoff: Roundoff,
) -> F64:
    """f at points (K, m) that perturb only the elements `subset` of x (flattened, of the given shape), as
    float64; points[0] are points where f's values on the whole of x are `known`.

    f is called on the m points alone, shaped (m, 1, …, 1), if it reproduces `known` there: otherwise (it
    raises, returns another shape, or depends on more than its element's value, such as a per-unit parameter
    or a mask drawn for z.shape) on whole copies of x, n values per point.
    """
    try:
        values = _on_rows(f, points, (subset.size,) + (1,) * (len(shape) - 1))
    except Exception:  # f needs x's shape
        values = None
    if values is not None and _reproduces(values[0], known, roundoff):
        return values
    whole = np.repeat(flat[None, :], points.shape[0], axis=0)
    whole[:, subset] = points
    return _on_rows(f, whole, shape)[:, subset]


def _rung_samples(
    f: Callable[[Array], Any], flat: Array, shape: tuple[int, ...], steps: list[float], f0: F64, scale: F64
) -> Samples:
    """f(x ± h_k) on the rungs `steps` at every element, with the exact steps (x + h) − x and x − (x − h)."""
    x_plus, x_minus, h_plus, h_minus = exact_steps(flat, steps, scale)
    return Samples(_on_rows(f, x_plus, shape), _on_rows(f, x_minus, shape), f0, h_plus, h_minus)


def _needs_more_rungs(cands: Candidates, f0: F64, scale: F64, method: str, eps: float) -> Array:
    """The elements where a smaller step would still help (truncation above roundoff) and the estimated
    error is well above (REFINE_FACTOR×) what the textbook step gives a function varying on the scale
    max(1, |x|): eps^(2/3) relative for central, eps^(4/5) for Richardson."""
    good = REFINE_FACTOR * eps ** (0.8 if method == "richardson" else 2.0 / 3.0)
    with np.errstate(all="ignore"):
        good_enough = cands.errors[-1] <= good * (np.abs(cands.values[-1]) + np.abs(f0) / scale)
    return np.flatnonzero((cands.truncation > cands.rounding) & ~good_enough)


def _down_the_ladder(
    f: Callable[[Array], Any],
    x: Array,
    samples: Samples,
    steps: list[float],
    subset: Array,
    roundoff: Roundoff,
    method: str,
) -> Estimate:
    """The estimate at the elements `subset` from the whole ladder `steps`, of which `samples` holds the
    first rungs at every element; the rest is evaluated at those elements alone (see `_on_subset`)."""
    flat, done = x.reshape(-1), samples.f_plus.shape[0]
    scale, x_abs = scale_of(flat[subset]), np.abs(flat[subset].astype(np.float64, copy=False))
    known = (samples.f_plus[done - 1, subset], samples.f_minus[done - 1, subset])
    x_plus, x_minus, h_plus, h_minus = exact_steps(flat[subset], steps[done - 1 :], scale)
    more = (
        _on_subset(f, x_plus, flat, x.shape, subset, known[0], roundoff),
        _on_subset(f, x_minus, flat, x.shape, subset, known[1], roundoff),
        h_plus,
        h_minus,
    )
    earlier = (samples.f_plus, samples.f_minus, samples.h_plus, samples.h_minus)
    f_plus, f_minus, h_plus, h_minus = (
        np.concatenate([first[: done - 1, subset], rest]) for first, rest in zip(earlier, more)
    )
    whole = Samples(f_plus, f_minus, samples.f0[subset], h_plus, h_minus)
    return estimate(whole, method, roundoff, x_abs)


def numerical_derivative(
    f: Callable[[Array], Any], x: Array, method: str, levels: int, ulps: float
) -> NumericalDerivative:
    """The numerical derivative of an elementwise f at every element of x, with its estimated error: the
    first rungs of the ladder at every element, the rest only where the error is still large."""
    flat = x.reshape(-1)
    f0_raw = _values(f, x)
    f_u = unit_roundoff(f0_raw.dtype) if f0_raw.dtype.kind == "f" else unit_roundoff(x.dtype)
    f0 = f0_raw.reshape(-1).astype(np.float64, copy=False)
    scale = scale_of(flat)
    x_abs = np.abs(flat.astype(np.float64, copy=False))
    eps = float(np.finfo(x.dtype).eps)
    ladder_method = "richardson" if method == "richardson" else "central"
    steps = ladder(ladder_method, levels, eps)
    roundoff = Roundoff(f_u, ulps)
    first = 3 if ladder_method == "richardson" else 2  # the rungs that give one candidate
    samples = _rung_samples(f, flat, x.shape, steps[:first], f0, scale)
    cands = candidates(samples, ladder_method, roundoff, x_abs)
    central = estimate_from(samples, roundoff, cands)
    n_evaluations = 2 * first + 1
    subset = _needs_more_rungs(cands, f0, scale, ladder_method, eps)
    if levels > first and subset.size:
        refined = _down_the_ladder(f, x, samples, steps, subset, roundoff, ladder_method)
        for name in ESTIMATE_FIELDS:
            getattr(central, name)[subset] = getattr(refined, name)
        n_evaluations = 2 * levels + 1
    numerical = NumericalDerivative(central.value, central.error, central, f0, scale, x_abs, n_evaluations)
    return _complex_step(f, x, numerical, f_u, ulps, steps[-1]) if method == "complex" else numerical


def _complex_step(
    f: Callable[[Array], Any], x: Array, central: NumericalDerivative, f_u: float, ulps: float, finest: float
) -> NumericalDerivative:
    """The complex-step derivative at every element in one call of f, refused where it disagrees with the
    central differences already computed (`finest`: the smallest relative step of their ladder)."""
    h = complex_step.COMPLEX_STEP[x.dtype] * central.scale
    z: Array = x.reshape(-1).astype(complex_step.complex_dtype(x.dtype))
    z = z + 1j * h.astype(x.dtype)
    out = complex_step.complex_values(f, z.reshape(x.shape)).reshape(-1)
    h_used = h.astype(x.dtype).astype(np.float64)
    derivative = out.imag.astype(np.float64) / h_used
    error = complex_step.complex_error(derivative, central.f0, central.scale, h_used, out.dtype, f_u, ulps)
    error += ulps * f_u * central.x_abs * central.estimate.curvature  # rounding x, as in bounds.compare
    # Its truncation h²·|f‴|/6, which alone remains where f and f′ vanish (x³ at 0: Im (ih)³/h = −h²). The
    # central error at a step h_k ≥ the finest bounds its truncation ≈ (15/18)·h_k²·|f‴|: scaled by (h/h_k)².
    with np.errstate(under="ignore"):
        truncation = (h_used / (finest * central.scale)) ** 2 * central.error
    error += np.where(np.isfinite(truncation), truncation, 0.0)  # f overflowing beside x: as before
    agreement = bounds.BOUND_SAFETY * (central.estimate.error + error)
    complex_step.first_disagreement(derivative, central.estimate, agreement, x.shape, "element")
    return NumericalDerivative(
        derivative,
        error,
        central.estimate,
        central.f0,
        central.scale,
        central.x_abs,
        central.n_evaluations + 1,
    )


def elementwise_derivative(
    f: Callable[[Array], Any], x: Any, method: str = "central", *, levels: int = 7, ulps: float = 8.0
) -> tuple[F64, F64]:
    """The numerical derivative f′(x) of an elementwise f at every element of x and its estimated error (C15).

    The same numbers `check_elementwise` compares against; both arrays are float64 of x's shape.
    """
    method, ulps = arguments.common(method, ulps, f=f)
    levels = arguments.levels_at_least(levels, 3)
    array = arguments.point(x)
    numerical = numerical_derivative(f, array, method, levels, ulps)
    return numerical.value.reshape(array.shape), numerical.error.reshape(array.shape)


def check_elementwise(
    f: Callable[[Array], Any],
    df: Callable[[Array], Any],
    x: Any,
    method: str = "central",
    *,
    levels: int = 7,
    ulps: float = 8.0,
) -> GradcheckResult:
    """Check df = f′ elementwise at every element of x against finite differences of f (C15).

    f must be elementwise (f(x)[i] depends on x[i] only). It is called on arrays of x's shape: once at x and
    twice per rung of the ladder at x ± h (5 calls for "central", 7 for "richardson", +1 for "complex"),
    whatever the size. The elements whose estimated error is still well above the textbook optimum's (x³
    near 0, where f′ vanishes) go down the rest of the ladder: f is called on those m points alone, shaped
    (m, 1, …, 1), provided it reproduces there its values on the whole of x at the last rung already
    computed; otherwise (it refuses that shape, or depends on more than its element's value: a per-unit
    parameter, a mask drawn for z.shape) on whole copies of x. `n_evaluations` is the most evaluations any
    one element took: at most 2·levels + 1, and one more for "complex".
    """
    method, ulps = arguments.common(method, ulps, f=f, df=df)
    levels = arguments.levels_at_least(levels, 3)
    array = arguments.point(x)
    claimed_raw = arguments.claimed_values("df", df(array), array.shape, "an array of shape")
    claimed = claimed_raw.reshape(-1).astype(np.float64, copy=False)
    claimed_dtype = claimed_raw.dtype if claimed_raw.dtype.kind == "f" else array.dtype
    numerical = numerical_derivative(f, array, method, levels, ulps)
    x_curvature = numerical.x_abs * numerical.estimate.curvature
    error, bound = bounds.compare(
        numerical.value,
        numerical.error,
        claimed,
        numerical.f0,
        numerical.scale,
        unit_roundoff(claimed_dtype),
        ulps,
        x_curvature,
    )
    return bounds.verdict(
        error,
        bound,
        numerical.value,
        claimed,
        numerical.estimate,
        array.shape,
        method,
        "full",
        numerical.n_evaluations,
    )


# A deliberate mirror: the same signature as `check_elementwise`, plus the name its message uses.
def assert_elementwise(
    f: Callable[[Array], Any],
    df: Callable[[Array], Any],
    x: Any,
    method: str = "central",
    *,
    levels: int = 7,
    ulps: float = 8.0,
    name: str = "derivative",
) -> GradcheckResult:
    """`check_elementwise` raising AssertionError (index, both values, error, bound) on failure (C15)."""
    return raise_unless(check_elementwise(f, df, x, method, levels=levels, ulps=ulps), name)
