"""The complex step Im f(x + ih)/h (C15 without a subtraction) and its guard: refused unless f returns finite
complex values that agree with central differences. docs/gradcheck.md says which code is analytic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from handmlp.gradcheck.estimator import F64, Array, Estimate

COMPLEX_STEP = {np.dtype(np.float64): 1e-20, np.dtype(np.float32): 1e-10}  # h relative to max(1, |x|)


def complex_dtype(dtype: np.dtype[Any]) -> type[np.complexfloating[Any, Any]]:
    """The complex dtype of the same precision as a real float dtype."""
    return np.complex128 if dtype == np.float64 else np.complex64


def complex_values(f: Callable[[Array], Any], z: Array) -> Array:
    """f at complex points, refused with a TypeError/ValueError unless it returns finite complex values."""
    try:
        out = np.asarray(f(z))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"complex step refused: f raised on a complex input ({exc})") from exc
    if not np.iscomplexobj(out):
        raise TypeError(
            f"complex step refused: f returned {out.dtype} for a complex input, dropping the imaginary part "
            "(np.abs, .real, float(), astype(float) are not analytic): use method='central' or 'richardson'"
        )
    if not np.all(np.isfinite(out)):
        raise ValueError(
            "complex step refused: f gave a non-finite value on a complex input (an overflow in complex "
            "arithmetic): use method='central' or 'richardson'"
        )
    return out


def complex_error(
    derivative: F64, f0: F64, scale: F64, h: F64, ctype: np.dtype[Any], f_u: float, ulps: float
) -> F64:
    """Error of Im f(x + ih)/h: a few ulps of the derivative's scale, and the subnormal spacing over h where
    h·f′ underflows (a derivative below ~1e-290 in float64 cannot be resolved this way)."""
    subnormal = float(np.finfo(ctype).smallest_subnormal)
    return ulps * f_u * (np.abs(derivative) + np.abs(f0) / scale) + ulps * subnormal / h


def first_disagreement(
    derivative: F64, central: Estimate, bound: F64, shape: tuple[int, ...], what: str
) -> None:
    """Refuse the complex step (ValueError) at the first element where it disagrees with central
    differences beyond `bound`."""
    bad = ~(np.abs(derivative - central.value) <= bound)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise refusal(i, shape, float(derivative[i]), central, i, float(bound[i]), what)


def refusal(
    i: int, shape: tuple[int, ...], derivative: float, central: Estimate, j: int, bound: float, what: str
) -> ValueError:
    """The ValueError refusing the complex step at element (or direction) i, central's element j."""
    index = tuple(int(v) for v in np.unravel_index(i, shape))
    message = (
        f"complex step refused: at {what} {index} it gives {derivative:.17g} but central differences give "
        f"{central.value[j]:.17g} (bound {bound:.3g})"
    )
    if central.kink[j]:
        message += (
            f"; one-sided derivatives there are {central.left[j]:.10g} (left) and {central.right[j]:.10g} "
            "(right): f is not differentiable there and the complex step silently picks one side"
        )
    message += (
        ". f is not complex-analytic (np.abs, np.maximum/np.minimum at ties, comparisons, np.where on a "
        "complex condition, .real), or loses accuracy in complex arithmetic (NumPy's complex expm1/log1p "
        "near 0): use method='central' or 'richardson'"
    )
    return ValueError(message)
