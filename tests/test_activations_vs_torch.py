"""Each activation and its derivative against torch, elementwise, over a wide range and exactly at kinks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from handmlp import ACTIVATIONS, get_activation
from reference.oracle.compare import assert_within_bound, unit_roundoff
from reference.twins.activations import activation_twin, torch_activation
from tests.matrix import ACTIVATIONS as SETTINGS
from tests.matrix import DTYPES
from tests.torch_values import activation_value_and_derivative as _torch_value_and_derivative

Z = np.concatenate([-np.logspace(-4, 2, 200), [0.0], np.logspace(-4, 2, 200), np.linspace(-5, 5, 101)])


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", list(SETTINGS))
def test_activation_value_and_derivative_match_torch(name: str, dtype: type) -> None:
    act = get_activation(name, **SETTINGS[name])
    z = Z.astype(dtype)
    act.build(z.shape[0], np.dtype(dtype))
    value, derivative = _torch_value_and_derivative(name, z)
    twin, u = activation_twin(act), unit_roundoff(dtype)
    z64 = z.astype(np.float64)
    assert act.forward(z).dtype == dtype and act.derivative(z).dtype == dtype
    assert_within_bound(
        f"{name}(z)", act.forward(z), value, 2 * twin.forward_ulps * u * twin.forward_magnitude(act, z64)
    )
    assert_within_bound(
        f"{name}'(z)",
        act.derivative(z),
        derivative,
        2 * twin.derivative_ulps * u * twin.derivative_magnitude(act, z64),
    )


KINKS = {
    "relu": [0.0],
    "leaky_relu": [0.0],
    "elu": [0.0],
    "prelu": [0.0],
    "hardtanh": [-1.0, 1.0],
    "softsign": [0.0],
    "softplus": [10.0, 10.000001],  # beta·z crosses torch's threshold of 20
}


@pytest.mark.parametrize("name", list(KINKS))
def test_derivative_at_kink_is_torchs_choice(name: str) -> None:
    z = np.array(KINKS[name])
    act = get_activation(name, **SETTINGS[name])
    act.build(1, np.dtype(np.float64))
    _, torch_derivative = _torch_value_and_derivative(name, z)
    assert np.array_equal(act.derivative(z), torch_derivative), (act.derivative(z), torch_derivative)


def test_kink_conventions_are_the_documented_ones() -> None:
    zero = np.zeros(1)
    assert get_activation("relu").derivative(zero)[0] == 0.0
    assert get_activation("leaky_relu", negative_slope=0.1).derivative(zero)[0] == 0.1
    assert get_activation("elu", alpha=1.3).derivative(zero)[0] == 1.3
    assert np.array_equal(get_activation("hardtanh").derivative(np.array([-1.0, 1.0])), [0.0, 0.0])
    prelu = get_activation("prelu", init=0.3)
    assert prelu.derivative(zero)[0] == 0.3 and prelu.parameter_derivatives(zero)["weight"][0] == 0.0


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma() -> None:
    z = np.linspace(-6, 6, 13)
    s = 1 / (1 + np.exp(-z))
    assert np.array_equal(get_activation("sigmoid").derivative(z), s * (1 - s))


def test_registry_names_every_torch_twin() -> None:
    assert set(SETTINGS) - {"gelu_tanh"} <= set(ACTIVATIONS)
    for name in SETTINGS:
        assert isinstance(torch_activation(get_activation(name, **SETTINGS[name])), torch.nn.Module)


def test_activation_without_twin_is_refused_clearly() -> None:
    class Cube(type(get_activation("identity"))):  # type: ignore[misc]
        name = "cube"

    with pytest.raises(ValueError, match=r"cube.*no torch twin"):
        torch_activation(Cube())


def test_value_and_gradient_aliases_name_the_same_functions() -> None:
    z = np.linspace(-3, 3, 7)
    act = get_activation("tanh")
    assert np.array_equal(act.value(z), act.forward(z)) and np.array_equal(act(z), act.forward(z))
    assert np.array_equal(act.gradient(z), act.derivative(z))
