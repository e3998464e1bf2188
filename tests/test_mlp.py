"""The network's public contract: torch's state_dict names and shapes, counting (C4), dtypes, copies."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from handmlp import MLP, get_activation
from reference.oracle.autograd import assert_matches_autograd
from reference.twins.mlp import copy_to_handmlp, to_torch


def test_state_dict_keys_and_shapes_are_torch_sequentials() -> None:
    net = MLP([3, 4, 2], ["prelu", "sigmoid"])
    twin = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.PReLU(), torch.nn.Linear(4, 2), torch.nn.Sigmoid()
    )
    ours = {k: v.shape for k, v in net.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in twin.state_dict().items()}
    assert ours == theirs
    assert list(ours) == list(theirs)


def test_three_four_two_network_counts_match_the_course_and_torch() -> None:
    net = MLP([3, 4, 2])
    assert (net.num_neurons(), net.num_weights(), net.num_parameters()) == (6, 20, 26)
    assert net.num_parameters() == sum(p.numel() for p in to_torch(net).parameters())


def test_four_parameter_chain_has_a_bias_on_its_first_layer_only() -> None:
    net = MLP([1, 1, 1, 1], "sigmoid", bias=[True, False, False])
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "4.weight"]
    assert net.num_parameters() == 4


def test_torch_twin_is_a_plain_copy_and_copies_back() -> None:
    net = MLP([2, 5, 3], ["prelu", "tanh"], dtype=np.float32, seed=7)
    twin = to_torch(net)
    for key, value in net.state_dict().items():
        assert np.array_equal(twin.state_dict()[key].numpy(), value)
        assert twin.state_dict()[key].dtype == torch.float32
    with torch.no_grad():
        for p in twin.parameters():
            p.mul_(2)
    copy_to_handmlp(twin, net)
    assert np.array_equal(net.state_dict()["0.weight"], twin.state_dict()["0.weight"].numpy())


def test_load_state_dict_writes_into_the_live_arrays() -> None:
    net = MLP([2, 3, 1])
    live = net.parameters()["0.weight"]
    state = {k: v + 1.0 for k, v in net.state_dict().items()}
    net.load_state_dict(state)
    assert live is net.parameters()["0.weight"]
    assert np.array_equal(live, state["0.weight"])


def test_state_dict_is_a_copy() -> None:
    net = MLP([2, 3, 1])
    net.state_dict()["0.weight"][...] = 99.0
    assert not np.any(net.parameters()["0.weight"] == 99.0)


def test_initialisation_follows_torch_linear_bounds_and_seed() -> None:
    net = MLP([16, 64, 4], seed=5)
    for layer, fan_in in ((0, 16), (2, 64)):
        w, b = net.parameters()[f"{layer}.weight"], net.parameters()[f"{layer}.bias"]
        assert np.abs(w).max() <= 1 / np.sqrt(fan_in) and np.abs(b).max() <= 1 / np.sqrt(fan_in)
        assert w.std() > 0.5 / np.sqrt(3 * fan_in)  # spread over the interval, not collapsed
    assert all(
        np.array_equal(a, b)
        for a, b in zip(net.state_dict().values(), MLP([16, 64, 4], seed=5).state_dict().values())
    )
    assert not np.array_equal(net.state_dict()["0.weight"], MLP([16, 64, 4], seed=6).state_dict()["0.weight"])


def test_float32_network_stays_float32() -> None:
    net = MLP([3, 4, 2], "gelu", dtype="float32")
    out = net.forward(np.ones((2, 3), np.float32))
    grads = net.backward(np.ones_like(out))
    assert out.dtype == np.float32 and net.grad_input is not None and net.grad_input.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


def test_activation_instances_are_copied_per_layer() -> None:
    shared = get_activation("prelu", init=0.1)
    net = MLP([2, 3, 3, 1], shared)
    net.parameters()["1.weight"][...] = 0.5
    assert net.parameters()["3.weight"][0] == pytest.approx(0.1)
    assert shared.weight[0] == pytest.approx(0.1)


def test_prelu_with_one_slope_per_unit_matches_autograd() -> None:
    net = MLP([3, 5, 2], [get_activation("prelu", num_parameters=5, init=0.3), "identity"], seed=2)
    assert net.state_dict()["1.weight"].shape == (5,)
    x = np.random.default_rng(2).normal(size=(6, 3))
    assert_matches_autograd(net, x, np.zeros((6, 2)), "half_squared_error")


def test_lists_are_accepted_as_input() -> None:
    net = MLP([2, 1], "identity", bias=False)
    net.load_state_dict({"0.weight": np.array([[2.0, 3.0]])})
    assert net.forward([[1.0, 1.0]])[0, 0] == 5.0
    assert net([[1.0, 0.0]])[0, 0] == 2.0


def test_backward_returns_gradients_in_state_dict_order_and_input_gradient() -> None:
    net = MLP([3, 4, 2], ["prelu", "identity"])
    net.forward(np.ones((2, 3)))
    grads = net.backward(np.ones((2, 2)))
    assert list(grads) == list(net.state_dict())
    assert net.input_grad is net.grad_input and net.grad_input is not None and net.grad_input.shape == (2, 3)


def test_smallest_perceptron_gradient_is_minus_error_times_x() -> None:
    """C6: ŷ = w·x, L = ½(y − ŷ)², dL/dw = −(y − ŷ)·x."""
    net = MLP([1, 1], "identity", bias=False)
    net.load_state_dict({"0.weight": np.array([[0.5]])})
    value, grads = net.loss_and_gradients([[10.0]], np.array([[10.1]]), "half_squared_error")
    assert value == pytest.approx(0.5 * (10.1 - 5.0) ** 2)
    assert grads["0.weight"][0, 0] == pytest.approx(-(10.1 - 5.0) * 10.0)


def test_repr_names_the_architecture() -> None:
    assert "sizes=[3, 4, 2]" in repr(MLP([3, 4, 2], ["relu", "identity"]))
    assert repr(get_activation("elu", alpha=2.0)) == "ELU(alpha=2.0)"


def test_activations_keyword_is_the_same_argument() -> None:
    net = MLP([2, 3, 1], activations=["relu", "identity"])
    assert [a.name for a in net.activations] == ["relu", "identity"]
