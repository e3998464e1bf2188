"""Catalog cases for stochastic gradient descent (C8; erratum E2): per-sample SGD in lockstep with torch,
then every option of torch.optim.SGD: lr, momentum, dampening, weight_decay, nesterov, maximize, and the
first-buffer rule (torch's first momentum buffer is the gradient itself, not dampened). Each option is
checked one step from fresh state and one step from given momentum buffers, and over a short run of 6
steps with gradients that change every step, in float64 and float32, against torch.optim.SGD from the
same parameters, buffers and gradients, every parameter and buffer within the bound
reference.twins.optim.sgd_step_bound derives (carried from step to step over the run).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, get_loss
from handmlp.optim import SGD
from reference.conformance.case import Outcome, case, erratum, from_comparisons
from reference.conformance.cases._common import DTYPES, SGD_ORACLE, TRAJECTORY, XS, YS, Array, trajectory
from reference.oracle.compare import Comparison, compare_within_bound

# --- C8: per-sample SGD --------------------------------------------------------------------------------


@case(
    "C8/per_sample_sgd",
    "for each random sample: forward, loss L_i, backpropagate ∂L/∂θ, update θ ← θ − η·∂L/∂θ",
    "fit of MLP([3, 5, 1], tanh, identity) with batch size 1, shuffled, 2 epochs, η = 0.05",
    SGD_ORACLE,
    TRAJECTORY,
)
def per_sample_sgd() -> Outcome:
    net = MLP([3, 5, 1], ["tanh", "identity"], seed=8)
    return trajectory(net, "half_squared_error", {"lr": 0.05}, XS, YS, 2, 1)


# --- C8: every option of torch.optim.SGD ---------------------------------------------------------------

SHAPES = {"0.weight": (3, 4), "0.bias": (3,), "2.weight": (1, 3)}
RUN_STEPS = 6
TORCH_SGD = "torch.optim.SGD with the same hyper-parameters, parameters, buffers and gradients"
STEP_BOUND = (
    "every parameter and momentum buffer within reference.twins.optim.sgd_step_bound, one step from fresh "
    "state, one from given buffers, and carried over a 6-step run; float64 and float32"
)


def arrays(dtype: Any, seed: int) -> dict[str, Array]:
    """One array per parameter name of SHAPES, drawn from N(0, 1) with `seed`."""
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=shape).astype(dtype) for name, shape in SHAPES.items()}


def step_comparisons(hyper: dict[str, Any], dtype: Any, with_buffers: bool) -> list[Comparison]:
    """One step of handmlp's SGD and torch's from the same state, within `sgd_step_bound`."""
    from reference.twins.optim import TorchSGD, sgd_step_bound

    params, grads = arrays(dtype, 1), arrays(dtype, 2)
    buffers = arrays(dtype, 3) if with_buffers and hyper.get("momentum", 0.0) else {}
    ours = {name: value.copy() for name, value in params.items()}
    opt = SGD(ours, **hyper)
    if buffers:
        opt.load_state_dict({"hyperparameters": opt.hyperparameters(), "momentum_buffer": dict(buffers)})
    theirs = TorchSGD(params, **hyper)
    theirs.set_buffers(buffers)
    opt.step(grads)
    theirs.step(grads)
    bound = sgd_step_bound(params, grads, buffers, hyper)
    label = f"{'later' if buffers else 'first'} step {np.dtype(dtype).name}"
    return _state_comparisons(opt, theirs, bound.params, bound.buffers, label)


def _state_comparisons(
    opt: SGD, theirs: Any, param_bounds: dict[str, Array], buffer_bounds: dict[str, Array], label: str
) -> list[Comparison]:
    torch_params, torch_buffers = theirs.params(), theirs.buffers()
    results = [
        compare_within_bound(
            f"{label}: param {name!r}", opt.params[name], torch_params[name], param_bounds[name]
        )
        for name in torch_params
    ]
    kept, expected = sorted(opt.momentum_buffers), sorted(torch_buffers)
    results.append(
        compare_within_bound(f"{label}: buffers kept {kept} vs torch {expected}", kept == expected, 1, 0)
    )
    results += [
        compare_within_bound(
            f"{label}: momentum buffer {name!r}", opt.momentum_buffers[name], buf, buffer_bounds[name]
        )
        for name, buf in torch_buffers.items()
        if name in opt.momentum_buffers
    ]
    return results


def run_comparisons(hyper: dict[str, Any], dtype: Any) -> list[Comparison]:
    """RUN_STEPS steps with fresh gradients each step; the bound carries the differences already present."""
    from reference.twins.optim import TorchSGD, sgd_step_bound

    params = arrays(dtype, 11)
    opt = SGD({name: value.copy() for name, value in params.items()}, **hyper)
    theirs = TorchSGD(params, **hyper)
    delta_p: dict[str, Array] = {}
    delta_b: dict[str, Array] = {}
    results: list[Comparison] = []
    for step in range(RUN_STEPS):
        grads = arrays(dtype, 100 + step)
        before_p, before_b = theirs.params(), theirs.buffers()
        opt.step(grads)
        theirs.step(grads)
        bound = sgd_step_bound(before_p, grads, before_b, hyper, delta_p, None, delta_b)
        delta_p, delta_b = bound.params, bound.buffers
        results += _state_comparisons(
            opt, theirs, delta_p, delta_b, f"run step {step} {np.dtype(dtype).name}"
        )
    return results


def sgd_outcome(hyper: dict[str, Any]) -> Outcome:
    """First step, later step and a short run, in both dtypes."""
    results: list[Comparison] = []
    for dtype in DTYPES:
        results += step_comparisons(hyper, dtype, with_buffers=False)
        results += step_comparisons(hyper, dtype, with_buffers=True)
        results += run_comparisons(hyper, dtype)
    return from_comparisons(results)


OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "lr": ("θ ← θ − η·∂L/∂θ", {"lr": 0.1}),
    "momentum": ("b ← μ·b + g; θ ← θ − η·b", {"lr": 0.1, "momentum": 0.9}),
    "dampening": ("b ← μ·b + (1 − τ)·g after the first step", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    "weight_decay": ("g ← ∂L/∂θ + λ·θ", {"lr": 0.1, "weight_decay": 0.05}),
    "nesterov": ("θ ← θ − η·(g + μ·b)", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "maximize": (
        "g ← −∂L/∂θ before weight decay: ascent",
        {"lr": 0.1, "maximize": True, "weight_decay": 0.05},
    ),
    "all_options": (
        "maximize, then weight decay, momentum with dampening",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.01, "maximize": True},
    ),
    "nesterov_weight_decay_maximize": (
        "maximize, weight decay, Nesterov momentum",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01, "maximize": True},
    ),
}


def _option_case(option: str) -> None:
    equation, hyper = OPTIONS[option]
    shown = ", ".join(f"{k}={v}" for k, v in hyper.items())

    @case(
        f"C8/sgd_{option}",
        equation,
        f"optim.SGD({shown}): step, state and a 6-step run",
        TORCH_SGD,
        STEP_BOUND,
    )
    def check() -> Outcome:
        return sgd_outcome(hyper)


for _option in OPTIONS:
    _option_case(_option)


@case(
    "C8/sgd_first_buffer",
    "b₁ = g (a copy of the first direction, not dampened: no (1 − τ)); b_t = μ·b_(t−1) + (1 − τ)·g after",
    "optim.SGD(momentum=0.9, dampening=0.5) from fresh state: the buffer after one step, then the second",
    TORCH_SGD + "; and the definition: b₁ equals −∂L/∂θ + λθ exactly (maximize, weight decay)",
    STEP_BOUND + "; b₁ exactly the first direction",
)
def first_buffer() -> Outcome:
    results: list[Comparison] = []
    for dtype in DTYPES:
        for maximize, weight_decay in ((False, 0.0), (True, 0.05)):
            params, grads = arrays(dtype, 21), arrays(dtype, 22)
            opt = SGD(
                {name: value.copy() for name, value in params.items()},
                lr=0.1,
                momentum=0.9,
                dampening=0.5,
                weight_decay=weight_decay,
                maximize=maximize,
            )
            opt.step(grads)
            for name, grad in grads.items():
                direction = (-grad if maximize else grad) + weight_decay * params[name]
                label = f"first buffer {name!r} {np.dtype(dtype).name} maximize={maximize} λ={weight_decay}"
                results.append(compare_within_bound(label, opt.momentum_buffers[name], direction, 0.0))
        results += run_comparisons({"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, dtype)
    return from_comparisons(results)


# --- E2: the sign of the update ------------------------------------------------------------------------


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
    _, grads = net.loss_and_gradients(XS, YS, get_loss("half_squared_error"))
    params = net.state_dict()
    module = to_torch(net)
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    torch.autograd.backward(
        torch.nn.functional.mse_loss(module(torch.from_numpy(XS)), torch.from_numpy(YS)) * 0.5
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
