"""The test matrix shared by the oracle tests: activations with settings, losses, network shapes, data."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, get_activation

ACTIVATIONS: dict[str, dict[str, Any]] = {
    "identity": {},
    "sigmoid": {},
    "tanh": {},
    "relu": {},
    "leaky_relu": {"negative_slope": 0.1},
    "elu": {"alpha": 1.3},
    "softplus": {"beta": 2.0},
    "silu": {},
    "gelu": {},
    "gelu_tanh": {},
    "hardtanh": {},
    "softsign": {},
    "prelu": {"init": 0.2},
}

LOSSES = [
    "half_squared_error",
    "squared_error",
    "l1",
    "hinge",
    "binary_cross_entropy",
    "bce_with_logits",
    "cross_entropy",
]

DTYPES = [np.float64, np.float32]

# (sizes, bias, batch): the smallest 1-1 network, 2-1, C9's four-parameter chain (bias on the first layer
# only), 3-4-2 (C4), a deep narrow net, a wide one; batch sizes 1 and more.
SHAPES: list[tuple[list[int], bool | list[bool], int]] = [
    ([1, 1], True, 1),
    ([2, 1], True, 3),
    ([1, 1, 1, 1], [True, False, False], 1),
    ([1, 1, 1, 1], [True, False, False], 4),
    ([3, 4, 2], True, 5),
    ([2, 6, 6, 6, 6, 6, 3], True, 4),
    ([5, 96, 3], True, 16),
]
# Readable test ids for SHAPES, in the same order: the layer sizes (C9 for the chain) and the batch size.
SHAPE_IDS = ["1-1xB1", "2-1xB3", "C9-chainxB1", "C9-chainxB4", "3-4-2xB5", "2-6x5-3xB4", "5-96-3xB16"]


def make_network(activation: str, loss: str, sizes: list[int], bias: Any, dtype: Any, seed: int) -> MLP:
    """A network of `activation` throughout, but with a sigmoid output where the loss wants probabilities."""
    hidden = [get_activation(activation, **ACTIVATIONS[activation]) for _ in sizes[1:-1]]
    last = (
        "sigmoid" if loss == "binary_cross_entropy" else get_activation(activation, **ACTIVATIONS[activation])
    )
    return MLP(sizes, [*hidden, last], bias=bias, dtype=dtype, seed=seed)


def make_targets(loss: str, batch: int, n_out: int, rng: np.random.Generator, dtype: Any) -> Any:
    """Targets of the kind each loss takes: class labels, ±1 labels, probabilities, or real values."""
    if loss == "cross_entropy":
        return rng.integers(0, n_out, size=batch)
    if loss == "hinge":
        return rng.choice([-1.0, 1.0], size=(batch, n_out)).astype(dtype)
    if loss in ("binary_cross_entropy", "bce_with_logits"):
        return rng.uniform(0.0, 1.0, size=(batch, n_out)).astype(dtype)
    return rng.normal(size=(batch, n_out)).astype(dtype)


def make_case(activation: str, loss: str, shape_index: int, dtype: Any) -> tuple[MLP, Any, Any]:
    """One cell of the matrix: a seeded network, an input batch and targets."""
    sizes, bias, batch = SHAPES[shape_index]
    seed = 1000 * shape_index + 17 * LOSSES.index(loss) + list(ACTIVATIONS).index(activation)
    rng = np.random.default_rng(seed)
    net = make_network(activation, loss, sizes, bias, dtype, seed)
    x = rng.normal(size=(batch, sizes[0])).astype(dtype)
    return net, x, make_targets(loss, batch, sizes[-1], rng, dtype)
