"""An oracle that cannot fail is worthless: each realistic bug planted in handmlp must turn the check red."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import handmlp.activations as activations
import handmlp.losses as losses
import handmlp.mlp as mlp
from handmlp import MLP, get_activation, get_loss
from handmlp.linear import linear_backward
from reference.oracle.autograd import assert_matches_autograd, compare_with_autograd
from tests.torch_values import activation_value_and_derivative, loss_value_and_gradient

Patch = Callable[[pytest.MonkeyPatch], None]


def _sigmoid_without_one_minus_sigma(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(activations.Sigmoid, "derivative", lambda self, z, a=None: self.forward(z))


def _erratum_e5_g_instead_of_g_prime(mp: pytest.MonkeyPatch) -> None:
    """E5: the delta rule printed with g(z_j) where the derivative g′(z_j) belongs."""
    mp.setattr(activations.Tanh, "derivative", lambda self, z, a=None: np.tanh(z))


def _transposed_weight_in_delta_recursion(mp: pytest.MonkeyPatch) -> None:
    def wrong(delta: Any, a_prev: Any, weight: Any) -> Any:
        grad_w, grad_b, _ = linear_backward(delta, a_prev, weight)
        return grad_w, grad_b, delta @ weight.T

    mp.setattr(mlp, "linear_backward", wrong)


def _missing_bias_gradient(mp: pytest.MonkeyPatch) -> None:
    def wrong(delta: Any, a_prev: Any, weight: Any) -> Any:
        grad_w, grad_b, grad_a = linear_backward(delta, a_prev, weight)
        return grad_w, np.zeros_like(grad_b), grad_a

    mp.setattr(mlp, "linear_backward", wrong)


def _sum_where_mean_belongs(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(
        losses.Loss, "gradient", lambda self, y_hat, y: self.elementwise_gradient(*self._checked(y_hat, y))
    )


def _sign_flip_in_loss_gradient(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(losses.HalfSquaredError, "elementwise_gradient", lambda self, y_hat, y: y - y_hat)


def _weight_gradient_off_by_one_ppm(mp: pytest.MonkeyPatch) -> None:
    """A wrong factor of (1 + 1e-6), the size a float64 check must catch (README: comparisons)."""

    def wrong(delta: Any, a_prev: Any, weight: Any) -> Any:
        grad_w, grad_b, grad_a = linear_backward(delta, a_prev, weight)
        return grad_w * (1 + 1e-6), grad_b, grad_a

    mp.setattr(mlp, "linear_backward", wrong)


def _input_gradient_off_by_1e8(mp: pytest.MonkeyPatch) -> None:
    """The issue's target: a float64 gradient scaled by (1 + 1e-8) is caught."""

    def wrong(delta: Any, a_prev: Any, weight: Any) -> Any:
        grad_w, grad_b, grad_a = linear_backward(delta, a_prev, weight)
        return grad_w, grad_b, grad_a * (1 + 1e-8)

    mp.setattr(mlp, "linear_backward", wrong)


def _prelu_slope_gradient_not_summed_over_units(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(mlp, "sum_to_shape", lambda values, shape: values.sum(axis=0)[: shape[0]].reshape(shape))


PLANTED: dict[str, tuple[Patch, str, str, list[str]]] = {
    # bug: (patch, activation, loss, the tensors that must fail)
    "sigmoid_derivative_without_one_minus_sigma": (
        _sigmoid_without_one_minus_sigma,
        "sigmoid",
        "half_squared_error",
        ["0.weight", "2.weight", "input"],
    ),
    "erratum_E5_g_instead_of_g_prime": (
        _erratum_e5_g_instead_of_g_prime,
        "tanh",
        "squared_error",
        ["0.weight"],
    ),
    "transposed_weight_in_delta_recursion": (
        _transposed_weight_in_delta_recursion,
        "tanh",
        "half_squared_error",
        ["0.weight", "input"],
    ),
    "missing_bias_gradient": (_missing_bias_gradient, "relu", "l1", ["0.bias"]),
    "sum_where_mean_belongs": (_sum_where_mean_belongs, "sigmoid", "squared_error", ["0.weight", "input"]),
    "sign_flip_in_loss_gradient": (_sign_flip_in_loss_gradient, "elu", "half_squared_error", ["0.weight"]),
    "weight_gradient_off_by_one_ppm": (
        _weight_gradient_off_by_one_ppm,
        "gelu",
        "cross_entropy",
        ["0.weight"],
    ),
    "input_gradient_off_by_1e-8": (_input_gradient_off_by_1e8, "softplus", "bce_with_logits", ["input"]),
    "prelu_slope_gradient_not_summed_over_units": (
        _prelu_slope_gradient_not_summed_over_units,
        "prelu",
        "half_squared_error",
        ["1.weight"],
    ),
}


def _square_network(activation: str) -> tuple[MLP, np.ndarray]:
    """4-4-4-4 layers: a transposed weight still has the right shape, and only the numbers are wrong."""
    net = MLP([4, 4, 4, 4], [activation, activation, "identity"], seed=3)
    return net, np.random.default_rng(3).normal(size=(6, 4))


def _targets(loss: str) -> np.ndarray:
    rng = np.random.default_rng(4)
    if loss == "cross_entropy":
        return rng.integers(0, 4, size=6)
    if loss == "bce_with_logits":
        return rng.uniform(size=(6, 4))
    return rng.normal(size=(6, 4))


@pytest.mark.parametrize("bug", list(PLANTED))
def test_planted_bug_fails_the_autograd_comparison(bug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    patch, activation, loss, must_fail = PLANTED[bug]
    net, x = _square_network(activation)
    y = _targets(loss)
    assert_matches_autograd(net, x, y, loss)  # green before the bug is planted
    patch(monkeypatch)
    failed = {r.name for r in compare_with_autograd(net, x, y, loss) if not r.passed}
    assert set(must_fail) <= failed, f"{bug}: expected {must_fail} to fail, failed: {sorted(failed)}"
    with pytest.raises(AssertionError, match="worst at index"):
        assert_matches_autograd(net, x, y, loss)


def test_planted_bug_in_float32_one_percent_factor_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    net = MLP([4, 5, 2], ["tanh", "identity"], dtype=np.float32, seed=1)
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    y = np.zeros((3, 2), dtype=np.float32)
    assert_matches_autograd(net, x, y, "half_squared_error")
    monkeypatch.setattr(
        activations.Tanh, "derivative", lambda self, z, a=None: (1 - np.tanh(z) ** 2) * np.float32(1.0001)
    )
    assert not all(r.passed for r in compare_with_autograd(net, x, y, "half_squared_error"))


def test_relu_derivative_one_at_zero_fails_the_kink_check(monkeypatch: pytest.MonkeyPatch) -> None:
    z = np.array([0.0])
    _, torch_derivative = activation_value_and_derivative("relu", z)
    monkeypatch.setattr(activations.ReLU, "derivative", lambda self, z, a=None: (z >= 0).astype(z.dtype))
    assert not np.array_equal(get_activation("relu").derivative(z), torch_derivative)


def test_hinge_without_the_margin_fails_the_kink_check(monkeypatch: pytest.MonkeyPatch) -> None:
    y_hat, y = np.array([[1.0]]), np.array([[1.0]])
    _, torch_grad = loss_value_and_gradient("hinge", "sum", y_hat, y)
    monkeypatch.setattr(
        losses.Hinge, "elementwise_gradient", lambda self, y_hat, y: np.where(1.0 - y * y_hat > 0, -y, 0.0)
    )
    assert not np.array_equal(get_loss("hinge", "sum").gradient(y_hat, y), torch_grad)
