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


@pytest.mark.parametrize("dtype", ["foo", None, "int32", np.int64, object()])
def test_unknown_dtype_is_a_type_error(dtype: object) -> None:
    with pytest.raises(TypeError, match="dtype: expected float32 or float64"):
        MLP([3, 4, 2], dtype=dtype)


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), ("abc", TypeError), (1.5, TypeError)])
def test_bad_seed_is_refused_naming_seed(seed: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="seed: expected an integer"):
        MLP([3, 4, 2], seed=seed)  # type: ignore[arg-type]


def test_biases_are_drawn_per_unit_not_one_value_for_all() -> None:
    net = MLP([16, 64, 32], seed=0)
    for bias, n_in in zip(net.biases, net.sizes):
        assert bias is not None
        assert len(np.unique(bias)) == len(bias)  # a collapsed draw repeats one value
        bound = 1 / np.sqrt(n_in)
        assert bias.min() < -bound / 2 and bias.max() > bound / 2  # spread over U(−1/√n_in, 1/√n_in)


def test_predict_gives_argmax_or_the_sign_of_one_output_and_leaves_the_cache() -> None:
    x = np.random.default_rng(0).normal(size=(6, 3))
    net = MLP([3, 4, 2], seed=0)
    cached = net.forward(x[:2])
    np.testing.assert_array_equal(net.predict(x), np.argmax(net.output(x), axis=1))
    assert net._cache is not None and net._cache[-1][2] is cached
    scores = MLP([3, 4, 1], ["tanh", "identity"], seed=0)
    np.testing.assert_array_equal(scores.predict(x), np.where(scores.output(x)[:, 0] >= 0, 1.0, -1.0))
    probabilities = MLP([3, 4, 1], "sigmoid", seed=0)
    np.testing.assert_array_equal(
        probabilities.predict(x), (probabilities.output(x)[:, 0] >= 0.5).astype(int)
    )


def test_backward_into_buffers_and_without_input_gradient_gives_the_same_bits() -> None:
    rng = np.random.default_rng(1)
    net = MLP([5, 7, 3], ["prelu", "tanh"], seed=0)
    x, g = rng.normal(size=(4, 5)), rng.normal(size=(4, 3))
    net.forward(x)
    fresh = net.backward(g)
    buffers = net.gradient_buffers()
    reused = net.backward(g, input_grad=False, out=buffers)
    assert net.grad_input is None and list(reused) == list(fresh)
    for name, value in fresh.items():
        assert reused[name].tobytes() == value.tobytes(), name
    assert reused["0.weight"] is buffers["0.weight"] and net.gradient_buffers() is buffers


@pytest.mark.parametrize(
    ("out", "error", "match"),
    [
        ([], TypeError, "out: expected a dict"),
        ({"9.weight": np.zeros(1)}, ValueError, "out: unexpected key '9.weight'"),
        (
            {"0.weight": np.zeros((7, 4))},
            TypeError,
            r"out\['0.weight'\]: expected a float64 ndarray of shape",
        ),
        ({"0.bias": np.zeros(7, np.float32)}, TypeError, r"out\['0.bias'\]"),
    ],
)
def test_bad_gradient_buffers_are_refused(out: object, error: type[Exception], match: str) -> None:
    net = MLP([5, 7, 3], seed=0)
    net.forward(np.zeros((2, 5)))
    with pytest.raises(error, match=match):
        net.backward(np.zeros((2, 3)), out=out)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is the parameter itself"):
        net.backward(np.zeros((2, 3)), out={"0.bias": net.biases[0]})  # type: ignore[dict-item]
