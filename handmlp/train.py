"""Training by stochastic gradient descent (C8, C13): visit the data batch by batch, epoch by epoch.

Each step takes a batch of B samples at once (no loop over the samples inside a batch): forward, loss,
backpropagate, update — into the same gradient arrays and optimiser scratch every step, so that a step in
steady state allocates nothing per parameter. With objective "sum" the loss of a batch is Σ_i L_i (C13's
objective restricted to the batch); with "mean" it is that sum divided by the number of elements (of
samples for cross_entropy), torch's default reduction; the two gradients differ by exactly that count.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from handmlp import validation
from handmlp.batching import IndexArray, batch_schedule, resolve_batch_size
from handmlp.losses import REDUCTIONS, Loss, get_loss
from handmlp.metrics import output_labels, target_labels
from handmlp.mlp import MLP
from handmlp.optim import SGD, checked_hyperparameters
from handmlp.progress import ProgressBar
from handmlp.validation import check_shape, flag, float_array, function

Array = NDArray[Any]

__all__ = ["History", "StepRecord", "fit", "objective_loss", "train_step"]


@dataclass(frozen=True)
class StepRecord:
    """What one step saw: its number (from 0), its epoch, the sample indices and the batch loss before it."""

    step: int
    epoch: int
    indices: IndexArray
    loss: float


@dataclass
class History:
    """Per-step batch losses, per-epoch metrics, the batch order, and (optionally) parameters after each step.

    `epoch_losses[e]` is the objective accumulated over epoch e's batches, each evaluated at the parameters
    it was taken with: Σ of the batch sums ("sum"), or that total over the elements seen ("mean").
    `epoch_accuracies[e]` (with accuracy=True) is the fraction of epoch e's samples whose batch output had
    the target's class; `val_losses`/`val_accuracies` are measured on the validation data after each epoch;
    `epoch_seconds` the time each epoch took. `parameters[t]` is the state_dict after t steps (index 0 the
    initial one) when recorded.
    """

    step_losses: list[float] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
    batches: list[IndexArray] = field(default_factory=list)
    parameters: list[dict[str, Array]] = field(default_factory=list)
    epoch_accuracies: list[float] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    val_accuracies: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """The number of SGD steps taken."""
        return len(self.step_losses)

    def epoch_metrics(self, epoch: int) -> dict[str, float]:
        """Epoch `epoch`'s metrics by name: loss, accuracy, val_loss, val_accuracy (those measured)."""
        metrics = {"loss": self.epoch_losses[epoch]}
        for name, values in (
            ("accuracy", self.epoch_accuracies),
            ("val_loss", self.val_losses),
            ("val_accuracy", self.val_accuracies),
        ):
            if len(values) > epoch:
                metrics[name] = values[epoch]
        return metrics


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


def train_step(net: MLP, loss: str | Loss, optimizer: SGD, x: Any, y: Any) -> float:
    """C8 on one batch: forward, loss (a side computation), backpropagate, update; returns the batch loss.

    Every input is checked (x and y by the forward pass and the loss, the gradients by the optimiser)
    before anything moves. The gradients go into `net.gradient_buffers()` and the update is in place, so a
    steady-state step allocates nothing per parameter. A non-finite loss refuses the step (ValueError).
    """
    _check_net(net)
    _check_optimizer_type(optimizer)
    return _update(net, get_loss(loss), optimizer, x, y)[0]


def _update(net: MLP, loss: Loss, optimizer: SGD, x: Any, y: Any) -> tuple[float, Array]:
    """`train_step`, returning the batch's outputs ŷ too."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked below, not warned
        y_hat, value, grad_output = net.forward_loss(x, y, loss)
        grads = net.backward(grad_output, input_grad=False, out=net.gradient_buffers())
        optimizer.step(grads)
    return value, y_hat


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
    validation_data: tuple[Any, Any] | None = None,
    accuracy: bool = False,
    progress: bool | TextIO = False,
    epoch_callback: Callable[[int, History], object] | None = None,
) -> History:
    """Train `net` in place by `optimizer` on (X, Y) for `epochs` passes of ⌈N/B⌉ (or ⌊N/B⌋) steps (C13).

    batch_size: 1 per-sample SGD, B < N minibatches, None (or N) full-batch descent. The order is shuffled
    per epoch from `seed` (see `handmlp.batching.batch_schedule`). Y may be 1-D for a network with one
    output (the playground's ±1 labels as they come). validation_data=(X_val, Y_val) is evaluated after each
    epoch; accuracy=True also counts correct labels (see `handmlp.metrics`); progress=True draws a bar per
    epoch on stderr (or on the stream given); epoch_callback(epoch, history) runs after each epoch's metrics
    (to save a checkpoint, say). Every argument is checked before the first step, so bad input
    raises and leaves weights, gradients, caches and optimiser state unchanged.
    """
    run = _checked_run(
        net, loss, optimizer, X, Y, epochs, batch_size, shuffle, seed, drop_last, objective, validation_data
    )
    run.callback = function("callback", callback, optional=True)
    run.epoch_callback = function("epoch_callback", epoch_callback, optional=True)
    run.record_parameters = flag("record_parameters", record_parameters)
    run.labels = target_labels(run.y) if flag("accuracy", accuracy) else None
    run.bar = _progress_bar(progress, epochs, len(run.schedule) // max(1, epochs) if run.schedule else 0)
    history = History()
    if run.record_parameters:
        history.parameters.append(net.state_dict())
    for epoch, steps in itertools.groupby(run.schedule, key=lambda step: step[0]):
        _train_epoch(run, epoch, [indices for _, indices in steps], history)
    return history


@dataclass
class _Run:
    """fit's arguments, checked: the data in the network's dtype, the batch schedule, the hooks."""

    net: MLP
    loss: Loss
    optimizer: SGD
    x: Array
    y: Array
    schedule: list[tuple[int, IndexArray]]
    mean: bool
    validation: tuple[Array, Array] | None
    callback: Callable[..., object] | None = None
    epoch_callback: Callable[..., object] | None = None
    record_parameters: bool = False
    labels: Array | None = None  # the targets' class labels, when accuracy is counted
    bar: ProgressBar | None = None


def _checked_run(
    net: Any,
    loss: str | Loss,
    optimizer: Any,
    X: Any,
    Y: Any,
    epochs: int,
    batch_size: int | None,
    shuffle: bool,
    seed: int | None,
    drop_last: bool,
    objective: str,
    validation_data: Any,
) -> _Run:
    """The network, loss, optimiser, data and schedule of a `fit`, every one checked; nothing is run."""
    _check_net(net)
    loss_fn = objective_loss(loss, objective)
    x_all, y_all = _checked_data(net, loss_fn, X, Y, "X", "Y")
    _check_optimizer(net, optimizer)
    seed = None if seed is None else validation.seed("seed", seed)
    size = resolve_batch_size(len(x_all), batch_size)
    schedule = batch_schedule(
        len(x_all), size, epochs, seed, flag("shuffle", shuffle), flag("drop_last", drop_last)
    )
    validation_set = _checked_validation(net, loss_fn, validation_data)
    return _Run(net, loss_fn, optimizer, x_all, y_all, schedule, objective == "mean", validation_set)


def _train_epoch(run: _Run, epoch: int, batches: list[IndexArray], history: History) -> None:
    """One pass over `batches`: a step each, recorded in `history`, then the epoch's metrics (C13)."""
    tally = _Tally(run.mean, run.labels, run.net)
    for i, indices in enumerate(batches):
        step = history.steps
        value, y_hat = _step(run.net, run.loss, run.optimizer, run.x[indices], run.y[indices], step, epoch)
        history.step_losses.append(value)
        history.batches.append(indices)
        tally.add(value, y_hat, indices)
        if run.record_parameters:
            history.parameters.append(run.net.state_dict())
        if run.callback is not None:
            run.callback(StepRecord(step, epoch, indices, value))
        if run.bar is not None and i + 1 < len(batches):
            run.bar.update(epoch, tally.steps, tally.metrics())
    tally.close(history)
    _validate(run.net, run.loss, run.validation, run.labels is not None, history)
    history.epoch_seconds.append(time.perf_counter() - tally.start)
    if run.bar is not None:
        run.bar.finish(epoch, history.epoch_metrics(epoch), history.epoch_seconds[-1])
    if run.epoch_callback is not None:
        run.epoch_callback(epoch, history)


class _Tally:
    """The epoch under way: its objective so far (C13) and, with labels, how many samples were right."""

    def __init__(self, mean: bool, labels: Array | None, net: MLP) -> None:
        self.mean, self.labels = mean, labels
        self.sigmoid_out = net.activations[-1].name == "sigmoid"
        self.start, self.total, self.seen, self.correct, self.steps = time.perf_counter(), 0.0, 0, 0, 0

    def add(self, value: float, y_hat: Array, indices: IndexArray) -> None:
        """One step's batch loss (a mean over its samples, or a sum) and its outputs."""
        self.total += value * (len(indices) if self.mean else 1)
        self.seen, self.steps = self.seen + len(indices), self.steps + 1
        if self.labels is not None:
            predicted = output_labels(y_hat, self.sigmoid_out)
            self.correct += int(np.count_nonzero(predicted == self.labels[indices]))

    def metrics(self) -> dict[str, float]:
        """The loss so far: the objective's total ("sum"), or that total over the samples seen ("mean")."""
        metrics = {"loss": self.total / self.seen if self.mean else self.total}
        if self.labels is not None:
            metrics["accuracy"] = self.correct / self.seen
        return metrics

    def close(self, history: History) -> None:
        """The epoch's loss (and accuracy) into the history."""
        metrics = self.metrics()
        history.epoch_losses.append(metrics["loss"])
        if "accuracy" in metrics:
            history.epoch_accuracies.append(metrics["accuracy"])


def _step(
    net: MLP, loss_fn: Loss, optimizer: SGD, x: Array, y: Array, step: int, epoch: int
) -> tuple[float, Array]:
    """`train_step`, its refusal reworded: the data were checked before the first step, so a refusal here
    means training produced a non-finite output, loss or gradient (diverged); the step changed nothing."""
    try:
        return _update(net, loss_fn, optimizer, x, y)
    except ValueError as exc:
        raise ValueError(
            f"fit: step {step} (epoch {epoch}) was refused and changed nothing: {exc}; "
            "non-finite values usually mean the learning rate is too large"
        ) from exc


def _validate(
    net: MLP, loss_fn: Loss, data: tuple[Array, Array] | None, count_correct: bool, history: History
) -> None:
    """The loss (and accuracy) on the validation data at the current weights, the training state untouched."""
    if data is None:
        return
    x_val, y_val = data
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        y_hat = net.output(x_val)
        history.val_losses.append(loss_fn.value(y_hat, y_val) if np.all(np.isfinite(y_hat)) else np.nan)
    if count_correct:
        history.val_accuracies.append(
            float(
                np.mean(output_labels(y_hat, net.activations[-1].name == "sigmoid") == target_labels(y_val))
            )
        )


def _progress_bar(progress: Any, epochs: int, steps_per_epoch: int) -> ProgressBar | None:
    if isinstance(progress, (bool, np.bool_)):
        return ProgressBar(sys.stderr, epochs, steps_per_epoch) if progress else None
    if not callable(getattr(progress, "write", None)):
        raise TypeError(f"progress: expected True, False or a text stream, got {type(progress).__name__}")
    return ProgressBar(progress, epochs, steps_per_epoch)


def _checked_data(net: MLP, loss_fn: Loss, X: Any, Y: Any, x_name: str, y_name: str) -> tuple[Array, Array]:
    """X as (N, n_in) in the network's dtype, Y with N rows (a 1-D Y as one column for a network with one
    output), and every target accepted by the loss — checked without a forward pass, on outputs of ½."""
    x_all = float_array(x_name, X, dtype=net.dtype)
    check_shape(x_name, x_all, (None, net.sizes[0]))
    y_all = np.asarray(Y)
    if y_all.ndim == 0 or len(y_all) != len(x_all):
        raise ValueError(
            f"{y_name}: expected one target per sample of {x_name} ({len(x_all)}), got shape {y_all.shape}"
        )
    if len(x_all) == 0:
        raise ValueError(f"{x_name}: expected at least one sample, got an empty dataset")
    if y_all.ndim == 1 and net.sizes[-1] == 1 and loss_fn.name != "cross_entropy":
        y_all = y_all.reshape(len(y_all), 1)
    try:
        loss_fn.gradient(np.full((len(x_all), net.sizes[-1]), 0.5, dtype=net.dtype), y_all)
    except (TypeError, ValueError) as exc:  # the loss names its target y: say it as the caller did
        message = str(exc)
        if not message.startswith("y:"):
            raise
        raise type(exc)(y_name + message[1:]) from exc
    return x_all, y_all


def _checked_validation(net: MLP, loss_fn: Loss, data: Any) -> tuple[Array, Array] | None:
    if data is None:
        return None
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"validation_data: expected a pair (X_val, Y_val) or None, got {type(data).__name__}")
    return _checked_data(net, loss_fn, data[0], data[1], "validation_data X", "validation_data Y")


def _check_net(net: Any) -> None:
    if not isinstance(net, MLP):
        raise TypeError(f"net: expected a handmlp.MLP, got {type(net).__name__}")


def _check_optimizer_type(optimizer: Any) -> None:
    if not isinstance(optimizer, SGD):
        raise TypeError(f"optimizer: expected a handmlp.optim.SGD, got {type(optimizer).__name__}")


def _check_optimizer(net: MLP, optimizer: SGD) -> None:
    _check_optimizer_type(optimizer)
    checked_hyperparameters(*optimizer.hyperparameters().values())
    params = net.parameters()
    if set(params) != set(optimizer.params) or any(optimizer.params[k] is not v for k, v in params.items()):
        raise ValueError(
            "optimizer: expected an SGD over this network's live arrays, SGD(net.parameters(), …)"
        )
