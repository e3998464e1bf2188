"""The activations torch also has, each g and its derivative g′ side by side, and the one registry of every
activation handmlp ships (these and the ones in `handmlp.extra_activations`).

Kinks follow PyTorch exactly (checked in tests/test_activations_vs_torch.py):
relu′(0) = 0; leaky_relu′(0) = negative_slope; elu′(0) = alpha; prelu′(0) = weight and ∂prelu/∂weight at
0 is 0; hardtanh′ is 0 at min_val and max_val (and everywhere when they are equal); softsign′(0) = 1;
softplus is the identity where beta·z > threshold.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from handmlp.activation_base import Activation, Array, LearnableActivation
from handmlp.extra_activations import EXTRA_ACTIVATIONS
from handmlp.special import erf, logistic
from handmlp.validation import choice, real

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "EXTRA_ACTIVATIONS",
    "GELU",
    "GELU_TANH_COEFFICIENT",
    "SQRT_2_OVER_PI",
    "TORCH_ACTIVATIONS",
    "Activation",
    "Hardtanh",
    "Identity",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softplus",
    "Softsign",
    "Tanh",
    "gelu_tanh_inner",
    "get_activation",
]


class Identity(Activation):
    """g(z) = z, g′(z) = 1: a linear unit (C6, C7)."""

    name = "identity"

    def value(self, z: Array) -> Array:
        return z.copy()

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        return np.ones_like(z)


class Sigmoid(Activation):
    """The logistic unit σ(z) = 1/(1 + e^(−z)) (C3) with σ′(z) = σ(z)(1 − σ(z)) (C9)."""

    name = "sigmoid"

    def value(self, z: Array) -> Array:
        return logistic(z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        s = logistic(z) if a is None else a
        return s * (1.0 - s)


class Tanh(Activation):
    """tanh(z), tanh′(z) = 1 − tanh²(z)."""

    name = "tanh"

    def value(self, z: Array) -> Array:
        return np.tanh(z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        t = np.tanh(z) if a is None else a
        return 1.0 - t * t


class ReLU(Activation):
    """relu(z) = max(0, z), relu′(z) = 1[z > 0] (so relu′(0) = 0, as torch): C10's running example."""

    name = "relu"

    def value(self, z: Array) -> Array:
        return np.maximum(z, 0.0)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        return (z > 0).astype(z.dtype)


class LeakyReLU(Activation):
    """z if z > 0 else s·z; derivative 1 if z > 0 else s (so s at 0, as torch)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = real("negative_slope", negative_slope)

    def value(self, z: Array) -> Array:
        return np.where(z > 0, z, z * self.negative_slope)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        return np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}


class ELU(Activation):
    """z if z > 0 else α(e^z − 1); derivative 1 if z > 0 else α·e^z (so α at 0, as torch)."""

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = real("alpha", alpha)

    def value(self, z: Array) -> Array:
        # z ≥ 0, not z > 0: at ±0 the value is z itself, −0 kept as in torch (α·expm1(min(−0, 0)) is +0).
        return np.where(z >= 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        # e^z underflows to 0 for z below about −745 (−104 in float32): α·e^z is then below the tiniest float.
        with np.errstate(under="ignore"):
            return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Softplus(Activation):
    """log(1 + e^(βz))/β, derivative σ(βz); the identity where βz > threshold, as torch."""

    name = "softplus"

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        beta = real("beta", beta)
        if beta == 0:
            raise ValueError("beta: expected a non-zero number, got 0.0")
        self.threshold = real("threshold", threshold)
        self.beta = beta

    def value(self, z: Array) -> Array:
        bz = z * self.beta
        # As torch: e^(βz) overflows only above the threshold (whose branch is taken) unless the threshold is
        # above ~709, where torch's log1p(e^(βz)) is inf too; e^(βz) underflowing to 0 gives log1p(0) = 0.
        with np.errstate(over="ignore", under="ignore"):
            return np.where(bz > self.threshold, z, np.log1p(np.exp(bz)) / self.beta)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        bz = z * self.beta
        return np.where(bz > self.threshold, 1.0, logistic(bz)).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"beta": self.beta, "threshold": self.threshold}


class SiLU(Activation):
    """silu(z) = z·σ(z), derivative σ(z)(1 + z(1 − σ(z)))."""

    name = "silu"

    def value(self, z: Array) -> Array:
        return z * logistic(z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        s = logistic(z)
        return s * (1.0 + z * (1.0 - s))


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)  # √(2/π), in GELU's tanh approximation
GELU_TANH_COEFFICIENT = 0.044715  # the cubic term of torch's tanh approximation of GELU


class GELU(Activation):
    """gelu(z) = z·Φ(z), Φ(z) = ½(1 + erf(z/√2)), derivative Φ(z) + z·φ(z); or torch's tanh approximation
    ½z(1 + tanh(√(2/π)(z + 0.044715z³))) with approximate="tanh"."""

    name = "gelu"

    def __init__(self, approximate: str = "none") -> None:
        if not isinstance(approximate, str):
            choice("approximate", approximate, ("none", "tanh"))  # the TypeError naming approximate
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate: expected 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def value(self, z: Array) -> Array:
        if self.approximate == "tanh":
            return 0.5 * z * (1.0 + np.tanh(gelu_tanh_inner(z)))
        return 0.5 * z * (1.0 + erf(z * _SQRT1_2))

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        if self.approximate == "tanh":
            t = np.tanh(gelu_tanh_inner(z))
            d_inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEFFICIENT * z * z)
            return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * d_inner
        cdf = 0.5 * (1.0 + erf(z * _SQRT1_2))
        # e^(−z²/2) underflows to 0 beyond |z| ≈ 38.6 (14 in float32): z·φ(z) is below the tiniest float.
        with np.errstate(under="ignore"):
            pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return cdf + z * pdf

    def settings(self) -> dict[str, Any]:
        return {"approximate": self.approximate}


def gelu_tanh_inner(z: Array) -> Array:
    """√(2/π)(z + 0.044715z³), the argument of tanh in GELU's tanh approximation."""
    return SQRT_2_OVER_PI * (z + GELU_TANH_COEFFICIENT * z * z * z)


class Hardtanh(Activation):
    """clip(z, min_val, max_val); derivative 1 strictly inside, 0 outside and at both edges (as torch).

    min_val = max_val is allowed, as torch allows it (a constant, derivative 0); min_val > max_val is not.
    """

    name = "hardtanh"

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        low, high = real("min_val", min_val), real("max_val", max_val)
        if low > high:
            raise ValueError(f"max_val: expected a number ≥ min_val={low}, got {high}")
        self.min_val, self.max_val = low, high

    def value(self, z: Array) -> Array:
        return np.clip(z, self.min_val, self.max_val)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        return ((z > self.min_val) & (z < self.max_val)).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"min_val": self.min_val, "max_val": self.max_val}


class Softsign(Activation):
    """softsign(z) = z/(1 + |z|), derivative 1/(1 + |z|)²."""

    name = "softsign"

    def value(self, z: Array) -> Array:
        return z / (1.0 + np.abs(z))

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        d = 1.0 + np.abs(z)
        return 1.0 / (d * d)


class PReLU(LearnableActivation):
    """z if z > 0 else w·z with a learnable slope w (C14); g′ = 1 if z > 0 else w; ∂g/∂w = 0 if z > 0 else z.

    The slope is the parameter torch calls `weight`, of shape (num_parameters,): 1 (one slope shared by the
    layer, torch's default) or the layer's width (one slope per unit).
    """

    name = "prelu"
    parameter_name = "weight"
    weight: Array

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__(num_parameters, init)

    def value(self, z: Array) -> Array:
        return np.where(z > 0, z, self.weight * z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        return np.where(z > 0, np.ones_like(z), np.broadcast_to(self.weight, z.shape))

    def parameter_gradients(self, z: Array) -> dict[str, Array]:
        return {"weight": np.where(z > 0, np.zeros_like(z), z)}


TORCH_ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls
    for cls in (
        Identity,
        Sigmoid,
        Tanh,
        ReLU,
        LeakyReLU,
        ELU,
        Softplus,
        SiLU,
        GELU,
        Hardtanh,
        Softsign,
        PReLU,
    )
}
# The one registry: every activation handmlp ships, by name (torch's, then the ones torch lacks).
ACTIVATIONS: dict[str, type[Activation]] = {**TORCH_ACTIVATIONS, **EXTRA_ACTIVATIONS}


def get_activation(spec: str | Activation, **settings: Any) -> Activation:
    """An activation from its registry name (with its settings) or an Activation instance, returned as is.

    "gelu_tanh" is accepted as a short name for GELU(approximate="tanh"). A setting the activation does not
    take is a TypeError naming it.
    """
    if isinstance(spec, Activation):
        if settings:
            raise TypeError("settings: only given with a name, not with an Activation instance")
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"activation: expected a name or an Activation, got {type(spec).__name__}")
    if spec == "gelu_tanh":
        spec, settings = "gelu", {"approximate": "tanh", **settings}
    if spec not in ACTIVATIONS:
        raise ValueError(f"activation: unknown name {spec!r}; expected one of {sorted(ACTIVATIONS)}")
    cls = ACTIVATIONS[spec]
    accepted = cls().settings()
    unknown = sorted(set(settings) - set(accepted))
    if unknown:
        raise TypeError(f"{unknown[0]}: not a setting of {spec!r}; expected some of {sorted(accepted)}")
    return cls(**settings)
