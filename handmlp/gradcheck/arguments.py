"""The checker's arguments, validated before f or df is called, and the values f and df return, checked as
they come: a TypeError for a wrong type, a ValueError for a wrong value, each naming the argument."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import validation
from handmlp.gradcheck.estimator import Array

METHODS = ("central", "richardson", "complex")
MODES = ("full", "fast")
REAL_KINDS = "biuf"  # bool, signed and unsigned integers, floats: what a derivative may come as


def _came(value: Any) -> str:
    """What came, for a message: an array's dtype, or the type and the repr cut to 40 characters."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def point(x: Any) -> Array:
    """x as a float32 or float64 array with finite values (its own dtype: it sets the dtype f runs in). An
    ndarray subclass is taken as the plain array it holds (np.matrix's * is a matrix product)."""
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"x: expected an array of real numbers, got {_came(x)}") from exc
    if array.dtype.kind not in REAL_KINDS:
        raise TypeError(f"x: expected a float32 or float64 array, got {_came(x)}")
    return validation.float_array("x", array)


def common(method: Any, ulps: Any, **functions: Any) -> tuple[str, float]:
    """The arguments every entry point takes: the functions named by keyword (callables), the method
    and ulps (a finite number > 0: the assumed accuracy of f and the claimed values in units of roundoff)."""
    for name, value in functions.items():
        validation.function(name, value)
    return validation.choice("method", method, METHODS), validation.positive("ulps", ulps)


def levels_at_least(levels: Any, minimum: int) -> int:
    """The number of rungs of the step ladder."""
    return validation.integer("levels", levels, minimum=minimum)


def real_values(name: str, value: Any) -> Array:
    """What f or df returned, as an array of real numbers (bool, integer or float)."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected real numbers, got {_came(value)}") from exc
    if array.dtype.kind not in REAL_KINDS:
        raise TypeError(f"{name}: expected real numbers, got {_came(value)}")
    return array


def claimed_values(name: str, value: Any, shape: tuple[int, ...], expected: str) -> Array:
    """A claimed derivative or gradient: real numbers of x's shape (NaN and ±Inf are left to fail the
    check, as any other wrong value does). `expected` words the shape in the message."""
    array = real_values(name, value)
    if array.shape != shape:
        raise ValueError(f"{name}: expected {expected} {shape}, got {array.shape}")
    return array
