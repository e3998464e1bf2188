"""Backpropagation in float64 with one equation deliberately changed: what a known bug would compute.

The diagnosis (reference/conformance/diagnosis.py) names a failure by finding the mutant whose gradients
the implementation reproduces: g(z) in place of g′(z) in some layers' δ (C3, C10, erratum E5), W in place
of Wᵀ in the recursion between two layers (C10), ∂L/∂x read one layer too high.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from handmlp.activations import get_activation
from handmlp.losses import get_loss
from reference.conformance.protocol import Architecture, Array, LossSpec


@dataclass(frozen=True)
class Mutation:
    """Which equations to change: g for g′ in the δ of `value_for_derivative` layers, W for Wᵀ when
    propagating δ down from each layer of `untransposed`."""

    value_for_derivative: frozenset[int] = field(default_factory=frozenset)
    untransposed: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Backprop:
    """What one (possibly mutated) backward pass computes, keyed like the state_dict."""

    grads: dict[str, Array]
    deltas: list[Array]
    grad_inputs: list[Array]  # ∂L/∂a_l for l = 0 (the input x) … n_layers − 1


def backprop(
    arch: Architecture, state: Mapping[str, Array], x: Array, y: Array, loss: LossSpec, mutation: Mutation
) -> Backprop | None:
    """The gradients of a mutated backward pass in float64; None when the mutation cannot be computed
    for these shapes (W for Wᵀ needs a square W)."""
    weights = [np.asarray(state[f"{2 * i}.weight"], dtype=np.float64) for i in range(arch.n_layers)]
    biases = [
        np.asarray(state[f"{2 * i}.bias"], dtype=np.float64) if arch.bias[i] else 0.0
        for i in range(arch.n_layers)
    ]
    acts = [get_activation(name) for name in arch.activations]
    a: Array = np.asarray(x, dtype=np.float64)
    trace = []
    for w, b, act in zip(weights, biases, acts):
        z = a @ w.T + b
        trace.append((a, z))
        a = act.forward(z)
    fn = get_loss(loss.name, loss.reduction)
    y_arr = np.asarray(y) if loss.name == "cross_entropy" else np.asarray(y, dtype=np.float64)
    grad_a = fn.gradient(a, y_arr)
    grads: dict[str, Array] = {}
    deltas: list[Array] = [np.empty(0)] * arch.n_layers
    grad_inputs: list[Array] = [np.empty(0)] * arch.n_layers
    for layer in reversed(range(arch.n_layers)):
        a_prev, z = trace[layer]
        act = acts[layer]
        d = act.forward(z) if layer in mutation.value_for_derivative else act.derivative(z)
        delta = grad_a * d
        deltas[layer] = delta
        grads[f"{2 * layer}.weight"] = delta.T @ a_prev
        if arch.bias[layer]:
            grads[f"{2 * layer}.bias"] = delta.sum(axis=0)
        w = weights[layer]
        if layer in mutation.untransposed:
            if w.shape[0] != w.shape[1]:
                return None
            grad_a = delta @ w.T
        else:
            grad_a = delta @ w
        grad_inputs[layer] = grad_a
    return Backprop(grads, deltas, grad_inputs)
