"""The batch order (C13): ⌈N/B⌉ or ⌊N/B⌋ iterations an epoch, every sample once, reproducible from a seed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from handmlp.batching import batch_schedule, epoch_batches, iterations_per_epoch, resolve_batch_size


@pytest.mark.parametrize("n", [1, 2, 7, 10, 64])
@pytest.mark.parametrize("drop_last", [False, True])
def test_iterations_per_epoch_is_ceil_or_floor_of_n_over_b(n: int, drop_last: bool) -> None:
    for b in range(1, n + 1):
        expected = math.floor(n / b) if drop_last else math.ceil(n / b)
        assert iterations_per_epoch(n, b, drop_last) == expected


@pytest.mark.parametrize("b", [1, 3, 4, 10])
def test_an_epoch_visits_every_sample_exactly_once(b: int) -> None:
    batches = epoch_batches(10, b, np.random.default_rng(0))
    assert len(batches) == iterations_per_epoch(10, b)
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    assert all(len(idx) == b for idx in batches[:-1])


def test_drop_last_leaves_out_only_the_last_partial_batch() -> None:
    batches = epoch_batches(10, 4, np.random.default_rng(0), drop_last=True)
    assert [len(idx) for idx in batches] == [4, 4]
    assert len(set(np.concatenate(batches).tolist())) == 8


def test_per_sample_minibatch_and_full_batch_modes() -> None:
    assert [len(i) for i in epoch_batches(5, 1)] == [1] * 5
    assert [len(i) for i in epoch_batches(5, 2)] == [2, 2, 1]
    full = epoch_batches(5, None)
    assert len(full) == 1 and full[0].tolist() == [0, 1, 2, 3, 4]


def test_same_seed_gives_the_same_order_and_each_epoch_is_reshuffled() -> None:
    a = batch_schedule(12, 5, epochs=3, seed=42)
    b = batch_schedule(12, 5, epochs=3, seed=42)
    assert [(e, i.tolist()) for e, i in a] == [(e, i.tolist()) for e, i in b]
    per_epoch = [np.concatenate([i for e, i in a if e == k]).tolist() for k in range(3)]
    assert per_epoch[0] != per_epoch[1] != per_epoch[2]
    other = batch_schedule(12, 5, epochs=3, seed=43)
    assert [i.tolist() for _, i in other] != [i.tolist() for _, i in a]


def test_unshuffled_schedule_is_in_order_every_epoch() -> None:
    schedule = batch_schedule(5, 2, epochs=2, shuffle=False)
    assert [(e, i.tolist()) for e, i in schedule] == [
        (0, [0, 1]),
        (0, [2, 3]),
        (0, [4]),
        (1, [0, 1]),
        (1, [2, 3]),
        (1, [4]),
    ]


def test_index_arrays_are_integer_and_fancy_index_a_batch_at_once() -> None:
    X = np.arange(20.0).reshape(10, 2)
    (idx,) = epoch_batches(10, None, np.random.default_rng(1))
    assert idx.dtype == np.intp
    np.testing.assert_array_equal(X[idx][:, 0], 2.0 * idx)


@pytest.mark.parametrize(
    ("n", "b", "error", "match"),
    [
        (10, 0, ValueError, "batch_size: expected an integer ≥ 1, got 0"),
        (10, 11, ValueError, "batch_size: expected 1 ≤ batch_size ≤ N = 10, got 11"),
        (10, 2.0, TypeError, "batch_size: expected an integer"),
        (10, True, TypeError, "batch_size: expected an integer"),
        (0, 1, ValueError, r"n \(number of samples\): expected an integer ≥ 1, got 0"),
    ],
)
def test_bad_batch_sizes_are_refused_with_the_argument_named(
    n: int, b: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        resolve_batch_size(n, b)
    with pytest.raises(error, match=match):
        batch_schedule(n, b, epochs=1)


def test_negative_epochs_are_refused_eagerly() -> None:
    with pytest.raises(ValueError, match="epochs: expected an integer ≥ 0, got -1"):
        batch_schedule(5, 1, epochs=-1)


@pytest.mark.parametrize(
    ("n", "b", "drop_last", "sizes"),
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (5, 5, False, [5]),
        (4, 1, True, [1, 1, 1, 1]),
    ],
)
def test_number_and_sizes_of_batches_per_epoch(n: int, b: int, drop_last: bool, sizes: list[int]) -> None:
    schedule = batch_schedule(n, b, 2, seed=0, drop_last=drop_last)
    assert [len(indices) for _, indices in schedule] == sizes * 2
    assert [epoch for epoch, _ in schedule] == [0] * len(sizes) + [1] * len(sizes)


def test_order_is_one_permutation_per_epoch_from_one_generator_seeded_once() -> None:
    rng = np.random.default_rng(7)
    expected = [rng.permutation(10), rng.permutation(10)]
    schedule = batch_schedule(10, 4, 2, seed=7, drop_last=True)
    for epoch in range(2):
        got = np.concatenate([i for e, i in schedule if e == epoch])
        np.testing.assert_array_equal(got, expected[epoch][:8])  # the last 2 of each permutation dropped


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"seed": -1}, ValueError, "seed: expected an integer ≥ 0"),
        ({"seed": "abc"}, TypeError, "seed: expected an integer"),
        ({"shuffle": "no"}, TypeError, "shuffle: expected True or False"),
        ({"drop_last": "yes"}, TypeError, "drop_last: expected True or False"),
        ({"epochs": 0, "batch_size": 0}, ValueError, "batch_size: expected an integer ≥ 1"),
    ],
)
def test_bad_schedule_arguments_are_named(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    args: dict[str, object] = {"n": 10, "batch_size": 3, "epochs": 1, **kwargs}
    with pytest.raises(error, match=match):
        batch_schedule(**args)  # type: ignore[arg-type]


def test_the_default_seed_is_0_so_a_bare_schedule_is_reproducible() -> None:
    bare = batch_schedule(10, 3, 2)
    seeded = batch_schedule(10, 3, 2, seed=0)
    assert [(e, i.tolist()) for e, i in bare] == [(e, i.tolist()) for e, i in seeded]
    first_epoch = np.concatenate([i for e, i in bare if e == 0])
    expected = np.random.default_rng(0).permutation(10)
    assert first_epoch.tolist() == expected.tolist()


def test_seed_none_draws_fresh_orders_each_a_permutation_per_epoch() -> None:
    schedule = batch_schedule(12, 5, 3, seed=None)
    for epoch in range(3):
        visited = np.concatenate([i for e, i in schedule if e == epoch])
        assert sorted(visited.tolist()) == list(range(12))
    assert [len(i) for _, i in schedule] == [5, 5, 2] * 3
