"""Activations torch does not have: bent identity, Gaussian, sinusoid, ISRU, LiSHT, and the parametric
swish-β and soft exponential (C14).

With no torch twin, each derivative, and each parameter derivative, is checked against finite differences
of the value (C15) in tests/test_extra_activations.py. Every one is written with complex-analytic NumPy
(no abs, no comparisons on z), so the complex step applies to it too. They are registered with the others
in `handmlp.activations.ACTIVATIONS`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from handmlp.activation_base import Activation, Array, LearnableActivation
from handmlp.special import (
    expm1_over_x,
    expm1_over_x_derivative,
    logistic,
    neg_log1m_over_x,
    neg_log1m_over_x_derivative,
)
from handmlp.validation import non_negative

__all__ = [
    "EXTRA_ACTIVATIONS",
    "ISRU",
    "BentIdentity",
    "Gaussian",
    "LiSHT",
    "Sinusoid",
    "SoftExponential",
    "SwishBeta",
]


def _sqrt1p_square(t: Array) -> Array:
    """√(1 + t²): np.hypot for real input (no overflow of t²), the analytic form for a complex step."""
    return np.sqrt(1.0 + t * t) if np.iscomplexobj(t) else np.hypot(t, 1.0)


class BentIdentity(Activation):
    """(√(z² + 1) − 1)/2 + z, derivative z/(2√(z² + 1)) + 1; written z·z/(2(√(z² + 1) + 1)) + z, the same
    value without the cancellation of √(z² + 1) − 1 near 0 (and z·(z/…), so that z² never overflows)."""

    name = "bent_identity"

    def value(self, z: Array) -> Array:
        r = _sqrt1p_square(z)
        return z * (z / (2.0 * (r + 1.0))) + z

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        return z / (2.0 * _sqrt1p_square(z)) + 1.0


class Gaussian(Activation):
    """exp(−z²), derivative −2z·exp(−z²)."""

    name = "gaussian"

    def value(self, z: Array) -> Array:
        # e^(−z²) underflows to 0 beyond |z| ≈ 27 (10 in float32): the exact value is below the tiniest float.
        with np.errstate(under="ignore"):
            return np.exp(-z * z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        e = self.value(z) if a is None else a
        return -2.0 * z * e


class Sinusoid(Activation):
    """sin(z), derivative cos(z)."""

    name = "sinusoid"

    def value(self, z: Array) -> Array:
        return np.sin(z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        return np.cos(z)


class ISRU(Activation):
    """Inverse square root unit z/√(1 + αz²), derivative (1/√(1 + αz²))³; α ≥ 0 fixed. √(1 + αz²) is taken
    as √(1 + (√α·z)²) by hypot, so that αz² never overflows."""

    name = "isru"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = non_negative("alpha", alpha)

    def value(self, z: Array) -> Array:
        return z / _sqrt1p_square(math.sqrt(self.alpha) * z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        inv = 1.0 / _sqrt1p_square(math.sqrt(self.alpha) * z)
        # (1/√(1 + αz²))³ underflows to 0 beyond |z| ≈ 1e102 (1e12 in float32): the exact value is below λ.
        with np.errstate(under="ignore"):
            return inv * inv * inv

    def settings(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class LiSHT(Activation):
    """Linearly scaled hyperbolic tangent z·tanh(z), derivative tanh(z) + z(1 − tanh²(z))."""

    name = "lisht"

    def value(self, z: Array) -> Array:
        return z * np.tanh(z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        t = np.tanh(z)
        return t + z * (1.0 - t * t)


class SwishBeta(LearnableActivation):
    """z·σ(βz) with a learnable β (C14); g′ = σ(βz) + βz·σ(βz)(1 − σ(βz)); ∂g/∂β = z²·σ(βz)(1 − σ(βz)).

    σ is the logistic function (C3). `num_parameters` is 1 (one β shared by the layer) or the layer's width
    (one per unit), as PReLU's slope; β = 1 is SiLU, β → ∞ approaches relu, β = 0 is z/2.
    """

    name = "swish_beta"
    parameter_name = "beta"
    beta: Array

    def __init__(self, num_parameters: int = 1, init: float = 1.0) -> None:
        super().__init__(num_parameters, init)

    def value(self, z: Array) -> Array:
        return z * logistic(self.beta * z)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        s = logistic(self.beta * z)
        return s + self.beta * z * s * (1.0 - s)

    def parameter_gradients(self, z: Array) -> dict[str, Array]:
        s = logistic(self.beta * z)
        return {"beta": z * z * s * (1.0 - s)}


class SoftExponential(LearnableActivation):
    """Soft exponential (Godfrey & Gashler 2015) with a learnable α (C14), piecewise in α:

        α < 0:  −ln(1 − α(z + α))/α      g′ = 1/(1 − α(z + α))
        α = 0:  z                         g′ = 1
        α > 0:  (e^(αz) − 1)/α + α        g′ = e^(αz)

    ∂g/∂α is ln(1 − α(z + α))/α² + (2α + z)/(α(1 − α(z + α))) for α < 0, 1 + z²/2 at α = 0 and
    (αz·e^(αz) − (e^(αz) − 1))/α² + 1 for α > 0: g and ∂g/∂α are continuous across α = 0. Written without
    dividing by α: α > 0 as z·E(αz) + α with E(t) = (eᵗ − 1)/t, α < 0 as (z + α)·ψ(s) with s = α(z + α) and
    ψ(s) = −ln(1 − s)/s, so ∂g/∂α = 1 + z²·E′(αz) and ψ(s) + (z + α)(z + 2α)·ψ′(s), with E, E′, ψ and ψ′ from
    `handmlp.special` (Taylor series where the closed forms cancel). For α < 0, g is defined only where
    α(z + α) < 1 (NaN beyond, the log of a negative number), as in the paper.
    """

    name = "soft_exponential"
    parameter_name = "alpha"
    alpha: Array

    def __init__(self, num_parameters: int = 1, init: float = 0.0) -> None:
        super().__init__(num_parameters, init)

    # Both branches are computed everywhere and np.where keeps one: the unused branch may overflow, divide by
    # zero or take the log of a negative number, and e^(αz) underflowing to 0 is exact to within u.
    def value(self, z: Array) -> Array:
        alpha = self.alpha
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            grow = z * expm1_over_x(alpha * z) + alpha
            shrink = (z + alpha) * neg_log1m_over_x(alpha * (z + alpha))
        return np.where(alpha > 0, grow, shrink)

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        alpha = self.alpha
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            grow = np.exp(alpha * z)
            shrink = 1.0 / (1.0 - alpha * (z + alpha))
        return np.where(alpha > 0, grow, shrink)

    def parameter_gradients(self, z: Array) -> dict[str, Array]:
        alpha = self.alpha
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            grow = 1.0 + z * z * expm1_over_x_derivative(alpha * z)
            s = alpha * (z + alpha)
            shrink = neg_log1m_over_x(s) + (z + alpha) * (z + 2.0 * alpha) * neg_log1m_over_x_derivative(s)
        return {"alpha": np.where(alpha > 0, grow, shrink)}


EXTRA_ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (BentIdentity, Gaussian, Sinusoid, ISRU, LiSHT, SwishBeta, SoftExponential)
}
