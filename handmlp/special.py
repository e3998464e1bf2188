"""Special functions NumPy lacks, vectorised: the error function, the logistic function, and the Taylor
series of the soft exponential's helpers, each at the accuracy its docstring states (tests/test_special.py
checks each against an independent reference, Python's `math` and `decimal`, over wide ranges).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]

__all__ = [
    "ULPS",
    "erf",
    "expm1_over_x",
    "expm1_over_x_derivative",
    "horner",
    "logistic",
    "neg_log1m_over_x",
    "neg_log1m_over_x_derivative",
    "series_split",
]

# The accuracy each function's docstring claims, in units in the last place (ulps) of the exact result in
# the result's dtype wherever that result is finite; tests/test_special.py pins each from both sides.
ULPS: dict[str, float] = {
    "erf": 8.0,
    "logistic": 3.0,
    "expm1_over_x": 2.0,
    "expm1_over_x_derivative": 8.0,
    "neg_log1m_over_x": 2.0,
    "neg_log1m_over_x_derivative": 48.0,  # the closed form cancels 40-fold just past its switch at |s| = 0.1
}

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_ONE_OVER_SQRT_PI = 1.0 / math.sqrt(math.pi)
_SERIES_TERMS = 90  # enough for |t| < 3 in float64: the last term is below 2^-60 of the sum
_FRACTION_TERMS = 60  # enough for the continued fraction of erfc at t ≥ 3


def erf(x: NDArray[np.floating]) -> NDArray[np.floating]:
    """erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, within 8 ulps, computed in float64 and returned in x's dtype.

    For |x| < 3 the series of positive terms erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿx^(2n+1) / (1·3···(2n+1))
    (Abramowitz & Stegun 7.1.6) has no cancellation; for |x| ≥ 3, erf(x) = 1 − erfc(x) with erfc from its
    continued fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (A&S 7.1.14).
    """
    x = np.asarray(x)
    t = np.abs(x.astype(np.float64))
    small = t < 3.0
    ts = np.where(small, t, 0.0)
    two_t2 = 2.0 * ts * ts
    nested = np.ones_like(ts)  # Horner form: 1 + 2t²/3·(1 + 2t²/5·(1 + …)), innermost term first
    for n in range(_SERIES_TERMS, 0, -1):
        nested = 1.0 + two_t2 / (2 * n + 1) * nested
    total = ts * nested
    # e^(−t²) underflows to 0 only where erf's series side is not taken or erfc is below u: benign.
    with np.errstate(under="ignore"):
        series = _TWO_OVER_SQRT_PI * np.exp(-ts * ts) * total
        tl = np.where(small, 3.0, np.minimum(t, 27.0))  # erfc(27) underflows: erf is exactly 1 beyond it
        fraction = tl.copy()
        for k in range(_FRACTION_TERMS, 0, -1):
            fraction = tl + (k / 2.0) / fraction
        erfc_large = _ONE_OVER_SQRT_PI * np.exp(-tl * tl) / fraction
    result = np.where(small, series, 1.0 - erfc_large)
    return (np.sign(x) * result).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)


def _logistic(x: Array) -> Array:
    """σ(x) = 1/(1 + e^(−x)) (C3), within 3 ulps in x's dtype, with no overflow in either tail.

    Computed as written, in one array: e^(−x), then 1 + e^(−x), then its reciprocal, in place (a training
    step calls this on every sigmoid layer). σ(0) = 1/2 exactly. Where e^(−x) overflows (x below −709 in
    float64, −88 in float32) this gives 0, yet σ(x) ≈ e^x may still be a subnormal number: those elements
    are recomputed as e^x/(1 + e^x). A complex x (a complex step) takes −x or x by the sign of the real
    part, so the exponential never exceeds 1 in modulus; both forms are analytic.
    """
    x = np.asarray(x)
    # −x in an integer dtype wraps (unsigned: every x > 0; signed: the minimum); timedelta64 is not taken
    if x.dtype.kind in ("i", "u"):
        x = x.astype(np.float64)
    if x.dtype.kind == "c":
        upper = x.real >= 0
        e = np.exp(np.where(upper, -x, x))
        return np.where(upper, 1, e) / (1 + e)
    sigma = np.empty_like(x)  # one fresh array of x's dtype: e^(−x), 1 + e^(−x), its reciprocal, in place
    np.exp(np.negative(x, out=sigma), out=sigma)
    np.add(sigma, 1, out=sigma)
    np.divide(1, sigma, out=sigma)
    # 0 only where 1 + e^(−x) overflowed; fmin skips NaN, and a min is the fastest look NumPy has
    if sigma.size and np.fmin.reduce(sigma, axis=None) == 0:
        tail = sigma == 0
        e = np.exp(x[tail])
        sigma[tail] = e / (1 + e)
    return sigma if sigma.ndim else sigma[()]


# Overflow of e^(−x) is the deep negative tail handled inside; underflow gives σ = 1 or a subnormal σ.
# errstate wraps the function rather than a `with` block inside it: half the cost, on every sigmoid layer
# (and not the @ form, which would hide the function from mutation testing: see docs/mutation.md).
logistic = np.errstate(over="ignore", under="ignore")(_logistic)
logistic.__name__ = logistic.__qualname__ = "logistic"


# --- the soft exponential's helpers (C14): Taylor series where the closed forms cancel -----------------


def horner(coefficients: tuple[float, ...], t: Array) -> Array:
    """Σₙ cₙ·tⁿ by Horner's rule, coefficients lowest power first."""
    total = np.full_like(t, coefficients[-1])
    for c in coefficients[-2::-1]:
        total = total * t + c
    return total


# Taylor coefficients, lowest power first; each series is used only inside its switch, where 16 or more
# terms leave the truncation below u. NumPy's complex expm1 and log1p cancel too, so the series also keeps
# a complex step accurate.
_EXPM1_OVER_X_SERIES = tuple(1.0 / math.factorial(n + 1) for n in range(16))  # |t| < 1/2
_EXPM1_OVER_X_DERIVATIVE_SERIES = tuple((n - 1) / math.factorial(n) for n in range(2, 18))  # |t| < 1/2
_NEG_LOG1M_OVER_X_SERIES = tuple(1.0 / (n + 1) for n in range(18))  # |s| < 1/10
_NEG_LOG1M_OVER_X_DERIVATIVE_SERIES = tuple((n - 1) / n for n in range(2, 20))  # |s| < 1/10
_EXP_SWITCH, _LOG_SWITCH = 0.5, 0.1


def series_split(x: Array, switch: float) -> tuple[NDArray[np.bool_], Array, Array]:
    """Where |x| < switch (the Taylor series' side), x there (0 elsewhere), and x elsewhere (the switch
    there): both sides of np.where are computed, so each gets arguments it handles."""
    small = np.abs(x) < switch
    return small, np.where(small, x, 0.0), np.where(small, switch, x)


def expm1_over_x(t: Array) -> Array:
    """(eᵗ − 1)/t, 1 at t = 0; within 2 ulps."""
    small, ts, tl = series_split(t, _EXP_SWITCH)
    return np.where(small, horner(_EXPM1_OVER_X_SERIES, ts), np.expm1(tl) / tl)


def expm1_over_x_derivative(t: Array) -> Array:
    """d/dt (eᵗ − 1)/t = (t·eᵗ − (eᵗ − 1))/t², ½ at t = 0; within 8 ulps."""
    small, ts, tl = series_split(t, _EXP_SWITCH)
    closed = (tl * np.exp(tl) - np.expm1(tl)) / (tl * tl)
    return np.where(small, horner(_EXPM1_OVER_X_DERIVATIVE_SERIES, ts), closed)


def neg_log1m_over_x(s: Array) -> Array:
    """−ln(1 − s)/s, 1 at s = 0 (NaN for s > 1, the log of a negative number); within 2 ulps for s < 1."""
    small, ss, sl = series_split(s, _LOG_SWITCH)
    return np.where(small, horner(_NEG_LOG1M_OVER_X_SERIES, ss), -np.log1p(-sl) / sl)


def neg_log1m_over_x_derivative(s: Array) -> Array:
    """d/ds (−ln(1 − s)/s) = (s/(1 − s) + ln(1 − s))/s², ½ at s = 0; within 48 ulps for s < 1."""
    small, ss, sl = series_split(s, _LOG_SWITCH)
    closed = (sl / (1.0 - sl) + np.log1p(-sl)) / (sl * sl)
    return np.where(small, horner(_NEG_LOG1M_OVER_X_DERIVATIVE_SERIES, ss), closed)
