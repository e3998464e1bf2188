"""The gradient checker's bound, verdict, refusals and reports pinned exactly (C15, docs/gradcheck.md).

tests/test_gradcheck.py pins the bounds from both sides on realistic planted errors; this file pins the
documented formula itself, term by term, with inputs that make every term an exact power of two (so that a
sign, a factor or a constant changed anywhere shows as a different number, not as a slightly different
margin), the edges of every comparison (an error equal to its bound passes, one ulp more fails), and the
exact words of the messages and reports. NumPy only.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from handmlp.gradcheck import (
    GradcheckResult,
    bounds,
    check_elementwise,
    check_gradient,
    complex_step,
)
from handmlp.gradcheck.estimator import Estimate
from handmlp.gradcheck.results import Kink, raise_unless

# --- the bound: the documented formula, term by term ----------------------------------------------------

ULPS = 8.0
U = 2.0**-53  # float64's unit roundoff: ulps·u = 2⁻⁵⁰


def _one(value: float) -> np.ndarray:
    return np.array([value])


def test_the_bound_is_twice_the_numerical_error_plus_ulps_roundoffs_of_claimed_f_scale_and_curvature() -> (
    None
):
    """2·err + ulps·u·(|claimed| + |f(x)|/max(1, |x|) + |x·f″|) with err = 2⁻³⁰, claimed = −1, f(x) = −4,
    max(1, |x|) = 2, |x·f″| = 16: every term a distinct power of two, so the sum is exact and a swapped sign,
    operator or missing absolute value changes it."""
    error, bound = bounds.compare(
        _one(1.0), _one(2.0**-30), _one(-1.0), _one(-4.0), _one(2.0), U, ULPS, _one(16.0)
    )
    assert error.tolist() == [2.0]  # |1 − (−1)|
    assert bound.tolist() == [2 * 2.0**-30 + 2.0**-50 * (1 + 2 + 16)]


def test_without_an_x_curvature_the_bound_has_no_such_term() -> None:
    # full-mode complex steps and fast mode pass no curvature: the default adds nothing
    _, bound = bounds.compare(_one(1.0), _one(2.0**-30), _one(-1.0), _one(-4.0), _one(2.0), U, ULPS)
    assert bound.tolist() == [2 * 2.0**-30 + 2.0**-50 * (1 + 2)]


def test_an_error_equal_to_its_bound_agrees_and_one_ulp_more_does_not() -> None:
    bound = np.array([3.0 * 2.0**-40, 1.0, 0.5])
    error = np.array([bound[0], np.nextafter(1.0, 2.0), 1.0])  # on, one ulp above, and exactly 1 above 0.5
    assert bounds.agree(error, bound).tolist() == [True, False, False]


def test_an_infinite_bound_vouches_only_for_an_exact_match() -> None:
    """An infinite bound (an infinite claimed value, f overflowing within the step) lets nothing through but
    an error of exactly 0: the same infinity on both sides."""
    error, bound = bounds.compare(
        np.array([np.inf, np.inf, 2.0]),
        np.array([np.inf, np.inf, np.inf]),
        np.array([np.inf, 5.0, 2.0]),
        np.zeros(3),
        np.ones(3),
        U,
        ULPS,
    )
    assert error.tolist() == [0.0, np.inf, 0.0]
    assert bounds.agree(error, bound).tolist() == [True, False, True]


def test_a_nan_on_either_side_is_an_infinite_error() -> None:
    error, _ = bounds.compare(
        np.array([np.nan, 1.0, np.nan]),
        np.zeros(3),
        np.array([1.0, np.nan, np.nan]),
        np.zeros(3),
        np.ones(3),
        U,
        ULPS,
    )
    assert error.tolist() == [np.inf, np.inf, np.inf]


def test_the_comparison_of_infinities_runs_under_errstate_raise() -> None:
    # inf − inf and ulps·u·inf are part of the comparison, not floating-point errors of the caller's code
    with np.errstate(all="raise"):
        error, bound = bounds.compare(
            np.array([np.inf, -np.inf, 1e308]),
            np.array([np.inf, 1.0, 1e308]),
            np.array([np.inf, np.inf, 1e308]),
            np.array([1e308, 0.0, 1e308]),
            np.ones(3),
            U,
            ULPS,
        )
    assert error.tolist() == [0.0, np.inf, 0.0]
    assert np.isinf(bound).tolist() == [True, True, True]


# --- the bound through the public API -------------------------------------------------------------------


def test_a_nan_claimed_value_is_reported_as_infinitely_far_off() -> None:
    x = np.linspace(-1, 1, 5)
    claimed = np.cos(x)
    claimed[1] = np.nan
    result = check_elementwise(np.sin, lambda z: claimed.copy(), x)
    assert not result.passed and result.index == (1,)
    assert result.abs_error == np.inf and result.rel_error == np.inf


KINDS_AND_METHODS = [
    (kind, method)
    for kind in ("elementwise", "full", "fast")
    for method in ("central", "richardson", "complex")
]
SCALE = 2.0**-40


def _sin_check(kind: str, method: str, factor: float, claimed_error: float = 0.0) -> GradcheckResult:
    """factor·sin checked against factor·cos·(1 + claimed_error): elementwise on a 3×4 grid over ±3, or as
    the gradient of factor·Σ sin over a seeded 3×4 matrix in full or fast mode."""
    if kind == "elementwise":
        x = np.linspace(-3, 3, 12).reshape(3, 4)
        return check_elementwise(
            lambda z: factor * np.sin(z), lambda z: factor * np.cos(z) * (1 + claimed_error), x, method
        )
    w = np.random.default_rng(0).normal(size=(3, 4))
    claimed = factor * np.cos(w) * (1 + claimed_error)
    return check_gradient(lambda v: factor * np.sum(np.sin(v)), w, claimed, method, kind)


def _reported(result: GradcheckResult) -> tuple[Any, ...]:
    return (result.passed, result.index, result.numerical, result.claimed, result.abs_error, result.bound)


@pytest.mark.parametrize(("kind", "method"), KINDS_AND_METHODS)
def test_scaling_f_by_a_power_of_two_scales_every_reported_number_exactly(kind: str, method: str) -> None:
    """The bound is relative to the magnitudes of f, f′ and the claimed value, with no absolute term: f and
    f′ scaled by 2⁻⁴⁰ (exact) give the same verdict with every value and the bound scaled by 2⁻⁴⁰ exactly,
    however small f is."""
    unit, small = _sin_check(kind, method, 1.0), _sin_check(kind, method, SCALE)
    assert unit.passed
    passed, index, numerical, claimed, abs_error, bound = _reported(unit)
    assert _reported(small) == (
        passed,
        index,
        numerical * SCALE,
        claimed * SCALE,
        abs_error * SCALE,
        bound * SCALE,
    )
    assert small.rel_error == unit.rel_error


# --- the argument checks' messages, exactly -------------------------------------------------------------


def _message(call: Any) -> str:
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    return f"{type(info.value).__name__}: {info.value}"


# A repr of 40 characters is shown whole, one of 41 cut to its first 37 and "...".
FORTY = ["a" * 36]  # repr ['aaa…'] is 36 + 4 = 40 characters
FORTY_ONE = ["a" * 37]


def test_what_came_is_shown_as_its_type_and_repr_cut_after_40_characters() -> None:
    assert len(repr(FORTY)) == 40 and len(repr(FORTY_ONE)) == 41
    expected = "TypeError: x: expected a float32 or float64 array, got list "
    assert _message(lambda: check_elementwise(np.sin, np.cos, FORTY)) == expected + repr(FORTY)
    assert (
        _message(lambda: check_elementwise(np.sin, np.cos, FORTY_ONE))
        == expected + repr(FORTY_ONE)[:37] + "..."
    )


def test_a_ragged_x_is_refused_showing_what_came() -> None:
    ragged = [[1.0], [1.0, 2.0]]
    assert _message(lambda: check_gradient(np.sum, ragged, np.ones(3))) == (
        "TypeError: x: expected an array of real numbers, got list [[1.0], [1.0, 2.0]]"
    )


def test_what_df_and_f_return_is_refused_showing_what_came() -> None:
    x = np.ones(3)
    ragged = lambda z: [[1.0], [1.0, 2.0]]  # noqa: E731
    assert _message(lambda: check_elementwise(np.sin, ragged, x)) == (
        "TypeError: df: expected real numbers, got list [[1.0], [1.0, 2.0]]"
    )
    assert _message(lambda: check_elementwise(np.sin, lambda z: "cos", x)) == (
        "TypeError: df: expected real numbers, got str 'cos'"
    )
    assert _message(lambda: check_gradient(lambda v: None, x, x)) == (
        "TypeError: f: expected real numbers, got NoneType None"
    )


def test_x_as_nested_lists_of_floats_is_checked_as_the_float64_array_they_make() -> None:
    nested = [[-1.5, 0.25], [0.5, 2.0]]
    as_array = np.array(nested)
    assert _reported(check_elementwise(np.sin, np.cos, nested)) == _reported(
        check_elementwise(np.sin, np.cos, as_array)
    )
    grad = np.cos(as_array)
    assert _reported(check_gradient(lambda v: np.sum(np.sin(v)), nested, grad)) == _reported(
        check_gradient(lambda v: np.sum(np.sin(v)), as_array, grad)
    )


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_an_ndarray_subclass_x_is_checked_as_the_plain_array_it_holds() -> None:
    """np.matrix (whose * is a matrix product) used to reach the estimator as itself and fail there with
    "shapes not aligned"; x is taken as np.asarray(x), like every other argument."""
    plain = np.array([[0.1, -0.2], [0.3, 0.4]])
    matrix = np.asmatrix(plain)
    assert _reported(check_elementwise(np.sin, np.cos, matrix)) == _reported(
        check_elementwise(np.sin, np.cos, plain)
    )
    for mode in ("full", "fast"):
        on_matrix = check_gradient(lambda v: np.sum(np.sin(v)), matrix, np.cos(plain), mode=mode)
        assert _reported(on_matrix) == _reported(
            check_gradient(lambda v: np.sum(np.sin(v)), plain, np.cos(plain), mode=mode)
        )


# --- the verdict ----------------------------------------------------------------------------------------


def test_elements_where_f_and_the_claimed_derivative_are_exactly_zero_agree_and_are_never_the_worst() -> None:
    """Where f ≡ 0 around x and 0 is claimed, error and bound are both 0: the element agrees (error/bound
    is taken as 0, not 0/0), and the worst element is one where f is not flat."""
    x = np.array([-2.0, -1.0, 1.0, 2.0])
    result = check_elementwise(
        lambda z: np.where(z > 0, z**3, 0.0), lambda z: np.where(z > 0, 3 * z**2, 0.0), x
    )
    assert result.passed and result.n_failed == 0
    assert result.index in {(2,), (3,)} and result.abs_error > 0


def _kink_estimate(left: float, right: float, side_error: float) -> Estimate:
    one = np.ones(1)
    return Estimate(
        value=one * (left + right) / 2,
        error=0 * one,
        left=one * left,
        right=one * right,
        side_error=one * side_error,
        kink=np.ones(1, dtype=bool),
        curvature=0 * one,
    )


def _kink_verdict(claimed: float, left: float = 0.0, right: float = 1.0) -> GradcheckResult:
    """A kink with one-sided derivatives left, right, their error 1/4 and the element's bound 1/2: the claimed
    value may lie 2·1/4 + 1/2 = 1 beyond either."""
    estimate = _kink_estimate(left, right, 0.25)
    value = estimate.value
    return bounds.verdict(
        _one(abs(claimed - value[0])), _one(0.5), value, _one(claimed), estimate, (1,), "central", "full", 5
    )


def test_a_claimed_value_at_a_kink_may_lie_twice_the_side_error_plus_the_bound_beyond_either_side() -> None:
    for left, right in ((0.0, 1.0), (1.0, 0.0)):  # whichever side is the higher
        inside = [-1.0, 0.5, 2.0]
        outside = [np.nextafter(-1.0, -2.0), np.nextafter(2.0, 3.0)]
        assert [_kink_verdict(c, left, right).passed for c in inside] == [True] * 3
        assert [_kink_verdict(c, left, right).passed for c in outside] == [False] * 2
        kink = _kink_verdict(2.0, left, right).kinks[0]
        assert (kink.index, kink.left, kink.right, kink.claimed, kink.claimed_between) == (
            (0,),
            left,
            right,
            2.0,
            True,
        )


@pytest.mark.parametrize(("kind", "method"), KINDS_AND_METHODS)
def test_every_check_runs_with_warnings_as_errors_and_errstate_raise(kind: str, method: str) -> None:
    """No check warns (a deprecated NumPy call) or trips a floating-point trap of the caller's error state,
    on a passing check, a failing one, a kink and elements where f is flat at 0 (a bound of 0)."""
    relu = lambda z: np.maximum(z, 0.0)  # noqa: E731
    at_zero = np.array([-1.0, 0.0, 1.0, 2.0])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        assert _sin_check(kind, method, 1.0).passed
        assert not _sin_check(kind, method, 1.0, claimed_error=1e-6).passed
        assert not _sin_check(kind, method, 1.0, claimed_error=np.inf).passed  # inf/inf in error/bound
        if kind == "elementwise" and method != "complex":
            assert check_elementwise(relu, lambda z: (z > 0) * 1.0, at_zero, method).kinks
        if kind == "elementwise":
            flat_then_cubic = lambda z: np.where(z.real > 0, z**3, 0.0 * z)  # noqa: E731
            assert check_elementwise(
                flat_then_cubic, lambda z: np.where(z > 0, 3 * z**2, 0.0), -at_zero - 1, method
            )


def _relu(z: Any) -> Any:
    return np.maximum(z, 0.0)


def test_a_kink_is_never_the_worst_element_and_a_misplaced_claim_there_counts_as_one_failure() -> None:
    at_kink_first = np.array([0.0, 1.0, 2.0])
    passing = check_elementwise(_relu, lambda z: (z > 0) * 1.0, at_kink_first)
    assert passing.passed and [k.index for k in passing.kinks] == [(0,)] and passing.index in {(1,), (2,)}
    failing = check_elementwise(_relu, lambda z: np.where(z > 0, 1.0, 5.0), at_kink_first)
    assert not failing.passed and failing.n_failed == 1 and failing.index in {(1,), (2,)}
    both = check_elementwise(_relu, lambda z: np.where(z > 0, 1.5, 5.0), at_kink_first)
    assert both.n_failed == 3  # the kink and the two smooth elements


def test_when_every_element_is_a_kink_no_worst_element_is_reported() -> None:
    result = check_elementwise(_relu, lambda z: 0.0 * z, np.zeros(2))
    assert result.passed and len(result.kinks) == 2 and result.index is None
    worst = [result.numerical, result.claimed, result.abs_error, result.rel_error, result.bound]
    assert all(isinstance(v, float) and np.isnan(v) for v in worst)
    assert result.summary() == (
        "gradcheck PASSED (central, full): 2 elements checked, 0 failed, 2 kinks, 5 evaluations of f\n"
        f"  {result.kinks[0]}\n  {result.kinks[1]}"
    )


def test_the_relative_error_of_zero_against_zero_is_zero_and_of_nan_against_zero_infinite() -> None:
    zero = check_elementwise(lambda z: 0.0 * z, lambda z: 0.0 * z, np.array([-1.0, 1.0]))
    assert zero.passed and (zero.numerical, zero.claimed, zero.abs_error, zero.rel_error) == (
        0.0,
        0.0,
        0.0,
        0.0,
    )
    # cos′(0) by central differences is exactly 0: the NaN claimed there is infinitely off, relatively too
    x = np.array([0.0, 1.0])
    nan_at_zero = check_elementwise(np.cos, lambda z: np.where(z == 0, np.nan, -np.sin(z)), x)
    assert not nan_at_zero.passed and nan_at_zero.index == (0,) and nan_at_zero.numerical == 0.0
    assert nan_at_zero.abs_error == np.inf and nan_at_zero.rel_error == np.inf


def test_among_elements_infinitely_off_the_first_is_reported() -> None:
    """A NaN claimed value (error ∞ over a NaN bound) and an infinite one (∞/∞) are equally, infinitely off:
    the first of them is the worst element, as for any tie."""
    x = np.linspace(-1, 1, 5)
    claimed = np.cos(x)
    claimed[1], claimed[3] = np.nan, np.inf
    result = check_elementwise(np.sin, lambda z: claimed.copy(), x)
    assert result.index == (1,) and result.n_failed == 2


# --- the complex step's refusals and error --------------------------------------------------------------

USE_REAL_METHODS = "use method='central' or 'richardson'"
NOT_ANALYTIC = (
    ". f is not complex-analytic (np.abs, np.maximum/np.minimum at ties, comparisons, np.where on a complex "
    "condition, .real), or loses accuracy in complex arithmetic (NumPy's complex expm1/log1p near 0): "
    + USE_REAL_METHODS
)


def test_the_complex_step_refuses_a_real_result_naming_what_drops_the_imaginary_part() -> None:
    assert _message(lambda: check_elementwise(np.abs, np.sign, np.array([0.5, -1.0]), "complex")) == (
        "TypeError: complex step refused: f returned float64 for a complex input, dropping the imaginary "
        "part (np.abs, .real, float(), astype(float) are not analytic): " + USE_REAL_METHODS
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_complex_step_refuses_an_overflow_in_complex_arithmetic() -> None:
    sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    assert _message(
        lambda: check_elementwise(sigmoid, lambda z: 0.0 * z, np.array([-800.0, 0.0]), "complex")
    ) == (
        "ValueError: complex step refused: f gave a non-finite value on a complex input (an overflow in "
        "complex arithmetic): " + USE_REAL_METHODS
    )


def test_the_complex_step_refuses_a_function_that_raises_on_complex_input_quoting_it() -> None:
    def real_only(z: np.ndarray) -> np.ndarray:
        if np.iscomplexobj(z):
            raise TypeError("real input only")
        return np.sin(z)

    assert _message(lambda: check_elementwise(real_only, np.cos, np.array([0.5]), "complex")) == (
        "TypeError: complex step refused: f raised on a complex input (real input only)"
    )


def test_the_complex_step_refusal_at_a_kink_names_the_element_both_values_the_bound_and_both_sides() -> None:
    leaky = lambda z: np.maximum(z, 0.5 * z)  # noqa: E731  (ties at 0: the complex step picks z)
    message = _message(
        lambda: check_elementwise(
            leaky, lambda z: np.where(z > 0, 1.0, 0.5), np.array([[1.0, 0.0]]), "complex"
        )
    )
    head, _, tail = message.partition(" (bound ")
    assert (
        head
        == "ValueError: complex step refused: at element (0, 1) it gives 1 but central differences give 0.75"
    )
    bound, _, rest = tail.partition(")")
    assert 0 < float(bound) < 1e-13
    assert rest == (
        "; one-sided derivatives there are 0.5 (left) and 1 (right): f is not differentiable there and the "
        "complex step silently picks one side" + NOT_ANALYTIC
    )


def test_the_complex_step_refusal_along_a_direction_names_it_without_one_sided_derivatives() -> None:
    f = lambda v: np.sum(np.abs(v) * v)  # noqa: E731  (|v| is real: the complex step sees d(v·c)/dv = |v|)
    w = np.array([1.0, 2.0])
    message = _message(lambda: check_gradient(f, w, 2 * np.abs(w), "complex", "fast"))
    head, _, tail = message.partition(" (bound ")
    refused = "ValueError: complex step refused"
    assert head == refused + ": at random direction (0,) it gives 5 but central differences give 10"
    assert tail.partition(")")[2] == NOT_ANALYTIC


def test_the_complex_steps_error_is_ulps_roundoffs_of_f_prime_and_f_over_scale_plus_subnormal_over_h() -> (
    None
):
    """ulps·u·(|f′| + |f(x)|/max(1, |x|)) + ulps·(smallest subnormal of the complex dtype)/h, with powers of
    two: f′ = −1, f(x) = −8, max(1, |x|) = 4, u = 2⁻⁵³, h = 2⁻⁶⁰; the subnormal is float32's for complex64."""
    for ctype, subnormal in ((np.complex128, 2.0**-1074), (np.complex64, 2.0**-149)):
        error = complex_step.complex_error(
            _one(-1.0), _one(-8.0), _one(4.0), _one(2.0**-60), np.dtype(ctype), U, 8.0
        )
        assert error.tolist() == [8 * U * (1 + 2) + 8 * subnormal / 2.0**-60]


def _central(value: float) -> Estimate:
    estimate = _kink_estimate(0.0, 0.0, 0.0)
    estimate.value[:] = value
    estimate.kink[:] = False
    return estimate


def test_the_complex_step_is_refused_only_beyond_the_bound_it_is_given() -> None:
    central = _central(1.0)
    complex_step.first_disagreement(_one(1.5), central, _one(0.5), (1,), "element")  # on the bound: kept
    with pytest.raises(
        ValueError, match=r"^complex step refused: at element \(0,\) it gives 1.5000000000000002 "
    ):
        complex_step.first_disagreement(_one(np.nextafter(1.5, 2.0)), central, _one(0.5), (1,), "element")
    with pytest.raises(
        ValueError, match=r"gives nan but central differences give 1 \(bound 0.5\)\. f is not"
    ):
        complex_step.first_disagreement(_one(np.nan), central, _one(0.5), (1,), "element")


def test_a_float32_complex_step_bounds_a_derivative_it_cannot_resolve_by_float32s_subnormal_spacing() -> None:
    """f′ = 1e-36 in float32: h·f′ = 1e-46 underflows, the complex step gives 0, and its error is the float32
    subnormal spacing over h, ulps·2⁻¹⁴⁹/h (h = 1e-10 in float32), not float64's, 10²⁷⁸ times smaller."""
    tiny = np.float32(1e-36)
    x = np.array([0.25, -0.5], dtype=np.float32)
    dtypes = []

    def f(z: np.ndarray) -> np.ndarray:
        dtypes.append(z.dtype)
        return z * tiny

    result = check_elementwise(f, lambda z: np.full(z.shape, tiny), x, "complex")
    assert dtypes[0] == np.float32 and dtypes[-1] == np.complex64  # f runs at x's precision, complex too
    h = float(np.float32(1e-10))
    assert result.passed and result.numerical == 0.0
    assert result.bound >= 2 * ULPS * float(np.finfo(np.float32).smallest_subnormal) / h


# --- the reports: Kink, summary, assertion messages -----------------------------------------------------

BETWEEN = Kink((0, 3), -0.25, 1.0, 0.5, True)
OUTSIDE = Kink((2,), 0.0, 1.0, 7.0, False)


def test_a_kink_reads_as_its_index_one_sided_derivatives_and_where_the_claim_lies() -> None:
    assert str(BETWEEN) == (
        "kink at (0, 3): left derivative -0.25, right derivative 1; claimed 0.5 lies between them"
    )
    assert str(OUTSIDE) == "kink at (2,): left derivative 0, right derivative 1; claimed 7 lies OUTSIDE them"


def _result(
    passed: bool = True, mode: str = "full", kinks: list[Kink] | None = None, **worst: Any
) -> GradcheckResult:
    values = {
        "index": (1, 2),
        "numerical": 0.1,
        "claimed": 0.2,
        "abs_error": 0.1,
        "rel_error": 0.5,
        "bound": 1e-9,
    }
    return GradcheckResult(
        passed, **{**values, **worst}, method="richardson", mode=mode, kinks=kinks or [], n_checked=12,
        n_failed=1 - passed, n_evaluations=7,
    )  # fmt: skip


WORST_LINE = (
    "  worst at (1, 2): numerical 0.10000000000000001, claimed 0.20000000000000001, abs error 0.1, "
    "rel error 0.5, bound 1e-09"
)


def test_the_summary_reads_verdict_method_mode_counts_and_the_worst_element() -> None:
    assert _result().summary() == (
        "gradcheck PASSED (richardson, full): 12 elements checked, 0 failed, 0 kinks, 7 evaluations of f\n"
        + WORST_LINE
    )
    failed_fast = _result(passed=False, mode="fast", index=(2,))
    assert (
        str(failed_fast)
        == failed_fast.summary()
        == (
            "gradcheck FAILED (richardson, fast): 12 directions checked, 1 failed, 0 kinks, "
            "7 evaluations of f\n" + WORST_LINE.replace("(1, 2)", "(2,)")
        )
    )
    assert bool(_result()) and not bool(failed_fast)


def _listed_kinks(result: GradcheckResult) -> list[str]:
    return result.summary().split("\n")[2:]


@pytest.mark.parametrize("count", [4, 5, 6, 8])
def test_the_summary_lists_five_failed_kinks_and_counts_the_rest(count: int) -> None:
    kinks = [Kink((i,), 0.0, 1.0, 9.0, False) for i in range(count)]
    more = [f"  … and {count - 5} more kinks"] if count > 5 else []
    assert _listed_kinks(_result(passed=False, kinks=kinks)) == [f"  {k}" for k in kinks[:5]] + more


@pytest.mark.parametrize("count", [4, 5, 6, 8])
def test_the_summary_lists_five_kinks_when_none_failed(count: int) -> None:
    """It used to list only four when none had failed, while counting the rest from five: of five kinks,
    one was neither listed nor counted."""
    kinks = [Kink((i,), 0.0, 1.0, 0.0, True) for i in range(count)]
    more = [f"  … and {count - 5} more kinks"] if count > 5 else []
    assert _listed_kinks(_result(kinks=kinks)) == [f"  {k}" for k in kinks[:5]] + more


def test_the_summary_lists_failed_kinks_first() -> None:
    passed = [Kink((i,), 0.0, 1.0, 0.0, True) for i in range(3)]
    failed = [Kink((i,), 0.0, 1.0, 9.0, False) for i in range(3, 10)]
    result = _result(passed=False, kinks=passed + failed)
    assert result.failed_kinks == failed
    assert _listed_kinks(result) == [f"  {k}" for k in failed[:5]] + ["  … and 5 more kinks"]
    one_failed = _result(passed=False, kinks=passed + failed[:1])
    assert _listed_kinks(one_failed) == [f"  {k}" for k in failed[:1] + passed]


def test_a_passed_result_is_returned_as_it_is() -> None:
    result = _result()
    assert raise_unless(result, "derivative") is result


def test_a_failed_result_raises_naming_the_worst_element_both_values_error_and_bound() -> None:
    result = _result(passed=False)
    with pytest.raises(AssertionError) as info:
        raise_unless(result, "sin'")
    assert str(info.value) == (
        "sin': at (1, 2) the numerical derivative is 0.10000000000000001 but the claimed value is "
        "0.20000000000000001: error 0.1 (relative 0.5) exceeds the bound 1e-09\n" + result.summary()
    )


def test_a_failed_kink_raises_naming_the_first_failed_kink_and_its_one_sided_derivatives() -> None:
    second = Kink((5,), -1.0, 0.5, -3.0, False)
    result = _result(passed=False, kinks=[BETWEEN, OUTSIDE, second])
    with pytest.raises(AssertionError) as info:
        raise_unless(result, "relu'")
    assert str(info.value) == (
        "relu': at kink (2,) the claimed value 7 lies outside the one-sided derivatives 0 (left) and 1 "
        "(right)\n" + result.summary()
    )
