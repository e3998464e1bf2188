"""Catalog cases for the experiments the notes cite (C16, C17): an MNIST-shaped network against autograd,
and the playground's XOR dataset trained in lockstep with torch."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP
from handmlp.datasets import DATASETS
from reference.conformance.case import AUTOGRAD, WITHIN_BOUND, Outcome, case
from reference.conformance.cases._common import (
    GRADIENTS,
    SGD_ORACLE,
    TRAJECTORY,
    autograd_outcome,
    trajectory,
)

# --- C16: MNIST's shape --------------------------------------------------------------------------------


@case(
    "C16/mnist_shaped_network",
    "28×28 = 784 inputs, labels 0–9 (the error rates quoted are the notes' reports, not re-measured here)",
    "MLP([784, 32, 10], relu) with cross-entropy on a seeded batch of 784-pixel images in [0, 1]",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def mnist_shaped(impl: Any) -> Outcome:
    rng = np.random.default_rng(16)
    net = MLP([28 * 28, 32, 10], ["relu", "identity"], seed=16)
    x, y = rng.uniform(size=(16, 784)), rng.integers(0, 10, size=16)
    return autograd_outcome(impl, net, x, y, "cross_entropy")


# --- C17: the playground -------------------------------------------------------------------------------


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
    return trajectory(net, "hinge", {"lr": 0.05}, x / 5.0, y[:, None], 10, 16)
