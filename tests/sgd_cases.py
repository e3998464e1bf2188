"""The SGD configurations shared by the SGD tests and `benchmarks/sgd_accuracy.py`: the one-step settings
(every combination of momentum, dampening, Nesterov, weight decay and maximize torch accepts), the parameter
shapes they act on, and the whole training runs checked step by step against torch.

A fixture module, not a test module: it imports NumPy and handmlp only; torch is imported when a run is run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from handmlp.mlp import MLP
from handmlp.optim import SGD

if TYPE_CHECKING:
    from reference.twins.train import TrajectoryReport

Array = Any

SHAPES = {"0.weight": (3, 4), "0.bias": (3,), "2.weight": (1, 3)}


def _settings() -> list[dict[str, Any]]:
    out = []
    for momentum, dampening, nesterov, weight_decay, maximize in itertools.product(
        (0.0, 0.9), (0.0, 0.3), (False, True), (0.0, 0.05), (False, True)
    ):
        if nesterov and (momentum == 0.0 or dampening != 0.0):
            continue  # torch refuses these (test_optim_bad_input)
        out.append(
            {
                "lr": 0.1,
                "momentum": momentum,
                "dampening": dampening,
                "nesterov": nesterov,
                "weight_decay": weight_decay,
                "maximize": maximize,
            }
        )
    return out


SETTINGS = _settings()


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
        from reference.twins.train import run_against_torch  # torch only when a run is run

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
