"""The finite-difference estimators of handmlp.gradcheck (C15) pinned to docs/gradcheck.md: the step ladder,
the exact steps, the central and Richardson differences with their error estimates, the best rung, the
one-sided derivatives and the kink test, the complex step, and which elements go down the ladder.

`Reference` writes the method out element by element as the document states it, in Python floats; the
checker's vectorised numbers must be the same bits (IEEE arithmetic is exact per element, and the
reference does the operations in the same order), so that every constant, index and term is pinned, not
only the verdicts the other tests look at. NumPy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from handmlp.gradcheck import (
    assert_elementwise,
    check_elementwise,
    elementwise,
    elementwise_derivative,
    estimator,
)

Fn = Callable[[Any], Any]

ULPS = 8.0  # the documented default of `ulps`
RATIO = 4.0  # the step ratio between rungs
SAFETY = 2.0  # BOUND_SAFETY: the bound is twice the estimated error
REFINE = 32.0  # rungs below the first candidate only where the error exceeds this × the textbook optimum's
KINK_FACTOR = 8.0  # a kink's one-sided disagreement stands this far above its roundoff
LEVELS = 7  # the documented default of `levels`


def rungs(method: str, dtype: Any, levels: int = LEVELS) -> list[float]:
    """h_k / max(1, |x|): eps^(1/3) (eps^(1/5) for Richardson) to the nearest power of two, ×4 once, ÷4 on."""
    eps = float(np.finfo(dtype).eps)
    first = 2.0 ** round(math.log2(eps ** (1 / 5 if method == "richardson" else 1 / 3)))
    return [first * RATIO ** (1 - k) for k in range(levels)]


@dataclass
class Estimate:
    """One element's estimate from its first n rungs, as docs/gradcheck.md defines it."""

    values: list[float]  # the candidates
    errors: list[float]  # their estimated errors
    truncation: float  # of the last candidate
    rounding: float
    value: float = math.nan  # the best candidate
    error: float = math.nan
    left: float = math.nan  # one-sided derivatives at its finest rung
    right: float = math.nan
    curvature: float = math.nan
    kink: bool = False
    side_error: float = math.nan


@dataclass
class Reference:
    """f on the ladder around one element xi, f evaluated on 1-element arrays of `dtype`, the rest in Python
    floats: D(h) = (f(x+h) − f(x−h))/(h₊ + h₋) with the exact steps h₊ = (x+h) − x, h₋ = x − (x−h)."""

    f: Fn
    xi: float
    method: str
    dtype: Any = np.float64
    levels: int = LEVELS
    conditioned: bool = True  # whether rounding x counts (elementwise: yes; a gradient: no)
    plus: list[float] = field(default_factory=list)
    minus: list[float] = field(default_factory=list)
    h_plus: list[float] = field(default_factory=list)
    h_minus: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        x = np.asarray([self.xi], dtype=self.dtype)
        out = np.asarray(self.f(x))  # u is the unit roundoff of f's values, of x's dtype if not floats
        self.u = float(np.finfo(out.dtype if out.dtype.kind == "f" else self.dtype).eps) / 2
        self.scale = max(1.0, abs(float(x[0])))
        self.x_abs = abs(float(x[0]))
        self.f0 = self.at(x)
        for rung in rungs(self.method, self.dtype, self.levels):
            h = np.asarray([rung * self.scale]).astype(self.dtype)
            x_plus, x_minus = x + h, x - h
            self.plus.append(self.at(x_plus))
            self.minus.append(self.at(x_minus))
            self.h_plus.append(float((x_plus - x)[0]))
            self.h_minus.append(float((x - x_minus)[0]))

    def at(self, point: Any) -> float:
        return float(self.f(point)[0])

    @property
    def first(self) -> int:
        """The rungs that give the first candidate."""
        return 3 if self.method == "richardson" else 2

    def x_rounding(self, slope: float) -> float:
        """ulps·u·|x·f′|, f′ ≈ the difference: what rounding x costs f (0 for a gradient)."""
        return (ULPS * self.u) * self.x_abs * abs(slope) if self.conditioned else 0.0

    def estimate(self, n: int) -> Estimate:
        """Truncation |D(h_{k−1}) − D(h_k)|/3 (Richardson: of R_k = (16·D_k − D_{k−1})/15), roundoff
        (ulps·u·(|f₊| + |f₋|) + 2·ulps·u·|x·D|)/(h₊ + h₋), the candidate with the smallest sum, and at its
        rung the one-sided derivatives and the kink test."""
        plus, minus, h_plus, h_minus = self.plus, self.minus, self.h_plus, self.h_minus
        two_h = [h_plus[k] + h_minus[k] for k in range(n)]
        d = [(plus[k] - minus[k]) / two_h[k] for k in range(n)]
        slope, rounding = (
            list(d),
            [
                (abs(plus[k]) * (ULPS * self.u) + abs(minus[k]) * (ULPS * self.u) + 2 * self.x_rounding(d[k]))
                / two_h[k]
                for k in range(n)
            ],
        )
        if self.method == "richardson":
            r = RATIO * RATIO
            slope = [(r * slope[k] - slope[k - 1]) / (r - 1) for k in range(1, n)]
            rounding = [(r * rounding[k] + rounding[k - 1]) / (r - 1) for k in range(1, n)]
        truncation = [abs(slope[k - 1] - slope[k]) / (RATIO - 1) for k in range(1, len(slope))]
        errors = [t + r if math.isfinite(t + r) else math.inf for t, r in zip(truncation, rounding[1:])]
        est = Estimate(slope[1:], errors, truncation[-1], rounding[-1])
        best = min(range(len(errors)), key=lambda c: (errors[c], c))
        est.value, est.error = est.values[best], errors[best]
        rung = best + self.first - 1  # the finest rung the best candidate uses
        f0 = self.f0
        est.right, est.left = (plus[rung] - f0) / h_plus[rung], (f0 - minus[rung]) / h_minus[rung]
        coarse_right = (plus[rung - 1] - f0) / h_plus[rung - 1]
        coarse_left = (f0 - minus[rung - 1]) / h_minus[rung - 1]
        est.curvature = 2.0 * abs(est.right - est.left) / (h_plus[rung] + h_minus[rung])
        disagreement, coarse = est.right - est.left, coarse_right - coarse_left
        if coarse != 0 and disagreement / coarse > 0.5:  # it has not shrunk with the step
            x_rounding = self.x_rounding(d[rung])
            e_plus, e0, e_minus = (
                abs(v) * (ULPS * self.u) + x_rounding for v in (plus[rung], f0, minus[rung])
            )
            side_rounding = (e_plus + 2 * e0 + e_minus) / min(h_plus[rung], h_minus[rung])
            est.kink = abs(disagreement) > KINK_FACTOR * side_rounding
            est.side_error = side_rounding + abs(est.right - coarse_right) + abs(est.left - coarse_left)
        return est

    def goes_down_the_ladder(self) -> bool:
        """Truncation above roundoff and the error above 32·eps^(2/3) (eps^(4/5)) of the value's scale."""
        est = self.estimate(self.first)
        eps = float(np.finfo(self.dtype).eps)  # of x: the textbook step's error is relative to x's precision
        good = REFINE * eps ** (0.8 if self.method == "richardson" else 2 / 3)
        good_enough = est.errors[-1] <= good * (abs(est.values[-1]) + abs(self.f0) / self.scale)
        return est.truncation > est.rounding and not good_enough

    def derivative(self) -> Estimate:
        """What the elementwise checker uses: the first rungs, or all of them where they are needed."""
        refine = self.levels > self.first and self.goes_down_the_ladder()
        return self.estimate(self.levels if refine else self.first)


def cube(z: Any) -> Any:
    return z**3


def relu(z: Any) -> Any:
    return np.maximum(z, 0.0)


def x_abs_x(z: Any) -> Any:
    return z * np.abs(z)


def relu_to_three_halves(z: Any) -> Any:
    """max(x, 0)^(3/2): differentiable at 0 (f′ = 0); its one-sided disagreement √h halves per rung."""
    return np.maximum(z, 0.0) ** 1.5


# Smooth, flat near 0 (x³: goes down the ladder), kinked (relu, |x|), f″ jumping (x·|x|), a one-sided
# disagreement that exactly halves per rung (max(x, 0)^1.5 at 0: not a kink). x: both signs, 0, a point a
# step off a kink, |x| > 1 where the steps scale with |x|, all within exp's range in float32 too.
FUNCTIONS: dict[str, Fn] = {
    "sin": np.sin,
    "exp": np.exp,
    "cube": cube,
    "relu": relu,
    "abs": np.abs,
    "x|x|": x_abs_x,
    "relu^1.5": relu_to_three_halves,
}
POINTS = [-3.0, -1e-3, -2e-5, 0.0, 1e-12, 2e-5, 0.5, 1.0, 7.25, 80.0]
DTYPES = [np.float64, np.float32]
METHODS = ["central", "richardson"]


# --- the ladder and its steps -------------------------------------------------------------------------------


def test_unit_roundoff_is_half_the_machine_epsilon_of_the_dtype() -> None:
    assert estimator.unit_roundoff(np.float64) == 2.0**-53
    assert estimator.unit_roundoff(np.dtype(np.float32)) == 2.0**-24


@pytest.mark.parametrize(
    ("method", "dtype", "first"),
    [
        ("central", np.float64, -17),
        ("richardson", np.float64, -10),
        ("central", np.float32, -8),
        ("richardson", np.float32, -5),
    ],
)
def test_ladder_starts_one_rung_above_the_power_of_two_nearest_eps_to_a_third_or_fifth(
    method: str, dtype: Any, first: int
) -> None:
    """eps^(1/3) = 2^(−52/3) ≈ 2^−17.3 in float64, eps^(1/5) ≈ 2^−10.4; float32: 2^−7.7 and 2^−4.6."""
    steps = estimator.ladder(method, 7, float(np.finfo(dtype).eps))
    assert steps == [2.0 ** (first + 2 - 2 * k) for k in range(7)] == rungs(method, dtype)
    assert estimator.ladder(method, 3, float(np.finfo(dtype).eps)) == steps[:3]


def test_scale_is_max_of_one_and_abs_x_in_float64() -> None:
    x = np.array([-3.5, -1.0, -0.25, 0.0, 0.75, 2.0], dtype=np.float32)
    scale = estimator.scale_of(x)
    assert scale.dtype == np.float64 and scale.tolist() == [3.5, 1.0, 1.0, 1.0, 1.0, 2.0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_steps_are_made_exact_in_the_dtype_of_x(dtype: Any) -> None:
    """x ± h computed in x's dtype; h₊ = (x + h) − x and h₋ = x − (x − h), exact, as float64 (K, n)."""
    x = np.array([-7.3, -0.1, 0.0, 0.3, 1.7, 123.456], dtype=dtype)
    steps = rungs("central", dtype, 4)
    scale = estimator.scale_of(x)
    x_plus, x_minus, h_plus, h_minus = estimator.exact_steps(x, steps, scale)
    assert x_plus.shape == x_minus.shape == h_plus.shape == h_minus.shape == (4, 6)
    assert x_plus.dtype == x_minus.dtype == dtype and h_plus.dtype == h_minus.dtype == np.float64
    for k, rung in enumerate(steps):
        h = (rung * scale).astype(dtype)
        assert np.array_equal(x_plus[k], x + h) and np.array_equal(x_minus[k], x - h)
        assert np.array_equal(h_plus[k], (x_plus[k] - x).astype(np.float64))
        assert np.array_equal(h_minus[k], (x - x_minus[k]).astype(np.float64))
    assert np.all(h_plus > 0) and np.all(h_minus > 0)
    if dtype == np.float32:  # h is rounded to float32 before x ± h: half the least subnormal rounds to 0
        tiny = np.array([np.finfo(dtype).smallest_subnormal], dtype=dtype)
        x_plus, x_minus, h_plus, _ = estimator.exact_steps(tiny, [float(tiny[0]) / 2], np.ones(1))
        assert x_plus[0, 0] == x_minus[0, 0] == tiny[0] and h_plus[0, 0] == 0


def test_roundoff_of_a_value_is_ulps_u_times_it_or_four_noise_levels_when_larger() -> None:
    values = np.array([-3.0, 0.0, 1e-3, 2.0])
    assert np.array_equal(estimator.Roundoff(2.0**-53, 8.0).of(values), np.abs(values) * 2.0**-50)
    noisy = estimator.Roundoff(2.0**-53, 8.0, noise=2.0**-60).of(values)
    assert np.array_equal(noisy, np.maximum(np.abs(values) * 2.0**-50, 4 * 2.0**-60))
    assert noisy[1] == 2.0**-58 and noisy[0] == 3 * 2.0**-50


# --- the estimate -------------------------------------------------------------------------------------------


def _samples(f: Fn, x: np.ndarray, method: str) -> estimator.Samples:
    """f on the whole default ladder at every element of x, as the estimator takes it."""
    x_plus, x_minus, h_plus, h_minus = estimator.exact_steps(x, rungs(method, x.dtype), estimator.scale_of(x))
    f_plus = np.array([f(row) for row in x_plus], dtype=np.float64)
    f_minus = np.array([f(row) for row in x_minus], dtype=np.float64)
    return estimator.Samples(f_plus, f_minus, f(x).astype(np.float64), h_plus, h_minus)


def _same(actual: Any, expected: list[float]) -> bool:
    """Bit-for-bit equal, NaN where NaN."""
    return bool(np.array_equal(np.asarray(actual, dtype=np.float64), expected, equal_nan=True))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("conditioned", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_estimate_on_the_whole_ladder_is_the_documented_one_field_by_field(
    name: str, method: str, dtype: Any, conditioned: bool
) -> None:
    f = FUNCTIONS[name]
    x = np.array(POINTS, dtype=dtype)
    samples = _samples(f, x, method)
    x_abs = np.abs(x.astype(np.float64)) if conditioned else None
    roundoff = estimator.Roundoff(estimator.unit_roundoff(dtype), ULPS)
    got = estimator.estimate(samples, method, roundoff, x_abs)
    refs = [Reference(f, float(xi), method, dtype, conditioned=conditioned).estimate(LEVELS) for xi in x]
    for field_name in ("value", "error", "left", "right", "curvature", "side_error"):
        assert getattr(got, field_name).dtype == np.float64, field_name
        assert _same(getattr(got, field_name), [getattr(r, field_name) for r in refs]), field_name
    assert got.kink.tolist() == [r.kink for r in refs]


# --- the elementwise checker: which rungs, which bound ------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_elementwise_derivative_is_the_documented_estimator_bit_for_bit(
    name: str, method: str, dtype: Any
) -> None:
    """The first rungs everywhere, all 7 only where the first leave truncation above roundoff and an error
    above 32× the textbook optimum's: value and error per element, and the evaluations of f that took."""
    f = FUNCTIONS[name]
    x = np.array(POINTS, dtype=dtype).reshape(2, 5)
    value, error = elementwise_derivative(f, x, method)
    refs = [Reference(f, float(xi), method, dtype) for xi in x.reshape(-1)]
    estimates = [r.derivative() for r in refs]
    assert value.shape == error.shape == x.shape and value.dtype == error.dtype == np.float64
    assert _same(value.reshape(-1), [e.value for e in estimates])
    assert _same(error.reshape(-1), [e.error for e in estimates])
    refined = any(r.goes_down_the_ladder() for r in refs)
    first = 3 if method == "richardson" else 2
    evaluations = 2 * (LEVELS if refined else first) + 1
    assert check_elementwise(f, lambda z: np.zeros_like(z), x, method).n_evaluations == evaluations


def quintic(z: Any) -> Any:
    return z**5


def quintic_derivative(z: Any) -> Any:
    return 5 * z**4


def test_the_roundoff_of_f_is_that_of_the_dtype_f_returns_or_of_x_for_integers() -> None:
    """f computing in float64 from float32 x rounds like float64; integer values like x's floats."""
    x = np.array([-0.75, 0.0, 0.5, 3.0], dtype=np.float32)
    functions: dict[str, Fn] = {
        "float64": lambda z: np.sin(z.astype(np.float64)),
        "int64": lambda z: np.floor(z).astype(np.int64) + 7,
        "bool": lambda z: z > -1,
    }
    for name, f in functions.items():
        for method in METHODS:
            value, error = elementwise_derivative(f, x, method)
            estimates = [Reference(f, float(xi), method, np.float32).derivative() for xi in x]
            assert _same(value, [e.value for e in estimates]), (name, method)
            assert _same(error, [e.error for e in estimates]), (name, method)
    assert Reference(functions["float64"], 0.5, "central", np.float32).u == 2.0**-53
    assert Reference(functions["int64"], 0.5, "central", np.float32).u == 2.0**-24


@pytest.mark.parametrize(("method", "f"), [("central", cube), ("richardson", quintic)])
def test_the_ladder_is_gone_down_where_documented_and_only_there(method: str, f: Fn) -> None:
    """f′ → 0 near 0 (x³; x⁵ for Richardson, exact on x³) needs the whole ladder, sin at 1 does not; at
    `levels` rungs the elements that go down it cost 2·levels + 1 evaluations."""
    assert all(Reference(f, xi, method).goes_down_the_ladder() for xi in (1e-3, -2e-5, 0.0))
    assert not any(Reference(g, 1.0, method).goes_down_the_ladder() for g in (np.sin, f))
    x = np.array([1e-3, 1.0])
    first = 3 if method == "richardson" else 2
    assert check_elementwise(np.sin, np.cos, x, method).n_evaluations == 2 * first + 1
    for levels in (3, 4, 5):
        result = check_elementwise(f, lambda z: np.zeros_like(z), x, method, levels=levels)
        assert result.n_evaluations == 2 * max(levels, first) + 1
        value, error = elementwise_derivative(f, x, method, levels=levels)
        estimates = [Reference(f, xi, method, levels=levels).derivative() for xi in x]
        assert _same(value, [e.value for e in estimates]) and _same(error, [e.error for e in estimates])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_kinks_reported_are_the_documented_ones_with_their_one_sided_derivatives(
    name: str, method: str, dtype: Any
) -> None:
    f = FUNCTIONS[name]
    x = np.array(POINTS, dtype=dtype)
    result = check_elementwise(f, lambda z: np.zeros_like(z), x, method)
    estimates = [Reference(f, float(xi), method, dtype).derivative() for xi in x]
    expected = [(i, e.left, e.right) for i, e in enumerate(estimates) if e.kink]
    assert [(k.index[0], k.left, k.right) for k in result.kinks] == expected
    if name in ("relu", "abs"):  # at 0 and a step off it (and ±2e-5 too where steps are larger than that)
        assert {3, 4} <= {i for i, _, _ in expected}


def returning(values: np.ndarray) -> Fn:
    """A claimed derivative that returns these values."""
    return lambda z: values.copy()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("dtype", "claimed_dtype"),
    [
        (np.float64, np.float64),
        (np.float32, np.float32),
        (np.float64, np.float32),
        (np.float32, np.float64),
        (np.float64, np.int64),
    ],
)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["sin", "exp", "cube", "x|x|"])
def test_every_elements_bound_is_twice_the_error_plus_the_claimed_values_own_rounding(
    name: str, method: str, dtype: Any, claimed_dtype: Any
) -> None:
    """2·error + ulps·u_c·(|claimed| + |f(x)|/max(1, |x|) + |x·f″|), u_c of the claimed values' dtype (of
    x's when they are integers), f″ ≈ 2·|right − left|/(h₊ + h₋): checked one element at a time."""
    f = FUNCTIONS[name]
    u_c = estimator.unit_roundoff(dtype if claimed_dtype == np.int64 else claimed_dtype)
    for xi in np.array(POINTS, dtype=dtype):
        reference = Reference(f, float(xi), method, dtype)
        est = reference.derivative()
        if est.kink:  # reported, not compared (x·|x| a step off 0: its one-sided differences differ by 4x)
            continue
        claimed = np.array([0 if claimed_dtype == np.int64 else est.value], dtype=claimed_dtype)
        result = check_elementwise(f, returning(claimed), np.array([xi]), method)
        c = float(claimed[0])
        own = ULPS * u_c * (abs(c) + abs(reference.f0) / reference.scale + reference.x_abs * est.curvature)
        assert result.bound == SAFETY * est.error + own, xi
        assert result.abs_error == abs(est.value - c) and result.numerical == est.value


# --- the complex step ---------------------------------------------------------------------------------------


def complex_reference(f: Fn, xi: float, dtype: Any) -> tuple[float, float, float]:
    """Im f(x + ih)/h with h = 10⁻²⁰·max(1, |x|) (10⁻¹⁰ in float32) rounded to x's dtype; its error
    ulps·u·(|f′| + |f|/max(1, |x|)) + ulps·(smallest subnormal)/h + ulps·u·|x·f″| + its truncation h²·|f‴|/6,
    bounded by (h/h_min)²·(central error), h_min the finest step of the ladder; and the central estimate's
    error, which with it makes the guard: they must agree within 2·(sum of both errors)."""
    reference = Reference(f, xi, "central", dtype)
    central = reference.derivative()
    h = float(np.asarray(1e-20 if dtype == np.float64 else 1e-10, dtype=dtype) * reference.scale)
    h = float(np.asarray(h, dtype=dtype))
    ctype = np.complex128 if dtype == np.float64 else np.complex64
    z: np.ndarray = np.asarray([xi], dtype=ctype)
    z = z + 1j * np.asarray([h], dtype=dtype)
    value = float(np.asarray(f(z)).imag.astype(np.float64)[0]) / h
    u = reference.u
    tiny = float(np.finfo(ctype).smallest_subnormal)
    error = ULPS * u * (abs(value) + abs(reference.f0) / reference.scale) + ULPS * tiny / h
    error += ULPS * u * reference.x_abs * central.curvature
    truncation = (h / (rungs("central", dtype)[-1] * reference.scale)) ** 2 * central.error
    return value, error + (truncation if math.isfinite(truncation) else 0.0), central.error


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sin", "exp", "cube"])
def test_complex_step_is_im_f_of_x_plus_ih_over_h_in_one_more_call(name: str, dtype: Any) -> None:
    f = FUNCTIONS[name]
    x = np.array(POINTS, dtype=dtype)
    value, _ = elementwise_derivative(f, x, "complex")
    assert _same(value, [complex_reference(f, float(xi), dtype)[0] for xi in x])
    central = check_elementwise(f, lambda z: np.zeros_like(z), x).n_evaluations
    assert check_elementwise(f, lambda z: np.zeros_like(z), x, "complex").n_evaluations == central + 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sin", "exp", "cube"])
def test_complex_step_error_is_the_documented_one(name: str, dtype: Any) -> None:
    f = FUNCTIONS[name]
    x = np.array(POINTS, dtype=dtype)
    _, error = elementwise_derivative(f, x, "complex")
    assert _same(error, [complex_reference(f, float(xi), dtype)[1] for xi in x])


@pytest.mark.parametrize("dtype", DTYPES)
def test_complex_step_passes_x_cubed_where_f_and_its_derivative_vanish(dtype: Any) -> None:
    """Im (ih)³/h = −h² at 0: the complex step's truncation h²·f‴/6 is all its error there, and its error
    estimate must cover it (it once counted only roundoff, 10⁻¹⁵ of that, and failed 3x² at 0)."""
    x = np.linspace(-1, 1, 201).astype(dtype)  # holds 0
    assert_elementwise(cube, lambda z: 3 * z**2, x, "complex")
    value, error = elementwise_derivative(cube, np.array([0.0, 1e-30], dtype=dtype), "complex")
    assert np.all(value != 0) and np.all(np.abs(value) <= error)
    assert not check_elementwise(
        cube, lambda z: 3 * z**2 * (1 + 1e-6), np.array([0.0, 1e-3, 1.0]), "complex"
    ).passed


@pytest.mark.parametrize("dtype", DTYPES)
def test_complex_step_of_the_zero_function_has_the_subnormal_spacing_over_h_as_its_error(dtype: Any) -> None:
    """f = 0: Im f(x + ih) = 0 and all that is left of the error is ulps·(smallest subnormal of x's
    precision)/h, the resolution of Im f near 0 (5e-324 in float64, 1e-45 in float32)."""
    x = np.array([0.0, 0.5, 3.0], dtype=dtype)
    value, error = elementwise_derivative(lambda z: 0 * z, x, "complex")
    h = (1e-20 if dtype == np.float64 else 1e-10) * np.maximum(1.0, np.abs(x.astype(np.float64)))
    h = h.astype(dtype).astype(np.float64)
    assert np.all(value == 0) and np.array_equal(error, ULPS * float(np.finfo(dtype).smallest_subnormal) / h)


@pytest.mark.parametrize(("dtype", "ctype"), [(np.float64, np.complex128), (np.float32, np.complex64)])
def test_complex_step_calls_f_once_on_a_complex_array_of_x_shape_and_dtype(dtype: Any, ctype: Any) -> None:
    calls: list[tuple[tuple[int, ...], Any]] = []

    def sin(z: np.ndarray) -> np.ndarray:
        calls.append((z.shape, z.dtype))
        return np.sin(z)

    assert_elementwise(sin, np.cos, FLAT_AT_FOUR.astype(dtype), "complex")
    assert calls == [(WHOLE, dtype)] * 5 + [(WHOLE, ctype)]


def _sin_off_by(offset: float) -> Fn:
    """sin, whose complex-step derivative is off by `offset` (Im f(x + ih) gains offset·h)."""
    return lambda z: np.sin(z) + 1j * offset * z.imag if np.iscomplexobj(z) else np.sin(z)


@pytest.mark.parametrize("xi", [-3.0, 0.5, 7.25])
def test_complex_step_is_refused_just_past_twice_the_sum_of_both_errors_and_kept_just_within(
    xi: float,
) -> None:
    _, error, central_error = complex_reference(np.sin, xi, np.float64)
    agreement = SAFETY * (central_error + error)
    x = np.array([xi])
    kept = elementwise_derivative(_sin_off_by(0.9 * agreement), x, "complex")
    assert kept[0][0] == pytest.approx(np.cos(xi) + 0.9 * agreement, abs=error)
    with pytest.raises(ValueError, match=r"complex step refused: at element \(0,\)"):
        elementwise_derivative(_sin_off_by(1.1 * agreement), x, "complex")


# --- where f is evaluated down the ladder -------------------------------------------------------------------


class Recorded:
    """z**power (times `factor` on arrays of another shape than `shape`), recording every call's shape."""

    def __init__(self, shape: tuple[int, ...], factor: float = 1.0, power: int = 3) -> None:
        self.shape, self.factor, self.power = shape, factor, power
        self.shapes: list[tuple[int, ...]] = []

    def __call__(self, z: Any) -> Any:
        self.shapes.append(z.shape)
        return z**self.power if z.shape == self.shape else self.factor * z**self.power


# x³ is flat at the 4 elements near 0 (they go down the ladder), steep at the 8 others
FLAT_AT_FOUR = np.array([[1e-3, 1.0, 2.0, -2e-5], [1.5, 0.0, -1.0, 3.0], [-2.0, 2.5, 3e-4, -1.5]])
ALONE, WHOLE = (4, 1), FLAT_AT_FOUR.shape


def test_elements_down_the_ladder_are_evaluated_alone_shaped_m_by_1_six_rungs_each_side() -> None:
    f = Recorded(WHOLE)
    value, _ = elementwise_derivative(f, FLAT_AT_FOUR)
    assert f.shapes == [WHOLE] * 5 + [ALONE] * 12
    assert np.array_equal(value, elementwise_derivative(cube, FLAT_AT_FOUR)[0])
    f = Recorded(WHOLE, power=5)  # goes down the ladder with Richardson too, but at levels=3 has no rung left
    elementwise_derivative(f, FLAT_AT_FOUR, "richardson", levels=4)
    assert f.shapes == [WHOLE] * 7 + [ALONE] * 4
    f.shapes.clear()
    elementwise_derivative(f, FLAT_AT_FOUR, "richardson", levels=3)
    assert f.shapes == [WHOLE] * 7


@pytest.mark.parametrize(
    ("factor", "reproduces"),
    [
        (1 + 4 * 2.0**-53, True),
        (1 + 12 * 2.0**-53, True),
        (1 + 20 * 2.0**-53, False),
        (-1.0, False),
        (np.nan, False),
    ],
)
def test_elements_alone_are_kept_only_where_f_reproduces_its_values_to_ulps_u_of_both(
    factor: float, reproduces: bool
) -> None:
    """Values alone within ulps·u·(|alone| + |whole|) of those on the whole of x (16u relative at ulps = 8)
    are f's own rounding: kept. Further off, f depends on more than its element: whole copies, per side."""
    f = Recorded(WHOLE, factor)
    value, _ = elementwise_derivative(f, FLAT_AT_FOUR)
    if reproduces:
        assert f.shapes == [WHOLE] * 5 + [ALONE] * 12
    else:
        assert f.shapes == [WHOLE] * 5 + ([ALONE] * 6 + [WHOLE] * 6) * 2
        assert np.array_equal(value, elementwise_derivative(cube, FLAT_AT_FOUR)[0])


def test_an_f_that_refuses_another_shape_is_evaluated_on_whole_copies_after_one_attempt() -> None:
    shapes: list[tuple[int, ...]] = []

    def rigid(z: np.ndarray) -> np.ndarray:
        shapes.append(z.shape)
        return z.reshape(WHOLE) ** 3

    value, _ = elementwise_derivative(rigid, FLAT_AT_FOUR)
    assert shapes == [WHOLE] * 5 + ([ALONE] + [WHOLE] * 6) * 2
    assert np.array_equal(value, elementwise_derivative(cube, FLAT_AT_FOUR)[0])


# --- the entry points' defaults and the options they pass on ------------------------------------------------


def test_elementwise_entry_points_default_to_central_seven_rungs_eight_ulps() -> None:
    x = FLAT_AT_FOUR  # four elements go down the ladder: `levels` shows in the evaluations
    explicit = check_elementwise(cube, lambda z: 3 * z**2, x, "central", levels=LEVELS, ulps=ULPS)
    assert check_elementwise(cube, lambda z: 3 * z**2, x) == explicit
    assert assert_elementwise(cube, lambda z: 3 * z**2, x) == explicit
    assert explicit.method == "central" and explicit.n_evaluations == 2 * LEVELS + 1
    value, error = elementwise_derivative(cube, x)
    explicit_value, explicit_error = elementwise_derivative(cube, x, "central", levels=LEVELS, ulps=ULPS)
    assert np.array_equal(value, explicit_value) and np.array_equal(error, explicit_error)
    with pytest.raises(AssertionError, match=r"^derivative: at \(0, 1\)"):
        assert_elementwise(cube, lambda z: 3 * z**2 + (z == 1.0), x)
    # sin's worst bound counts roundoff, ulps·u·|f|: `ulps` shows in it (x³'s worst, at 0, is all truncation)
    explicit = check_elementwise(np.sin, np.cos, x, "central", levels=LEVELS, ulps=ULPS)
    assert explicit.bound != check_elementwise(np.sin, np.cos, x, ulps=ULPS + 1).bound
    assert check_elementwise(np.sin, np.cos, x) == explicit == assert_elementwise(np.sin, np.cos, x)


@pytest.mark.parametrize(("method", "levels", "ulps"), [("richardson", 4, 80.0), ("complex", 3, 2.0)])
def test_assert_elementwise_checks_with_the_method_levels_and_ulps_it_is_given(
    method: str, levels: int, ulps: float
) -> None:
    f, df = quintic, quintic_derivative
    x = FLAT_AT_FOUR + 1e-4  # four elements still go down the ladder
    checked = check_elementwise(f, df, x, method, levels=levels, ulps=ulps)
    assert assert_elementwise(f, df, x, method, levels=levels, ulps=ulps, name="q") == checked
    assert checked.method == method and checked.n_evaluations == 2 * levels + 1 + (method == "complex")
    assert checked.index is not None
    value, _ = elementwise_derivative(f, x, method, levels=levels, ulps=ulps)
    assert (
        checked.numerical == value[checked.index] and checked.abs_error == abs(value - df(x))[checked.index]
    )


# --- edge cases: nothing to check, and floating-point exceptions raised -------------------------------------


@pytest.mark.parametrize("shape", [(0,), (0, 3)])
def test_an_empty_x_is_checked_with_nothing_to_compare_and_passes(shape: tuple[int, ...]) -> None:
    x = np.zeros(shape)
    result = check_elementwise(np.sin, np.cos, x)
    assert result.passed and result.n_checked == 0 and result.index is None and result.n_evaluations == 5
    value, error = elementwise_derivative(np.sin, x, "richardson")
    assert value.shape == error.shape == shape


@pytest.mark.parametrize(
    ("method", "rungs_given"),
    [("central", 2), ("central", 3), ("central", 7), ("richardson", 3), ("richardson", 7)],
)
def test_an_estimate_over_no_elements_is_empty_whatever_the_rungs(method: str, rungs_given: int) -> None:
    """One candidate or several, no element to pick a best rung for: empty fields, not an IndexError."""
    empty = np.zeros((rungs_given, 0))
    samples = estimator.Samples(empty, empty.copy(), np.zeros(0), empty + 1.0, empty + 1.0)
    est = estimator.estimate(samples, method, estimator.Roundoff(2.0**-53, ULPS), np.zeros(0))
    assert all(getattr(est, name).shape == (0,) for name in estimator.ESTIMATE_FIELDS)


def quiet_exp(z: Any) -> Any:
    """exp, overflowing to inf without a floating-point exception of its own."""
    with np.errstate(over="ignore"):
        return np.exp(z)


@pytest.mark.parametrize("method", ["central", "richardson", "complex"])
def test_the_checker_raises_no_floating_point_exception_of_its_own(method: str) -> None:
    """Under np.errstate(all="raise"): f overflowing beside x (inf − inf, inf/inf in the differences), a kink
    at 0 and one 1e-300 from it (subnormal one-sided differences), x³ going down the ladder."""
    with np.errstate(all="raise"):
        overflow = check_elementwise(quiet_exp, quiet_exp, np.array([709.78, 1.0, 0.0]), method)
        assert not overflow.passed and overflow.index == (0,) and overflow.n_failed == 1
        if method != "complex":  # relu is not analytic: refused
            kinked = check_elementwise(relu, lambda z: (z > 0) * 1.0, np.array([0.0, 1e-300, -1.0]), method)
            assert kinked.passed and [k.index for k in kinked.kinks] == [(0,), (1,)]
        assert_elementwise(cube, lambda z: 3 * z**2, FLAT_AT_FOUR + 1e-4, method)


@pytest.mark.parametrize("method", METHODS)
def test_the_numerical_derivative_of_values_near_the_float64_limit_raises_no_exception(method: str) -> None:
    """1.5e308·sin: |f′| + |f| exceeds the largest float64 in the test for going down the ladder, which must
    not raise under np.errstate(all="raise"); the derivative is the documented one (finite for central, ±inf
    for Richardson, whose 16·D(h/4) overflows)."""
    x = np.array([0.8, 2.0])
    with np.errstate(all="raise"):
        value, error = elementwise_derivative(huge_sin, x, method)
    estimates = [Reference(huge_sin, xi, method).derivative() for xi in x]
    assert _same(value, [e.value for e in estimates]) and _same(error, [e.error for e in estimates])
    assert np.all(np.isfinite(value)) == (method == "central")


def huge_sin(z: Any) -> Any:
    return 1.5e308 * np.sin(z)


# --- the thresholds at their boundaries, on samples made by hand --------------------------------------------


def _hand_made(right: tuple[float, float], left: tuple[float, float]) -> estimator.Samples:
    """Two rungs h = 4 and 1 at x with f(x) = 0 and the given one-sided differences (coarser rung first)."""
    h = np.array([[4.0], [1.0]])
    f_plus = np.array([[right[0] * 4.0], [right[1]]])
    f_minus = np.array([[-left[0] * 4.0], [-left[1]]])
    return estimator.Samples(f_plus, f_minus, np.zeros(1), h, h.copy())


@pytest.mark.parametrize(
    ("right", "steady"), [((1.0, 0.5), False), ((1.0, 0.5 + 2.0**-52), True), ((1.0, 2.0), True)]
)
def test_a_disagreement_that_keeps_more_than_half_its_size_is_steady(
    right: tuple[float, float], steady: bool
) -> None:
    """right − left at the finer rung over that at the coarser: above ½ (a kink keeps it; a smooth f's shrinks
    4×): then the one-sided derivatives get an error estimate (NaN elsewhere) and the kink test."""
    est = estimator.estimate(_hand_made(right, (0.0, 0.0)), "central", estimator.Roundoff(2.0**-53, ULPS))
    assert bool(np.isfinite(est.side_error[0])) == steady
    assert bool(est.kink[0]) == steady  # roundoff 8u·|f| is far below these disagreements


@pytest.mark.parametrize(("ulps", "kink"), [(1.0 / 8, False), (1.0 / 8 - 2.0**-10, True)])
def test_a_kink_stands_strictly_more_than_eight_times_its_roundoff_above_it(ulps: float, kink: bool) -> None:
    """One-sided differences 1 and 0 at both rungs, f(x + h) = 1 at h = 1: roundoff ulps·u·(|f₊| + 2|f₀| +
    |f₋|)/h = ulps·u, and with u = 1 the disagreement 1 is exactly 8× it at ulps = 1/8: not a kink."""
    est = estimator.estimate(_hand_made((1.0, 1.0), (0.0, 0.0)), "central", estimator.Roundoff(1.0, ulps))
    assert bool(est.kink[0]) == kink and est.side_error[0] == ulps * 1.0


def test_values_alone_within_exactly_ulps_u_of_both_still_reproduce() -> None:
    """|3 − 1| = ulps·u·(|3| + |1|) at ulps·u = ½: the bound is inclusive; NaN reproduces only NaN."""
    roundoff = estimator.Roundoff(0.5, 1.0)
    assert elementwise._reproduces(np.array([3.0, np.nan]), np.array([1.0, np.nan]), roundoff)
    assert not elementwise._reproduces(np.array([3.0 + 2.0**-50]), np.array([1.0]), roundoff)
    assert not elementwise._reproduces(np.array([np.nan]), np.array([1.0]), roundoff)
    assert not elementwise._reproduces(np.array([1.0]), np.array([np.nan]), roundoff)


def _one_candidate(error: float, truncation: float, rounding: float) -> estimator.Candidates:
    """One element, one candidate of value 1 with the given error and its parts (f(x) = 0, |x| ≤ 1)."""
    one = np.ones((1, 1))
    return estimator.Candidates(
        one, np.full((1, 1), error), np.full(1, truncation), np.full(1, rounding), 1, one, None
    )


@pytest.mark.parametrize("method", METHODS)
def test_an_element_goes_down_the_ladder_only_above_32_times_the_textbook_error_and_with_truncation_ahead(
    method: str,
) -> None:
    """The textbook step leaves an error of eps^(2/3) (eps^(4/5) for Richardson) of the value's scale |f′| +
    |f|/max(1, |x|): exactly 32× that is good enough; so is truncation that merely equals roundoff."""
    eps = float(np.finfo(np.float64).eps)
    good = REFINE * eps ** (0.8 if method == "richardson" else 2 / 3)  # × the scale, 1 here
    zero, one = np.zeros(1), np.ones(1)

    def needs(error: float, truncation: float, rounding: float) -> bool:
        cands = _one_candidate(error, truncation, rounding)
        return elementwise._needs_more_rungs(cands, zero, one, method, eps).tolist() == [0]

    assert not needs(good, good, 0.0) and needs(good * (1 + eps), good, 0.0)
    assert not needs(1.0, 0.5, 0.5) and needs(1.0, 0.5 + eps, 0.5 - eps)
