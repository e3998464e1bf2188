"""What the other activation tests left loose, pinned without torch: the exact words of the refusals, the
settings a bare extra activation has, the floating-point errors the code declares harmless passing under
np.errstate(all="raise"), and ELU's unused branch never overflowing, even at the largest alpha."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp import get_activation
from handmlp.activations import ELU, GELU, ReLU, Softplus
from handmlp.extra_activations import ISRU, Gaussian, SoftExponential
from tests.matrix import DTYPES


def _dtype_name(dtype: Any) -> str:
    return np.dtype(dtype).name


# (what is called, the error, its whole message)
REFUSALS: list[tuple[Callable[[], Any], type[Exception], str]] = [
    (
        lambda: GELU(approximate=1),  # type: ignore[arg-type]
        TypeError,
        "approximate: expected one of ['none', 'tanh'], got int 1",
    ),
    (
        lambda: get_activation(ReLU(), negative_slope=0.1),
        TypeError,
        "settings: only given with a name, not with an Activation instance",
    ),
    (
        lambda: get_activation(3),  # type: ignore[arg-type]
        TypeError,
        "activation: expected a name or an Activation, got int",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), REFUSALS, ids=[m for _, _, m in REFUSALS])
def test_activation_refusals_name_the_argument_and_list_the_choices(
    call: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call()


# (what is computed, at z, its exact result): e^z, e^(βz), e^(−z²/2) and e^(−z²) underflow to 0 (or,
# softplus at +1000, e^(βz) overflows in the branch np.where drops), each under an errstate set to "ignore".
DECLARED_HARMLESS: list[tuple[str, Callable[[np.ndarray], np.ndarray], list[float], list[float]]] = [
    ("elu'", ELU().gradient, [-1000.0, 1000.0], [0.0, 1.0]),
    ("elu(alpha=2)'", ELU(alpha=2.0).gradient, [-1000.0], [0.0]),
    ("softplus", Softplus().value, [-1000.0, 1000.0], [0.0, 1000.0]),
    ("softplus(beta=2)", Softplus(beta=2.0).value, [-1000.0, 1000.0], [0.0, 1000.0]),
    ("gelu'", GELU().gradient, [-100.0, 100.0], [0.0, 1.0]),
    ("gaussian", Gaussian().value, [-100.0, 100.0], [0.0, 0.0]),
    ("gaussian'", Gaussian().gradient, [-100.0, 100.0], [0.0, 0.0]),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=_dtype_name)
@pytest.mark.parametrize(
    ("label", "formula", "z", "exact"), DECLARED_HARMLESS, ids=[c[0] for c in DECLARED_HARMLESS]
)
def test_declared_harmless_underflows_and_overflows_pass_under_errstate_raise(
    label: str, formula: Callable[[np.ndarray], np.ndarray], z: list[float], exact: list[float], dtype: type
) -> None:
    """A caller running with every floating-point error raising gets the exact result, not an exception."""
    with np.errstate(all="raise"):
        got = formula(np.array(z, dtype=dtype))
    assert np.array_equal(got, exact), (label, got)


def test_elus_unused_branch_does_not_overflow_at_the_largest_alpha() -> None:
    """For z ≥ 0, α·expm1(min(z, 0)) = 0 and α·e^min(z, 0) = α are computed and dropped: neither overflows,
    whatever the finite α (float64, where α = floatmax is representable)."""
    alpha = float(np.finfo(np.float64).max)
    act = ELU(alpha=alpha)
    z: np.ndarray = np.array([-1000.0, -0.0, 0.0, 1.0, 1000.0])
    with np.errstate(all="raise"):
        value, derivative = act.value(z), act.gradient(z)
    assert np.array_equal(value, [-alpha, 0.0, 0.0, 1.0, 1000.0])
    assert np.array_equal(derivative, [0.0, alpha, alpha, 1.0, 1.0])


def test_bare_extra_activations_have_their_neutral_settings() -> None:
    """Named alone, isru is z/√(1 + z²) (α = 1), swish_beta is SiLU (β = 1), soft_exponential the identity."""
    z: np.ndarray = np.array([-2.5, -0.75, 0.5, 3.0])
    assert get_activation("isru").settings() == {"alpha": 1.0}
    assert np.array_equal(get_activation("isru").value(z), z / np.hypot(z, 1.0))
    assert np.array_equal(get_activation("swish_beta").value(z), get_activation("silu").value(z))
    assert np.array_equal(get_activation("soft_exponential").value(z), z)


@pytest.mark.parametrize(
    ("dtype", "huge"), [(np.float64, 1e200), (np.float32, 1e30)], ids=["float64", "float32"]
)
def test_isru_derivative_underflowing_to_zero_passes_under_errstate_raise(dtype: type, huge: float) -> None:
    """(1/√(1 + αz²))³ is below the tiniest float beyond |z| ≈ 1e102 (1e12 in float32): 0, no exception."""
    with np.errstate(all="raise"):
        got = ISRU().gradient(np.array([-huge, huge], dtype=dtype))
    assert np.array_equal(got, [0.0, 0.0]), got


@pytest.mark.parametrize("dtype", DTYPES, ids=_dtype_name)
@pytest.mark.parametrize("alpha", [0.5, -0.5, 0.0])
def test_soft_exponentials_unused_branch_errors_pass_under_errstate_raise(alpha: float, dtype: type) -> None:
    """Both branches are computed and np.where keeps one; at these z one of them overflows (e^(αz) at 1e4),
    takes the log of a negative number (α(z + α) > 1), divides by zero (α(z + α) = 1 at z = ±1.5),
    underflows (α·z at a subnormal z) or, at z = ±∞ with α = 0, multiplies 0 by ∞. With every
    floating-point error raising, the results are those computed with every error ignored."""
    tiny = float(np.finfo(dtype).smallest_subnormal)
    z: np.ndarray = np.array([-np.inf, -1e4, -1.5, -tiny, 0.0, tiny, 1.5, 1e4, np.inf], dtype=dtype)
    act = SoftExponential(init=alpha)
    act.build(z.size, np.dtype(dtype))
    formulas: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "value": act.value,
        "derivative": act.gradient,
        "alpha derivative": lambda z: act.parameter_gradients(z)["alpha"],
    }
    for kind, formula in formulas.items():
        with np.errstate(all="ignore"):
            expected = formula(z)
        with np.errstate(all="raise"):
            got = formula(z)
        assert np.array_equal(got, expected, equal_nan=True), (kind, got, expected)
