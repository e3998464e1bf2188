"""Whole training runs of handmlp's `fit` against torch (same initial weights, same batch order), checked at
every one of ≥ 1,000 steps: every parameter and momentum buffer within the running bound of
`reference.twins.train` (per-step rounding accumulated linearly; that module's docstring argues it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

from handmlp.mlp import MLP
from handmlp.optim import SGD, descent_step
from reference.twins.train import TrajectoryReport, run_against_torch

Array = Any


@dataclass(frozen=True)
class Run:
    """One training configuration: network, loss and objective, optimiser settings, batch mode, dtype."""

    name: str
    sizes: list[int]
    activation: list[str]
    loss: str
    objective: str
    hyper: dict[str, Any]
    batch_size: int | None
    n: int
    dtype: Any
    drop_last: bool = False

    def data(self) -> tuple[Array, Array]:
        rng = np.random.default_rng(7)
        X = rng.normal(size=(self.n, self.sizes[0]))
        score = np.tanh(X @ rng.normal(size=(self.sizes[0], self.sizes[-1])))
        if self.loss == "cross_entropy":
            return X.astype(self.dtype), np.argmax(score, axis=1).astype(np.int64)
        if self.loss == "binary_cross_entropy":
            return X.astype(self.dtype), (score > 0).astype(self.dtype)
        return X.astype(self.dtype), score.astype(self.dtype)

    def epochs(self, steps: int = 1000) -> int:
        b = self.n if self.batch_size is None else self.batch_size
        per_epoch = self.n // b if self.drop_last else -(-self.n // b)
        return -(-steps // per_epoch)

    def run(self, steps: int = 1000, optimizer_class: type[SGD] = SGD) -> TrajectoryReport:
        net = MLP(self.sizes, self.activation, dtype=self.dtype, seed=3)
        X, Y = self.data()
        return run_against_torch(
            net,
            self.loss,
            self.hyper,
            X,
            Y,
            self.epochs(steps),
            self.batch_size,
            objective=self.objective,
            seed=11,
            drop_last=self.drop_last,
            optimizer_class=optimizer_class,
        )


RUNS = [
    Run(
        "per-sample sigmoid, ½(y−ŷ)² summed, plain SGD",
        [2, 5, 1],
        ["sigmoid", "identity"],
        "half_squared_error",
        "sum",
        {"lr": 0.05},
        1,
        25,
        np.float64,
    ),
    Run(
        "minibatch tanh (drop_last), MSE, Nesterov + weight decay",
        [3, 8, 2],
        ["tanh", "identity"],
        "squared_error",
        "mean",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
        4,
        18,
        np.float64,
        drop_last=True,
    ),
    Run(
        "float32 full-batch relu, cross-entropy, momentum + dampening + weight decay",
        [4, 6, 3],
        ["relu", "identity"],
        "cross_entropy",
        "mean",
        {"lr": 0.1, "momentum": 0.8, "dampening": 0.2, "weight_decay": 1e-2},
        None,
        16,
        np.float32,
    ),
]

# Run by benchmarks/sgd_accuracy.py only, to keep the suite fast: one more loss, network and dtype pairing.
EXTRA_RUNS = [
    Run(
        "minibatch tanh-sigmoid, binary cross-entropy, momentum",
        [2, 6, 1],
        ["tanh", "sigmoid"],
        "binary_cross_entropy",
        "mean",
        {"lr": 0.1, "momentum": 0.9},
        5,
        20,
        np.float64,
    ),
]
EXTRA_RUNS += [replace(EXTRA_RUNS[0], name="float32 " + EXTRA_RUNS[0].name, dtype=np.float32)]


@pytest.fixture(scope="module", params=RUNS, ids=[r.name for r in RUNS])
def trajectory(request: pytest.FixtureRequest) -> tuple[Run, TrajectoryReport]:
    run: Run = request.param
    return run, run.run()


def test_every_step_of_a_1000_step_run_stays_within_the_growing_bound(
    trajectory: tuple[Run, TrajectoryReport],
) -> None:
    _, report = trajectory  # run_against_torch raised at the first step outside the bound, naming it
    assert report.steps >= 1000
    assert report.worst_ratio <= 1.0, report.worst_at


def test_float64_final_parameters_agree_to_1e_10_relative(trajectory: tuple[Run, TrajectoryReport]) -> None:
    run, report = trajectory
    if run.dtype is not np.float64:
        pytest.skip("the 1e-10 figure is for float64")
    assert report.final_relative <= 1e-10


def test_the_runs_actually_train(trajectory: tuple[Run, TrajectoryReport]) -> None:
    """A trajectory that never moved would agree trivially: the epoch loss must have dropped."""
    _, report = trajectory
    assert report.history is not None
    losses = report.history.epoch_losses
    assert losses[-1] < 0.8 * losses[0], losses[:: max(1, len(losses) // 5)]


# --- planted bugs: the trajectory check catches them ------------------------------------------------------


class StepSizeOffByOnePpm(SGD):
    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        return descent_step(p, grad, self.lr * (1.0 + 1e-6)), None


class MomentumBufferNeverUpdated(SGD):
    """Keeps the first buffer for ever: μ·b + (1 − τ)·g is never applied after the first step."""

    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        g = grad + self.weight_decay * p
        kept = g.copy() if buf is None else buf
        return descent_step(p, g + self.momentum * kept if self.nesterov else kept, self.lr), kept


@pytest.mark.parametrize(
    ("run", "buggy", "match"),
    [
        (RUNS[0], StepSizeOffByOnePpm, r"step \d+: param"),
        (RUNS[1], MomentumBufferNeverUpdated, r"step 1: (param|momentum buffer)"),
    ],
    ids=["lr×(1+1e-6) in float64", "momentum buffer frozen"],
)
def test_planted_training_bug_fails_the_trajectory_check(run: Run, buggy: type[SGD], match: str) -> None:
    with pytest.raises(AssertionError, match=match):
        run.run(steps=200, optimizer_class=buggy)


class ForgetsTheBuffer(SGD):
    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        return descent_step(p, grad + self.weight_decay * p, self.lr), None


def test_training_without_the_momentum_buffer_fails_at_the_first_step() -> None:
    with pytest.raises(AssertionError, match=r"step 0: momentum buffers kept: handmlp \[\], torch"):
        RUNS[2].run(steps=5, optimizer_class=ForgetsTheBuffer)
