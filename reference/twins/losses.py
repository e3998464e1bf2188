"""The torch twin of each handmlp loss, and the rounding model of the formulas both sides evaluate.

For each loss: `torch_fn(y_hat, y, reduction)` computes torch's value; `value_ulps`·u·`value_magnitude`
bounds the local rounding of each per-element loss, `gradient_ulps`·u·`gradient_magnitude` that of its
gradient (the summed magnitudes of what each formula adds), and `gradient_error(y_hat, e, y)` carries an
error e already in ŷ into the gradient: by evaluating the elementwise gradient at ŷ ± e (which also covers
a kink within reach of e), or through |Hessian|·e for cross-entropy, whose gradient couples a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray

from handmlp.losses import BCE_LOG_FLOOR, Loss
from reference.oracle.compare import perturbed

Array = NDArray[Any]
Tensor = torch.Tensor


def _reduce(values: Tensor, reduction: str) -> Tensor:
    return values.sum() if reduction == "sum" else values.mean()


def _hinge(y_hat: Tensor, y: Tensor, reduction: str) -> Tensor:
    return _reduce(torch.clamp(1.0 - y * y_hat, min=0.0), reduction)


def _zero_one(y_hat: Tensor, y: Tensor, reduction: str) -> Tensor:
    return _reduce((y_hat != y).to(y_hat.dtype), reduction)


def _abs_value(loss: Loss, y_hat: Array, y: Array) -> Array:
    return np.abs(loss.elementwise(y_hat, y))


def _abs_gradient(loss: Loss, y_hat: Array, y: Array) -> Array:
    return np.abs(loss.elementwise_gradient(y_hat, y))


def _no_rounding(loss: Loss, y_hat: Array, y: Array) -> Array:
    return np.zeros_like(y_hat)


def _hinge_value_magnitude(loss: Loss, y_hat: Array, y: Array) -> Array:
    return 1.0 + np.abs(y * y_hat)


def _bce_value_magnitude(loss: Loss, y_hat: Array, y: Array) -> Array:
    with np.errstate(divide="ignore"):
        log_p = np.minimum(np.abs(np.log(y_hat)), -BCE_LOG_FLOOR)
        log_q = np.minimum(np.abs(np.log(1.0 - y_hat)), -BCE_LOG_FLOOR)
    return np.abs(y) * (log_p + 1.0) + np.abs(1.0 - y) * (log_q + 1.0)


def _logits_value_magnitude(loss: Loss, y_hat: Array, y: Array) -> Array:
    return np.abs(1.0 - y) * np.abs(y_hat) + np.abs(y_hat) + np.abs(loss.elementwise(y_hat, y)) + 2.0


def _logits_gradient_magnitude(loss: Loss, y_hat: Array, y: Array) -> Array:
    return np.abs(loss.elementwise_gradient(y_hat, y) + y) + np.abs(y)


def _ce_value_magnitude(loss: Loss, y_hat: Array, y: Array) -> Array:
    """log Σ_c e^(z_c − m) rounds within (C + 16) ulps of its size; m and z_y are added as they are."""
    n_classes = y_hat.shape[1]
    m = np.abs(y_hat).max(axis=1)
    return 2.0 * m + (n_classes + 16) * (np.abs(loss.elementwise(y_hat, y)) + 1.0)


def _ce_gradient_magnitude(loss: Loss, y_hat: Array, y: Array) -> Array:
    grad = loss.elementwise_gradient(y_hat, y)
    onehot = np.zeros_like(y_hat)
    onehot[np.arange(len(y)), y] = 1.0
    return (y_hat.shape[1] + 16) * np.abs(grad + onehot) + onehot  # p = e/Σe: C additions, exp, divide


def _perturbed_gradient_error(loss: Loss, y_hat: Array, e: Array, y: Array) -> Array:
    """The change an error e in ŷ can make in each element's gradient."""
    return perturbed(lambda v: loss.elementwise_gradient(v, y), y_hat, e)


def _bce_gradient_error(loss: Loss, y_hat: Array, e: Array, y: Array) -> Array:
    clipped = np.clip(y_hat, 0.0, 1.0)
    return _perturbed_gradient_error(loss, clipped, np.minimum(e, np.minimum(clipped, 1.0 - clipped)), y)


def _ce_gradient_error(loss: Loss, y_hat: Array, e: Array, y: Array) -> Array:
    """|H|·e for H = diag(p) − ppᵀ, the Hessian of log-sum-exp: p_i·e_i + p_i·Σ_j p_j·e_j."""
    p = np.exp(y_hat - y_hat.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return p * e + p * (p * e).sum(axis=1, keepdims=True)


def _ce_value_error(loss: Loss, y_hat: Array, e: Array, y: Array) -> Array:
    return (np.abs(loss.elementwise_gradient(y_hat, y)) * e).sum(axis=1)


def _elementwise_value_error(loss: Loss, y_hat: Array, e: Array, y: Array) -> Array:
    """The change an error e in ŷ can make in each element's loss."""
    return perturbed(lambda v: loss.elementwise(v, y), y_hat, e)


def _bce_value_error(loss: Loss, y_hat: Array, e: Array, y: Array) -> Array:
    clipped = np.clip(y_hat, 0.0, 1.0)
    return _elementwise_value_error(loss, clipped, np.minimum(e, np.minimum(clipped, 1.0 - clipped)), y)


Magnitude = Callable[[Loss, Array, Array], Array]
Propagation = Callable[[Loss, Array, Array, Array], Array]


@dataclass(frozen=True)
class LossTwin:
    """torch's computation of a loss, and the rounding model of both sides' formulas."""

    torch_fn: Callable[[Tensor, Tensor, str], Tensor]
    value_ulps: float
    gradient_ulps: float
    value_magnitude: Magnitude = _abs_value
    gradient_magnitude: Magnitude = _abs_gradient
    value_error: Propagation = _elementwise_value_error
    gradient_error: Propagation = _perturbed_gradient_error


LOSS_TWINS: dict[str, LossTwin] = {
    "half_squared_error": LossTwin(lambda a, b, r: 0.5 * F.mse_loss(a, b, reduction=r), 3, 1),
    "squared_error": LossTwin(lambda a, b, r: F.mse_loss(a, b, reduction=r), 3, 2),
    "l1": LossTwin(lambda a, b, r: F.l1_loss(a, b, reduction=r), 1, 0, gradient_magnitude=_no_rounding),
    "hinge": LossTwin(_hinge, 2, 0, _hinge_value_magnitude, _no_rounding),
    "binary_cross_entropy": LossTwin(
        lambda a, b, r: F.binary_cross_entropy(a, b, reduction=r),
        12,
        6,
        _bce_value_magnitude,
        value_error=_bce_value_error,
        gradient_error=_bce_gradient_error,
    ),
    "bce_with_logits": LossTwin(
        lambda a, b, r: F.binary_cross_entropy_with_logits(a, b, reduction=r),
        20,
        12,
        _logits_value_magnitude,
        _logits_gradient_magnitude,
    ),
    "cross_entropy": LossTwin(
        lambda a, b, r: F.cross_entropy(a, b.long(), reduction=r),
        1,
        1,
        _ce_value_magnitude,
        _ce_gradient_magnitude,
        value_error=_ce_value_error,
        gradient_error=_ce_gradient_error,
    ),
    "zero_one": LossTwin(_zero_one, 1, 0, _abs_value, _no_rounding),
}


def loss_twin(loss: Loss) -> LossTwin:
    """The twin record of `loss`."""
    if loss.name not in LOSS_TWINS:
        raise ValueError(f"loss: {loss.name!r} has no torch twin")
    return LOSS_TWINS[loss.name]


def torch_loss(loss: Loss | str, reduction: str = "mean") -> Callable[[Tensor, Tensor], Tensor]:
    """torch's value of the same loss and reduction, as a function of (ŷ, y) tensors."""
    from handmlp.losses import get_loss

    resolved = get_loss(loss, reduction)
    twin = loss_twin(resolved)
    return lambda y_hat, y: twin.torch_fn(y_hat, y, resolved.reduction)
