"""handmlp.optim.SGD's contract: torch's refusals, in-place updates, nothing changed by a refused step or
load, and a resumed run identical bit for bit to an uninterrupted one."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
import torch

from handmlp.optim import SGD

Array = Any

MOMENTUM: dict[str, Any] = {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}


def _params(dtype: Any = np.float64, seed: int = 0) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.normal(size=(3, 2)).astype(dtype), "0.bias": rng.normal(size=3).astype(dtype)}


def _grads(step: int, dtype: Any = np.float64) -> dict[str, Array]:
    return _params(dtype, seed=100 + step)


BAD_SETTINGS = [
    {"lr": -0.1},
    {"lr": 0.1, "momentum": -0.5},
    {"lr": 0.1, "weight_decay": -1e-4},
    {"lr": 0.1, "nesterov": True},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
]


@pytest.mark.parametrize("settings", BAD_SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_settings_torch_refuses_raise_value_error_on_both_sides(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        torch.optim.SGD([torch.zeros(2, requires_grad=True)], **settings)
    with pytest.raises(ValueError, match=r"^(lr|momentum|weight_decay|nesterov):"):
        SGD(_params(), **settings)


@pytest.mark.parametrize("lr", [float("nan"), float("inf")])
def test_non_finite_learning_rate_is_refused(lr: float) -> None:
    with pytest.raises(ValueError, match="lr: expected a finite number"):
        SGD(_params(), lr=lr)


@pytest.mark.parametrize(
    ("settings", "match"),
    [({"lr": "0.1"}, "lr: expected a real number"), ({"lr": 0.1, "nesterov": 1}, "nesterov: expected True")],
)
def test_wrongly_typed_settings_raise_type_error(settings: dict[str, Any], match: str) -> None:
    with pytest.raises(TypeError, match=match):
        SGD(_params(), **settings)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ([np.zeros(2)], TypeError, "params: expected a dict"),
        ({}, ValueError, "params: expected at least one"),
        (
            {"w": np.zeros(2, dtype=np.int64)},
            TypeError,
            r"params\['w'\]: expected a float32 or float64 ndarray",
        ),
        ({"w": [0.0, 1.0]}, TypeError, r"params\['w'\]"),
    ],
)
def test_bad_parameter_dicts_are_refused(params: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        SGD(params, lr=0.1)


def test_read_only_parameters_are_refused() -> None:
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        SGD({"w": frozen}, lr=0.1)


def test_step_updates_the_callers_arrays_in_place() -> None:
    params = _params()
    before = {k: v.copy() for k, v in params.items()}
    ids = {k: id(v) for k, v in params.items()}
    SGD(params, lr=0.5).step(_grads(0))
    for name, value in params.items():
        assert id(value) == ids[name]
        np.testing.assert_array_equal(value, before[name] - 0.5 * _grads(0)[name])


def test_step_never_writes_into_the_gradients() -> None:
    grads = _grads(0)
    saved = copy.deepcopy(grads)
    opt = SGD(_params(), **MOMENTUM, maximize=True)
    opt.step(grads)
    opt.step(grads)
    for name in grads:
        np.testing.assert_array_equal(grads[name], saved[name])


def _bad_grads() -> list[tuple[str, Any, type[Exception], str]]:
    good = _grads(5)
    nan = copy.deepcopy(good)
    nan["0.bias"][1] = np.nan
    return [
        ("missing key", {"0.weight": good["0.weight"]}, ValueError, r"missing \['0.bias'\]"),
        ("extra key", {**good, "9.weight": good["0.bias"]}, ValueError, r"unexpected \['9.weight'\]"),
        ("shape", {**good, "0.bias": good["0.bias"][:2]}, ValueError, r"grads\['0.bias'\]: expected shape"),
        ("dtype", {**good, "0.bias": good["0.bias"].astype(np.float32)}, TypeError, "expected dtype float64"),
        ("nan", nan, ValueError, r"grads\['0.bias'\]: expected finite values, got nan at index \(1,\)"),
        ("list", {**good, "0.bias": list(good["0.bias"])}, TypeError, "expected an ndarray"),
        ("not a dict", list(good.values()), TypeError, "grads: expected a dict"),
    ]


@pytest.mark.parametrize(
    ("what", "grads", "error", "match"), _bad_grads(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_refused_step_leaves_parameters_and_buffers_bit_for_bit_unchanged(
    what: str, grads: Any, error: type[Exception], match: str, snapshot: Any
) -> None:
    opt = SGD(_params(), **MOMENTUM)
    opt.step(_grads(0))
    opt.step(_grads(1))
    before = snapshot(opt)
    with pytest.raises(error, match=match):
        opt.step(grads)
    assert snapshot(opt) == before


def test_step_with_a_learning_rate_made_non_finite_later_is_refused_and_changes_nothing(
    snapshot: Any,
) -> None:
    opt = SGD(_params(), **MOMENTUM)
    opt.step(_grads(0))
    opt.lr = float("nan")
    before = snapshot(opt)
    with pytest.raises(ValueError, match="lr: expected a finite number"):
        opt.step(_grads(1))
    assert snapshot(opt) == before


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nesterov", [False, True])
def test_resumed_run_continues_bit_for_bit_as_an_uninterrupted_one(
    dtype: Any, nesterov: bool, snapshot: Any
) -> None:
    settings: dict[str, Any] = {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "nesterov": nesterov}
    straight = SGD(_params(dtype), **settings)
    for step in range(10):
        straight.step(_grads(step, dtype))

    first = SGD(_params(dtype), **settings)
    for step in range(4):
        first.step(_grads(step, dtype))
    saved_params, saved_state = {k: v.copy() for k, v in first.params.items()}, first.state_dict()
    del first
    resumed = SGD(saved_params, lr=1.0)  # hyper-parameters come back from the state too
    resumed.load_state_dict(saved_state)
    for step in range(4, 10):
        resumed.step(_grads(step, dtype))
    assert snapshot(resumed) == snapshot(straight)


def test_state_dict_holds_copies_not_the_live_buffers() -> None:
    opt = SGD(_params(), **MOMENTUM)
    opt.step(_grads(0))
    state = opt.state_dict()
    state["momentum_buffer"]["0.bias"][:] = 123.0
    assert not np.any(opt.momentum_buffers["0.bias"] == 123.0)


def _bad_states() -> list[tuple[str, Any, type[Exception], str]]:
    opt = SGD(_params(), **MOMENTUM)
    opt.step(_grads(0))
    good = opt.state_dict()
    hyper, bufs = good["hyperparameters"], good["momentum_buffer"]
    return [
        ("not a mapping", [], TypeError, "state_dict: expected a mapping"),
        ("missing hyper", {"momentum_buffer": bufs}, ValueError, "state_dict: expected a mapping"),
        ("bad lr", {**good, "hyperparameters": {**hyper, "lr": -1.0}}, ValueError, "lr: expected ≥ 0"),
        ("hyper keys", {**good, "hyperparameters": {"lr": 0.1}}, ValueError, "expected the keys"),
        (
            "unknown buffer",
            {**good, "momentum_buffer": {**bufs, "x": bufs["0.bias"]}},
            ValueError,
            "unexpected",
        ),
        (
            "buffer shape",
            {**good, "momentum_buffer": {**bufs, "0.bias": np.zeros(2)}},
            ValueError,
            r"state_dict\['momentum_buffer'\]\['0.bias'\]: expected shape",
        ),
        (
            "buffer inf",
            {**good, "momentum_buffer": {**bufs, "0.bias": np.full(3, np.inf)}},
            ValueError,
            "expected finite values",
        ),
    ]


@pytest.mark.parametrize(
    ("what", "state", "error", "match"), _bad_states(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_refused_load_leaves_the_optimiser_unchanged(
    what: str, state: Any, error: type[Exception], match: str, snapshot: Any
) -> None:
    opt = SGD(_params(seed=3), lr=0.2, momentum=0.5)
    opt.step(_grads(7))
    before = snapshot(opt)
    with pytest.raises(error, match=match):
        opt.load_state_dict(state)
    assert snapshot(opt) == before


def test_zero_state_restarts_the_buffers_from_the_next_gradient() -> None:
    opt = SGD(_params(), lr=0.1, momentum=0.9, dampening=0.5)
    opt.step(_grads(0))
    opt.zero_state()
    opt.step(_grads(1))
    np.testing.assert_array_equal(opt.momentum_buffers["0.bias"], _grads(1)["0.bias"])


def test_without_momentum_no_buffer_is_kept_like_torch() -> None:
    opt = SGD(_params(), lr=0.1, dampening=0.5, weight_decay=0.1)
    opt.step(_grads(0))
    assert opt.momentum_buffers == {}
    assert "lr=0.1" in repr(opt)


def test_non_string_parameter_names_are_refused() -> None:
    with pytest.raises(TypeError, match="params: expected string keys, got 0"):
        SGD({0: np.zeros(2)}, lr=0.1)  # type: ignore[dict-item]
