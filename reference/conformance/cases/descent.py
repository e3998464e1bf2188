"""Catalog cases for gradient descent on the smallest networks (C6, C7): ŷ = w·x and ŷ = w1·x1 + w2·x2,
their gradients by hand and by backward, the worked table's least-squares answer, and the updates."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP
from handmlp.optim import SGD
from handmlp.perceptron import delta_rule_step
from handmlp.train import fit
from reference.conformance.case import AUTOGRAD, WITHIN_BOUND, Outcome, case, from_comparisons
from reference.conformance.cases._common import (
    GRADIENTS,
    SGD_ORACLE,
    TRAJECTORY,
    U64,
    impl_gradients,
    one_line_bound,
    torch_gradients,
    trajectory,
)
from reference.conformance.subject import outcome_of
from reference.oracle.compare import compare_within_bound, gamma

# --- C6: the smallest perceptron -----------------------------------------------------------------------

C6_X = np.array([10.0, 2.0, 3.5, 1.0])
C6_Y = np.array([10.1, 1.9, 3.4, 1.1])


@case(
    "C6/gradient",
    "ŷ = w·x, L = ½(y − ŷ)²: dL/dw = −(y − ŷ)·x",
    "MLP([1, 1], identity, no bias).backward per sample of the worked table, and −(y − ŷ)·x by hand",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def smallest_gradient(impl: Any) -> Outcome:
    net = MLP([1, 1], "identity", bias=False)
    net.load_state_dict({"0.weight": np.array([[0.5]])})
    results = []
    for x, y in zip(C6_X, C6_Y):
        xs, ys = np.array([[x]]), np.array([[y]])
        torch_side, bounds = torch_gradients(net, xs, ys, "half_squared_error", "sum")
        by_hand = -(y - 0.5 * x) * x
        backward = impl_gradients(impl, net, xs, ys, "half_squared_error", "sum")["0.weight"]
        expected, bound = torch_side.grads["0.weight"], bounds.grads["0.weight"]
        results.append(compare_within_bound(f"−(y − ŷ)·x at x={x}", np.array([[by_hand]]), expected, bound))
        results.append(compare_within_bound(f"backward at x={x}", backward, expected, bound))
    return outcome_of(results, impl)


@case(
    "C6/worked_table",
    "ŷ = w·x on x = (10, 2, 3.5, 1), y = (10.1, 1.9, 3.4, 1.1): descent converges to Σxy/Σx² = 117.8/117.25",
    "fit of MLP([1, 1], identity, no bias), full batch, sum objective, lr 0.005, 80 steps from w = 0",
    "the least-squares answer 117.8/117.25",
    "within the stationary-point rounding 2γ_(2N+2)·Σ(|w x| + |y|)|x| / Σx² + u|w*|",
    needs_torch=False,
)
def worked_table() -> Outcome:

    net = MLP([1, 1], "identity", bias=False)
    net.load_state_dict({"0.weight": np.zeros((1, 1))})
    fit(
        net,
        "half_squared_error",
        SGD(net.parameters(), lr=0.005),
        C6_X[:, None],
        C6_Y[:, None],
        80,
        None,
        objective="sum",
        shuffle=False,
    )
    answer = 117.8 / 117.25
    w = net.parameters()["0.weight"][0, 0]
    sum_x2 = float(C6_X @ C6_X)
    bound = (
        2
        * gamma(2 * len(C6_X) + 2, U64)
        * float((abs(answer) * np.abs(C6_X) + np.abs(C6_Y)) @ np.abs(C6_X))
        / sum_x2
    )
    bound += U64 * answer
    outcome = from_comparisons([compare_within_bound("w", w, answer, bound)])
    outcome.detail = f"w = {w!r}, 117.8/117.25 = {answer!r}; " + outcome.detail
    return outcome


@case(
    "C6/descent_against_torch",
    "w ← w − η∇w with ∇w = −(y − ŷ)·x, per sample",
    "fit of MLP([1, 1], identity, no bias) on the worked table, per-sample SGD, η = 0.005, 20 epochs",
    SGD_ORACLE,
    TRAJECTORY,
)
def descent_against_torch() -> Outcome:
    net = MLP([1, 1], "identity", bias=False, seed=6)
    return trajectory(
        net, "half_squared_error", {"lr": 0.005}, C6_X[:, None], C6_Y[:, None], 20, 1, objective="sum"
    )


# --- C7: the second smallest ---------------------------------------------------------------------------


@case(
    "C7/gradient",
    "ŷ = w1·x1 + w2·x2: ∇w_i = −(y − ŷ)·x_i",
    "MLP([2, 1], identity, no bias).backward, and −(y − ŷ)·x_i by hand",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def second_smallest_gradient(impl: Any) -> Outcome:
    net = MLP([2, 1], "identity", bias=False, seed=7)
    x, y = np.array([[1.5, -2.0]]), np.array([[0.25]])
    torch_side, bounds = torch_gradients(net, x, y, "half_squared_error", "sum")
    y_hat = net.forward(x)
    by_hand = -(y - y_hat) * x
    backward = impl_gradients(impl, net, x, y, "half_squared_error", "sum")["0.weight"]
    expected, bound = torch_side.grads["0.weight"], bounds.grads["0.weight"]
    return outcome_of(
        [
            compare_within_bound("−(y − ŷ)·x_i", by_hand, expected, bound),
            compare_within_bound("backward", backward, expected, bound),
        ],
        impl,
    )


@case(
    "C7/update_lines",
    "w1 ← w1 + η(y − ŷ)·x1, w2 ← w2 + η(y − ŷ)·x2 with ŷ = w1·x1 + w2·x2",
    "perceptron.delta_rule_step on two inputs, and fit of MLP([2, 1], identity, no bias)",
    "the two lines computed by hand, and torch.optim.SGD",
    WITHIN_BOUND,
)
def update_lines() -> Outcome:
    from reference.twins.perceptron import torch_delta_rule

    w, x, y, eta = np.array([0.3, -0.2]), np.array([1.5, -2.0]), 0.25, 0.1
    y_hat = w[0] * x[0] + w[1] * x[1]
    by_hand = np.array([w[0] + eta * (y - y_hat) * x[0], w[1] + eta * (y - y_hat) * x[1]])
    torch_w = torch_delta_rule(x[None, :], np.array([y]), eta, 1, w)[-1]
    bound = one_line_bound(w, x, y, eta)
    return from_comparisons(
        [
            compare_within_bound("delta_rule_step", delta_rule_step(w, x, y, eta), torch_w, bound),
            compare_within_bound("the two lines by hand", by_hand, torch_w, bound),
        ]
    )
