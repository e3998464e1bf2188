"""The four-parameter chain of C9, in the slides' own form: one input, one unit per layer, a bias only in the
first layer, L = ½(y − ŷ)², and each partial derivative written as the chain rule's product of factors.

    a1 = w1·x + b,   a2 = w2·f1(a1),   a3 = w3·f2(a2),   ŷ = f3(a3)

    ∂L/∂w3 = ∂L/∂f3 · ∂f3/∂a3 · ∂a3/∂w3
    ∂L/∂w2 = ∂L/∂f3 · ∂f3/∂a3 · ∂a3/∂f2 · ∂f2/∂a2 · ∂a2/∂w2
    ∂L/∂w1 = ∂L/∂f3 · ∂f3/∂a3 · ∂a3/∂f2 · ∂f2/∂a2 · ∂a2/∂f1 · ∂f1/∂a1 · ∂a1/∂w1      (∂a1/∂w1 = x)
    ∂L/∂b  = the same product down to ∂f1/∂a1, times ∂a1/∂b = 1

Each product re-uses the one computed for the layer above: that re-use is backpropagation. `MLP([1, 1, 1, 1],
bias=[True, False, False])` is the same network, computed by the general delta rule (C10).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from handmlp.activation_base import Activation
from handmlp.activations import get_activation
from handmlp.validation import real

__all__ = ["ChainResult", "four_parameter_chain"]


@dataclass(frozen=True)
class ChainResult:
    """The chain's prediction ŷ, its loss L = ½(y − ŷ)², and ∂L/∂w3, ∂L/∂w2, ∂L/∂w1, ∂L/∂b (C9)."""

    y_hat: float
    loss: float
    dL_dw3: float  # noqa: N815 (the slides' names)
    dL_dw2: float  # noqa: N815
    dL_dw1: float  # noqa: N815
    dL_db: float  # noqa: N815


def four_parameter_chain(
    x: float,
    y: float,
    w1: float,
    w2: float,
    w3: float,
    b: float,
    f1: str | Activation = "sigmoid",
    f2: str | Activation = "sigmoid",
    f3: str | Activation = "sigmoid",
) -> ChainResult:
    """C9: ŷ, L and the four gradients of the chain a1 = w1·x + b, a2 = w2·f1(a1), a3 = w3·f2(a2), ŷ = f3(a3)
    with L = ½(y − ŷ)², in float64; f1, f2, f3 are activation names or instances (the slides: all sigmoid,
    so that ∂f/∂a = σ(a)(1 − σ(a)))."""
    x, y, w1, w2, w3, b = (
        real(n, v) for n, v in zip(("x", "y", "w1", "w2", "w3", "b"), (x, y, w1, w2, w3, b))
    )
    g1, g2, g3 = get_activation(f1), get_activation(f2), get_activation(f3)

    a1 = w1 * x + b
    h1 = _value(g1, a1)  # f1(a1)
    a2 = w2 * h1
    h2 = _value(g2, a2)  # f2(a2)
    a3 = w3 * h2
    y_hat = _value(g3, a3)  # f3(a3)
    loss = 0.5 * (y - y_hat) ** 2

    dL_df3 = -(y - y_hat)
    dL_da3 = dL_df3 * _slope(g3, a3, y_hat)  # · ∂f3/∂a3
    dL_dw3 = dL_da3 * h2  # · ∂a3/∂w3 = f2
    dL_da2 = dL_da3 * w3 * _slope(g2, a2, h2)  # · ∂a3/∂f2 = w3, · ∂f2/∂a2
    dL_dw2 = dL_da2 * h1  # · ∂a2/∂w2 = f1
    dL_da1 = dL_da2 * w2 * _slope(g1, a1, h1)  # · ∂a2/∂f1 = w2, · ∂f1/∂a1
    dL_dw1 = dL_da1 * x  # · ∂a1/∂w1 = x
    dL_db = dL_da1 * 1.0  # · ∂a1/∂b = 1
    return ChainResult(y_hat, loss, dL_dw3, dL_dw2, dL_dw1, dL_db)


def _value(g: Activation, a: float) -> float:
    """f(a) for one number."""
    return float(g.value(np.array([a]))[0])


def _slope(g: Activation, a: float, f_a: Any) -> float:
    """∂f/∂a at a, given f(a) (σ′ = σ(1 − σ) re-uses it)."""
    return float(g.gradient(np.array([a]), np.array([f_a]))[0])
