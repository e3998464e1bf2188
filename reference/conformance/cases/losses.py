"""Catalog cases for the losses (C5; erratum E1): first the course's five (L1, L2, ½(y − ŷ)², hinge,
zero-one) on the implementation under test; then every loss handmlp ships, L and ∂L/∂ŷ against torch
under both reductions and in both dtypes, on ordinary inputs (kinks included: l1 at ŷ = y, hinge at the
margin, binary cross-entropy at 0 and 1) and at extreme ones (logits ±1000 and beyond, tiny and huge
scales), each within its derived bound (reference.oracle.bounds.loss_bounds); the zero-one loss exactly,
and its gradient refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from handmlp import get_loss
from handmlp.losses import LOSSES, NotDifferentiableError
from reference.conformance.case import EXACT, WITHIN_BOUND, Outcome, case, erratum, exact, from_comparisons
from reference.conformance.cases._common import DTYPES, Array
from reference.conformance.protocol import LossSpec, NotApplicableError, capabilities
from reference.conformance.subject import outcome_of
from reference.oracle.compare import Comparison, compare_within_bound, unit_roundoff

# --- C5: the course's losses, with their kinks ---------------------------------------------------------


def _loss_case(impl: Any, loss: str, y_hat: Array, y: Array) -> Outcome:
    """The implementation's loss value (when it has one) and ∂L/∂ŷ in each reduction it offers."""
    import torch

    from reference.oracle.bounds import BOTH_SIDES, loss_bounds
    from reference.twins.losses import torch_loss

    results = []
    handmlp = "handmlp" in capabilities(impl)
    specs = [LossSpec(loss, r) for r in ("sum", "mean") if handmlp or LossSpec(loss, r) == impl.loss]
    if not specs:
        raise NotApplicableError(f"{impl.name}'s loss is {impl.loss}, not {loss}")
    for spec in specs:
        reduction = spec.reduction
        fn = get_loss(loss, reduction)
        t = torch.from_numpy(y_hat.copy()).requires_grad_(True)
        value = torch_loss(fn)(t, torch.from_numpy(y))
        torch.autograd.backward(value)
        assert t.grad is not None
        e_value, _, e_grad = loss_bounds(fn, y_hat, y, None, unit_roundoff(np.float64))
        if hasattr(impl, "loss_value"):
            mine = impl.loss_value(y_hat.copy(), y.copy(), spec)
            results.append(
                compare_within_bound(f"L/{reduction}", mine, float(value.detach()), BOTH_SIDES * e_value)
            )
        grad = impl.loss_gradient(y_hat.copy(), y.copy(), spec)
        results.append(compare_within_bound(f"∂L/∂ŷ/{reduction}", grad, t.grad.numpy(), BOTH_SIDES * e_grad))
    return outcome_of(results, impl)


_Y_HAT = np.array([[0.3, -1.2, 2.0], [1.0, -1.0, 0.0]])
_Y_REAL = np.array([[0.3, 0.5, -1.0], [2.0, -1.0, 0.5]])  # ŷ = y in two places: l1's kink
_Y_PM1 = np.array([[1.0, -1.0, 1.0], [1.0, -1.0, -1.0]])  # y·ŷ = 1 in two places: hinge's margin


@case(
    "C5/l1",
    "ℓ = |ŷ − y|, ∂ℓ/∂ŷ = sign(ŷ − y), 0 at ŷ = y",
    "losses.L1, sum and mean",
    "torch.nn.functional.l1_loss",
    WITHIN_BOUND,
    needs=("loss",),
)
def l1_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "l1", _Y_HAT, _Y_REAL)


@case(
    "C5/l2",
    "ℓ = (ŷ − y)², ∂ℓ/∂ŷ = −2(y − ŷ)",
    "losses.SquaredError, sum and mean",
    "torch.nn.functional.mse_loss",
    WITHIN_BOUND,
    needs=("loss",),
)
def l2_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "squared_error", _Y_HAT, _Y_REAL)


@case(
    "C5/half_squared_error",
    "L = ½(y − ŷ)², ∂L/∂ŷ = −(y − ŷ)",
    "losses.HalfSquaredError, sum and mean",
    "½ · torch.nn.functional.mse_loss",
    WITHIN_BOUND,
    needs=("loss",),
)
def half_squared_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "half_squared_error", _Y_HAT, _Y_REAL)


@case(
    "C5/hinge",
    "ℓ = max(0, 1 − y·ŷ), ∂ℓ/∂ŷ = −y where y·ŷ ≤ 1 (margin included)",
    "losses.Hinge, sum and mean, at the margin too",
    "torch.clamp(1 − y·ŷ, min=0)",
    WITHIN_BOUND,
    needs=("loss",),
)
def hinge_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "hinge", _Y_HAT, _Y_PM1)


@case(
    "C5/zero_one",
    "ℓ = 1[ŷ ≠ y]",
    "losses.ZeroOne on predicted labels",
    "torch: (ŷ != y) counted",
    EXACT,
)
def zero_one_loss() -> Outcome:
    import torch

    y_hat, y = np.sign(_Y_HAT) + (_Y_HAT == 0), _Y_PM1
    torch_count = float((torch.from_numpy(y_hat) != torch.from_numpy(y)).sum())
    return exact([get_loss("zero_one", "sum").value(y_hat, y)], [torch_count], "mistakes")


# --- C5: every loss handmlp ships, both reductions, both dtypes, ordinary and extreme inputs -----------

REDUCTIONS = ("sum", "mean")
WITHIN_LOSS_BOUND = (
    "L and every element of ∂L/∂ŷ within the rounding bound oracle.bounds.loss_bounds derives (both sides), "
    "for sum and mean, float64 and float32"
)

TORCH_FN = {
    "half_squared_error": "½ · torch.nn.functional.mse_loss",
    "squared_error": "torch.nn.functional.mse_loss",
    "l1": "torch.nn.functional.l1_loss",
    "hinge": "torch.clamp(1 − y·ŷ, min=0)",
    "binary_cross_entropy": "torch.nn.functional.binary_cross_entropy",
    "bce_with_logits": "torch.nn.functional.binary_cross_entropy_with_logits",
    "cross_entropy": "torch.nn.functional.cross_entropy",
}

EQUATION = {
    "half_squared_error": "ℓ = ½(ŷ − y)², ∂ℓ/∂ŷ = ŷ − y",
    "squared_error": "ℓ = (ŷ − y)², ∂ℓ/∂ŷ = 2(ŷ − y)",
    "l1": "ℓ = |ŷ − y|, ∂ℓ/∂ŷ = sign(ŷ − y), 0 at ŷ = y",
    "hinge": "ℓ = max(0, 1 − y·ŷ), ∂ℓ/∂ŷ = −y where y·ŷ ≤ 1 (margin included)",
    "binary_cross_entropy": "ℓ = −(y·log ŷ + (1 − y)·log(1 − ŷ)), logs clamped at −100",
    "bce_with_logits": "ℓ = (1 − y)·x + log(1 + e^(−x)), ∂ℓ/∂x = σ(x) − y",
    "cross_entropy": "ℓ = log Σ_c e^(z_c) − z_y, ∂ℓ/∂z = softmax(z) − onehot(y)",
}


def scales(dtype: Any) -> tuple[float, float]:
    """A tiny and a huge scale whose squares stay normal and finite in `dtype` (with room for a sum of 12)."""
    info = np.finfo(dtype)
    return float(np.sqrt(info.tiny)) * 4.0, float(np.sqrt(info.max)) / 8.0


def ordinary_inputs(loss: str, dtype: Any) -> tuple[Array, Array]:
    """(ŷ, y) of ordinary size for `loss`, with its kinks hit exactly."""
    rng = np.random.default_rng(list(LOSSES).index(loss))
    y_hat = rng.normal(scale=3.0, size=(6, 3))
    if loss == "cross_entropy":
        return y_hat.astype(dtype), rng.integers(0, 3, size=6)
    if loss == "hinge":
        y = rng.choice([-1.0, 1.0], size=(6, 3))
        y_hat[0] = y[0]  # y·ŷ = 1: the margin
        return y_hat.astype(dtype), y.astype(dtype)
    if loss == "binary_cross_entropy":
        y_hat = 1.0 / (1.0 + np.exp(-y_hat))
        y_hat[0] = [0.0, 1.0, 0.5]  # the clamped logs
        return y_hat.astype(dtype), rng.uniform(size=(6, 3)).astype(dtype)
    if loss == "bce_with_logits":
        return y_hat.astype(dtype), rng.uniform(size=(6, 3)).astype(dtype)
    y = rng.normal(size=(6, 3))
    y[0] = y_hat[0]  # ŷ = y: l1's kink
    return y_hat.astype(dtype), y.astype(dtype)


def extreme_inputs(loss: str, dtype: Any) -> tuple[Array, Array]:
    """(ŷ, y) at the edges: logits ±1000 and huge, tiny and huge scales, probabilities at 0 and 1."""
    tiny, huge = scales(dtype)
    signs = np.array([1.0, -1.0, 1.0])
    if loss == "cross_entropy":
        logits = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, 1000.0], [tiny, -tiny, 0.0]])
        logits = np.concatenate([logits, [[huge / 4, -huge / 4, 0.0], [30.0, -30.0, 1000.0]]])
        return logits.astype(dtype), np.array([1, 2, 0, 1, 0])
    if loss == "binary_cross_entropy":
        eps = float(np.finfo(dtype).eps)
        y_hat = np.array([[0.0, 1.0, tiny], [1.0 - eps, eps, 0.5], [1e-30, 1.0 - 1e-7, 1e-7]])
        return y_hat.astype(dtype), np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.3, 0.0]], dtype=dtype)
    if loss in ("bce_with_logits", "hinge"):
        x = np.array([1000.0 * signs, -1000.0 * signs, tiny * signs, huge * signs, [1e4, -1e4, 30.0]])
        if loss == "hinge":
            return x.astype(dtype), np.tile(signs, (5, 1)).astype(dtype)
        return x.astype(dtype), np.tile([0.0, 1.0, 0.3], (5, 1)).astype(dtype)
    y_hat = np.array([tiny * signs, huge * signs, 1000.0 * signs, [huge, -huge, 0.0]])
    y = np.array([-tiny * signs, huge * signs / 3, -1000.0 * signs, [huge / 2, huge / 2, tiny]])
    return y_hat.astype(dtype), y.astype(dtype)


def finite(bound: Any) -> Array:
    """A bound that vouches for something: one made infinite by a non-finite value of the implementation
    under test (its magnitudes enter the bound) becomes 0, so only an exactly equal value (torch's own
    infinity) passes there."""
    b = np.asarray(bound, dtype=np.float64)
    return np.where(np.isfinite(b), b, 0.0)


def torch_value_and_gradient(loss: str, reduction: str, y_hat: Array, y: Array) -> tuple[float, Array]:
    """torch's L(ŷ, y) and ∂L/∂ŷ (autograd) for the twin of `loss`."""
    import torch

    from reference.twins.losses import torch_loss

    t = torch.from_numpy(y_hat.copy()).requires_grad_(True)
    value = torch_loss(loss, reduction)(t, torch.from_numpy(np.asarray(y).copy()))
    torch.autograd.backward(value)
    assert t.grad is not None
    return float(value.detach()), t.grad.numpy()


def loss_comparisons(loss: str, y_hat: Array, y: Array, label: str) -> list[Comparison]:
    """L and ∂L/∂ŷ of handmlp against torch's under both reductions, each within its derived bound."""
    from reference.oracle.bounds import BOTH_SIDES, loss_bounds

    y64 = y if loss == "cross_entropy" else y.astype(np.float64)
    results = []
    for reduction in REDUCTIONS:
        fn = get_loss(loss, reduction)
        value, grad = torch_value_and_gradient(loss, reduction, y_hat, y)
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            e_value, _, e_grad = loss_bounds(
                fn, y_hat.astype(np.float64), y64, None, unit_roundoff(y_hat.dtype)
            )
        name = f"{loss} {label} {np.dtype(y_hat.dtype).name} {reduction}"
        ours_grad = fn.gradient(y_hat, y)
        results += [
            compare_within_bound(f"L {name}", fn.value(y_hat, y), value, finite(BOTH_SIDES * e_value)),
            compare_within_bound(f"∂L/∂ŷ {name}", ours_grad, grad, finite(BOTH_SIDES * e_grad)),
            compare_within_bound(f"dtype of ∂L/∂ŷ {name}", int(ours_grad.dtype != y_hat.dtype), 0, 0.0),
        ]
    return results


def _over_dtypes(loss: str, inputs: Callable[[str, Any], tuple[Array, Array]], label: str) -> Outcome:
    results: list[Comparison] = []
    for dtype in DTYPES:
        y_hat, y = inputs(loss, dtype)
        results += loss_comparisons(loss, y_hat, y, label)
    return from_comparisons(results)


def _loss_cases(loss: str) -> None:
    cls = LOSSES[loss]

    @case(
        f"C5/{loss}_both_reductions",
        EQUATION[loss],
        f"losses.{cls.__name__}: value and gradient, sum and mean, float64 and float32, kinks included",
        TORCH_FN[loss] + " and torch.autograd",
        WITHIN_LOSS_BOUND,
    )
    def ordinary() -> Outcome:
        return _over_dtypes(loss, ordinary_inputs, "ordinary")

    @case(
        f"C5/{loss}_extreme",
        EQUATION[loss] + ", stable at extreme inputs",
        f"losses.{cls.__name__} at ±1000, ±1e4, tiny (√λ) and huge (√max) scales, both dtypes",
        TORCH_FN[loss] + " and torch.autograd",
        WITHIN_LOSS_BOUND + "; torch's infinities reproduced",
    )
    def extreme() -> Outcome:
        return _over_dtypes(loss, extreme_inputs, "extreme")


for _loss in TORCH_FN:
    _loss_cases(_loss)


@case(
    "C5/zero_one_extreme",
    "ℓ = 1[ŷ ≠ y], a metric: no gradient",
    "losses.ZeroOne at huge, tiny and neighbouring values, sum and mean, both dtypes; gradient() refused",
    "the definition: the number of unequal pairs, over n for mean; NotDifferentiableError",
    EXACT,
    needs_torch=False,
)
def zero_one_extreme() -> Outcome:
    got, expected = [], []
    for dtype in DTYPES:
        tiny, huge = scales(dtype)
        y_hat = np.array([huge, -huge, tiny, 1.0, -1.0, 0.0], dtype=dtype)
        y = np.array([huge, huge, np.nextafter(dtype(tiny), dtype(1)), 1.0, 1.0, -0.0], dtype=dtype)
        for reduction, count in (("sum", 3.0), ("mean", 3.0 / 6)):
            got.append(get_loss("zero_one", reduction).value(y_hat, y))
            expected.append(count)
        try:
            get_loss("zero_one").gradient(y_hat, y)
            got.append(0)
        except NotDifferentiableError:
            got.append(1)
        expected.append(1)
    return exact(got, expected, "mistakes (sum, mean) and a refused gradient, per dtype")


# --- E1: the zero-one loss -----------------------------------------------------------------------------


@case(
    "E1/zero_one",
    "printed ℓ = 1[ŷ = y]; corrected ℓ = 1[ŷ ≠ y]",
    "both forms on predicted labels with some mistakes",
    "torch: the number of mistakes (ŷ != y)",
    "printed must differ, corrected must be exact",
)
def erratum_zero_one() -> Outcome:
    import torch

    y_hat, y = np.sign(_Y_HAT) + (_Y_HAT == 0), _Y_PM1
    mistakes = float((torch.from_numpy(y_hat) != torch.from_numpy(y)).sum())
    printed = exact([float(np.sum(y_hat == y))], [mistakes], "1[ŷ = y] summed")
    corrected = exact([get_loss("zero_one", "sum").value(y_hat, y)], [mistakes], "1[ŷ ≠ y] summed")
    return erratum(printed, corrected, "zero-one loss")
