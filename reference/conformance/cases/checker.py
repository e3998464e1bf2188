"""Catalog cases for finite differences (C15): handmlp's checker as the oracle where torch has no twin, and
the calibration of the checker itself. These need NumPy only, so they run with or without torch.

The calibration pins the checker's bound from both sides: a correct derivative must pass; a derivative off
by a planted error just above the bound the checker should give must fail at every element. "The bound it
should give" is derived here, a priori, from the method as docs/gradcheck.md documents it and from what is
known of the test function: for the central difference D(h) = (f(x+h) − f(x−h))/2h on the rungs 4h and h
(h = 2⁻¹⁷·max(1, |x|) in float64, the first candidate),

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

from handmlp import MLP, get_activation, get_loss
from handmlp.gradcheck import GradcheckResult, check_elementwise, check_gradient
from reference.conformance.case import Outcome, case
from reference.conformance.cases._common import CHECKER, WITHIN_DERIVED, Array, from_checks, parameter_checks
from reference.oracle.compare import gamma, unit_roundoff

METHODS = ("central", "richardson", "complex")
_Z = np.concatenate([-np.logspace(-3, 1.3, 60), np.logspace(-3, 1.3, 60)])


# --- C15: derivatives against finite differences -------------------------------------------------------


@case(
    "C15/sigmoid_derivative_three_methods",
    "f′(a) = lim_(h→0) (f(a + h) − f(a))/h, for σ′ = σ(1 − σ)",
    "Sigmoid.derivative at 120 points over ±20",
    CHECKER + " (central, Richardson, complex step)",
    WITHIN_DERIVED,
    needs_torch=False,
)
def sigmoid_three_methods() -> Outcome:
    act = get_activation("sigmoid")
    return from_checks([check_elementwise(act.forward, act.derivative, _Z, m) for m in METHODS])


@case(
    "C15/network_gradient",
    "∂L/∂θ of a whole network equals the derivative of L(θ) along each parameter",
    "MLP([3, 4, 2], tanh, identity).backward for each parameter tensor and the input, full and fast mode",
    CHECKER,
    WITHIN_DERIVED,
    needs_torch=False,
)
def network_gradient() -> Outcome:
    rng = np.random.default_rng(15)
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=15)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    loss = get_loss("half_squared_error")
    results = parameter_checks(net, x, y, loss)
    net.loss_and_gradients(x, y, loss)
    assert net.grad_input is not None
    results.append(
        check_gradient(lambda v: loss.value(net.forward(v), y), x, net.grad_input.copy(), "richardson")
    )
    return from_checks(results)


@case(
    "C15/kink_reported_not_failed",
    "at a kink the one-sided limits differ: relu′ has no limit at 0",
    "ReLU.derivative at points including exactly 0",
    CHECKER,
    "a non-differentiable point reported, with relu′(0) = 0 between the one-sided values 0 and 1",
    needs_torch=False,
)
def kink_reported() -> Outcome:
    act = get_activation("relu")
    result = check_elementwise(act.forward, act.derivative, np.array([-1.0, 0.0, 2.0]))
    ok = result.passed and len(result.kinks) == 1 and result.kinks[0].claimed_between
    return Outcome(ok, float(result.abs_error), float(result.bound), result.summary().replace("\n", " "))


# --- C15: activations torch does not have: the checker is the only oracle ------------------------------

_ANALYTIC = {"bent_identity", "gaussian", "sinusoid", "isru", "lisht", "swish_beta", "soft_exponential"}


def _extra_activation_case(name: str) -> None:
    from handmlp.activations import EXTRA_ACTIVATIONS

    cls = EXTRA_ACTIVATIONS[name]

    @case(
        f"C15/{name}",
        f"{name}′ (the derivative written beside its forward) = lim_(h→0) ({name}(z + h) − {name}(z))/h",
        f"{cls.__name__}.derivative (and ∂/∂θ of a learnable parameter) at 120 points over ±20",
        CHECKER + " (central, Richardson, complex step)",
        WITHIN_DERIVED,
        needs_torch=False,
    )
    def check() -> Outcome:
        act = get_activation(name)
        act.build(1, np.dtype(np.float64))
        methods = METHODS if name in _ANALYTIC else METHODS[:2]
        results = [check_elementwise(act.forward, act.derivative, _Z, m) for m in methods]
        for param, value in act.parameters().items():
            original = value.copy()

            def with_param(theta: np.ndarray, param: str = param) -> np.ndarray:
                act.parameters()[param][...] = theta
                return np.asarray(act.forward(_Z).sum())

            claimed = act.parameter_derivatives(_Z)[param].sum(keepdims=True).reshape(original.shape)
            results.append(check_gradient(with_param, original, claimed, "richardson"))
            act.parameters()[param][...] = original
        return from_checks(results)


for _name in ("bent_identity", "gaussian", "sinusoid", "isru", "lisht", "swish_beta", "soft_exponential"):
    _extra_activation_case(_name)


# --- C15: the checker's own bound, calibrated ----------------------------------------------------------

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
