"""Activation functions g and their derivatives g′, side by side (C3, C9, C10, C14 in docs/equations.md).

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
from handmlp.validation import real

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
        self.negative_slope = real("negative_slope", negative_slope)

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
        self.alpha = real("alpha", alpha)

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
        self.beta = real("beta", beta)
        if self.beta == 0:
            raise ValueError("beta: expected a non-zero number, got 0")
        self.threshold = real("threshold", threshold)

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
        self.min_val = real("min_val", min_val)
        self.max_val = real("max_val", max_val)
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
        self.init = real("init", init)
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


# =====================================================================================================
# Activations torch does not have (issue 5). No torch twin: each derivative, and each parameter
# derivative, is checked against finite differences of the forward by handmlp.gradcheck (C15) in
# tests/test_extra_activations.py. Every one is written with complex-analytic NumPy (no abs, no
# comparisons on z), so the complex step applies to it too. Registered below with the others.
# =====================================================================================================


def _sqrt1p_square(z: Array) -> Array:
    """√(1 + z²): np.hypot for real input (no overflow of z²), the analytic form for a complex step."""
    return np.sqrt(1.0 + z * z) if np.iscomplexobj(z) else np.hypot(z, 1.0)


class BentIdentity(Activation):
    """(√(z² + 1) − 1)/2 + z, derivative z/(2√(z² + 1)) + 1 (C10); written z²/(2(√(z² + 1) + 1)) + z, the same
    value without the cancellation of √(z² + 1) − 1 near 0."""

    name = "bent_identity"

    def forward(self, z: Array) -> Array:
        r = _sqrt1p_square(z)
        return z * z / (2.0 * (r + 1.0)) + z

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return z / (2.0 * _sqrt1p_square(z)) + 1.0


class Gaussian(Activation):
    """exp(−z²), derivative −2z·exp(−z²) (C10)."""

    name = "gaussian"

    def forward(self, z: Array) -> Array:
        return np.exp(-z * z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        e = np.exp(-z * z) if a is None else a
        return -2.0 * z * e


class Sinusoid(Activation):
    """sin(z), derivative cos(z) (C10)."""

    name = "sinusoid"

    def forward(self, z: Array) -> Array:
        return np.sin(z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        return np.cos(z)


class ISRU(Activation):
    """Inverse square root unit z/√(1 + αz²), derivative (1/√(1 + αz²))³ (C10); α ≥ 0 fixed."""

    name = "isru"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = real("alpha", alpha)
        if self.alpha < 0:
            raise ValueError(f"alpha: expected a number ≥ 0, got {alpha}")

    def forward(self, z: Array) -> Array:
        return z / np.sqrt(1.0 + self.alpha * z * z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        inv = 1.0 / np.sqrt(1.0 + self.alpha * z * z)
        return inv * inv * inv

    def settings(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class LiSHT(Activation):
    """Linearly scaled hyperbolic tangent z·tanh(z), derivative tanh(z) + z(1 − tanh²(z)) (C10)."""

    name = "lisht"

    def forward(self, z: Array) -> Array:
        return z * np.tanh(z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        t = np.tanh(z)
        return t + z * (1.0 - t * t)


def _learnable(name: str, num_parameters: int, init: float) -> Array:
    """A learnable parameter as PReLU's weight: shape (num_parameters,), one per layer or one per unit."""
    if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or num_parameters < 1:
        raise ValueError(f"num_parameters: expected a positive integer, got {num_parameters!r}")
    return np.full(num_parameters, real(name, init))


def _check_width(num_parameters: int, n_units: int) -> None:
    if num_parameters not in (1, n_units):
        raise ValueError(f"num_parameters: expected 1 or the layer's width {n_units}, got {num_parameters}")


class SwishBeta(Activation):
    """z·σ(βz) with a learnable β (C14); g′ = σ(βz) + βz·σ(βz)(1 − σ(βz)); ∂g/∂β = z²·σ(βz)(1 − σ(βz)).

    `num_parameters` is 1 (one β shared by the layer) or the layer's width (one per unit), as PReLU's slope;
    β = 1 is SiLU, β → ∞ approaches relu, β = 0 is z/2.
    """

    name = "swish_beta"

    def __init__(self, num_parameters: int = 1, init: float = 1.0) -> None:
        self.beta: Array = _learnable("init", num_parameters, init)
        self.num_parameters = num_parameters
        self.init = float(init)

    def build(self, n_units: int, dtype: np.dtype[Any]) -> None:
        _check_width(self.num_parameters, n_units)
        self.beta = self.beta.astype(dtype)

    def _sigma(self, z: Array) -> Array:
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-self.beta * z))

    def forward(self, z: Array) -> Array:
        return z * self._sigma(z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        s = self._sigma(z)
        return s + self.beta * z * s * (1.0 - s)

    def parameters(self) -> dict[str, Array]:
        return {"beta": self.beta}

    def parameter_derivatives(self, z: Array) -> dict[str, Array]:
        s = self._sigma(z)
        return {"beta": z * z * s * (1.0 - s)}

    def settings(self) -> dict[str, Any]:
        return {"num_parameters": self.num_parameters, "init": self.init}


def _horner(coefficients: tuple[float, ...], t: Array) -> Array:
    total = np.full_like(t, coefficients[-1])
    for c in coefficients[-2::-1]:
        total = total * t + c
    return total


# Taylor coefficients (lowest power first) of the soft exponential's helpers, used where the closed forms
# cancel (NumPy's complex expm1 and log1p do, so the series also keeps the complex step accurate).
_E_SERIES = tuple(1.0 / math.factorial(n + 1) for n in range(16))  # (eᵗ − 1)/t, |t| < 1/2
_PHI_SERIES = tuple((n - 1) / math.factorial(n) for n in range(2, 18))  # (t·eᵗ − (eᵗ − 1))/t², |t| < 1/2
_PSI_SERIES = tuple(1.0 / (n + 1) for n in range(18))  # −ln(1 − s)/s, |s| < 1/10
_DPSI_SERIES = tuple((n - 1) / n for n in range(2, 20))  # ψ′(s), |s| < 1/10
_T_SWITCH, _S_SWITCH = 0.5, 0.1


def _split(x: Array, switch: float) -> tuple[NDArray[np.bool_], Array, Array]:
    """Where |x| < switch (the Taylor series' side), x there (0 elsewhere), and x elsewhere (1 there): both
    sides of np.where are computed, so each gets arguments it handles."""
    small = np.abs(x) < switch
    return small, np.where(small, x, 0.0), np.where(small, 1.0, x)


def _expm1_over(t: Array) -> Array:
    """E(t) = (eᵗ − 1)/t, E(0) = 1."""
    small, ts, tl = _split(t, _T_SWITCH)
    return np.where(small, _horner(_E_SERIES, ts), np.expm1(tl) / tl)


def _phi(t: Array) -> Array:
    """φ(t) = (t·eᵗ − (eᵗ − 1))/t², so that ∂g/∂α = 1 + z²·φ(αz) for α ≥ 0; φ(0) = 1/2."""
    small, ts, tl = _split(t, _T_SWITCH)
    return np.where(small, _horner(_PHI_SERIES, ts), (tl * np.exp(tl) - np.expm1(tl)) / (tl * tl))


def _psi(s: Array) -> Array:
    """ψ(s) = −ln(1 − s)/s, ψ(0) = 1."""
    small, ss, sl = _split(s, _S_SWITCH)
    return np.where(small, _horner(_PSI_SERIES, ss), -np.log1p(-sl) / sl)


def _dpsi(s: Array) -> Array:
    """ψ′(s) = (s/(1 − s) + ln(1 − s))/s², ψ′(0) = 1/2."""
    small, ss, sl = _split(s, _S_SWITCH)
    return np.where(small, _horner(_DPSI_SERIES, ss), (sl / (1.0 - sl) + np.log1p(-sl)) / (sl * sl))


class SoftExponential(Activation):
    """Soft exponential (Godfrey & Gashler 2015) with a learnable α (C14), piecewise in α:

        α < 0:  −ln(1 − α(z + α))/α      g′ = 1/(1 − α(z + α))
        α = 0:  z                         g′ = 1
        α > 0:  (e^(αz) − 1)/α + α        g′ = e^(αz)

    ∂g/∂α is ln(1 − α(z + α))/α² + (2α + z)/(α(1 − α(z + α))) for α < 0, 1 + z²/2 at α = 0 and
    (αz·e^(αz) − (e^(αz) − 1))/α² + 1 for α > 0: g and ∂g/∂α are continuous across α = 0. Written without
    dividing by α: α > 0 as z·E(αz) + α with E(t) = (eᵗ − 1)/t, α < 0 as (z + α)·ψ(s) with s = α(z + α) and
    ψ(s) = −ln(1 − s)/s, so ∂g/∂α = 1 + z²·φ(αz) and ψ(s) + (z + α)(z + 2α)·ψ′(s), the helpers taken from
    their Taylor series where the closed forms cancel. For α < 0, g is defined only where α(z + α) < 1
    (NaN beyond, the log of a negative number), as in the paper.
    """

    name = "soft_exponential"

    def __init__(self, num_parameters: int = 1, init: float = 0.0) -> None:
        self.alpha: Array = _learnable("init", num_parameters, init)
        self.num_parameters = num_parameters
        self.init = float(init)

    def build(self, n_units: int, dtype: np.dtype[Any]) -> None:
        _check_width(self.num_parameters, n_units)
        self.alpha = self.alpha.astype(dtype)

    def forward(self, z: Array) -> Array:
        alpha = self.alpha
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            grow = z * _expm1_over(alpha * z) + alpha
            shrink = (z + alpha) * _psi(alpha * (z + alpha))
        return np.where(alpha > 0, grow, shrink)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        alpha = self.alpha
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            grow = np.exp(alpha * z)
            shrink = 1.0 / (1.0 - alpha * (z + alpha))
        return np.where(alpha > 0, grow, shrink)

    def parameters(self) -> dict[str, Array]:
        return {"alpha": self.alpha}

    def parameter_derivatives(self, z: Array) -> dict[str, Array]:
        alpha = self.alpha
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            grow = 1.0 + z * z * _phi(alpha * z)
            s = alpha * (z + alpha)
            shrink = _psi(s) + (z + alpha) * (z + 2.0 * alpha) * _dpsi(s)
        return {"alpha": np.where(alpha > 0, grow, shrink)}

    def settings(self) -> dict[str, Any]:
        return {"num_parameters": self.num_parameters, "init": self.init}


EXTRA_ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (BentIdentity, Gaussian, Sinusoid, ISRU, LiSHT, SwishBeta, SoftExponential)
}
ACTIVATIONS.update(EXTRA_ACTIVATIONS)
__all__ += ["EXTRA_ACTIVATIONS", *(cls.__name__ for cls in EXTRA_ACTIVATIONS.values())]
