"""Every special function of handmlp.special against an independent reference (Python's `math.erf`, and
`decimal` at 120 digits for the logistic and the series helpers) over wide ranges, at exactly the accuracy
its docstring claims (`special.ULPS`); each claim pinned from the other side by a planted error one ulp
beyond it."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import pytest

from handmlp import special

Reference = Callable[[Decimal], Decimal]


def _decimal(reference: Reference, xs: np.ndarray) -> np.ndarray:
    with localcontext() as ctx:
        ctx.prec = 120
        return np.array([float(reference(Decimal(float(v)))) for v in xs])


def _ulps(got: np.ndarray, exact: np.ndarray, dtype: Any) -> np.ndarray:
    """|got − exact| in units of the last place of `exact` rounded to `dtype` (subnormal spacing below λ)."""
    rounded = np.abs(exact.astype(dtype))
    spacing = np.spacing(rounded).astype(np.float64)
    return np.abs(got.astype(np.float64) - exact) / spacing


def _assert_within_claim(name: str, got: np.ndarray, exact: np.ndarray, xs: np.ndarray, dtype: Any) -> None:
    claim = special.ULPS[name]
    ulps = _ulps(got, exact, dtype)
    worst = int(np.argmax(ulps))
    assert ulps[worst] <= claim, (
        f"{name}({xs[worst]!r}) = {got[worst]!r}, exact {exact[worst]!r}: {ulps[worst]:.3g} ulps > {claim}"
    )
    # The other side of the claim: the same result moved one ulp beyond it must be caught.
    direction = np.where(got.astype(np.float64) >= exact, 1.0, -1.0)
    planted = got.astype(np.float64) + direction * (claim + 1) * np.spacing(np.abs(exact.astype(dtype)))
    assert np.max(_ulps(planted, exact, dtype)) > claim


def _spread(low: float, high: float, n: int, seed: int) -> np.ndarray:
    """Logarithmically spread magnitudes in [10^low, 10^high], both signs, and uniform draws within ±30."""
    rng = np.random.default_rng(seed)
    magnitudes = np.logspace(low, high, n)
    return np.concatenate([-magnitudes, [0.0], magnitudes, rng.uniform(-30, 30, n)])


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_erf_within_its_claim_of_math_erf(dtype: Any) -> None:
    xs = np.concatenate(
        [_spread(-300 if dtype == np.float64 else -37, 1.5, 1500, 0), np.linspace(-6, 6, 2401)]
    )
    xs = xs.astype(dtype)
    exact = np.array([math.erf(float(v)) for v in xs])
    got = special.erf(xs)
    assert got.dtype == dtype
    _assert_within_claim("erf", got, exact, xs, dtype)


def test_erf_is_odd_and_saturates_exactly() -> None:
    x = np.array([0.0, 1e-300, 3.0, 27.0, 1e300])
    assert np.array_equal(special.erf(-x), -special.erf(x))
    assert special.erf(np.array([0.0]))[0] == 0.0 and special.erf(np.array([27.0, 1e300]))[0] == 1.0


def _logistic(x: Decimal) -> Decimal:
    return 1 / (1 + (-x).exp())


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_logistic_within_its_claim_in_both_tails(dtype: Any) -> None:
    """Over ±1000 and down to subnormal inputs; exact σ below the smallest subnormal rounds to 0."""
    xs = np.concatenate(
        [_spread(-300 if dtype == np.float64 else -44, 3, 1500, 1), [-1000.0, 1000.0]]
    ).astype(dtype)
    exact = _decimal(_logistic, xs)
    with np.errstate(under="ignore"):
        got = special.logistic(xs)
    assert got.dtype == dtype and np.all(np.isfinite(got))
    _assert_within_claim("logistic", got, exact, xs, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_logistic_recomputes_its_deep_tail_beside_a_nan(dtype: Any) -> None:
    """The look for overflowed elements skips NaN: σ(−720) (float64) or σ(−95) (float32) is e^x, a
    subnormal number, not 0, even when a NaN shares the array (a min that propagated NaN would miss it)."""
    deep = -720.0 if dtype == np.float64 else -95.0
    alone = special.logistic(np.array([deep], dtype))
    beside = special.logistic(np.array([np.nan, deep, np.nan], dtype))
    assert alone[0] > 0 and np.isnan(beside[0]) and np.isnan(beside[2])
    assert beside[1] == alone[0] == dtype(math.exp(deep))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_logistic_of_an_empty_batch_is_an_empty_array_of_its_shape_and_dtype(dtype: Any) -> None:
    """No element, so no look for overflowed ones (a min over nothing has no value and would raise)."""
    got = special.logistic(np.zeros((0, 3), dtype))
    assert got.shape == (0, 3) and got.dtype == dtype


def test_logistic_converts_integers_but_not_time_deltas() -> None:
    """Integers become float64 (−x would wrap); timedelta64, which NumPy files under its integers, is not a
    number here and stays refused."""
    assert special.logistic(np.array([1, 255], np.uint8))[0] == special.logistic(np.array([1.0]))[0]
    with pytest.raises(TypeError):
        special.logistic(np.array([1], "m8[s]"))


def test_logistic_ignores_its_own_overflow_and_restores_the_callers_error_state() -> None:
    """e^(−x) overflows for x = −1000 by design: no FloatingPointError under errstate(all="raise"), and the
    caller's error state is the same after the call (logistic is wrapped by errstate)."""
    with np.errstate(all="raise"):
        before = np.geterr()
        got = special.logistic(np.array([-1000.0, 0.0, 1000.0]))
        assert np.geterr() == before
        with pytest.raises(FloatingPointError):
            np.exp(np.array([1000.0]))
    assert np.array_equal(got, [0.0, 0.5, 1.0])


def test_logistic_at_zero_is_one_half_exactly_and_symmetric_at_the_branch() -> None:
    for dtype in (np.float64, np.float32):
        assert special.logistic(np.zeros(1, dtype))[0] == 0.5
        assert special.logistic(np.array([-0.0], dtype))[0] == 0.5
    x = np.array([1e-17, 1e-300, 5e-324])
    assert np.array_equal(special.logistic(x), np.full(3, 0.5)) and np.array_equal(
        special.logistic(-x), np.full(3, 0.5)
    )


def test_logistic_complex_step_gives_its_derivative() -> None:
    """Both branches are analytic: Im σ(x + ih)/h = σ′(x) within rounding at h = 1e-30 (no cancellation)."""
    x = np.linspace(-40, 40, 161)
    step = special.logistic(x + 1e-30j).imag / 1e-30
    ulps = _ulps(step, _decimal(lambda v: _logistic(v) * (1 - _logistic(v)), x), np.float64)
    assert np.max(ulps) <= 2 * special.ULPS["logistic"] + 2, np.max(ulps)
    _assert_within_claim("logistic", special.logistic(x + 0j).real, _decimal(_logistic, x), x, np.float64)


SERIES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Reference, float]] = {
    "expm1_over_x": (special.expm1_over_x, lambda t: (t.exp() - 1) / t, 30.0),
    "expm1_over_x_derivative": (
        special.expm1_over_x_derivative,
        lambda t: (t * t.exp() - (t.exp() - 1)) / (t * t),
        30.0,
    ),
    "neg_log1m_over_x": (special.neg_log1m_over_x, lambda s: -(1 - s).ln() / s, 0.999),
    "neg_log1m_over_x_derivative": (
        special.neg_log1m_over_x_derivative,
        lambda s: (s / (1 - s) + (1 - s).ln()) / (s * s),
        0.999,
    ),
}


@pytest.mark.parametrize("name", list(SERIES))
def test_series_helper_within_its_claim(name: str) -> None:
    """Both sides of each switch (|t| = 1/2, |s| = 1/10) and far beyond; |x| ≥ 1e-30 (120 digits hold)."""
    fn, reference, high = SERIES[name]
    rng = np.random.default_rng(2)
    near_switch = rng.uniform(-0.6, 0.6, 1000)
    xs = np.concatenate([-np.logspace(-30, 1.47, 800), np.logspace(-30, np.log10(high), 800), near_switch])
    xs = xs[(xs != 0) & (xs <= high)]
    _assert_within_claim(name, fn(xs), _decimal(reference, xs), xs, np.float64)


@pytest.mark.parametrize("name", list(SERIES))
def test_series_helper_at_zero_and_below_1e_30_is_its_constant_term(name: str) -> None:
    fn = SERIES[name][0]
    constant = 0.5 if name.endswith("derivative") else 1.0
    assert np.array_equal(fn(np.array([0.0, 1e-300, -1e-300, 1e-31])), np.full(4, constant))


def test_horner_evaluates_lowest_power_first() -> None:
    assert np.array_equal(special.horner((1.0, 2.0, 3.0), np.array([0.0, 1.0, 2.0])), [1.0, 6.0, 17.0])
