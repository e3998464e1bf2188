"""The finiteness checks every input goes through: a finite array passes whatever its size or magnitude, and
the first NaN or ±Inf is named with its index, whichever path (small, large, several at once) looked."""

from __future__ import annotations

import numpy as np
import pytest

from handmlp.validation import check_all_finite, check_finite

BIG = {np.float64: 1e200, np.float32: 1e30}  # finite, yet Σx² overflows in the dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", [3, 5000])  # below and above check_finite's one-pass threshold
def test_finite_arrays_pass_even_when_their_sum_of_squares_overflows(dtype: type, size: int) -> None:
    big = np.full(size, BIG[dtype], dtype=dtype)
    with np.errstate(all="raise"):  # no overflow warning escapes either check
        check_finite("x", big)
        check_all_finite("grads", {"g": big, "h": big[::2], "k": np.zeros((0, 3), dtype)})


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("size", [3, 5000])
def test_the_first_non_finite_element_is_named_with_its_index(bad: float, size: int) -> None:
    x = np.ones((2, size))
    x[1, 2] = bad
    with pytest.raises(ValueError, match=rf"^x: expected finite values, got {bad} at index \(1, 2\)$"):
        check_finite("x", x)


def test_several_arrays_name_the_one_that_is_not_finite() -> None:
    good, bad = np.ones((4, 3)), np.ones((4, 3))
    bad[3, 1] = np.nan
    message = r"^grads\['1'\]: expected finite values, got nan at index \(3, 1\)$"
    with pytest.raises(ValueError, match=message):
        check_all_finite("grads", {"0": good, "1": bad, "2": good})
    transposed = bad.T  # not contiguous: looked at element by element
    with pytest.raises(ValueError, match=r"^w\['t'\]: .* at index \(1, 3\)$"):
        check_all_finite("w", {"t": transposed})
