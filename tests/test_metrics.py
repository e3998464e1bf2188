"""Accuracy and the labels it compares: outputs and targets turned into classes the same way."""

from __future__ import annotations

import numpy as np
import pytest

from handmlp.metrics import accuracy, output_labels, target_labels


def test_outputs_become_argmax_or_a_threshold_at_the_boundary_exactly() -> None:
    np.testing.assert_array_equal(output_labels(np.array([[0.1, 0.9], [2.0, -1.0]]), False), [1, 0])
    np.testing.assert_array_equal(output_labels(np.array([[0.0], [-1e-300]]), False), [1.0, -1.0])
    np.testing.assert_array_equal(output_labels(np.array([[0.5], [0.4999999]]), True), [1, 0])


def test_targets_become_labels_one_hot_by_argmax_columns_flattened() -> None:
    np.testing.assert_array_equal(target_labels(np.array([[0.0, 1.0], [1.0, 0.0]])), [1, 0])
    np.testing.assert_array_equal(target_labels(np.array([[-1.0, 1.0], [1.0, -1.0]])), [1, 0])
    np.testing.assert_array_equal(target_labels(np.array([[1.0], [-1.0]])), [1.0, -1.0])
    np.testing.assert_array_equal(target_labels(np.array([3, 1])), [3, 1])


def test_accuracy_is_the_fraction_equal_and_refuses_mismatched_shapes() -> None:
    assert accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    for y_true, y_pred in (([1, 2], [1]), ([], []), ([[1, 2]], [[1, 2]])):
        with pytest.raises(ValueError, match="y_pred: expected labels of the shape of y_true"):
            accuracy(y_true, y_pred)
