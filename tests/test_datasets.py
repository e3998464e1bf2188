"""The playground datasets (C17): shapes, labels, seeds, and the geometry that defines each."""

from __future__ import annotations

import numpy as np
import pytest

from handmlp.datasets import DATASETS, circle, gaussian, spiral, xor


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
