"""The bad-input contract (README, "Errors") as one table over the whole public API.

Each row is a call with one mistake in it, the exception type the contract gives that mistake (TypeError for
a wrong type, ValueError for a wrong value, RuntimeError for a call out of order) and the argument the
message must name. Every row runs against a fresh `World` — a network after forward and backward (caches,
∂L/∂x), an optimiser after a momentum step (buffers), a network never run, and the input arrays the calls
are given — and every array reachable from it is compared bit for bit before and after the refused call.
The command line has its own table at the end: exit status 2 and one line naming the argument.
"""

from __future__ import annotations

import os
import re
import tempfile
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from handmlp import (
    MLP,
    SGD,
    batching,
    datasets,
    fit,
    get_activation,
    get_loss,
    gradcheck,
    idx,
    perceptron,
    serialize,
    train_step,
)
from handmlp.cli import main
from handmlp.datasets import Standardizer, class_targets, load_dataset, train_test_split
from handmlp.metrics import accuracy

Array = np.ndarray


@dataclass
class World:
    """Everything a bad call could damage."""

    net: MLP = field(default_factory=lambda: MLP([3, 4, 2], ["prelu", "identity"], seed=0))
    fresh: MLP = field(default_factory=lambda: MLP([3, 4, 2], ["tanh", "sigmoid"], seed=1))
    x: Array = field(default_factory=lambda: np.random.default_rng(0).normal(size=(6, 3)))
    y: Array = field(default_factory=lambda: np.random.default_rng(1).normal(size=(6, 2)))
    labels: Array = field(default_factory=lambda: np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0]))
    binary: Array = field(default_factory=lambda: np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    w: Array = field(default_factory=lambda: np.array([0.5, -0.25, 0.125]))
    optimizer: SGD = field(init=False)

    def __post_init__(self) -> None:
        self.optimizer = SGD(self.net.parameters(), lr=0.1, momentum=0.9)
        grads = self.net.backward(get_loss("half_squared_error").gradient(self.net.forward(self.x), self.y))
        self.optimizer.step(grads)
        self.net.forward(self.x[:2])  # the cache now differs from the one the step used
        self.grads = self.net.backward(np.ones((2, 2)))


def _arrays(
    obj: Any, prefix: str, out: dict[str, tuple[str, tuple[int, ...], bytes]], depth: int = 0
) -> None:
    """Every ndarray reachable from `obj` (attributes, dicts, lists), as (dtype, shape, bytes) by path."""
    if depth > 6:
        return
    if isinstance(obj, np.ndarray):
        out[prefix] = (str(obj.dtype), obj.shape, obj.tobytes())
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _arrays(value, f"{prefix}[{key!r}]", out, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            _arrays(value, f"{prefix}[{i}]", out, depth + 1)
    elif hasattr(obj, "__dict__") and not isinstance(obj, (type, types.FunctionType, types.MethodType)):
        for key, value in vars(obj).items():
            _arrays(value, f"{prefix}.{key}", out, depth + 1)


def _snapshot(world: World) -> dict[str, tuple[str, tuple[int, ...], bytes]]:
    out: dict[str, tuple[str, tuple[int, ...], bytes]] = {}
    _arrays(vars(world), "world", out)
    out["net.state_dict"] = ("", (), repr(sorted(world.net.state_dict())).encode())
    out["optimizer.state_dict"] = ("", (), repr(sorted(world.optimizer.state_dict())).encode())
    return out


@dataclass(frozen=True)
class Row:
    """One bad call: what it does to the world, the error it must raise, the argument it must name."""

    id: str
    call: Callable[[World], Any]
    error: type[Exception]
    argument: str


def _params(w: World) -> dict[str, Array]:
    return {k: v.copy() for k, v in w.net.parameters().items()}


def _with(state: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**state, key: value}


NAN, INF = float("nan"), float("inf")
T, V, R = TypeError, ValueError, RuntimeError

ROWS: list[Row] = []


def rows(group: str, *entries: tuple[str, Callable[[World], Any], type[Exception], str]) -> None:
    """Add a group of rows, their ids prefixed by the group."""
    ROWS.extend(Row(f"{group}/{name}", call, error, argument) for name, call, error, argument in entries)


rows(
    "MLP",
    ("sizes_int", lambda w: MLP(3), T, "sizes"),
    ("sizes_none", lambda w: MLP(None), T, "sizes"),
    ("sizes_one_layer", lambda w: MLP([3]), V, "sizes"),
    ("sizes_empty", lambda w: MLP([]), V, "sizes"),
    ("sizes_zero", lambda w: MLP([3, 0]), V, "sizes"),
    ("sizes_negative", lambda w: MLP([3, -2]), V, "sizes"),
    ("sizes_float", lambda w: MLP([3, 2.5]), T, "sizes"),
    ("sizes_string", lambda w: MLP([3, "4"]), T, "sizes"),
    ("sizes_bool", lambda w: MLP([3, True]), T, "sizes"),
    ("sizes_str_whole", lambda w: MLP("34"), T, "sizes"),
    ("activation_unknown", lambda w: MLP([3, 2], "nope"), V, "activation"),
    ("activation_int", lambda w: MLP([3, 2], 5), T, "activation"),
    ("activation_too_few", lambda w: MLP([3, 4, 2], ["tanh"]), V, "activation"),
    ("activation_too_many", lambda w: MLP([3, 2], ["tanh", "tanh"]), V, "activation"),
    ("activation_none_in_list", lambda w: MLP([3, 4, 2], [None, "tanh"]), T, "activation"),
    ("bias_string", lambda w: MLP([3, 2], bias="yes"), T, "bias"),
    ("bias_int", lambda w: MLP([3, 2], bias=1), T, "bias"),
    ("bias_too_few", lambda w: MLP([3, 4, 2], bias=[True]), V, "bias"),
    ("dtype_unknown_name", lambda w: MLP([3, 2], dtype="foo"), T, "dtype"),
    ("dtype_int", lambda w: MLP([3, 2], dtype=np.int32), T, "dtype"),
    ("dtype_complex", lambda w: MLP([3, 2], dtype=np.complex128), T, "dtype"),
    ("dtype_none", lambda w: MLP([3, 2], dtype=None), T, "dtype"),
    ("seed_negative", lambda w: MLP([3, 2], seed=-1), V, "seed"),
    ("seed_string", lambda w: MLP([3, 2], seed="abc"), T, "seed"),
    ("seed_float", lambda w: MLP([3, 2], seed=1.5), T, "seed"),
    ("seed_bool", lambda w: MLP([3, 2], seed=True), T, "seed"),
    ("bias_none", lambda w: MLP([3, 2], bias=None), T, "bias"),
    ("activation_empty_list", lambda w: MLP([3, 2], []), V, "activation"),
)

rows(
    "forward",
    ("x_wrong_width", lambda w: w.net.forward(np.ones((2, 4))), V, "x"),
    ("x_one_dimensional", lambda w: w.net.forward(np.ones(3)), V, "x"),
    ("x_three_dimensional", lambda w: w.net.forward(np.ones((2, 3, 1))), V, "x"),
    ("x_nan", lambda w: w.net.forward(np.where(w.x > 1, NAN, w.x)), V, "x"),
    ("x_inf", lambda w: w.net.forward(np.full((2, 3), INF)), V, "x"),
    ("x_minus_inf", lambda w: w.net.forward(np.full((2, 3), -INF)), V, "x"),
    ("x_float32_into_float64", lambda w: w.net.forward(w.x.astype(np.float32)), T, "x"),
    ("x_integers", lambda w: w.net.forward(np.ones((2, 3), dtype=int)), T, "x"),
    ("x_booleans", lambda w: w.net.forward(np.ones((2, 3), dtype=bool)), T, "x"),
    ("x_complex", lambda w: w.net.forward(np.ones((2, 3), dtype=complex)), T, "x"),
    ("x_strings", lambda w: w.net.forward([["a", "b", "c"]]), T, "x"),
    ("x_ragged", lambda w: w.net.forward([[1.0, 2.0, 3.0], [1.0]]), T, "x"),
    ("x_nan_in_list", lambda w: w.net.forward([[1.0, NAN, 3.0]]), V, "x"),
    ("call_x_wrong_width", lambda w: w.net(np.ones((2, 5))), V, "x"),
    ("x_none", lambda w: w.net.forward(None), T, "x"),
    ("x_booleans_in_list", lambda w: w.net.forward([[True, False, True]]), T, "x"),
    ("x_scalar", lambda w: w.net.forward(1.0), V, "x"),
    ("output_x_none", lambda w: w.net.output(None), T, "x"),
    ("predict_x_strings", lambda w: w.net.predict("abc"), T, "x"),
    ("predict_x_wrong_width", lambda w: w.net.predict(np.ones((2, 5))), V, "x"),
)

rows(
    "backward",
    ("before_forward", lambda w: w.fresh.backward(np.ones((2, 2))), R, "forward"),
    ("grad_output_wrong_shape", lambda w: w.net.backward(np.ones((2, 3))), V, "grad_output"),
    ("grad_output_wrong_batch", lambda w: w.net.backward(np.ones((3, 2))), V, "grad_output"),
    ("grad_output_one_dimensional", lambda w: w.net.backward(np.ones(2)), V, "grad_output"),
    ("grad_output_nan", lambda w: w.net.backward(np.full((2, 2), NAN)), V, "grad_output"),
    ("grad_output_inf", lambda w: w.net.backward(np.full((2, 2), INF)), V, "grad_output"),
    ("grad_output_float32", lambda w: w.net.backward(np.ones((2, 2), dtype=np.float32)), T, "grad_output"),
    ("grad_output_integers", lambda w: w.net.backward(np.ones((2, 2), dtype=int)), T, "grad_output"),
    ("grad_output_strings", lambda w: w.net.backward([["a", "b"], ["c", "d"]]), T, "grad_output"),
    ("grad_output_none", lambda w: w.net.backward(None), T, "grad_output"),
    ("input_grad_string", lambda w: w.net.backward(np.ones((2, 2)), input_grad="no"), T, "input_grad"),
    ("out_list", lambda w: w.net.backward(np.ones((2, 2)), out=[1]), T, "out"),
)

rows(
    "loss_and_gradients",
    ("x_wrong_width", lambda w: w.net.loss_and_gradients(np.ones((6, 4)), w.y, "half_squared_error"), V, "x"),
    ("x_nan", lambda w: w.net.loss_and_gradients(np.full((6, 3), NAN), w.y, "half_squared_error"), V, "x"),
    ("loss_unknown", lambda w: w.net.loss_and_gradients(w.x, w.y, "nope"), V, "loss"),
    ("loss_int", lambda w: w.net.loss_and_gradients(w.x, w.y, 3), T, "loss"),
    ("y_wrong_shape", lambda w: w.net.loss_and_gradients(w.x, np.ones((6, 3)), "half_squared_error"), V, "y"),
    ("y_nan", lambda w: w.net.loss_and_gradients(w.x, np.full((6, 2), NAN), "half_squared_error"), V, "y"),
    ("y_integers", lambda w: w.net.loss_and_gradients(w.x, np.ones((6, 2), dtype=int), "l1"), T, "y"),
)

rows(
    "losses",
    ("spec_unknown", lambda w: get_loss("nope"), V, "loss"),
    ("spec_int", lambda w: get_loss(3), T, "loss"),
    ("reduction_unknown", lambda w: get_loss("l1", reduction="avg"), V, "reduction"),
    ("reduction_int", lambda w: get_loss("l1", reduction=1), T, "reduction"),
    ("value_shape_mismatch", lambda w: get_loss("l1").value(w.y, w.y[:, :1]), V, "y"),
    ("value_y_hat_nan", lambda w: get_loss("l1").value(np.full((6, 2), NAN), w.y), V, "y_hat"),
    ("value_y_nan", lambda w: get_loss("squared_error").value(w.y, np.full((6, 2), NAN)), V, "y"),
    ("value_y_hat_strings", lambda w: get_loss("l1").value([["a"]], [[1.0]]), T, "y_hat"),
    ("gradient_shape_mismatch", lambda w: get_loss("half_squared_error").gradient(w.y, w.y.T), V, "y"),
    ("gradient_y_inf", lambda w: get_loss("half_squared_error").gradient(w.y, np.full((6, 2), INF)), V, "y"),
    ("hinge_labels_01", lambda w: get_loss("hinge").value(w.labels, (w.labels > 0) * 1.0), V, "y"),
    ("hinge_labels_two", lambda w: get_loss("hinge").gradient(w.labels, 2 * w.labels), V, "y"),
    (
        "bce_y_hat_above_one",
        lambda w: get_loss("binary_cross_entropy").value(w.labels + 1, w.labels * 0),
        V,
        "y_hat",
    ),
    ("bce_y_outside", lambda w: get_loss("binary_cross_entropy").value(np.full(6, 0.5), w.labels), V, "y"),
    ("bce_logits_y_outside", lambda w: get_loss("bce_with_logits").value(w.labels, 3 * w.labels), V, "y"),
    (
        "cross_entropy_label_range",
        lambda w: get_loss("cross_entropy").value(w.y, np.array([0, 1, 2, 0, 1, 0])),
        V,
        "y",
    ),
    (
        "cross_entropy_label_negative",
        lambda w: get_loss("cross_entropy").value(w.y, -np.ones(6, dtype=int)),
        V,
        "y",
    ),
    ("cross_entropy_label_float", lambda w: get_loss("cross_entropy").value(w.y, np.full(6, 0.5)), T, "y"),
    (
        "cross_entropy_labels_too_many",
        lambda w: get_loss("cross_entropy").value(w.y, np.zeros(7, dtype=int)),
        V,
        "y",
    ),
    ("zero_one_gradient", lambda w: get_loss("zero_one").gradient(w.labels, w.labels), V, "zero_one"),
    ("value_empty", lambda w: get_loss("l1").value(np.ones((0, 2)), np.ones((0, 2))), V, "y_hat"),
    ("value_y_none", lambda w: get_loss("l1").value(w.y, None), T, "y"),
    ("value_y_integers", lambda w: get_loss("squared_error").value(w.y, np.ones((6, 2), dtype=int)), T, "y"),
    ("value_y_booleans_in_list", lambda w: get_loss("l1").value(w.y[:1], [[True, False]]), T, "y"),
    ("value_y_float32_for_float64", lambda w: get_loss("l1").value(w.y, w.y.astype(np.float32)), T, "y"),
    ("reduction_none", lambda w: get_loss("l1", reduction=None), T, "reduction"),
    ("cross_entropy_labels_bool", lambda w: get_loss("cross_entropy").value(w.y, np.zeros(6, bool)), T, "y"),
    (
        "cross_entropy_labels_column",
        lambda w: get_loss("cross_entropy").value(w.y, np.zeros((6, 1), dtype=int)),
        V,
        "y",
    ),
)

rows(
    "activations",
    ("spec_unknown", lambda w: get_activation("nope"), V, "activation"),
    ("spec_int", lambda w: get_activation(3), T, "activation"),
    ("setting_unknown", lambda w: get_activation("tanh", slope=1.0), T, "slope"),
    ("leaky_slope_string", lambda w: get_activation("leaky_relu", negative_slope="a"), T, "negative_slope"),
    ("leaky_slope_nan", lambda w: get_activation("leaky_relu", negative_slope=NAN), V, "negative_slope"),
    ("elu_alpha_string", lambda w: get_activation("elu", alpha="1"), T, "alpha"),
    ("elu_alpha_inf", lambda w: get_activation("elu", alpha=INF), V, "alpha"),
    ("softplus_beta_zero", lambda w: get_activation("softplus", beta=0.0), V, "beta"),
    ("softplus_beta_string", lambda w: get_activation("softplus", beta="a"), T, "beta"),
    ("softplus_threshold_string", lambda w: get_activation("softplus", threshold="x"), T, "threshold"),
    ("hardtanh_min_above_max", lambda w: get_activation("hardtanh", min_val=1.0, max_val=0.0), V, "min_val"),
    ("hardtanh_max_nan", lambda w: get_activation("hardtanh", max_val=NAN), V, "max_val"),
    ("gelu_approximate_unknown", lambda w: get_activation("gelu", approximate="fast"), V, "approximate"),
    ("prelu_num_parameters_zero", lambda w: get_activation("prelu", num_parameters=0), V, "num_parameters"),
    (
        "prelu_num_parameters_float",
        lambda w: get_activation("prelu", num_parameters=1.5),
        T,
        "num_parameters",
    ),
    ("prelu_init_nan", lambda w: get_activation("prelu", init=NAN), V, "init"),
    (
        "prelu_width_mismatch",
        lambda w: MLP([3, 4, 2], [get_activation("prelu", num_parameters=3), "identity"]),
        V,
        "num_parameters",
    ),
    ("value_strings", lambda w: get_activation("tanh").value("abc"), T, "z"),
    ("gradient_strings", lambda w: get_activation("sigmoid").gradient([["a"]]), T, "z"),
    ("gradient_integers", lambda w: get_activation("tanh").gradient(np.ones(3, dtype=int)), T, "z"),
    ("parameter_gradients_strings", lambda w: get_activation("prelu").parameter_gradients("a"), T, "z"),
    ("call_none", lambda w: get_activation("relu")(None), T, "z"),
)

rows(
    "state_dict",
    (
        "missing_key",
        lambda w: w.net.load_state_dict({k: v for k, v in w.net.state_dict().items() if k != "0.bias"}),
        V,
        "0.bias",
    ),
    (
        "extra_key",
        lambda w: w.net.load_state_dict(_with(w.net.state_dict(), "4.weight", np.ones(1))),
        V,
        "4.weight",
    ),
    (
        "wrong_shape",
        lambda w: w.net.load_state_dict(_with(w.net.state_dict(), "0.weight", np.ones((3, 4)))),
        V,
        "0.weight",
    ),
    (
        "nan_value",
        lambda w: w.net.load_state_dict(_with(w.net.state_dict(), "2.bias", np.full(2, NAN))),
        V,
        "2.bias",
    ),
    (
        "float32_value",
        lambda w: w.net.load_state_dict(_with(w.net.state_dict(), "2.bias", np.zeros(2, np.float32))),
        T,
        "2.bias",
    ),
    (
        "string_value",
        lambda w: w.net.load_state_dict(_with(w.net.state_dict(), "2.bias", "zeros")),
        T,
        "2.bias",
    ),
    ("not_a_mapping", lambda w: w.net.load_state_dict([1, 2, 3]), T, "state_dict"),
    ("none", lambda w: w.net.load_state_dict(None), T, "state_dict"),
    (
        "prelu_slope_wrong_shape",
        lambda w: w.net.load_state_dict(_with(w.net.state_dict(), "1.weight", np.ones(5))),
        V,
        "1.weight",
    ),
)

rows(
    "SGD",
    ("lr_negative", lambda w: SGD(_params(w), lr=-0.1), V, "lr"),
    ("lr_nan", lambda w: SGD(_params(w), lr=NAN), V, "lr"),
    ("lr_inf", lambda w: SGD(_params(w), lr=INF), V, "lr"),
    ("lr_string", lambda w: SGD(_params(w), lr="0.1"), T, "lr"),
    ("lr_none", lambda w: SGD(_params(w), lr=None), T, "lr"),
    ("lr_bool", lambda w: SGD(_params(w), lr=True), T, "lr"),
    ("momentum_negative", lambda w: SGD(_params(w), lr=0.1, momentum=-0.5), V, "momentum"),
    ("momentum_string", lambda w: SGD(_params(w), lr=0.1, momentum="0.9"), T, "momentum"),
    ("momentum_nan", lambda w: SGD(_params(w), lr=0.1, momentum=NAN), V, "momentum"),
    ("dampening_string", lambda w: SGD(_params(w), lr=0.1, momentum=0.9, dampening="a"), T, "dampening"),
    ("weight_decay_negative", lambda w: SGD(_params(w), lr=0.1, weight_decay=-1e-4), V, "weight_decay"),
    ("weight_decay_string", lambda w: SGD(_params(w), lr=0.1, weight_decay="a"), T, "weight_decay"),
    ("nesterov_string", lambda w: SGD(_params(w), lr=0.1, momentum=0.9, nesterov="yes"), T, "nesterov"),
    ("nesterov_without_momentum", lambda w: SGD(_params(w), lr=0.1, nesterov=True), V, "nesterov"),
    (
        "nesterov_with_dampening",
        lambda w: SGD(_params(w), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        V,
        "nesterov",
    ),
    ("maximize_string", lambda w: SGD(_params(w), lr=0.1, maximize="no"), T, "maximize"),
    ("params_list", lambda w: SGD(list(_params(w).values()), lr=0.1), T, "params"),
    ("params_empty", lambda w: SGD({}, lr=0.1), V, "params"),
    ("params_integers", lambda w: SGD({"w": np.ones(3, dtype=int)}, lr=0.1), T, "params"),
    (
        "step_missing_key",
        lambda w: w.optimizer.step({k: v for k, v in w.grads.items() if k != "0.weight"}),
        V,
        "0.weight",
    ),
    ("step_extra_key", lambda w: w.optimizer.step(_with(w.grads, "9.weight", np.ones(1))), V, "9.weight"),
    (
        "step_wrong_shape",
        lambda w: w.optimizer.step(_with(w.grads, "0.weight", np.ones((3, 4)))),
        V,
        "0.weight",
    ),
    ("step_nan", lambda w: w.optimizer.step(_with(w.grads, "2.bias", np.full(2, NAN))), V, "2.bias"),
    (
        "step_float32",
        lambda w: w.optimizer.step(_with(w.grads, "2.bias", np.ones(2, np.float32))),
        T,
        "2.bias",
    ),
    ("step_not_a_mapping", lambda w: w.optimizer.step([1.0]), T, "grads"),
    (
        "load_state_unknown_buffer",
        lambda w: w.optimizer.load_state_dict(
            {**w.optimizer.state_dict(), "momentum_buffer": {"9.weight": np.ones(2)}}
        ),
        V,
        "9.weight",
    ),
    (
        "load_state_buffer_shape",
        lambda w: w.optimizer.load_state_dict(
            {
                **w.optimizer.state_dict(),
                "momentum_buffer": _with(
                    w.optimizer.state_dict()["momentum_buffer"], "0.weight", np.ones((3, 4))
                ),
            }
        ),
        V,
        "0.weight",
    ),
    (
        "load_state_buffer_nan",
        lambda w: w.optimizer.load_state_dict(
            {
                **w.optimizer.state_dict(),
                "momentum_buffer": _with(
                    w.optimizer.state_dict()["momentum_buffer"], "2.bias", np.full(2, NAN)
                ),
            }
        ),
        V,
        "2.bias",
    ),
    ("load_state_not_a_mapping", lambda w: w.optimizer.load_state_dict("state"), T, "state_dict"),
)


def _fit(w: World, **overrides: Any) -> Any:
    args: dict[str, Any] = {
        "net": w.net,
        "loss": "half_squared_error",
        "optimizer": w.optimizer,
        "X": w.x,
        "Y": w.y,
        "epochs": 2,
        "batch_size": 2,
    }
    return fit(**{**args, **overrides})


rows(
    "fit",
    ("loss_unknown", lambda w: _fit(w, loss="nope"), V, "loss"),
    ("loss_int", lambda w: _fit(w, loss=1), T, "loss"),
    ("X_wrong_width", lambda w: _fit(w, X=np.ones((6, 4))), V, "X"),
    ("X_nan", lambda w: _fit(w, X=np.where(w.x > 0, NAN, w.x)), V, "X"),
    ("X_float32", lambda w: _fit(w, X=w.x.astype(np.float32)), T, "X"),
    ("X_strings", lambda w: _fit(w, X=[["a", "b", "c"]]), T, "X"),
    ("XY_lengths_differ", lambda w: _fit(w, Y=w.y[:5]), V, "Y"),
    ("objective_unknown", lambda w: _fit(w, objective="median"), V, "objective"),
    ("optimizer_not_sgd", lambda w: _fit(w, optimizer="sgd"), T, "optimizer"),
    (
        "optimizer_of_other_net",
        lambda w: _fit(w, optimizer=SGD(w.fresh.parameters(), lr=0.1)),
        V,
        "optimizer",
    ),
    ("epochs_negative", lambda w: _fit(w, epochs=-1), V, "epochs"),
    ("epochs_float", lambda w: _fit(w, epochs=1.5), T, "epochs"),
    ("epochs_string", lambda w: _fit(w, epochs="2"), T, "epochs"),
    ("batch_size_zero", lambda w: _fit(w, batch_size=0), V, "batch_size"),
    ("batch_size_negative", lambda w: _fit(w, batch_size=-2), V, "batch_size"),
    ("batch_size_float", lambda w: _fit(w, batch_size=2.0), T, "batch_size"),
    ("shuffle_string", lambda w: _fit(w, shuffle="no"), T, "shuffle"),
    ("seed_negative", lambda w: _fit(w, seed=-1), V, "seed"),
    ("seed_string", lambda w: _fit(w, seed="abc"), T, "seed"),
    ("drop_last_string", lambda w: _fit(w, drop_last="yes"), T, "drop_last"),
    ("callback_not_callable", lambda w: _fit(w, callback=3), T, "callback"),
    ("record_parameters_string", lambda w: _fit(w, record_parameters="yes"), T, "record_parameters"),
    ("net_not_mlp", lambda w: _fit(w, net="net"), T, "net"),
    ("Y_wrong_width", lambda w: _fit(w, Y=np.ones((6, 3))), V, "Y"),
    ("Y_inf", lambda w: _fit(w, Y=np.full((6, 2), INF)), V, "Y"),
    ("epochs_none", lambda w: _fit(w, epochs=None), T, "epochs"),
    ("epochs_bool", lambda w: _fit(w, epochs=True), T, "epochs"),
    ("X_none", lambda w: _fit(w, X=None), T, "X"),
    ("X_empty", lambda w: _fit(w, X=np.ones((0, 3)), Y=np.ones((0, 2))), V, "X"),
    ("Y_none", lambda w: _fit(w, Y=None), V, "Y"),
    ("Y_strings", lambda w: _fit(w, Y=[["a", "b"]] * 6), T, "Y"),
    ("Y_integers_for_squared_error", lambda w: _fit(w, Y=np.ones((6, 2), dtype=int)), T, "Y"),
    ("Y_one_dimensional_for_two_outputs", lambda w: _fit(w, Y=w.y[:, 0]), V, "Y"),
    ("Y_floats_for_cross_entropy", lambda w: _fit(w, loss="cross_entropy", Y=np.zeros(6)), T, "Y"),
    ("batch_size_above_n", lambda w: _fit(w, batch_size=7), V, "batch_size"),
    ("batch_size_bool", lambda w: _fit(w, batch_size=True), T, "batch_size"),
    ("validation_data_triple", lambda w: _fit(w, validation_data=(w.x, w.y, w.y)), T, "validation_data"),
    (
        "validation_Y_wrong_width",
        lambda w: _fit(w, validation_data=(w.x, np.ones((6, 3)))),
        V,
        "validation_data Y",
    ),
    ("progress_string", lambda w: _fit(w, progress="yes"), T, "progress"),
    ("epoch_callback_not_callable", lambda w: _fit(w, epoch_callback=3), T, "epoch_callback"),
    ("loss_reduction_differs", lambda w: _fit(w, loss=get_loss("l1", reduction="sum")), V, "loss"),
    ("train_step_net_not_mlp", lambda w: train_step("net", "l1", w.optimizer, w.x, w.y), T, "net"),
    ("train_step_optimizer_not_sgd", lambda w: train_step(w.net, "l1", "sgd", w.x, w.y), T, "optimizer"),
    (
        "train_step_y_wrong_shape",
        lambda w: train_step(w.net, "l1", w.optimizer, w.x, np.ones((6, 3))),
        V,
        "y",
    ),
    ("train_step_x_nan", lambda w: train_step(w.net, "l1", w.optimizer, np.full((6, 3), NAN), w.y), V, "x"),
)

rows(
    "batching",
    ("iterations_n_negative", lambda w: batching.iterations_per_epoch(-1, 2), V, "n"),
    ("iterations_n_float", lambda w: batching.iterations_per_epoch(6.0, 2), T, "n"),
    ("iterations_batch_zero", lambda w: batching.iterations_per_epoch(6, 0), V, "batch_size"),
    ("iterations_batch_float", lambda w: batching.iterations_per_epoch(6, 2.5), T, "batch_size"),
    ("schedule_epochs_negative", lambda w: batching.batch_schedule(6, 2, -1), V, "epochs"),
    ("schedule_epochs_string", lambda w: batching.batch_schedule(6, 2, "3"), T, "epochs"),
    ("schedule_batch_negative", lambda w: batching.batch_schedule(6, -2, 1), V, "batch_size"),
    ("schedule_n_string", lambda w: batching.batch_schedule("6", 2, 1), T, "n"),
    ("schedule_seed_negative", lambda w: batching.batch_schedule(6, 2, 1, seed=-3), V, "seed"),
    ("schedule_seed_float", lambda w: batching.batch_schedule(6, 2, 1, seed=0.5), T, "seed"),
    ("schedule_shuffle_string", lambda w: batching.batch_schedule(6, 2, 1, shuffle="no"), T, "shuffle"),
    (
        "iterations_drop_last_string",
        lambda w: batching.iterations_per_epoch(6, 4, drop_last="yes"),
        T,
        "drop_last",
    ),
    ("schedule_n_zero", lambda w: batching.batch_schedule(0, 1, 1), V, "n"),
    ("schedule_n_none", lambda w: batching.batch_schedule(None, 1, 1), T, "n"),
    ("schedule_batch_bool", lambda w: batching.batch_schedule(6, True, 1), T, "batch_size"),
    ("schedule_drop_last_none", lambda w: batching.batch_schedule(6, 2, 1, drop_last=None), T, "drop_last"),
    ("epoch_batches_rng_int", lambda w: batching.epoch_batches(6, 2, rng=3), T, "rng"),
    (
        "epoch_batches_drop_last_string",
        lambda w: batching.epoch_batches(6, 4, drop_last="yes"),
        T,
        "drop_last",
    ),
)

rows(
    "perceptron",
    (
        "rosenblatt_labels_01",
        lambda w: perceptron.rosenblatt(w.binary, np.array([0.0, 1.0, 1.0, 0.0])),
        V,
        "y",
    ),
    ("rosenblatt_labels_length", lambda w: perceptron.rosenblatt(w.binary, np.array([1.0, -1.0])), V, "y"),
    ("rosenblatt_X_nan", lambda w: perceptron.rosenblatt(np.full((4, 2), NAN), w.labels[:4]), V, "X"),
    ("rosenblatt_X_one_dimensional", lambda w: perceptron.rosenblatt(w.w, w.labels[:3]), V, "X"),
    ("rosenblatt_X_strings", lambda w: perceptron.rosenblatt([["a", "b"]], [1.0]), T, "X"),
    (
        "rosenblatt_epochs_zero",
        lambda w: perceptron.rosenblatt(w.binary, w.labels[:4], epochs=0),
        V,
        "epochs",
    ),
    (
        "rosenblatt_epochs_float",
        lambda w: perceptron.rosenblatt(w.binary, w.labels[:4], epochs=2.5),
        T,
        "epochs",
    ),
    ("rosenblatt_bias_string", lambda w: perceptron.rosenblatt(w.binary, w.labels[:4], bias="no"), T, "bias"),
    ("delta_rule_eta_nan", lambda w: perceptron.delta_rule(w.binary, w.labels[:4], eta=NAN), V, "eta"),
    ("delta_rule_eta_string", lambda w: perceptron.delta_rule(w.binary, w.labels[:4], eta="1"), T, "eta"),
    (
        "delta_rule_epochs_negative",
        lambda w: perceptron.delta_rule(w.binary, w.labels[:4], epochs=-1),
        V,
        "epochs",
    ),
    ("delta_rule_w_wrong_length", lambda w: perceptron.delta_rule(w.binary, w.labels[:4], w=w.w), V, "w"),
    ("delta_rule_y_nan", lambda w: perceptron.delta_rule(w.binary, np.full(4, NAN)), V, "y"),
    ("delta_rule_y_length", lambda w: perceptron.delta_rule(w.binary, w.labels), V, "y"),
    ("delta_rule_X_strings", lambda w: perceptron.delta_rule([["a", "b"]], [1.0]), T, "X"),
    (
        "threshold_neuron_weights_length",
        lambda w: perceptron.threshold_neuron(w.binary, w.w[:2]),
        V,
        "weights",
    ),
    ("threshold_neuron_X_one_dimensional", lambda w: perceptron.threshold_neuron(w.w[:2], w.w), V, "X"),
    ("threshold_neuron_X_nan", lambda w: perceptron.threshold_neuron(np.full((2, 2), NAN), w.w), V, "X"),
    ("threshold_step_y_nan", lambda w: perceptron.threshold_neuron_step(w.w, w.binary[1], NAN, 0.5), V, "y"),
    (
        "threshold_step_y_string",
        lambda w: perceptron.threshold_neuron_step(w.w, w.binary[1], "a", 0.5),
        T,
        "y",
    ),
    (
        "threshold_step_mu_nan",
        lambda w: perceptron.threshold_neuron_step(w.w, w.binary[1], 1.0, NAN),
        V,
        "mu",
    ),
    (
        "threshold_step_mu_string",
        lambda w: perceptron.threshold_neuron_step(w.w, w.binary[1], 1.0, "a"),
        T,
        "mu",
    ),
    (
        "threshold_step_x_nan",
        lambda w: perceptron.threshold_neuron_step(w.w, np.array([NAN, 1.0]), 1.0, 0.5),
        V,
        "x",
    ),
    (
        "threshold_step_weights_length",
        lambda w: perceptron.threshold_neuron_step(w.w[:2], w.binary[1], 1.0, 0.5),
        V,
        "weights",
    ),
    ("threshold_class_nan", lambda w: perceptron.threshold_class(np.array([0.2, NAN])), V, "y"),
    ("threshold_class_strings", lambda w: perceptron.threshold_class(["a"]), T, "y"),
    ("predict_bias_string", lambda w: perceptron.perceptron_predict(w.binary, w.w[:2], bias="a"), T, "bias"),
    ("predict_weights_nan", lambda w: perceptron.perceptron_predict(w.binary, np.full(2, NAN)), V, "weights"),
    ("rosenblatt_X_empty", lambda w: perceptron.rosenblatt(np.ones((0, 2)), np.ones(0)), V, "X"),
    ("delta_rule_eta_bool", lambda w: perceptron.delta_rule(w.binary, w.labels[:4], eta=True), T, "eta"),
    ("delta_rule_eta_negative", lambda w: perceptron.delta_rule(w.binary, w.labels[:4], eta=-1.0), V, "eta"),
    ("sign_strings", lambda w: perceptron.sign("a"), T, "a"),
    ("with_bias_input_strings", lambda w: perceptron.with_bias_input("a"), T, "X"),
    (
        "threshold_step_y_bool",
        lambda w: perceptron.threshold_neuron_step(w.w, w.binary[1], True, 0.5),
        T,
        "y",
    ),
)

for _name in ("circle", "xor", "gaussian", "spiral"):
    _make = getattr(datasets, _name)
    rows(
        f"datasets.{_name}",
        ("n_negative", lambda w, f=_make: f(n=-1), V, "n"),
        ("n_float", lambda w, f=_make: f(n=10.5), T, "n"),
        ("n_string", lambda w, f=_make: f(n="10"), T, "n"),
        ("noise_negative", lambda w, f=_make: f(noise=-0.1), V, "noise"),
        ("noise_nan", lambda w, f=_make: f(noise=NAN), V, "noise"),
        ("noise_string", lambda w, f=_make: f(noise="a"), T, "noise"),
        ("seed_negative", lambda w, f=_make: f(seed=-1), V, "seed"),
        ("seed_string", lambda w, f=_make: f(seed="abc"), T, "seed"),
        ("seed_float", lambda w, f=_make: f(seed=1.5), T, "seed"),
    )


def _square(v: Array) -> float:
    return float(np.sum(v**2))


rows(
    "gradcheck",
    ("elementwise_f_not_callable", lambda w: gradcheck.check_elementwise(1, np.cos, w.w), T, "f"),
    ("elementwise_df_not_callable", lambda w: gradcheck.check_elementwise(np.sin, 1, w.w), T, "df"),
    (
        "elementwise_method_unknown",
        lambda w: gradcheck.check_elementwise(np.sin, np.cos, w.w, method="forward"),
        V,
        "method",
    ),
    (
        "elementwise_method_int",
        lambda w: gradcheck.check_elementwise(np.sin, np.cos, w.w, method=2),
        T,
        "method",
    ),
    ("elementwise_x_strings", lambda w: gradcheck.check_elementwise(np.sin, np.cos, ["a"]), T, "x"),
    ("elementwise_x_nan", lambda w: gradcheck.check_elementwise(np.sin, np.cos, np.array([NAN])), V, "x"),
    (
        "elementwise_ulps_negative",
        lambda w: gradcheck.check_elementwise(np.sin, np.cos, w.w, ulps=-1),
        V,
        "ulps",
    ),
    ("elementwise_ulps_nan", lambda w: gradcheck.check_elementwise(np.sin, np.cos, w.w, ulps=NAN), V, "ulps"),
    (
        "elementwise_ulps_string",
        lambda w: gradcheck.check_elementwise(np.sin, np.cos, w.w, ulps="8"),
        T,
        "ulps",
    ),
    (
        "elementwise_levels_zero",
        lambda w: gradcheck.check_elementwise(np.sin, np.cos, w.w, levels=0),
        V,
        "levels",
    ),
    (
        "elementwise_levels_float",
        lambda w: gradcheck.check_elementwise(np.sin, np.cos, w.w, levels=2.5),
        T,
        "levels",
    ),
    (
        "elementwise_f_returns_none",
        lambda w: gradcheck.check_elementwise(lambda z: None, np.cos, w.w),
        T,
        "f",
    ),
    (
        "elementwise_df_wrong_shape",
        lambda w: gradcheck.check_elementwise(np.sin, lambda z: np.ones(7), w.w),
        V,
        "df",
    ),
    ("derivative_f_not_callable", lambda w: gradcheck.elementwise_derivative("sin", w.w), T, "f"),
    ("gradient_f_not_callable", lambda w: gradcheck.check_gradient(None, w.w, 2 * w.w), T, "f"),
    ("gradient_grad_wrong_shape", lambda w: gradcheck.check_gradient(_square, w.w, np.ones(2)), V, "grad"),
    ("gradient_x_nan", lambda w: gradcheck.check_gradient(_square, np.full(3, NAN), 2 * w.w), V, "x"),
    (
        "gradient_mode_unknown",
        lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, mode="quick"),
        V,
        "mode",
    ),
    (
        "gradient_method_unknown",
        lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, method="x"),
        V,
        "method",
    ),
    (
        "gradient_directions_float",
        lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, mode="fast", directions=1.5),
        T,
        "directions",
    ),
    (
        "gradient_directions_zero",
        lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, mode="fast", directions=0),
        V,
        "directions",
    ),
    (
        "gradient_seed_string",
        lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, mode="fast", seed="a"),
        T,
        "seed",
    ),
    (
        "gradient_seed_negative",
        lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, mode="fast", seed=-1),
        V,
        "seed",
    ),
    ("gradient_ulps_negative", lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, ulps=-1), V, "ulps"),
    ("gradient_ulps_nan", lambda w: gradcheck.check_gradient(_square, w.w, 2 * w.w, ulps=NAN), V, "ulps"),
    ("gradient_f_returns_none", lambda w: gradcheck.check_gradient(lambda v: None, w.w, 2 * w.w), T, "f"),
    ("gradient_f_returns_vector", lambda w: gradcheck.check_gradient(lambda v: v, w.w, 2 * w.w), V, "f"),
    ("assert_gradient_f_not_callable", lambda w: gradcheck.assert_gradient(3, w.w, 2 * w.w), T, "f"),
    (
        "assert_elementwise_ulps_negative",
        lambda w: gradcheck.assert_elementwise(np.sin, np.cos, w.w, ulps=-2),
        V,
        "ulps",
    ),
)


_FILES = tempfile.mkdtemp(prefix="handmlp-bad-input-")


def _npy_file() -> str:
    """A file np.load reads as one array, not as the .npz archive a model file is."""
    path = os.path.join(_FILES, "lone.npy")
    np.save(path, np.ones(3))
    return path


rows(
    "datasets.split",
    ("lengths_differ", lambda w: train_test_split(w.x, w.y[:5]), V, "y"),
    ("test_fraction_one", lambda w: train_test_split(w.x, w.y, test_fraction=1.0), V, "test_fraction"),
    ("test_fraction_string", lambda w: train_test_split(w.x, w.y, test_fraction="0.2"), T, "test_fraction"),
    ("seed_negative", lambda w: train_test_split(w.x, w.y, seed=-1), V, "seed"),
)

rows(
    "datasets.standardizer",
    ("fit_strings", lambda w: Standardizer.fit([["a", "b"]]), T, "X"),
    ("fit_nan", lambda w: Standardizer.fit(np.full((4, 3), NAN)), V, "X"),
    ("fit_empty", lambda w: Standardizer.fit(np.ones((0, 3))), V, "X"),
    ("transform_wrong_width", lambda w: Standardizer.fit(w.x).transform(np.ones((2, 4))), V, "X"),
    ("transform_nan", lambda w: Standardizer.fit(w.x).transform(np.full((2, 3), NAN)), V, "X"),
    ("transform_dtype_unknown", lambda w: Standardizer.fit(w.x).transform(w.x, dtype="foo"), T, "dtype"),
)

rows(
    "datasets.class_targets",
    ("loss_unknown", lambda w: class_targets("nope", np.array([0, 1]), 2), V, "loss"),
    ("labels_out_of_range", lambda w: class_targets("l1", np.array([0, 5]), 2), V, "labels"),
    ("labels_floats", lambda w: class_targets("l1", np.array([0.5, 1.0]), 2), T, "labels"),
    ("classes_zero", lambda w: class_targets("l1", np.array([0, 1]), 0), V, "classes"),
    ("load_dataset_unknown", lambda w: load_dataset("nope"), V, "data"),
    ("load_dataset_int", lambda w: load_dataset(3), T, "data"),
)

rows(
    "metrics",
    ("accuracy_lengths_differ", lambda w: accuracy([1, 2, 3], [1, 2]), V, "y_pred"),
    ("accuracy_empty", lambda w: accuracy([], []), V, "y_pred"),
    ("accuracy_y_true_nan", lambda w: accuracy([NAN, 1.0], [1.0, 1.0]), V, "y_true"),
    ("accuracy_y_true_strings", lambda w: accuracy(["a", "b"], [1, 2]), T, "y_true"),
    ("accuracy_y_pred_none", lambda w: accuracy([1, 2], None), T, "y_pred"),
)

rows(
    "idx",
    ("read_path_none", lambda w: idx.read_idx(None), T, "path"),
    ("write_array_list", lambda w: idx.write_idx(os.path.join(_FILES, "a.idx"), [1, 2]), T, "array"),
    (
        "write_array_bool",
        lambda w: idx.write_idx(os.path.join(_FILES, "b.idx"), np.ones(2, bool)),
        T,
        "array",
    ),
    (
        "write_compress_string",
        lambda w: idx.write_idx(os.path.join(_FILES, "c.idx"), np.ones(2, np.uint8), compress="yes"),
        T,
        "compress",
    ),
    ("load_mnist_split_unknown", lambda w: idx.load_mnist(_FILES, split="val"), V, "split"),
    ("load_mnist_folder_none", lambda w: idx.load_mnist(None), T, "folder"),
)

rows(
    "serialize",
    ("save_net_not_mlp", lambda w: serialize.save("net", os.path.join(_FILES, "m.npz")), T, "net"),
    ("save_path_none", lambda w: serialize.save(w.net, None), T, "path"),
    (
        "save_extras_not_mapping",
        lambda w: serialize.save(w.net, os.path.join(_FILES, "m.npz"), extras=3),
        T,
        "extras",
    ),
    ("load_path_none", lambda w: serialize.load(None), T, "path"),
    ("load_a_npy_file", lambda w: serialize.load(_npy_file()), V, "lone.npy"),
    ("load_extras_path_none", lambda w: serialize.load_extras(None), T, "path"),
)


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input_raises_its_error_naming_the_argument_and_changes_nothing(row: Row) -> None:
    world = World()
    before = _snapshot(world)
    with pytest.raises(Exception) as caught:
        row.call(world)
    exc = caught.value
    assert isinstance(exc, row.error), (
        f"{row.id}: expected {row.error.__name__}, got {type(exc).__name__}: {exc}"
    )
    assert type(exc) is not Exception
    message = str(exc)
    assert re.search(rf"(?<![\w.]){re.escape(row.argument)}(?![\w])", message), (
        f"{row.id}: the message does not name {row.argument!r}: {message}"
    )
    after = _snapshot(world)
    assert before.keys() == after.keys(), f"{row.id}: state gained or lost {set(before) ^ set(after)}"
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, f"{row.id}: the refused call changed {changed}"


def test_the_table_covers_the_public_api_with_at_least_150_rows() -> None:
    groups = {r.id.split("/")[0].split(".")[0] for r in ROWS}
    assert {"MLP", "forward", "backward", "losses", "activations", "state_dict", "SGD", "fit"} <= groups
    assert {"batching", "perceptron", "datasets", "gradcheck"} <= groups
    assert len(ROWS) + len(CLI_ROWS) >= 150
    assert len({r.id for r in ROWS}) == len(ROWS)


def test_the_snapshot_sees_caches_buffers_and_inputs() -> None:
    # the comparison is the check: a change to any of these must show (a planted in-place edit)
    for mutate in (
        lambda w: w.net._cache[0][0].__setitem__((0, 0), 9.0),
        lambda w: w.optimizer.momentum_buffers["0.weight"].__setitem__((0, 0), 9.0),
        lambda w: w.x.__setitem__((0, 0), 9.0),
        lambda w: w.net.weights[1].__setitem__((0, 0), 9.0),
        lambda w: w.net.activations[0].weight.__setitem__(0, 9.0),
        lambda w: setattr(w.net, "grad_input", np.zeros((2, 3))),
    ):
        world = World()
        before = _snapshot(world)
        mutate(world)
        assert _snapshot(world) != before


CLI_ROWS = [
    # (argv, the argument the one line must name)
    (["verify", "("], "ID"),
    (["verify", "C99"], "ID"),
    (["verify", "C9/dL_dw"], "ID"),
    (["verify", "-k", "("], "-k"),
    (["verify", "-k", "[a-"], "-k"),
    (["verify", "-k", "zzz"], "-k"),
    (["verify", "--format", "pdf"], "--format"),
    (["verify", "--output", "/nonexistent-folder/report.html"], "--output"),
    (["verify", "--output", "."], "--output"),
    (["verify", "--output", ""], "--output"),
    (["verify", "--bogus"], "--bogus"),
    (["nosuch"], "nosuch"),
]


@pytest.mark.parametrize(("argv", "argument"), CLI_ROWS, ids=[" ".join(a) for a, _ in CLI_ROWS])
def test_cli_mistake_exits_two_with_one_line_naming_the_argument(
    argv: list[str], argument: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        status = exc.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and argument in lines[0] and "Traceback" not in captured.err, captured.err
