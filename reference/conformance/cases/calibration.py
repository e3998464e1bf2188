"""Catalog cases for the calibration of handmlp's own checker (C15): its bound pinned from both sides.

A correct derivative must pass; a derivative off by a planted error just above the bound the checker should
give must fail at every element. "The bound it should give" is derived here, a priori, from the method as
docs/gradcheck.md documents it and from what is known of the test function: for the central difference
D(h) = (f(x+h) − f(x−h))/2h on the rungs 4h and h (h = 2⁻¹⁷·max(1, |x|) in float64, the first candidate),

    D(h_k) = f′(x) + t_k + r_k,   |t_k| ≤ h_k²·M₃/6,   |r_k| ≤ e/h_k + u·|D|,

with M_j ≥ |f⁽ʲ⁾| within 4h of x and e ≥ the error of one computed value of f, the checker's estimate is
truncation |D(4h) − D(h)|/3 ≤ 17h²M₃/18 + 5e/(12h) + u·|D|, plus roundoff (E(f₊) + E(f₋))/(2h) +
ulps·u·|x|·|D|/h, E the roundoff it assumes for a value of f (ulps·u·|f|, or 4× the measured noise, which
from 7 points is at most 4·2.11·e: the k-th difference of errors ≤ e is ≤ 2ᵏe, over √C(2k, k)). The bound is
twice the estimate (the documented factor 2) plus ulps·u·(|claimed| + |f(x)|/max(1, |x|) + |x|·curvature),
and the checker takes the smallest estimate over the rungs, so its bound is at most this A. The numerical
derivative is within A/2 of f′, so a claimed value f′ ± 1.5·A is more than A away from it: it must fail.
A checker whose bound is loosened tenfold (its safety factor, its ulps, its noise estimate or its
truncation estimate) passes it somewhere, and the case reddens.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from handmlp.gradcheck import GradcheckResult, check_elementwise, check_gradient
from reference.conformance.case import Outcome, case
from reference.oracle.compare import gamma, unit_roundoff

Array = Any
U = unit_roundoff(np.float64)
ULPS = 8.0  # the accuracy the checker is told to assume of f and of the claimed values (passed explicitly)
SAFETY = 2.0  # docs/gradcheck.md: the bound is twice the estimated error of the numerical derivative
FIRST_RUNG = 2.0**-17  # docs/gradcheck.md: eps^(1/3) rounded to a power of two, in float64
PLANTED = 1.5  # a planted error 1.5·A lies more than A from the numerical derivative (within A/2 of f′)
NOISE_FROM_ERRORS = 4.0 * max(2.0**k / math.sqrt(math.comb(2 * k, k)) for k in (4, 5, 6))
CALIBRATED = "a correct derivative passes; one off by 1.5× the a-priori bound fails at every element"
X = np.linspace(-1.0, 1.0, 81)


def a_priori_bound(x: Array, value_error: Array, assumed_roundoff: Array, f0: Array) -> Array:
    """The largest bound a correct central-difference checker may give at x for f = sin (|f⁽ʲ⁾| ≤ 1), when
    each value of f is within `value_error` of exact and the checker assumes a roundoff of at most
    `assumed_roundoff` per value (module docstring); |x| ≤ 1, so the step is FIRST_RUNG itself."""
    h = FIRST_RUNG
    m1 = np.abs(np.cos(x)) + 4 * h
    d = m1 + h * h / 6 + value_error / h  # |D(h)| at most
    truncation = 17 * h * h / 18 + 5 * value_error / (12 * h) + U * d
    roundoff = assumed_roundoff / h + ULPS * U * np.abs(x) * d / h
    curvature = 1.0 + 4 * value_error / (h * h) + 2 * U * d / h
    claimed_rounding = ULPS * U * (np.abs(np.cos(x)) + np.abs(f0) + np.abs(x) * curvature)
    return (SAFETY * (truncation + roundoff) + claimed_rounding) / (1.0 - PLANTED * ULPS * U)


def planted(exact: Array, bound: Array) -> Array:
    """The exact derivative moved by 1.5× the a-priori bound, alternately up and down."""
    signs = np.where(np.arange(exact.size) % 2 == 0, 1.0, -1.0).reshape(exact.shape)
    return exact + signs * PLANTED * bound


def calibration_outcome(correct: GradcheckResult, wrong: GradcheckResult, what: str) -> Outcome:
    """Passed when the correct derivative passes and the planted one fails at every element."""
    ok = correct.passed and wrong.n_failed == wrong.n_checked and wrong.n_checked > 0
    detail = (
        f"{what}: correct derivative {'passes' if correct.passed else 'FAILS'} "
        f"(worst error {correct.abs_error:.3g}, bound {correct.bound:.3g}); planted error of 1.5× the "
        f"a-priori bound caught at {wrong.n_failed} of {wrong.n_checked} elements"
        + ("" if wrong.n_failed == wrong.n_checked else " (the checker's bound is looser than derived)")
    )
    return Outcome(ok, float(correct.abs_error), float(correct.bound), detail)


@case(
    "C15/calibration_elementwise",
    "f′(a) = lim_(h→0) (f(a + h) − f(a))/h, checked to the accuracy the central difference allows",
    "handmlp.gradcheck.check_elementwise(sin, cos ± planted, x), 81 points in [−1, 1], central",
    "the a-priori bound of the central difference at the first rung (module docstring), sin's derivatives",
    CALIBRATED,
    needs_torch=False,
)
def calibration_elementwise() -> Outcome:
    f0 = np.sin(X)
    value_error = ULPS * U * (np.abs(f0) + 4 * FIRST_RUNG)  # f's values within ulps of their size
    bound = a_priori_bound(X, value_error, value_error, f0)
    correct = check_elementwise(np.sin, np.cos, X, "central", ulps=ULPS)
    wrong = check_elementwise(np.sin, lambda z: planted(np.cos(z), bound), X, "central", ulps=ULPS)
    return calibration_outcome(correct, wrong, "check_elementwise")


OFFSET = 1.5 * 2.0**20  # a term added and taken away again: f's rounding is then noise, u·2²⁰ per value
N_GRADIENT = 8


def cancelling_sum(x: Array) -> Any:
    """f(x) = (Σ sin x_i + K) − K: a loss whose terms cancel, so that its values carry rounding noise of
    about u·K, far above u·|f| — the regime where the checker measures the noise (docs/gradcheck.md)."""
    return (np.sin(x).sum() + OFFSET) - OFFSET


@case(
    "C15/calibration_gradient",
    "∂f/∂x_i = lim_(h→0) (f(x + h·e_i) − f(x))/h, checked to the accuracy its noise allows",
    "handmlp.gradcheck.check_gradient(f, x, cos x ± planted), f = (Σ sin x_i + K) − K, 8 elements, full",
    "the a-priori bound with the noise at most 4·2.11 times the error of one value of f",
    CALIBRATED,
    needs_torch=False,
)
def calibration_gradient() -> Outcome:
    x = np.linspace(-0.9, 0.95, N_GRADIENT)
    f0 = np.full(x.shape, cancelling_sum(x))
    # one value of f: Σ sin within (γ_n + ulps·u)·n, then + K rounded within u·(K + n), − K exact
    value_error = U * (OFFSET + N_GRADIENT) + (gamma(N_GRADIENT, U) + ULPS * U) * N_GRADIENT
    assumed = np.maximum(ULPS * U * N_GRADIENT, NOISE_FROM_ERRORS * value_error)
    bound = a_priori_bound(x, np.full(x.shape, value_error), assumed, f0)
    correct = check_gradient(cancelling_sum, x, np.cos(x), "central", "full", ulps=ULPS)
    wrong = check_gradient(cancelling_sum, x, planted(np.cos(x), bound), "central", "full", ulps=ULPS)
    return calibration_outcome(correct, wrong, "check_gradient (full)")
