"""Error bounds for a network's forward and backward pass, carried layer by layer (running error analysis).

Every computed quantity v gets a bound E(v) on |fl(v) − v|, the error of one side (handmlp or torch)
against exact arithmetic on the same inputs. Two sources add up:
- local rounding: a sum of k products is within γ_k·Σ|terms| (Higham §3.1), in any order of summation
  (so for torch's blocked GEMM too); an elementwise formula within ulps·u·(summed magnitudes of its terms),
  the rounding model of `reference.twins.activations` and `reference.twins.losses`;
- propagation: an error already in an input moves the result by at most Σ|∂result/∂input|·E(input)
  for linear steps, and by max over ± of |g(z ± E(z)) − g(z)| for an activation or its derivative, which
  is first-order exact where g is smooth and honest at a kink within reach of E(z).
Both sides obey the same bound, so |handmlp − torch| ≤ 2·E. The bounds are computed in float64 whatever
the network's dtype, with the unit roundoff u of the network's dtype.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp.activations import Activation
from handmlp.losses import Loss, get_loss
from handmlp.mlp import MLP, sum_to_shape
from reference.oracle.compare import gamma, perturbed, unit_roundoff
from reference.twins.activations import activation_twin
from reference.twins.losses import loss_twin

Array = NDArray[Any]

BOTH_SIDES = 2.0  # |handmlp − torch| ≤ |handmlp − exact| + |torch − exact|


@dataclass(frozen=True)
class NetworkBounds:
    """Per-element bounds on |handmlp − torch| for everything a forward and backward pass produces.

    A deliberate mirror of reference.twins.mlp.AutogradResult, field for field: each field bounds the
    field of the same name there."""

    output: Array
    loss: float
    grads: dict[str, Array]
    grad_input: Array


def _activation_forward(act: Activation, z: Array, e_z: Array, u: float) -> tuple[Array, Array]:
    twin = activation_twin(act)
    a = act.forward(z)
    return a, perturbed(act.forward, z, e_z) + twin.forward_ulps * u * twin.forward_magnitude(act, z)


def _activation_derivative(act: Activation, z: Array, e_z: Array, u: float) -> tuple[Array, Array]:
    twin = activation_twin(act)
    d = act.derivative(z)
    return d, perturbed(act.derivative, z, e_z) + twin.derivative_ulps * u * twin.derivative_magnitude(act, z)


def network_bounds(net: MLP, x: Array, y: Array, loss: str | Loss) -> NetworkBounds:
    """Bounds on |handmlp − torch| for ŷ, L, every ∂L/∂θ and ∂L/∂x of `net` on (x, y) under `loss`."""
    loss_fn = get_loss(loss)
    u = unit_roundoff(net.dtype)
    weights = [w.astype(np.float64) for w in net.weights]
    biases = [None if b is None else b.astype(np.float64) for b in net.biases]
    acts = [_float64_activation(act, w.shape[0]) for act, w in zip(net.activations, weights)]
    trace, y_hat, e_out = _forward_bounds(x, weights, biases, acts, u)
    y_arr = np.asarray(y) if loss_fn.name == "cross_entropy" else np.asarray(y, dtype=np.float64)
    e_loss, grad, e_grad = loss_bounds(loss_fn, y_hat, y_arr, e_out, u)
    grads, e_grad_x = _backward_bounds(trace, weights, biases, acts, grad, e_grad, u)
    return NetworkBounds(
        output=BOTH_SIDES * e_out,
        loss=BOTH_SIDES * e_loss,
        grads={name: grads[name] for name in net.parameters()},
        grad_input=BOTH_SIDES * e_grad_x,
    )


# (a layer's input, its error bound, its pre-activation z, z's error bound), one per layer
_Trace = list[tuple[Array, Array, Array, Array]]


def _forward_bounds(
    x: Array, weights: list[Array], biases: list[Array | None], acts: list[Activation], u: float
) -> tuple[_Trace, Array, Array]:
    """The forward pass in float64 with the error bound of each value: every layer's trace, ŷ, its bound."""
    a, e_a = np.asarray(x, dtype=np.float64), np.zeros(np.shape(x))
    trace = []
    for weight, bias, act in zip(weights, biases, acts):
        n_in = weight.shape[1]
        magnitude = np.abs(a) @ np.abs(weight).T + (0.0 if bias is None else np.abs(bias))
        z = a @ weight.T + (0.0 if bias is None else bias)
        e_z = e_a @ np.abs(weight).T + gamma(n_in + 1, u) * magnitude
        a_next, e_next = _activation_forward(act, z, e_z, u)
        trace.append((a, e_a, z, e_z))
        a, e_a = a_next, e_next
    return trace, a, e_a


def _backward_bounds(
    trace: _Trace,
    weights: list[Array],
    biases: list[Array | None],
    acts: list[Activation],
    grad: Array,
    e_grad: Array,
    u: float,
) -> tuple[dict[str, Array], Array]:
    """The backward pass from ∂L/∂ŷ (`grad`, within `e_grad`): the bound of every ∂L/∂θ, and ∂L/∂x's."""
    grads: dict[str, Array] = {}
    grad_a, e_grad_a = grad, e_grad
    for layer in reversed(range(len(weights))):
        a_prev, e_prev, z, e_z = trace[layer]
        act, weight = acts[layer], weights[layer]
        batch = a_prev.shape[0]
        grads.update(_activation_parameter_bounds(act, z, e_z, grad_a, e_grad_a, batch, layer, u))
        d, e_d = _activation_derivative(act, z, e_z, u)
        delta = grad_a * d
        e_delta = e_grad_a * np.abs(d) + np.abs(grad_a) * e_d + u * np.abs(delta)
        grads[f"{2 * layer}.weight"] = BOTH_SIDES * (
            e_delta.T @ np.abs(a_prev)
            + np.abs(delta).T @ e_prev
            + gamma(batch, u) * (np.abs(delta).T @ np.abs(a_prev))
        )
        if biases[layer] is not None:
            grads[f"{2 * layer}.bias"] = BOTH_SIDES * (
                e_delta.sum(axis=0) + gamma(batch, u) * np.abs(delta).sum(axis=0)
            )
        n_out = weight.shape[0]
        e_grad_a = e_delta @ np.abs(weight) + gamma(n_out, u) * (np.abs(delta) @ np.abs(weight))
        grad_a = delta @ weight
    return grads, e_grad_a


def _activation_parameter_bounds(
    act: Activation, z: Array, e_z: Array, grad_a: Array, e_grad_a: Array, batch: int, layer: int, u: float
) -> dict[str, Array]:
    """The bounds of ∂L/∂θ for the learnable parameters of layer `layer`'s activation (none for most)."""
    grads = {}
    for name, d_param in act.parameter_derivatives(z).items():
        e_d = perturbed(_parameter_derivative(act, name), z, e_z) + u * np.abs(d_param)
        contribution = e_grad_a * np.abs(d_param) + np.abs(grad_a) * e_d
        magnitude = np.abs(grad_a * d_param)
        shape = act.parameters()[name].shape
        count = batch if shape != (1,) else grad_a.size
        grads[f"{2 * layer + 1}.{name}"] = BOTH_SIDES * (
            sum_to_shape(contribution, shape) + gamma(count, u) * sum_to_shape(magnitude, shape)
        )
    return grads


def loss_bounds(
    loss_fn: Loss, y_hat: Array, y: Array, e_y_hat: Array | None, u: float
) -> tuple[float, Array, Array]:
    """One side's error bound on the loss value, the gradient ∂L/∂ŷ, and that gradient's error bound.

    `e_y_hat` is the error already in ŷ (None or zeros for a ŷ given exactly); the per-element rounding
    comes from the loss's twin record, the reduction adds γ_(n+1)·Σ|ℓ|, and the mean's 1/n one rounding.
    """
    twin = loss_twin(loss_fn)
    e_in = np.zeros_like(y_hat) if e_y_hat is None else e_y_hat
    per_element = twin.value_error(loss_fn, y_hat, e_in, y) + twin.value_ulps * u * twin.value_magnitude(
        loss_fn, y_hat, y
    )
    n = per_element.size
    e_loss = per_element.sum() + gamma(n + 1, u) * np.abs(loss_fn.elementwise(y_hat, y)).sum()
    grad = loss_fn.elementwise_gradient(y_hat, y)
    e_grad = twin.gradient_error(loss_fn, y_hat, e_in, y) + twin.gradient_ulps * u * twin.gradient_magnitude(
        loss_fn, y_hat, y
    )
    if loss_fn.reduction == "mean":
        e_loss = e_loss / n + u * abs(float(loss_fn.elementwise(y_hat, y).sum()) / n)
        grad, e_grad = grad / n, e_grad / n + u * np.abs(grad / n)
    return float(e_loss), grad, e_grad


def _parameter_derivative(act: Activation, name: str) -> Any:
    return lambda v: act.parameter_derivatives(v)[name]


def _float64_activation(act: Activation, n_units: int) -> Activation:
    """A float64 copy of `act` (a float32 network's parameters are exact in float64)."""
    clone = copy.deepcopy(act)
    clone.build(n_units, np.dtype(np.float64))
    return clone
