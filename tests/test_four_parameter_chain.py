"""C9's four-parameter chain, written factor by factor in handmlp.chain, is the general network's backprop
to the last bit (the same products in the same order) and agrees with torch.autograd within the derived
bound of that network; a planted error of 1e-6 in any factor leaves the bound."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from handmlp import MLP, get_loss
from handmlp.chain import ChainResult, four_parameter_chain
from handmlp.special import logistic
from reference.oracle.bounds import network_bounds
from reference.oracle.compare import assert_within_bound, compare_within_bound
from reference.twins.mlp import autograd_gradients

LOSS = get_loss("half_squared_error", "sum")
# (f1, f2, f3): the slides' all-sigmoid chain, and mixes with kinks and a learnable slope.
ACTIVATIONS = [
    ("sigmoid", "sigmoid", "sigmoid"),
    ("tanh", "relu", "identity"),
    ("softplus", "gelu", "sigmoid"),
    ("prelu", "elu", "tanh"),
]
SEEDS = [0, 1, 2]


def _draw(seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    names = ("x", "y", "w1", "w2", "w3", "b")
    return {name: float(v) for name, v in zip(names, rng.normal(scale=1.5, size=len(names)))}


def _network(p: dict[str, float], acts: tuple[str, str, str]) -> MLP:
    net = MLP([1, 1, 1, 1], list(acts), bias=[True, False, False], seed=0)
    net.load_state_dict(
        {
            **net.state_dict(),
            "0.weight": np.array([[p["w1"]]]),
            "0.bias": np.array([p["b"]]),
            "2.weight": np.array([[p["w2"]]]),
            "4.weight": np.array([[p["w3"]]]),
        }
    )
    return net


def _as_grads(result: ChainResult) -> dict[str, float]:
    return {
        "4.weight": result.dL_dw3,
        "2.weight": result.dL_dw2,
        "0.weight": result.dL_dw1,
        "0.bias": result.dL_db,
    }


def _chain(p: dict[str, float], acts: tuple[str, str, str]) -> ChainResult:
    return four_parameter_chain(p["x"], p["y"], p["w1"], p["w2"], p["w3"], p["b"], *acts)


def _io(p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([[p["x"]]]), np.array([[p["y"]]])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("acts", ACTIVATIONS, ids="-".join)
def test_chain_is_the_general_networks_backprop_bit_for_bit(acts: tuple[str, str, str], seed: int) -> None:
    p = _draw(seed)
    net = _network(p, acts)
    x, y = _io(p)
    loss, grads = net.loss_and_gradients(x, y, LOSS)
    result = _chain(p, acts)
    assert result.y_hat == net.forward(x)[0, 0] and result.loss == loss
    for name, value in _as_grads(result).items():
        assert value == grads[name].item(), (name, value, grads[name].item())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("acts", ACTIVATIONS, ids="-".join)
def test_chain_matches_autograd_within_the_networks_bound(acts: tuple[str, str, str], seed: int) -> None:
    p = _draw(seed)
    net, (x, y) = _network(p, acts), _io(p)
    torch_side, bounds = autograd_gradients(net, x, y, LOSS), network_bounds(net, x, y, LOSS)
    result = _chain(p, acts)
    assert_within_bound("ŷ", result.y_hat, torch_side.output[0, 0], bounds.output[0, 0])
    assert_within_bound("L", result.loss, torch_side.loss, bounds.loss)
    for name, value in _as_grads(result).items():
        assert_within_bound(f"∂L/∂{name}", value, torch_side.grads[name].item(), bounds.grads[name].item())


@pytest.mark.parametrize("name", ["4.weight", "2.weight", "0.weight", "0.bias"])
def test_a_factor_off_by_1e_6_leaves_the_bound(name: str) -> None:
    p, acts = _draw(0), ACTIVATIONS[0]
    net, (x, y) = _network(p, acts), _io(p)
    torch_side, bounds = autograd_gradients(net, x, y, LOSS), network_bounds(net, x, y, LOSS)
    planted = _as_grads(_chain(p, acts))[name] * (1 + 1e-6)
    assert not compare_within_bound(
        name, planted, torch_side.grads[name].item(), bounds.grads[name].item()
    ).passed


def test_slides_sigmoid_chain_is_the_printed_product() -> None:
    """∂L/∂w3 = −(y − ŷ)·f3(1 − f3)·f2, as C9 prints it, to the last bit."""
    p = _draw(3)
    result = _chain(p, ACTIVATIONS[0])
    f1 = logistic(np.array(p["w1"] * p["x"] + p["b"]))
    f2 = logistic(p["w2"] * f1)
    f3 = result.y_hat
    assert result.dL_dw3 == -(p["y"] - f3) * (f3 * (1 - f3)) * f2


@pytest.mark.parametrize(
    ("settings", "error", "match"),
    [
        ({"x": "a"}, TypeError, "x: expected a real number"),
        ({"y": float("nan")}, ValueError, "y: expected a finite number"),
        ({"w3": None}, TypeError, "w3: expected a real number"),
        ({"b": float("inf")}, ValueError, "b: expected a finite"),
        ({"f2": "swoosh"}, ValueError, "activation: unknown name 'swoosh'"),
        ({"f1": 3}, TypeError, "activation: expected a name"),
    ],
)
def test_bad_arguments_are_named(settings: dict[str, Any], error: type[Exception], match: str) -> None:
    args: dict[str, Any] = {**_draw(0), **settings}
    with pytest.raises(error, match=match):
        four_parameter_chain(**args)
