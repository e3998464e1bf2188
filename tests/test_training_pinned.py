"""What the rest of the suite left loose in handmlp.optim and handmlp.train, pinned (the mutation run's
survivors): torch's defaults, every refusal's exact message, the allocation-free step for every setting,
steps and fits that cannot be stopped half way by np.errstate(all="raise"), dampening 1, a reassigned
hyper-parameter re-checked by type, and fit's defaults, tallies, hooks and progress lines.
NumPy only: the torch side of these behaviours is pinned by the *_vs_torch modules."""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import handmlp.progress
import handmlp.train
from handmlp.losses import Loss, get_loss
from handmlp.mlp import MLP
from handmlp.optim import SGD
from handmlp.train import History, fit, train_step
from tests.memory import peak_bytes

Array = Any


# every combination torch accepts (Nesterov needs momentum and no dampening), as in tests/sgd_cases.py, which
# is not imported so that this NumPy-only module stays out of the torch marker
SETTINGS = [
    {"lr": 0.1, "momentum": m, "dampening": d, "weight_decay": w, "nesterov": n, "maximize": x}
    for m, d, w, n, x in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.05], [False, True], [False, True])
    if not (n and (m == 0.0 or d != 0.0))
]


def _params(seed: int = 0) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.normal(size=(3, 2)), "0.bias": rng.normal(size=3)}


# --- optim: defaults, messages, repr ----------------------------------------------------------------------


def test_sgd_defaults_are_torchs() -> None:
    """torch.optim.SGD(params, lr): momentum, dampening and weight_decay 0, nesterov and maximize False."""
    assert SGD(_params(), lr=0.25).hyperparameters() == {
        "lr": 0.25,
        "momentum": 0.0,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": False,
        "maximize": False,
    }


def test_zero_is_accepted_for_every_non_negative_setting_as_torch_accepts_it() -> None:
    opt = SGD(_params(), lr=0.0, momentum=0.0, weight_decay=0.0)
    assert (opt.lr, opt.momentum, opt.weight_decay) == (0.0, 0.0, 0.0)


SETTING_REFUSALS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"lr": -0.1}, ValueError, "lr: expected ≥ 0, got -0.1 (torch: Invalid learning rate: -0.1)"),
    (
        {"lr": 0.1, "momentum": -0.5},
        ValueError,
        "momentum: expected ≥ 0, got -0.5 (torch: Invalid momentum value: -0.5)",
    ),
    (
        {"lr": 0.1, "weight_decay": -0.25},
        ValueError,
        "weight_decay: expected ≥ 0, got -0.25 (torch: Invalid weight_decay value: -0.25)",
    ),
    ({"lr": 0.1, "dampening": "x"}, TypeError, "dampening: expected a real number, got str 'x'"),
    ({"lr": 0.1, "dampening": float("inf")}, ValueError, "dampening: expected a finite number, got inf"),
    ({"lr": 0.1, "momentum": None}, TypeError, "momentum: expected a real number, got NoneType None"),
    ({"lr": 0.1, "nesterov": 1}, TypeError, "nesterov: expected True or False, got int 1"),
    ({"lr": 0.1, "maximize": 1}, TypeError, "maximize: expected True or False, got int 1"),
    (
        {"lr": 0.1, "nesterov": True},
        ValueError,
        "nesterov: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum=0.0, "
        "dampening=0.0",
    ),
    (
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
        ValueError,
        "nesterov: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum=0.9, "
        "dampening=0.1",
    ),
]


@pytest.mark.parametrize(
    ("settings", "error", "message"), SETTING_REFUSALS, ids=[m for _, _, m in SETTING_REFUSALS]
)
def test_every_refused_setting_names_the_argument_and_torchs_words(
    settings: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        SGD(_params(), **settings)
    assert str(info.value) == message


def _read_only() -> Array:
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    return frozen


PARAM_REFUSALS: list[tuple[Any, type[Exception], str]] = [
    ([np.zeros(2)], TypeError, "params: expected a dict of name to ndarray, got list"),
    ({}, ValueError, "params: expected at least one parameter, got an empty dict"),
    ({0: np.zeros(2)}, TypeError, "params: expected string keys, got 0"),
    (
        {"w": np.zeros(2, dtype=np.int64)},
        TypeError,
        "params['w']: expected a float32 or float64 ndarray (updated in place), got ndarray int64",
    ),
    (
        {"w": [0.0, 1.0]},
        TypeError,
        "params['w']: expected a float32 or float64 ndarray (updated in place), got list ",
    ),
    ({"w": _read_only()}, ValueError, "params['w']: expected a writeable array, it is read-only"),
]


@pytest.mark.parametrize(
    ("params", "error", "message"), PARAM_REFUSALS, ids=[m for _, _, m in PARAM_REFUSALS]
)
def test_every_refused_parameter_dict_is_named_in_the_message(
    params: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        SGD(params, lr=0.1)
    assert str(info.value) == message


def _grad_refusals() -> list[tuple[Any, type[Exception], str]]:
    g = _params(1)
    inf = g["0.bias"].copy()
    inf[1] = np.inf
    keys = "grads: keys do not match the parameters: "
    return [
        ([g["0.bias"]], TypeError, "grads: expected a dict of name to ndarray, got list"),
        ({"0.weight": g["0.weight"]}, ValueError, keys + "missing ['0.bias'], unexpected []"),
        ({**g, "x": g["0.bias"]}, ValueError, keys + "missing [], unexpected ['x']"),
        (
            {"0.weight": g["0.weight"], "x": g["0.bias"]},
            ValueError,
            keys + "missing ['0.bias'], unexpected ['x']",
        ),
        ({**g, "0.bias": [0.0, 0.0, 0.0]}, TypeError, "grads['0.bias']: expected an ndarray, got list"),
        (
            {**g, "0.bias": g["0.bias"].astype(np.float32)},
            TypeError,
            "grads['0.bias']: expected dtype float64 like the parameter, got float32",
        ),
        (
            {**g, "0.bias": g["0.bias"][:2]},
            ValueError,
            "grads['0.bias']: expected shape (3,) like the parameter, got (2,)",
        ),
        ({**g, "0.bias": inf}, ValueError, "grads['0.bias']: expected finite values, got inf at index (1,)"),
    ]


@pytest.mark.parametrize(
    ("grads", "error", "message"), _grad_refusals(), ids=[m for _, _, m in _grad_refusals()]
)
def test_every_refused_gradient_dict_is_named_in_the_message(
    grads: Any, error: type[Exception], message: str, snapshot: Any
) -> None:
    opt = SGD(_params(), lr=0.1, momentum=0.5)
    opt.step(_params(2))
    before = snapshot(opt)
    with pytest.raises(error) as info:
        opt.step(grads)
    assert str(info.value) == message
    assert snapshot(opt) == before


def _state_refusals() -> list[tuple[Any, type[Exception], str]]:
    opt = SGD(_params(), lr=0.1, momentum=0.5)
    opt.step(_params(1))
    state = opt.state_dict()
    hyper, bufs = state["hyperparameters"], state["momentum_buffer"]
    keys = "state_dict: expected a mapping with keys 'hyperparameters' and 'momentum_buffer', got "
    return [
        ([], TypeError, keys + "list"),
        ({"momentum_buffer": bufs}, ValueError, keys + "['momentum_buffer']"),
        ({1: hyper, "momentum_buffer": bufs}, ValueError, keys + "[1, 'momentum_buffer']"),
        (
            {"hyperparameters": [], "momentum_buffer": bufs},
            TypeError,
            "state_dict['hyperparameters']: expected a mapping, got list",
        ),
        (
            {"hyperparameters": {"lr": 0.1, 2: 0.0}, "momentum_buffer": bufs},
            ValueError,
            "state_dict['hyperparameters']: expected the keys ['dampening', 'lr', 'maximize', 'momentum', "
            "'nesterov', 'weight_decay'], got [2, 'lr']",
        ),
        (
            {"hyperparameters": {**hyper, "lr": -1.0}, "momentum_buffer": bufs},
            ValueError,
            "lr: expected ≥ 0, got -1.0 (torch: Invalid learning rate: -1.0)",
        ),
        (
            {"hyperparameters": hyper, "momentum_buffer": []},
            TypeError,
            "state_dict['momentum_buffer']: expected a dict of name to ndarray, got list",
        ),
        (
            {"hyperparameters": hyper, "momentum_buffer": {**bufs, "x": bufs["0.bias"]}},
            ValueError,
            "state_dict['momentum_buffer']: keys do not match the parameters: missing [], unexpected ['x']",
        ),
        (
            {"hyperparameters": hyper, "momentum_buffer": {**bufs, "0.bias": np.zeros(2)}},
            ValueError,
            "state_dict['momentum_buffer']['0.bias']: expected shape (3,) like the parameter, got (2,)",
        ),
    ]


@pytest.mark.parametrize(
    ("state", "error", "message"), _state_refusals(), ids=[m for _, _, m in _state_refusals()]
)
def test_every_refused_state_dict_is_named_in_the_message(
    state: Any, error: type[Exception], message: str, snapshot: Any
) -> None:
    opt = SGD(_params(), lr=0.2, momentum=0.5)
    opt.step(_params(3))
    before = snapshot(opt)
    with pytest.raises(error) as info:
        opt.load_state_dict(state)
    assert str(info.value) == message
    assert snapshot(opt) == before


def test_state_without_buffers_loads_and_restarts_them_from_the_next_gradient() -> None:
    """A state saved before the first step (or without momentum) has no buffers: loading it is valid."""
    params = _params()
    saved = SGD(_params(), lr=0.5, momentum=0.25, dampening=0.5).state_dict()
    assert saved["momentum_buffer"] == {}
    opt = SGD(params, lr=1.0)
    opt.load_state_dict(saved)
    assert opt.hyperparameters() == saved["hyperparameters"]
    assert opt.momentum_buffers == {}
    grad = _params(4)
    opt.step(grad)
    for name in params:
        np.testing.assert_array_equal(opt.momentum_buffers[name], grad[name])


def test_repr_lists_every_setting() -> None:
    assert repr(SGD(_params(), lr=0.5, momentum=0.25, weight_decay=0.125, maximize=True)) == (
        "SGD(2 parameters, lr=0.5, momentum=0.25, dampening=0.0, weight_decay=0.125, nesterov=False, "
        "maximize=True)"
    )


# --- optim: the step ------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_steady_state_step_allocates_nothing_the_size_of_a_parameter_for_every_setting(
    settings: dict[str, Any],
) -> None:
    """Every intermediate of every update line lives in the two scratch arrays or the buffer (out=…): with
    maximize, dampening, weight decay, momentum or Nesterov, a step after the first allocates no array the
    size of a parameter (one would be 160 kB here, ten times the bound)."""
    rng = np.random.default_rng(0)
    params = {"w": rng.normal(size=(200, 100))}
    grads = {"w": rng.normal(size=(200, 100))}
    opt = SGD(params, **{**settings, "lr": 1e-3})
    opt.step(grads)  # the first step allocates the scratch arrays and the momentum buffer
    opt.step(grads)
    assert peak_bytes(lambda: opt.step(grads)) < params["w"].nbytes // 10


def test_step_under_errstate_raise_finishes_even_when_it_overflows() -> None:
    """ "Nothing can fail after the checks": an update that overflows (p − η·g beyond the largest float),
    and the next one that meets that inf (inf − inf in weight decay's update), both finish under
    np.errstate(all="raise"); the non-finite parameters are the next gradient's problem."""
    huge = np.finfo(np.float64).max
    params = {"w": np.full(2, huge), "b": np.ones(2)}
    opt = SGD(params, lr=1.0, weight_decay=0.5)
    with np.errstate(all="raise"):
        opt.step({"w": np.full(2, -huge), "b": np.zeros(2)})  # w − (−huge + huge/2) overflows
        np.testing.assert_array_equal(params["w"], [np.inf, np.inf])
        np.testing.assert_array_equal(params["b"], [0.5, 0.5])
        opt.step({"w": np.zeros(2), "b": np.zeros(2)})  # inf − 1·(0 + 0.5·inf) is invalid: NaN
    assert np.all(np.isnan(params["w"]))
    np.testing.assert_array_equal(params["b"], [0.25, 0.25])


def test_dampening_one_keeps_only_the_first_gradient_in_the_buffer() -> None:
    """torch: b_t = μ·b_(t−1) + (1 − 1)·g_t, so with τ = 1 later gradients add nothing (0·g is ±0)."""
    params = _params()
    start = {k: v.copy() for k, v in params.items()}
    g1, g2 = _params(1), _params(2)
    opt = SGD(params, lr=0.5, momentum=0.5, dampening=1.0)
    opt.step(g1)
    opt.step(g2)
    for name, p in params.items():
        buffer = g1[name] * 0.5
        np.testing.assert_array_equal(opt.momentum_buffers[name], buffer)
        np.testing.assert_array_equal(p, (start[name] - g1[name] * 0.5) - buffer * 0.5)


def test_weight_decay_one_adds_the_whole_parameter_to_the_gradient() -> None:
    """torch: g ← g + λ·p with λ = 1 is g + p; no value of λ but 0 skips the line."""
    params = _params()
    start = {k: v.copy() for k, v in params.items()}
    grads = _params(1)
    SGD(params, lr=0.5, weight_decay=1.0).step(grads)
    for name, p in params.items():
        np.testing.assert_array_equal(p, start[name] - (grads[name] + start[name] * 1.0) * 0.5)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("maximize", 0, "maximize: expected True or False, got int 0"),
        ("nesterov", 0, "nesterov: expected True or False, got int 0"),
        ("lr", np.array([0.1, 0.2]), "lr: expected a real number, got ndarray array([0.1, 0.2])"),
        (
            "maximize",
            np.array([True, False]),
            "maximize: expected True or False, got ndarray array([ True, False])",
        ),
    ],
)
def test_setting_reassigned_to_a_value_of_another_type_is_refused_by_its_name_at_the_next_step(
    name: str, value: Any, message: str, snapshot: Any
) -> None:
    """The step re-checks a setting whose type changed, as __init__ would have: 0 == False, yet 0 is refused;
    and the types are compared before the values, since an array compared with the float it replaced has no
    truth value and would raise NumPy's error instead of naming the setting."""
    opt = SGD(_params(), lr=0.1)
    opt.step(_params(1))
    setattr(opt, name, value)
    before = snapshot(opt)
    with pytest.raises(TypeError) as info:
        opt.step(_params(2))
    assert str(info.value) == message
    assert snapshot(opt) == before


class FreshArrays(SGD):
    """An optimiser written the allocating way: its update returns a new array, not p updated in place."""

    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        return p - self.lr * grad, None


def test_update_returned_as_a_new_array_is_written_into_the_callers_parameters() -> None:
    params = _params()
    ids = {k: id(v) for k, v in params.items()}
    expected = {k: v - 0.5 * _params(1)[k] for k, v in params.items()}
    FreshArrays(params, lr=0.5).step(_params(1))
    for name, value in params.items():
        assert id(value) == ids[name]
        np.testing.assert_array_equal(value, expected[name])


def test_scratch_follows_a_parameter_reshaped_in_place() -> None:
    """The per-parameter scratch arrays are remade when the parameter's shape changes under them."""
    w = np.arange(6.0).reshape(3, 2)
    opt = SGD({"w": w}, lr=0.5, maximize=True)
    opt.step({"w": np.ones((3, 2))})
    w.shape = (6,)
    opt.step({"w": np.ones(6)})
    np.testing.assert_array_equal(w, np.arange(6.0) + 1.0)


# --- train -------------------------------------------------------------------------------------------------

X = np.random.default_rng(0).normal(size=(10, 3))
Y = np.tanh(X[:, :1])


def _net() -> MLP:
    return MLP([3, 4, 1], ["tanh", "identity"], seed=2)


def test_fit_defaults_shuffle_from_seed_0_keep_the_last_batch_average_and_record_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """fit(net, loss, opt, X, Y, epochs, B) is fit(…, shuffle=True, seed=0, drop_last=False,
    objective="mean", record_parameters=False, accuracy=False, progress=False), bit for bit."""
    runs = []
    for explicit in (
        {},
        {"shuffle": True, "seed": 0, "drop_last": False, "objective": "mean"},
        {"record_parameters": False, "accuracy": False, "progress": False},
    ):
        net = _net()
        history = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), X, Y, 2, 4, **explicit)
        runs.append(([b.tolist() for b in history.batches], history.step_losses, net.state_dict()))
        assert history.parameters == [] and history.epoch_accuracies == []
    assert capsys.readouterr().err == ""
    batches, losses, weights = runs[0]
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    assert batches[:3] != [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]  # shuffled
    for other in runs[1:]:
        assert other[0] == batches and other[1] == losses
        assert all(np.array_equal(other[2][k], v) for k, v in weights.items())
    net = _net()
    seed_1 = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), X, Y, 2, 4, seed=1)
    assert [b.tolist() for b in seed_1.batches] != batches


def test_seed_none_shuffles_every_epoch_from_fresh_entropy() -> None:
    net = _net()
    history = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), X, Y, 2, 5, seed=None)
    for epoch in range(2):
        assert sorted(np.concatenate(history.batches[2 * epoch : 2 * epoch + 2]).tolist()) == list(range(10))


def test_a_single_sample_is_a_dataset() -> None:
    net = _net()
    history = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), X[:1], Y[:1], 3, None)
    assert history.steps == 3 and [b.tolist() for b in history.batches] == [[0], [0], [0]]


def _fit_refusals() -> list[tuple[dict[str, Any], type[Exception], str]]:
    other = _net()
    nan_x = X.copy()
    nan_x[3, 1] = np.nan
    return [
        ({"X": "a"}, TypeError, "X: expected an array of real numbers, got str 'a'"),
        ({"X": nan_x}, ValueError, "X: expected finite values, got nan at index (3, 1)"),
        (
            {"X": X.astype(np.float32)},
            TypeError,
            "X: expected dtype float64 to match the network, got float32; convert with X.astype(np.float64)",
        ),
        ({"net": "net"}, TypeError, "net: expected a handmlp.MLP, got str"),
        ({"optimizer": object()}, TypeError, "optimizer: expected a handmlp.optim.SGD, got object"),
        (
            {"optimizer": SGD(other.parameters(), lr=0.1)},
            ValueError,
            "optimizer: expected an SGD over this network's live arrays, SGD(net.parameters(), …)",
        ),
        ({"Y": 3.0}, ValueError, "Y: expected one target per sample of X (10), got shape ()"),
        ({"Y": Y[:9]}, ValueError, "Y: expected one target per sample of X (10), got shape (9, 1)"),
        ({"X": X[:0], "Y": Y[:0]}, ValueError, "X: expected at least one sample, got an empty dataset"),
        ({"Y": np.hstack([Y, Y])}, ValueError, "Y: expected shape (10, 1), got (10, 2)"),
        (
            {"loss": "hinge", "Y": np.where(np.arange(10) < 9, 1.0, 0.0)[:, None]},
            ValueError,
            "Y: expected labels +1 or -1, got 0.0",
        ),
        ({"objective": "median"}, ValueError, "objective: expected 'mean' or 'sum', got 'median'"),
        (
            {"loss": get_loss("l1", "sum")},
            ValueError,
            "loss: its reduction 'sum' differs from objective 'mean'; pass the loss by name or build it with "
            "reduction='mean'",
        ),
        (
            {"validation_data": [X]},
            TypeError,
            "validation_data: expected a pair (X_val, Y_val) or None, got list",
        ),
        (
            {"validation_data": (X, Y, Y)},
            TypeError,
            "validation_data: expected a pair (X_val, Y_val) or None, got tuple",
        ),
        (
            {"validation_data": (X, Y[:3])},
            ValueError,
            "validation_data Y: expected one target per sample of validation_data X (10), got shape (3, 1)",
        ),
        (
            {"validation_data": (X[:, :2], Y)},
            ValueError,
            "validation_data X: expected shape (any, 3), got (10, 2)",
        ),
        (
            {"loss": "hinge", "Y": np.ones((10, 1)), "validation_data": (X, np.zeros((10, 1)))},
            ValueError,
            "validation_data Y: expected labels +1 or -1, got 0.0",
        ),
        ({"callback": 3}, TypeError, "callback: expected a callable or None, got int 3"),
        ({"epoch_callback": 3}, TypeError, "epoch_callback: expected a callable or None, got int 3"),
        ({"record_parameters": 1}, TypeError, "record_parameters: expected True or False, got int 1"),
        ({"accuracy": 1}, TypeError, "accuracy: expected True or False, got int 1"),
        ({"shuffle": 1}, TypeError, "shuffle: expected True or False, got int 1"),
        ({"drop_last": 1}, TypeError, "drop_last: expected True or False, got int 1"),
        ({"seed": -1}, ValueError, "seed: expected an integer ≥ 0, got -1"),
        ({"progress": 2}, TypeError, "progress: expected True, False or a text stream, got int"),
    ]


@pytest.mark.parametrize(
    ("change", "error", "message"), _fit_refusals(), ids=[m for _, _, m in _fit_refusals()]
)
def test_every_refused_fit_argument_is_named_in_the_message(
    change: dict[str, Any], error: type[Exception], message: str, snapshot: Any
) -> None:
    net = _net()
    opt = SGD(net.parameters(), lr=0.1, momentum=0.5)
    args: dict[str, Any] = {
        "net": net,
        "loss": "half_squared_error",
        "optimizer": opt,
        "X": X,
        "Y": Y,
        "epochs": 2,
        "batch_size": 5,
        **change,
    }
    before = snapshot(net, opt)
    with pytest.raises(error) as info:
        fit(**args)
    assert str(info.value) == message
    assert snapshot(net, opt) == before


def test_train_step_refuses_what_is_not_a_network_or_an_optimiser_by_name() -> None:
    net = _net()
    with pytest.raises(TypeError) as info:
        train_step("net", "half_squared_error", SGD(net.parameters(), lr=0.1), X, Y)  # type: ignore[arg-type]
    assert str(info.value) == "net: expected a handmlp.MLP, got str"
    with pytest.raises(TypeError) as info:
        train_step(net, "half_squared_error", object(), X, Y)  # type: ignore[arg-type]
    assert str(info.value) == "optimizer: expected a handmlp.optim.SGD, got object"


C6_X = np.array([[10.0], [2.0], [3.5], [1.0]])
C6_Y = np.array([[10.1], [1.9], [3.4], [1.1]])
DIVERGED = "fit: step 2 (epoch 2) was refused and changed nothing: loss: expected a finite value, got inf; "
DIVERGED += "non-finite values usually mean the learning rate is too large"


def test_divergence_under_errstate_raise_is_the_documented_value_error_word_for_word() -> None:
    """The forward pass of a diverging run overflows; fit checks the result instead of letting np.errstate
    turn it into a FloatingPointError, and says what happened and why, whatever the caller's errstate."""
    net = MLP([1, 1], "identity", bias=False, seed=0)
    with np.errstate(all="raise"), pytest.raises(ValueError) as info:
        fit(
            net,
            "half_squared_error",
            SGD(net.parameters(), lr=1.0),
            C6_X * 1e50,
            C6_Y,
            50,
            None,
            objective="sum",
        )
    assert str(info.value) == DIVERGED


class TextbookBCE(Loss):
    """−y·log ŷ − (1 − y)·log(1 − ŷ) as written in a textbook, without torch's clamp: a loss a user may well
    bring. At a saturated ŷ = 1 it divides by zero (log 0) and, for y = 1, multiplies 0 by −inf (NaN)."""

    name = "textbook_bce"

    def elementwise(self, y_hat: Array, y: Array) -> Array:
        return -(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))

    def elementwise_gradient(self, y_hat: Array, y: Array) -> Array:
        return (y_hat - y) / (y_hat * (1.0 - y_hat))


def _saturating_net() -> MLP:
    net = MLP([1, 1], "sigmoid", seed=0)
    net.load_state_dict({"0.weight": np.array([[1.0]]), "0.bias": np.array([0.0])})
    return net


def test_loss_that_divides_by_zero_is_refused_as_non_finite_under_errstate_raise() -> None:
    """σ(100) is 1.0 exactly, so the step's loss is NaN: the documented ValueError, not a FloatingPointError
    from the divide or the invalid operation on the way."""
    net = _saturating_net()
    opt = SGD(net.parameters(), lr=0.1)
    with np.errstate(all="raise"), pytest.raises(ValueError) as info:
        train_step(net, TextbookBCE(), opt, np.array([[100.0]]), np.array([[1.0]]))
    assert str(info.value) == "loss: expected a finite value, got nan"


def _overflowing_net() -> MLP:
    net = MLP([1, 1], "identity", seed=0)
    net.load_state_dict({"0.weight": np.array([[4.0]]), "0.bias": np.array([0.0])})
    return net


@pytest.mark.parametrize(
    ("make_net", "loss", "x_val", "y_val", "expected"),
    [
        (_saturating_net, TextbookBCE(), [[100.0]], [[0.0]], np.inf),  # −log(1 − 1): a divide by zero
        (_saturating_net, TextbookBCE(), [[100.0]], [[1.0]], np.nan),  # and 0·log 0: invalid too
        (_overflowing_net, get_loss("half_squared_error"), [[1e308]], [[1.0]], np.nan),  # ŷ = 4e308
    ],
    ids=["divide", "invalid", "overflowing output"],
)
def test_validation_loss_records_non_finite_values_under_errstate_raise(
    make_net: Callable[[], MLP], loss: Loss, x_val: Any, y_val: Any, expected: float
) -> None:
    """Validation measures, it does not refuse: a loss of inf or NaN is recorded, whatever the errstate."""
    net = make_net()
    with np.errstate(all="raise"):
        history = fit(
            net, loss, SGD(net.parameters(), lr=0.0), [[0.0]], [[0.5]], 1, validation_data=(x_val, y_val)
        )
    np.testing.assert_array_equal(history.val_losses, [expected])


@pytest.mark.parametrize("objective", ["mean", "sum"])
def test_epoch_loss_is_the_batch_losses_weighted_by_batch_size_bit_for_bit(objective: str) -> None:
    """C13 over uneven batches (4, 4, 2): "sum" adds the batch sums; "mean" adds each batch mean times its
    size and divides by N, in the order the batches ran."""
    net = _net()
    first = get_loss("half_squared_error", objective).value(net.output(X[:4]), Y[:4])
    history = fit(
        net,
        "half_squared_error",
        SGD(net.parameters(), lr=0.1),
        X,
        Y,
        2,
        4,
        objective=objective,
        shuffle=False,
    )
    assert history.step_losses[0] == first  # each step's loss is the objective's: a batch sum or mean
    for epoch in range(2):
        total = 0.0
        for value, batch in zip(history.step_losses[3 * epoch : 3 * epoch + 3], history.batches[3 * epoch :]):
            total += value * (len(batch) if objective == "mean" else 1)
        assert history.epoch_losses[epoch] == (total / 10 if objective == "mean" else total)


def _labels_net(kind: str) -> tuple[MLP, str, Array]:
    """A network with one output and labels as its loss takes them: 0/1 behind a sigmoid (three layers, so
    the last activation is not the second), ±1 behind identity."""
    positive = X[:, 1] > 0.0
    if kind == "sigmoid":
        net = MLP([3, 4, 4, 1], ["tanh", "tanh", "sigmoid"], seed=6)
        return net, "binary_cross_entropy", positive.astype(np.float64)
    return MLP([3, 4, 1], ["tanh", "identity"], seed=6), "hinge", np.where(positive, 1.0, -1.0)


@pytest.mark.parametrize("kind", ["sigmoid", "identity"])
def test_accuracy_thresholds_the_output_as_the_last_activation_says(kind: str) -> None:
    """lr = 0: every batch sees the initial weights, so training and validation accuracy are the fraction
    of samples whose output is on the label's side of ½ (sigmoid) or of 0 (any other last activation)."""
    net, loss, labels = _labels_net(kind)
    scores = net.output(X)[:, 0]
    predicted = (
        (scores >= 0.5).astype(np.float64) if kind == "sigmoid" else np.where(scores >= 0.0, 1.0, -1.0)
    )
    expected = float(np.mean(predicted == labels))
    assert 0.0 < expected < 1.0  # the labels are not all one side, and the thresholds matter
    history = fit(
        net, loss, SGD(net.parameters(), lr=0.0), X, labels, 1, 4, accuracy=True, validation_data=(X, labels)
    )
    assert history.epoch_accuracies == [expected]
    assert history.val_accuracies == [expected]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    """time.perf_counter advancing one second a call: every redraw is due, and each epoch's time exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _bar(done: int) -> str:
    return "#" * (8 * done) + "-" * (24 - 8 * done)


@pytest.mark.parametrize("epochs", [1, 2])
@pytest.mark.parametrize("where", ["terminal", "log", "stderr"])
def test_progress_redraws_after_each_step_but_the_last_and_ends_each_epoch_with_its_metrics(
    epochs: int, where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """10 samples in batches of 4: 3 steps an epoch. A terminal sees the bar after steps 1 and 2 with the
    mean loss so far, then the epoch's line with its loss and time; a log (or the captured stderr that
    progress=True writes to) sees only the epoch's lines."""
    clock = SimpleNamespace(perf_counter=Clock())
    monkeypatch.setattr(handmlp.train, "time", clock)
    monkeypatch.setattr(handmlp.progress, "time", clock)
    stream = Terminal() if where == "terminal" else io.StringIO()
    net = _net()
    history = fit(
        net,
        "half_squared_error",
        SGD(net.parameters(), lr=0.1),
        X,
        Y,
        epochs,
        4,
        progress=True if where == "stderr" else stream,
    )
    assert history.epoch_seconds == [3.0] * epochs  # Tally start, two redraws, end: three ticks
    expected = ""
    for epoch in range(epochs):
        first, second, _ = history.step_losses[3 * epoch : 3 * epoch + 3]
        head = f"epoch {epoch + 1}/{epochs} ["
        end = f"{head}{_bar(3)}] 3/3 loss {history.epoch_losses[epoch]:.4g} (3.00 s)"
        if where == "terminal":
            expected += f"\r{head}{_bar(1)}] 1/3 loss {first * 4 / 4:.4g}\x1b[K"
            expected += f"\r{head}{_bar(2)}] 2/3 loss {(first * 4 + second * 4) / 8:.4g}\x1b[K"
            expected += f"\r{end}\x1b[K\n"
        else:
            expected += f"{end}\n"
    assert (capsys.readouterr().err if where == "stderr" else stream.getvalue()) == expected


def test_epoch_seconds_are_each_epochs_own_wall_clock_time() -> None:
    net = _net()
    start = time.perf_counter()
    history = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), X, Y, 3, 4)
    elapsed = time.perf_counter() - start
    assert len(history.epoch_seconds) == 3
    assert all(s >= 0.0 for s in history.epoch_seconds) and sum(history.epoch_seconds) <= elapsed


def test_epoch_callback_runs_after_each_epochs_metrics_with_the_history() -> None:
    net = _net()
    seen: list[tuple[int, int, int]] = []

    def record(epoch: int, history: History) -> None:
        seen.append((epoch, len(history.epoch_losses), len(history.val_losses)))

    history = fit(
        net,
        "half_squared_error",
        SGD(net.parameters(), lr=0.1),
        X,
        Y,
        3,
        4,
        validation_data=(X, Y),
        epoch_callback=record,
    )
    assert seen == [(0, 1, 1), (1, 2, 2), (2, 3, 3)]
    assert history.epoch_metrics(2) == {"loss": history.epoch_losses[2], "val_loss": history.val_losses[2]}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_is_train_step_on_each_batch_in_turn_bit_for_bit_and_keeps_no_input_gradient(dtype: Any) -> None:
    """fit's steps are train_step on X[batch], Y[batch] in the recorded order, in the network's dtype; a
    training step skips ∂L/∂x, so `grad_input` stays None as backward documents for input_grad=False."""
    x, y = X.astype(dtype), Y.astype(dtype)
    nets = [MLP([3, 4, 1], ["tanh", "identity"], dtype=dtype, seed=2) for _ in range(2)]
    opts = [SGD(net.parameters(), lr=0.1, momentum=0.5) for net in nets]
    history = fit(nets[0], "squared_error", opts[0], x, y, 2, 4)
    losses = [train_step(nets[1], "squared_error", opts[1], x[b], y[b]) for b in history.batches]
    assert losses == history.step_losses
    for name, value in nets[1].parameters().items():
        assert value.dtype == dtype
        assert value.tobytes() == nets[0].parameters()[name].tobytes(), name
    assert nets[0].grad_input is None and nets[1].grad_input is None


def test_cross_entropy_over_one_class_takes_its_1d_labels_as_they_are() -> None:
    """A 1-D Y becomes one column for a one-output network, except for cross_entropy, whose targets are
    class indices of shape (N,) whatever the width: over a single class every loss is log 1 − z + z = 0."""
    net = _net()
    history = fit(net, "cross_entropy", SGD(net.parameters(), lr=0.1), X, np.zeros(10, np.int64), 1, 5)
    assert history.step_losses == [0.0, 0.0]
