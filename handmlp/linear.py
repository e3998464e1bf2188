"""A fully connected layer, forward and backward (C3, C4, C10), in torch's (out, in) layout."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


def linear_forward(a_prev: Array, weight: Array, bias: Array | None) -> Array:
    """z_j = Σ_i a_i·w_ji + b_j for every sample at once: z = a_prev·Wᵀ + b (C3, C10)."""
    z = a_prev @ weight.T
    if bias is not None:
        z += bias  # in place: the same sum as z + b, without a second array
    return z


@overload
def linear_backward(
    delta: Array,
    a_prev: Array,
    weight: Array,
    input_grad: Literal[True] = ...,
    grad_weight: Array | None = ...,
    grad_bias: Array | None = ...,
) -> tuple[Array, Array, Array]: ...


@overload
def linear_backward(
    delta: Array,
    a_prev: Array,
    weight: Array,
    input_grad: bool,
    grad_weight: Array | None = ...,
    grad_bias: Array | None = ...,
) -> tuple[Array, Array, Array | None]: ...


def linear_backward(
    delta: Array,
    a_prev: Array,
    weight: Array,
    input_grad: bool = True,
    grad_weight: Array | None = None,
    grad_bias: Array | None = None,
) -> tuple[Array, Array, Array | None]:
    """From δ_j = ∂L/∂z_j: ∂L/∂w_ji = Σ_batch δ_j·a_i, ∂L/∂b_j = Σ_batch δ_j, ∂L/∂a_i = Σ_j δ_j·w_ji (C10).

    ∂L/∂a is skipped (None) without `input_grad`; `grad_weight`/`grad_bias` receive the results when given.
    """
    grad_w = np.matmul(delta.T, a_prev, out=grad_weight)
    grad_b = delta.sum(axis=0, out=grad_bias)
    return grad_w, grad_b, delta @ weight if input_grad else None


def init_uniform(n_out: int, n_in: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """torch.nn.Linear's default initialisation: weight and bias drawn from U(−1/√n_in, 1/√n_in)."""
    bound = 1.0 / np.sqrt(n_in)
    return rng.uniform(-bound, bound, size=(n_out, n_in)), rng.uniform(-bound, bound, size=n_out)
