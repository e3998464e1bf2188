"""Catalog cases for backpropagation (C9, C10; errata E3, E5): the four-parameter chain factor by factor,
and the delta rule on general networks. Each check builds its inputs from a fixed seed, so a run is
reproducible."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, get_activation, get_loss
from handmlp.chain import four_parameter_chain
from handmlp.linear import linear_backward
from reference.conformance.case import AUTOGRAD, WITHIN_BOUND, Outcome, case, erratum, from_comparisons
from reference.conformance.cases._common import (
    GRADIENTS,
    Array,
    autograd_outcome,
    impl_gradients,
    torch_gradients,
)
from reference.conformance.subject import outcome_of
from reference.oracle.compare import compare_within_bound

# --- C9: the four-parameter chain, factor by factor ----------------------------------------------------


def _chain() -> tuple[MLP, Array, Array, dict[str, Array]]:
    """a1 = w1·x + b1, a2 = w2·f1(a1), a3 = w3·f2(a2), ŷ = f3(a3), all sigmoid, with L = ½(y − ŷ)²: the
    network, and the four gradients as handmlp.chain writes the slides' products."""
    net = MLP([1, 1, 1, 1], "sigmoid", bias=[True, False, False], seed=9)
    x, y = np.array([[0.7]]), np.array([[0.2]])
    params = net.parameters()
    w1, b1 = params["0.weight"][0, 0], params["0.bias"][0]
    w2, w3 = params["2.weight"][0, 0], params["4.weight"][0, 0]
    chain = four_parameter_chain(x[0, 0], y[0, 0], w1, w2, w3, b1)
    slide = {
        "4.weight": chain.dL_dw3,
        "2.weight": chain.dL_dw2,
        "0.weight": chain.dL_dw1,
        "0.bias": chain.dL_db,
    }
    return net, x, y, {name: np.array([value]) for name, value in slide.items()}


def _chain_factor(impl: Any, name: str) -> Outcome:
    """∂L/∂θ as the slides factor it (handmlp.chain), each product reusing the one of the layer above
    (backpropagation), and the implementation's backward, both against autograd."""
    net, x, y, slide = _chain()
    torch_side, bounds = torch_gradients(net, x, y, "half_squared_error", "sum")
    ours = impl_gradients(impl, net, x, y, "half_squared_error", "sum")
    return outcome_of(
        [
            compare_within_bound(
                f"slides {name}",
                slide[name],
                torch_side.grads[name].reshape(-1),
                bounds.grads[name].reshape(-1),
            ),
            compare_within_bound(f"backward {name}", ours[name], torch_side.grads[name], bounds.grads[name]),
        ],
        impl,
    )


@case(
    "C9/dL_dw3",
    "∂L/∂w3 = −(y − ŷ)·f3(1 − f3)·f2",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_w3(impl: Any) -> Outcome:
    return _chain_factor(impl, "4.weight")


@case(
    "C9/dL_dw2",
    "∂L/∂w2 = ∂L/∂f3·∂f3/∂a3·∂a3/∂f2·∂f2/∂a2·∂a2/∂w2 = −(y − ŷ)·f3(1 − f3)·w3·f2(1 − f2)·f1",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_w2(impl: Any) -> Outcome:
    return _chain_factor(impl, "2.weight")


@case(
    "C9/dL_dw1",
    "∂L/∂w1 = −(y − ŷ)·f3(1 − f3)·w3·f2(1 − f2)·w2·f1(1 − f1)·x",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_w1(impl: Any) -> Outcome:
    return _chain_factor(impl, "0.weight")


@case(
    "C9/dL_db",
    "∂L/∂b = −(y − ŷ)·f3(1 − f3)·w3·f2(1 − f2)·w2·f1(1 − f1)·1",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_b(impl: Any) -> Outcome:
    return _chain_factor(impl, "0.bias")


# --- C10: the delta rule on a general network ----------------------------------------------------------


@case(
    "C10/delta_rule",
    "δ_j = g′(z_j)·Σ_k δ_k·w_kj, ∂L/∂w_ji = δ_j·a_i, output δ = ∂L/∂ŷ·g′(z)",
    "MLP([4, 6, 5, 3], tanh, relu, identity).backward under cross-entropy: every ∂L/∂θ and ∂L/∂x",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def delta_rule(impl: Any) -> Outcome:
    rng = np.random.default_rng(10)
    net = MLP([4, 6, 5, 3], ["tanh", "relu", "identity"], seed=10)
    return autograd_outcome(impl, net, rng.normal(size=(8, 4)), rng.integers(0, 3, size=8), "cross_entropy")


@case(
    "C10/relu_graph",
    "ŷ = relu(x·w + b): ∂ŷ/∂w = 1[z > 0]·x, ∂ŷ/∂b = 1[z > 0]",
    "MLP([2, 1], relu) with ½(y − ŷ)², including a sample exactly at z = 0",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def relu_graph(impl: Any) -> Outcome:
    net = MLP([2, 1], "relu", seed=11)
    net.load_state_dict({"0.weight": np.array([[0.5, -1.0]]), "0.bias": np.array([0.0])})
    x = np.array([[2.0, 1.0], [1.0, 2.0], [3.0, 0.5]])  # z = 0, −1.5, 1
    return autograd_outcome(impl, net, x, np.array([[1.0], [0.0], [0.5]]), "half_squared_error", "sum")


# --- E3: the step size inside a gradient ---------------------------------------------------------------


@case(
    "E3/step_size_in_gradient",
    "printed ∂L/∂w3 = −η(y − ŷ)·f3(1 − f3)·f2; corrected ∂L/∂w3 = −(y − ŷ)·f3(1 − f3)·f2",
    "both forms on the four-parameter chain with η = 0.1",
    AUTOGRAD,
    "printed must leave the bound, corrected must stay within it",
)
def erratum_step_size() -> Outcome:
    net, x, y, slide = _chain()
    torch_side, bounds = torch_gradients(net, x, y, "half_squared_error", "sum")
    eta = 0.1
    corrected = slide["4.weight"]  # −(y − ŷ)·f3(1 − f3)·f2, as handmlp.chain writes it
    expected, bound = torch_side.grads["4.weight"].reshape(-1), bounds.grads["4.weight"].reshape(-1)
    return erratum(
        from_comparisons([compare_within_bound("printed", (eta * corrected).reshape(-1), expected, bound)]),
        from_comparisons([compare_within_bound("corrected", corrected.reshape(-1), expected, bound)]),
        "∂L/∂w3",
    )


# --- E5: the factor of the layer delta rule ------------------------------------------------------------


def _two_layer_sigmoid() -> tuple[MLP, Array, Array]:
    rng = np.random.default_rng(5)
    return MLP([3, 4, 2], "sigmoid", seed=5), rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))


def _hidden_weight_gradient(use_derivative: bool) -> Array:
    """∂L/∂W of the hidden layer by the delta rule, with g′(z_j) (corrected) or g(z_j) (as printed in E5)."""
    net, x, y = _two_layer_sigmoid()
    act = get_activation("sigmoid")
    w1, b1 = net.parameters()["0.weight"], net.parameters()["0.bias"]
    w2, b2 = net.parameters()["2.weight"], net.parameters()["2.bias"]
    z1 = x @ w1.T + b1
    a1 = act.forward(z1)
    z2 = a1 @ w2.T + b2
    y_hat = act.forward(z2)
    delta2 = get_loss("half_squared_error", "sum").gradient(y_hat, y) * act.derivative(z2)
    _, _, back = linear_backward(delta2, a1, w2)  # Σ_k δ_k·w_kj
    delta1 = (act.derivative(z1) if use_derivative else act.forward(z1)) * back
    return delta1.T @ x


@case(
    "E5/delta_rule_factor",
    "printed δ_j = (g(z_j)·Σ_k δ_k w_kj)·g(z_i); corrected δ_j = g′(z_j)·Σ_k δ_k w_kj",
    "the hidden layer's ∂L/∂W of a 3-4-2 sigmoid network, by both forms",
    AUTOGRAD,
    "printed must leave the bound, corrected must stay within it",
)
def erratum_delta_rule() -> Outcome:
    net, x, y = _two_layer_sigmoid()
    torch_side, bounds = torch_gradients(net, x, y, "half_squared_error", "sum")
    expected, bound = torch_side.grads["0.weight"], bounds.grads["0.weight"]
    return erratum(
        from_comparisons([compare_within_bound("printed", _hidden_weight_gradient(False), expected, bound)]),
        from_comparisons([compare_within_bound("corrected", _hidden_weight_gradient(True), expected, bound)]),
        "hidden-layer ∂L/∂W",
    )
