"""A fully connected layer, forward and backward (C3, C4, C10 in docs/equations.md), in torch's (out, in)
layout."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


def linear_forward(a_prev: Array, weight: Array, bias: Array | None) -> Array:
    """z_j = Σ_i a_i·w_ji + b_j for every sample at once: z = a_prev·Wᵀ + b (C3, C10)."""
    z = a_prev @ weight.T
    return z if bias is None else z + bias


def linear_backward(delta: Array, a_prev: Array, weight: Array) -> tuple[Array, Array, Array]:
    """From δ_j = ∂L/∂z_j: ∂L/∂w_ji = Σ_batch δ_j·a_i, ∂L/∂b_j = Σ_batch δ_j, ∂L/∂a_i = Σ_j δ_j·w_ji (C10)."""
    return delta.T @ a_prev, delta.sum(axis=0), delta @ weight


def init_uniform(n_out: int, n_in: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """torch.nn.Linear's default initialisation: weight and bias drawn from U(−1/√n_in, 1/√n_in)."""
    bound = 1.0 / np.sqrt(n_in)
    return rng.uniform(-bound, bound, size=(n_out, n_in)), rng.uniform(-bound, bound, size=n_out)
