"""The activations torch lacks at extreme inputs (±1000, 1e15, 1e200 (float32: 1e30), tiny, subnormal) in
both dtypes, against mpmath at 60 digits: finite where the exact result is finite in the dtype, ±inf where
it overflows, and within a derived bound k·u·M + λ, where M sums the magnitudes of the terms each formula
adds (with the argument's own rounding carried through the condition number) and k counts its roundings
(an elementary function counts 4); each bound pinned by a planted relative error of 1e-6 (float32: 1e-3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp import get_activation
from reference.oracle.compare import compare_within_bound, unit_roundoff

mpmath = pytest.importorskip("mpmath")
mpmath.mp.dps = 60

Exact = Callable[[Any], Any]
Model = Callable[[np.ndarray], np.ndarray]


def _capped_square(z: np.ndarray) -> np.ndarray:
    """min(z², 10⁴): beyond |z| = 100, e^(−z²) is 0 and z² must not overflow the magnitude models."""
    return np.minimum(np.minimum(np.abs(z), 100.0) ** 2, 1e4)


def _sigma(t: np.ndarray) -> np.ndarray:
    """σ(t) to within a few ulps, for magnitudes only (written apart from the function under test)."""
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, 1.0, e) / (1.0 + e)


BETA, ALPHA = 1.7, 0.3
# name: (settings, exact value, exact derivative, (k, M) of the value, (k, M) of the derivative)
CASES: dict[str, tuple[dict[str, Any], Exact, Exact, tuple[float, Model], tuple[float, Model]]] = {
    "bent_identity": (
        {},
        lambda z: (mpmath.sqrt(z * z + 1) - 1) / 2 + z,
        lambda z: z / (2 * mpmath.sqrt(z * z + 1)) + 1,
        (8, lambda z: np.abs(z) * (np.abs(z) / (2 * (np.hypot(z, 1.0) + 1))) + np.abs(z)),
        (6, lambda z: np.abs(z) / (2 * np.hypot(z, 1.0)) + 1),
    ),
    "gaussian": (
        {},
        lambda z: mpmath.exp(-z * z),
        lambda z: -2 * z * mpmath.exp(-z * z),
        (6, lambda z: np.exp(-_capped_square(z)) * (1 + _capped_square(z))),
        (8, lambda z: 2 * np.abs(z) * np.exp(-_capped_square(z)) * (1 + _capped_square(z))),
    ),
    "sinusoid": (
        {},
        mpmath.sin,
        mpmath.cos,
        (4, lambda z: np.abs(np.sin(z))),
        (4, lambda z: np.abs(np.cos(z))),
    ),
    "isru": (
        {"alpha": ALPHA},
        lambda z: z / mpmath.sqrt(1 + ALPHA * z * z),
        lambda z: mpmath.power(1 + ALPHA * z * z, mpmath.mpf(-1.5)),
        (8, lambda z: np.abs(z) / np.hypot(1.0, np.sqrt(ALPHA) * z)),
        (10, lambda z: np.hypot(1.0, np.sqrt(ALPHA) * z) ** -3.0),
    ),
    "lisht": (
        {},
        lambda z: z * mpmath.tanh(z),
        lambda z: mpmath.tanh(z) + z * (1 - mpmath.tanh(z) ** 2),
        (6, lambda z: np.abs(z * np.tanh(z))),
        (10, lambda z: np.abs(np.tanh(z)) + np.abs(z) * (1 + np.tanh(z) ** 2)),
    ),
    "swish_beta": (
        {"init": BETA},
        lambda z: z / (1 + mpmath.exp(-BETA * z)),
        lambda z: (lambda s: s + BETA * z * s * (1 - s))(1 / (1 + mpmath.exp(-BETA * z))),
        (8, lambda z: np.abs(z) * _sigma(BETA * z) * (1 + np.abs(BETA * z) * (1 - _sigma(BETA * z)))),
        (
            12,
            lambda z: (
                (1 + np.abs(BETA * z))
                * _sigma(BETA * z)
                * (1 + (2 + np.abs(BETA * z)) * (1 - _sigma(BETA * z)))
            ),
        ),
    ),
    "soft_exponential": (
        {"init": ALPHA},
        lambda z: mpmath.expm1(ALPHA * z) / ALPHA + ALPHA,
        lambda z: mpmath.exp(ALPHA * z),
        (10, lambda z: np.abs(np.expm1(ALPHA * z) / ALPHA) * (1 + np.abs(ALPHA * z)) + ALPHA),
        (6, lambda z: np.exp(ALPHA * z) * (1 + np.abs(ALPHA * z))),
    ),
}


def _extreme(dtype: Any) -> np.ndarray:
    info = np.finfo(dtype)
    huge = [1e15, 1e200] if dtype == np.float64 else [1e15, 1e30]
    tiny = [float(info.smallest_subnormal), float(info.tiny), 1e-30]
    magnitudes = np.array([*tiny, 1e-8, 0.5, 30.0, 1000.0, *huge])
    return np.concatenate([[0.0], magnitudes, -magnitudes]).astype(dtype)


def _exact(fn: Exact, z: np.ndarray, dtype: Any) -> np.ndarray:
    """The exact result rounded to float64 (±inf beyond the dtype's range)."""
    values = np.array([float(fn(mpmath.mpf(float(v)))) for v in z])
    return np.where(np.abs(values) > float(np.finfo(dtype).max), np.copysign(np.inf, values), values)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(CASES))
def test_extra_activation_at_extreme_inputs_matches_mpmath(name: str, dtype: Any) -> None:
    settings, value_fn, gradient_fn, value_model, gradient_model = CASES[name]
    z = _extreme(dtype)
    act = get_activation(name, **settings)
    act.build(z.size, np.dtype(dtype))
    u, tiny = unit_roundoff(dtype), float(np.finfo(dtype).tiny)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        ours = {"value": act.value(z), "derivative": act.gradient(z)}
        z64 = z.astype(np.float64)
        bounds = {
            "value": value_model[0] * u * value_model[1](z64) + tiny,
            "derivative": gradient_model[0] * u * gradient_model[1](z64) + tiny,
        }
    exact = {"value": _exact(value_fn, z, dtype), "derivative": _exact(gradient_fn, z, dtype)}
    for kind, got in ours.items():
        finite = np.isfinite(exact[kind])
        assert np.array_equal(got[~finite], exact[kind][~finite]), (kind, z[~finite], got[~finite])
        assert np.all(np.isfinite(got[finite])), (kind, z[finite], got[finite])
        assert np.all(np.isfinite(bounds[kind][finite])), (kind, z[finite], bounds[kind][finite])
        result = compare_within_bound(
            f"{name} {kind}", got[finite], exact[kind][finite], bounds[kind][finite]
        )
        assert result.passed, result.message(expected_label="mpmath")
        planted = got[finite].astype(np.float64) * (1 + (1e-6 if dtype == np.float64 else 1e-3))
        assert not compare_within_bound(kind, planted, exact[kind][finite], bounds[kind][finite]).passed
