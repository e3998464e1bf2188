"""Each activation and its derivative against torch, elementwise: over a wide range, at extreme inputs
(±1000, subnormal, huge) in both dtypes, and exactly at every kink and threshold; each bound pinned from the
other side by a planted relative error of 1e-6 that it must catch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from handmlp import ACTIVATIONS, get_activation
from handmlp.activations import TORCH_ACTIVATIONS, Hardtanh
from handmlp.special import logistic
from reference.oracle.bounds import BOTH_SIDES
from reference.oracle.compare import assert_within_bound, compare_within_bound, unit_roundoff
from reference.twins.activations import activation_twin, torch_activation
from tests.matrix import ACTIVATIONS as SETTINGS
from tests.matrix import DTYPES
from tests.torch_values import activation_value_and_derivative as _torch_value_and_derivative

Z = np.concatenate([-np.logspace(-4, 2, 200), [0.0], np.logspace(-4, 2, 200), np.linspace(-5, 5, 101)])


def _extreme(dtype: Any) -> np.ndarray:
    """0, the smallest subnormal and normal, tiny, ordinary, saturating (±30, ±100, ±1000) and huge (1e15)."""
    info = np.finfo(dtype)
    deep = [1e-300] if dtype == np.float64 else []
    tiny = [float(info.smallest_subnormal), float(info.tiny), *deep, 1e-30]
    magnitudes = np.array([*tiny, 1e-8, 0.5, 30.0, 100.0, 1000.0, 1e15])
    return np.concatenate([[0.0], magnitudes, -magnitudes]).astype(dtype)


def _activation(name: str, size: int, dtype: Any) -> Any:
    act = get_activation(name, **SETTINGS[name])
    act.build(size, np.dtype(dtype))
    return act


def _bounds(act: Any, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    twin, u, z64 = activation_twin(act), unit_roundoff(z.dtype), z.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return BOTH_SIDES * twin.forward_bound(act, z64, u), BOTH_SIDES * twin.derivative_bound(act, z64, u)


DTYPE_IDS = {"ids": lambda d: np.dtype(d).name}


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("name", list(SETTINGS))
def test_activation_value_and_derivative_match_torch(name: str, dtype: type) -> None:
    z = Z.astype(dtype)
    act = _activation(name, z.size, dtype)
    value, derivative = _torch_value_and_derivative(act, z)
    value_bound, derivative_bound = _bounds(act, z)
    assert act.value(z).dtype == dtype and act.gradient(z).dtype == dtype
    assert_within_bound(f"{name}(z)", act.value(z), value, value_bound)
    assert_within_bound(f"{name}'(z)", act.gradient(z), derivative, derivative_bound)


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("name", list(SETTINGS))
def test_activation_at_extreme_inputs_matches_torch(name: str, dtype: type) -> None:
    """Finite where torch is finite (and within the bound), the same infinities and NaNs where it has them."""
    z = _extreme(dtype)
    act = _activation(name, z.size, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        ours = {"value": act.value(z), "derivative": act.gradient(z)}
    theirs = dict(zip(ours, _torch_value_and_derivative(act, z)))
    bounds = dict(zip(ours, _bounds(act, z)))
    for kind, got in ours.items():
        expected = theirs[kind]
        finite = np.isfinite(expected)
        same = np.array_equal(got[~finite], expected[~finite], equal_nan=True)
        assert same, (kind, z[~finite], got[~finite], expected[~finite])
        assert np.all(np.isfinite(got[finite])), (kind, z[finite], got[finite])
        label = f"{name} {kind} at {z[finite]}"
        assert_within_bound(label, got[finite], expected[finite], bounds[kind][finite])


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("name", list(SETTINGS))
def test_bound_catches_a_relative_error_of_1e_6(name: str, dtype: type) -> None:
    """The other side of the bound: a value or derivative off by a factor (1 + 1e-6) fails (float64), as does
    one off by (1 + 1e-3) in float32."""
    z = Z.astype(dtype)
    act = _activation(name, z.size, dtype)
    factor = 1e-6 if dtype == np.float64 else 1e-3
    value, derivative = _torch_value_and_derivative(act, z)
    value_bound, derivative_bound = _bounds(act, z)
    planted_value = act.value(z).astype(np.float64) * (1 + factor)
    planted_derivative = act.gradient(z).astype(np.float64) * (1 + factor)
    assert not compare_within_bound(name, planted_value, value, value_bound).passed
    assert not compare_within_bound(name, planted_derivative, derivative, derivative_bound).passed


# Every kink and threshold, probed exactly; torch's derivative there is the convention.
KINKS: dict[str, list[float]] = {
    "relu": [0.0],
    "leaky_relu": [0.0],
    "elu": [0.0],
    "prelu": [0.0],
    "hardtanh": [-1.0, 1.0],
    "softsign": [0.0],
    "softplus": [10.000001],  # beta·z just above torch's threshold of 20: the identity, derivative exactly 1
}


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("name", list(KINKS))
def test_value_and_derivative_at_kink_are_torchs_exactly(name: str, dtype: type) -> None:
    z = np.array(KINKS[name], dtype=dtype)
    act = _activation(name, 1, dtype)
    value, derivative = _torch_value_and_derivative(act, z)
    assert np.array_equal(act.gradient(z), derivative), (act.gradient(z), derivative)
    assert np.array_equal(act.value(z), value), (act.value(z), value)


def test_kink_conventions_are_the_documented_ones() -> None:
    zero = np.zeros(1)
    assert get_activation("relu").gradient(zero)[0] == 0.0
    assert get_activation("leaky_relu", negative_slope=0.1).gradient(zero)[0] == 0.1
    assert get_activation("elu", alpha=1.3).gradient(zero)[0] == 1.3
    assert np.array_equal(get_activation("hardtanh").gradient(np.array([-1.0, 1.0])), [0.0, 0.0])
    assert np.array_equal(get_activation("hardtanh").gradient(np.array([-0.999, 0.999])), [1.0, 1.0])
    prelu = get_activation("prelu", init=0.3)
    assert prelu.gradient(zero)[0] == 0.3 and prelu.parameter_gradients(zero)["weight"][0] == 0.0
    assert get_activation("softsign").gradient(zero)[0] == 1.0


def test_softplus_threshold_is_strict_like_torch() -> None:
    """β·z = threshold takes the σ branch (torch tests β·z > threshold), just above it the identity."""
    act = get_activation("softplus", beta=2.0, threshold=20.0)
    at, above = np.array([10.0]), np.array([np.nextafter(10.0, 11.0)])
    assert act.gradient(at)[0] == logistic(np.array([20.0]))[0] < 1.0
    assert act.value(above)[0] == above[0] and act.gradient(above)[0] == 1.0
    _, torch_at = _torch_value_and_derivative(act, at)
    assert torch_at[0] < 1.0


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
def test_sigmoid_is_one_half_at_zero_exactly(dtype: type) -> None:
    zero = np.zeros(1, dtype=dtype)
    sigmoid = get_activation("sigmoid")
    assert sigmoid.value(zero)[0] == 0.5 and sigmoid.gradient(zero)[0] == 0.25
    assert get_activation("silu").gradient(zero)[0] == 0.5 and get_activation("gelu").gradient(zero)[0] == 0.5


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma() -> None:
    z = np.linspace(-6, 6, 13)
    s = logistic(z)
    assert np.array_equal(get_activation("sigmoid").gradient(z), s * (1 - s))
    assert np.array_equal(get_activation("sigmoid").gradient(z, a=s), s * (1 - s))


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("edges", [(0.0, 0.0), (-0.5, -0.5), (-2.0, 3.0)], ids=str)
def test_hardtanh_edges_match_torch_including_equal_edges(edges: tuple[float, float], dtype: type) -> None:
    low, high = edges
    act = Hardtanh(min_val=low, max_val=high)
    z = np.array([low - 1, low, (low + high) / 2, high, high + 1, 0.0], dtype=dtype)
    value, derivative = _torch_value_and_derivative(act, z)
    assert np.array_equal(act.value(z), value) and np.array_equal(act.gradient(z), derivative)


def test_registry_names_every_torch_twin() -> None:
    assert set(SETTINGS) - {"gelu_tanh"} == set(TORCH_ACTIVATIONS) <= set(ACTIVATIONS)
    for name in SETTINGS:
        assert isinstance(torch_activation(get_activation(name, **SETTINGS[name])), torch.nn.Module)


def test_activation_without_twin_is_refused_clearly() -> None:
    class Cube(type(get_activation("identity"))):  # type: ignore[misc]
        name = "cube"

    with pytest.raises(ValueError, match=r"cube.*no torch twin"):
        torch_activation(Cube())
