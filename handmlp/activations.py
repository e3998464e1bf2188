"""Activation functions g and their derivatives g′, side by side (COURSE.md C3, C9, C10, C14).

Each class writes the forward value and the derivative the way the course writes them; `derivative(z, a)`
may reuse the forward value `a = g(z)` where the course's identity does (σ′ = σ(1 − σ), tanh′ = 1 − tanh²).

Kinks follow PyTorch exactly (checked in tests/test_activations_vs_torch.py):
relu′(0) = 0; leaky_relu′(0) = negative_slope; elu′(0) = alpha; prelu′(0) = weight and ∂prelu/∂weight at
0 is 0; hardtanh′ is 0 at min_val and max_val; softsign′(0) = 1; softplus is the identity where
beta·z > threshold.

A parametric activation (C14, `prelu`) owns learnable arrays in `parameters()` and gives the elementwise
∂g(z)/∂θ in `parameter_derivatives(z)`; the network sums those against ∂L/∂a.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from handmlp.special import erf

Array = NDArray[np.floating[Any]]

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
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
    "get_activation",
]


class Activation:
    """An elementwise activation a = g(z) with its derivative g′(z) (C10)."""

    name: ClassVar[str] = ""

    def forward(self, z: Array) -> Array:
        """a = g(z)."""
        raise NotImplementedError

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        """g′(z); `a` is g(z) when the caller already has it."""
        raise NotImplementedError

    def __call__(self, z: Array) -> Array:
        return self.forward(z)

    def value(self, z: Array) -> Array:
        """Alias of `forward`: the activation's value g(z)."""
        return self.forward(z)

    def gradient(self, z: Array) -> Array:
        """Alias of `derivative`: the activation's elementwise gradient g′(z)."""
        return self.derivative(z)

    def parameters(self) -> dict[str, Array]:
        """Learnable parameters, by the name torch gives them (C14); none for a fixed activation."""
        return {}

    def parameter_derivatives(self, z: Array) -> dict[str, Array]:
        """∂g(z)/∂θ elementwise, one array of z's shape per parameter (C14)."""
        return {}

    def build(self, n_units: int, dtype: np.dtype[Any]) -> None:
        """Size and type the learnable parameters for a layer of `n_units` (nothing to do when fixed)."""

    def settings(self) -> dict[str, Any]:
        """The hyper-parameters that, with the name, rebuild this activation."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        return f"{type(self).__name__}({args})"


class Identity(Activation):
    """g(z) = z, g′(z) = 1: a linear unit (C6, C7)."""

    name = "identity"

    def forward(self, z: Array) -> Array:
        return z.copy()

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return np.ones_like(z)


class Sigmoid(Activation):
    """σ(z) = 1/(1 + e^(−z)), σ′(z) = σ(z)(1 − σ(z)) (C3, C9)."""

    name = "sigmoid"

    def forward(self, z: Array) -> Array:
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        s = self.forward(z) if a is None else a
        return s * (1.0 - s)


class Tanh(Activation):
    """tanh(z), tanh′(z) = 1 − tanh²(z)."""

    name = "tanh"

    def forward(self, z: Array) -> Array:
        return np.tanh(z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        t = np.tanh(z) if a is None else a
        return 1.0 - t * t


class ReLU(Activation):
    """relu(z) = max(0, z), relu′(z) = 1[z > 0] (so relu′(0) = 0, as torch) (C10's running example)."""

    name = "relu"

    def forward(self, z: Array) -> Array:
        return np.maximum(z, 0.0)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return (z > 0).astype(z.dtype)


class LeakyReLU(Activation):
    """z if z > 0 else s·z; derivative 1 if z > 0 else s (so s at 0, as torch)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = _finite_float("negative_slope", negative_slope)

    def forward(self, z: Array) -> Array:
        return np.where(z > 0, z, z * self.negative_slope)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}


class ELU(Activation):
    """z if z > 0 else α(e^z − 1); derivative 1 if z > 0 else α·e^z (so α at 0, as torch)."""

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _finite_float("alpha", alpha)

    def forward(self, z: Array) -> Array:
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Softplus(Activation):
    """log(1 + e^(βz))/β, derivative σ(βz); the identity where βz > threshold, as torch."""

    name = "softplus"

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        self.beta = _finite_float("beta", beta)
        if self.beta == 0:
            raise ValueError("beta: expected a non-zero number, got 0")
        self.threshold = _finite_float("threshold", threshold)

    def forward(self, z: Array) -> Array:
        bz = z * self.beta
        with np.errstate(over="ignore"):
            return np.where(bz > self.threshold, z, np.log1p(np.exp(bz)) / self.beta)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        bz = z * self.beta
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(bz)
            return np.where(bz > self.threshold, 1.0, e / (e + 1.0)).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"beta": self.beta, "threshold": self.threshold}


class SiLU(Activation):
    """silu(z) = z·σ(z), derivative σ(z)(1 + z(1 − σ(z)))."""

    name = "silu"

    def forward(self, z: Array) -> Array:
        with np.errstate(over="ignore"):
            return z / (1.0 + np.exp(-z))

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        with np.errstate(over="ignore"):
            s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 + z * (1.0 - s))


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715


class GELU(Activation):
    """gelu(z) = z·Φ(z), Φ(z) = ½(1 + erf(z/√2)), derivative Φ(z) + z·φ(z); or torch's tanh approximation
    ½z(1 + tanh(√(2/π)(z + 0.044715z³))) with approximate="tanh"."""

    name = "gelu"

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate: expected 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, z: Array) -> Array:
        if self.approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (z + _GELU_KAPPA * z * z * z)
            return 0.5 * z * (1.0 + np.tanh(inner))
        return 0.5 * z * (1.0 + erf(z * _SQRT1_2))

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        if self.approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (z + _GELU_KAPPA * z * z * z))
            d_inner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_KAPPA * z * z)
            return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * d_inner
        cdf = 0.5 * (1.0 + erf(z * _SQRT1_2))
        pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return cdf + z * pdf

    def settings(self) -> dict[str, Any]:
        return {"approximate": self.approximate}


class Hardtanh(Activation):
    """clip(z, min_val, max_val); derivative 1 strictly inside, 0 outside and at both edges (as torch)."""

    name = "hardtanh"

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        self.min_val = _finite_float("min_val", min_val)
        self.max_val = _finite_float("max_val", max_val)
        if not self.min_val < self.max_val:
            raise ValueError(f"max_val: expected a number above min_val={min_val}, got {max_val}")

    def forward(self, z: Array) -> Array:
        return np.clip(z, self.min_val, self.max_val)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return ((z > self.min_val) & (z < self.max_val)).astype(z.dtype)

    def settings(self) -> dict[str, Any]:
        return {"min_val": self.min_val, "max_val": self.max_val}


class Softsign(Activation):
    """softsign(z) = z/(1 + |z|), derivative 1/(1 + |z|)²."""

    name = "softsign"

    def forward(self, z: Array) -> Array:
        return z / (1.0 + np.abs(z))

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        d = 1.0 + np.abs(z)
        return 1.0 / (d * d)


class PReLU(Activation):
    """z if z > 0 else w·z with a learnable slope w (C14); g′ = 1 if z > 0 else w; ∂g/∂w = 0 if z > 0 else z.

    `num_parameters` is 1 (one slope shared by the layer, torch's default) or the layer's width (one slope
    per unit); the slope is the parameter torch calls `weight`, of shape (num_parameters,).
    """

    name = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(f"num_parameters: expected a positive integer, got {num_parameters!r}")
        self.num_parameters = num_parameters
        self.init = _finite_float("init", init)
        self.weight: Array = np.full(num_parameters, self.init)

    def build(self, n_units: int, dtype: np.dtype[Any]) -> None:
        if self.num_parameters not in (1, n_units):
            raise ValueError(
                f"num_parameters: expected 1 or the layer's width {n_units}, got {self.num_parameters}"
            )
        self.weight = self.weight.astype(dtype)

    def forward(self, z: Array) -> Array:
        return np.where(z > 0, z, self.weight * z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return np.where(z > 0, np.ones_like(z), np.broadcast_to(self.weight, z.shape))

    def parameters(self) -> dict[str, Array]:
        return {"weight": self.weight}

    def parameter_derivatives(self, z: Array) -> dict[str, Array]:
        return {"weight": np.where(z > 0, np.zeros_like(z), z)}

    def settings(self) -> dict[str, Any]:
        return {"num_parameters": self.num_parameters, "init": self.init}


ACTIVATIONS: dict[str, type[Activation]] = {
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


def get_activation(spec: str | Activation, **settings: Any) -> Activation:
    """An activation from its registry name (with its settings) or an Activation instance, returned as is.

    "gelu_tanh" is accepted as a short name for GELU(approximate="tanh").
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
    return ACTIVATIONS[spec](**settings)


def _finite_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    return float(value)
