"""Comparisons whose tolerance is an error bound, and failure messages that say exactly what differed.

Every bound used with these functions is derived, never guessed: see `reference.oracle.bounds` for how the
floating-point error of a computation (unit roundoff × summed magnitudes × reduction length) is carried
through a network. Here a bound is given per element, and an element passes when |actual − expected| ≤ bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


def unit_roundoff(dtype: Any) -> float:
    """u = 2^−p: half the distance from 1 to the next float (2^−53 in float64, 2^−24 in float32)."""
    return float(np.finfo(dtype).eps) / 2.0


def gamma(k: int | float | Array, u: float) -> Any:
    """γ_k = k·u/(1 − k·u): the relative error bound of k successive roundings (Higham, §3.1)."""
    ku = np.asarray(k, dtype=np.float64) * u
    return ku / (1.0 - ku)


def perturbed(fn: Any, z: Array, e: Array) -> Array:
    """max over ± of |fn(z ± e) − fn(z)|: how far an error e already in z can move fn(z), elementwise.

    First-order exact where fn is smooth (|fn′(z)|·e), and honest at a kink within reach of e.
    """
    at = fn(z)
    return np.maximum(np.abs(fn(z + e) - at), np.abs(fn(z - e) - at))


@dataclass(frozen=True)
class Comparison:
    """How `actual` compared with `expected` under a per-element `bound`; `ratio` = worst error/bound."""

    name: str
    passed: bool
    n_failed: int
    size: int
    index: tuple[int, ...]
    actual: float
    expected: float
    error: float
    bound: float
    ratio: float
    max_abs_error: float
    max_abs_expected: float

    @property
    def relative_to_max(self) -> float:
        """The worst |error| over the largest |expected| element of the tensor."""
        return self.max_abs_error / self.max_abs_expected if self.max_abs_expected else self.max_abs_error

    def message(self, actual_label: str = "handmlp", expected_label: str = "torch") -> str:
        """What differed: the name, the index, both values, the error and the bound."""
        verdict = (
            f"{self.n_failed} of {self.size} elements differ by more than their bound"
            if not self.passed
            else f"all {self.size} elements within their bound"
        )
        return (
            f"{self.name}: {verdict}; worst at index {self.index}: {actual_label}={self.actual!r}, "
            f"{expected_label}={self.expected!r}, |error|={self.error:.3e}, bound={self.bound:.3e} "
            f"(error/bound={self.ratio:.3g})"
        )


def compare_within_bound(name: str, actual: Any, expected: Any, bound: Any) -> Comparison:
    """Compare elementwise: each |actual − expected| must not exceed its bound; NaN never passes, and an
    infinite bound (a bound computed from an overflowing value) vouches only for exact equality."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    b = np.broadcast_to(np.asarray(bound, dtype=np.float64), e.shape)
    if a.shape != e.shape:
        raise AssertionError(f"{name}: shapes differ: {a.shape} against {e.shape}")
    if e.size == 0:
        return Comparison(name, True, 0, 0, (), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    with np.errstate(invalid="ignore"):
        err = np.abs(a - e)
        err = np.where(a == e, 0.0, err)  # equal infinities agree
        failed = ~(err <= b) | (np.isinf(b) & (err != 0))
        ratio = np.where(failed & (b == 0), np.inf, err / np.where(b > 0, b, 1.0))
    ratio = np.where(np.isnan(err), np.inf, ratio)
    worst = np.unravel_index(int(np.argmax(ratio)), e.shape) if e.ndim else ()
    index = tuple(int(i) for i in worst)
    return Comparison(
        name=name,
        passed=not bool(failed.any()),
        n_failed=int(failed.sum()),
        size=int(e.size),
        index=index,
        actual=float(a[index]),
        expected=float(e[index]),
        error=float(err[index]),
        bound=float(b[index]),
        ratio=float(ratio[index]),
        max_abs_error=float(np.nanmax(err)) if not np.isnan(err).all() else float("nan"),
        max_abs_expected=float(np.max(np.abs(e))),
    )


def assert_within_bound(name: str, actual: Any, expected: Any, bound: Any) -> Comparison:
    """`compare_within_bound`, raising AssertionError with the full message when any element fails."""
    result = compare_within_bound(name, actual, expected, bound)
    if not result.passed:
        raise AssertionError(result.message())
    return result
