"""Each loss value and gradient against torch, both reductions and dtypes: at ordinary inputs, at extreme
ones (±1000, 1e15, tiny and subnormal), and exactly on kinks; each bound pinned from the other side by a
planted relative error of 1e-6 (float64) or 1e-3 (float32) that it must catch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from handmlp import NotDifferentiableError, get_loss
from reference.oracle.bounds import BOTH_SIDES, loss_bounds
from reference.oracle.compare import assert_within_bound, compare_within_bound, unit_roundoff
from reference.twins.losses import torch_loss
from tests.matrix import DTYPES, LOSSES, make_targets
from tests.torch_values import loss_value_and_gradient as _torch


def _inputs(loss: str, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(LOSSES.index(loss))
    y_hat = rng.normal(scale=3.0, size=(7, 3)).astype(dtype)
    if loss == "binary_cross_entropy":
        y_hat = (1 / (1 + np.exp(-y_hat))).astype(dtype)
    return y_hat, make_targets(loss, 7, 3, rng, dtype)


def _bounds(loss: str, reduction: str, y_hat: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    y64 = y if loss == "cross_entropy" else y.astype(np.float64)
    e_value, _, e_grad = loss_bounds(
        get_loss(loss, reduction), y_hat.astype(np.float64), y64, None, unit_roundoff(y_hat.dtype)
    )
    return BOTH_SIDES * e_value, BOTH_SIDES * e_grad


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("loss", LOSSES)
def test_loss_value_and_gradient_match_torch(loss: str, reduction: str, dtype: type) -> None:
    y_hat, y = _inputs(loss, dtype)
    fn = get_loss(loss, reduction)
    value, grad = _torch(loss, reduction, y_hat, y)
    value_bound, grad_bound = _bounds(loss, reduction, y_hat, y)
    assert fn.gradient(y_hat, y).dtype == dtype
    assert_within_bound(f"{loss}/{reduction}", fn.value(y_hat, y), value, value_bound)
    assert_within_bound(f"∂{loss}/∂ŷ/{reduction}", fn.gradient(y_hat, y), grad, grad_bound)


def _extreme_inputs(loss: str, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """ŷ at ±1000, ±1e15, tiny and subnormal magnitudes (probabilities at 0, 1, tiny and 1 − ε for BCE)."""
    info = np.finfo(dtype)
    tiny = [float(info.smallest_subnormal), float(info.tiny), 1e-30]
    if loss == "binary_cross_entropy":
        column = np.array([0.0, 1.0, *tiny, 0.5, 1.0 - float(info.eps), float(info.eps)])
    else:
        magnitudes = np.array([*tiny, 1.0, 1000.0, 1e15])
        column = np.concatenate([magnitudes, -magnitudes, [0.0]])
    y_hat = np.stack([column, column[::-1], np.roll(column, 3)], axis=1).astype(dtype)
    return y_hat, make_targets(loss, len(column), 3, np.random.default_rng(7), dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("loss", LOSSES)
def test_loss_at_extreme_inputs_matches_torch(loss: str, reduction: str, dtype: type) -> None:
    """Finite where torch is finite and within the bound; the same infinity where torch overflows."""
    y_hat, y = _extreme_inputs(loss, dtype)
    fn = get_loss(loss, reduction)
    value, grad = _torch(loss, reduction, y_hat, y)
    ours_value, ours_grad = fn.value(y_hat, y), fn.gradient(y_hat, y)
    if not np.isfinite(value):
        assert ours_value == value, (ours_value, value)
    else:
        value_bound, _ = _bounds(loss, reduction, y_hat, y)
        assert_within_bound(f"{loss}/{reduction} at extremes", ours_value, value, value_bound)
    finite = np.isfinite(grad)
    assert np.array_equal(ours_grad[~finite], grad[~finite]), (ours_grad[~finite], grad[~finite])
    _, grad_bound = _bounds(loss, reduction, y_hat, y)
    label = f"∂{loss}/∂ŷ/{reduction} at extremes"
    assert_within_bound(
        label, ours_grad[finite], grad[finite], np.broadcast_to(grad_bound, grad.shape)[finite]
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("loss", LOSSES)
def test_loss_bound_catches_a_relative_error_of_1e_6(loss: str, dtype: type) -> None:
    y_hat, y = _inputs(loss, dtype)
    fn = get_loss(loss, "sum")
    factor = 1e-6 if dtype == np.float64 else 1e-3
    value, grad = _torch(loss, "sum", y_hat, y)
    value_bound, grad_bound = _bounds(loss, "sum", y_hat, y)
    assert not compare_within_bound(loss, fn.value(y_hat, y) * (1 + factor), value, value_bound).passed
    planted = fn.gradient(y_hat, y).astype(np.float64) * (1 + factor)
    assert not compare_within_bound(f"∂{loss}/∂ŷ", planted, grad, grad_bound).passed


def test_l1_gradient_at_equality_is_zero_like_torch() -> None:
    y_hat = np.array([[1.0, 2.0, -3.0]])
    y = np.array([[1.0, 1.0, -3.0]])
    _, torch_grad = _torch("l1", "sum", y_hat, y)
    assert np.array_equal(get_loss("l1", "sum").gradient(y_hat, y), torch_grad)
    assert torch_grad[0, 0] == 0.0


def test_hinge_gradient_at_the_margin_is_minus_y_like_torch_clamp() -> None:
    y_hat = np.array([[1.0, -1.0, 0.5, 2.0]])
    y = np.array([[1.0, -1.0, 1.0, 1.0]])
    _, torch_grad = _torch("hinge", "sum", y_hat, y)
    ours = get_loss("hinge", "sum").gradient(y_hat, y)
    assert np.array_equal(ours, torch_grad)
    assert np.array_equal(ours, [[-1.0, 1.0, -1.0, 0.0]])


def test_binary_cross_entropy_at_zero_and_one_clamps_like_torch() -> None:
    y_hat = np.array([[0.0, 1.0, 0.5]])
    y = np.array([[1.0, 0.0, 1.0]])
    value, grad = _torch("binary_cross_entropy", "sum", y_hat, y)
    fn = get_loss("binary_cross_entropy", "sum")
    assert fn.value(y_hat, y) == value == 200.0 + np.log(2.0)
    assert np.array_equal(fn.gradient(y_hat, y), grad)


def test_cross_entropy_is_stable_for_huge_logits() -> None:
    y_hat = np.array([[1000.0, 0.0, -1000.0]])
    value, grad = _torch("cross_entropy", "mean", y_hat, np.array([1]))
    fn = get_loss("cross_entropy")
    assert fn.value(y_hat, np.array([1])) == value == 1000.0
    assert np.array_equal(fn.gradient(y_hat, np.array([1])), grad)


def test_hinge_at_the_margin_exactly_in_both_dtypes() -> None:
    """y·ŷ = 1 exactly: loss 0 and gradient −y (torch.clamp passes the gradient at its boundary)."""
    for dtype in DTYPES:
        y_hat = np.array([[1.0, -1.0, 1.0 + float(np.finfo(dtype).eps)]], dtype=dtype)
        y = np.array([[1.0, -1.0, 1.0]], dtype=dtype)
        value, torch_grad = _torch("hinge", "sum", y_hat, y)
        fn = get_loss("hinge", "sum")
        assert fn.value(y_hat, y) == value == 0.0
        assert np.array_equal(fn.gradient(y_hat, y), torch_grad) and np.array_equal(torch_grad, [[-1, 1, 0]])


def test_zero_one_at_a_tie_is_no_mistake() -> None:
    """ŷ = y exactly is correct (ℓ = 0), one ulp off is a mistake (ℓ = 1), as torch's ŷ ≠ y."""
    y = np.array([1.0, -1.0, 0.5])
    y_hat = np.array([1.0, np.nextafter(-1.0, 0.0), 0.5])
    assert get_loss("zero_one", "sum").value(y_hat, y) == 1.0
    assert float(torch_loss("zero_one", "sum")(torch.from_numpy(y_hat), torch.from_numpy(y))) == 1.0


def test_bce_with_logits_gradient_is_the_logistic_minus_y_in_both_tails() -> None:
    y_hat = np.array([[-1000.0, 0.0, 1000.0, -40.0]])
    y = np.array([[0.0, 0.5, 1.0, 1.0]])
    grad = get_loss("bce_with_logits", "sum").gradient(y_hat, y)
    assert np.array_equal(grad[0, :3], [0.0, 0.0, 0.0]) and grad[0, 3] == -1.0 + float(np.exp(-40.0)) / (
        1 + np.exp(-40.0)
    )


def test_zero_one_counts_mistakes_and_refuses_a_gradient() -> None:
    y_hat, y = np.array([1.0, -1.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0, -1.0])
    assert get_loss("zero_one", "sum").value(y_hat, y) == 2.0
    assert get_loss("zero_one", "mean").value(y_hat, y) == 0.5
    value, _ = 0.0, None
    value = float(torch_loss("zero_one", "sum")(torch.from_numpy(y_hat), torch.from_numpy(y)))
    assert value == 2.0
    with pytest.raises(NotDifferentiableError, match="zero_one"):
        get_loss("zero_one").gradient(y_hat, y)
    with pytest.raises(ValueError):
        get_loss("zero_one").gradient(y_hat, y)


def test_mean_is_sum_over_number_of_elements() -> None:
    y_hat, y = _inputs("squared_error", np.float64)
    total = get_loss("squared_error", "sum")
    mean = get_loss("squared_error", "mean")
    assert mean.value(y_hat, y) == total.value(y_hat, y) / y.size
    assert np.array_equal(mean.gradient(y_hat, y), total.gradient(y_hat, y) / y.size)


def test_loss_call_and_derivative_aliases() -> None:
    y_hat, y = _inputs("l1", np.float64)
    fn = get_loss("l1")
    assert fn(y_hat, y) == fn.value(y_hat, y)
    assert np.array_equal(fn.derivative(y_hat, y), fn.gradient(y_hat, y))
