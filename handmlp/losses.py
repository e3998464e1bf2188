"""Losses L(ŷ, y) and their gradients ∂L/∂ŷ (C5, C9), with torch's reductions.

Vocabulary (the same as the activations'): `value(ŷ, y)` is the reduced loss L and `gradient(ŷ, y)` is
∂L/∂ŷ, of ŷ's shape; `elementwise` and `elementwise_gradient` are the same before reduction. Calling a loss,
`loss(ŷ, y)`, is `value`; `derivative` is a documented alias of `gradient` kept for code that uses it.
Both check their arguments (TypeError for a wrong type, ValueError for a wrong value, naming it) first.

`reduction="sum"` adds the per-element losses; `reduction="mean"` divides that sum by the number of
elements, exactly as torch does (for cross_entropy: by the number of samples, since there is one loss per
sample). Kinks follow torch: l1′ at ŷ = y is 0 (sign(0) = 0); hinge′ at the margin y·ŷ = 1 is −y, as
torch.clamp(1 − y·ŷ, min=0) passes the gradient at its boundary. binary_cross_entropy clamps each log at
−100 and divides its gradient by max(ŷ(1 − ŷ), ε) with torch's ε = float32(1e-12).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from handmlp.special import logistic
from handmlp.validation import check_shape, choice, float_array

Array = NDArray[Any]

__all__ = [
    "L1",
    "LOSSES",
    "BCEWithLogits",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "HalfSquaredError",
    "Hinge",
    "Loss",
    "NotDifferentiableError",
    "SquaredError",
    "ZeroOne",
    "get_loss",
]

REDUCTIONS = ("sum", "mean")


class NotDifferentiableError(ValueError, TypeError):
    """Raised when a gradient is asked of a loss that has none worth the name (zero-one)."""


class Loss:
    """A loss L(ŷ, y) reduced by sum or mean, with its gradient ∂L/∂ŷ of ŷ's shape."""

    name: ClassVar[str] = ""

    def __init__(self, reduction: str = "mean") -> None:
        if not isinstance(reduction, str):
            choice("reduction", reduction, REDUCTIONS)  # the TypeError naming reduction
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction: expected 'sum' or 'mean', got {reduction!r}")
        self.reduction = reduction

    def value(self, y_hat: Any, y: Any) -> float:
        """L(ŷ, y), reduced."""
        y_hat, y = self._checked(y_hat, y)
        return float(self._reduce(self.elementwise(y_hat, y)))

    def gradient(self, y_hat: Any, y: Any) -> Array:
        """∂L/∂ŷ, the reduction's 1/n included."""
        y_hat, y = self._checked(y_hat, y)
        return self._reduced_gradient(y_hat, y)

    def value_and_gradient(self, y_hat: Any, y: Any) -> tuple[float, Array]:
        """L(ŷ, y) and ∂L/∂ŷ with the arguments checked once, as a training step needs both."""
        y_hat, y = self._checked(y_hat, y)
        return float(self._reduce(self.elementwise(y_hat, y))), self._reduced_gradient(y_hat, y)

    def _reduced_gradient(self, y_hat: Array, y: Array) -> Array:
        grad = self.elementwise_gradient(y_hat, y)
        if self.reduction == "sum":
            return grad
        if grad.flags.owndata and grad.flags.writeable and grad is not y_hat and grad is not y:
            return np.divide(grad, self._count(y_hat), out=grad)  # a fresh array: the 1/n goes in place
        return grad / self._count(y_hat)

    def __call__(self, y_hat: Any, y: Any) -> float:
        """`value`: L(ŷ, y), reduced."""
        return self.value(y_hat, y)

    def derivative(self, y_hat: Any, y: Any) -> Array:
        """Alias of `gradient` (the activations' g′ word): ∂L/∂ŷ."""
        return self.gradient(y_hat, y)

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        """The loss of each element (of each sample for cross_entropy), before reduction."""
        raise NotImplementedError

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        """∂ℓ/∂ŷ of each element's loss ℓ, before reduction."""
        raise NotImplementedError

    def _count(self, y_hat: Array) -> int:
        return int(y_hat.size)

    def _reduce(self, losses: Array) -> Array:
        return losses.sum() if self.reduction == "sum" else losses.sum() / losses.size

    def _checked(self, y_hat: Any, y: Any) -> tuple[Array, Array]:
        y_hat = float_array("y_hat", y_hat)
        if y_hat.size == 0:
            raise ValueError("y_hat: expected at least one element, got an empty array")
        y = float_array("y", y, dtype=y_hat.dtype)
        check_shape("y", y, y_hat.shape)
        self._check_targets(y)
        return y_hat, y

    def _check_targets(self, y: Array) -> None:
        """Loss-specific target checks (labels ±1, probabilities in [0, 1])."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class HalfSquaredError(Loss):
    """ℓ = ½(ŷ − y)², ∂ℓ/∂ŷ = ŷ − y: the lecture's L = ½(y − ŷ)² (C5, C6, C9)."""

    name = "half_squared_error"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        d = y_hat - y
        return 0.5 * (d * d)

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        return y_hat - y


class SquaredError(Loss):
    """ℓ = (ŷ − y)², ∂ℓ/∂ŷ = 2(ŷ − y) = −2(y − ŷ): torch's MSELoss (C5)."""

    name = "squared_error"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        d = y_hat - y
        return d * d

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        return 2.0 * (y_hat - y)


class L1(Loss):
    """ℓ = |ŷ − y|, ∂ℓ/∂ŷ = sign(ŷ − y), 0 at ŷ = y as torch (C5)."""

    name = "l1"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        return np.abs(y_hat - y)

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        return np.sign(y_hat - y)


class Hinge(Loss):
    """ℓ = max(0, 1 − y·ŷ) with y ∈ {+1, −1}; ∂ℓ/∂ŷ = −y where 1 − y·ŷ ≥ 0 (margin included), else 0 (C5)."""

    name = "hinge"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        return np.maximum(1.0 - y * y_hat, 0.0)

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        return np.where(1.0 - y * y_hat >= 0, -y, 0.0).astype(y_hat.dtype)

    def _check_targets(self, y: Array) -> None:
        _check_labels_pm1(y)


BCE_LOG_FLOOR = -100.0  # torch clamps each log of binary_cross_entropy at −100
_BCE_EPSILON = float(np.float32(1e-12))  # torch's EPSILON is the float 1e-12, i.e. 9.99999996e-13


class BinaryCrossEntropy(Loss):
    """ℓ = −(y·log ŷ + (1 − y)·log(1 − ŷ)) for probabilities ŷ; ∂ℓ/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ))."""

    name = "binary_cross_entropy"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        # log 0 = −inf is clamped at −100 as torch does: the divide-by-zero is the documented case.
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(y_hat), BCE_LOG_FLOOR)
            log_q = np.maximum(np.log(1.0 - y_hat), BCE_LOG_FLOOR)
        return -(y * log_p + (1.0 - y) * log_q)

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        return (y_hat - y) / np.maximum((1.0 - y_hat) * y_hat, _BCE_EPSILON)

    def _checked(self, y_hat: Any, y: Any) -> tuple[Array, Array]:
        y_hat, y = super()._checked(y_hat, y)
        _check_unit_interval("y_hat", y_hat)
        return y_hat, y

    def _check_targets(self, y: Array) -> None:
        _check_unit_interval("y", y)


class BCEWithLogits(Loss):
    """ℓ = (1 − y)·x + log(1 + e^(−x)) for logits x = ŷ, in the stable form; ∂ℓ/∂x = σ(x) − y."""

    name = "bce_with_logits"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        # log(1 + e^(−x)) = max(−x, 0) + log(e^(−max(−x, 0)) + e^(−x − max(−x, 0))): no overflow; one of the
        # two exponentials is 1 and the other may underflow to 0, which changes the sum by less than u.
        m = np.maximum(-y_hat, 0.0)
        with np.errstate(under="ignore"):
            return (1.0 - y) * y_hat + m + np.log(np.exp(-m) + np.exp(-y_hat - m))

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        return logistic(y_hat) - y

    def _check_targets(self, y: Array) -> None:
        _check_unit_interval("y", y)


class CrossEntropy(Loss):
    """ℓ = log Σ_c e^(z_c) − z_y over logits z of shape (batch, classes) and integer labels y of shape
    (batch,); ∂ℓ/∂z = softmax(z) − onehot(y). Log-sum-exp is taken after subtracting the row maximum."""

    name = "cross_entropy"

    # After subtracting the row maximum, e^(z_c − m) ≤ 1 with one term exactly 1: a term underflowing to 0 is
    # below u of the sum, benign.
    def elementwise(self, y_hat: Array, y: Array) -> Array:
        m = y_hat.max(axis=1, keepdims=True)
        with np.errstate(under="ignore"):
            log_sum_exp = (m + np.log(np.exp(y_hat - m).sum(axis=1, keepdims=True)))[:, 0]
        return log_sum_exp - y_hat[np.arange(len(y)), y]

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        with np.errstate(under="ignore"):
            e = np.exp(y_hat - y_hat.max(axis=1, keepdims=True))
        grad = e / e.sum(axis=1, keepdims=True)
        grad[np.arange(len(y)), y] -= 1.0
        return grad

    def _count(self, y_hat: Array) -> int:
        return int(y_hat.shape[0])

    def _checked(self, y_hat: Any, y: Any) -> tuple[Array, Array]:
        y_hat = float_array("y_hat", y_hat)
        if y_hat.ndim != 2 or y_hat.shape[0] == 0 or y_hat.shape[1] == 0:
            raise ValueError(f"y_hat: expected logits of shape (batch, classes), got {y_hat.shape}")
        y = np.asarray(y)
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"y: expected integer class labels, got dtype {y.dtype}")
        check_shape("y", y, (y_hat.shape[0],))
        n_classes = y_hat.shape[1]
        if np.any((y < 0) | (y >= n_classes)):
            bad = int(y[(y < 0) | (y >= n_classes)][0])
            raise ValueError(f"y: expected class labels in 0..{n_classes - 1}, got {bad}")
        return y_hat, y


class ZeroOne(Loss):
    """ℓ = 1[ŷ ≠ y] on predicted labels ŷ (C5, erratum E1): a metric with no useful gradient."""

    name = "zero_one"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        return (y_hat != y).astype(y_hat.dtype)

    def gradient(self, y_hat: Any, y: Any) -> Array:
        raise self._not_differentiable()

    def value_and_gradient(self, y_hat: Any, y: Any) -> tuple[float, Array]:
        raise self._not_differentiable()

    @staticmethod
    def _not_differentiable() -> NotDifferentiableError:
        return NotDifferentiableError(
            "zero_one: the zero-one loss is piecewise constant, so its gradient is 0 almost everywhere and "
            "undefined at the jumps; train with hinge, l1 or a cross-entropy and report zero_one as a metric"
        )


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls
    for cls in (
        HalfSquaredError,
        SquaredError,
        L1,
        Hinge,
        BinaryCrossEntropy,
        BCEWithLogits,
        CrossEntropy,
        ZeroOne,
    )
}


def get_loss(spec: str | Loss, reduction: str = "mean") -> Loss:
    """A loss from its registry name and reduction, or a Loss instance returned as is."""
    if isinstance(spec, Loss):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"loss: expected a name or a Loss, got {type(spec).__name__}")
    if spec not in LOSSES:
        raise ValueError(f"loss: unknown name {spec!r}; expected one of {sorted(LOSSES)}")
    return LOSSES[spec](reduction=reduction)


def _check_labels_pm1(y: Array) -> None:
    if not np.all((y == 1) | (y == -1)):
        bad = y[(y != 1) & (y != -1)][0]
        raise ValueError(f"y: expected labels +1 or -1, got {bad}")


def _check_unit_interval(name: str, values: Array) -> None:
    if np.any((values < 0) | (values > 1)):
        bad = values[(values < 0) | (values > 1)][0]
        raise ValueError(f"{name}: expected values in [0, 1], got {bad}")
