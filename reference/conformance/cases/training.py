"""Catalog cases for the updates: the perceptron algorithm, the one-line and delta rules, SGD in its three
batch modes, the threshold neuron, the playground (C1, C2, C6–C8, C11, C13, C17; errata E2, E4)."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, get_loss
from handmlp.batching import batch_schedule, iterations_per_epoch
from handmlp.datasets import DATASETS
from handmlp.optim import SGD
from handmlp.perceptron import delta_rule_step, rosenblatt, threshold_neuron_step
from reference.conformance.case import EXACT, WITHIN_BOUND, Outcome, case, erratum, exact, from_comparisons
from reference.conformance.cases.backprop import C6_X, C6_Y
from reference.oracle.compare import compare_within_bound, gamma, unit_roundoff

Array = Any
SGD_ORACLE = "torch.optim.SGD on the torch twin, same weights, same batch order"
TRAJECTORY = "every parameter and momentum buffer after every step within a bound growing with the steps"
U64 = unit_roundoff(np.float64)


def _trajectory(
    net: MLP,
    loss: str,
    hyper: dict[str, Any],
    X: Array,
    Y: Array,
    epochs: int,
    batch_size: int | None,
    **kw: Any,
) -> Outcome:
    """handmlp's fit and torch's loop in lockstep; the outcome carries the per-step series for the report."""
    from reference.twins.train import run_against_torch

    try:
        report = run_against_torch(net, loss, hyper, X, Y, epochs, batch_size, **kw)
    except AssertionError as exc:
        return Outcome(False, float("nan"), float("nan"), str(exc))
    detail = (
        f"{report.steps} steps; worst error/bound {report.worst_ratio:.3g} ({report.worst_at}); "
        f"final parameters agree to {report.final_relative:.2e} relative"
    )
    errors, bounds = report.series["error max|Δθ|"], report.series["bound max"]
    last = len(errors) - 1
    return Outcome(True, errors[last], bounds[last], detail, report.series)


# --- C1: Rosenblatt's perceptron ----------------------------------------------------------------------

_BITS = np.array([[a, b, c] for a in (0.0, 1.0) for b in (0.0, 1.0) for c in (0.0, 1.0)])
_OR_LABELS = np.where(_BITS[:, 0] + _BITS[:, 1] > 0, 1.0, -1.0)  # x1 OR x2, whatever x3


@case(
    "C1/rosenblatt_trace",
    "w = 0; ŷ = sign(⟨w, x⟩); w_n ← w_n + y·x_n·1[y ≠ ŷ], epoch after epoch until no mistake",
    "perceptron.rosenblatt on x ∈ {0,1}³ labelled x1 OR x2, with a bias input",
    "the same rule as SGD (lr = 1) on max(0, −y⟨w, x⟩) in torch, with sign(0) = +1",
    EXACT + " of the weights and the mistakes per epoch",
)
def rosenblatt_trace() -> Outcome:
    from reference.twins.perceptron import torch_rosenblatt

    ours = rosenblatt(_BITS, _OR_LABELS, epochs=50, bias=True)
    theirs = torch_rosenblatt(_BITS, _OR_LABELS, epochs=50, bias=True)
    got = [*ours.weights, ours.bias, *ours.mistakes]
    return exact(got, [*theirs.weights, *theirs.mistakes], "weights, bias, mistakes per epoch")


@case(
    "C1/sign_zero",
    "sign(0) = +1: at ⟨w, x⟩ = 0 with y = −1 the prediction is wrong and w moves by y·x",
    "perceptron.rosenblatt from w = 0 on one sample x = (1, 2), y = −1, one epoch",
    "the definition: w = −x after the first sample",
    EXACT,
    needs_torch=False,
)
def sign_zero() -> Outcome:
    result = rosenblatt(np.array([[1.0, 2.0]]), np.array([-1.0]), epochs=1)
    return exact([*result.weights, result.mistakes[0]], [-1.0, -2.0, 1], "weights and mistakes after the tie")


# --- C2, E4: the one-line rule ------------------------------------------------------------------------

_RNG = np.random.default_rng(2)
_X_SMALL = _RNG.uniform(-0.5, 0.5, size=(12, 3))
_Y_SMALL = _X_SMALL @ np.array([0.5, -1.0, 2.0]) + 0.01 * _RNG.normal(size=12)


def _one_line_bound(w: Array, x: Array, y: float, eta: float) -> Array:
    """One step of w + η(y − w·x)x, on both sides: γ_(n+4) of the magnitudes (|w| + η(|y| + |w||x|)|x|)."""
    return 2 * gamma(len(x) + 4, U64) * (np.abs(w) + eta * (abs(y) + np.abs(w) @ np.abs(x)) * np.abs(x))


def _rule_against_torch(step: Any, eta: float) -> Outcome:
    """Each step of `step` (from torch's weights before it) against torch.optim.SGD's step, per sample."""
    from reference.twins.perceptron import torch_delta_rule

    w0 = np.zeros(3)
    torch_ws = torch_delta_rule(_X_SMALL, _Y_SMALL, eta, 1, w0)
    before = [w0, *torch_ws[:-1]]
    results = []
    for n, (w, expected) in enumerate(zip(before, torch_ws)):
        ours = step(w, n, eta)
        bound = _one_line_bound(w, _X_SMALL[n], float(_Y_SMALL[n]), eta)
        results.append(compare_within_bound(f"w after sample {n}", ours, expected, bound))
    return from_comparisons(results)


def _correct_rule(w: Array, n: int, eta: float) -> Array:
    return delta_rule_step(w, _X_SMALL[n], float(_Y_SMALL[n]), eta)


def _printed_rule(w: Array, n: int, eta: float) -> Array:
    """E4 as printed: w = w + (y_n − ŷ)·x_i, with i another sample's index than n (here the next one)."""
    i = (n + 1) % len(_X_SMALL)
    return w + eta * (float(_Y_SMALL[n]) - w @ _X_SMALL[n]) * _X_SMALL[i]


@case(
    "C2/one_line_rule",
    "for n = 1..N: w ← w + (y_n − ŷ)·x_n is SGD with step 1 on ½(y − ŷ)²",
    "perceptron.delta_rule_step with η = 1, sample by sample",
    "torch.optim.SGD(lr=1) on ½(y − ⟨w, x⟩)² by autograd",
    WITHIN_BOUND + ", step by step",
)
def one_line_rule() -> Outcome:
    return _rule_against_torch(_correct_rule, 1.0)


@case(
    "E4/one_line_index",
    "printed w = w + (y_n − ŷ)·x_i; corrected w = w + (y_n − ŷ)·x_n",
    "both forms, sample by sample with η = 1 (the printed x_i taken from another sample, i ≠ n)",
    "torch.optim.SGD(lr=1) on ½(y_n − ⟨w, x_n⟩)²",
    "printed must leave the bound, corrected must stay within it",
)
def erratum_index() -> Outcome:
    return erratum(
        _rule_against_torch(_printed_rule, 1.0), _rule_against_torch(_correct_rule, 1.0), "one-line rule"
    )


# --- C6, C7: the smallest perceptrons trained ---------------------------------------------------------


@case(
    "C6/worked_table",
    "ŷ = w·x on x = (10, 2, 3.5, 1), y = (10.1, 1.9, 3.4, 1.1): descent converges to Σxy/Σx² = 117.8/117.25",
    "fit of MLP([1, 1], identity, no bias), full batch, sum objective, lr 0.005, 80 steps from w = 0",
    "the least-squares answer 117.8/117.25",
    "within the stationary-point rounding 2γ_(2N+2)·Σ(|w x| + |y|)|x| / Σx² + u|w*|",
    needs_torch=False,
)
def worked_table() -> Outcome:
    from handmlp.train import fit

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
    return _trajectory(
        net, "half_squared_error", {"lr": 0.005}, C6_X[:, None], C6_Y[:, None], 20, 1, objective="sum"
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
    bound = _one_line_bound(w, x, y, eta)
    return from_comparisons(
        [
            compare_within_bound("delta_rule_step", delta_rule_step(w, x, y, eta), torch_w, bound),
            compare_within_bound("the two lines by hand", by_hand, torch_w, bound),
        ]
    )


# --- C8, C13: SGD, minibatches, full batch ------------------------------------------------------------

_XS = np.random.default_rng(8).normal(size=(24, 3))
_YS = np.tanh(_XS @ np.array([[0.7], [-0.4], [0.2]]))


@case(
    "C8/per_sample_sgd",
    "for each random sample: forward, loss L_i, backpropagate ∂L/∂θ, update θ ← θ − η·∂L/∂θ",
    "fit of MLP([3, 5, 1], tanh, identity) with batch size 1, shuffled, 2 epochs, η = 0.05",
    SGD_ORACLE,
    TRAJECTORY,
)
def per_sample_sgd() -> Outcome:
    net = MLP([3, 5, 1], ["tanh", "identity"], seed=8)
    return _trajectory(net, "half_squared_error", {"lr": 0.05}, _XS, _YS, 2, 1)


@case(
    "C13/minibatch_momentum",
    "a minibatch uses B < N samples; momentum and Nesterov as torch.optim.SGD",
    "fit of MLP([3, 6, 1], sigmoid, identity), B = 5 (last batch short), 6 epochs, momentum 0.9, nesterov",
    SGD_ORACLE,
    TRAJECTORY,
)
def minibatch() -> Outcome:
    net = MLP([3, 6, 1], ["sigmoid", "identity"], seed=13)
    hyper = {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}
    return _trajectory(net, "squared_error", hyper, _XS, _YS, 6, 5)


@case(
    "C13/full_batch",
    "full-batch descent on min_θ Σ_i L(y_i, f(x_i)): the gradient is Σ_i ∂L_i/∂θ",
    "fit of MLP([3, 4, 1], tanh, identity), full batch, sum objective, 40 steps",
    SGD_ORACLE,
    TRAJECTORY,
)
def full_batch() -> Outcome:
    net = MLP([3, 4, 1], ["tanh", "identity"], seed=130)
    return _trajectory(net, "half_squared_error", {"lr": 0.01}, _XS, _YS, 40, None, objective="sum")


@case(
    "C13/iterations_per_epoch",
    "an epoch is one pass over the data: ⌈N/B⌉ iterations (⌊N/B⌋ dropping the short batch)",
    "batching.iterations_per_epoch and the batches batch_schedule yields, N = 10, B = 1, 3, 4, 10",
    "⌈N/B⌉ and ⌊N/B⌋, and every index once per epoch",
    EXACT,
    needs_torch=False,
)
def iterations() -> Outcome:
    got, expected = [], []
    for b in (1, 3, 4, 10):
        for drop_last in (False, True):
            schedule = batch_schedule(10, b, 1, seed=1, drop_last=drop_last)
            got += [iterations_per_epoch(10, b, drop_last), len(schedule)]
            expected += [(10 // b) if drop_last else -(-10 // b)] * 2
        full = np.sort(np.concatenate([idx for _, idx in batch_schedule(10, b, 1, seed=1)]))
        got.append(int((full == np.arange(10)).all()))
        expected.append(1)
    return exact(got, expected, "iterations per epoch, batches yielded, each index once")


@case(
    "C13/sum_vs_mean",
    "∇ Σ_i L_i = N · ∇ (1/N) Σ_i L_i",
    "MLP([3, 4, 2]).backward under the sum and under the mean of ½(y − ŷ)² on N = 48 elements",
    "N times the mean gradient",
    "within E_sum + N·E_mean + u·N|mean|: each run's own rounding bound (oracle.bounds), and the scaling",
)
def sum_vs_mean() -> Outcome:
    from reference.oracle.bounds import BOTH_SIDES, network_bounds

    net = MLP([3, 4, 2], ["tanh", "identity"], seed=21)
    y = np.concatenate([_YS, -_YS], axis=1)
    sum_loss, mean_loss = get_loss("half_squared_error", "sum"), get_loss("half_squared_error", "mean")
    _, total = net.loss_and_gradients(_XS, y, sum_loss)
    _, mean = net.loss_and_gradients(_XS, y, mean_loss)
    e_sum = network_bounds(net, _XS, y, sum_loss).grads
    e_mean = network_bounds(net, _XS, y, mean_loss).grads
    n = y.size
    results = [
        compare_within_bound(
            name,
            total[name],
            n * mean[name],
            (e_sum[name] + n * e_mean[name]) / BOTH_SIDES + U64 * n * np.abs(mean[name]),
        )
        for name in total
    ]
    return from_comparisons(results)


@case(
    "E2/descent_sign",
    "printed θ ← θ + η·∂L/∂θ; corrected θ ← θ − η·∂L/∂θ",
    "both updates from the same weights and gradient of a 3-4-1 network",
    "torch.optim.SGD.step",
    "printed must leave the bound, corrected must stay within it",
)
def erratum_descent_sign() -> Outcome:
    import torch

    from reference.twins.mlp import to_torch
    from reference.twins.optim import sgd_step_bound

    net = MLP([3, 4, 1], ["tanh", "identity"], seed=22)
    _, grads = net.loss_and_gradients(_XS, _YS, get_loss("half_squared_error"))
    params = net.state_dict()
    module = to_torch(net)
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    torch.autograd.backward(
        torch.nn.functional.mse_loss(module(torch.from_numpy(_XS)), torch.from_numpy(_YS)) * 0.5
    )
    opt.step()
    expected = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    bound = sgd_step_bound(params, grads, {}, {"lr": 0.1}).params

    def outcome(sign: float, label: str) -> Outcome:
        return from_comparisons(
            [
                compare_within_bound(f"{label} {k}", params[k] + sign * 0.1 * grads[k], expected[k], bound[k])
                for k in params
            ]
        )

    return erratum(outcome(+1.0, "printed"), outcome(-1.0, "corrected"), "gradient step")


# --- C11: the threshold neuron's update ---------------------------------------------------------------


@case(
    "C11/threshold_update",
    "w_i ← w_i − μ·∂L/∂ŷ·σ(·)(1 − σ(·))·x_i with x_0 = −1",
    "perceptron.threshold_neuron_step on the OR gate's weights (30, 30, 20) nudged, μ = 0.5",
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


# --- C17: the playground ------------------------------------------------------------------------------


@case(
    "C17/playground_xor",
    "the playground's XOR dataset, a chosen activation, architecture and learning rate",
    "fit of MLP([2, 8, 1], tanh, identity) on datasets.xor(n=64), hinge loss, B = 16, 10 epochs, η = 0.05",
    SGD_ORACLE,
    TRAJECTORY,
)
def playground_xor() -> Outcome:
    x, y = DATASETS["xor"](n=64, seed=17)
    net = MLP([2, 8, 1], ["tanh", "identity"], seed=17)
    return _trajectory(net, "hinge", {"lr": 0.05}, x / 5.0, y[:, None], 10, 16)
