"""Datasets to train on: the in-browser playground's two-dimensional sets (C17 in docs/equations.md),
generated from a seed, scikit-learn's 8×8 digits (an optional extra), and the tools to split and
standardise them.

Each playground function returns (X, y): X of shape (n, 2), y of shape (n,) with labels +1 and −1 (the two
colours); `fit` takes such a y as it comes for a network with one output. `digits()` returns the 1,797
images of 8×8 pixels as X of shape (1797, 64) and the labels 0–9; MNIST's IDX files are read by
`handmlp.idx.load_mnist` from a folder the user names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp import validation
from handmlp.idx import load_mnist
from handmlp.losses import LOSSES
from handmlp.validation import check_finite, integer, non_negative, real

Array = NDArray[Any]

__all__ = [
    "DATASETS",
    "DATA_NAMES",
    "Dataset",
    "Standardizer",
    "circle",
    "class_targets",
    "digits",
    "gaussian",
    "load_dataset",
    "spiral",
    "train_test_split",
    "xor",
]


def _checked(n: Any, noise: Any, seed: Any) -> tuple[int, float, np.random.Generator]:
    """n ≥ 2 points, noise ≥ 0 and a seed, checked before anything is drawn."""
    count = integer("n", n, minimum=2)
    spread = non_negative("noise", noise)
    return count, spread, np.random.default_rng(validation.seed("seed", seed))


def circle(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Points inside radius 2.5 are +1, points on the ring 3.5–5 are −1."""
    n, noise, rng = _checked(n, noise, seed)
    inner = np.arange(n) < n // 2
    radius = np.where(inner, rng.uniform(0, 2.5, n), rng.uniform(3.5, 5.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1) + noise * rng.normal(size=(n, 2))
    return x, np.where(inner, 1.0, -1.0)


def xor(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Points in the four quadrants, +1 where x1·x2 ≥ 0 and −1 elsewhere (kept away from the axes)."""
    n, noise, rng = _checked(n, noise, seed)
    x = rng.uniform(-5, 5, size=(n, 2))
    x += np.sign(x) * 0.3  # a margin around the axes, as the playground draws it
    labels = np.where(x[:, 0] * x[:, 1] >= 0, 1.0, -1.0)
    return x + noise * rng.normal(size=(n, 2)), labels


def gaussian(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Two Gaussian clusters centred at (2, 2) (+1) and (−2, −2) (−1), spread 1 + noise."""
    n, noise, rng = _checked(n, noise, seed)
    positive = np.arange(n) < n // 2
    centres = np.where(positive[:, None], 2.0, -2.0)
    return centres + (1.0 + noise) * rng.normal(size=(n, 2)), np.where(positive, 1.0, -1.0)


def spiral(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Two interleaved spirals, r = 5t, angle 1.75·2πt (+ π for the −1 arm), t ∈ [0, 1)."""
    n, noise, rng = _checked(n, noise, seed)
    positive = np.arange(n) < n // 2
    t = np.where(positive, np.arange(n), np.arange(n) - n // 2) / max(1, n // 2)
    angle = 1.75 * 2 * np.pi * t + np.where(positive, 0.0, np.pi)
    x = np.stack([5 * t * np.sin(angle), 5 * t * np.cos(angle)], axis=1)
    return x + noise * rng.normal(size=(n, 2)), np.where(positive, 1.0, -1.0)


DATASETS = {"circle": circle, "xor": xor, "gaussian": gaussian, "spiral": spiral}


def digits() -> tuple[Array, Array]:
    """scikit-learn's 8×8 handwritten digits: X of shape (1797, 64), pixel values 0–16 as float64, and y the
    labels 0–9 as int64. Needs scikit-learn (`pip install "handmlp[digits]"`); the data ship with it."""
    try:
        from sklearn.datasets import load_digits  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ModuleNotFoundError(
            'digits: needs scikit-learn, which ships the data; install it with pip install "handmlp[digits]"'
        ) from exc
    bunch = load_digits()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


def train_test_split(
    X: Any, y: Any, test_fraction: float = 0.25, seed: int = 0
) -> tuple[Array, Array, Array, Array]:
    """(X_train, X_test, y_train, y_test): a seeded random permutation, its last ⌈test_fraction·n⌉ samples
    held out (at least one on each side)."""
    x_all, y_all = np.asarray(X), np.asarray(y)
    if x_all.ndim == 0 or y_all.ndim == 0 or len(x_all) != len(y_all):
        raise ValueError(
            f"y: expected one target per sample of X, got X of shape {x_all.shape} and y of {y_all.shape}"
        )
    fraction = real("test_fraction", test_fraction)
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"test_fraction: expected a number in (0, 1), got {fraction}")
    n = len(x_all)
    n_test = int(np.ceil(fraction * n))
    if n < 2 or n_test >= n:
        raise ValueError(f"test_fraction: {fraction} of {n} samples leaves no training sample")
    order = np.random.default_rng(validation.seed("seed", seed)).permutation(n)
    train, test = order[: n - n_test], order[n - n_test :]
    return x_all[train], x_all[test], y_all[train], y_all[test]


class Standardizer:
    """x ↦ (x − mean)/std per input feature, with mean and std taken from the training data only; a feature
    that is constant there (std 0, e.g. a pixel always blank) is only centred. With `per_feature=False` one
    mean and std, taken over all of X, serve every feature (pixels, so a rarely inked one is not blown up)."""

    def __init__(self, mean: Any, std: Any) -> None:
        self.mean = np.asarray(mean, dtype=np.float64)
        self.std = np.asarray(std, dtype=np.float64)
        check_finite("mean", self.mean)
        check_finite("std", self.std)
        if self.mean.ndim != 1 or self.std.shape != self.mean.shape:
            raise ValueError(f"std: expected the shape of mean {self.mean.shape}, got {self.std.shape}")
        if np.any(self.std <= 0.0):
            raise ValueError("std: expected values > 0 (constant features have std 1)")

    @classmethod
    def fit(cls, X: Any, per_feature: bool = True) -> Standardizer:
        """The mean and standard deviation of each column of the training inputs X (n, features), or of all
        of X repeated for every column (`per_feature=False`, for pixels)."""
        x = _float64("X", X)
        if x.ndim != 2 or len(x) == 0:
            raise ValueError(f"X: expected a non-empty (n, features) array, got shape {x.shape}")
        check_finite("X", x)
        width = x.shape[1]
        if not validation.flag("per_feature", per_feature):
            x = x.reshape(-1, 1)
        std = x.std(axis=0)
        mean, std = x.mean(axis=0), np.where(std > 0.0, std, 1.0)
        return cls(np.broadcast_to(mean, width).copy(), np.broadcast_to(std, width).copy())

    def transform(self, X: Any, dtype: Any = np.float64) -> Array:
        """(X − mean)/std, in `dtype`."""
        x = _float64("X", X)
        if x.ndim != 2 or x.shape[1] != len(self.mean):
            raise ValueError(f"X: expected shape (n, {len(self.mean)}), got {x.shape}")
        check_finite("X", x)
        return ((x - self.mean) / self.std).astype(validation.float_dtype(dtype))


# --- a data set by name, split and standardised, as the command line trains on it ------------------------

DATA_NAMES = ("spiral", "circle", "xor", "gaussian", "digits", "mnist", "fashion-mnist")


@dataclass
class Dataset:
    """A data set ready to train on: standardised inputs, class labels 0..classes−1, the split's settings."""

    name: str
    x_train: Array
    x_test: Array
    y_train: Array
    y_test: Array
    classes: int
    standardizer: Standardizer
    settings: dict[str, Any]

    def extras(self) -> dict[str, Array]:
        """What a saved model keeps to be evaluated the same way: the standardisation and the split."""
        saved = {"input.mean": self.standardizer.mean, "input.std": self.standardizer.std}
        return saved | {key: np.array(value) for key, value in self.settings.items() if value is not None}


def load_dataset(
    name: str,
    folder: str | None = None,
    samples: int | None = None,
    noise: float | None = None,
    test_fraction: float | None = None,
    seed: int = 0,
    dtype: Any = np.float64,
    standardizer: Standardizer | None = None,
) -> Dataset:
    """`name` (one of DATA_NAMES) split into training and test data (MNIST: its own 10,000 test images; the
    others: a seeded `test_fraction`, default ¼) and standardised with the training split's statistics (or
    the `standardizer` given). Playground labels ±1 become classes 0 and 1."""
    name = validation.choice("data", name, DATA_NAMES)
    fraction = 0.25 if test_fraction is None else test_fraction
    settings: dict[str, Any] = {"data": name, "seed": seed, "test_fraction": fraction}
    if name in ("mnist", "fashion-mnist"):
        if folder is None:
            raise ValueError(f"data_dir: {name} is read from a folder with its four IDX files; name it")
        x_train, y_train = load_mnist(folder, "train")
        x_test, y_test = load_mnist(folder, "test")
        settings["test_fraction"] = None
    else:
        if name == "digits":
            x, y = digits()
        else:
            n, spread = 400 if samples is None else samples, 0.0 if noise is None else noise
            x, labels = DATASETS[name](n=n, noise=spread, seed=seed)
            y = (labels > 0).astype(np.int64)
            settings.update(samples=n, noise=spread)
        x_train, x_test, y_train, y_test = train_test_split(x, y, fraction, seed)
    # MNIST's edge pixels are inked in a handful of its 60,000 images: scaled per pixel they reach hundreds
    # of standard deviations and SGD diverges, so its pixels share one mean and std.
    idx_images = name in ("mnist", "fashion-mnist")
    scaler = Standardizer.fit(x_train, per_feature=not idx_images) if standardizer is None else standardizer
    classes = int(max(y_train.max(), y_test.max())) + 1
    return Dataset(
        name,
        scaler.transform(x_train, dtype),
        scaler.transform(x_test, dtype),
        y_train,
        y_test,
        classes,
        scaler,
        settings,
    )


def class_targets(loss: str, labels: Array, classes: int, dtype: Any = np.float64) -> Array:
    """What `loss` trains on for class labels: the labels for cross_entropy, ±1 one-hot rows for hinge,
    one-hot rows (1 for the class, 0 elsewhere) for the others."""
    validation.choice("loss", loss, tuple(LOSSES))
    count = validation.integer("classes", classes, minimum=1)
    target_dtype = validation.float_dtype(dtype)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise TypeError(
            f"labels: expected a 1-D array of integer class labels, got {labels.dtype} {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= count):
        bad = labels[(labels < 0) | (labels >= count)][0]
        raise ValueError(f"labels: expected class labels in 0..{count - 1}, got {bad}")
    if loss == "cross_entropy":
        return labels
    one_hot = (labels[:, None] == np.arange(count)).astype(target_dtype)
    return 2.0 * one_hot - 1.0 if loss == "hinge" else one_hot


def _float64(name: str, values: Any) -> Array:
    """`values` (integers such as pixel bytes included) as a float64 array; strings and the like refused."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}: expected an array of real numbers, got {type(values).__name__} of {array.dtype}"
        )
    return array.astype(np.float64)
