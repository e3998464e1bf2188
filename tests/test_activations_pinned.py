"""What the torch comparisons left loose, pinned against torch: every activation's default settings are
torch's, and at z = ±0 the piecewise activations give torch's signed zeros (value, derivative and PReLU's
weight gradient), for positive and negative slopes."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
import torch

from handmlp import get_activation
from handmlp.activations import TORCH_ACTIVATIONS, PReLU
from tests.matrix import DTYPES
from tests.torch_values import activation_value_and_derivative

SIGNED_ZEROS = [-0.0, 0.0]


def _dtype_name(dtype: Any) -> str:
    return np.dtype(dtype).name


def _same_bits(ours: np.ndarray, theirs: np.ndarray) -> bool:
    """Equal values and equal signs, so that −0 and +0 differ."""
    return np.array_equal(ours, theirs) and np.array_equal(np.signbit(ours), np.signbit(theirs))


@pytest.mark.parametrize("name", list(TORCH_ACTIVATIONS))
def test_every_activation_defaults_to_torchs_settings(name: str) -> None:
    """Each class is named as its torch.nn twin; a bare one has the settings torch's bare module has."""
    ours = TORCH_ACTIVATIONS[name]().settings()
    torch_defaults = inspect.signature(getattr(torch.nn, TORCH_ACTIVATIONS[name].__name__)).parameters
    assert ours == {key: torch_defaults[key].default for key in ours}


def test_prelu_default_slope_is_torchs_initial_weight() -> None:
    assert np.array_equal(PReLU().parameters()["weight"], torch.nn.PReLU().weight.detach().numpy())


def _shown(name: str, settings: dict[str, Any]) -> str:
    return f"{name}({','.join(f'{k}={v}' for k, v in settings.items())})"


KINK_SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("leaky_relu", {"negative_slope": 0.1}),
    ("leaky_relu", {"negative_slope": -0.5}),
    ("elu", {}),
    ("elu", {"alpha": -0.5}),
    ("prelu", {"init": 0.2}),
    ("prelu", {"init": -0.5}),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=_dtype_name)
@pytest.mark.parametrize(("name", "settings"), KINK_SETTINGS, ids=[_shown(n, s) for n, s in KINK_SETTINGS])
def test_piecewise_activations_give_torchs_signed_zero_at_the_kink(
    name: str, settings: dict[str, Any], dtype: type
) -> None:
    """torch's leaky_relu and prelu give s·z at ±0 (−0 times a negative slope is +0), its elu z itself."""
    z: np.ndarray = np.array(SIGNED_ZEROS, dtype=dtype)
    act = get_activation(name, **settings)
    act.build(z.size, np.dtype(dtype))
    value, derivative = activation_value_and_derivative(act, z)
    assert _same_bits(act.value(z), value), (act.value(z), value)
    assert _same_bits(act.gradient(z), derivative), (act.gradient(z), derivative)


@pytest.mark.parametrize("dtype", DTYPES, ids=_dtype_name)
@pytest.mark.parametrize("init", [0.2, -0.5])
def test_prelu_weight_gradient_is_torchs_per_unit_one_signed_zeros_included(init: float, dtype: type) -> None:
    """∂prelu/∂w is z where z ≤ 0 (−0 at −0) and 0 where z > 0: torch's weight gradient of a per-unit PReLU
    fed one sample, where each slope sees one element."""
    z: np.ndarray = np.array([*SIGNED_ZEROS, -1.5, 2.0], dtype=dtype)
    act = PReLU(num_parameters=z.size, init=init)
    act.build(z.size, np.dtype(dtype))
    module = torch.nn.PReLU(num_parameters=z.size, init=init, dtype=getattr(torch, np.dtype(dtype).name))
    module(torch.from_numpy(z.copy()).reshape(1, -1)).sum().backward()
    assert module.weight.grad is not None
    theirs = module.weight.grad.numpy()
    ours = act.parameter_gradients(z)["weight"]
    assert _same_bits(ours, theirs), (ours, theirs)
