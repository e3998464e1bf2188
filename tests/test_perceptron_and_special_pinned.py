"""What tests/test_perceptron.py and tests/test_special.py leave open, pinned: the documented defaults, the
inputs' dtype kept through every single-unit rule, every refusal's exact message, the branch each special
function's docstring names at its switch, and each function under np.errstate(all="raise") at the inputs
its docstring says it handles. NumPy only (no torch), so this also runs without it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp import perceptron, special
from handmlp.perceptron import (
    delta_rule,
    perceptron_predict,
    rosenblatt,
    threshold_inputs,
    threshold_neuron,
    threshold_neuron_step,
    with_bias_input,
)

P: Any = perceptron  # for calls that pass a type the annotations do not name, on purpose
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([-1, 1, 1, -1])


# --- perceptron: defaults -----------------------------------------------------------------------------------


def test_rosenblatt_defaults_to_100_epochs_without_a_bias_input() -> None:
    """XOR through the origin never converges ((0, 0) is a tie, a mistake for −1 in every epoch), so the run
    shows the default epoch count; without a bias input the weights are one per feature and the bias 0."""
    result = rosenblatt(XOR_X, XOR_Y)
    assert len(result.mistakes) == 100 and not result.converged
    assert result.weights.shape == (2,) and result.bias == 0.0 and type(result.bias) is float
    explicit = rosenblatt(XOR_X, XOR_Y, epochs=100, bias=False)
    np.testing.assert_array_equal(result.weights, explicit.weights)
    assert result.mistakes == explicit.mistakes


def test_rosenblatt_without_a_bias_input_reports_bias_zero_even_after_updates() -> None:
    result = rosenblatt([[1.0, 2.0], [2.0, -1.0]], [-1, 1], epochs=5)
    assert result.total_mistakes > 0 and result.bias == 0.0


def test_perceptron_predict_defaults_to_bias_zero() -> None:
    """⟨w, x⟩ = −½: bias 0 predicts −1 (a default bias of 1 would predict +1)."""
    X, w = np.array([[0.5, 1.0]]), np.array([1.0, -1.0])
    np.testing.assert_array_equal(perceptron_predict(X, w), [-1.0])
    np.testing.assert_array_equal(perceptron_predict(X, w), perceptron_predict(X, w, bias=0.0))


def test_delta_rule_defaults_to_c2_one_pass_with_step_one() -> None:
    """C2 as written: η = 1, one pass over the samples in order, from w = 0."""
    X, y = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]), np.array([1.0, -1.0, 2.0])
    expected = np.zeros(2)
    for x_n, y_n in zip(X, y):
        expected = expected + 1.0 * (y_n - expected @ x_n) * x_n
    np.testing.assert_array_equal(delta_rule(X, y), expected)
    np.testing.assert_array_equal(delta_rule(X, y, eta=1.0, epochs=1, w=None), expected)


def test_with_bias_input_appends_a_column_of_ones_by_default() -> None:
    """An array is taken as it is, in its own dtype (binary inputs may be integers); anything else becomes
    a float64 array first."""
    ones = with_bias_input(np.array([[2.0, 3.0]]))
    np.testing.assert_array_equal(ones, [[2.0, 3.0, 1.0]])
    binary = with_bias_input(np.array([[0, 1], [1, 1]]))
    assert binary.dtype == np.int_
    np.testing.assert_array_equal(binary, [[0, 1, 1], [1, 1, 1]])
    listed = P.with_bias_input([[0, 1]])
    assert listed.dtype == np.float64
    np.testing.assert_array_equal(listed, [[0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(
        with_bias_input(np.array([[2.0, 3.0], [4.0, 5.0]]), -1.0), [[2.0, 3.0, -1.0], [4.0, 5.0, -1.0]]
    )


def test_threshold_inputs_prepend_minus_one() -> None:
    np.testing.assert_array_equal(threshold_inputs([[2, 3], [4, 5]]), [[-1.0, 2.0, 3.0], [-1.0, 4.0, 5.0]])


# --- perceptron: dtype --------------------------------------------------------------------------------------


def test_every_single_unit_rule_keeps_float32_inputs_in_float32() -> None:
    """float32 inputs give float32 weights and outputs: the zeros, a given start, the bias and threshold
    columns all take the inputs' dtype."""
    X = np.array([[1.0, 0.5], [0.25, -1.0], [-0.5, 0.75]], dtype=np.float32)
    labels, targets = np.array([1, -1, 1]), np.array([0.1, -0.3, 0.7])
    assert rosenblatt(X, labels).weights.dtype == np.float32
    assert rosenblatt(X, labels, bias=True).weights.dtype == np.float32
    assert with_bias_input(X).dtype == np.float32 and threshold_inputs(X).dtype == np.float32
    assert delta_rule(X, targets, eta=0.1).dtype == np.float32
    assert delta_rule(X, targets, eta=0.1, w=[0.5, -0.5]).dtype == np.float32
    assert threshold_neuron(X, np.array([0.1, 0.2, 0.3])).dtype == np.float32
    assert threshold_neuron_step(np.array([0.1, 0.2, 0.3]), X[0], 1.0, 0.5).dtype == np.float32


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_a_target_beyond_float32_is_refused_for_float32_inputs() -> None:
    """The targets are checked in the inputs' dtype: 1e39 is finite in float64 but +Inf in float32."""
    with pytest.raises(ValueError, match=r"^y: expected finite values, got inf at index \(1,\)$"):
        delta_rule(np.eye(2, dtype=np.float32), [1.0, 1e39])


# --- perceptron: every refusal, its exact message -----------------------------------------------------------

T, V = TypeError, ValueError
REFUSALS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("sign_str", lambda: P.sign("a"), T, "a: expected real numbers, got str of <U1"),
    ("sign_none", lambda: P.sign(None), T, "a: expected real numbers, got NoneType of object"),
    (
        "update_y_str",
        lambda: P.perceptron_update(np.zeros(2), np.ones(2), "a"),
        T,
        "y: expected a real number, got str 'a'",
    ),
    (
        "update_y_nan",
        lambda: P.perceptron_update(np.zeros(2), np.ones(2), np.nan),
        V,
        "y: expected a finite number, got nan",
    ),
    ("with_bias_str", lambda: P.with_bias_input("a"), T, "X: expected an array of real numbers, got str 'a'"),
    (
        "with_bias_nan",
        lambda: P.with_bias_input([[np.nan]]),
        V,
        "X: expected finite values, got nan at index (0, 0)",
    ),
    (
        "rosenblatt_X_str",
        lambda: P.rosenblatt([["a"]], [1]),
        T,
        "X: expected real-valued inputs, got dtype <U1",
    ),
    (
        "rosenblatt_X_1d",
        lambda: P.rosenblatt([1.0, 2.0], [1, 1]),
        V,
        "X: expected shape (N ≥ 1, features), got (2,)",
    ),
    (
        "rosenblatt_X_inf",
        lambda: P.rosenblatt([[1.0, np.inf]], [1]),
        V,
        "X: expected finite values, got inf at index (0, 1)",
    ),
    (
        "rosenblatt_y_shape",
        lambda: P.rosenblatt(np.eye(3), [1, 1]),
        V,
        "y: expected one label per sample, shape (3,), got (2,)",
    ),
    (
        "rosenblatt_y_first_bad",
        lambda: P.rosenblatt(np.eye(3), [1, 0, 2]),
        V,
        "y: expected labels +1 or -1 (C1), got 0",
    ),
    (
        "rosenblatt_y_str",
        lambda: P.rosenblatt(np.eye(3), ["a", "b", "c"]),
        V,
        "y: expected labels +1 or -1 (C1), got 'a'",
    ),
    (
        "rosenblatt_epochs_0",
        lambda: P.rosenblatt(np.eye(2), [1, -1], epochs=0),
        V,
        "epochs: expected an integer ≥ 1, got 0",
    ),
    (
        "rosenblatt_epochs_float",
        lambda: P.rosenblatt(np.eye(2), [1, -1], epochs=1.0),
        T,
        "epochs: expected an integer, got float 1.0",
    ),
    (
        "rosenblatt_bias",
        lambda: P.rosenblatt(np.eye(2), [1, -1], bias="yes"),
        T,
        "bias: expected True or False, got str 'yes'",
    ),
    (
        "predict_X_str",
        lambda: P.perceptron_predict([["a"]], [1.0]),
        T,
        "X: expected real-valued inputs, got dtype <U1",
    ),
    (
        "predict_X_1d",
        lambda: P.perceptron_predict([1.0], [1.0]),
        V,
        "X: expected shape (N ≥ 1, features), got (1,)",
    ),
    (
        "predict_w_shape",
        lambda: P.perceptron_predict(np.eye(2), [1.0]),
        V,
        "weights: expected shape (2), got (1,)",
    ),
    (
        "predict_w_str",
        lambda: P.perceptron_predict(np.eye(2), "ab"),
        T,
        "weights: expected an array of real numbers, got str",
    ),
    (
        "predict_w_nan",
        lambda: P.perceptron_predict(np.eye(2), [1.0, np.nan]),
        V,
        "weights: expected finite values, got nan at index (1,)",
    ),
    (
        "predict_bias_inf",
        lambda: P.perceptron_predict(np.eye(2), [1.0, 1.0], bias=np.inf),
        V,
        "bias: expected a finite number, got inf",
    ),
    (
        "predict_bias_str",
        lambda: P.perceptron_predict(np.eye(2), [1.0, 1.0], bias="a"),
        T,
        "bias: expected a real number, got str 'a'",
    ),
    (
        "step_y_str",
        lambda: P.delta_rule_step(np.zeros(2), np.ones(2), "a", 0.1),
        T,
        "y: expected a real number, got str 'a'",
    ),
    (
        "step_y_nan",
        lambda: P.delta_rule_step(np.zeros(2), np.ones(2), np.nan, 0.1),
        V,
        "y: expected a finite number, got nan",
    ),
    (
        "step_eta",
        lambda: P.delta_rule_step(np.zeros(2), np.ones(2), 1.0, -0.1),
        V,
        "eta: expected a finite number ≥ 0, got -0.1",
    ),
    (
        "step_eta_str",
        lambda: P.delta_rule_step(np.zeros(2), np.ones(2), 1.0, "a"),
        T,
        "eta: expected a real number, got str 'a'",
    ),
    ("delta_X_str", lambda: P.delta_rule([["a"]], [1.0]), T, "X: expected real-valued inputs, got dtype <U1"),
    (
        "delta_X_empty",
        lambda: P.delta_rule(np.zeros((0, 2)), []),
        V,
        "X: expected shape (N ≥ 1, features), got (0, 2)",
    ),
    (
        "delta_X_nan",
        lambda: P.delta_rule([[np.nan]], [1.0]),
        V,
        "X: expected finite values, got nan at index (0, 0)",
    ),
    (
        "delta_y_str",
        lambda: P.delta_rule(np.eye(2), ["a", "b"]),
        T,
        "y: expected real targets, got dtype <U1",
    ),
    (
        "delta_y_shape",
        lambda: P.delta_rule(np.eye(2), [1.0]),
        V,
        "y: expected one target per sample, shape (2,), got (1,)",
    ),
    (
        "delta_y_inf",
        lambda: P.delta_rule(np.eye(2), [1.0, np.inf]),
        V,
        "y: expected finite values, got inf at index (1,)",
    ),
    (
        "delta_eta",
        lambda: P.delta_rule(np.eye(2), [1.0, 2.0], eta=-1.0),
        V,
        "eta: expected a finite number ≥ 0, got -1.0",
    ),
    (
        "delta_eta_str",
        lambda: P.delta_rule(np.eye(2), [1.0, 2.0], eta="a"),
        T,
        "eta: expected a real number, got str 'a'",
    ),
    (
        "delta_epochs_0",
        lambda: P.delta_rule(np.eye(2), [1.0, 2.0], epochs=0),
        V,
        "epochs: expected an integer ≥ 1, got 0",
    ),
    (
        "delta_epochs_float",
        lambda: P.delta_rule(np.eye(2), [1.0, 2.0], epochs=1.5),
        T,
        "epochs: expected an integer, got float 1.5",
    ),
    (
        "delta_w_shape",
        lambda: P.delta_rule(np.eye(2), [1.0, 2.0], w=[0.0]),
        V,
        "w: expected shape (2), got (1,)",
    ),
    (
        "delta_w_objects",
        lambda: P.delta_rule(np.eye(2), [1.0, 2.0], w=[None, "a"]),
        T,
        "w: expected an array of real numbers, got list",
    ),
    (
        "delta_w_nan",
        lambda: P.delta_rule(np.eye(2), [1.0, 2.0], w=[0.0, np.nan]),
        V,
        "w: expected finite values, got nan at index (1,)",
    ),
    (
        "threshold_inputs_X_str",
        lambda: P.threshold_inputs([["a"]]),
        T,
        "X: expected real-valued inputs, got dtype <U1",
    ),
    (
        "threshold_inputs_X_1d",
        lambda: P.threshold_inputs([1.0]),
        V,
        "X: expected shape (N ≥ 1, features), got (1,)",
    ),
    (
        "neuron_X_str",
        lambda: P.threshold_neuron([["a"]], [0.0, 1.0]),
        T,
        "X: expected real-valued inputs, got dtype <U1",
    ),
    (
        "neuron_w_shape",
        lambda: P.threshold_neuron([[1.0]], [0.0]),
        V,
        "weights: expected shape (2), got (1,)",
    ),
    (
        "neuron_w_str",
        lambda: P.threshold_neuron([[1.0, 0.0]], "abc"),
        T,
        "weights: expected an array of real numbers, got str",
    ),
    (
        "neuron_w_inf",
        lambda: P.threshold_neuron([[1.0]], [0.0, np.inf]),
        V,
        "weights: expected finite values, got inf at index (1,)",
    ),
    (
        "class_nan",
        lambda: P.threshold_class([0.2, np.nan]),
        V,
        "y: expected finite values, got nan at index (1,)",
    ),
    ("class_str", lambda: P.threshold_class("a"), T, "y: expected an array of real numbers, got str 'a'"),
    (
        "step11_x_str",
        lambda: P.threshold_neuron_step([0.0, 1.0, 1.0], "ab", 1.0, 0.5),
        T,
        "x: expected real-valued inputs, got dtype <U2",
    ),
    (
        "step11_x_2d",
        lambda: P.threshold_neuron_step([0.0, 1.0, 1.0], [[1.0, 0.0]], 1.0, 0.5),
        V,
        "x: expected one sample of shape (n,), got shape (1, 2)",
    ),
    (
        "step11_w_shape",
        lambda: P.threshold_neuron_step([0.0, 1.0], [1.0, 0.0], 1.0, 0.5),
        V,
        "weights: expected shape (3), got (2,)",
    ),
    (
        "step11_w_str",
        lambda: P.threshold_neuron_step("abc", [1.0, 0.0], 1.0, 0.5),
        T,
        "weights: expected an array of real numbers, got str",
    ),
    (
        "step11_mu",
        lambda: P.threshold_neuron_step([0.0, 1.0, 1.0], [1.0, 0.0], 1.0, -0.5),
        V,
        "mu: expected a finite number ≥ 0, got -0.5",
    ),
    (
        "step11_mu_str",
        lambda: P.threshold_neuron_step([0.0, 1.0, 1.0], [1.0, 0.0], 1.0, "a"),
        T,
        "mu: expected a real number, got str 'a'",
    ),
    (
        "step11_y_nan",
        lambda: P.threshold_neuron_step([0.0, 1.0, 1.0], [1.0, 0.0], np.nan, 0.5),
        V,
        "y: expected a finite number, got nan",
    ),
    (
        "step11_y_str",
        lambda: P.threshold_neuron_step([0.0, 1.0, 1.0], [1.0, 0.0], "a", 0.5),
        T,
        "y: expected a real number, got str 'a'",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_every_refusal_of_the_single_unit_rules_has_its_exact_message(
    call: Callable[[], Any], error: type[Exception], message: str
) -> None:
    """The whole message, so the argument's name, the expectation and the value shown are all pinned."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call()


@pytest.mark.parametrize(
    ("labels", "shown"),
    [
        ([1, -1, None], "None"),
        (np.array([1, 0.5, -1], dtype=object), "0.5"),
        (["1", "-1", "1"], "'1'"),
        (np.array([1, 1j, -1]), "1j"),
    ],
)
def test_labels_that_are_not_real_numbers_are_refused_naming_the_first_bad_one(
    labels: Any, shown: str
) -> None:
    """Python objects (a None among the labels makes the array one of objects) are compared one by one, so
    the message shows the label that is not ±1; before, showing it crashed with AttributeError (a Python
    int has no .item())."""
    with pytest.raises(ValueError, match=f"^{re.escape(f'y: expected labels +1 or -1 (C1), got {shown}')}$"):
        rosenblatt(np.eye(3), labels)


# --- special: erf -------------------------------------------------------------------------------------------


def _erf_ulps(xs: np.ndarray) -> np.ndarray:
    exact = np.array([math.erf(float(v)) for v in xs])
    return np.abs(special.erf(xs) - exact) / np.spacing(np.abs(exact))


def test_erf_within_its_claim_densely_just_beyond_the_series_switch() -> None:
    """Between 3 and 4 erf is 1 − erfc from the continued fraction; the series there (positive terms, yet
    summed to e^(+t²)-sized totals) drifts to 10 ulps at a few points a grid of step 1/200 can miss."""
    xs = np.linspace(3.0, 4.0, 100_001)
    ulps = _erf_ulps(np.concatenate([xs, -xs]))
    assert np.max(ulps) <= special.ULPS["erf"], np.max(ulps)


def test_erf_at_the_switch_takes_the_continued_fraction_side() -> None:
    """The docstring: the series for |x| < 3, 1 − erfc for |x| ≥ 3. At ±3 the fraction gives math.erf's
    value exactly, where the series would be one ulp above it."""
    np.testing.assert_array_equal(special.erf(np.array([3.0, -3.0])), [math.erf(3.0), -math.erf(3.0)])


def test_erf_of_integers_is_the_float64_erf_of_their_values() -> None:
    got = special.erf(np.array([-2, 0, 1, 5], dtype=np.int64))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, special.erf(np.array([-2.0, 0.0, 1.0, 5.0])))


def test_erf_raises_no_floating_point_signal_from_zero_to_saturation() -> None:
    """Both sides of np.where are computed for every element: the continued fraction at 3 where the series
    is taken (not at t, where 0 would divide by 0), and e^(−t²) underflowing for |x| ≳ 26.6 inside erf's own
    error state (erf is 1 there). Nothing escapes to a caller whose floating-point errors raise."""
    x = np.concatenate([np.linspace(0.0, 6.0, 241), [26.7, 27.0, 30.0, 1e300, np.inf]])
    with np.errstate(all="raise"):
        got = special.erf(np.concatenate([x, -x]))
    n = len(x)
    np.testing.assert_array_equal(got[n:], -got[:n])
    np.testing.assert_array_equal(got[n - 5 : n], [1.0] * 5)


# --- special: the logistic ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_logistic_runs_where_overflow_and_underflow_raise(dtype: Any) -> None:
    """Both tails are handled inside logistic (e^(−x) overflowing, the deep tail recomputed as e^x/(1 + e^x)
    and underflowing): nothing escapes to a caller whose floating-point errors raise, σ(∓∞) is 0 and 1 and
    σ(0) is ½ exactly, and σ never decreases."""
    x = np.array([-np.inf, -1000.0, -745.0, -720.0, -100.0, -90.0, 0.0, 90.0, 1000.0, np.inf], dtype=dtype)
    with np.errstate(all="raise"):
        got = special.logistic(x)
    assert got.dtype == dtype and got[0] == 0.0 and got[-1] == 1.0 and got[6] == 0.5
    assert np.all(np.diff(got) >= 0)


def test_logistic_of_a_scalar_is_a_numpy_scalar_like_numpys_own_functions() -> None:
    values: list[Any] = [0.0, np.float64(-2.0), np.float32(3.0)]
    for value in values:
        got, like = special.logistic(value), np.exp(value)
        assert type(got) is type(like) and not isinstance(got, np.ndarray)
    assert special.logistic(values[0]) == 0.5


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_logistic_of_signed_integers_is_the_float64_logistic_of_their_values(dtype: Any) -> None:
    """Computed in float64 whatever the integer dtype (e^(−x) in float16 for int8 would be 3 digits)."""
    x = np.array([-100, -5, -1, 0, 1, 5, 100], dtype=dtype)
    got = special.logistic(x)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, special.logistic(x.astype(np.float64)))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int64])
def test_logistic_of_integers_does_not_wrap_around(dtype: Any) -> None:
    """−x taken in an integer dtype wraps: σ(1) of a uint8 came out as σ(−255) ≈ 1.8e−111, and σ of int8's
    −128 as σ(+128) ≈ 1. Every integer, the extremes of its dtype included, is its float64 value."""
    info = np.iinfo(dtype)
    x = np.array([info.min, 0, 1, 2, info.max], dtype=dtype)
    np.testing.assert_array_equal(special.logistic(x), special.logistic(x.astype(np.float64)))


def test_logistic_is_computed_as_written_where_e_to_the_minus_x_is_finite() -> None:
    """The docstring: e^(−x), then 1 + e^(−x), then its reciprocal; bit for bit the same as NumPy's."""
    for dtype in (np.float64, np.float32):
        x: Any = np.linspace(-80, 80, 641).astype(dtype)
        np.testing.assert_array_equal(special.logistic(x), 1 / (1 + np.exp(-x)))


def test_complex_logistic_takes_minus_x_or_x_by_the_sign_of_the_real_part() -> None:
    """The docstring: 1/(1 + e^(−x)) where Re x ≥ 0 (Re x = 0 included), e^x/(1 + e^x) where Re x < 0.
    The two forms agree mathematically but not in every bit: pure imaginary x and 0 < Re x < 1 tell them
    apart, so each element is compared with the form its sign picks."""
    re_part = np.array([-2.0, -0.5, -0.0, 0.0, 0.25, 0.5, 0.9, 1.5])
    im_part = np.array([3.0, -2.0, 1.0, 0.3])
    x: Any = (re_part[:, None] + 1j * im_part[None, :]).ravel()
    upper = 1 / (1 + np.exp(-x))
    lower = np.exp(x) / (1 + np.exp(x))
    expected = np.where(x.real >= 0, upper, lower)
    np.testing.assert_array_equal(special.logistic(x), expected)
    assert not np.array_equal(upper, lower)


# --- special: the series helpers ----------------------------------------------------------------------------


def test_series_split_at_and_around_its_switch() -> None:
    """|x| < switch is the series' side (x there, 0 elsewhere); |x| = switch is the closed form's side (x
    there, the switch on the series' side)."""
    x = np.array([-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 2.0])
    small, on_series, on_closed = special.series_split(x, 0.5)
    np.testing.assert_array_equal(small, [False, False, True, True, True, False, False])
    np.testing.assert_array_equal(on_series, [0.0, 0.0, -0.25, 0.0, 0.25, 0.0, 0.0])
    np.testing.assert_array_equal(on_closed, [-0.75, -0.5, 0.5, 0.5, 0.5, 0.5, 2.0])


def test_series_helpers_at_their_switch_use_the_closed_form() -> None:
    """At |x| = switch each helper is its closed form exactly (for the two derivatives the series there is
    an ulp away, so a switch that took |x| ≤ switch would show)."""
    t = np.array([0.5, -0.5])
    np.testing.assert_array_equal(special.expm1_over_x(t), np.expm1(t) / t)
    np.testing.assert_array_equal(special.expm1_over_x_derivative(t), (t * np.exp(t) - np.expm1(t)) / (t * t))
    s = np.array([0.1, -0.1])
    np.testing.assert_array_equal(special.neg_log1m_over_x(s), -np.log1p(-s) / s)
    np.testing.assert_array_equal(
        special.neg_log1m_over_x_derivative(s), (s / (1.0 - s) + np.log1p(-s)) / (s * s)
    )


def test_horner_with_one_coefficient_is_that_constant_and_keeps_the_dtype() -> None:
    t = np.array([0.0, 2.0, -3.0], dtype=np.float32)
    got = special.horner((1.5,), t)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [1.5, 1.5, 1.5])
    np.testing.assert_array_equal(special.horner((1.0, -2.0, 0.5, 4.0), np.array([2.0])), [1 - 4 + 2 + 32])
