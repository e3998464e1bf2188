"""The gradient checker (handmlp.gradcheck.gradient, C15) pinned where mutation testing found it unpinned:
how many times f is called and what is reported, the defaults and the options `assert_gradient` passes on,
the noise probe (its points and its value), the random directions, the dtypes of f, x and grad, the points
f is evaluated at, the complex step's guard, the terms of the bounds, and the refusals' messages.
docs/gradcheck.md describes each. NumPy only."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp.gradcheck import GradcheckResult, assert_gradient, check_gradient, gradient

METHODS = ["central", "richardson", "complex"]
MODES = ["full", "fast"]

# Elements on both sides of 1.5 in size, so that the directions' entries are ±1, ±2 and ±4.
X = 2 * np.random.default_rng(0).normal(size=(3, 4))
X[0, 0], X[2, 3] = 3.0, -5.5


def loss(v: Any) -> Any:
    """Σ v·sin v, analytic (so the complex step applies)."""
    return np.sum(v * np.sin(v))


def loss_gradient(v: Any) -> Any:
    return np.sin(v) + v * np.cos(v)


G = loss_gradient(X)


class Recorded:
    """f, keeping a copy of every array it is called with."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.calls: list[np.ndarray] = []

    def __call__(self, v: Any) -> Any:
        self.calls.append(np.array(v, copy=True))
        return self.fn(v)


# --- how many times f is called -----------------------------------------------------------------------------


def documented_evaluations(method: str, mode: str, levels: int | None, directions: int, n: int) -> int:
    """The count check_gradient's docstring gives: 2·levels·n + 7 in full mode (levels 2, or 3 for
    Richardson), n + 13 for the complex step; 2·levels·directions + 7 in fast mode (levels 3), plus one
    per direction for the complex step."""
    if mode == "full":
        if method == "complex":
            return n + 13
        rungs = levels if levels is not None else (3 if method == "richardson" else 2)
        return 2 * rungs * n + 7
    rungs = levels if levels is not None else 3
    return 2 * rungs * directions + 7 + (directions if method == "complex" else 0)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
def test_n_evaluations_is_the_number_of_calls_of_f_and_the_documented_count(method: str, mode: str) -> None:
    for levels, directions in ((None, 3), (4, 2)):
        f = Recorded(loss)
        result = check_gradient(f, X, G, method, mode, levels=levels, directions=directions)
        assert result.passed, result.summary()
        expected = documented_evaluations(method, mode, levels, directions, X.size)
        assert result.n_evaluations == len(f.calls) == expected
        assert (result.method, result.mode) == (method, mode)
        assert result.n_checked == (X.size if mode == "full" else directions)


# --- defaults and the options assert_gradient passes on -----------------------------------------------------


def test_check_gradient_defaults_are_central_full_three_directions_seed_0_and_8_ulps() -> None:
    explicit: dict[str, Any] = {"directions": 3, "seed": 0, "ulps": 8.0}
    full = check_gradient(loss, X, G)
    assert full == check_gradient(loss, X, G, "central", "full", levels=2, **explicit)
    fast = check_gradient(loss, X, G, mode="fast")
    assert fast == check_gradient(loss, X, G, "central", "fast", levels=3, **explicit)
    richardson = check_gradient(loss, X, G, "richardson")
    assert richardson == check_gradient(loss, X, G, "richardson", "full", levels=3, **explicit)
    # each default is told apart from its neighbours, so that the equalities above pin it
    assert fast != check_gradient(loss, X, G, mode="fast", seed=1)
    assert full.bound != check_gradient(loss, X, G, ulps=9.0).bound
    assert fast.n_checked == 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
def test_assert_gradient_passes_every_option_on_to_check_gradient(method: str, mode: str) -> None:
    options: dict[str, Any] = {"directions": 5, "levels": 4, "seed": 3, "ulps": 16.0}
    passed = assert_gradient(loss, X, G, method, mode, **options)
    assert isinstance(passed, GradcheckResult)
    assert passed == check_gradient(loss, X, G, method, mode, **options)
    assert assert_gradient(loss, X, G, method, mode) == check_gradient(loss, X, G, method, mode)


def test_assert_gradient_defaults_are_check_gradients() -> None:
    assert assert_gradient(loss, X, G) == check_gradient(loss, X, G, "central", "full", levels=2, seed=0)
    fast = assert_gradient(loss, X, G, mode="fast")
    assert fast == check_gradient(loss, X, G, "central", "fast", directions=3, levels=3, seed=0, ulps=8.0)


def test_assert_gradient_message_calls_it_gradient_unless_named() -> None:
    wrong = G.copy()
    wrong[1, 2] += 1e-3
    with pytest.raises(AssertionError, match=r"^gradient: at \(1, 2\) the numerical derivative is "):
        assert_gradient(loss, X, wrong)


# --- the fewest levels --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_two_levels_suffice_for_central_and_complex_and_three_for_richardson(mode: str) -> None:
    for method, fewest in (("central", 2), ("complex", 2), ("richardson", 3)):
        assert check_gradient(loss, X, G, method, mode, levels=fewest).passed
        with pytest.raises(ValueError, match=rf"^levels: expected an integer ≥ {fewest}, got {fewest - 1}$"):
            check_gradient(loss, X, G, method, mode, levels=fewest - 1)


# --- the noise probe ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dtype", "delta"), [(np.float64, 2.0**-30), (np.float32, 2.0**-13)])
def test_noise_probe_steps_one_way_by_delta_times_the_power_of_two_of_each_scale(
    dtype: type[np.floating[Any]], delta: float
) -> None:
    """f(x) first, then f(x + j·δ·w) for j = 1 … 6 along one direction w of ±1 times the power of two nearest
    max(1, |x_i|) (docs/gradcheck.md: δ = 2⁻³⁰ in float64, 2⁻¹³ in float32)."""
    x = np.array([[0.25, -2.5, 700.0], [-1e-3, 6.0, -40.0]], dtype=dtype)
    f = Recorded(np.sum)
    check_gradient(f, x, np.ones_like(x))
    assert np.array_equal(f.calls[0], x)
    w = (f.calls[1].astype(np.float64) - x) / delta
    assert np.array_equal(np.abs(w), [[1.0, 2.0, 512.0], [1.0, 8.0, 32.0]])
    for j in range(1, 7):
        assert f.calls[j].dtype == dtype and f.calls[j].shape == x.shape
        assert np.array_equal(f.calls[j], x + (j * delta * w).astype(dtype))
    assert not np.array_equal(f.calls[7], x + (7 * delta * w).astype(dtype))  # the ladder starts


def test_noise_level_is_the_largest_rms_of_the_4th_to_6th_differences_over_root_binomial() -> None:
    """f(x) = 1 + ε and f = 1 at the 6 probe points: the k-th difference of that one spike has one nonzero
    value, ±ε, among 7 − k, so σ_k = ε/√((7 − k)·C(2k, k)), the largest for k = 4: ε/√(3·70)."""
    eps = 2.0**-20
    level = gradient.noise_level(lambda v: 1.0, X, 1.0 + eps, 0)
    assert level == math.sqrt(eps**2 / 3 / 70)


def test_noise_level_of_a_probe_that_overflows_is_zero() -> None:
    """A probe that leaves the range of f measures no noise (then nothing is added to the roundoff of f)."""
    level = gradient.noise_level(lambda v: np.inf, X, 1.0, 0)
    assert level == 0.0


# --- the random directions ----------------------------------------------------------------------------------


def test_random_directions_are_plus_or_minus_the_power_of_two_nearest_each_scale() -> None:
    x = np.array([0.2, -0.9, 1.4, -3.0, 5.9, 700.0, -1e6])
    w = gradient.random_directions(x, 64, seed=0)
    nearest = np.array([1.0, 1.0, 1.0, 4.0, 8.0, 512.0, 2.0**20])
    assert w.shape == (64, 7) and w.dtype == np.float64
    assert np.array_equal(np.abs(w), np.broadcast_to(nearest, w.shape))
    assert np.all(np.any(w > 0, axis=0)) and np.all(np.any(w < 0, axis=0))  # both signs in every column
    assert np.array_equal(w, gradient.random_directions(x, 64, seed=0))
    assert not np.array_equal(w, gradient.random_directions(x, 64, seed=1))


# --- dtypes of f, x and grad --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_float32_gradient_of_a_float64_point_is_held_to_float32_roundoff(mode: str) -> None:
    as_float32 = G.astype(np.float32)
    assert check_gradient(loss, X, as_float32, mode=mode).passed
    # the same values as float64 are trusted to float64's roundoff, which their rounding exceeds
    assert not check_gradient(loss, X, as_float32.astype(np.float64), mode=mode).passed


@pytest.mark.parametrize("mode", MODES)
def test_an_integer_gradient_is_held_to_the_roundoff_of_x(mode: str) -> None:
    assert check_gradient(lambda v: np.sum(3 * v), X, np.full(X.shape, 3), mode=mode).passed
    assert not check_gradient(lambda v: np.sum(3 * v), X, np.full(X.shape, 4), mode=mode).passed


@pytest.mark.parametrize("mode", MODES)
def test_a_loss_computed_in_float32_at_a_float64_point_is_held_to_float32_roundoff(mode: str) -> None:
    assert check_gradient(lambda v: np.float32(loss(v)), X, G, mode=mode).passed


@pytest.mark.parametrize("mode", MODES)
def test_a_loss_that_counts_is_held_to_the_roundoff_of_x(mode: str) -> None:
    assert check_gradient(lambda v: np.sum(v > 10.0), X, np.zeros_like(X), mode=mode).passed


@pytest.mark.parametrize("method", METHODS)
def test_a_loss_returned_as_a_1x1_array_is_its_one_number(method: str) -> None:
    a = np.array([[2.0, 0.5], [0.5, 1.0]])
    v0 = np.array([[0.3], [-0.7]])
    quadratic = lambda v: v.T @ a @ v  # noqa: E731  (shape (1, 1))
    for mode in MODES:
        assert check_gradient(quadratic, v0, 2 * a @ v0, method, mode).passed


# --- where f is evaluated: dtype, shape, steps --------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
def test_f_gets_fresh_arrays_of_x_shape_in_x_dtype_or_its_complex_twin(
    method: str, mode: str, dtype: type[np.floating[Any]]
) -> None:
    """docs/gradcheck.md: f is evaluated at the dtype of x (a float32 x is perturbed in float32)."""
    x = X.astype(dtype)
    f = Recorded(loss)
    assert check_gradient(f, x, loss_gradient(x), method, mode).passed
    twin = np.complex64 if dtype == np.float32 else np.complex128
    allowed = {np.dtype(dtype), np.dtype(twin)} if method == "complex" else {np.dtype(dtype)}
    assert {call.dtype for call in f.calls} == allowed
    assert all(call.shape == x.shape for call in f.calls)


FIRST_RUNG = {  # the first rung of the ladder, 4·eps^(1/3) (4·eps^(1/5) for Richardson) as a power of two
    (np.float64, "central"): 2.0**-15,
    (np.float64, "richardson"): 2.0**-8,
    (np.float32, "central"): 2.0**-6,
    (np.float32, "richardson"): 2.0**-3,
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_full_mode_first_moves_element_0_by_the_first_rung_times_its_scale(
    method: str, dtype: type[np.floating[Any]]
) -> None:
    """After f(x) and the 6 points of the noise probe, element 0 (x = 3, exact steps) moves up by
    h₁·max(1, |x|): docs/gradcheck.md's ladder eps^(1/3)·max(1, |x|)·4^(1−k), eps^(1/5) for Richardson."""
    x = X.astype(dtype)
    f = Recorded(loss)
    check_gradient(f, x, loss_gradient(x), method)
    moved = f.calls[7].astype(np.float64) - x
    assert moved[0, 0] == FIRST_RUNG[(dtype, method)] * 3.0
    assert np.count_nonzero(moved) == 1


@pytest.mark.parametrize(("dtype", "h"), [(np.float64, 1e-20), (np.float32, 1e-10)])
def test_the_complex_step_is_i_times_h_times_the_scale_of_the_element(
    dtype: type[np.floating[Any]], h: float
) -> None:
    """docs/gradcheck.md: Im f(x + i·h)/h with h = 10⁻²⁰·max(1, |x|) (10⁻¹⁰ in float32); in fast mode
    x + i·h·w along each direction w."""
    x = X.astype(dtype)
    f = Recorded(loss)
    check_gradient(f, x, loss_gradient(x), "complex")
    step = f.calls[7] - x  # after f(x) and the noise probe: element 0, |x| = 3
    assert step[0, 0] == 1j * dtype(h * 3.0) and np.count_nonzero(step) == 1
    f = Recorded(loss)
    check_gradient(f, x, loss_gradient(x), "complex", "fast", directions=2)
    w = gradient.random_directions(x.reshape(-1), 2, seed=0)
    steps = [call - x for call in f.calls if np.iscomplexobj(call) and np.any(call.imag != 0)]
    assert len(steps) == 2
    for j in range(2):
        assert np.array_equal(steps[j].reshape(-1), 1j * (h * w[j]).astype(dtype))


# --- no warnings, and the accuracy of every method in both modes --------------------------------------------

ACCURACY_LEVEL = {"central": 1e-8, "richardson": 1e-10, "complex": 1e-13}  # as tests/test_gradcheck.py


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
def test_a_smooth_loss_is_checked_without_a_warning_to_its_methods_accuracy(method: str, mode: str) -> None:
    """No warning (a deprecated call, a mean of nothing) and no floating-point error on an ordinary loss;
    and the worst element (direction) reported reaches the accuracy each method is held to."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        result = check_gradient(loss, X, G, method, mode)
    assert result.passed and result.rel_error <= ACCURACY_LEVEL[method]


# --- the complex step's guard -------------------------------------------------------------------------------


def squared_norm_in_the_dtype_of_v(v: Any) -> Any:
    """Σ |v|², cast to v's dtype: complex for a complex v, but with no imaginary part (np.abs is not
    analytic), so its complex step is exactly 0."""
    return np.sum(np.abs(v) ** 2).astype(v.dtype)


@pytest.mark.parametrize("mode", MODES)
def test_the_guard_refuses_a_non_analytic_loss_naming_the_random_direction(mode: str) -> None:
    x = np.linspace(0.3, 2.0, 30)
    with pytest.raises(ValueError) as first:
        check_gradient(squared_norm_in_the_dtype_of_v, x, 2 * x, "complex", mode)
    message = str(first.value)
    assert re.match(
        r"complex step refused: at random direction \(\d,\) it gives 0 but central differences give "
        r"-?\d+\.\d+ \(bound [\d.]+e-\d\d\)\. f is not complex-analytic",
        message,
    ), message
    assert message.startswith("complex step refused: at random direction (0,)") or mode == "fast"
    with pytest.raises(ValueError) as again:  # the guard's direction is seeded: the same message
        check_gradient(squared_norm_in_the_dtype_of_v, x, 2 * x, "complex", mode)
    assert str(again.value) == message
    # v·|v|: its complex step |x| is half the derivative 2|x|, not 0
    with pytest.raises(ValueError, match=r"^complex step refused: at random direction \(\d,\) it gives \d"):
        check_gradient(lambda v: np.sum(v * np.abs(v)), x, 2 * x, "complex", mode)


@pytest.mark.parametrize("mode", MODES)
def test_the_complex_step_passes_a_zero_loss_and_a_linear_one_that_vanishes_at_x(mode: str) -> None:
    """Where central differences are exact (f = 0: no error at all; f linear and 0 at x: the rounding of
    f(x ± t·w) only, below that of ⟨derivative, w⟩'s own terms), the guard still accepts the complex step."""
    x = X.reshape(-1)
    zero = check_gradient(lambda v: 0.0 * np.sum(v * v), x, np.zeros_like(x), "complex", mode)
    assert zero.passed and zero.abs_error == 0.0
    c = np.array([1.0, -1.0, 2.0, -2.0, 0.5, -0.5])
    assert check_gradient(lambda v: np.sum(c * v), np.ones(6), c, "complex", mode).passed


@pytest.mark.parametrize("mode", MODES)
def test_a_float32_derivative_below_what_the_complex_step_resolves_is_not_failed(mode: str) -> None:
    """In float32 h = 10⁻¹⁰, and h·f′ underflows below float32's smallest subnormal (1.4e-45) for |f′| below
    ~1e-35 (complex_step.complex_error: float64's 1e-290, in float32): a claimed 1e-36 where f is flat
    passes, as nothing finer can be told; a claimed 1e-33 fails."""
    x = np.array([0.5, -0.25, 2.0], dtype=np.float32)
    flat = lambda v: np.sum(0 * v)  # noqa: E731
    assert check_gradient(flat, x, np.full(3, 1e-36, dtype=np.float32), "complex", mode).passed
    assert not check_gradient(flat, x, np.full(3, 1e-33, dtype=np.float32), "complex", mode).passed


# --- fast mode ----------------------------------------------------------------------------------------------


def test_one_direction_is_enough_in_fast_mode() -> None:
    result = check_gradient(loss, X, G, mode="fast", directions=1)
    assert result.passed and result.n_checked == 1 and result.index == (0,)


@pytest.mark.parametrize(("mode", "kinks"), [("full", [(0,)]), ("fast", [(0,), (1,), (2,)])])
def test_a_kink_is_reported_and_passes_a_subgradient_in_either_mode(mode: str, kinks: list[Any]) -> None:
    """Σ relu(v) at a point with a 0: in full mode the kink is element (0,); in fast mode every direction
    crosses it. relu′(0) = 0 lies between the one-sided derivatives; 2 lies outside them."""
    x = np.array([0.0, 1.0, -1.0, 0.5])
    relu_sum = lambda v: np.sum(np.maximum(v, 0.0))  # noqa: E731
    result = check_gradient(relu_sum, x, (x > 0).astype(float), mode=mode)
    assert result.passed and [kink.index for kink in result.kinks] == kinks
    outside = np.where(x == 0.0, 2.0, x > 0)
    assert not check_gradient(relu_sum, x, outside, mode=mode).passed


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_a_float32_gradient_is_trusted_to_its_roundoff_over_the_whole_projection(method: str) -> None:
    """docs/gradcheck.md: in fast mode ⟨grad, w⟩ is trusted to ulps·u·⟨|grad|, |w|⟩. Two large entries
    that round to the same float32 cancel along w = ±(1, −1): ⟨grad, w⟩ is then 0 where the exact one is
    ±1e-6, an error of their rounding well within ulps·u₃₂·⟨|grad|, |w|⟩ (about 3e-4) and far above the
    same values' float64 roundoff."""
    a = 1000 / 3
    b = a + 1e-6
    pair = lambda v: a * v[0] + b * v[1]  # noqa: E731
    rounded = np.array([a, b], dtype=np.float32)
    assert rounded[0] == rounded[1]
    assert check_gradient(pair, np.zeros(2), rounded, method, "fast", directions=8).passed
    assert not check_gradient(
        pair, np.zeros(2), rounded.astype(np.float64), method, "fast", directions=8
    ).passed


def test_noise_probe_direction_is_drawn_apart_from_the_checked_directions() -> None:
    """The probe's direction comes from seed + NOISE_SEED_OFFSET, not from the seed of the checked
    directions (so it is not one of them)."""
    for seed in (0, 5):
        f = Recorded(loss)
        check_gradient(f, X, G, mode="fast", seed=seed)
        probe = gradient.random_directions(X.reshape(-1), 1, seed + gradient.NOISE_SEED_OFFSET)[0]
        assert np.array_equal(f.calls[1], X + 2.0**-30 * probe.reshape(X.shape))
        checked = gradient.random_directions(X.reshape(-1), 3, seed)
        assert not any(np.array_equal(probe, w) for w in checked)


@pytest.mark.parametrize("mode", MODES)
def test_an_integer_loss_at_a_float32_point_is_held_to_float32_roundoff(mode: str) -> None:
    """A loss that returns integers (a count) gets the roundoff of x's dtype: the same result as the same
    count returned as float32."""
    x = X.astype(np.float32)

    def count(v: Any) -> Any:
        return np.sum(v > 0.5)

    as_integer = check_gradient(count, x, np.zeros_like(x), mode=mode)
    assert as_integer.passed and as_integer.bound > 0
    assert as_integer == check_gradient(lambda v: np.float32(count(v)), x, np.zeros_like(x), mode=mode)


HUGE = np.full(X.shape, 1e308)  # finite, but ⟨grad, w⟩ and ⟨|grad|, |w|⟩ overflow
BOTH_INFINITIES = np.where(np.arange(X.size).reshape(X.shape) % 2 == 0, np.inf, -np.inf)  # inf − inf: NaN


@pytest.mark.parametrize("grad", [HUGE, BOTH_INFINITIES], ids=["huge", "both-infinities"])
@pytest.mark.parametrize("mode", MODES)
def test_a_gradient_whose_projection_overflows_fails_without_a_floating_point_error(
    mode: str, grad: np.ndarray
) -> None:
    """A gradient that blew up: ⟨grad, w⟩ overflows (or is inf − inf) along the directions. The check fails
    it, and says so in its verdict, not with a RuntimeWarning (an error under np.errstate(all="raise")):
    fast mode computes ⟨|grad|, |w|⟩, which overflows too, under the same errstate as ⟨grad, w⟩."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        result = check_gradient(loss, X, grad, mode=mode)
    assert not result.passed and result.n_failed == result.n_checked


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_a_gradient_computed_from_rounded_products_of_x_is_trusted_to_ulps_of_x_times_f2(method: str) -> None:
    """docs/gradcheck.md: the claimed value is trusted to ulps·u·(|claimed| + |f|/max(1, |x|) + |x·f″|), the
    last term what rounding x inside the derivative's formula costs. ½·a·Σ(v − c)² near c ≈ 1e4 with its
    gradient computed as a·x − a·c: off by ~u·|a·x| (up to 1.4e-13 here), over ten times what the first two
    terms and the numerical error allow, and a fraction of ulps·u·|x·f″| = 8·u·a·|x| (about 1e-12)."""
    a = 0.1
    c = np.array([10000.3, -7000.7, 12345.6])
    x = c + np.array([1e-3, -2e-3, 5e-4])
    quadratic = lambda v: 0.5 * a * np.sum((v - c) ** 2)  # noqa: E731
    expanded = a * x - a * c
    assert np.max(np.abs(expanded - a * (x - c))) > 1e-13
    assert check_gradient(quadratic, x, expanded, method).passed


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_a_loss_that_cancels_is_held_to_the_rounding_of_x_times_its_slope(method: str) -> None:
    """docs/gradcheck.md: each value of f also counts ulps·u·|x·f′|, for an f computed from a rounded
    intermediate of x. Σ (v² − 10⁴) near v = 100 rounds like v² (u·10⁴), not like its value (~1e-5), and
    its probe along w sees no noise: its correct gradient passes only thanks to that term. Only correctly
    rounded operations (v·v, −), so the same on every platform."""
    x = 100.0 + np.array([1e-8, -2e-8, 5e-8])
    assert check_gradient(lambda v: np.sum(v * v - 1e4), x, 2 * x, method).passed


# --- refusals name the argument -----------------------------------------------------------------------------

REFUSALS = [
    ({"mode": "slow"}, ValueError, "mode: expected one of ['full', 'fast'], got 'slow'"),
    ({"directions": 0}, ValueError, "directions: expected an integer ≥ 1, got 0"),
    ({"directions": 2.0}, TypeError, "directions: expected an integer, got float 2.0"),
    ({"seed": -1}, ValueError, "seed: expected an integer ≥ 0, got -1"),
    ({"seed": "1"}, TypeError, "seed: expected an integer, got str '1'"),
    ({"grad": np.ones(4)}, ValueError, "grad: expected shape (3, 4), got (4,)"),
    ({"grad": "G"}, TypeError, "grad: expected real numbers, got str 'G'"),
    ({"f": None}, TypeError, "f: expected a callable, got NoneType None"),
    ({"f": lambda v: v}, ValueError, "f: expected a scalar (a loss), got an array of shape (3, 4)"),
    ({"f": lambda v: "loss"}, TypeError, "f: expected real numbers, got str 'loss'"),
    ({"f": lambda v: np.sum(v) + np.inf}, ValueError, "f: expected a finite value at x, got inf"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("changes", "error", "message"),
    REFUSALS,
    ids=[row[2][: row[2].index(":")] + f"-{i}" for i, row in enumerate(REFUSALS)],
)
def test_each_refusal_names_the_argument_and_what_was_expected(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"f": loss, "x": X, "grad": G, **changes}
    with pytest.raises(error) as info:
        check_gradient(**arguments)
    assert str(info.value) == message
