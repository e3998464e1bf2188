"""Input checks shared by the public functions: each error names the argument and what was expected."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(dtype: Any) -> np.dtype[Any]:
    """float32 or float64 from a NumPy dtype, type or name; anything else is a TypeError."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype!r}")
    return resolved


def float_array(name: str, value: Any, dtype: np.dtype[Any] | None = None) -> NDArray[Any]:
    """`value` as a finite floating array; an ndarray must already have `dtype` (as torch insists).

    Nested lists and scalars are converted to `dtype` (float64 when none is given).
    """
    if isinstance(value, np.ndarray):
        if value.dtype not in FLOAT_DTYPES:
            raise TypeError(f"{name}: expected a float32 or float64 array, got dtype {value.dtype}")
        if dtype is not None and value.dtype != dtype:
            raise TypeError(
                f"{name}: expected dtype {dtype} to match the network, got {value.dtype}; "
                f"convert with {name}.astype(np.{dtype})"
            )
        array = value
    else:
        try:
            array = np.asarray(value, dtype=dtype or np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: expected an array of real numbers, got {type(value).__name__}") from exc
    check_finite(name, array)
    return array


def check_finite(name: str, array: NDArray[Any]) -> None:
    """Reject NaN and ±Inf, naming the first offending index."""
    if array.size and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        index = tuple(int(i) for i in bad)
        raise ValueError(f"{name}: expected finite values, got {array[index]} at index {index}")


def check_shape(name: str, array: NDArray[Any], expected: tuple[int | None, ...]) -> None:
    """Require `array.shape` to match `expected` (None matches any length)."""
    ok = array.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, array.shape))
    if not ok:
        shown = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name}: expected shape {shown}, got {array.shape}")
