"""The torch twin of each handmlp activation, and the rounding model of the formulas both sides evaluate.

`ulps` counts the roundings of the formula (an elementary function such as exp, tanh, log1p or erf
counts 8: libm and SIMD kernels are within 4 ulps, handmlp's erf within 8); `forward_magnitude` and
`derivative_magnitude` are the summed magnitudes of the terms the formula adds, so that a local rounding
error is bounded by ulps·u·magnitude even where the formula cancels (1 − σ, 1 + erf for negative z).
`forward_bound` and `derivative_bound` add the underflow term of the rounding model (Higham §2.1): below
the smallest normal number λ a result carries an absolute error up to λ (gradual underflow, or torch's
1/(1 + e^(−z)) giving 0 where e^(−z) overflows and the exact σ is below 1/floatmax < λ).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from handmlp.activations import GELU_TANH_COEFFICIENT, SQRT_2_OVER_PI, Activation, gelu_tanh_inner
from handmlp.special import erf, logistic

Array = NDArray[Any]
Magnitude = Callable[[Activation, Array], Array]


def _abs_forward(act: Activation, z: Array) -> Array:
    return np.abs(act.value(z))


def _abs_derivative(act: Activation, z: Array) -> Array:
    return np.abs(act.gradient(z))


@dataclass(frozen=True)
class ActivationTwin:
    """How to build the torch module for an activation, and how its formulas round."""

    module: Callable[[Activation], torch.nn.Module] | None
    forward_ulps: float
    derivative_ulps: float
    forward_magnitude: Magnitude = _abs_forward
    derivative_magnitude: Magnitude = _abs_derivative

    def forward_bound(self, act: Activation, z: Array, u: float) -> Array:
        """One side's error bound on g(z) at exact z: ulps·u·magnitude, plus λ for underflow."""
        return self.forward_ulps * u * self.forward_magnitude(act, z) + smallest_normal(u)

    def derivative_bound(self, act: Activation, z: Array, u: float) -> Array:
        """One side's error bound on g′(z) at exact z: ulps·u·magnitude, plus λ for underflow."""
        return self.derivative_ulps * u * self.derivative_magnitude(act, z) + smallest_normal(u)


def smallest_normal(u: float) -> float:
    """λ, the smallest positive normal number of the float type whose unit roundoff is u."""
    dtype = np.float32 if u == float(np.finfo(np.float32).eps) / 2.0 else np.float64
    return float(np.finfo(dtype).tiny)


def _sigmoid_derivative_magnitude(act: Activation, z: Array) -> Array:
    s = act.value(z)
    return s * (1.0 + s)  # σ·(1 − σ): the subtraction adds magnitudes 1 and σ


def _tanh_derivative_magnitude(act: Activation, z: Array) -> Array:
    t = np.tanh(z)
    return 1.0 + t * t


def _silu_derivative_magnitude(act: Activation, z: Array) -> Array:
    s = logistic(z)
    return s * (1.0 + np.abs(z) * (1.0 + s))


def _softsign_derivative_magnitude(act: Activation, z: Array) -> Array:
    d = 1.0 + np.abs(z)
    return 1.0 / d + np.abs(z) / (d * d)  # torch's autograd: 1/(1 + |z|) − z·sign(z)/(1 + |z|)²


def _gelu_forward_magnitude(act: Activation, z: Array) -> Array:
    return 0.5 * np.abs(z) * (1.0 + np.abs(_gelu_inner(act, z)))


def _gelu_derivative_magnitude(act: Activation, z: Array) -> Array:
    inner = _gelu_inner(act, z)
    if getattr(act, "approximate", "none") == "tanh":
        d_inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEFFICIENT * z * z)
        return 0.5 * (1.0 + np.abs(inner)) + 0.5 * np.abs(z) * (1.0 + inner * inner) * d_inner
    return 0.5 * (1.0 + np.abs(inner)) + np.abs(z) * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def _gelu_inner(act: Activation, z: Array) -> Array:
    if getattr(act, "approximate", "none") == "tanh":
        return np.tanh(gelu_tanh_inner(z))
    return erf(z / np.sqrt(2.0))


def _prelu_module(act: Activation) -> torch.nn.Module:
    weight = torch.from_numpy(act.parameters()["weight"].copy())
    module = torch.nn.PReLU(num_parameters=weight.numel(), dtype=weight.dtype)
    with torch.no_grad():
        module.weight.copy_(weight)
    return module


class _Hardtanh(torch.nn.Module):
    """torch.nn.functional.hardtanh as a module: it accepts min_val = max_val, which nn.Hardtanh refuses."""

    def __init__(self, min_val: float, max_val: float) -> None:
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.hardtanh(z, self.min_val, self.max_val)


def _settings(act: Activation) -> dict[str, Any]:
    return act.settings()


ACTIVATION_TWINS: dict[str, ActivationTwin] = {
    "identity": ActivationTwin(lambda a: torch.nn.Identity(), 0, 0),
    "sigmoid": ActivationTwin(
        lambda a: torch.nn.Sigmoid(), 10, 12, derivative_magnitude=_sigmoid_derivative_magnitude
    ),
    "tanh": ActivationTwin(lambda a: torch.nn.Tanh(), 8, 10, derivative_magnitude=_tanh_derivative_magnitude),
    "relu": ActivationTwin(lambda a: torch.nn.ReLU(), 0, 0),
    "leaky_relu": ActivationTwin(lambda a: torch.nn.LeakyReLU(**_settings(a)), 1, 0),
    "elu": ActivationTwin(lambda a: torch.nn.ELU(**_settings(a)), 10, 10),
    "softplus": ActivationTwin(lambda a: torch.nn.Softplus(**_settings(a)), 20, 12),
    "silu": ActivationTwin(
        lambda a: torch.nn.SiLU(), 12, 14, derivative_magnitude=_silu_derivative_magnitude
    ),
    "gelu": ActivationTwin(
        lambda a: torch.nn.GELU(**_settings(a)),
        14,
        20,
        forward_magnitude=_gelu_forward_magnitude,
        derivative_magnitude=_gelu_derivative_magnitude,
    ),
    "hardtanh": ActivationTwin(lambda a: _Hardtanh(**_settings(a)), 0, 0),
    "softsign": ActivationTwin(
        lambda a: torch.nn.Softsign(), 3, 6, derivative_magnitude=_softsign_derivative_magnitude
    ),
    "prelu": ActivationTwin(_prelu_module, 1, 0),
}


def activation_twin(act: Activation) -> ActivationTwin:
    """The twin record of `act`; an activation torch lacks has no module (check it with handmlp.gradcheck)."""
    twin = ACTIVATION_TWINS.get(act.name)
    if twin is None:
        raise ValueError(
            f"activation: {act.name!r} has no torch twin; check its derivative with handmlp.gradcheck instead"
        )
    return twin


def torch_activation(act: Activation) -> torch.nn.Module:
    """The torch module computing the same function as `act`, with the same parameters."""
    twin = activation_twin(act)
    if twin.module is None:
        raise ValueError(f"activation: {act.name!r} has no torch module")
    return twin.module(act)
