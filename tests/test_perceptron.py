"""Rosenblatt's perceptron (C1), the delta rule (C2, C6, C7) and the threshold neuron (C11) against
independent torch formulations (`reference.twins.perceptron`),
the tie ⟨w, x⟩ = 0, convergence, Novikoff's bound."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from handmlp.activations import get_activation
from handmlp.perceptron import (
    delta_rule,
    delta_rule_step,
    perceptron_predict,
    perceptron_update,
    rosenblatt,
    sign,
    threshold_class,
    threshold_neuron,
    threshold_neuron_step,
)
from handmlp.special import logistic
from reference.oracle.compare import assert_within_bound, gamma, unit_roundoff
from reference.twins.activations import activation_twin
from reference.twins.perceptron import torch_delta_rule, torch_rosenblatt, torch_threshold_step

Array = Any

BINARY_X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 0], [1, 1, 1], [0, 1, 0]])
BINARY_Y = np.array([-1, 1, -1, 1, 1, 1])


def test_sign_of_zero_is_plus_one() -> None:
    np.testing.assert_array_equal(sign([-2.0, -0.0, 0.0, 3.0]), [-1.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("bias", [False, True])
def test_binary_perceptron_is_bitwise_torchs_formulation(bias: bool) -> None:
    """Binary inputs and ±1 updates keep every weight an integer: all arithmetic is exact on both sides."""
    mine = rosenblatt(BINARY_X, BINARY_Y, epochs=50, bias=bias)
    theirs = torch_rosenblatt(BINARY_X, BINARY_Y, epochs=50, bias=bias)
    weights = np.append(mine.weights, mine.bias) if bias else mine.weights
    np.testing.assert_array_equal(weights, theirs.weights)
    assert mine.mistakes == theirs.mistakes
    assert mine.updates == mine.mistakes


def test_real_inputs_on_a_dyadic_grid_are_bitwise_torchs_formulation() -> None:
    """Inputs that are multiples of 1/8 below 4 keep every weight, product and sum exact in float64."""
    rng = np.random.default_rng(4)
    X = rng.integers(-32, 32, size=(40, 3)) / 8.0
    y = np.where(X @ np.array([1.0, -2.0, 0.5]) + 0.25 >= 0, 1, -1)
    mine = rosenblatt(X, y, epochs=200, bias=True)
    theirs = torch_rosenblatt(X, y, epochs=200, bias=True)
    np.testing.assert_array_equal(np.append(mine.weights, mine.bias), theirs.weights)
    assert mine.mistakes == theirs.mistakes
    assert mine.converged


def test_tie_is_a_mistake_for_minus_one_where_the_plain_subgradient_would_not_update() -> None:
    """From w = 0 every ⟨w, x⟩ is 0: C1 predicts sign(0) = +1, so a first label −1 is a mistake and updates
    w ← w − x, while the subgradient of max(0, −y⟨w, x⟩) at 0 (relu′(0) = 0) leaves w = 0."""
    X, y = np.array([[1.0, 2.0], [2.0, -1.0]]), np.array([-1, 1])
    mine = rosenblatt(X, y, epochs=1)
    tie_aware = torch_rosenblatt(X, y, epochs=1)
    plain = torch_rosenblatt(X, y, epochs=1, tie_rule=False)
    np.testing.assert_array_equal(mine.weights, tie_aware.weights)
    # the first tie is a mistake; the second, ⟨(−1, −2), (2, −1)⟩ = 0 with y = +1, is not ...
    assert mine.mistakes == tie_aware.mistakes == [1]
    assert not np.array_equal(plain.weights, mine.weights)
    np.testing.assert_array_equal(plain.weights, [0.0, 0.0])  # ... while the plain method never moves


def test_tie_with_label_plus_one_is_no_mistake() -> None:
    result = rosenblatt(np.array([[3.0, 1.0]]), np.array([1]), epochs=3)
    assert result.mistakes == [0] and result.converged
    np.testing.assert_array_equal(result.weights, [0.0, 0.0])


def test_converges_on_linearly_separable_data_and_classifies_it() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = np.where(X @ np.array([2.0, -1.0]) + 0.5 >= 0, 1, -1)
    keep = np.abs(X @ np.array([2.0, -1.0]) + 0.5) > 0.2  # a positive margin
    result = rosenblatt(X[keep], y[keep], epochs=1000, bias=True)
    assert result.converged and result.mistakes[-1] == 0
    np.testing.assert_array_equal(perceptron_predict(X[keep], result.weights, result.bias), y[keep])


def test_inseparable_data_stops_after_the_given_epochs() -> None:
    result = rosenblatt([[0, 0], [0, 1], [1, 0], [1, 1]], [-1, 1, 1, -1], epochs=7, bias=True)  # XOR
    assert not result.converged and len(result.mistakes) == 7 and min(result.mistakes) > 0


def _novikoff_cases() -> list[tuple[int, int, int, float]]:
    """Seeded random cases (hypothesis is not installed): seed, samples, dimension, least margin."""
    rng = np.random.default_rng(2024)
    return [
        (
            int(rng.integers(2**32)),
            int(rng.integers(2, 41)),
            int(rng.integers(1, 6)),
            float(rng.uniform(0.05, 1.0)),
        )
        for _ in range(60)
    ]


@pytest.mark.parametrize(("seed", "n", "dim", "min_margin"), _novikoff_cases())
def test_mistakes_never_exceed_novikoffs_bound(seed: int, n: int, dim: int, min_margin: float) -> None:
    """Novikoff: on data separated through the origin by a unit w* with margin γ = min y⟨w*, x⟩ and radius
    R = max‖x‖, the perceptron makes at most (R/γ)² mistakes in all, whatever the order."""
    rng = np.random.default_rng(seed)
    w_star = rng.normal(size=dim)
    w_star /= np.linalg.norm(w_star)
    X = rng.normal(size=(n, dim))
    X = X[np.abs(X @ w_star) >= min_margin]
    if len(X) == 0:
        return
    y = np.where(X @ w_star > 0, 1, -1)
    gamma_margin, radius = float(np.min(y * (X @ w_star))), float(np.max(np.linalg.norm(X, axis=1)))
    bound = (radius / gamma_margin) ** 2
    result = rosenblatt(X, y, epochs=int(bound) + 2)
    assert result.converged
    assert result.total_mistakes <= bound, f"{result.total_mistakes} mistakes > (R/γ)² = {bound:.3f}"


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ([1, 0, 1], "got 0"),
        ([1, 2, -1], "got 2"),
        ([1.0, -1.0, 0.5], "got 0.5"),
        (["a", "b", "a"], "got 'a'"),
    ],
)
def test_labels_other_than_plus_minus_one_are_refused(labels: list[Any], match: str) -> None:
    with pytest.raises(ValueError, match=rf"y: expected labels \+1 or -1 \(C1\), {match}"):
        rosenblatt(np.eye(3), labels)


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "match"),
    [
        (np.eye(3), [1, 1], {}, ValueError, r"y: expected one label per sample, shape \(3,\)"),
        (np.zeros((0, 2)), [], {}, ValueError, r"X: expected shape \(N ≥ 1, features\)"),
        ([[1.0, np.nan]], [1], {}, ValueError, "X: expected finite values"),
        (np.eye(2), [1, -1], {"epochs": 0}, ValueError, "epochs: expected an integer ≥ 1"),
        ([["a"]], [1], {}, TypeError, "X: expected real-valued inputs"),
    ],
)
def test_bad_perceptron_input_is_refused(
    X: Any, y: Any, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        rosenblatt(X, y, **kwargs)


# --- C2, C6, C7: the delta rule is SGD on ½(y − ŷ)² -------------------------------------------------------


def test_one_line_rule_is_sgd_on_half_squared_error_like_torch() -> None:
    """Per step, each side computes ŷ = ⟨w, x⟩ within γ_n·Σ|w_i x_i|, r = y − ŷ within u(|y| + |ŷ|) more, and
    w + ηr·x within γ₃(|w| + η|r x|) more (torch may fuse, never worse). A difference Δ already in w moves
    the new w by at most (I + η|x||x|ᵀ)Δ. Both sides' rounding counts twice; the bound is carried step by
    step."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(8, 2)), rng.normal(size=8)
    eta, epochs = 0.05, 30
    w0 = np.array([0.3, -0.2])
    theirs = torch_delta_rule(X, y, eta, epochs, w0)
    u = unit_roundoff(np.float64)
    w, delta = w0.copy(), np.zeros(2)
    for step, expected in enumerate(theirs):
        x, target = X[step % len(X)], y[step % len(X)]
        y_hat = w @ x
        e_r = gamma(len(x), u) * np.abs(w * x).sum() + u * (abs(target) + abs(y_hat))
        r = target - y_hat
        local = eta * np.abs(x) * e_r + gamma(3, u) * (np.abs(w) + eta * np.abs(r * x))
        delta = delta + eta * np.abs(x) * (np.abs(x) @ delta) + 2.0 * local
        w = delta_rule_step(w, x, target, eta)
        assert_within_bound(f"step {step}: w", w, expected, delta)
    np.testing.assert_array_equal(delta_rule(X, y, eta, epochs, w0), w)


def test_c2_rule_with_step_one_on_normalised_inputs_fits_a_consistent_linear_target() -> None:
    """C2 (η = 1) on unit-norm inputs is the normalised LMS (Kaczmarz) iteration: each update projects w onto
    the sample's hyperplane ⟨w, x⟩ = y, so on consistent data it converges to the exact solution."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    w_true = np.array([0.5, -1.5, 2.0])
    w = delta_rule(X, X @ w_true, eta=1.0, epochs=400)
    u = unit_roundoff(np.float64)
    assert_within_bound("C2 w", w, w_true, 64 * u * np.abs(w_true).sum())


# --- C11: the threshold neuron -----------------------------------------------------------------------------

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def test_c11_or_and_and_gates() -> None:
    np.testing.assert_array_equal(threshold_class(threshold_neuron(GATE_INPUTS, [20, 30, 30])), [1, 2, 2, 2])
    np.testing.assert_array_equal(threshold_class(threshold_neuron(GATE_INPUTS, [20, 15, 15])), [1, 1, 1, 2])
    sigma = logistic(np.array([-10.0, 10.0]))
    assert sigma[0] < 5e-5 and sigma[1] > 1 - 5e-5  # σ(−10) ≈ 0, σ(10) ≈ 1


@pytest.mark.parametrize(("x", "y"), [([1.0, 0.0], 0.0), ([0.5, -0.25], 1.0), ([0.0, 0.0], 1.0)])
def test_c11_update_with_threshold_on_input_minus_one_matches_torch(x: list[float], y: float) -> None:
    """Both sides: z = ⟨w, x̃⟩ within γ₃·Σ|w_i x̃_i|, σ(z) within the sigmoid twin's ulps plus σ′(z)·E_z, the
    factor (ŷ − y)·ŷ·(1 − ŷ)·x̃_i within γ₅ of its size plus its ŷ-derivative times E_ŷ, and the update
    within γ₃(|w| + μ|step|); twice over for the two sides."""
    weights, mu = np.array([0.4, 1.2, -0.7]), 0.5
    mine = threshold_neuron_step(weights, x, y, mu)
    theirs = torch_threshold_step(weights, np.asarray(x), y, mu)
    u = unit_roundoff(np.float64)
    x_tilde = np.concatenate([[-1.0], x])
    z = float(weights @ x_tilde)
    s = float(logistic(np.array([z]))[0])
    e_s = (
        activation_twin(get_activation("sigmoid")).forward_ulps * u * s
        + s * (1 - s) * gamma(3, u) * np.abs(weights * x_tilde).sum()
    )
    factor = (s - y) * s * (1 - s)
    d_factor = abs(3 * s**2 - 2 * s * (1 + y) + y)  # d/dŷ of (ŷ − y)·ŷ·(1 − ŷ)
    e_step = mu * np.abs(x_tilde) * (gamma(5, u) * abs(factor) + d_factor * e_s)
    bound = 2.0 * (e_step + gamma(3, u) * (np.abs(weights) + mu * np.abs(factor * x_tilde)))
    assert_within_bound("C11 weights", mine, theirs, bound)
    assert not np.array_equal(mine, weights) or factor == 0.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"y": ["a", "b"]}, TypeError, "y: expected real targets"),
        ({"y": [1.0]}, ValueError, r"y: expected one target per sample, shape \(2,\)"),
        ({"y": [1.0, np.inf]}, ValueError, "y: expected finite values"),
        ({"eta": -0.1}, ValueError, "eta: expected a finite number ≥ 0"),
        ({"eta": float("nan")}, ValueError, "eta: expected a finite number"),
        ({"eta": True}, TypeError, "eta: expected a real number"),
        ({"epochs": 1.5}, TypeError, "epochs: expected an integer"),
        ({"w": [0.0, 0.0, 0.0]}, ValueError, r"w: expected shape \(2\)"),
    ],
)
def test_bad_delta_rule_input_is_refused(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    args: dict[str, Any] = {"X": np.eye(2), "y": [1.0, 2.0], **kwargs}
    with pytest.raises(error, match=match):
        delta_rule(**args)


def test_bad_threshold_step_size_is_refused() -> None:
    with pytest.raises(ValueError, match="mu: expected a finite number ≥ 0"):
        threshold_neuron_step([20.0, 30.0, 30.0], [1.0, 0.0], 1.0, mu=-1.0)


# --- exact boundaries: sign(0) = +1 (C1) and C11's class threshold at 0.5 ----------------------------------


def test_prediction_on_the_decision_boundary_is_plus_one() -> None:
    """⟨w, x⟩ + b = 0 exactly predicts +1 (sign(0) = +1); one ulp below it predicts −1."""
    X = np.array([[1.0, 1.0], [1.0, 2.0]])
    np.testing.assert_array_equal(perceptron_predict(X, [1.0, -1.0], bias=0.0), [1.0, -1.0])
    np.testing.assert_array_equal(perceptron_predict([[1.0, 1.0]], [1.0, -1.0], bias=-5e-324), [-1.0])
    w, mistake = perceptron_update(np.zeros(2), np.array([1.0, 2.0]), 1.0)
    assert not mistake and np.array_equal(w, np.zeros(2))  # sign(0) = +1 = y: no update


def test_class_threshold_at_exactly_one_half_is_class_two() -> None:
    """C11: class 1 if y < 0.5, else class 2: y = 0.5 (σ(0) exactly) is class 2, the float below class 1."""
    below = np.nextafter(0.5, 0.0)
    np.testing.assert_array_equal(threshold_class(np.array([below, 0.5, np.nextafter(0.5, 1.0)])), [1, 2, 2])
    on_the_threshold = threshold_neuron([[1.0, 1.0]], [2.0, 1.0, 1.0])  # w1·x1 + w2·x2 − w0 = 0
    assert on_the_threshold[0] == 0.5 and threshold_class(on_the_threshold)[0] == 2


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: rosenblatt(np.eye(2), [1, -1], bias="no"), TypeError, "bias: expected True or False"),
        (lambda: rosenblatt(np.eye(2), [1, -1], bias=1), TypeError, "bias: expected True or False"),
        (
            lambda: threshold_neuron_step([0.0, 1.0, 1.0], [1.0, 0.0], np.nan, 0.5),
            ValueError,
            "y: expected a finite",
        ),
        (
            lambda: threshold_neuron_step([0.0, 1.0, 1.0], [1.0, 0.0], "a", 0.5),
            TypeError,
            "y: expected a real number",
        ),
        (
            lambda: threshold_neuron_step([0.0, 1.0, 1.0], "ab", 1.0, 0.5),
            TypeError,
            "x: expected real-valued",
        ),
        (
            lambda: threshold_neuron_step([0.0, 1.0, 1.0], [[1.0, 0.0]], 1.0, 0.5),
            ValueError,
            r"x: expected one sample",
        ),
        (
            lambda: threshold_neuron_step([0.0, 1.0], [1.0, 0.0], 1.0, 0.5),
            ValueError,
            r"weights: expected shape \(3\)",
        ),
        (lambda: threshold_class([0.2, np.nan]), ValueError, "y: expected finite values"),
        (lambda: threshold_class("a"), TypeError, "y: expected an array of real numbers"),
        (lambda: delta_rule_step(np.zeros(2), np.ones(2), "a", 0.1), TypeError, "y: expected a real number"),
        (
            lambda: delta_rule_step(np.zeros(2), np.ones(2), 1.0, -0.1),
            ValueError,
            "eta: expected a finite number ≥ 0",
        ),
        (lambda: perceptron_update(np.zeros(2), np.ones(2), np.nan), ValueError, "y: expected a finite"),
        (lambda: perceptron_predict(np.eye(2), [1.0]), ValueError, r"weights: expected shape \(2\)"),
        (
            lambda: threshold_neuron([[1.0, 0.0]], "abc"),
            TypeError,
            "weights: expected an array of real numbers",
        ),
        (lambda: delta_rule(np.eye(2), [1.0, 0.0], w=[None, "a"]), TypeError, "w: expected an array of real"),
    ],
)
def test_bad_arguments_of_the_single_unit_rules_are_named(
    call: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()


def test_a_refused_threshold_step_leaves_its_inputs_as_they_were() -> None:
    weights, x = np.array([0.4, 1.2, -0.7]), np.array([1.0, 0.5])
    saved = weights.copy(), x.copy()
    with pytest.raises(ValueError, match="y"):
        threshold_neuron_step(weights, x, np.inf, 0.5)
    assert np.array_equal(weights, saved[0]) and np.array_equal(x, saved[1])
    mine = threshold_neuron_step(weights, x, 1.0, 0.5)
    assert mine is not weights and np.array_equal(weights, saved[0])
