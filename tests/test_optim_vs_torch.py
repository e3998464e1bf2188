"""One SGD step of handmlp against torch.optim.SGD, from the same parameters, buffers and gradients, for every
combination of momentum, dampening, Nesterov, weight decay and maximize, in float32 and float64; each held to
the bound `reference.optim.sgd_step_bound` derives. Planted bugs in the order of operations must fail it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from handmlp.optim import (
    SGD,
    apply_weight_decay,
    descent_step,
    momentum_direction,
    signed_gradient,
    update_momentum_buffer,
)
from reference.twins.optim import compare_one_step
from tests.sgd_cases import SETTINGS, SHAPES

Array = Any


def _arrays(dtype: Any, seed: int) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=shape).astype(dtype) for name, shape in SHAPES.items()}


def _id(hyper: dict[str, Any]) -> str:
    return "-".join(f"{k}={v}" for k, v in hyper.items() if k != "lr")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("with_buffer", [False, True], ids=["first_step", "later_step"])
@pytest.mark.parametrize("hyper", SETTINGS, ids=[_id(h) for h in SETTINGS])
def test_one_step_matches_torch_sgd_within_derived_bound(
    hyper: dict[str, Any], with_buffer: bool, dtype: Any
) -> None:
    params, grads = _arrays(dtype, 1), _arrays(dtype, 2)
    buffers = _arrays(dtype, 3) if with_buffer and hyper["momentum"] else {}
    result = compare_one_step(SGD, params, grads, buffers, hyper)  # raises, naming everything, on failure
    assert result.ratio <= 1.0


def test_float64_step_without_momentum_is_bitwise_torchs() -> None:
    """p − η·g is one product and one subtraction (or one fused multiply-add) of exact inputs: the same
    correctly rounded result on both sides whenever η·g is exact, as it is for η a power of two."""
    params, grads = _arrays(np.float64, 1), _arrays(np.float64, 2)
    result = compare_one_step(SGD, params, grads, {}, {"lr": 0.125})
    assert result.roundoff_units == 0.0


# --- planted bugs: each is a realistic mistake in the order of operations, and the check must catch it ----


class WeightDecayAfterMomentum(SGD):
    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        g = signed_gradient(grad, self.maximize)
        new_buf = update_momentum_buffer(buf, g, self.momentum, self.dampening)
        g = apply_weight_decay(
            momentum_direction(g, new_buf, self.momentum, self.nesterov), p, self.weight_decay
        )
        return descent_step(p, g, self.lr), new_buf


class DampenedFirstBuffer(SGD):
    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        g = apply_weight_decay(signed_gradient(grad, self.maximize), p, self.weight_decay)
        new_buf = (
            (1.0 - self.dampening) * g
            if buf is None
            else update_momentum_buffer(buf, g, self.momentum, self.dampening)
        )
        return descent_step(p, momentum_direction(g, new_buf, self.momentum, self.nesterov), self.lr), new_buf


class NesterovWithOldBuffer(SGD):
    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        g = apply_weight_decay(signed_gradient(grad, self.maximize), p, self.weight_decay)
        new_buf = update_momentum_buffer(buf, g, self.momentum, self.dampening)
        old = new_buf if buf is None else buf
        return descent_step(p, g + self.momentum * old, self.lr), new_buf


class MaximizeAtTheEnd(SGD):
    """torch before 1.13 flipped the step's sign for maximize, so weight decay was flipped with it."""

    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        g = apply_weight_decay(grad, p, self.weight_decay)
        return descent_step(p, g, -self.lr if self.maximize else self.lr), None


class AscentSign(SGD):
    """Erratum E2: θ ← θ + η·∂L/∂θ."""

    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        return descent_step(p, grad, -self.lr), None


class StepSizeOffByOnePpm(SGD):
    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        return descent_step(p, grad, self.lr * (1.0 + 1e-6)), None


PLANTED = [
    (WeightDecayAfterMomentum, {"momentum": 0.9, "weight_decay": 0.05}, True),
    (DampenedFirstBuffer, {"momentum": 0.9, "dampening": 0.3}, False),
    (NesterovWithOldBuffer, {"momentum": 0.9, "nesterov": True}, True),
    (MaximizeAtTheEnd, {"weight_decay": 0.05, "maximize": True}, False),
    (AscentSign, {}, False),
    (StepSizeOffByOnePpm, {}, False),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("buggy", "settings", "with_buffer"), PLANTED, ids=[p[0].__name__ for p in PLANTED])
def test_planted_optimizer_bug_fails_the_one_step_check(
    buggy: type[SGD], settings: dict[str, Any], with_buffer: bool, dtype: Any
) -> None:
    if buggy is StepSizeOffByOnePpm and dtype is np.float32:
        pytest.skip("a 1e-6 relative change is below float32's resolution of a step (u = 6e-8 per rounding)")
    params, grads = _arrays(dtype, 1), _arrays(dtype, 2)
    buffers = _arrays(dtype, 3) if with_buffer else {}
    hyper = {"lr": 0.1, **settings}
    compare_one_step(SGD, params, grads, buffers, hyper)  # the correct optimiser passes …
    with pytest.raises(AssertionError, match=r"param|momentum buffer"):
        compare_one_step(buggy, params, grads, buffers, hyper)  # … the planted bug does not


class ForgetsTheBuffer(SGD):
    """Momentum as if every step were the first: the buffer is never kept."""

    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        return descent_step(p, grad, self.lr), None


def test_optimizer_that_keeps_no_momentum_buffer_fails_the_check() -> None:
    params, grads = _arrays(np.float64, 1), _arrays(np.float64, 2)
    with pytest.raises(AssertionError, match="momentum buffers: handmlp keeps"):
        compare_one_step(ForgetsTheBuffer, params, grads, {}, {"lr": 0.1, "momentum": 0.9})
