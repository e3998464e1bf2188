"""Catalog cases for networks whose weights are set by hand (C11, C12): the threshold neuron as an OR and
an AND gate, its saturation and its update, and the 2-2-1 network that computes XOR."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp import MLP, get_activation
from handmlp.perceptron import threshold_neuron_step
from reference.conformance.case import AUTOGRAD, EXACT, WITHIN_BOUND, Outcome, case, exact, from_comparisons
from reference.conformance.cases._common import GRADIENTS, U64, autograd_outcome
from reference.conformance.subject import load
from reference.oracle.compare import compare_within_bound, gamma, unit_roundoff

_BINARY = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _forward(impl: Any, net: MLP) -> NDArray[Any]:
    """The implementation's output for the four binary inputs, on `net`'s architecture and weights."""
    load(impl, net, impl.loss)
    return np.asarray(impl.forward(_BINARY.copy()))


# --- C11: the threshold neuron as a gate ---------------------------------------------------------------


def _gate(w1: float, w2: float, w0: float) -> MLP:
    """y = σ(w1·x1 + w2·x2 − w0): the threshold w0 is a weight on a constant input of −1, i.e. a bias −w0."""
    net = MLP([2, 1], "sigmoid")
    weights = np.array([[w1, w2]], dtype=float)
    net.load_state_dict({"0.weight": weights, "0.bias": -np.array([w0], dtype=float)})
    return net


@case(
    "C11/or_gate",
    "(w1, w2, w0) = (30, 30, 20): y = σ(30x1 + 30x2 − 20) is an OR gate",
    "the gate on the four binary inputs, rounded",
    "the truth table of OR",
    EXACT,
    needs_torch=False,
    needs=("forward",),
)
def or_gate(impl: Any) -> Outcome:
    return exact(
        np.round(_forward(impl, _gate(30, 30, 20)))[:, 0], [0, 1, 1, 1], "round(y) for 00, 01, 10, 11"
    )


@case(
    "C11/and_gate",
    "(w1, w2, w0) = (15, 15, 20): y = σ(15x1 + 15x2 − 20) is an AND gate",
    "the gate on the four binary inputs, rounded",
    "the truth table of AND",
    EXACT,
    needs_torch=False,
    needs=("forward",),
)
def and_gate(impl: Any) -> Outcome:
    return exact(
        np.round(_forward(impl, _gate(15, 15, 20)))[:, 0], [0, 0, 0, 1], "round(y) for 00, 01, 10, 11"
    )


@case(
    "C11/saturation",
    "σ(−10) ≈ 0, σ(10) ≈ 1",
    "Sigmoid.forward at ±10",
    "the definition 1/(1 + e^(∓10)), to within 4.6e-5 of 0 and 1",
    "exact values 1/(1 + e^10) and 1/(1 + e^−10) within rounding",
    needs_torch=False,
)
def saturation() -> Outcome:
    got = get_activation("sigmoid").forward(np.array([-10.0, 10.0]))
    expected = np.array([1 / (1 + np.exp(10.0)), 1 / (1 + np.exp(-10.0))])
    bound = 4 * unit_roundoff(np.float64) * expected
    ok = compare_within_bound("σ(±10)", got, expected, bound)
    near = bool(got[0] < 4.6e-5 and 1 - got[1] < 4.6e-5)
    outcome = from_comparisons([ok])
    return Outcome(outcome.passed and near, outcome.error, outcome.bound, outcome.detail)


@case(
    "C11/threshold_update",
    "w_i ← w_i − μ·∂L/∂ŷ·σ(·)(1 − σ(·))·x_i with x_0 = −1",
    "perceptron.threshold_neuron_step from (w0, w1, w2) = (0.5, 1, −0.7) on x = (1, 0), y = 1, μ = 0.5",
    "torch.optim.SGD(lr=μ) on ½(y − σ(w1x1 + w2x2 − w0))² by autograd",
    WITHIN_BOUND,
)
def threshold_update() -> Outcome:
    from reference.twins.perceptron import torch_threshold_step

    weights, x, y, mu = np.array([0.5, 1.0, -0.7]), np.array([1.0, 0.0]), 1.0, 0.5
    ours = threshold_neuron_step(weights, x, y, mu)
    theirs = torch_threshold_step(weights, x, y, mu)
    inputs = np.concatenate([[-1.0], x])
    s = 1 / (1 + np.exp(-(weights @ inputs)))
    magnitude = np.abs(weights) + mu * (abs(s) + abs(y)) * s * (1 + s) * np.abs(inputs)
    return from_comparisons([compare_within_bound("w", ours, theirs, 2 * gamma(16, U64) * magnitude)])


# --- C12: XOR by hand ----------------------------------------------------------------------------------


def _xor_network() -> MLP:
    """y1 = σ(−20x1 + 30x2 − 20), y2 = σ(30x1 − 20x2 − 20), y = σ(30y1 + 30y2 − 20)."""
    net = MLP([2, 2, 1], "sigmoid")
    net.load_state_dict(
        {
            "0.weight": np.array([[-20.0, 30.0], [30.0, -20.0]]),
            "0.bias": np.array([-20.0, -20.0]),
            "2.weight": np.array([[30.0, 30.0]]),
            "2.bias": np.array([-20.0]),
        }
    )
    return net


@case(
    "C12/xor_truth_table",
    "y = σ(30·y1 + 30·y2 − 20) with the hand-set hidden units computes XOR",
    "the hand-set 2-2-1 network on the four binary inputs, rounded",
    "the truth table of XOR",
    EXACT,
    needs_torch=False,
    needs=("forward",),
)
def xor_truth_table(impl: Any) -> Outcome:
    return exact(np.round(_forward(impl, _xor_network()))[:, 0], [0, 1, 1, 0], "round(y) for 00, 01, 10, 11")


@case(
    "C12/xor_gradients",
    "forward, then backward: each unit multiplies the received gradient by its local derivative",
    "the hand-set XOR network's ∂L/∂θ under ½(y − ŷ)² towards XOR",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def xor_gradients(impl: Any) -> Outcome:
    return autograd_outcome(
        impl, _xor_network(), _BINARY, np.array([[0.0], [1.0], [1.0], [0.0]]), "half_squared_error", "sum"
    )
