"""Argument checks shared by every public function: each error names the argument, what was expected
and what came, as `TypeError` for a wrong type and `ValueError` for a wrong value.

Every public function calls these before it touches any state, so a refused call changes nothing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

__all__ = [
    "FLOAT_DTYPES",
    "check_all_finite",
    "check_finite",
    "check_shape",
    "choice",
    "flag",
    "float_array",
    "float_dtype",
    "function",
    "integer",
    "non_negative",
    "path",
    "positive",
    "real",
    "seed",
]


def _shown(value: Any) -> str:
    """`type value` for a message, the repr cut to 60 characters."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def float_dtype(dtype: Any) -> np.dtype[Any]:
    """float32 or float64 from a NumPy dtype, type or name; anything else is a TypeError."""
    try:
        resolved = np.dtype(dtype) if dtype is not None else None
    except (TypeError, ValueError):
        resolved = None
    if resolved is None or resolved not in FLOAT_DTYPES:
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
    elif value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected an array of real numbers, got {_shown(value)}")
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as exc:  # ragged nesting
            raise TypeError(f"{name}: expected an array of real numbers, got {type(value).__name__}") from exc
        if array.dtype.kind not in "iuf":  # True is not a number here, nor "1", nor None
            raise TypeError(f"{name}: expected an array of real numbers, got {_shown(value)}")
        array = array.astype(dtype or np.float64, copy=False)
    check_finite(name, array)
    return array


def check_finite(name: str, array: NDArray[Any]) -> None:
    """Reject NaN and ±Inf, naming the first offending index.

    A finite Σx² (or Σx) means every element is finite (NaN and ±Inf propagate), so the common case is one
    pass with no temporary array (Σx² as BLAS's dot, the fastest pass NumPy has); only a non-finite or an
    overflowing total looks element by element.
    """
    if array.size <= 4096:  # small: one isfinite pass costs less than a guarded reduction
        if np.logical_and.reduce(np.isfinite(array), axis=None):  # .all() without its Python wrapper
            return
    elif _guarded_total_is_finite(array):
        return
    _refuse_non_finite(name, array)


def check_all_finite(what: str, arrays: Mapping[str, NDArray[Any]]) -> None:
    """`check_finite` for several arrays (a step's gradients), each named `what[key]`: one guarded total per
    array under one shared error state, then the element by element look only for an array whose total is
    not finite."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        suspects = [key for key, array in arrays.items() if not _total_is_finite(array)]
    for key in suspects:
        _refuse_non_finite(f"{what}[{key!r}]", arrays[key])


def _total_is_finite(array: NDArray[Any]) -> bool:
    """Σx² (BLAS's dot over a contiguous float array) or Σx is finite; under an errstate ignoring overflow."""
    if array.dtype.kind == "f" and array.flags.c_contiguous:
        flat = array.reshape(-1)
        return math.isfinite(np.dot(flat, flat))
    return bool(np.isfinite(array.sum()))


# errstate wrapped around the function (by assignment, as logistic is) rather than a `with` block inside it:
# half the cost, and every training step checks x
_guarded_total_is_finite = np.errstate(over="ignore", invalid="ignore", under="ignore")(_total_is_finite)


def _refuse_non_finite(name: str, array: NDArray[Any]) -> None:
    """ValueError naming the first NaN or ±Inf in `array` and its index, if there is one."""
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        index = tuple(int(i) for i in bad)
        raise ValueError(f"{name}: expected finite values, got {array[index]} at index {index}")


def check_shape(name: str, array: NDArray[Any], expected: tuple[int | None, ...]) -> None:
    """Require `array.shape` to match `expected` (None matches any length)."""
    if type(expected) is tuple and array.shape == expected:  # the common case, at a tuple comparison's cost
        return
    ok = array.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, array.shape))
    if not ok:
        shown = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name}: expected shape {shown}, got {array.shape}")


def real(name: str, value: Any) -> float:
    """A finite real number (bool is not one): TypeError for another type, ValueError for NaN or ±Inf."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a real number, got {_shown(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: expected a finite number, got {number}")
    return number


def non_negative(name: str, value: Any) -> float:
    """A finite real number ≥ 0."""
    number = real(name, value)
    if number < 0.0:
        raise ValueError(f"{name}: expected a finite number ≥ 0, got {number}")
    return number


def positive(name: str, value: Any) -> float:
    """A finite real number > 0."""
    number = real(name, value)
    if number <= 0.0:
        raise ValueError(f"{name}: expected a finite number > 0, got {number}")
    return number


def integer(name: str, value: Any, minimum: int | None = None) -> int:
    """A Python or NumPy integer (not bool, not a float that happens to be whole), at least `minimum`."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, got {_shown(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}: expected an integer ≥ {minimum}, got {value}")
    return int(value)


def seed(name: str, value: Any) -> int:
    """A seed for `numpy.random.default_rng`: an integer ≥ 0."""
    return integer(name, value, minimum=0)


def flag(name: str, value: Any) -> bool:
    """True or False itself (a string such as "no" is not taken as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {_shown(value)}")
    return bool(value)


def function(name: str, value: Any, *, optional: bool = False) -> Callable[..., Any] | None:
    """A callable (or None when `optional`)."""
    if value is None and optional:
        return None
    if not callable(value):
        expected = "a callable or None" if optional else "a callable"
        raise TypeError(f"{name}: expected {expected}, got {_shown(value)}")
    return value


def choice(name: str, value: Any, options: Sequence[str]) -> str:
    """One of the strings in `options`."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {list(options)}, got {_shown(value)}")
    if value not in options:
        raise ValueError(f"{name}: expected one of {list(options)}, got {value!r}")
    return value


def path(name: str, value: Any) -> str | os.PathLike[str]:
    """A file or folder path: a str (not empty) or an os.PathLike."""
    if isinstance(value, os.PathLike):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a path (str or os.PathLike), got {_shown(value)}")
    if not value:
        raise ValueError(f"{name}: expected a path, got an empty string")
    return value
