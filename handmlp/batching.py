"""The order in which SGD visits the data (C8, C13): per-sample, minibatch or full batch, epoch by epoch.

An epoch is one pass over the N samples in ⌈N/B⌉ batches of B (the last one shorter), or ⌊N/B⌋ with
`drop_last`, which leaves the N mod B samples of the last partial batch out of that epoch. The order is a
fresh permutation per epoch drawn from one `numpy.random.Generator` seeded once, so the same seed gives the
same list of index arrays on the handmlp side and on the torch side.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from handmlp import validation
from handmlp.validation import flag, integer

IndexArray = NDArray[np.intp]

__all__ = ["batch_schedule", "epoch_batches", "iterations_per_epoch", "resolve_batch_size"]


def resolve_batch_size(n: int, batch_size: int | None) -> int:
    """B itself for 1 ≤ B ≤ N (B = 1 per-sample SGD, B < N minibatches); None means full batch, B = N."""
    n = integer("n (number of samples)", n, 1)
    if batch_size is None:
        return n
    b = integer("batch_size", batch_size, 1)
    if b > n:
        raise ValueError(
            f"batch_size: expected 1 ≤ batch_size ≤ N = {n}, got {b}; use batch_size=None for full batch"
        )
    return b


def iterations_per_epoch(n: int, batch_size: int | None, drop_last: bool = False) -> int:
    """C13: an epoch is ⌈N/B⌉ iterations, or ⌊N/B⌋ when the last partial batch is dropped."""
    b = resolve_batch_size(n, batch_size)
    return n // b if flag("drop_last", drop_last) else -(-n // b)


def epoch_batches(
    n: int, batch_size: int | None, rng: np.random.Generator | None = None, drop_last: bool = False
) -> list[IndexArray]:
    """One epoch's index arrays: a permutation of range(n) drawn from `rng` (in order when None), cut in B."""
    b = resolve_batch_size(n, batch_size)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator or None, got {type(rng).__name__}")
    order = np.arange(n, dtype=np.intp) if rng is None else rng.permutation(n).astype(np.intp)
    count = iterations_per_epoch(n, b, drop_last)
    return [order[k * b : (k + 1) * b] for k in range(count)]


def batch_schedule(
    n: int,
    batch_size: int | None,
    epochs: int,
    seed: int | None = 0,
    shuffle: bool = True,
    drop_last: bool = False,
) -> list[tuple[int, IndexArray]]:
    """(epoch, indices) for every step of `epochs` passes, shuffled per epoch from one seeded Generator.

    Built eagerly, so a bad argument fails here and both sides of a comparison can replay the same list.
    """
    epochs = integer("epochs", epochs, 0)
    resolve_batch_size(n, batch_size)
    seed = None if seed is None else validation.seed("seed", seed)
    drop_last = flag("drop_last", drop_last)
    rng = np.random.default_rng(seed) if flag("shuffle", shuffle) else None
    return [
        (epoch, indices)
        for epoch in range(epochs)
        for indices in epoch_batches(n, batch_size, rng, drop_last)
    ]
