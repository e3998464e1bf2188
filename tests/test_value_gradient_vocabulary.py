"""One vocabulary for activations and losses (`value`, `gradient`), the other spelling kept only as aliases
that return the very same arrays (`forward`, `derivative`, `parameter_derivatives`, calling the object); one
registry of every activation, built once; one logistic function, used by everything that needs σ."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np
import pytest

import handmlp
from handmlp import ACTIVATIONS, MLP, get_activation, get_loss
from handmlp.activation_base import Activation
from handmlp.activations import TORCH_ACTIVATIONS
from handmlp.extra_activations import EXTRA_ACTIVATIONS
from handmlp.perceptron import threshold_neuron
from handmlp.special import logistic
from tests.matrix import LOSSES, make_targets

SETTINGS: dict[str, dict[str, Any]] = {
    "leaky_relu": {"negative_slope": 0.2},
    "elu": {"alpha": 0.7},
    "softplus": {"beta": 1.5, "threshold": 10.0},
    "gelu": {"approximate": "tanh"},
    "hardtanh": {"min_val": -0.5, "max_val": 2.0},
    "prelu": {"num_parameters": 1, "init": 0.1},
    "isru": {"alpha": 0.3},
    "swish_beta": {"num_parameters": 1, "init": 0.8},
    "soft_exponential": {"num_parameters": 1, "init": -0.2},
}
Z = np.linspace(-4, 4, 33)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_aliases_return_the_same_arrays(name: str) -> None:
    act = get_activation(name, **SETTINGS.get(name, {}))
    value, gradient = act.value(Z), act.gradient(Z)
    assert np.array_equal(act.forward(Z), value, equal_nan=True) and np.array_equal(
        act(Z), value, equal_nan=True
    )
    assert np.array_equal(act.derivative(Z), gradient, equal_nan=True)
    assert np.array_equal(act.derivative(Z, value), act.gradient(Z, value), equal_nan=True)
    pairs = zip(act.parameter_derivatives(Z).items(), act.parameter_gradients(Z).items())
    assert all(k1 == k2 and np.array_equal(v1, v2, equal_nan=True) for (k1, v1), (k2, v2) in pairs)


@pytest.mark.parametrize("loss", [*LOSSES, "zero_one"])
def test_loss_aliases_return_the_same_values(loss: str) -> None:
    rng = np.random.default_rng(0)
    y_hat = rng.uniform(0.05, 0.95, size=(4, 3))
    y = make_targets("hinge" if loss == "zero_one" else loss, 4, 3, rng, np.float64)
    fn = get_loss(loss, "sum")
    assert fn(y_hat, y) == fn.value(y_hat, y)
    if loss != "zero_one":
        assert np.array_equal(fn.derivative(y_hat, y), fn.gradient(y_hat, y))


class _Cube(Activation):
    """g(z) = z³, g′ = 3z²: an activation written in the documented vocabulary only."""

    name = "cube"

    def value(self, z: np.ndarray) -> np.ndarray:
        return z * z * z

    def gradient(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return 3.0 * z * z


def test_an_activation_written_with_value_and_gradient_runs_in_the_network() -> None:
    net = MLP([2, 3, 1], [_Cube(), "identity"], seed=0)
    x, y = np.array([[0.5, -1.0]]), np.array([[0.3]])
    _, grads = net.loss_and_gradients(x, y, get_loss("half_squared_error"))
    z = x @ net.weights[0].T + net.biases[0]
    assert np.array_equal(net.forward(x), (z**3) @ net.weights[1].T + net.biases[1])
    assert set(grads) == {"0.weight", "0.bias", "2.weight", "2.bias"}


def test_one_registry_of_every_activation_built_once() -> None:
    assert ACTIVATIONS == {**TORCH_ACTIVATIONS, **EXTRA_ACTIVATIONS}
    assert not set(TORCH_ACTIVATIONS) & set(EXTRA_ACTIVATIONS)
    assert all(cls.name == name for name, cls in ACTIVATIONS.items())
    assert handmlp.ACTIVATIONS is ACTIVATIONS and len(ACTIVATIONS) == 19


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_get_activation_rebuilds_every_activation_from_its_settings(name: str) -> None:
    act = get_activation(name, **SETTINGS.get(name, {}))
    again = get_activation(name, **act.settings())
    assert type(again) is type(act) and again.settings() == act.settings() and repr(again) == repr(act)
    assert get_activation(act) is act


def test_gelu_tanh_is_gelu_with_the_tanh_approximation() -> None:
    assert get_activation("gelu_tanh").settings() == {"approximate": "tanh"}


def test_one_logistic_for_every_sigma() -> None:
    s = logistic(Z)
    assert np.array_equal(get_activation("sigmoid").value(Z), s)
    assert np.array_equal(get_activation("silu").value(Z), Z * s)
    assert np.array_equal(get_activation("swish_beta", init=1.0).value(Z), Z * s)
    assert np.array_equal(get_activation("softplus").gradient(Z), s)
    y = np.full((1, Z.size), 0.25)
    assert np.array_equal(get_loss("bce_with_logits", "sum").gradient(Z[np.newaxis], y), s[np.newaxis] - y)
    assert np.array_equal(threshold_neuron(Z[:, np.newaxis], [0.0, 1.0]), s)


def test_no_module_but_special_writes_the_logistic_out() -> None:
    package = pathlib.Path(handmlp.__file__).parent
    for path in package.rglob("*.py"):
        if path.name != "special.py":
            text = path.read_text()
            assert "1.0 + np.exp(" not in text and "1 + np.exp(" not in text, path
