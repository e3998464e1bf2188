"""A finite-difference gradient checker: a claimed derivative against the definition
f′(a) = lim (f(a+h) − f(a))/h (C15 in docs/equations.md), with error bounds derived from the method,
honest about kinks, and cheap.

Two entry points, each with a raising twin for tests:

- `check_elementwise(f, df, x)` for an elementwise f (an activation) and its derivative df: f is elementwise,
  so every element is perturbed at once and the whole array costs a constant number of calls of f.
- `check_gradient(f, x, grad)` for any scalar function of an array (a loss as a function of one parameter
  tensor, or of the input). `mode="full"` perturbs every element (and finds the worst); `mode="fast"`
  compares ⟨grad, w⟩ with the derivative of f along a few seeded random directions w, a few dozen calls
  of f whatever the size.

Methods.
- "central": D(h) = (f(x+h) − f(x−h))/(2h). Steps form a ladder h_k = eps^(1/3)·max(1, |x|)·4^(1−k)
  (eps^(1/3) rounded to a power of two, 2⁻¹⁷ in float64); the
  first rung is the textbook optimum for a function varying on the scale max(1, |x|), the lower ones serve
  functions that vary faster (sin or exp at |x| = 1000) or are nearly flat (x³ at 10⁻³). Every step is made
  exactly representable (h = (x+h) − x). The error of D(h_k) is estimated per element as truncation
  |D(h_{k−1}) − D(h_k)|/3, measured on the differences themselves (/3 = 1/(4−1) holds for an error of any
  order ≥ 1 in h, so it stays a bound where f″ jumps and D is only first-order, as x·|x| at 0), plus
  roundoff ulps·u·(|f(x+h)| + |f(x−h)|)/(2h), u the unit roundoff of f's output dtype; the rung with the
  smallest estimate is used (elementwise: the first 2 rungs everywhere, all 7 only at the elements where
  those leave an error well above the textbook optimum's; per element of a gradient: 2; per direction: 3).
  For a scalar f of an array the roundoff of one value is the larger of ulps·u·|f| and 4× a noise level
  measured near x (see `_noise`): a loss summed from large terms of both signs rounds like its terms, not
  its value.
- "richardson": R = (16·D(h/4) − D(h))/15 cancels the h² term; truncation is estimated from successive R
  (/3 again, rather than the h⁴ term's /255), roundoff carried through the combination; ladder from
  eps^(1/5)·max(1, |x|).
- "complex": Im f(x + i·h)/h with h = 10⁻²⁰·max(1, |x|) (10⁻¹⁰ for float32): no subtraction, so no
  cancellation — accurate to a few ulps. It is only right for code that is complex-analytic. Not analytic:
  np.abs (returns the modulus: the imaginary part is lost), .real / float() / astype(float), np.sign;
  np.maximum / np.minimum / comparisons / np.where(x > 0, …) order complex numbers lexicographically, so
  they are right away from a tie and silently one-sided at one (relu at 0 gives 1). The guard: f must return
  a complex array with finite values, and the complex-step derivative must agree with the central ladder
  within the central bound at every element (elementwise) or along a random direction (gradients).
  Otherwise the complex step is refused with a TypeError (not complex) or a ValueError (wrong answers:
  names the element, both values and, at a kink, its one-sided derivatives).

Bounds. An element passes when |numerical − claimed| ≤ 2·(estimated error of the numerical value) +
ulps·u_c·(|claimed| + |f(x)|/max(1, |x|)), u_c the unit roundoff of the claimed value's dtype: no constant
tolerance. `ulps` (default 8) is the assumed accuracy of f and of the claimed derivative in units of
roundoff, relative to those magnitudes; a claimed derivative computed with cancellation may need more.
The bound must be finite: an infinite claimed value fails unless the numerical one is the same infinity, and
where f overflows within a step of x (exp at 709.78) the numerical derivative is infinite and the element
fails, since nothing claimed there can be vouched for.

Kinks. With S_k = F_k − B_k the difference of the right and left one-sided differences at step h_k, a smooth
f gives S_k ≈ h_k·f″ (shrinking 4× per rung); a kink within h of x gives S ≈ the jump in the derivative, the
same at every rung. An element where |S| stands 8× above its roundoff and has not shrunk between two rungs
is reported as a `Kink` (index, left and right one-sided values, whether the claimed value lies between them)
instead of being compared: it passes when the claimed value lies between the one-sided derivatives (a
subgradient, as relu′(0) = 0) and fails otherwise.

Dtypes. f is evaluated at the dtype of x: a float32 x is perturbed in float32 (steps exact in float32), f
runs in float32, and the bounds use float32's unit roundoff (central then resolves ~10⁻⁵ relative, not
10⁻⁹). Differences are formed in float64. To check a float32 implementation's formula at float64 accuracy,
pass x.astype(np.float64): NumPy code is usually dtype-generic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "GradcheckResult",
    "Kink",
    "assert_elementwise",
    "assert_gradient",
    "check_elementwise",
    "check_gradient",
    "elementwise_derivative",
]

Array = NDArray[Any]
F64 = NDArray[np.float64]

METHODS = ("central", "richardson", "complex")
MODES = ("full", "fast")
RATIO = 4.0  # step ratio between rungs of the ladder
KINK_NOISE_FACTOR = 8.0  # a kink's one-sided disagreement must stand this far above its roundoff
BOUND_SAFETY = 2.0  # the bound is twice the estimated error of the numerical derivative
NOISE_SIGMAS = 4.0  # a measured noise level (a standard deviation) counts this many times
REFINE_FACTOR = (
    32.0  # elementwise: rungs below the first candidate are computed only where errors exceed this
)
COMPLEX_STEP = {np.dtype(np.float64): 1e-20, np.dtype(np.float32): 1e-10}


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
        return [k for k in self.kinks if not k.claimed_between]

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
        shown = self.failed_kinks[:5] + [k for k in self.kinks if k.claimed_between][: max(0, 5 - 1)]
        lines.extend(f"  {k}" for k in shown[:5])
        if len(self.kinks) > 5:
            lines.append(f"  … and {len(self.kinks) - 5} more kinks")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __bool__(self) -> bool:
        return self.passed


# --- the estimator shared by every entry point ------------------------------------------------------------


@dataclass
class _Estimate:
    value: F64  # the numerical derivative per element
    error: F64  # its estimated error
    left: F64  # one-sided derivatives at the chosen rung
    right: F64
    side_error: F64  # their estimated error
    kink: NDArray[np.bool_]
    curvature: F64  # |f″| estimated as |right − left|/h


_ESTIMATE_FIELDS = ("value", "error", "left", "right", "side_error", "kink", "curvature")


def _unit_roundoff(dtype: Any) -> float:
    return float(np.finfo(np.dtype(dtype)).eps) / 2.0


def _ladder(method: str, levels: int, eps: float) -> list[float]:
    """Relative steps: the power of two nearest eps^(1/3) (eps^(1/5) for Richardson), one rung ×4 above it
    and the rest ÷4 below."""
    first = eps ** (1.0 / 5.0) if method == "richardson" else eps ** (1.0 / 3.0)
    first = 2.0 ** round(math.log2(first))
    return [first * RATIO ** (1 - k) for k in range(levels)]


@dataclass(frozen=True)
class _Roundoff:
    """The error of one computed value of f: ulps·u·|f|, or `noise` (measured) where that is larger."""

    u: float
    ulps: float
    noise: float = 0.0

    def of(self, values: F64) -> F64:
        scaled = np.abs(values) * (self.ulps * self.u)
        return np.maximum(scaled, NOISE_SIGMAS * self.noise) if self.noise > 0 else scaled


@dataclass
class _Candidates:
    values: F64  # (C, n) candidate derivatives, candidate c from rungs up to first + c
    errors: F64  # (C, n) their estimated errors
    trunc: F64  # (n,) truncation part of the finest candidate's estimate
    rounding: F64  # (n,) roundoff part of it
    first: int  # the rung of the first candidate
    slopes: F64  # (K, n) the central differences D(h_k)
    xabs: F64 | None  # |x|, when rounding x counts in the roundoff of f


def _conditioning(rnd: _Roundoff, xabs: F64 | None, slope: F64) -> F64 | float:
    """The roundoff of f from rounding x (or an intermediate of it): ulps·u·|x·f′|, f′ ≈ the slope."""
    return 0.0 if xabs is None else (rnd.ulps * rnd.u) * xabs * np.abs(slope)


def _slope_roundoff(fp: F64, fm: F64, h2: F64, d: F64, rnd: _Roundoff, xabs: F64 | None) -> F64:
    """The roundoff of the central difference d = (f(x+h) − f(x−h))/2h: the two values' errors over 2h."""
    return (rnd.of(fp) + rnd.of(fm) + 2 * _conditioning(rnd, xabs, d)) / h2


def _candidates(
    fp: F64, fm: F64, hp: F64, hm: F64, method: str, rnd: _Roundoff, xabs: F64 | None = None
) -> _Candidates:
    """Candidate derivatives per rung with their error estimates (truncation + roundoff).

    With `xabs` = |x| the roundoff of each value of f also counts ulps·u·|x·f′| (f′ ≈ the difference): f
    computed from a rounded intermediate of x (exp(−x²) rounds x² first) is off by that much, which for an
    ill-conditioned f (|x·f′| ≫ |f|, or f a cancellation such as z·E(αz) + α near 0) exceeds ulps·u·|f|."""
    h2 = hp + hm
    with np.errstate(all="ignore"):
        d = (fp - fm) / h2
        if method == "richardson":
            r2 = RATIO * RATIO
            rho = _slope_roundoff(fp, fm, h2, d, rnd, xabs)
            rich = (r2 * d[1:] - d[:-1]) / (r2 - 1)
            rich_rho = (r2 * rho[1:] + rho[:-1]) / (r2 - 1)
            values, trunc, rounding, first = (
                rich[1:],
                np.abs(rich[:-1] - rich[1:]) / (RATIO - 1),
                rich_rho[1:],
                2,
            )
        else:  # every rung but the first gives a candidate
            rounding = _slope_roundoff(fp[1:], fm[1:], h2[1:], d[1:], rnd, xabs)
            values, trunc, first = d[1:], np.abs(d[:-1] - d[1:]) / (RATIO - 1), 1
        errors = trunc + rounding
    errors[~np.isfinite(errors)] = np.inf  # also where values are not finite: trunc contains them
    return _Candidates(values, errors, trunc[-1], rounding[-1], first, d, xabs)


def _estimate(
    fp: F64, fm: F64, f0: F64, hp: F64, hm: F64, method: str, rnd: _Roundoff, xabs: F64 | None = None
) -> _Estimate:
    """From f(x ± h_k) on a ladder of K rungs (arrays of shape (K, n)) the best derivative per element."""
    return _estimate_from(fp, fm, f0, hp, hm, rnd, _candidates(fp, fm, hp, hm, method, rnd, xabs))


def _estimate_from(fp: F64, fm: F64, f0: F64, hp: F64, hm: F64, rnd: _Roundoff, c: _Candidates) -> _Estimate:
    """`_estimate` from the candidates, already computed."""
    n = c.values.shape[1]
    best = np.argmin(c.errors, axis=0) if c.values.shape[0] > 1 and n else np.zeros(1, dtype=np.intp)
    pick: Callable[[F64, int], F64]
    if best.size == 1 or np.all(best == best[0]):  # one rung for all: plain slices
        b0 = int(best[0])
        value, error = c.values[b0], c.errors[b0]

        def pick(a: F64, rung: int) -> F64:
            return a[b0 + rung]

    else:
        at = best * n + np.arange(n)
        value, error = np.take(c.values, at), np.take(c.errors, at)

        def pick(a: F64, rung: int) -> F64:
            return np.take(a, at + rung * n)

    k, j = c.first, c.first - 1
    with np.errstate(all="ignore"):
        right, left = _one_sided(pick(fp, k), pick(fm, k), f0, pick(hp, k), pick(hm, k))
        s_now = right - left
        s_prev = np.subtract(*_one_sided(pick(fp, j), pick(fm, j), f0, pick(hp, j), pick(hm, j)))
        curvature = 2.0 * np.abs(s_now) / (pick(hp, k) + pick(hm, k))
        # A kink: a one-sided disagreement that does not shrink with the step (a smooth f's shrinks 4× per
        # rung: the ratio is ¼; here it keeps its sign and at least half its size) and stands well above
        # roundoff. Roundoff is worked out only where the first holds.
        steady = np.flatnonzero((s_prev != 0) & (s_now / s_prev > 0.5))
        kink = np.zeros(n, dtype=bool)
        side_err = np.full(n, np.nan)  # the one-sided derivatives' error, needed only where kink may be
        if steady.size:
            hp_k, hm_k = pick(hp, k)[steady], pick(hm, k)[steady]
            xabs = None if c.xabs is None else c.xabs[steady]
            cond = _conditioning(rnd, xabs, pick(c.slopes, k)[steady])
            f0_err = rnd.of(f0[steady]) + cond
            fp_err, fm_err = rnd.of(pick(fp, k)[steady]) + cond, rnd.of(pick(fm, k)[steady]) + cond
            side_rho = (fp_err + 2 * f0_err + fm_err) / np.minimum(hp_k, hm_k)
            kink[steady] = np.abs(s_now[steady]) > KINK_NOISE_FACTOR * side_rho
            at_j = (
                pick(fp, j)[steady],
                pick(fm, j)[steady],
                f0[steady],
                pick(hp, j)[steady],
                pick(hm, j)[steady],
            )
            right_prev, left_prev = _one_sided(*at_j)
            side_err[steady] = (
                side_rho + np.abs(right[steady] - right_prev) + np.abs(left[steady] - left_prev)
            )
    return _Estimate(value, error, left, right, side_err, kink, curvature)


def _one_sided(fp: F64, fm: F64, f0: F64, hp: F64, hm: F64) -> tuple[F64, F64]:
    """The right and left differences (f(x+h) − f(x))/h and (f(x) − f(x−h))/h (C15 from either side)."""
    return (fp - f0) / hp, (f0 - fm) / hm


def _exact_steps(x: Array, steps: list[float], scale: F64) -> tuple[Array, Array, Array, Array]:
    """x ± h_k·scale as arrays (K, n) of x's dtype (views of one (2K, n) stack), with the exactly
    representable steps (x + h) − x and x − (x − h) in float64."""
    k = len(steps)
    h = (np.asarray(steps)[:, None] * scale[None, :]).astype(x.dtype, copy=False)
    stack = np.empty((2 * k, x.size), dtype=x.dtype)
    xp, xm = stack[:k], stack[k:]
    np.add(x, h, out=xp)
    np.subtract(x, h, out=xm)
    hp = (xp - x).astype(np.float64, copy=False)
    hm = np.subtract(x, xm, out=h).astype(np.float64, copy=False)
    return xp, xm, hp, hm


def _scale(x: Array) -> Array:
    return np.maximum(1.0, np.abs(x.astype(np.float64, copy=False)))


def _compare(
    est_value: F64,
    est_error: F64,
    claimed: F64,
    f0: F64,
    scale: F64,
    u_c: float,
    ulps: float,
    xcurv: F64 | float = 0.0,
) -> tuple[F64, F64]:
    """Absolute error and bound per element. The claimed value is trusted to ulps·u_c·(|claimed| +
    |f|/max(1, |x|) + |x·f″|): the last term is what rounding x inside the derivative's formula costs."""
    with np.errstate(all="ignore"):
        err = np.abs(est_value - claimed)
        bound = BOUND_SAFETY * est_error + ulps * u_c * (np.abs(claimed) + np.abs(f0) / scale + xcurv)
    err[est_value == claimed] = 0.0  # equal infinities agree (their difference is NaN)
    err[np.isnan(err)] = np.inf  # any other NaN is as far off as can be
    return err, bound


def _agree(err: F64, bound: F64) -> NDArray[np.bool_]:
    """Within a finite bound, or exactly equal: an infinite bound (an infinite claimed value, or f
    overflowing within the step) vouches for nothing."""
    return (err <= bound) & np.isfinite(bound) | (err == 0)


def _result(
    err: F64,
    bound: F64,
    numerical: F64,
    claimed: F64,
    est: _Estimate | None,
    shape: tuple[int, ...],
    method: str,
    mode: str,
    n_evaluations: int,
) -> GradcheckResult:
    kinks: list[Kink] = []
    smooth = np.ones(err.shape, dtype=bool)
    if est is not None:
        smooth = ~est.kink
        for i in np.flatnonzero(est.kink):
            lo, hi = sorted((float(est.left[i]), float(est.right[i])))
            tol = BOUND_SAFETY * float(est.side_error[i]) + float(bound[i])
            c = float(claimed[i])
            between = math.isfinite(tol) and lo - tol <= c <= hi + tol
            idx = tuple(int(j) for j in np.unravel_index(i, shape))
            kinks.append(Kink(idx, float(est.left[i]), float(est.right[i]), c, between))
    with np.errstate(invalid="ignore"):
        ratio = err / np.where(bound > 0, bound, np.finfo(np.float64).tiny)
    ratio[np.isnan(ratio)] = np.inf  # an infinite error against an infinite or NaN bound
    ratio[~smooth] = -np.inf
    failed = smooth & ~_agree(err, bound)
    index: tuple[int, ...] | None = None
    num = cl = ae = re = bd = math.nan
    if smooth.any():
        w = int(np.argmax(ratio))
        index = tuple(int(j) for j in np.unravel_index(w, shape))
        num, cl, ae, bd = float(numerical[w]), float(claimed[w]), float(err[w]), float(bound[w])
        denom = max(abs(num), abs(cl))
        re = ae / denom if denom > 0 else (0.0 if ae == 0 else math.inf)
    passed = not failed.any() and all(k.claimed_between for k in kinks)
    return GradcheckResult(
        passed=passed,
        index=index,
        numerical=num,
        claimed=cl,
        abs_error=ae,
        rel_error=re,
        bound=bd,
        method=method,
        mode=mode,
        kinks=kinks,
        n_checked=int(err.size),
        n_failed=int(failed.sum()) + sum(not k.claimed_between for k in kinks),
        n_evaluations=n_evaluations,
    )


def _check_args(method: str, mode: str, x: Any) -> Array:
    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {MODES}, got {mode!r}")
    arr = np.asarray(x)
    if arr.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"x: expected a float32 or float64 array, got dtype {arr.dtype}")
    if arr.size and not np.all(np.isfinite(arr)):
        raise ValueError("x: expected finite values")
    return arr


def _complex_refusal(
    i: int, shape: tuple[int, ...], cs: float, central: _Estimate, j: int, bound: float, what: str
) -> ValueError:
    idx = tuple(int(v) for v in np.unravel_index(i, shape))
    msg = (
        f"complex step refused: at {what} {idx} it gives {cs:.17g} but central differences give "
        f"{central.value[j]:.17g} (bound {bound:.3g})"
    )
    if central.kink[j]:
        msg += (
            f"; one-sided derivatives there are {central.left[j]:.10g} (left) and {central.right[j]:.10g} "
            "(right): f is not differentiable there and the complex step silently picks one side"
        )
    msg += (
        ". f is not complex-analytic (np.abs, np.maximum/np.minimum at ties, comparisons, np.where on a "
        "complex condition, .real), or loses accuracy in complex arithmetic (NumPy's complex expm1/log1p "
        "near 0): use method='central' or 'richardson'"
    )
    return ValueError(msg)


def _complex_values(f: Callable[[Array], Any], z: Array) -> Array:
    """f at complex points, refused with a TypeError/ValueError unless it returns finite complex values."""
    try:
        out = np.asarray(f(z))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"complex step refused: f raised on a complex input ({exc})") from exc
    if not np.iscomplexobj(out):
        raise TypeError(
            f"complex step refused: f returned {out.dtype} for a complex input, dropping the imaginary part "
            "(np.abs, .real, float(), astype(float) are not analytic): use method='central' or 'richardson'"
        )
    if not np.all(np.isfinite(out)):
        raise ValueError(
            "complex step refused: f gave a non-finite value on a complex input (an overflow in complex "
            "arithmetic): use method='central' or 'richardson'"
        )
    return out


def _complex_error(
    cs: F64, f0: F64, scale: F64, h: F64, ctype: np.dtype[Any], u_f: float, ulps: float
) -> F64:
    """Error of Im f(x + ih)/h: a few ulps of the derivative's scale, and the subnormal spacing over h where
    h·f′ underflows (a derivative below ~1e-290 in float64 cannot be resolved this way)."""
    sub = float(np.finfo(ctype).smallest_subnormal)
    return ulps * u_f * (np.abs(cs) + np.abs(f0) / scale) + ulps * sub / h


# --- elementwise ------------------------------------------------------------------------------------------


@dataclass
class _Elementwise:
    value: F64
    error: F64
    est: _Estimate
    f0: F64
    scale: F64
    xabs: F64
    n_evaluations: int


def _values(f: Callable[[Array], Any], z: Array) -> Array:
    """f(z), which must have z's shape (f is elementwise)."""
    out = np.asarray(f(z))
    if out.shape != z.shape:
        raise ValueError(f"f: expected an elementwise function returning shape {z.shape}, got {out.shape}")
    return out


def _on_rows(f: Callable[[Array], Any], points: Array, shape: tuple[int, ...]) -> F64:
    """f at each row of points (K, n), one call of f per row on an array of the given shape, as float64."""
    out = np.empty(points.shape)
    for k, row in enumerate(points):
        out[k] = _values(f, row.reshape(shape)).reshape(-1)
    return out


def _on_subset(
    f: Callable[[Array], Any],
    points: Array,
    flat: Array,
    idx: Array,
    shape: tuple[int, ...],
    known: F64,
    rnd: _Roundoff,
) -> F64:
    """f at points (K, m) that perturb only the elements idx of x, as float64; points[0] are points where f's
    values on the whole of x are `known`.

    f is called on the m points alone, shaped (m, 1, …, 1), if it reproduces `known` there: otherwise (it
    raises, returns another shape, or depends on more than its element's value, such as a per-unit parameter
    or a mask drawn for z.shape) on whole copies of x, n values per point.
    """
    try:
        values = _on_rows(f, points, (idx.size,) + (1,) * (len(shape) - 1))
    except Exception:  # f needs x's shape
        values = None
    if values is not None and _reproduces(values[0], known, rnd):
        return values
    whole = np.repeat(flat[None, :], points.shape[0], axis=0)
    whole[:, idx] = points
    return _on_rows(f, whole, shape)[:, idx]


def _reproduces(values: F64, known: F64, rnd: _Roundoff) -> bool:
    """Whether two evaluations of f agree to its assumed accuracy (equal, both NaN, or within ulps·u·|f|)."""
    with np.errstate(invalid="ignore"):
        close = (values == known) | (np.abs(values - known) <= rnd.of(values) + rnd.of(known))
    return bool(np.all(close | (np.isnan(values) & np.isnan(known))))


def _rung_values(
    f: Callable[[Array], Any], flat: Array, shape: tuple[int, ...], steps: list[float], scale: F64
) -> tuple[F64, F64, F64, F64]:
    """f(x ± h_k) and the exact steps (x + h) − x, x − (x − h): arrays (K, n) in float64."""
    xp, xm, hp, hm = _exact_steps(flat, steps, scale)
    return _on_rows(f, xp, shape), _on_rows(f, xm, shape), hp, hm


def _subset_rung_values(
    f: Callable[[Array], Any],
    flat: Array,
    shape: tuple[int, ...],
    steps: list[float],
    scale: F64,
    idx: Array,
    known: tuple[F64, F64],
    rnd: _Roundoff,
) -> tuple[F64, F64, F64, F64]:
    """`_rung_values` at the elements idx only; steps[0] is a rung already evaluated on the whole of x, where
    `known` holds f(x + h) and f(x − h) at those elements."""
    xp, xm, hp, hm = _exact_steps(flat[idx], steps, scale[idx])
    fp = _on_subset(f, xp, flat, idx, shape, known[0], rnd)
    fm = _on_subset(f, xm, flat, idx, shape, known[1], rnd)
    return fp, fm, hp, hm


def _needs_more_rungs(c: _Candidates, f0: F64, scale: F64, method: str, eps: float) -> Array:
    """The elements where a smaller step would still help (truncation above roundoff) and the estimated
    error is well above (REFINE_FACTOR×) what the textbook step gives a function varying on the scale
    max(1, |x|): eps^(2/3) relative for central, eps^(4/5) for Richardson."""
    good = REFINE_FACTOR * eps ** (0.8 if method == "richardson" else 2.0 / 3.0)
    with np.errstate(all="ignore"):
        good_enough = c.errors[-1] <= good * (np.abs(c.values[-1]) + np.abs(f0) / scale)
    return np.flatnonzero((c.trunc > c.rounding) & ~good_enough)


def _elementwise(
    f: Callable[[Array], Any], arr: Array, method: str, levels: int, ulps: float
) -> _Elementwise:
    """The numerical derivative of an elementwise f at every element of arr, with its estimated error."""
    if levels < 3:
        raise ValueError(f"levels: expected at least 3, got {levels}")
    shape = arr.shape
    flat = arr.reshape(-1)
    f0_raw = _values(f, arr)
    u_f = _unit_roundoff(f0_raw.dtype) if f0_raw.dtype.kind == "f" else _unit_roundoff(arr.dtype)
    f0 = f0_raw.reshape(-1).astype(np.float64, copy=False)
    scale = _scale(flat)
    xabs = np.abs(flat.astype(np.float64, copy=False))
    eps = float(np.finfo(arr.dtype).eps)
    ladder_method = "richardson" if method == "richardson" else "central"
    steps = _ladder(ladder_method, levels, eps)
    rnd = _Roundoff(u_f, ulps)
    first = 3 if ladder_method == "richardson" else 2  # the rungs that give one candidate
    fp, fm, hp, hm = _rung_values(f, flat, shape, steps[:first], scale)
    c = _candidates(fp, fm, hp, hm, ladder_method, rnd, xabs)
    est = _estimate_from(fp, fm, f0, hp, hm, rnd, c)
    n_eval = 2 * first + 1
    idx = _needs_more_rungs(c, f0, scale, ladder_method, eps)
    if levels > first and idx.size:
        known = (fp[first - 1, idx], fm[first - 1, idx])
        more = _subset_rung_values(f, flat, shape, steps[first - 1 :], scale, idx, known, rnd)
        fp, fm, hp, hm = (np.concatenate([a[: first - 1, idx], b]) for a, b in zip((fp, fm, hp, hm), more))
        sub = _estimate(fp, fm, f0[idx], hp, hm, ladder_method, rnd, xabs[idx])
        for name in _ESTIMATE_FIELDS:
            getattr(est, name)[idx] = getattr(sub, name)
        n_eval = 2 * levels + 1
    if method != "complex":
        return _Elementwise(est.value, est.error, est, f0, scale, xabs, n_eval)

    h = COMPLEX_STEP[arr.dtype] * scale
    z: Array = flat.astype(np.complex128 if arr.dtype == np.float64 else np.complex64)
    z = z + 1j * h.astype(arr.dtype)
    out = _complex_values(f, z.reshape(shape)).reshape(-1)
    h_used = h.astype(arr.dtype).astype(np.float64)
    cs = out.imag.astype(np.float64) / h_used
    cs_error = _complex_error(cs, f0, scale, h_used, out.dtype, u_f, ulps)
    cs_error += ulps * u_f * xabs * est.curvature  # rounding x, as in _compare
    agree_bound = BOUND_SAFETY * (est.error + cs_error)
    bad = ~(np.abs(cs - est.value) <= agree_bound)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _complex_refusal(i, shape, float(cs[i]), est, i, float(agree_bound[i]), "element")
    return _Elementwise(cs, cs_error, est, f0, scale, xabs, n_eval + 1)


def elementwise_derivative(
    f: Callable[[Array], Any], x: Any, method: str = "central", *, levels: int = 7, ulps: float = 8.0
) -> tuple[F64, F64]:
    """The numerical derivative f′(x) of an elementwise f at every element and its estimated error (C15).

    The same numbers `check_elementwise` compares against; both arrays are float64 of x's shape.
    """
    arr = _check_args(method, "full", x)
    num = _elementwise(f, arr, method, levels, ulps)
    return num.value.reshape(arr.shape), num.error.reshape(arr.shape)


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
    arr = _check_args(method, "full", x)
    claimed_raw = np.asarray(df(arr))
    if claimed_raw.shape != arr.shape:
        raise ValueError(f"df: expected an array of shape {arr.shape}, got {claimed_raw.shape}")
    claimed = claimed_raw.reshape(-1).astype(np.float64, copy=False)
    u_c = _unit_roundoff(claimed_raw.dtype) if claimed_raw.dtype.kind == "f" else _unit_roundoff(arr.dtype)
    num = _elementwise(f, arr, method, levels, ulps)
    xcurv = num.xabs * num.est.curvature
    err, bound = _compare(num.value, num.error, claimed, num.f0, num.scale, u_c, ulps, xcurv)
    return _result(err, bound, num.value, claimed, num.est, arr.shape, method, "full", num.n_evaluations)


# --- scalar functions of an array -------------------------------------------------------------------------


def _scalar(f: Callable[[Array], Any], x: Array) -> Any:
    value = f(x)
    out = np.asarray(value)
    if out.size != 1:
        raise ValueError(f"f: expected a scalar (a loss), got an array of shape {out.shape}")
    return out.reshape(())[()]


def check_gradient(
    f: Callable[[Array], Any],
    x: Any,
    grad: Any,
    method: str = "central",
    mode: str = "full",
    *,
    directions: int = 3,
    levels: int | None = None,
    seed: int = 0,
    ulps: float = 8.0,
) -> GradcheckResult:
    """Check grad = ∂f/∂x for a scalar f of an array x against finite differences (C15).

    mode="full": every element, 2·levels·x.size + 7 calls of f (levels 2 for "central", 3 for "richardson";
    x.size + 13 for "complex"). mode="fast": `directions` seeded random directions w (±1 per element, scaled
    by the power of two nearest max(1, |x_i|)), comparing ⟨grad, w⟩ with the derivative of f along w:
    2·levels (levels 3) calls per direction + 7 (+1 per direction for "complex"), whatever the size.
    f is called with fresh arrays (complex ones for "complex") and must return a scalar.
    """
    arr = _check_args(method, mode, x)
    g = np.asarray(grad)
    if g.shape != arr.shape:
        raise ValueError(f"grad: expected shape {arr.shape} like x, got {g.shape}")
    u_c = _unit_roundoff(g.dtype) if g.dtype.kind == "f" else _unit_roundoff(arr.dtype)
    ladder_method = "richardson" if method == "richardson" else "central"
    k = levels if levels is not None else (3 if method == "richardson" or mode == "fast" else 2)
    if k < (3 if ladder_method == "richardson" else 2):
        raise ValueError(f"levels: expected at least {3 if ladder_method == 'richardson' else 2}, got {k}")
    if directions < 1:
        raise ValueError(f"directions: expected at least 1, got {directions}")
    f0_raw = np.asarray(_scalar(f, arr.copy()))
    f0 = float(f0_raw)
    if not math.isfinite(f0):
        raise ValueError(f"f: expected a finite value at x, got {f0}")
    u_f = _unit_roundoff(f0_raw.dtype) if f0_raw.dtype.kind == "f" else _unit_roundoff(arr.dtype)
    flat = arr.reshape(-1)
    noise = _noise(f, arr, flat, f0, seed)
    ctx = _Context(f, arr, flat, g.reshape(-1).astype(np.float64), f0, _Roundoff(u_f, ulps, noise), u_c, ulps)
    steps = _ladder(ladder_method, k, float(np.finfo(arr.dtype).eps))
    if mode == "full":
        return _gradient_full(ctx, steps, method)
    return _gradient_fast(ctx, steps, method, _directions(flat, directions, seed))


@dataclass
class _Context:
    f: Callable[[Array], Any]
    arr: Array
    flat: Array
    grad: F64
    f0: float
    rnd: _Roundoff
    u_c: float
    ulps: float

    def at(self, flat: Array) -> float:
        return float(_scalar(self.f, flat.reshape(self.arr.shape)))

    def complex_at(self, z: Array) -> complex:
        return complex(_complex_values(self.f, z.reshape(self.arr.shape)).reshape(()))


NOISE_POINTS = 6  # the noise probe evaluates f at x + j·δ·w for j = 1 … NOISE_POINTS
NOISE_STEP_EXPONENT = 0.58  # δ = eps^0.58·max(1, |x|) as a power of two: 2⁻³⁰ in float64, 2⁻¹³ in float32


def _noise(f: Callable[[Array], Any], arr: Array, flat: Array, f0: float, seed: int) -> float:
    """The rounding noise of f near x, measured (after Moré & Wild's ECnoise) from the k-th differences
    (k = 4, 5, 6) of f on the 7 equally spaced points x + j·δ·w, j = 0 … 6, along a random direction w.
    δ = 2⁻³⁰·max(1, |x|) (2⁻¹³ in float32) is millions of ulps of x, so rounding patterns change, while the
    smooth part of a 4th difference, ~δ⁴f⁗ ≈ 1e-36·f⁗ (1e-16 in float32), vanishes: what remains is noise,
    whose standard deviation is RMS(Δᵏf)/√C(2k, k). One-sided, so that a kink at x itself (relu at 0) does
    not pass for noise. This catches the cancellation in a sum such as a loss, whose rounding error follows
    its terms (u·Σ|terms|), not its value (u·|f|). 6 evaluations of f."""
    delta = 2.0 ** round(NOISE_STEP_EXPONENT * math.log2(float(np.finfo(arr.dtype).eps)))
    w = _directions(flat, 1, seed + 7919)[0] * delta
    values = [f0]
    for j in range(1, NOISE_POINTS + 1):
        values.append(float(_scalar(f, (flat + (j * w).astype(arr.dtype)).reshape(arr.shape))))
    v = np.asarray(values)
    if not np.all(np.isfinite(v)):
        return 0.0
    sigmas = [math.sqrt(float(np.mean(np.diff(v, k) ** 2)) / math.comb(2 * k, k)) for k in range(4, 7)]
    return max(sigmas)


def _gradient_full(ctx: _Context, steps: list[float], method: str) -> GradcheckResult:
    flat, n, levels = ctx.flat, ctx.flat.size, len(steps)
    scale = _scale(flat)
    f0s = np.full(n, ctx.f0)
    if method == "complex":
        h = COMPLEX_STEP[ctx.arr.dtype] * scale
        ctype = np.complex128 if ctx.arr.dtype == np.float64 else np.complex64
        cs = np.empty(n)
        zwork = flat.astype(ctype)
        for i in range(n):
            zwork[i] = flat[i] + 1j * h[i]
            cs[i] = ctx.complex_at(zwork.copy()).imag / h[i]
            zwork[i] = flat[i]
        cs_error = _complex_error(cs, f0s, scale, h, np.dtype(ctype), ctx.rnd.u, ctx.ulps)
        n_guard = _complex_direction_guard(ctx, cs)
        err, bound = _compare(cs, cs_error, ctx.grad, f0s, scale, ctx.u_c, ctx.ulps)
        return _result(err, bound, cs, ctx.grad, None, ctx.arr.shape, method, "full", n + n_guard + 7)

    xp, xm, hp, hm = _exact_steps(flat, steps, scale)
    fp = np.empty((levels, n))
    fm = np.empty((levels, n))
    work = flat.copy()
    for i in range(n):
        for lvl in range(levels):
            work[i] = xp[lvl, i]
            fp[lvl, i] = ctx.at(work.copy())
            work[i] = xm[lvl, i]
            fm[lvl, i] = ctx.at(work.copy())
        work[i] = flat[i]
    est = _estimate(fp, fm, f0s, hp, hm, method, ctx.rnd, np.abs(flat.astype(np.float64)))
    xcurv = np.abs(flat.astype(np.float64)) * est.curvature
    err, bound = _compare(est.value, est.error, ctx.grad, f0s, scale, ctx.u_c, ctx.ulps, xcurv)
    n_eval = 2 * levels * n + 7
    return _result(err, bound, est.value, ctx.grad, est, ctx.arr.shape, method, "full", n_eval)


def _directions(flat: Array, count: int, seed: int) -> F64:
    """Random ±1 directions (count, n), each element scaled by the power of two nearest max(1, |x_i|)."""
    rng = np.random.default_rng(seed)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(count, flat.size))
    pow2 = np.exp2(np.round(np.log2(_scale(flat))))
    return signs * pow2[None, :]


def _directional(ctx: _Context, w: F64, steps: list[float], method: str) -> _Estimate:
    """The derivative of f along each direction w (rows) from f(x ± t_k·w) on the ladder t_k."""
    levels, m = len(steps), w.shape[0]
    fp = np.empty((levels, m))
    fm = np.empty((levels, m))
    for j in range(m):
        for lvl, step in enumerate(steps):
            d = (step * w[j]).astype(ctx.arr.dtype)  # powers of two: exact, and so is x ± d (nearly always)
            fp[lvl, j] = ctx.at(ctx.flat + d)
            fm[lvl, j] = ctx.at(ctx.flat - d)
    t = np.repeat(np.asarray(steps, dtype=np.float64)[:, None], m, axis=1)
    return _estimate(fp, fm, np.full(m, ctx.f0), t, t.copy(), method, ctx.rnd)


def _complex_direction_guard(ctx: _Context, cs: F64) -> int:
    """Refuse the complex step when ⟨cs, w⟩ disagrees with a central directional derivative along a random
    w; returns the number of evaluations of f it used."""
    w = _directions(ctx.flat, 1, seed=12345)
    est = _directional(ctx, w, _ladder("central", 3, float(np.finfo(ctx.arr.dtype).eps)), "central")
    along = float(cs @ w[0])
    cs_err = ctx.ulps * ctx.rnd.u * float(np.abs(cs) @ np.abs(w[0]))
    bound = BOUND_SAFETY * (float(est.error[0]) + cs_err)
    if not abs(along - float(est.value[0])) <= bound:
        raise _complex_refusal(0, (1,), along, est, 0, bound, "random direction")
    return 6


def _gradient_fast(ctx: _Context, steps: list[float], method: str, w: F64) -> GradcheckResult:
    m = w.shape[0]
    claimed = w @ ctx.grad
    claimed_err = ctx.ulps * ctx.u_c * (np.abs(w) @ np.abs(ctx.grad))
    ones = np.ones(m)
    f0s = np.full(m, ctx.f0)
    ladder_method = "richardson" if method == "richardson" else "central"
    est = _directional(ctx, w, steps, ladder_method)
    n_eval = 2 * len(steps) * m + 7
    if method != "complex":
        err, bound = _compare(est.value, est.error, claimed, f0s, ones, ctx.u_c, ctx.ulps)
        return _result(err, bound + claimed_err, est.value, claimed, est, (m,), method, "fast", n_eval)

    h = COMPLEX_STEP[ctx.arr.dtype]
    ctype = np.complex128 if ctx.arr.dtype == np.float64 else np.complex64
    cs = np.array(
        [ctx.complex_at(ctx.flat.astype(ctype) + 1j * (h * w[j]).astype(ctx.arr.dtype)) for j in range(m)]
    )
    cs = cs.imag / h
    cs_error = _complex_error(cs, f0s, ones, np.full(m, h), np.dtype(ctype), ctx.rnd.u, ctx.ulps)
    agree = BOUND_SAFETY * (est.error + cs_error)
    bad = ~(np.abs(cs - est.value) <= agree)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise _complex_refusal(j, (m,), float(cs[j]), est, j, float(agree[j]), "random direction")
    err, bound = _compare(cs, cs_error, claimed, f0s, ones, ctx.u_c, ctx.ulps)
    return _result(err, bound + claimed_err, cs, claimed, None, (m,), method, "fast", n_eval + m)


# --- raising forms for tests ------------------------------------------------------------------------------


def _raise_unless(result: GradcheckResult, name: str) -> GradcheckResult:
    if result.passed:
        return result
    bad = result.failed_kinks
    if bad:
        k = bad[0]
        raise AssertionError(
            f"{name}: at kink {k.index} the claimed value {k.claimed:.17g} lies outside the one-sided "
            f"derivatives {k.left:.17g} (left) and {k.right:.17g} (right)\n{result.summary()}"
        )
    raise AssertionError(
        f"{name}: at {result.index} the numerical derivative is {result.numerical:.17g} but the claimed "
        f"value is {result.claimed:.17g}: error {result.abs_error:.3g} (relative {result.rel_error:.3g}) "
        f"exceeds the bound {result.bound:.3g}\n{result.summary()}"
    )


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
    return _raise_unless(check_elementwise(f, df, x, method, levels=levels, ulps=ulps), name)


def assert_gradient(
    f: Callable[[Array], Any],
    x: Any,
    grad: Any,
    method: str = "central",
    mode: str = "full",
    *,
    directions: int = 3,
    levels: int | None = None,
    seed: int = 0,
    ulps: float = 8.0,
    name: str = "gradient",
) -> GradcheckResult:
    """`check_gradient` raising AssertionError (index, both values, error, bound) on failure (C15)."""
    result = check_gradient(
        f, x, grad, method, mode, directions=directions, levels=levels, seed=seed, ulps=ulps
    )
    return _raise_unless(result, name)
