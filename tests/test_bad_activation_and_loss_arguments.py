"""Every bad setting or argument of an activation or a loss is refused with the right error type, naming the
argument, before any state changes: learnable parameters and the caller's arrays stay bit for bit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp import get_activation, get_loss

# (name, settings, error, argument named in the message)
BAD_SETTINGS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("leaky_relu", {"negative_slope": "a"}, TypeError, "negative_slope"),
    ("leaky_relu", {"negative_slope": True}, TypeError, "negative_slope"),
    ("leaky_relu", {"negative_slope": float("nan")}, ValueError, "negative_slope"),
    ("elu", {"alpha": None}, TypeError, "alpha"),
    ("elu", {"alpha": float("inf")}, ValueError, "alpha"),
    ("softplus", {"beta": 0.0}, ValueError, "beta"),
    ("softplus", {"beta": "2"}, TypeError, "beta"),
    ("softplus", {"threshold": float("nan")}, ValueError, "threshold"),
    ("gelu", {"approximate": 1}, TypeError, "approximate"),
    ("gelu", {"approximate": "erf"}, ValueError, "approximate"),
    ("hardtanh", {"min_val": "a"}, TypeError, "min_val"),
    ("hardtanh", {"min_val": 1.0, "max_val": 0.0}, ValueError, "max_val"),
    ("hardtanh", {"max_val": float("nan")}, ValueError, "max_val"),
    ("prelu", {"num_parameters": 0}, ValueError, "num_parameters"),
    ("prelu", {"num_parameters": 1.5}, TypeError, "num_parameters"),
    ("prelu", {"num_parameters": "2"}, TypeError, "num_parameters"),
    ("prelu", {"num_parameters": True}, TypeError, "num_parameters"),
    ("prelu", {"init": "a"}, TypeError, "init"),
    ("prelu", {"init": float("nan")}, ValueError, "init"),
    ("isru", {"alpha": -1.0}, ValueError, "alpha"),
    ("isru", {"alpha": "a"}, TypeError, "alpha"),
    ("swish_beta", {"num_parameters": -1}, ValueError, "num_parameters"),
    ("swish_beta", {"init": float("inf")}, ValueError, "init"),
    ("soft_exponential", {"init": "big"}, TypeError, "init"),
    ("soft_exponential", {"num_parameters": None}, TypeError, "num_parameters"),
    ("relu", {"alpha": 1.0}, TypeError, "alpha"),
    ("sigmoid", {"beta": 2.0}, TypeError, "beta"),
    ("elu", {"negative_slope": 0.1}, TypeError, "negative_slope"),
]


@pytest.mark.parametrize(
    ("name", "settings", "error", "argument"),
    BAD_SETTINGS,
    ids=[f"{n}-{'-'.join(s)}" for n, s, _, _ in BAD_SETTINGS],
)
def test_bad_activation_setting_is_named(
    name: str, settings: dict[str, Any], error: type[Exception], argument: str
) -> None:
    with pytest.raises(error, match=rf"^{argument}: "):
        get_activation(name, **settings)


def test_hardtanh_with_equal_edges_is_accepted_and_reversed_edges_are_not() -> None:
    assert get_activation("hardtanh", min_val=0.0, max_val=0.0).settings() == {"min_val": 0.0, "max_val": 0.0}
    with pytest.raises(ValueError, match=r"max_val: expected a number ≥ min_val=1.0, got 0.5"):
        get_activation("hardtanh", min_val=1.0, max_val=0.5)


PARAMETRIC = {"prelu": "weight", "swish_beta": "beta", "soft_exponential": "alpha"}
BAD_BUILDS: list[tuple[int, Any, type[Exception], str]] = [
    (4, np.float64, ValueError, "num_parameters"),  # three parameters for a layer of four
    (3, "foo", TypeError, "dtype"),
    (3, np.int64, TypeError, "dtype"),
    (0, np.float64, ValueError, "n_units"),
    (1.5, np.float64, TypeError, "n_units"),
]


@pytest.mark.parametrize("build", BAD_BUILDS, ids=lambda b: f"{b[0]}-{b[3]}")
@pytest.mark.parametrize("name", list(PARAMETRIC))
def test_a_refused_build_leaves_the_learnable_parameter_as_it_was(
    name: str, build: tuple[int, Any, type[Exception], str]
) -> None:
    n_units, dtype, error, argument = build
    act = get_activation(name, num_parameters=3, init=0.3)
    before = act.parameters()[PARAMETRIC[name]].copy()
    with pytest.raises(error, match=rf"^{argument}: "):
        act.build(n_units, dtype)
    after = act.parameters()[PARAMETRIC[name]]
    assert after.dtype == before.dtype and np.array_equal(after, before)


BAD_CALLS: list[tuple[Any, type[Exception]]] = [
    ("a", TypeError),
    ([["a", "b"]], TypeError),
    (np.ones(3, dtype=np.int64), TypeError),
    (np.array([1.0, np.nan]), ValueError),
    (np.array([np.inf], dtype=np.float32), ValueError),
]


@pytest.mark.parametrize(("z", "error"), BAD_CALLS, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("name", ["sigmoid", "relu", "gelu", "prelu", "soft_exponential"])
def test_calling_an_activation_on_bad_z_names_z(name: str, z: Any, error: type[Exception]) -> None:
    act = get_activation(name)
    saved = {k: v.copy() for k, v in act.parameters().items()}
    with pytest.raises(error, match=r"^z: "):
        act(z)
    assert all(np.array_equal(act.parameters()[k], v) for k, v in saved.items())


def test_calling_an_activation_checks_then_computes_its_value() -> None:
    act = get_activation("tanh")
    assert np.array_equal(act([0.5, -1.0]), np.tanh([0.5, -1.0]))


GOOD = np.array([[0.2, -0.4]]), np.array([[1.0, -1.0]])
# (loss, reduction, y_hat, y, error, argument named)
BAD_LOSS_CALLS: list[tuple[str, Any, Any, Any, type[Exception], str]] = [
    ("l1", 1, *GOOD, TypeError, "reduction"),
    ("l1", "none", *GOOD, ValueError, "reduction"),
    ("l1", "mean", "a", GOOD[1], TypeError, "y_hat"),
    ("l1", "mean", GOOD[0], [["a", "b"]], TypeError, "y"),
    ("l1", "mean", GOOD[0], np.array([[np.nan, 1.0]]), ValueError, "y"),
    ("l1", "mean", np.array([[np.inf, 1.0]]), GOOD[1], ValueError, "y_hat"),
    ("l1", "mean", GOOD[0], np.ones((2, 2)), ValueError, "y"),
    ("l1", "mean", GOOD[0], GOOD[1].astype(np.float32), TypeError, "y"),
    ("hinge", "sum", GOOD[0], np.array([[1.0, 0.0]]), ValueError, "y"),
    ("binary_cross_entropy", "sum", np.array([[1.5, 0.5]]), np.array([[1.0, 0.0]]), ValueError, "y_hat"),
    ("bce_with_logits", "sum", GOOD[0], np.array([[2.0, 0.0]]), ValueError, "y"),
    ("cross_entropy", "mean", GOOD[0], np.array([0.0]), TypeError, "y"),
    ("cross_entropy", "mean", GOOD[0], np.array([2]), ValueError, "y"),
    ("cross_entropy", "mean", np.array([1.0, 2.0]), np.array([0]), ValueError, "y_hat"),
    ("zero_one", "sum", GOOD[0], np.array([[1.0]]), ValueError, "y"),
]


@pytest.mark.parametrize("method", ["value", "gradient", "derivative", "__call__"])
@pytest.mark.parametrize(
    ("loss", "reduction", "y_hat", "y", "error", "argument"),
    BAD_LOSS_CALLS,
    ids=[f"{c[0]}-{c[5]}-{c[4].__name__}" for c in BAD_LOSS_CALLS],
)
def test_bad_loss_argument_is_named_and_the_inputs_stay_as_they_were(
    loss: str, reduction: Any, y_hat: Any, y: Any, error: type[Exception], argument: str, method: str
) -> None:
    if loss == "zero_one" and method in ("gradient", "derivative"):
        pytest.skip("zero_one has no gradient whatever the arguments (NotDifferentiableError)")
    saved = [np.array(v, copy=True) for v in (y_hat, y)]
    with pytest.raises(error, match=rf"^{argument}: "):
        fn: Callable[..., Any] = getattr(get_loss(loss, reduction), method)
        fn(y_hat, y)
    for before, after in zip(saved, (y_hat, y)):
        assert np.array_equal(before, np.asarray(after), equal_nan=before.dtype.kind == "f")
