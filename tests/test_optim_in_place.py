"""The in-place SGD step is torch's update in torch's order, bit for bit the allocating formulas, and a
steady-state training step allocates no array the size of a parameter (measured with tracemalloc)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from handmlp.losses import get_loss
from handmlp.mlp import MLP
from handmlp.optim import (
    SGD,
    apply_weight_decay,
    descent_step,
    momentum_direction,
    signed_gradient,
    update_momentum_buffer,
)
from handmlp.train import train_step
from tests.memory import peak_bytes

Array = Any

SETTINGS = [
    {"momentum": m, "dampening": d, "weight_decay": w, "nesterov": n, "maximize": x}
    for m, d, w, n, x in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.05], [False, True], [False, True])
    if not (n and (m == 0.0 or d != 0.0))
]


def _allocating_step(
    p: Array, grad: Array, buf: Array | None, h: dict[str, Any]
) -> tuple[Array, Array | None]:
    """The update lines with fresh arrays everywhere (out=None), as written before the in-place step."""
    g = signed_gradient(grad, h["maximize"])
    if h["weight_decay"] != 0.0:
        g = apply_weight_decay(g, p, h["weight_decay"])
    if h["momentum"] != 0.0:
        buf = update_momentum_buffer(buf, g, h["momentum"], h["dampening"])
        g = momentum_direction(g, buf, h["momentum"], h["nesterov"])
    return descent_step(p, g, h["lr"]), buf if h["momentum"] != 0.0 else None


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("settings", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_in_place_step_is_bit_for_bit_the_allocating_formulas(settings: dict[str, Any], dtype: Any) -> None:
    rng = np.random.default_rng(3)
    params = {"w": rng.normal(size=(5, 4)).astype(dtype), "b": rng.normal(size=5).astype(dtype)}
    expected = {k: v.copy() for k, v in params.items()}
    buffers: dict[str, Array | None] = {k: None for k in params}
    hyper = {"lr": 0.1, **settings}
    opt = SGD(params, **hyper)
    for _ in range(4):  # the first step starts the buffers, the others update them
        grads = {k: rng.normal(size=v.shape).astype(dtype) for k, v in params.items()}
        kept = {k: g.copy() for k, g in grads.items()}
        opt.step(grads)
        for k in params:
            expected[k], buffers[k] = _allocating_step(expected[k], grads[k], buffers[k], hyper)
            assert params[k].tobytes() == expected[k].tobytes(), k
            assert grads[k].tobytes() == kept[k].tobytes(), f"{k}: the step wrote into the gradient"
            if buffers[k] is not None:
                assert opt.momentum_buffers[k].tobytes() == buffers[k].tobytes(), k  # type: ignore[union-attr]


@pytest.mark.parametrize("settings", [{}, {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}])
def test_steady_state_optimizer_step_allocates_nothing_the_size_of_a_parameter(
    settings: dict[str, Any],
) -> None:
    rng = np.random.default_rng(0)
    params = {"w": rng.normal(size=(300, 200)), "b": rng.normal(size=300)}
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    opt = SGD(params, lr=1e-3, **settings)
    opt.step(grads)  # the first step allocates the scratch arrays and the momentum buffers
    opt.step(grads)
    assert peak_bytes(lambda: opt.step(grads)) < params["w"].nbytes // 10


def test_steady_state_training_step_allocates_no_gradient_or_parameter_sized_array() -> None:
    rng = np.random.default_rng(0)
    net = MLP([200, 300, 2], "sigmoid", seed=0)
    opt = SGD(net.parameters(), lr=0.1, momentum=0.9)
    loss = get_loss("half_squared_error")
    x, y = rng.normal(size=(4, 200)), rng.uniform(size=(4, 2))
    for _ in range(2):
        train_step(net, loss, opt, x, y)
    # what remains are the batch's activations (4 × 300 values, a few at a time), not the 300 × 200 weight
    assert peak_bytes(lambda: train_step(net, loss, opt, x, y)) < net.weights[0].nbytes // 4


def test_train_step_is_bit_for_bit_the_public_forward_backward_and_step() -> None:
    rng = np.random.default_rng(1)
    nets = [MLP([6, 5, 3], ["prelu", "sigmoid"], seed=4) for _ in range(2)]
    opts = [SGD(n.parameters(), lr=0.2, momentum=0.5, weight_decay=0.01) for n in nets]
    loss = get_loss("half_squared_error")
    for _ in range(3):
        x, y = rng.normal(size=(4, 6)), rng.uniform(size=(4, 3))
        value = train_step(nets[0], loss, opts[0], x, y)
        reference, grads = nets[1].loss_and_gradients(x, y, loss)
        opts[1].step(grads)
        assert value == reference
        for k, v in nets[1].parameters().items():
            assert nets[0].parameters()[k].tobytes() == v.tobytes(), k


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_finite_check_of_a_large_gradient_names_the_bad_element(dtype: Any, bad: float, layout: str) -> None:
    """The fast path (Σx² by BLAS, or Σx) sees every NaN and ±Inf, and a finite overflow falls back to the
    element by element check instead of refusing."""
    params = {"w": np.zeros((100, 80), dtype)}
    opt = SGD(params, lr=0.1)
    grad = np.full((100, 80) if layout == "contiguous" else (80, 100), np.finfo(dtype).max / 2, dtype)
    grad = grad if layout == "contiguous" else grad.T
    opt.step({"w": grad})  # huge but finite: Σx² overflows, the element check passes it
    grad = grad.copy() if layout == "contiguous" else grad
    grad[57, 3] = bad
    with pytest.raises(ValueError, match=r"grads\['w'\]: expected finite values, got .* at index \(57, 3\)"):
        opt.step({"w": grad})
