"""The playground datasets (C17): shapes, labels, seeds, and the geometry that defines each."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from handmlp.datasets import DATASETS, Standardizer, circle, digits, gaussian, spiral, train_test_split, xor
from handmlp.mlp import MLP
from handmlp.optim import SGD
from handmlp.train import fit


@pytest.mark.parametrize("name", list(DATASETS))
def test_dataset_shape_labels_and_seed(name: str) -> None:
    x, y = DATASETS[name](n=101, seed=3)
    assert x.shape == (101, 2) and y.shape == (101,)
    assert set(np.unique(y)) == {-1.0, 1.0}
    again, _ = DATASETS[name](n=101, seed=3)
    assert np.array_equal(x, again)


def test_geometry_defines_the_labels() -> None:
    x, y = circle(n=400)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert np.all((radius < 2.5) == (y > 0))
    x, y = xor(n=400)
    assert np.all((x[:, 0] * x[:, 1] >= 0) == (y > 0)) and np.all(np.abs(x) >= 0.3)
    x, y = gaussian(n=400)
    assert x[y > 0].mean() > 1.5 and x[y < 0].mean() < -1.5
    x, y = spiral(n=400)
    assert np.hypot(*x.T).max() <= 5.0


@pytest.mark.parametrize(
    ("n", "noise", "error"),
    [(1, 0.0, ValueError), (2.5, 0.0, TypeError), (10, -1.0, ValueError), (10, float("nan"), ValueError)],
)
def test_bad_sizes_and_noise_are_named(n: object, noise: float, error: type[Exception]) -> None:
    with pytest.raises(error, match=r"n: expected|noise: expected"):
        circle(n=n, noise=noise)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), ("abc", TypeError), (1.5, TypeError)])
@pytest.mark.parametrize("name", list(DATASETS))
def test_bad_seed_is_refused_naming_seed(name: str, seed: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="seed: expected an integer"):
        DATASETS[name](seed=seed)  # type: ignore[operator]


def test_split_is_seeded_disjoint_and_complete() -> None:
    x, y = np.arange(40.0).reshape(20, 2), np.arange(20)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction=0.25, seed=1)
    assert len(x_test) == 5 and len(x_train) == 15
    assert sorted(np.concatenate([y_train, y_test])) == list(range(20))
    np.testing.assert_array_equal(x_train[:, 0], 2 * y_train)  # rows stay with their targets
    again = train_test_split(x, y, test_fraction=0.25, seed=1)
    assert np.array_equal(again[3], y_test)
    assert not np.array_equal(train_test_split(x, y, seed=2)[3], y_test)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"test_fraction": 0.0}, ValueError, r"test_fraction: expected a number in \(0, 1\)"),
        ({"test_fraction": 1.0}, ValueError, "test_fraction"),
        ({"test_fraction": "half"}, TypeError, "test_fraction: expected a real number"),
        ({"seed": -1}, ValueError, "seed: expected an integer ≥ 0"),
        ({"y": np.arange(3)}, ValueError, "y: expected one target per sample"),
    ],
)
def test_bad_split_arguments_are_named(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    args: dict[str, object] = {"X": np.zeros((4, 2)), "y": np.arange(4), **kwargs}
    with pytest.raises(error, match=match):
        train_test_split(**args)  # type: ignore[arg-type]


def test_standardizer_uses_training_statistics_and_only_centres_constant_features() -> None:
    train = np.array([[1.0, 5.0], [3.0, 5.0]])
    scaler = Standardizer.fit(train)
    np.testing.assert_array_equal(scaler.transform(train), [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(scaler.transform([[2.0, 7.0]]), [[0.0, 2.0]])
    assert scaler.transform(train, np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"X: expected shape \(n, 2\)"):
        scaler.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="X: expected finite values"):
        Standardizer.fit([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="std: expected values > 0"):
        Standardizer([0.0], [0.0])


def test_standardizer_over_all_features_gives_every_column_the_overall_mean_and_std() -> None:
    train = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 255.0]])  # the last pixel inked once
    scaler = Standardizer.fit(train, per_feature=False)
    np.testing.assert_array_equal(scaler.mean, np.full(3, train.mean()))
    np.testing.assert_array_equal(scaler.std, np.full(3, train.std()))
    assert scaler.transform(train).max() == pytest.approx((255.0 - train.mean()) / train.std())
    assert Standardizer.fit(np.full((2, 3), 7.0), per_feature=False).std.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="per_feature"):
        Standardizer.fit(train, per_feature="no")


def test_digits_are_sklearns_1797_images_of_64_pixels() -> None:
    pytest.importorskip("sklearn")
    x, y = digits()
    assert x.shape == (1797, 64) and x.dtype == np.float64 and x.min() >= 0.0 and x.max() <= 16.0
    assert y.dtype == np.int64 and set(y) == set(range(10))


def test_digits_without_scikit_learn_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ModuleNotFoundError, match=r"handmlp\[digits\]"):
        digits()


def test_playground_labels_train_as_they_come() -> None:
    x, y = spiral(n=40, seed=0)
    net = MLP([2, 8, 1], ["tanh", "tanh"], seed=0)
    history = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), x, y, 2, 8, accuracy=True)
    assert len(history.epoch_accuracies) == 2 and net.predict(x).shape == (40,)
