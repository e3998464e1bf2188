"""handmlp's `fit` and torch's training loop side by side, compared at every step under a bound that grows
with the step count.

`run_against_torch` trains a handmlp network with `handmlp.train.fit` and, from the callback after each
step, lets the torch twin (`reference.mlp.to_torch`, `torch.optim.SGD`) take the same batch. After every step
each parameter and each momentum buffer of the two must agree within the running bound below.

How the bound grows (per element, Δ = a bound on |handmlp − torch|):

    Δg_t          = the gradient bound of `reference.bounds.network_bounds` at step t's weights and batch
    Δp_(t+1), Δb_(t+1) = `reference.optim.sgd_step_bound`(p_t, g_t, b_t; Δp_t, Δg_t, Δb_t)

so every step adds its own rounding (that of the forward/backward pass, scaled by η, and that of the update
lines) to what was there, and the bound on the parameters grows linearly in the number of steps (through the
momentum buffer, whose bound settles at (new error)/(1 − μ)). What this leaves out is the change of the
gradient caused by a difference already in the weights, η·∇²L·Δθ: the argument is that the gradient-descent
map θ ↦ θ − η∇L(θ) has Jacobian I − η∇²L, whose eigenvalues lie in [−1, 1] where the loss is locally convex
and η ≤ 2/λ_max — a difference already present is carried forward without growing, and fresh rounding adds to
it. Where the loss is not convex the map expands by at most 1 + η|λ_min| per step; the γ_k bounds behind
Δg_t are worst cases (all roundings aligned), which real roundings, of random sign, stay far below; the
measured error/bound ratio (reported as `worst_ratio`, and printed by benchmarks/sgd_accuracy.py) shows how
much of that margin a run uses.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from handmlp.losses import Loss
from handmlp.mlp import MLP
from handmlp.optim import SGD
from handmlp.train import History, StepRecord, fit, objective_loss
from reference.oracle.bounds import network_bounds
from reference.oracle.compare import compare_within_bound
from reference.twins.losses import torch_loss
from reference.twins.mlp import to_torch
from reference.twins.optim import momentum_buffers, sgd_step_bound

Array = NDArray[Any]

ALL = "all parameters"  # the one key of the flattened vectors


@dataclass
class TrajectoryReport:
    """How far apart handmlp and torch ran: the worst error/bound over every step, parameter and buffer
    (with where it happened), and at the end the worst |error| relative to the largest |element| of each
    parameter."""

    steps: int = 0
    worst_ratio: float = 0.0
    worst_at: str = ""
    final_relative: float = 0.0
    final_params: dict[str, Array] = field(default_factory=dict)
    history: History | None = None
    series: dict[str, list[float]] = field(default_factory=dict)  # per step, for the verify report's plots


class Lockstep:
    """The `fit` callback that steps the torch twin on the same batch and checks the two after each step.

    Every bound is elementwise, so the per-step work runs on all parameters concatenated into one vector
    (in state_dict order); a failure is split back by name to report the tensor and index.
    """

    def __init__(
        self, net: MLP, loss_fn: Loss, optimizer: SGD, X: Array, Y: Array, hyper: dict[str, Any]
    ) -> None:
        self.net, self.loss_fn, self.optimizer, self.hyper = net, loss_fn, optimizer, hyper
        self.X, self.Y = X, Y
        self.module = to_torch(net)
        self.tensors = dict(self.module.named_parameters())
        self.torch_optimizer = torch.optim.SGD(self.module.parameters(), **hyper)
        self.torch_loss = torch_loss(loss_fn)
        self.shadow = copy.deepcopy(net)  # holds the weights before each step, for the gradient bound
        self.shapes = {k: v.shape for k, v in net.parameters().items()}
        self.delta_params = np.zeros(net.num_parameters())
        self.delta_buffers: Array | None = None
        self.report = TrajectoryReport()

    def __call__(self, record: StepRecord) -> None:
        x, y = self.X[record.indices], self.Y[record.indices]
        before, grads, bufs, torch_value = self._torch_step(x, y)
        delta_grads = self._flat(network_bounds(self.shadow, x, y, self.loss_fn).grads)
        bound = sgd_step_bound(
            {ALL: before},
            {ALL: grads},
            {} if bufs is None else {ALL: bufs},
            self.hyper,
            {ALL: self.delta_params},
            {ALL: delta_grads},
            None if self.delta_buffers is None else {ALL: self.delta_buffers},
        )
        self.delta_params, self.delta_buffers = bound.params[ALL], bound.buffers.get(ALL)
        self._record(record.loss, torch_value, self.net.parameters(), self._torch_params(), self.delta_params)
        self._check(record.step, "param", self.net.parameters(), self._torch_params(), self.delta_params)
        self._check(
            record.step,
            "momentum buffer",
            self.optimizer.momentum_buffers,
            momentum_buffers(self.torch_optimizer, self.tensors),
            self.delta_buffers,
        )
        self.shadow.load_state_dict(self.net.state_dict())
        self.report.steps = record.step + 1

    def _record(
        self,
        mine: float,
        theirs: float,
        params: dict[str, Array],
        torch_params: dict[str, Array],
        bound: Array,
    ) -> None:
        """Both losses, the largest parameter difference, and the largest bound of this step."""
        err = np.abs(self._flat(params).astype(np.float64) - self._flat(torch_params))
        for key, value in (
            ("handmlp loss", mine),
            ("torch loss", theirs),
            ("error max|Δθ|", float(err.max())),
            ("bound max", float(bound.max())),
        ):
            self.report.series.setdefault(key, []).append(value)

    def _torch_step(self, x: Array, y: Array) -> tuple[Array, Array, Array | None, float]:
        """Forward, loss, autograd backward and torch.optim.SGD's step on one batch; returns the parameters,
        gradients and momentum buffers (flat) as they were before the step, and the loss value."""
        self.torch_optimizer.zero_grad(set_to_none=True)
        value = self.torch_loss(self.module(torch.from_numpy(x)), torch.from_numpy(np.asarray(y)))
        torch.autograd.backward(value)
        before = self._flat(self._torch_params())
        grads = self._flat(
            {k: t.grad.detach().numpy() for k, t in self.tensors.items() if t.grad is not None}
        )
        bufs = momentum_buffers(self.torch_optimizer, self.tensors)
        self.torch_optimizer.step()
        return before, grads, self._flat(bufs) if bufs else None, float(value.detach())

    def _torch_params(self) -> dict[str, Array]:
        return {k: t.detach().numpy().copy() for k, t in self.tensors.items()}

    def _flat(self, arrays: dict[str, Array]) -> Array:
        return np.concatenate([arrays[name].ravel() for name in self.shapes])

    def _check(
        self, step: int, what: str, mine: dict[str, Array], theirs: dict[str, Array], bound: Array | None
    ) -> None:
        if set(mine) != set(theirs):
            raise AssertionError(f"step {step}: {what}s kept: handmlp {sorted(mine)}, torch {sorted(theirs)}")
        if bound is None:
            return
        err = np.abs(self._flat(mine).astype(np.float64) - self._flat(theirs))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(err == 0.0, 0.0, err / bound)
        worst = int(np.argmax(np.where(np.isnan(ratios), np.inf, ratios)))
        if (
            not ratios[worst] <= 1.0
        ):  # also NaN: the full comparison names the index, both values, error, bound
            self._fail(step, what, mine, theirs, bound)
        if ratios[worst] > self.report.worst_ratio:
            self.report.worst_ratio, self.report.worst_at = float(ratios[worst]), f"step {step}, {what}"

    def _fail(
        self, step: int, what: str, mine: dict[str, Array], theirs: dict[str, Array], bound: Array
    ) -> None:
        offset = 0
        for name, shape in self.shapes.items():
            size = int(np.prod(shape))
            part = bound[offset : offset + size].reshape(shape)
            offset += size
            result = compare_within_bound(f"step {step}: {what} {name!r}", mine[name], theirs[name], part)
            if not result.passed:
                raise AssertionError(result.message())
        raise AssertionError(f"step {step}: {what}s differ beyond their bound")  # pragma: no cover


def run_against_torch(
    net: MLP,
    loss: str | Loss,
    hyper: dict[str, Any],
    X: Array,
    Y: Array,
    epochs: int,
    batch_size: int | None,
    *,
    objective: str = "mean",
    seed: int = 0,
    drop_last: bool = False,
    optimizer_class: type[SGD] = SGD,
) -> TrajectoryReport:
    """Train `net` with handmlp's fit and its torch twin in lockstep (same weights, same batch order),
    asserting after every step that every parameter and momentum buffer is within the running bound."""
    loss_fn = objective_loss(loss, objective)
    optimizer = optimizer_class(net.parameters(), **hyper)
    lockstep = Lockstep(net, loss_fn, optimizer, X, Y, hyper)
    threads = torch.get_num_threads()
    torch.set_num_threads(
        1
    )  # tiny tensors: a thread pool only adds spin-waits (16 ms a step on a busy machine)
    try:
        history = fit(
            net,
            loss_fn,
            optimizer,
            X,
            Y,
            epochs,
            batch_size,
            seed=seed,
            drop_last=drop_last,
            objective=objective,
            callback=lockstep,
        )
    finally:
        torch.set_num_threads(threads)
    report = lockstep.report
    report.history = history
    final = lockstep._torch_params()
    report.final_params = final
    report.final_relative = max(
        float(np.max(np.abs(net.parameters()[k] - v)) / np.max(np.abs(v))) for k, v in final.items()
    )
    return report


def start_lockstep(
    net: MLP, loss_fn: Loss, optimizer: SGD, X: Array, Y: Array, hyper: dict[str, Any]
) -> Lockstep:
    """A `Lockstep` callback for a `fit` run of its own (the command line's `--compare-torch`), with torch
    held to one thread for the rest of the process: its tensors are small, a thread pool only adds waits."""
    torch.set_num_threads(1)
    return Lockstep(net, loss_fn, optimizer, X, Y, hyper)
