"""Training by stochastic gradient descent (C8, C13): visit the data batch by batch, epoch by epoch.

Each step takes a batch of B samples at once (no loop over the samples inside a batch): forward, loss,
backpropagate, update. With objective "sum" the loss of a batch is Σ_i L_i (C13's objective restricted to
the batch); with "mean" it is that sum divided by the number of elements (of samples for cross_entropy),
torch's default reduction; the two gradients differ by exactly that count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp.batching import IndexArray, batch_schedule, resolve_batch_size
from handmlp.losses import REDUCTIONS, Loss, get_loss
from handmlp.mlp import MLP
from handmlp.optim import SGD, checked_hyperparameters
from handmlp.validation import check_shape, float_array

Array = NDArray[Any]

__all__ = ["History", "StepRecord", "fit", "objective_loss"]


@dataclass(frozen=True)
class StepRecord:
    """What one step saw: its number (from 0), its epoch, the sample indices and the batch loss before it."""

    step: int
    epoch: int
    indices: IndexArray
    loss: float


@dataclass
class History:
    """Per-step batch losses, per-epoch losses, the batch order, and (optionally) parameters after each step.

    `epoch_losses[e]` is the objective accumulated over epoch e's batches, each evaluated at the parameters
    it was taken with: Σ of the batch sums ("sum"), or that total over the elements seen ("mean").
    `parameters[t]` is the state_dict after t steps (index 0 the initial one) when recorded.
    """

    step_losses: list[float] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
    batches: list[IndexArray] = field(default_factory=list)
    parameters: list[dict[str, Array]] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """The number of SGD steps taken."""
        return len(self.step_losses)


def objective_loss(loss: str | Loss, objective: str) -> Loss:
    """The loss reduced as the objective says (C13): "sum" is Σ_i L_i, "mean" divides it by the count."""
    if objective not in REDUCTIONS:
        raise ValueError(f"objective: expected 'mean' or 'sum', got {objective!r}")
    if isinstance(loss, Loss):
        if loss.reduction != objective:
            raise ValueError(
                f"loss: its reduction {loss.reduction!r} differs from objective {objective!r}; "
                f"pass the loss by name or build it with reduction={objective!r}"
            )
        return loss
    return get_loss(loss, reduction=objective)


def fit(
    net: MLP,
    loss: str | Loss,
    optimizer: SGD,
    X: Any,
    Y: Any,
    epochs: int,
    batch_size: int | None = None,
    *,
    shuffle: bool = True,
    seed: int | None = 0,
    drop_last: bool = False,
    objective: str = "mean",
    callback: Callable[[StepRecord], object] | None = None,
    record_parameters: bool = False,
) -> History:
    """Train `net` in place by `optimizer` on (X, Y) for `epochs` passes of ⌈N/B⌉ (or ⌊N/B⌋) steps (C13).

    batch_size: 1 per-sample SGD, B < N minibatches, None (or N) full-batch descent. The order is shuffled
    per epoch from `seed` (see `handmlp.batching.batch_schedule`). Everything is checked before the first
    step, so bad input raises and leaves weights and optimiser state unchanged.
    """
    loss_fn = objective_loss(loss, objective)
    x_all, y_all = _checked_data(net, loss_fn, X, Y)
    _check_optimizer(net, optimizer)
    schedule = batch_schedule(
        len(x_all), resolve_batch_size(len(x_all), batch_size), epochs, seed, shuffle, drop_last
    )
    history = History()
    if record_parameters:
        history.parameters.append(net.state_dict())
    totals: dict[int, list[float]] = {}
    for step, (epoch, indices) in enumerate(schedule):
        value = _train_step(net, loss_fn, optimizer, x_all[indices], y_all[indices], step, epoch)
        history.step_losses.append(value)
        history.batches.append(indices)
        total = totals.setdefault(epoch, [0.0, 0.0])
        total[0] += value * (len(indices) if objective == "mean" else 1)
        total[1] += len(indices)
        if record_parameters:
            history.parameters.append(net.state_dict())
        if callback is not None:
            callback(StepRecord(step, epoch, indices, value))
    history.epoch_losses = [s / n if objective == "mean" else s for s, n in totals.values()]
    return history


def _train_step(net: MLP, loss_fn: Loss, optimizer: SGD, x: Array, y: Array, step: int, epoch: int) -> float:
    """C8 on one batch: forward, loss (a side computation), backpropagate, update.

    The data were checked before the first step, so a refusal here means training produced a non-finite
    output or gradient (diverged); the step changes nothing and the error says which step it was.
    """
    try:
        value, grads = net.loss_and_gradients(x, y, loss_fn)
        optimizer.step(grads)
    except ValueError as exc:
        raise ValueError(
            f"fit: step {step} (epoch {epoch}) was refused and changed nothing: {exc}; "
            "non-finite values usually mean the learning rate is too large"
        ) from exc
    return value


def _checked_data(net: MLP, loss_fn: Loss, X: Any, Y: Any) -> tuple[Array, Array]:
    """X as (N, n_in) in the network's dtype, Y with N rows, and every target accepted by the loss."""
    x_all = float_array("X", X, dtype=net.dtype)
    check_shape("X", x_all, (None, net.sizes[0]))
    y_all = np.asarray(Y)
    if y_all.ndim == 0 or len(y_all) != len(x_all):
        raise ValueError(f"Y: expected one target per sample of X ({len(x_all)}), got shape {y_all.shape}")
    if len(x_all) == 0:
        raise ValueError("X: expected at least one sample, got an empty dataset")
    # One full-batch forward checks every target (shape, dtype, labels) and that the loss has a gradient.
    loss_fn.gradient(net.forward(x_all), y_all)
    return x_all, y_all


def _check_optimizer(net: MLP, optimizer: SGD) -> None:
    if not isinstance(optimizer, SGD):
        raise TypeError(f"optimizer: expected a handmlp.optim.SGD, got {type(optimizer).__name__}")
    checked_hyperparameters(*optimizer.hyperparameters().values())
    params = net.parameters()
    if set(params) != set(optimizer.params) or any(optimizer.params[k] is not v for k, v in params.items()):
        raise ValueError(
            "optimizer: expected an SGD over this network's live arrays, SGD(net.parameters(), …)"
        )
