"""Accuracy: the fraction of samples whose predicted class is the true one, and the labels it compares.

A network's outputs become class labels as `MLP.predict` says: the largest of several outputs (argmax), or
for one output the positive class where ŷ ≥ ½ after a sigmoid (labels 1/0) and where ŷ ≥ 0 otherwise
(labels +1/−1). Targets become labels the same way: class indices as they are, one column or a vector of
±1 (or 1/0) as it is, one-hot rows (or ±1 rows) by their largest entry.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]

__all__ = ["accuracy", "output_labels", "target_labels"]


def output_labels(y_hat: Array, sigmoid_output: bool) -> Array:
    """Class labels from outputs ŷ of shape (n, classes) or (n, 1)."""
    if y_hat.ndim == 2 and y_hat.shape[1] > 1:
        return np.argmax(y_hat, axis=1)
    scores = y_hat.reshape(len(y_hat))
    if sigmoid_output:
        return np.where(scores >= 0.5, 1, 0)
    return np.where(scores >= 0.0, 1.0, -1.0)


def target_labels(y: Array) -> Array:
    """Class labels from targets: (n,) as they are, (n, 1) flattened, one-hot (n, classes) by argmax."""
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    return y.reshape(len(y))


def accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of samples with y_pred == y_true: two label arrays of the same length n ≥ 1."""
    true, pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if true.ndim != 1 or pred.shape != true.shape or len(true) == 0:
        raise ValueError(
            f"y_pred: expected labels of the shape of y_true (n,) with n ≥ 1, got {pred.shape} and "
            f"{true.shape}; turn outputs into labels with MLP.predict"
        )
    return float(np.mean(true == pred))


def _labels(name: str, values: Any) -> Array:
    """Class labels as an array of numbers (integers, or ±1 and 0/1 as floats), every one finite."""
    labels = np.asarray(values)
    if labels.dtype.kind not in "iuf":
        raise TypeError(
            f"{name}: expected class labels (numbers), got {type(values).__name__} of {labels.dtype}"
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError(f"{name}: expected finite labels, got {labels[~np.isfinite(labels)][0]}")
    return labels
