"""The comparison module: what passes, what fails, and what a failure says."""

from __future__ import annotations

import numpy as np
import pytest

from reference.oracle.compare import assert_within_bound, compare_within_bound, gamma, unit_roundoff


def test_unit_roundoff_is_half_machine_epsilon() -> None:
    assert unit_roundoff(np.float64) == 2.0**-53
    assert unit_roundoff(np.float32) == 2.0**-24
    assert gamma(2, 2.0**-53) > 2 * 2.0**-53


def test_failure_message_names_tensor_index_values_error_and_bound() -> None:
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    actual = expected.copy()
    actual[1, 0] = 3.0 + 1e-9
    with pytest.raises(AssertionError) as info:
        assert_within_bound("0.weight", actual, expected, 1e-12)
    message = str(info.value)
    for part in (
        "0.weight",
        "1 of 4 elements",
        "index (1, 0)",
        "handmlp=3.000000001",
        "torch=3.0",
        "|error|=1.000e-09",
        "bound=1.000e-12",
    ):
        assert part in message, (part, message)


def test_nan_never_passes_and_equal_values_need_no_bound() -> None:
    assert not compare_within_bound("x", [np.nan], [1.0], np.inf).passed
    assert not compare_within_bound("x", [1.0], [np.nan], 1.0).passed
    assert compare_within_bound("x", [2.5], [2.5], 0.0).passed
    assert not compare_within_bound("x", [2.5], [np.nextafter(2.5, 3)], 0.0).passed


def test_shape_mismatch_is_an_assertion() -> None:
    with pytest.raises(AssertionError, match="shapes differ"):
        compare_within_bound("x", np.ones(2), np.ones(3), 1.0)


def test_relative_to_max_and_ratio_are_reported() -> None:
    r = compare_within_bound("g", [1.0, 10.0 + 1e-12], [1.0, 10.0], 1e-11)
    assert r.passed and r.index == (1,)
    assert r.relative_to_max == pytest.approx(1e-13, rel=1e-3)
    assert r.ratio == pytest.approx(0.1, rel=1e-3)
    assert "within their bound" in r.message()
    assert compare_within_bound("empty", np.ones(0), np.ones(0), 0.0).passed


def test_an_infinite_bound_vouches_only_for_exact_equality() -> None:
    # a bound computed from an overflowing value (a naive cross-entropy's inf) must not pass a wrong value
    assert not compare_within_bound("g", [1.0, 2.0], [1.0, 3.0], [0.0, np.inf]).passed
    assert compare_within_bound("g", [1.0, np.inf], [1.0, np.inf], [0.0, np.inf]).passed
    assert not compare_within_bound("g", [1.0, np.inf], [1.0, 1e308], [0.0, np.inf]).passed
