"""Catalog cases for what SGD minimises and the batches it takes (C13): minibatch and full-batch runs in
lockstep with torch, the sum against the mean objective, then the batch order asserted on its own rather
than replayed to torch: the number and sizes of the batches of an epoch with and without drop_last,
every sample once per epoch, and a shuffle reproducible from the seed and different across epochs; each
both for the schedule (handmlp.batching.batch_schedule) and for the batches a training run
(handmlp.train.fit) actually took.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, get_loss
from handmlp.batching import batch_schedule, iterations_per_epoch
from handmlp.optim import SGD
from handmlp.train import fit
from reference.conformance.case import EXACT, Outcome, case, exact, from_comparisons
from reference.conformance.cases._common import SGD_ORACLE, TRAJECTORY, U64, XS, YS, Array, trajectory
from reference.oracle.compare import compare_within_bound

# --- C13: minibatch and full-batch runs ----------------------------------------------------------------


@case(
    "C13/minibatch_momentum",
    "a minibatch uses B < N samples; momentum and Nesterov as torch.optim.SGD",
    "fit of MLP([3, 6, 1], sigmoid, identity), B = 5 (last batch short), 6 epochs, momentum 0.9, nesterov",
    SGD_ORACLE,
    TRAJECTORY,
)
def minibatch() -> Outcome:
    net = MLP([3, 6, 1], ["sigmoid", "identity"], seed=13)
    hyper = {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}
    return trajectory(net, "squared_error", hyper, XS, YS, 6, 5)


@case(
    "C13/full_batch",
    "full-batch descent on min_θ Σ_i L(y_i, f(x_i)): the gradient is Σ_i ∂L_i/∂θ",
    "fit of MLP([3, 4, 1], tanh, identity), full batch, sum objective, 40 steps",
    SGD_ORACLE,
    TRAJECTORY,
)
def full_batch() -> Outcome:
    net = MLP([3, 4, 1], ["tanh", "identity"], seed=130)
    return trajectory(net, "half_squared_error", {"lr": 0.01}, XS, YS, 40, None, objective="sum")


@case(
    "C13/iterations_per_epoch",
    "an epoch is one pass over the data: ⌈N/B⌉ iterations (⌊N/B⌋ dropping the short batch)",
    "batching.iterations_per_epoch and the batches batch_schedule yields, N = 10, B = 1, 3, 4, 10",
    "⌈N/B⌉ and ⌊N/B⌋, and every index once per epoch",
    EXACT,
    needs_torch=False,
)
def iterations() -> Outcome:
    got, expected = [], []
    for b in (1, 3, 4, 10):
        for drop_last in (False, True):
            schedule = batch_schedule(10, b, 1, seed=1, drop_last=drop_last)
            got += [iterations_per_epoch(10, b, drop_last), len(schedule)]
            expected += [(10 // b) if drop_last else -(-10 // b)] * 2
        full = np.sort(np.concatenate([idx for _, idx in batch_schedule(10, b, 1, seed=1)]))
        got.append(int((full == np.arange(10)).all()))
        expected.append(1)
    return exact(got, expected, "iterations per epoch, batches yielded, each index once")


@case(
    "C13/sum_vs_mean",
    "∇ Σ_i L_i = N · ∇ (1/N) Σ_i L_i",
    "MLP([3, 4, 2]).backward under the sum and under the mean of ½(y − ŷ)² on N = 48 elements",
    "N times the mean gradient",
    "within E_sum + N·E_mean + u·N|mean|: each run's own rounding bound (oracle.bounds), and the scaling",
)
def sum_vs_mean() -> Outcome:
    from reference.oracle.bounds import BOTH_SIDES, network_bounds

    net = MLP([3, 4, 2], ["tanh", "identity"], seed=21)
    y = np.concatenate([YS, -YS], axis=1)
    sum_loss, mean_loss = get_loss("half_squared_error", "sum"), get_loss("half_squared_error", "mean")
    _, total = net.loss_and_gradients(XS, y, sum_loss)
    _, mean = net.loss_and_gradients(XS, y, mean_loss)
    e_sum = network_bounds(net, XS, y, sum_loss).grads
    e_mean = network_bounds(net, XS, y, mean_loss).grads
    n = y.size
    results = [
        compare_within_bound(
            name,
            total[name],
            n * mean[name],
            (e_sum[name] + n * e_mean[name]) / BOTH_SIDES + U64 * n * np.abs(mean[name]),
        )
        for name in total
    ]
    return from_comparisons(results)


# --- C13: the batches of an epoch ----------------------------------------------------------------------

N = 10
BATCH_SIZES = (1, 3, 4, 10)
EPOCHS = 3


def fitted_batches(
    n: int, batch_size: int | None, epochs: int, seed: int | None = 0, **kw: Any
) -> list[tuple[int, Array]]:
    """(epoch, indices) of every step a training run of a 2-1 network takes on n samples, as its callback
    reports them (lr 0: the order alone matters)."""
    x = np.arange(2.0 * n).reshape(n, 2) / n
    net = MLP([2, 1], "identity", seed=0)
    seen: list[tuple[int, Array]] = []
    fit(
        net,
        "half_squared_error",
        SGD(net.parameters(), lr=0.0),
        x,
        x[:, :1],
        epochs,
        batch_size,
        seed=seed,
        callback=lambda record: seen.append((record.epoch, record.indices.copy())),
        **kw,
    )
    return seen


def sources(n: int, batch_size: int | None, epochs: int, seed: int | None = 0, **kw: Any) -> dict[str, Any]:
    """The batches, by where they come from: the schedule and a training run."""
    return {
        "batch_schedule": batch_schedule(n, batch_size, epochs, seed, **kw),
        "fit": fitted_batches(n, batch_size, epochs, seed, **kw),
    }


def per_epoch(schedule: list[tuple[int, Array]], epochs: int) -> list[list[Array]]:
    """The index arrays of each epoch, in order."""
    return [[idx for e, idx in schedule if e == epoch] for epoch in range(epochs)]


def expected_sizes(n: int, b: int, drop_last: bool) -> list[int]:
    """⌊N/B⌋ batches of B, then the N mod B left over unless dropped (C13)."""
    rest = [] if drop_last or n % b == 0 else [n % b]
    return [b] * (n // b) + rest


@case(
    "C13/batches_per_epoch",
    "an epoch is ⌈N/B⌉ iterations of B samples, the last one N mod B; ⌊N/B⌋ with drop_last",
    "batch sizes of each epoch of batch_schedule and of fit, N = 10, B = 1, 3, 4, 10, drop_last off and on",
    "⌊N/B⌋ × B, then N mod B unless dropped, every epoch",
    EXACT,
    needs_torch=False,
)
def batches_per_epoch() -> Outcome:
    got, expected = [], []
    for b in BATCH_SIZES:
        for drop_last in (False, True):
            for schedule in sources(N, b, EPOCHS, drop_last=drop_last).values():
                for epoch in per_epoch(schedule, EPOCHS):
                    sizes = [len(idx) for idx in epoch]
                    got += [len(sizes), *sizes]
                    expected += [len(expected_sizes(N, b, drop_last)), *expected_sizes(N, b, drop_last)]
    return exact(got, expected, "number of batches then their sizes, per epoch, per source")


@case(
    "C13/every_sample_once",
    "an epoch is one pass over the data: every sample once (N − N mod B distinct ones with drop_last)",
    "the indices of each epoch of batch_schedule and of fit, sorted, B = 1, 3, 4, 10, drop_last off and on",
    "range(N) itself; with drop_last ⌊N/B⌋·B distinct indices",
    EXACT,
    needs_torch=False,
)
def every_sample_once() -> Outcome:
    got, expected = [], []
    for b in BATCH_SIZES:
        for drop_last in (False, True):
            for schedule in sources(N, b, EPOCHS, drop_last=drop_last).values():
                for epoch in per_epoch(schedule, EPOCHS):
                    seen = np.concatenate(epoch)
                    got += [len(set(seen.tolist())), len(seen), int(np.isin(seen, np.arange(N)).all())]
                    kept = (N // b) * b if drop_last else N
                    expected += [kept, kept, 1]
    return exact(got, expected, "distinct indices, indices, all within range(N): per epoch, per source")


def _orders(schedule: list[tuple[int, Array]]) -> list[list[int]]:
    return [np.concatenate(epoch).tolist() for epoch in per_epoch(schedule, EPOCHS)]


@case(
    "C13/shuffle_reproducible",
    "samples are drawn in a random order each epoch: the order a function of the seed alone",
    "batch_schedule and fit with seeds 5, 5 and 6 (N = 10, B = 3); shuffle=False",
    "the same seed gives the same batches, another seed others; each epoch a new permutation; "
    "fit visits the schedule's batches; unshuffled, 0 … N − 1 every epoch",
    EXACT,
    needs_torch=False,
)
def shuffle_reproducible() -> Outcome:
    first, again, other = sources(N, 3, EPOCHS, 5), sources(N, 3, EPOCHS, 5), sources(N, 3, EPOCHS, 6)
    got, expected = [], []
    for name in first:
        orders = _orders(first[name])
        got += [
            int(orders == _orders(again[name])),
            int(orders != _orders(other[name])),
            len({tuple(order) for order in orders}),
            int(all(order != list(range(N)) for order in orders)),
        ]
        expected += [1, 1, EPOCHS, 1]
    same_batches = [i.tolist() for _, i in first["fit"]] == [i.tolist() for _, i in first["batch_schedule"]]
    unshuffled = sources(N, 3, EPOCHS, 5, shuffle=False)
    in_order = [int(all(order == list(range(N)) for order in _orders(s))) for s in unshuffled.values()]
    got += [int(same_batches), *in_order]
    expected += [1, 1, 1]
    return exact(
        got,
        expected,
        "per source (schedule, fit): same seed same order, other seed other order, distinct epoch orders, "
        "none the identity; fit's batches the schedule's; unshuffled in order (schedule, fit)",
    )
