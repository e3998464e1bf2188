"""The finite-difference checker (C15) checked on the NumPy side: accuracy, planted bugs, kinks, complex-step
refusals, full and fast modes, reports. The torch side is tests/test_gradcheck_vs_torch.py.

`python -m tests.test_gradcheck` prints the accuracy table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp.gradcheck import (
    GradcheckResult,
    assert_elementwise,
    assert_gradient,
    bounds,
    check_elementwise,
    check_gradient,
    elementwise_derivative,
    estimator,
    gradient,
)

Fn = Callable[[Any], Any]
METHODS = ["central", "richardson", "complex"]

# Inputs over a wide range: ±logspace(−3, 3), both signs.
WIDE = np.concatenate([-np.logspace(-3, 3, 1001), np.logspace(-3, 3, 1001)])


def sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-z))


def softplus(z: Any) -> Any:
    """log(1 + e^z) without overflow, written analytically (branches on the real part only)."""
    pos = z.real > 0
    return np.where(pos, z + np.log1p(np.exp(-np.where(pos, z, 0))), np.log1p(np.exp(np.where(pos, 0, z))))


def sech2(z: Any) -> Any:
    return 1.0 / np.cosh(np.clip(z, -300, 300)) ** 2


# name: (f, f′, inputs). exp, sigmoid and softplus on |x| ≤ 300, where f′ ≥ 1e-131: nearer the edge of the
# float64 range h·f′ underflows in the complex step (its bound then says so, but its accuracy is gone).
SMOOTH: dict[str, tuple[Fn, Fn, np.ndarray]] = {
    "sin": (np.sin, np.cos, WIDE),
    "exp": (np.exp, np.exp, WIDE[np.abs(WIDE) <= 300]),
    "tanh": (np.tanh, sech2, WIDE),
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * sigmoid(-z), WIDE[np.abs(WIDE) <= 300]),
    "softplus": (softplus, sigmoid, WIDE[np.abs(WIDE) <= 300]),
    "cube": (lambda z: z**3, lambda z: 3 * z**2, WIDE),
}

# The accuracy levels the issue asks of each method (float64, smooth functions, the inputs above).
ACCURACY_LEVEL = {"central": 1e-8, "richardson": 1e-10, "complex": 1e-13}


def measured_accuracy() -> dict[str, dict[str, float]]:
    """Worst relative error of each method's numerical derivative against the exact one, per function.

    Relative to the derivative's natural scale max(|f′|, |f|/max(1, |x|)): the second term matters only where
    f′ itself is below what any difference of f can resolve (tanh′ < 1e-17 beyond |x| = 20).
    """
    table: dict[str, dict[str, float]] = {}
    for name, (f, df, x) in SMOOTH.items():
        exact = df(x)
        scale = np.maximum(np.abs(exact), np.abs(f(x)) / np.maximum(1.0, np.abs(x)))
        table[name] = {}
        for method in METHODS:
            value, _ = elementwise_derivative(f, x, method)
            table[name][method] = float(np.max(np.abs(value - exact) / scale))
    return table


def format_accuracy(table: dict[str, dict[str, float]]) -> str:
    """The accuracy table as text, with the level each method is held to."""
    lines = [f"{'function':10s}" + "".join(f"{m:>13s}" for m in METHODS)]
    lines += [f"{name:10s}" + "".join(f"{row[m]:13.2e}" for m in METHODS) for name, row in table.items()]
    worst = {m: max(row[m] for row in table.values()) for m in METHODS}
    lines.append(f"{'worst':10s}" + "".join(f"{worst[m]:13.2e}" for m in METHODS))
    lines.append(f"{'level':10s}" + "".join(f"{ACCURACY_LEVEL[m]:13.0e}" for m in METHODS))
    return "\n".join(lines)


# --- accuracy -------------------------------------------------------------------------------------------


def test_accuracy_central_1e8_richardson_1e10_complex_1e13_on_smooth_functions() -> None:
    table = measured_accuracy()
    print("\n" + format_accuracy(table))
    for method, level in ACCURACY_LEVEL.items():
        worst = max(row[method] for row in table.values())
        assert worst <= level, f"{method}: worst relative error {worst:.3g} above {level:g}"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(SMOOTH))
def test_correct_derivative_passes_over_wide_range(name: str, method: str) -> None:
    f, df, x = SMOOTH[name]
    result = assert_elementwise(f, df, x, method, name=name)
    assert result.kinks == [] and result.n_checked == x.size


@pytest.mark.parametrize("name", list(SMOOTH))
def test_estimated_error_covers_the_true_error(name: str) -> None:
    f, df, x = SMOOTH[name]
    for method in METHODS:
        value, error = elementwise_derivative(f, x, method)
        assert np.all(np.abs(value - df(x)) <= 2 * error), method


# --- planted bugs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_central_richardson_complex_fail_on_derivative_off_by_one_ppm(method: str) -> None:
    result = check_elementwise(np.sin, lambda z: np.cos(z) * (1 + 1e-6), WIDE, method)
    assert not result.passed
    assert result.rel_error == pytest.approx(1e-6, rel=1e-3)


@pytest.mark.parametrize("method", METHODS)
def test_fails_on_wrong_sign(method: str) -> None:
    assert not check_elementwise(np.tanh, lambda z: -sech2(z), WIDE, method).passed


@pytest.mark.parametrize("method", METHODS)
def test_fails_on_missing_term_of_product_rule(method: str) -> None:
    # d/dx x·sin x = sin x + x·cos x; the bug forgets sin x.
    assert not check_elementwise(lambda z: z * np.sin(z), lambda z: z * np.cos(z), WIDE, method).passed


@pytest.mark.parametrize("method", METHODS)
def test_fails_on_one_wrong_element_of_a_thousand_and_names_it(method: str) -> None:
    x = np.linspace(-4, 4, 1000)

    def buggy(z: np.ndarray) -> np.ndarray:
        d = sigmoid(z) * sigmoid(-z)
        d[637] *= 1 + 1e-6
        return d

    result = check_elementwise(sigmoid, buggy, x, method)
    assert not result.passed and result.n_failed == 1 and result.index == (637,)


def test_an_infinite_claimed_value_fails_in_every_mode() -> None:
    # Its own bound term ulps·u·|claimed| is infinite too: an infinite bound must vouch for nothing.
    x = np.linspace(-1, 1, 5)
    claimed = np.cos(x)
    claimed[2] = np.inf
    result = check_elementwise(np.sin, lambda z: claimed.copy(), x)
    assert not result.passed and result.index == (2,) and result.n_failed == 1
    f = lambda v: np.sum(np.sin(v))  # noqa: E731
    assert not check_gradient(f, x, claimed).passed
    assert not check_gradient(f, x, claimed, mode="fast").passed
    at_kink = check_elementwise(lambda z: np.maximum(z, 0.0), lambda z: np.where(z == 0, np.inf, z > 0), x)
    assert not at_kink.passed and at_kink.failed_kinks[0].index == (2,)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_where_f_overflows_within_a_step_nothing_claimed_passes() -> None:
    x = np.array([709.78])  # exp(x + h) overflows: the numerical derivative is infinite
    for claimed in (5.0, float(np.exp(x[0]))):
        result = check_elementwise(np.exp, lambda z, c=claimed: np.full(z.shape, c), x)
        assert not result.passed and result.numerical == np.inf


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("mode", ["full", "fast"])
def test_where_f_overflows_a_finite_gradient_whose_projection_overflows_does_not_pass(mode: str) -> None:
    # exp(x + h) overflows, and so does ⟨exp(x), w⟩ for |w| = 1: two infinities that must not agree
    x = np.array([709.7827, -800.0])
    assert not check_gradient(lambda v: float(np.sum(np.exp(v))), x, np.exp(x), mode=mode).passed


def test_assert_elementwise_message_names_index_values_error_and_bound() -> None:
    x = np.linspace(-2, 2, 30).reshape(5, 6)

    def buggy(z: np.ndarray) -> np.ndarray:
        d = np.cos(z)
        d[3, 4] += 1e-7
        return d

    with pytest.raises(AssertionError) as info:
        assert_elementwise(np.sin, buggy, x, name="sin'")
    msg = str(info.value)
    assert "sin'" in msg and "(3, 4)" in msg and "exceeds the bound" in msg
    assert f"{np.cos(x[3, 4]):.10g}"[:10] in msg


# --- where and how f is evaluated ------------------------------------------------------------------------


def cube(z: Any) -> Any:
    return z**3


def test_each_element_gets_the_estimate_it_would_get_alone() -> None:
    # x³ near 0 (f′ → 0) needs the whole ladder, elsewhere two rungs suffice; going down the ladder only where
    # needed means an element's estimate does not depend on which other elements are checked with it.
    x = np.concatenate([np.linspace(-3, 3, 301), [1e-3, -2e-5, 0.0]])
    value, error = elementwise_derivative(cube, x)
    alone = [elementwise_derivative(cube, x[i : i + 1]) for i in range(x.size)]
    assert np.array_equal(value, [v[0] for v, _ in alone])
    assert np.array_equal(error, [e[0] for _, e in alone])
    assert check_elementwise(cube, lambda z: 3 * z**2, x).n_evaluations == 15  # some went down the ladder
    assert check_elementwise(np.sin, np.cos, x[:301]).n_evaluations == 5  # none needed to


def test_f_is_called_a_fixed_number_of_times_on_arrays_of_x_shape() -> None:
    x = np.linspace(-3, 3, 2000).reshape(40, 50)
    shapes: list[tuple[int, ...]] = []

    def sin(z: np.ndarray) -> np.ndarray:
        shapes.append(z.shape)
        return np.sin(z)

    assert check_elementwise(sin, np.cos, x).passed
    assert shapes == [x.shape] * 5  # f(x), then f(x ± h) on two rungs: no stack, no broadcasting asked of f


def test_an_f_that_accepts_only_x_shape_is_evaluated_on_whole_copies_where_the_ladder_goes_on() -> None:
    x = np.linspace(-1, 1, 201)  # x³ goes down the ladder near 0
    rigid = lambda z: z.reshape(201) ** 3  # noqa: E731  (fails on any other size)
    assert np.array_equal(elementwise_derivative(rigid, x)[0], elementwise_derivative(cube, x)[0])


def test_a_per_row_parameter_is_never_paired_with_another_elements_row() -> None:
    # The 4 elements near 0 (which go down the ladder) are as many as the rows but not one per row: f called
    # on them alone, shaped (4, 1), broadcasts α (4, 1) without complaint, pairing each with the wrong row.
    # It then does not reproduce its values on the whole of x, so it is evaluated on whole copies.
    alpha = np.array([[1.0], [2.0], [3.0], [4.0]])
    x = np.full((4, 2), 2.0)
    x[0, 0], x[0, 1], x[1, 0], x[2, 1] = 1e-3, -1e-3, 2e-3, 3e-3
    f = lambda z: alpha * z**3  # noqa: E731
    value, error = elementwise_derivative(f, x)
    exact = 3 * alpha * x**2
    assert np.all(np.abs(value - exact) <= 2 * error)
    assert_elementwise(f, lambda z: 3 * alpha * z**2, x)
    assert not check_elementwise(f, lambda z: 3 * alpha[::-1] * z**2, x).passed


def test_a_parameter_built_from_z_shape_is_evaluated_on_whole_copies() -> None:
    # f reads its parameter off z.shape: on the elements alone it runs without complaint but with another
    # parameter. That it no longer reproduces its values on the whole of x sends it to whole copies.
    f = lambda z: z**3 * np.linspace(1, 2, z.shape[-1])  # noqa: E731
    x = np.array([[1e-3, -2e-3, 3e-3, 1e-3], [2e-3, -1e-3, 1e-3, 2e-3]])
    result = assert_elementwise(f, lambda z: 3 * z**2 * np.linspace(1, 2, z.shape[-1]), x)
    assert result.kinks == [] and result.n_evaluations == 15
    wrong = check_elementwise(f, lambda z: 3 * z**2, x)
    assert not wrong.passed and wrong.n_failed == 6 and wrong.kinks == []


# --- kinks ----------------------------------------------------------------------------------------------


def relu(z: Any) -> Any:
    return np.maximum(z, 0.0)


def relu_derivative(z: Any) -> Any:
    return (z > 0).astype(z.dtype)


# name: (f, f′ as torch defines it at the kink, the kink, the left and right derivatives there)
KINKED: dict[str, tuple[Fn, Fn, float, float, float]] = {
    "relu": (relu, relu_derivative, 0.0, 0.0, 1.0),
    "abs": (np.abs, np.sign, 0.0, -1.0, 1.0),
    "hardtanh": (lambda z: np.clip(z, -1, 1), lambda z: (np.abs(z) < 1).astype(z.dtype), 1.0, 1.0, 0.0),
}


@pytest.mark.parametrize("method", ["central", "richardson"])
@pytest.mark.parametrize("name", list(KINKED))
def test_kink_is_reported_not_failed(name: str, method: str) -> None:
    f, df, at, left, right = KINKED[name]
    x = np.linspace(-3, 3, 601)
    x[123] = at
    result = check_elementwise(f, df, x, method)
    assert result.passed, result.summary()
    kink = next(k for k in result.kinks if k.index == (123,))
    assert (kink.left, kink.right) == pytest.approx((left, right), abs=1e-6)
    assert kink.claimed_between
    assert "kink at" in result.summary()


def test_claimed_value_outside_the_one_sided_derivatives_fails_at_a_kink() -> None:
    x = np.array([-1.0, 0.0, 1.0])
    result = check_elementwise(relu, lambda z: np.where(z > 0, 1.0, np.where(z == 0, 2.0, 0.0)), x)
    assert not result.passed and result.failed_kinks[0].index == (1,)
    with pytest.raises(AssertionError, match=r"at kink \(1,\).*outside"):
        assert_elementwise(relu, lambda z: np.where(z > 0, 1.0, np.where(z == 0, 2.0, 0.0)), x)


def test_point_within_a_step_of_a_kink_is_reported_as_a_kink() -> None:
    result = check_elementwise(relu, relu_derivative, np.array([1e-12, -1e-12]))
    assert result.passed and len(result.kinks) == 2


def test_smooth_function_with_a_jump_in_second_derivative_is_not_a_kink() -> None:
    # x·|x| has derivative 2|x|: continuous, no kink at 0 (only f″ jumps).
    result = check_elementwise(lambda z: z * np.abs(z), lambda z: 2 * np.abs(z), np.linspace(-1, 1, 201))
    assert result.passed and result.kinks == []


# --- the complex step's guard ---------------------------------------------------------------------------


def test_complex_step_refuses_np_abs_which_drops_the_imaginary_part() -> None:
    with pytest.raises(TypeError, match="complex step refused"):
        check_elementwise(np.abs, np.sign, WIDE, "complex")


def test_complex_step_refuses_abs_inside_a_product() -> None:
    with pytest.raises(ValueError, match="not complex-analytic"):
        check_elementwise(lambda z: z * np.abs(z), lambda z: 2 * np.abs(z), WIDE, "complex")


def test_complex_step_refuses_max_at_a_tie() -> None:
    x = np.linspace(-1, 1, 201)
    with pytest.raises(ValueError, match=r"\(100,\).*one-sided derivatives"):
        check_elementwise(relu, relu_derivative, x, "complex")


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
def test_complex_step_refuses_code_that_calls_float() -> None:
    w = np.linspace(-1, 1, 6)
    with pytest.raises(TypeError, match="complex step refused"):
        check_gradient(lambda v: float(np.sum(np.sin(v))), w, np.cos(w), "complex")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_complex_step_refuses_overflow_in_complex_arithmetic() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        check_elementwise(sigmoid, lambda z: sigmoid(z) * sigmoid(-z), np.array([-800.0, 0.0]), "complex")


def test_complex_step_refuses_a_function_that_rejects_complex_input() -> None:
    def real_only(z: np.ndarray) -> np.ndarray:
        if np.iscomplexobj(z):
            raise TypeError("real input only")
        return np.sin(z)

    with pytest.raises(TypeError, match="raised on a complex input"):
        check_elementwise(real_only, np.cos, WIDE, "complex")


def test_complex_step_guard_in_gradient_modes_refuses_abs() -> None:
    w = np.linspace(-1, 1, 8) + 0.05
    f = lambda v: np.sum(v * np.abs(v))  # noqa: E731
    for mode in ("full", "fast"):
        with pytest.raises(ValueError, match="complex step refused"):
            check_gradient(f, w, 2 * np.abs(w), "complex", mode)


# --- scalar functions of an array: full and fast modes --------------------------------------------------


def _matrix_case(seed: int = 0) -> tuple[Fn, np.ndarray, np.ndarray]:
    """f(W) = Σ tanh(W·v) and its gradient (1 − tanh²(W·v))·vᵀ."""
    rng = np.random.default_rng(seed)
    W, v = rng.normal(size=(6, 5)), rng.normal(size=5)
    return (lambda M: np.sum(np.tanh(M @ v))), W, np.outer(1 - np.tanh(W @ v) ** 2, v)


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("method", METHODS)
def test_matrix_function_gradient_passes(method: str, mode: str) -> None:
    f, W, grad = _matrix_case()
    result = assert_gradient(f, W, grad, method, mode)
    assert result.mode == mode and result.method == method


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize("method", METHODS)
def test_matrix_function_gradient_off_by_one_ppm_on_one_entry_fails(method: str, mode: str) -> None:
    f, W, grad = _matrix_case()
    bad = grad.copy()
    bad[4, 2] *= 1 + 1e-6
    result = check_gradient(f, W, bad, method, mode)
    assert not result.passed
    if mode == "full":
        assert result.index == (4, 2) and result.n_failed == 1


def test_fast_mode_costs_the_same_number_of_evaluations_whatever_the_size() -> None:
    counts = []
    for n in (10, 1000):
        x = np.linspace(-1, 1, n)
        counts.append(check_gradient(lambda v: np.sum(np.sin(v)), x, np.cos(x), mode="fast").n_evaluations)
    assert counts[0] == counts[1] < 30


def test_full_mode_finds_a_bug_on_one_element_of_a_thousand_that_fast_mode_sees_in_its_directions() -> None:
    x = np.linspace(-2, 2, 1000)
    grad = np.cos(x)
    grad[123] += 1e-5
    f = lambda v: np.sum(np.sin(v))  # noqa: E731
    assert check_gradient(f, x, grad, mode="full").index == (123,)
    assert not check_gradient(f, x, grad, mode="fast").passed


def test_loss_with_cancelling_terms_passes_thanks_to_the_measured_noise() -> None:
    # Σ of terms ±1e6 summing to ~1: rounding follows the terms (1e-10), not the value; the probe sees it.
    rng = np.random.default_rng(3)
    big = 1e6 * rng.choice([-1.0, 1.0], size=50)
    x = rng.normal(size=50)
    f = lambda v: np.sum(big * np.cos(v)) + np.sum(v)  # noqa: E731
    grad = -big * np.sin(x) + 1
    for method in ("central", "richardson"):
        assert_gradient(f, x, grad, method, "full")
        assert_gradient(f, x, grad, method, "fast")


def test_kink_in_a_scalar_function_is_reported_in_full_mode() -> None:
    x = np.array([-1.0, 0.0, 2.0])
    result = check_gradient(lambda v: np.sum(np.maximum(v, 0.0)), x, (x > 0).astype(float))
    assert result.passed and [k.index for k in result.kinks] == [(1,)]


def test_float32_inputs_are_checked_at_float32_accuracy() -> None:
    x = np.linspace(-6, 6, 501).astype(np.float32)
    d = lambda z: sigmoid(z) * sigmoid(-z)  # noqa: E731
    assert check_elementwise(sigmoid, d, x).passed
    assert not check_elementwise(sigmoid, lambda z: d(z) * np.float32(1.001), x).passed
    value, _ = elementwise_derivative(sigmoid, x)
    assert value.dtype == np.float64
    f = lambda v: np.sum(np.sin(v))  # noqa: E731
    assert check_gradient(f, x[:40], np.cos(x[:40]), "richardson").passed
    assert check_gradient(f, x, np.cos(x), "complex", "fast").passed


# --- reports and bad arguments --------------------------------------------------------------------------


def test_result_summary_has_verdict_worst_element_and_counts() -> None:
    result = check_elementwise(np.sin, np.cos, WIDE)
    text = str(result)
    assert isinstance(result, GradcheckResult) and bool(result)
    assert text.startswith("gradcheck PASSED (central, full): 2002 elements checked, 0 failed, 0 kinks")
    assert f"worst at {result.index}" in text and "bound" in text


def test_summary_lists_at_most_five_kinks() -> None:
    result = check_elementwise(relu, relu_derivative, np.zeros(8))
    assert len(result.kinks) == 8 and "and 3 more kinks" in result.summary()


def test_gradient_assert_raises_with_index() -> None:
    f, W, grad = _matrix_case()
    bad = grad.copy()
    bad[0, 0] += 1e-3
    with pytest.raises(AssertionError, match=r"weights: at \(0, 0\)"):
        assert_gradient(f, W, bad, name="weights")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "forward"}, ValueError, "method"),
        ({"mode": "slow"}, ValueError, "mode"),
        ({"levels": 1}, ValueError, "levels"),
        ({"directions": 0}, ValueError, "directions"),
    ],
)
def test_bad_gradient_arguments_are_named(kwargs: dict[str, Any], error: type, match: str) -> None:
    x = np.ones(3)
    with pytest.raises(error, match=match):
        check_gradient(lambda v: np.sum(v), x, np.ones(3), **kwargs)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_bad_inputs_are_named() -> None:
    with pytest.raises(TypeError, match="x: expected a float32 or float64"):
        check_elementwise(np.sin, np.cos, np.arange(3))
    with pytest.raises(ValueError, match="x: expected finite"):
        check_elementwise(np.sin, np.cos, np.array([np.nan]))
    with pytest.raises(ValueError, match="df: expected an array of shape"):
        check_elementwise(np.sin, lambda z: np.cos(z)[:1], np.ones(3))
    with pytest.raises(ValueError, match="f: expected an elementwise"):
        check_elementwise(np.sum, np.ones_like, np.ones(3))
    with pytest.raises(ValueError, match="levels"):
        check_elementwise(np.sin, np.cos, np.ones(3), levels=2)
    with pytest.raises(ValueError, match="grad: expected shape"):
        check_gradient(np.sum, np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="f: expected a scalar"):
        check_gradient(lambda v: v, np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="f: expected a finite value"):
        check_gradient(lambda v: np.sum(v) / 0.0, np.ones(3), np.ones(3))


class Counted:
    """A function that counts its calls: a refused call must not have evaluated f or df."""

    def __init__(self, fn: Fn) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, z: Any) -> Any:
        self.calls += 1
        return self.fn(z)


def _sum_sin(v: Any) -> Any:
    return np.sum(np.sin(v))


# Each row: the call (the arguments that differ from a valid call), the exception, the argument the message
# names, and whether the mistake can be seen before f or df is called (True: neither may have been called).
BAD_CALLS: list[tuple[str, str, dict[str, Any], type[Exception], str, bool]] = [
    ("f-int", "elementwise", {"f": 3}, TypeError, "f", True),
    ("df-str", "elementwise", {"df": "cos"}, TypeError, "df", True),
    ("df-none", "elementwise", {"df": None}, TypeError, "df", True),
    ("f-none-gradient", "gradient", {"f": None}, TypeError, "f", True),
    ("f-float-derivative", "derivative", {"f": 1.0}, TypeError, "f", True),
    ("f-int-assert", "assert_elementwise", {"f": 3}, TypeError, "f", True),
    ("f-int-assert-gradient", "assert_gradient", {"f": 3}, TypeError, "f", True),
    ("method-name", "elementwise", {"method": "forward"}, ValueError, "method", True),
    ("method-none", "elementwise", {"method": None}, TypeError, "method", True),
    ("method-name-gradient", "gradient", {"method": "backward"}, ValueError, "method", True),
    ("method-name-derivative", "derivative", {"method": "Central"}, ValueError, "method", True),
    ("mode-name", "gradient", {"mode": "slow"}, ValueError, "mode", True),
    ("mode-int", "gradient", {"mode": 1}, TypeError, "mode", True),
    ("levels-2-elementwise", "elementwise", {"levels": 2}, ValueError, "levels", True),
    ("levels-float-elementwise", "elementwise", {"levels": 7.0}, TypeError, "levels", True),
    ("levels-2-derivative", "derivative", {"levels": 2}, ValueError, "levels", True),
    ("levels-1-gradient", "gradient", {"levels": 1}, ValueError, "levels", True),
    ("levels-2-richardson", "gradient", {"levels": 2, "method": "richardson"}, ValueError, "levels", True),
    ("levels-str-gradient", "gradient", {"levels": "3"}, TypeError, "levels", True),
    ("directions-1.5", "gradient", {"directions": 1.5}, TypeError, "directions", True),
    ("directions-0", "gradient", {"directions": 0}, ValueError, "directions", True),
    ("directions-bool", "gradient", {"directions": True}, TypeError, "directions", True),
    ("seed-str", "gradient", {"seed": "a"}, TypeError, "seed", True),
    ("seed-negative", "gradient", {"seed": -1}, ValueError, "seed", True),
    ("seed-1.5", "gradient", {"seed": 1.5}, TypeError, "seed", True),
    ("ulps-negative-elementwise", "elementwise", {"ulps": -1}, ValueError, "ulps", True),
    ("ulps-nan-elementwise", "elementwise", {"ulps": float("nan")}, ValueError, "ulps", True),
    ("ulps-zero-elementwise", "elementwise", {"ulps": 0}, ValueError, "ulps", True),
    ("ulps-inf-derivative", "derivative", {"ulps": float("inf")}, ValueError, "ulps", True),
    ("ulps-negative-gradient", "gradient", {"ulps": -1}, ValueError, "ulps", True),
    ("ulps-nan-gradient", "gradient", {"ulps": float("nan")}, ValueError, "ulps", True),
    ("ulps-str-gradient", "gradient", {"ulps": "8"}, TypeError, "ulps", True),
    ("x-int-dtype", "elementwise", {"x": np.arange(3)}, TypeError, "x", True),
    ("x-nan", "elementwise", {"x": np.array([0.5, np.nan, 1.0])}, ValueError, "x", True),
    ("x-inf-gradient", "gradient", {"x": np.array([0.5, np.inf, 1.0])}, ValueError, "x", True),
    ("x-nan-derivative", "derivative", {"x": np.array([np.nan])}, ValueError, "x", True),
    ("x-none", "elementwise", {"x": None}, TypeError, "x", True),
    ("x-str", "gradient", {"x": ["a", "b", "c"]}, TypeError, "x", True),
    ("x-ragged", "elementwise", {"x": [[1.0], [1.0, 2.0]]}, TypeError, "x", True),
    ("grad-none", "gradient", {"grad": None}, TypeError, "grad", True),
    ("grad-str", "gradient", {"grad": np.array(["a", "b", "c"])}, TypeError, "grad", True),
    ("grad-complex", "gradient", {"grad": np.ones(3) + 1j}, TypeError, "grad", True),
    ("grad-shape", "gradient", {"grad": np.ones(4)}, ValueError, "grad", True),
    ("df-returns-none", "elementwise", {"df": lambda z: None}, TypeError, "df", False),
    ("df-returns-str", "elementwise", {"df": lambda z: np.array(["a"] * z.size)}, TypeError, "df", False),
    ("df-returns-shape", "elementwise", {"df": lambda z: np.cos(z)[:1]}, ValueError, "df", False),
    ("df-returns-ragged", "elementwise", {"df": lambda z: [[1.0], [1.0, 2.0]]}, TypeError, "df", False),
    ("f-returns-none", "elementwise", {"f": lambda z: None}, TypeError, "f", False),
    ("f-returns-str", "derivative", {"f": lambda z: np.array(["a"] * z.size)}, TypeError, "f", False),
    ("f-returns-sum", "elementwise", {"f": np.sum}, ValueError, "f", False),
    ("f-returns-none-gradient", "gradient", {"f": lambda v: None}, TypeError, "f", False),
    ("f-returns-str-gradient", "gradient", {"f": lambda v: "loss"}, TypeError, "f", False),
    ("f-returns-array-gradient", "gradient", {"f": lambda v: v}, ValueError, "f", False),
    ("f-returns-inf-gradient", "gradient", {"f": lambda v: np.sum(v) / 0.0}, ValueError, "f", False),
]


ENTRY_POINTS: dict[str, Callable[..., Any]] = {
    "elementwise": check_elementwise,
    "assert_elementwise": assert_elementwise,
    "derivative": elementwise_derivative,
    "gradient": check_gradient,
    "assert_gradient": assert_gradient,
}


def _valid_arguments(entry: str) -> dict[str, Any]:
    """A call of the entry point that passes, with counted f and df."""
    x = np.linspace(-1.0, 1.0, 3)
    if "gradient" in entry:
        return {"f": Counted(_sum_sin), "x": x, "grad": np.cos(x)}
    if entry == "derivative":
        return {"f": Counted(np.sin), "x": x}
    return {"f": Counted(np.sin), "df": Counted(np.cos), "x": x}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_the_valid_call_of_the_bad_argument_table_passes(entry: str) -> None:
    assert ENTRY_POINTS[entry](**_valid_arguments(entry)) is not None


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("entry", "changes", "error", "argument", "before_any_call"),
    [pytest.param(*row[1:], id=row[0]) for row in BAD_CALLS],
)
def test_bad_argument_is_refused_naming_it_before_f_is_called(
    entry: str, changes: dict[str, Any], error: type[Exception], argument: str, before_any_call: bool
) -> None:
    valid = _valid_arguments(entry)
    with pytest.raises(error) as info:
        ENTRY_POINTS[entry](**{**valid, **changes})
    assert str(info.value).startswith(f"{argument}: expected "), str(info.value)
    if before_any_call:
        assert all(fn.calls == 0 for fn in valid.values() if isinstance(fn, Counted))


def test_bad_call_table_covers_every_argument_of_every_entry_point() -> None:
    named = {row[4] for row in BAD_CALLS}
    assert named == {"f", "df", "x", "grad", "method", "mode", "levels", "directions", "seed", "ulps"}
    assert {row[1] for row in BAD_CALLS} >= {"elementwise", "gradient", "derivative", "assert_elementwise"}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("seed", [0, 2])
def test_a_loss_that_overflows_beside_x_fails_whatever_its_noise_probe_saw(seed: int) -> None:
    # exp overflows 2e-6 above x: the noise probe sees +inf (seed 2: no noise level) or huge differences
    # (seed 0: an infinite one); either way the numerical derivative is infinite and vouches for nothing.
    x = np.array([709.7827128933])
    result = check_gradient(lambda v: np.sum(np.exp(v)), x, np.exp(x), seed=seed)
    assert not result.passed and result.numerical == np.inf


def test_a_nan_claimed_value_fails_the_check_at_its_index_in_every_mode() -> None:
    # The claimed derivative is what is under test: NaN there is a wrong value (a failed check), not refused.
    x = np.linspace(-1, 1, 5)
    claimed = np.cos(x)
    claimed[3] = np.nan
    result = check_elementwise(np.sin, lambda z: claimed.copy(), x)
    assert not result.passed and result.index == (3,) and result.n_failed == 1
    full = check_gradient(_sum_sin, x, claimed)
    assert not full.passed and full.index == (3,)
    assert not check_gradient(_sum_sin, x, claimed, mode="fast").passed


# --- the derived bounds pinned from both sides ------------------------------------------------------------

PIN_X = np.linspace(-3, 3, 601)
PIN_W = np.random.default_rng(0).normal(size=(6, 5))
KINDS = ["elementwise", "full", "fast"]


def _sin_pi(z: Any) -> Any:
    return np.sin(np.pi * z)


def _sum_sin_pi(v: Any) -> Any:
    return np.sum(np.sin(np.pi * v))


def _pinned_check(kind: str, method: str, claimed_pi: float, **options: Any) -> GradcheckResult:
    """d/dz sin(πz) claimed with the constant `claimed_pi` (a wrong one when it is not π): elementwise over
    ±3, or as the gradient of Σ sin(πW) over a 6×5 matrix in full or fast mode."""
    if kind == "elementwise":
        return check_elementwise(_sin_pi, lambda z: claimed_pi * np.cos(np.pi * z), PIN_X, method, **options)
    return check_gradient(_sum_sin_pi, PIN_W, claimed_pi * np.cos(np.pi * PIN_W), method, kind, **options)


def _shifted_check(kind: str, method: str, reference: GradcheckResult, shift: float) -> GradcheckResult:
    """The pinned check with the claimed value moved away from the numerical one by `shift` at the element
    the reference result reports (in fast mode: by `shift` along its direction, through the element of
    smallest |x|, where the direction's entry is ±1)."""
    x = PIN_X if kind == "elementwise" else PIN_W
    claimed = np.pi * np.cos(np.pi * x)
    assert reference.index is not None
    if kind == "fast":
        claimed.flat[np.argmin(np.abs(x))] += shift  # ±shift along every direction, whatever its sign
    else:
        away = 1.0 if reference.claimed >= reference.numerical else -1.0
        claimed[reference.index] += away * shift
    if kind == "elementwise":
        return check_elementwise(_sin_pi, lambda z: claimed.copy(), x, method)
    return check_gradient(_sum_sin_pi, x, claimed, method, kind)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", KINDS)
def test_one_element_past_its_reported_bound_fails_and_within_it_passes(kind: str, method: str) -> None:
    correct = _pinned_check(kind, method, np.pi)
    assert correct.passed and correct.abs_error <= correct.bound
    past = _shifted_check(kind, method, correct, correct.abs_error + 1.5 * correct.bound)
    assert not past.passed and past.n_failed >= 1
    if kind != "fast":  # one element moved: it alone fails, and is the one reported
        assert past.n_failed == 1 and past.index == correct.index
        within = _shifted_check(kind, method, correct, 0.5 * (correct.bound - correct.abs_error))
        assert within.passed and within.index == correct.index


# A constant of the derivative typed with too few digits, as a relative error δ of π (π typed with 9 digits
# is 1e-9 off). Deliberate planted-bug margins: each δ lands a few times above the bound the check derives
# here (2-8×), so that a check whose bound were ten times looser would pass it.
BOUND_SAFETY_PINS = [
    ("elementwise", "central", 3e-9),
    ("elementwise", "richardson", 3e-11),
    ("full", "central", 3e-9),
    ("full", "richardson", 1e-10),
    ("fast", "central", 1e-9),
    ("fast", "richardson", 1e-10),
]
ULPS_PINS = [
    ("elementwise", "complex", 2e-14),
    ("full", "complex", 3e-14),
    ("fast", "complex", 3e-14),
    ("full", "richardson", 1e-10),
]


@pytest.mark.parametrize(("kind", "method", "delta"), BOUND_SAFETY_PINS)
def test_constant_a_few_bounds_off_fails_where_a_tenfold_bound_safety_would_pass_it(
    kind: str, method: str, delta: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _pinned_check(kind, method, np.pi).passed
    assert not _pinned_check(kind, method, np.pi * (1 + delta)).passed
    monkeypatch.setattr(bounds, "BOUND_SAFETY", 10 * bounds.BOUND_SAFETY)
    assert _pinned_check(kind, method, np.pi * (1 + delta)).passed  # so the line above pins BOUND_SAFETY


@pytest.mark.parametrize(("kind", "method", "delta"), ULPS_PINS)
def test_constant_a_few_ulps_off_fails_where_tenfold_ulps_would_pass_it(
    kind: str, method: str, delta: float
) -> None:
    assert _pinned_check(kind, method, np.pi).passed
    assert not _pinned_check(kind, method, np.pi * (1 + delta)).passed
    assert _pinned_check(kind, method, np.pi * (1 + delta), ulps=80.0).passed  # the default 8, tenfold


def _cancelling_loss_with_weight_decay() -> tuple[Fn, np.ndarray, np.ndarray, np.ndarray]:
    """Σ ±1e6·cos(v) + (λ/2)·Σ v², λ = 5e-4: a loss that rounds like its ±1e6 terms, so its bound rests on
    the measured noise; with the gradient, and the gradient that forgets the weight decay λ·v. λ is a
    deliberate planted-bug margin: the forgotten term lands about 3× above the bound derived here and
    under a third of a bound with a tenfold noise level."""
    rng = np.random.default_rng(3)
    big = 1e6 * rng.choice([-1.0, 1.0], size=50)
    x = rng.normal(size=50)
    decay = 5e-4
    loss = lambda v: np.sum(big * np.cos(v)) + decay / 2 * np.sum(v * v)  # noqa: E731
    return loss, x, -big * np.sin(x) + decay * x, -big * np.sin(x)


def _noise_tenfold(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "sigmas":
        monkeypatch.setattr(estimator, "NOISE_SIGMAS", 10 * estimator.NOISE_SIGMAS)
    else:
        measured = gradient.noise_level
        monkeypatch.setattr(gradient, "noise_level", lambda *args: 10 * measured(*args))


@pytest.mark.parametrize("how", ["sigmas", "noise_level"])
@pytest.mark.parametrize("mode", ["full", "fast"])
def test_forgotten_weight_decay_fails_where_a_tenfold_noise_level_would_pass_it(
    mode: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loss, x, grad, forgot_decay = _cancelling_loss_with_weight_decay()
    assert check_gradient(loss, x, grad, mode=mode).passed
    assert not check_gradient(loss, x, forgot_decay, mode=mode).passed
    _noise_tenfold(monkeypatch, how)
    assert check_gradient(loss, x, forgot_decay, mode=mode).passed  # so the line above pins the noise


if __name__ == "__main__":
    print(format_accuracy(measured_accuracy()))
