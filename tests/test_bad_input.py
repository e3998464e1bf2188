"""Bad input raises ValueError/TypeError naming the argument, and leaves the network's weights untouched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp import MLP, get_activation, get_loss


def _net() -> MLP:
    return MLP([3, 4, 2], ["prelu", "identity"], seed=0)


def _assert_unchanged_after(call: Callable[[MLP], Any], error: type[Exception], match: str) -> None:
    net = _net()
    net.forward(np.ones((2, 3)))
    before = net.state_dict()
    with pytest.raises(error, match=match):
        call(net)
    after = net.state_dict()
    assert before.keys() == after.keys()
    for key in before:
        assert before[key].tobytes() == after[key].tobytes(), key


GOOD_X = np.ones((2, 3))
BAD_CALLS: dict[str, tuple[Callable[[MLP], Any], type[Exception], str]] = {
    "x_wrong_width": (lambda n: n.forward(np.ones((2, 4))), ValueError, r"x: expected shape \(any, 3\)"),
    "x_one_dimensional": (lambda n: n.forward(np.ones(3)), ValueError, "x: expected shape"),
    "x_nan": (lambda n: n.forward(np.array([[1.0, np.nan, 0.0]])), ValueError, "x: expected finite"),
    "x_inf": (lambda n: n.forward(np.array([[1.0, np.inf, 0.0]])), ValueError, "x: expected finite"),
    "x_float32_into_float64_net": (
        lambda n: n.forward(GOOD_X.astype(np.float32)),
        TypeError,
        "x: expected dtype",
    ),
    "x_integers": (lambda n: n.forward(np.ones((2, 3), dtype=int)), TypeError, "x: expected a float"),
    "x_strings": (lambda n: n.forward([["a", "b", "c"]]), TypeError, "x: expected an array"),
    "grad_output_wrong_shape": (
        lambda n: n.backward(np.ones((2, 3))),
        ValueError,
        "grad_output: expected shape",
    ),
    "grad_output_nan": (
        lambda n: n.backward(np.full((2, 2), np.nan)),
        ValueError,
        "grad_output: expected finite",
    ),
    "state_dict_missing_key": (
        lambda n: n.load_state_dict({k: v for k, v in n.state_dict().items() if k != "0.bias"}),
        ValueError,
        r"missing \['0.bias'\]",
    ),
    "state_dict_extra_key": (
        lambda n: n.load_state_dict({**n.state_dict(), "4.weight": np.ones(1)}),
        ValueError,
        r"unexpected \['4.weight'\]",
    ),
    "state_dict_wrong_shape": (
        lambda n: n.load_state_dict({**n.state_dict(), "0.weight": np.ones((3, 4))}),
        ValueError,
        r"state_dict\['0.weight'\]: expected shape \(4, 3\)",
    ),
    "state_dict_wrong_dtype_after_good_keys": (
        lambda n: n.load_state_dict(
            {**{k: v + 1 for k, v in n.state_dict().items()}, "2.bias": np.ones(2, np.float32)}
        ),
        TypeError,
        r"state_dict\['2.bias'\]: expected dtype float64",
    ),
    "state_dict_nan": (
        lambda n: n.load_state_dict({**n.state_dict(), "1.weight": np.array([np.nan])}),
        ValueError,
        "expected finite",
    ),
    "state_dict_not_a_mapping": (
        lambda n: n.load_state_dict([1, 2]),
        TypeError,
        "state_dict: expected a mapping",
    ),
    "loss_labels_out_of_range": (
        lambda n: n.loss_and_gradients(GOOD_X, np.array([0, 2]), "cross_entropy"),
        ValueError,
        r"y: expected class labels in 0..1, got 2",
    ),
    "loss_labels_negative": (
        lambda n: n.loss_and_gradients(GOOD_X, np.array([0, -1]), "cross_entropy"),
        ValueError,
        "y: expected class labels",
    ),
    "loss_labels_float": (
        lambda n: n.loss_and_gradients(GOOD_X, np.array([0.0, 1.0]), "cross_entropy"),
        TypeError,
        "y: expected integer class labels",
    ),
    "hinge_labels_not_pm1": (
        lambda n: n.loss_and_gradients(GOOD_X, np.zeros((2, 2)), "hinge"),
        ValueError,
        r"y: expected labels \+1 or -1",
    ),
    "target_shape_mismatch": (
        lambda n: n.loss_and_gradients(GOOD_X, np.zeros((3, 2)), "squared_error"),
        ValueError,
        r"y: expected shape \(2, 2\)",
    ),
    "unknown_loss": (
        lambda n: n.loss_and_gradients(GOOD_X, np.zeros((2, 2)), "mse"),
        ValueError,
        "loss: unknown",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_input_raises_a_named_error_and_keeps_the_weights(case: str) -> None:
    call, error, match = BAD_CALLS[case]
    _assert_unchanged_after(call, error, match)


def test_backward_before_forward_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="call forward"):
        _net().backward(np.ones((1, 2)))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": [3]}, ValueError, "sizes: expected at least"),
        ({"sizes": [3, 0, 2]}, ValueError, "sizes: expected positive"),
        ({"sizes": [3, 2.5]}, TypeError, "sizes: expected integer"),
        ({"sizes": "3-4-2"}, TypeError, "sizes: expected a list"),
        ({"sizes": [3, 4, 2], "activation": "swoosh"}, ValueError, "activation: unknown name 'swoosh'"),
        (
            {"sizes": [3, 4, 2], "activation": ["relu"]},
            ValueError,
            r"activation: expected one per layer \(2\)",
        ),
        ({"sizes": [3, 4, 2], "activation": 3}, TypeError, "activation: expected one value"),
        (
            {"sizes": [3, 4, 2], "activation": ["relu", 3]},
            TypeError,
            "activation: expected str or Activation",
        ),
        ({"sizes": [3, 4, 2], "bias": [True]}, ValueError, "bias: expected one per layer"),
        ({"sizes": [3, 4, 2], "dtype": np.int32}, TypeError, "dtype: expected float32 or float64"),
        ({"sizes": [3, 4, 2], "dtype": "float16"}, TypeError, "dtype: expected float32 or float64"),
        (
            {"sizes": [3, 4, 2], "activation": get_activation("prelu", num_parameters=3)},
            ValueError,
            "num_parameters",
        ),
    ],
)
def test_bad_network_settings_are_named(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        MLP(**kwargs)


@pytest.mark.parametrize(
    ("name", "settings", "error", "match"),
    [
        ("leaky_relu", {"negative_slope": float("nan")}, ValueError, "negative_slope: expected a finite"),
        ("elu", {"alpha": "1"}, TypeError, "alpha: expected a real number"),
        ("softplus", {"beta": 0.0}, ValueError, "beta: expected a non-zero"),
        ("gelu", {"approximate": "erf"}, ValueError, "approximate: expected 'none' or 'tanh'"),
        ("hardtanh", {"min_val": 1.0, "max_val": -1.0}, ValueError, "max_val"),
        ("prelu", {"num_parameters": 0}, ValueError, "num_parameters: expected a positive"),
    ],
)
def test_bad_activation_settings_are_named(
    name: str, settings: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        get_activation(name, **settings)


def test_bad_activation_and_loss_specs_are_named() -> None:
    with pytest.raises(TypeError, match="activation: expected a name"):
        get_activation(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="settings: only given with a name"):
        get_activation(get_activation("relu"), alpha=1.0)
    with pytest.raises(TypeError, match="loss: expected a name"):
        get_loss(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reduction: expected 'sum' or 'mean'"):
        get_loss("l1", reduction="none")


@pytest.mark.parametrize(
    ("loss", "y_hat", "y", "error", "match"),
    [
        ("binary_cross_entropy", [[1.5]], [[1.0]], ValueError, r"y_hat: expected values in \[0, 1\]"),
        ("binary_cross_entropy", [[0.5]], [[2.0]], ValueError, r"y: expected values in \[0, 1\]"),
        ("bce_with_logits", [[0.5]], [[-1.0]], ValueError, r"y: expected values in \[0, 1\]"),
        ("squared_error", [], [], ValueError, "y_hat: expected at least one element"),
        ("squared_error", [[np.inf]], [[1.0]], ValueError, "y_hat: expected finite"),
        (
            "squared_error",
            np.ones((1, 1)),
            np.ones((1, 1), np.float32),
            TypeError,
            "y: expected dtype float64",
        ),
        ("cross_entropy", [1.0, 2.0], [0], ValueError, r"y_hat: expected logits of shape \(batch, classes\)"),
        ("cross_entropy", [[1.0, 2.0]], [0, 1], ValueError, r"y: expected shape \(1\)"),
    ],
)
def test_bad_loss_arguments_are_named(
    loss: str, y_hat: Any, y: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        get_loss(loss).value(y_hat, y)
