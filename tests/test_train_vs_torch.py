"""Whole training runs of handmlp's `fit` against torch (same initial weights, same batch order), checked at
every one of ≥ 1,000 steps: every parameter and momentum buffer within the running bound of
`reference.twins.train` (per-step rounding accumulated linearly; that module's docstring argues it)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from handmlp.optim import SGD, descent_step
from reference.twins.train import TrajectoryReport
from tests.sgd_cases import RUNS, Run

Array = Any


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
