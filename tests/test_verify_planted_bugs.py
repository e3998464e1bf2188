"""`handmlp verify` reddens for a realistic single-site bug planted in each family of what handmlp ships:
activation derivatives, loss gradients, loss stability, SGD options, batching, the checker's calibration,
and the network's backpropagation. Each bug is planted with monkeypatch and the cases that must catch it are
run through `reference.conformance.report.run`, as `handmlp verify ID …` runs them; without the bug the same
cases pass (tests/test_catalog.py runs every case)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import handmlp.activations as activations
import handmlp.batching as batching
import handmlp.gradcheck.bounds as gradcheck_bounds
import handmlp.gradcheck.estimator as gradcheck_estimator
import handmlp.losses as losses
import handmlp.mlp as mlp
import handmlp.optim as optim
import handmlp.train as train
from handmlp.linear import linear_backward
from reference.conformance.report import run

Array = Any
Plant = Callable[[pytest.MonkeyPatch], None]


def _statuses(ids: list[str]) -> dict[str, str]:
    return {r.case.id: r.status for r in run(ids=ids).results}


# --- the bugs ---------------------------------------------------------------------------------------------


def relu_derivative_one_at_zero(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(activations.ReLU, "gradient", lambda self, z, a=None: (z >= 0).astype(z.dtype))


def leaky_relu_derivative_one_at_zero(mp: pytest.MonkeyPatch) -> None:
    def gradient(self: Any, z: Array, a: Array | None = None) -> Array:
        return np.where(z >= 0, 1.0, self.negative_slope).astype(z.dtype)

    mp.setattr(activations.LeakyReLU, "gradient", gradient)


def elu_derivative_without_alpha(mp: pytest.MonkeyPatch) -> None:
    def gradient(self: Any, z: Array, a: Array | None = None) -> Array:
        return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0))).astype(z.dtype)

    mp.setattr(activations.ELU, "gradient", gradient)


def hardtanh_derivative_one_at_the_edges(mp: pytest.MonkeyPatch) -> None:
    def gradient(self: Any, z: Array, a: Array | None = None) -> Array:
        return ((z >= self.min_val) & (z <= self.max_val)).astype(z.dtype)

    mp.setattr(activations.Hardtanh, "gradient", gradient)


def softsign_derivative_not_squared(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(activations.Softsign, "gradient", lambda self, z, a=None: 1.0 / (1.0 + np.abs(z)))


def silu_derivative_missing_a_term(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(activations.SiLU, "gradient", lambda self, z, a=None: activations.logistic(z))


def gelu_derivative_without_the_density_term(mp: pytest.MonkeyPatch) -> None:
    original = activations.GELU.gradient

    def gradient(self: Any, z: Array, a: Array | None = None) -> Array:
        if self.approximate == "tanh":
            return original(self, z, a)
        return 0.5 * (1.0 + activations.erf(z * np.sqrt(0.5)))

    mp.setattr(activations.GELU, "gradient", gradient)


def softplus_threshold_inclusive(mp: pytest.MonkeyPatch) -> None:
    def gradient(self: Any, z: Array, a: Array | None = None) -> Array:
        return np.where(z * self.beta >= 20.0 / self.beta, 1.0, activations.logistic(z * self.beta)).astype(
            z.dtype
        )

    mp.setattr(activations.Softplus, "gradient", gradient)


def prelu_slope_gradient_unmasked(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(activations.PReLU, "parameter_gradients", lambda self, z: {"weight": z.copy()})


def sigmoid_derivative_is_sigma(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(activations.Sigmoid, "gradient", lambda self, z, a=None: activations.logistic(z))


def hinge_margin_excluded(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(losses.Hinge, "elementwise_gradient", lambda self, y_hat, y: np.where(y * y_hat < 1, -y, 0.0))


def l1_gradient_one_at_equality(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(losses.L1, "elementwise_gradient", lambda self, y_hat, y: np.where(y_hat >= y, 1.0, -1.0))


def squared_error_gradient_without_the_two(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(losses.SquaredError, "elementwise_gradient", lambda self, y_hat, y: y_hat - y)


def cross_entropy_mean_over_elements(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(losses.CrossEntropy, "_count", lambda self, y_hat: int(y_hat.size))


def bce_gradient_unclamped(mp: pytest.MonkeyPatch) -> None:
    def gradient(self: Any, y_hat: Array, y: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (y_hat - y) / ((1.0 - y_hat) * y_hat)

    mp.setattr(losses.BinaryCrossEntropy, "elementwise_gradient", gradient)


def bce_with_logits_naive(mp: pytest.MonkeyPatch) -> None:
    def elementwise(self: Any, y_hat: Array, y: Array) -> Array:
        with np.errstate(over="ignore"):
            return (1.0 - y) * y_hat + np.log1p(np.exp(-y_hat))

    mp.setattr(losses.BCEWithLogits, "elementwise", elementwise)


def cross_entropy_without_the_max(mp: pytest.MonkeyPatch) -> None:
    def elementwise(self: Any, y_hat: Array, y: Array) -> Array:
        with np.errstate(over="ignore"):
            return np.log(np.exp(y_hat).sum(axis=1)) - y_hat[np.arange(len(y)), y]

    mp.setattr(losses.CrossEntropy, "elementwise", elementwise)


def softmax_without_the_max(mp: pytest.MonkeyPatch) -> None:
    def elementwise_gradient(self: Any, y_hat: Array, y: Array) -> Array:
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(y_hat)
            grad = e / e.sum(axis=1, keepdims=True)
        grad[np.arange(len(y)), y] -= 1.0
        return grad

    mp.setattr(losses.CrossEntropy, "elementwise_gradient", elementwise_gradient)


def bce_log_unclamped(mp: pytest.MonkeyPatch) -> None:
    def elementwise(self: Any, y_hat: Array, y: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return -(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))

    mp.setattr(losses.BinaryCrossEntropy, "elementwise", elementwise)


def maximize_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(optim, "signed_gradient", lambda grad, maximize: grad)


def dampening_on_the_first_buffer(mp: pytest.MonkeyPatch) -> None:
    def update(buf: Array | None, g: Array, momentum: float, dampening: float) -> Array:
        return (1.0 - dampening) * g if buf is None else momentum * buf + (1.0 - dampening) * g

    mp.setattr(optim, "update_momentum_buffer", update)


def dampening_ignored(mp: pytest.MonkeyPatch) -> None:
    def update(buf: Array | None, g: Array, momentum: float, dampening: float) -> Array:
        return g.copy() if buf is None else momentum * buf + g

    mp.setattr(optim, "update_momentum_buffer", update)


def nesterov_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(optim, "momentum_direction", lambda g, buf, momentum, nesterov: buf)


def weight_decay_subtracted(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(optim, "apply_weight_decay", lambda g, p, weight_decay: g - weight_decay * p)


def drop_last_ignored(mp: pytest.MonkeyPatch) -> None:
    original = batching.iterations_per_epoch
    mp.setattr(batching, "iterations_per_epoch", lambda n, b, drop_last=False: original(n, b, False))


def fit_ignores_drop_last(mp: pytest.MonkeyPatch) -> None:
    original = train.batch_schedule
    mp.setattr(
        train,
        "batch_schedule",
        lambda n, b, epochs, seed, shuffle, drop_last: original(n, b, epochs, seed, shuffle),
    )


def reseeded_every_epoch(mp: pytest.MonkeyPatch) -> None:
    original = batching.epoch_batches

    def epoch_batches(n: int, b: Any, rng: Any = None, drop_last: bool = False) -> Any:
        return original(n, b, None if rng is None else np.random.default_rng(0), drop_last)

    mp.setattr(batching, "epoch_batches", epoch_batches)


def seed_ignored(mp: pytest.MonkeyPatch) -> None:
    original = batching.batch_schedule

    def batch_schedule(n: int, b: Any, epochs: int, seed: Any = 0, *args: Any, **kw: Any) -> Any:
        return original(n, b, epochs, None, *args, **kw)

    mp.setattr(batching, "batch_schedule", batch_schedule)
    mp.setattr(train, "batch_schedule", batch_schedule)


def checker_bound_loosened_tenfold(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(gradcheck_bounds, "BOUND_SAFETY", 10 * gradcheck_bounds.BOUND_SAFETY)


def checker_noise_loosened_tenfold(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(gradcheck_estimator, "NOISE_SIGMAS", 10 * gradcheck_estimator.NOISE_SIGMAS)


def checker_roundoff_loosened_tenfold(mp: pytest.MonkeyPatch) -> None:
    original = gradcheck_estimator.Roundoff.of
    mp.setattr(gradcheck_estimator.Roundoff, "of", lambda self, values: 10 * original(self, values))


def bias_gradient_dropped(mp: pytest.MonkeyPatch) -> None:
    def backward(delta: Array, a_prev: Array, weight: Array) -> tuple[Array, ...]:
        grad_w, grad_b, grad_a = linear_backward(delta, a_prev, weight)
        return grad_w, 0 * grad_b, grad_a

    mp.setattr(mlp, "linear_backward", backward)


# family → [(bug, the verify cases that must go red)]
PLANTED: dict[str, list[tuple[Plant, list[str]]]] = {
    "activation derivative": [
        (relu_derivative_one_at_zero, ["C3/relu"]),
        (leaky_relu_derivative_one_at_zero, ["C3/leaky_relu"]),
        (elu_derivative_without_alpha, ["C3/elu"]),
        (hardtanh_derivative_one_at_the_edges, ["C3/hardtanh"]),
        (softsign_derivative_not_squared, ["C3/softsign"]),
        (silu_derivative_missing_a_term, ["C3/silu"]),
        (gelu_derivative_without_the_density_term, ["C3/gelu"]),
        (softplus_threshold_inclusive, ["C3/softplus"]),
        (prelu_slope_gradient_unmasked, ["C14/prelu", "C14/prelu_slope"]),
    ],
    "loss gradient": [
        (hinge_margin_excluded, ["C5/hinge", "C5/hinge_both_reductions"]),
        (l1_gradient_one_at_equality, ["C5/l1", "C5/l1_both_reductions"]),
        (squared_error_gradient_without_the_two, ["C5/l2", "C5/squared_error_both_reductions"]),
        (cross_entropy_mean_over_elements, ["C5/cross_entropy_both_reductions", "C5/cross_entropy_extreme"]),
        (bce_gradient_unclamped, ["C5/binary_cross_entropy_both_reductions"]),
    ],
    "loss stability": [
        (bce_with_logits_naive, ["C5/bce_with_logits_extreme"]),
        (cross_entropy_without_the_max, ["C5/cross_entropy_extreme"]),
        (softmax_without_the_max, ["C5/cross_entropy_extreme"]),
        (bce_log_unclamped, ["C5/binary_cross_entropy_extreme"]),
    ],
    "SGD option": [
        (maximize_ignored, ["C8/sgd_maximize", "C8/sgd_all_options", "C8/sgd_first_buffer"]),
        (dampening_on_the_first_buffer, ["C8/sgd_dampening", "C8/sgd_first_buffer", "C8/sgd_all_options"]),
        (dampening_ignored, ["C8/sgd_dampening", "C8/sgd_first_buffer", "C8/sgd_all_options"]),
        (nesterov_ignored, ["C8/sgd_nesterov", "C8/sgd_nesterov_weight_decay_maximize"]),
        (weight_decay_subtracted, ["C8/sgd_weight_decay", "C8/sgd_maximize", "C8/sgd_all_options"]),
    ],
    "batching": [
        (drop_last_ignored, ["C13/batches_per_epoch", "C13/every_sample_once", "C13/iterations_per_epoch"]),
        (fit_ignores_drop_last, ["C13/batches_per_epoch", "C13/every_sample_once"]),
        (reseeded_every_epoch, ["C13/shuffle_reproducible"]),
        (seed_ignored, ["C13/shuffle_reproducible"]),
    ],
    "checker calibration": [
        (checker_bound_loosened_tenfold, ["C15/calibration_elementwise", "C15/calibration_gradient"]),
        (checker_noise_loosened_tenfold, ["C15/calibration_gradient"]),
        (checker_roundoff_loosened_tenfold, ["C15/calibration_elementwise", "C15/calibration_gradient"]),
    ],
    "network backpropagation": [
        (
            sigmoid_derivative_is_sigma,
            ["C3/sigmoid", "C3/sigmoid_derivative", "C3/logistic_unit", "C9/dL_dw1"],
        ),
        (bias_gradient_dropped, ["C9/dL_db", "C3/logistic_unit", "C10/delta_rule"]),
    ],
}

CASES = [(family, plant, ids) for family, bugs in PLANTED.items() for plant, ids in bugs]


@pytest.mark.parametrize(("family", "plant", "ids"), CASES, ids=[f"{c[0]}-{c[1].__name__}" for c in CASES])
def test_verify_reddens_for_the_planted_bug(
    family: str, plant: Plant, ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plant(monkeypatch)
    statuses = _statuses(ids)
    assert set(statuses) == set(ids)
    passed = sorted(case_id for case_id, status in statuses.items() if status == "pass")
    assert not passed, f"{family}: {plant.__name__} went unnoticed by {passed}"


def test_every_family_of_the_issue_has_a_planted_bug() -> None:
    assert set(PLANTED) == {
        "activation derivative",
        "loss gradient",
        "loss stability",
        "SGD option",
        "batching",
        "checker calibration",
        "network backpropagation",
    }
    assert all(len(bugs) >= 1 for bugs in PLANTED.values())
