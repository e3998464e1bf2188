"""Catalog cases for the logistic unit, counting, losses and backpropagation (C3–C5, C9, C10, C12, C14, C16,
errata E1, E3, E5). Each check builds its inputs from a fixed seed, so a run is reproducible."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp import MLP, get_activation, get_loss
from handmlp.chain import four_parameter_chain
from handmlp.linear import linear_backward
from reference.conformance.case import (
    AUTOGRAD,
    EXACT,
    WITHIN_BOUND,
    Outcome,
    case,
    erratum,
    exact,
    from_comparisons,
)
from reference.conformance.protocol import LossSpec, NotApplicableError, capabilities
from reference.conformance.subject import against_autograd, load, outcome_of
from reference.oracle.compare import compare_within_bound, gamma, unit_roundoff

Array = Any
GRADIENTS = ("forward", "gradients")


def _autograd(impl: Any, net: MLP, x: Array, y: Array, loss: str, reduction: str = "mean") -> Outcome:
    return against_autograd(impl, net, x, y, LossSpec(loss, reduction))


def _impl_gradients(impl: Any, net: MLP, x: Array, y: Array, loss: str, reduction: str) -> dict[str, Array]:
    """The implementation's ∂L/∂θ on `net`'s architecture and weights."""
    spec = LossSpec(loss, reduction)
    load(impl, net, spec)
    return impl.gradients(x, y, spec)


def _torch_grads(net: MLP, x: Array, y: Array, loss: str, reduction: str = "mean") -> Any:
    from reference.oracle.bounds import network_bounds
    from reference.twins.mlp import autograd_gradients

    fn = get_loss(loss, reduction)
    return autograd_gradients(net, x, y, fn), network_bounds(net, x, y, fn)


# --- C3: the logistic unit ----------------------------------------------------------------------------


@case(
    "C3/logistic_unit",
    "ŷ = σ(⟨w, x⟩ + b), σ(a) = 1/(1 + e^(−a))",
    "MLP([3, 1], sigmoid): output, ½(y − ŷ)² and its gradients",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def logistic_unit(impl: Any) -> Outcome:
    rng = np.random.default_rng(3)
    net = MLP([3, 1], "sigmoid", seed=3)
    return _autograd(impl, net, rng.normal(size=(4, 3)), rng.uniform(size=(4, 1)), "half_squared_error")


@case(
    "C3/bias_as_input",
    "a bias is the weight of an extra input fixed at 1",
    "σ(x·w + b) against σ([x, 1]·[w, b]) with no bias",
    "the definition (the same network with the bias moved into the weights)",
    "within γ_(n+1)·Σ|x_i w_i| + |b| on both sides",
    needs_torch=False,
)
def bias_as_input() -> Outcome:
    rng = np.random.default_rng(31)
    x = rng.normal(size=(5, 3))
    with_bias = MLP([3, 1], "identity", seed=31)
    w, b = with_bias.parameters()["0.weight"], with_bias.parameters()["0.bias"]
    without = MLP([4, 1], "identity", bias=False)
    without.load_state_dict({"0.weight": np.concatenate([w, b[:, None]], axis=1)})
    z_bias, z_input = with_bias.forward(x), without.forward(np.concatenate([x, np.ones((5, 1))], axis=1))
    bound = 2 * gamma(4, unit_roundoff(np.float64)) * (np.abs(x) @ np.abs(w).T + np.abs(b))
    return from_comparisons([compare_within_bound("z", z_bias, z_input, bound)])


@case(
    "C3/sigmoid_derivative",
    "σ′(a) = σ(a)(1 − σ(a))",
    "Sigmoid.derivative over a ∈ [−30, 30]",
    "torch.autograd of torch.sigmoid",
    WITHIN_BOUND,
    needs=("activations",),
)
def sigmoid_derivative(impl: Any) -> Outcome:
    import torch

    from reference.twins.activations import activation_twin

    act = get_activation("sigmoid")
    functions = impl.activation_functions("sigmoid")
    if functions is None:
        raise NotApplicableError(f"{impl.name} exposes no sigmoid")
    a = np.linspace(-30.0, 30.0, 601)
    t = torch.from_numpy(a).requires_grad_(True)
    torch.autograd.backward(torch.sigmoid(t).sum())
    assert t.grad is not None
    twin = activation_twin(act)
    bound = 2 * twin.derivative_ulps * unit_roundoff(np.float64) * twin.derivative_magnitude(act, a)
    return outcome_of([compare_within_bound("σ′(a)", functions[1](a.copy()), t.grad.numpy(), bound)], impl)


# --- C4: counting -------------------------------------------------------------------------------------


@case(
    "C4/counts_3_4_2",
    "3-4-2: 4 + 2 = 6 neurons, 3·4 + 4·2 = 20 weights, 20 + 6 = 26 parameters",
    "MLP([3, 4, 2]).num_neurons(), num_weights(), num_parameters()",
    "the course's numbers, and the parameter count of the torch twin",
    EXACT,
)
def counts() -> Outcome:
    from reference.twins.mlp import to_torch

    net = MLP([3, 4, 2])
    twin = sum(p.numel() for p in to_torch(net).parameters())
    got = [net.num_neurons(), net.num_weights(), net.num_parameters(), net.num_parameters()]
    return exact(got, [6, 20, 26, twin], "neurons, weights, parameters, torch's parameters")


# --- C5: the losses, with their kinks -----------------------------------------------------------------


def _loss_case(impl: Any, loss: str, y_hat: Array, y: Array) -> Outcome:
    """The implementation's loss value (when it has one) and ∂L/∂ŷ in each reduction it offers."""
    import torch

    from reference.oracle.bounds import BOTH_SIDES, loss_bounds
    from reference.twins.losses import torch_loss

    results = []
    handmlp = "handmlp" in capabilities(impl)
    specs = [LossSpec(loss, r) for r in ("sum", "mean") if handmlp or LossSpec(loss, r) == impl.loss]
    if not specs:
        raise NotApplicableError(f"{impl.name}'s loss is {impl.loss}, not {loss}")
    for spec in specs:
        reduction = spec.reduction
        fn = get_loss(loss, reduction)
        t = torch.from_numpy(y_hat.copy()).requires_grad_(True)
        value = torch_loss(fn)(t, torch.from_numpy(y))
        torch.autograd.backward(value)
        assert t.grad is not None
        e_value, _, e_grad = loss_bounds(fn, y_hat, y, None, unit_roundoff(np.float64))
        if hasattr(impl, "loss_value"):
            mine = impl.loss_value(y_hat.copy(), y.copy(), spec)
            results.append(
                compare_within_bound(f"L/{reduction}", mine, float(value.detach()), BOTH_SIDES * e_value)
            )
        grad = impl.loss_gradient(y_hat.copy(), y.copy(), spec)
        results.append(compare_within_bound(f"∂L/∂ŷ/{reduction}", grad, t.grad.numpy(), BOTH_SIDES * e_grad))
    return outcome_of(results, impl)


_Y_HAT = np.array([[0.3, -1.2, 2.0], [1.0, -1.0, 0.0]])
_Y_REAL = np.array([[0.3, 0.5, -1.0], [2.0, -1.0, 0.5]])  # ŷ = y in two places: l1's kink
_Y_PM1 = np.array([[1.0, -1.0, 1.0], [1.0, -1.0, -1.0]])  # y·ŷ = 1 in two places: hinge's margin


@case(
    "C5/l1",
    "ℓ = |ŷ − y|, ∂ℓ/∂ŷ = sign(ŷ − y), 0 at ŷ = y",
    "losses.L1, sum and mean",
    "torch.nn.functional.l1_loss",
    WITHIN_BOUND,
    needs=("loss",),
)
def l1_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "l1", _Y_HAT, _Y_REAL)


@case(
    "C5/l2",
    "ℓ = (ŷ − y)², ∂ℓ/∂ŷ = −2(y − ŷ)",
    "losses.SquaredError, sum and mean",
    "torch.nn.functional.mse_loss",
    WITHIN_BOUND,
    needs=("loss",),
)
def l2_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "squared_error", _Y_HAT, _Y_REAL)


@case(
    "C5/half_squared_error",
    "L = ½(y − ŷ)², ∂L/∂ŷ = −(y − ŷ)",
    "losses.HalfSquaredError, sum and mean",
    "½ · torch.nn.functional.mse_loss",
    WITHIN_BOUND,
    needs=("loss",),
)
def half_squared_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "half_squared_error", _Y_HAT, _Y_REAL)


@case(
    "C5/hinge",
    "ℓ = max(0, 1 − y·ŷ), ∂ℓ/∂ŷ = −y where y·ŷ ≤ 1 (margin included)",
    "losses.Hinge, sum and mean, at the margin too",
    "torch.clamp(1 − y·ŷ, min=0)",
    WITHIN_BOUND,
    needs=("loss",),
)
def hinge_loss(impl: Any) -> Outcome:
    return _loss_case(impl, "hinge", _Y_HAT, _Y_PM1)


@case(
    "C5/zero_one",
    "ℓ = 1[ŷ ≠ y]",
    "losses.ZeroOne on predicted labels",
    "torch: (ŷ != y) counted",
    EXACT,
)
def zero_one_loss() -> Outcome:
    import torch

    y_hat, y = np.sign(_Y_HAT) + (_Y_HAT == 0), _Y_PM1
    torch_count = float((torch.from_numpy(y_hat) != torch.from_numpy(y)).sum())
    return exact([get_loss("zero_one", "sum").value(y_hat, y)], [torch_count], "mistakes")


@case(
    "E1/zero_one",
    "printed ℓ = 1[ŷ = y]; corrected ℓ = 1[ŷ ≠ y]",
    "both forms on predicted labels with some mistakes",
    "torch: the number of mistakes (ŷ != y)",
    "printed must differ, corrected must be exact",
)
def erratum_zero_one() -> Outcome:
    import torch

    y_hat, y = np.sign(_Y_HAT) + (_Y_HAT == 0), _Y_PM1
    mistakes = float((torch.from_numpy(y_hat) != torch.from_numpy(y)).sum())
    printed = exact([float(np.sum(y_hat == y))], [mistakes], "1[ŷ = y] summed")
    corrected = exact([get_loss("zero_one", "sum").value(y_hat, y)], [mistakes], "1[ŷ ≠ y] summed")
    return erratum(printed, corrected, "zero-one loss")


# --- C9: the four-parameter chain, factor by factor ---------------------------------------------------


def _chain() -> tuple[MLP, Array, Array, dict[str, Array]]:
    """a1 = w1·x + b1, a2 = w2·f1(a1), a3 = w3·f2(a2), ŷ = f3(a3), all sigmoid, with L = ½(y − ŷ)²: the
    network, and the four gradients as handmlp.chain writes the slides' products."""
    net = MLP([1, 1, 1, 1], "sigmoid", bias=[True, False, False], seed=9)
    x, y = np.array([[0.7]]), np.array([[0.2]])
    params = net.parameters()
    w1, b1 = params["0.weight"][0, 0], params["0.bias"][0]
    w2, w3 = params["2.weight"][0, 0], params["4.weight"][0, 0]
    chain = four_parameter_chain(x[0, 0], y[0, 0], w1, w2, w3, b1)
    slide = {
        "4.weight": chain.dL_dw3,
        "2.weight": chain.dL_dw2,
        "0.weight": chain.dL_dw1,
        "0.bias": chain.dL_db,
    }
    return net, x, y, {name: np.array([value]) for name, value in slide.items()}


def _chain_factor(impl: Any, name: str) -> Outcome:
    """∂L/∂θ as the slides factor it (handmlp.chain), each product reusing the one of the layer above
    (backpropagation), and the implementation's backward, both against autograd."""
    net, x, y, slide = _chain()
    torch_side, bounds = _torch_grads(net, x, y, "half_squared_error", "sum")
    ours = _impl_gradients(impl, net, x, y, "half_squared_error", "sum")
    return outcome_of(
        [
            compare_within_bound(
                f"slides {name}",
                slide[name],
                torch_side.grads[name].reshape(-1),
                bounds.grads[name].reshape(-1),
            ),
            compare_within_bound(f"backward {name}", ours[name], torch_side.grads[name], bounds.grads[name]),
        ],
        impl,
    )


@case(
    "C9/dL_dw3",
    "∂L/∂w3 = −(y − ŷ)·f3(1 − f3)·f2",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_w3(impl: Any) -> Outcome:
    return _chain_factor(impl, "4.weight")


@case(
    "C9/dL_dw2",
    "∂L/∂w2 = ∂L/∂f3·∂f3/∂a3·∂a3/∂f2·∂f2/∂a2·∂a2/∂w2 = −(y − ŷ)·f3(1 − f3)·w3·f2(1 − f2)·f1",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_w2(impl: Any) -> Outcome:
    return _chain_factor(impl, "2.weight")


@case(
    "C9/dL_dw1",
    "∂L/∂w1 = −(y − ŷ)·f3(1 − f3)·w3·f2(1 − f2)·w2·f1(1 − f1)·x",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_w1(impl: Any) -> Outcome:
    return _chain_factor(impl, "0.weight")


@case(
    "C9/dL_db",
    "∂L/∂b = −(y − ŷ)·f3(1 − f3)·w3·f2(1 − f2)·w2·f1(1 − f1)·1",
    "the slides' product and MLP.backward",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def chain_b(impl: Any) -> Outcome:
    return _chain_factor(impl, "0.bias")


@case(
    "E3/step_size_in_gradient",
    "printed ∂L/∂w3 = −η(y − ŷ)·f3(1 − f3)·f2; corrected ∂L/∂w3 = −(y − ŷ)·f3(1 − f3)·f2",
    "both forms on the four-parameter chain with η = 0.1",
    AUTOGRAD,
    "printed must leave the bound, corrected must stay within it",
)
def erratum_step_size() -> Outcome:
    net, x, y, slide = _chain()
    torch_side, bounds = _torch_grads(net, x, y, "half_squared_error", "sum")
    eta = 0.1
    corrected = slide["4.weight"]  # −(y − ŷ)·f3(1 − f3)·f2, as handmlp.chain writes it
    expected, bound = torch_side.grads["4.weight"].reshape(-1), bounds.grads["4.weight"].reshape(-1)
    return erratum(
        from_comparisons([compare_within_bound("printed", (eta * corrected).reshape(-1), expected, bound)]),
        from_comparisons([compare_within_bound("corrected", corrected.reshape(-1), expected, bound)]),
        "∂L/∂w3",
    )


# --- C10: the delta rule on a general network ---------------------------------------------------------


@case(
    "C10/delta_rule",
    "δ_j = g′(z_j)·Σ_k δ_k·w_kj, ∂L/∂w_ji = δ_j·a_i, output δ = ∂L/∂ŷ·g′(z)",
    "MLP([4, 6, 5, 3], tanh, relu, identity).backward under cross-entropy: every ∂L/∂θ and ∂L/∂x",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def delta_rule(impl: Any) -> Outcome:
    rng = np.random.default_rng(10)
    net = MLP([4, 6, 5, 3], ["tanh", "relu", "identity"], seed=10)
    return _autograd(impl, net, rng.normal(size=(8, 4)), rng.integers(0, 3, size=8), "cross_entropy")


@case(
    "C10/relu_graph",
    "ŷ = relu(x·w + b): ∂ŷ/∂w = 1[z > 0]·x, ∂ŷ/∂b = 1[z > 0]",
    "MLP([2, 1], relu) with ½(y − ŷ)², including a sample exactly at z = 0",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def relu_graph(impl: Any) -> Outcome:
    net = MLP([2, 1], "relu", seed=11)
    net.load_state_dict({"0.weight": np.array([[0.5, -1.0]]), "0.bias": np.array([0.0])})
    x = np.array([[2.0, 1.0], [1.0, 2.0], [3.0, 0.5]])  # z = 0, −1.5, 1
    return _autograd(impl, net, x, np.array([[1.0], [0.0], [0.5]]), "half_squared_error", "sum")


def _two_layer_sigmoid() -> tuple[MLP, Array, Array]:
    rng = np.random.default_rng(5)
    return MLP([3, 4, 2], "sigmoid", seed=5), rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))


def _hidden_weight_gradient(use_derivative: bool) -> Array:
    """∂L/∂W of the hidden layer by the delta rule, with g′(z_j) (corrected) or g(z_j) (as printed in E5)."""
    net, x, y = _two_layer_sigmoid()
    act = get_activation("sigmoid")
    w1, b1 = net.parameters()["0.weight"], net.parameters()["0.bias"]
    w2, b2 = net.parameters()["2.weight"], net.parameters()["2.bias"]
    z1 = x @ w1.T + b1
    a1 = act.forward(z1)
    z2 = a1 @ w2.T + b2
    y_hat = act.forward(z2)
    delta2 = get_loss("half_squared_error", "sum").gradient(y_hat, y) * act.derivative(z2)
    _, _, back = linear_backward(delta2, a1, w2)  # Σ_k δ_k·w_kj
    delta1 = (act.derivative(z1) if use_derivative else act.forward(z1)) * back
    return delta1.T @ x


@case(
    "E5/delta_rule_factor",
    "printed δ_j = (g(z_j)·Σ_k δ_k w_kj)·g(z_i); corrected δ_j = g′(z_j)·Σ_k δ_k w_kj",
    "the hidden layer's ∂L/∂W of a 3-4-2 sigmoid network, by both forms",
    AUTOGRAD,
    "printed must leave the bound, corrected must stay within it",
)
def erratum_delta_rule() -> Outcome:
    net, x, y = _two_layer_sigmoid()
    torch_side, bounds = _torch_grads(net, x, y, "half_squared_error", "sum")
    expected, bound = torch_side.grads["0.weight"], bounds.grads["0.weight"]
    return erratum(
        from_comparisons([compare_within_bound("printed", _hidden_weight_gradient(False), expected, bound)]),
        from_comparisons([compare_within_bound("corrected", _hidden_weight_gradient(True), expected, bound)]),
        "hidden-layer ∂L/∂W",
    )


# --- C12: XOR by hand ---------------------------------------------------------------------------------

_BINARY = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _forward(impl: Any, net: MLP) -> NDArray[Any]:
    """The implementation's output for the four binary inputs, on `net`'s architecture and weights."""
    load(impl, net, impl.loss)
    return np.asarray(impl.forward(_BINARY.copy()))


def _xor_network() -> MLP:
    """y1 = σ(−20x1 + 30x2 − 20), y2 = σ(30x1 − 20x2 − 20), y = σ(30y1 + 30y2 − 20)."""
    net = MLP([2, 2, 1], "sigmoid")
    net.load_state_dict(
        {
            "0.weight": np.array([[-20.0, 30.0], [30.0, -20.0]]),
            "0.bias": np.array([-20.0, -20.0]),
            "2.weight": np.array([[30.0, 30.0]]),
            "2.bias": np.array([-20.0]),
        }
    )
    return net


@case(
    "C12/xor_truth_table",
    "y = σ(30·y1 + 30·y2 − 20) with the hand-set hidden units computes XOR",
    "the hand-set 2-2-1 network on the four binary inputs, rounded",
    "the truth table of XOR",
    EXACT,
    needs_torch=False,
    needs=("forward",),
)
def xor_truth_table(impl: Any) -> Outcome:
    return exact(np.round(_forward(impl, _xor_network()))[:, 0], [0, 1, 1, 0], "round(y) for 00, 01, 10, 11")


@case(
    "C12/xor_gradients",
    "forward, then backward: each unit multiplies the received gradient by its local derivative",
    "the hand-set XOR network's ∂L/∂θ under ½(y − ŷ)² towards XOR",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def xor_gradients(impl: Any) -> Outcome:
    return _autograd(
        impl, _xor_network(), _BINARY, np.array([[0.0], [1.0], [1.0], [0.0]]), "half_squared_error", "sum"
    )


# --- C14: a parametric activation ---------------------------------------------------------------------


@case(
    "C14/prelu_slope",
    "θ = {f, w, b}: PReLU's slope a in f(z) = max(0, z) + a·min(0, z) is learned, ∂f/∂a = min(0, z)",
    "MLP([3, 5, 2], prelu) gradients, the slope's included",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def prelu_slope(impl: Any) -> Outcome:
    rng = np.random.default_rng(14)
    net = MLP([3, 5, 2], [get_activation("prelu", init=0.25), "identity"], seed=14)
    return _autograd(impl, net, rng.normal(size=(7, 3)), rng.normal(size=(7, 2)), "squared_error")


# --- C16: MNIST's shape -------------------------------------------------------------------------------


@case(
    "C16/mnist_shaped_network",
    "28×28 = 784 inputs, labels 0–9 (the error rates quoted are the notes' reports, not re-measured here)",
    "MLP([784, 32, 10], relu) with cross-entropy on a seeded batch of 784-pixel images in [0, 1]",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def mnist_shaped(impl: Any) -> Outcome:
    rng = np.random.default_rng(16)
    net = MLP([28 * 28, 32, 10], ["relu", "identity"], seed=16)
    return _autograd(impl, net, rng.uniform(size=(16, 784)), rng.integers(0, 10, size=16), "cross_entropy")


# --- C6, C7: the smallest perceptrons' gradients ------------------------------------------------------

C6_X = np.array([10.0, 2.0, 3.5, 1.0])
C6_Y = np.array([10.1, 1.9, 3.4, 1.1])


@case(
    "C6/gradient",
    "ŷ = w·x, L = ½(y − ŷ)²: dL/dw = −(y − ŷ)·x",
    "MLP([1, 1], identity, no bias).backward per sample of the worked table, and −(y − ŷ)·x by hand",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def smallest_gradient(impl: Any) -> Outcome:
    net = MLP([1, 1], "identity", bias=False)
    net.load_state_dict({"0.weight": np.array([[0.5]])})
    results = []
    for x, y in zip(C6_X, C6_Y):
        xs, ys = np.array([[x]]), np.array([[y]])
        torch_side, bounds = _torch_grads(net, xs, ys, "half_squared_error", "sum")
        by_hand = -(y - 0.5 * x) * x
        backward = _impl_gradients(impl, net, xs, ys, "half_squared_error", "sum")["0.weight"]
        expected, bound = torch_side.grads["0.weight"], bounds.grads["0.weight"]
        results.append(compare_within_bound(f"−(y − ŷ)·x at x={x}", np.array([[by_hand]]), expected, bound))
        results.append(compare_within_bound(f"backward at x={x}", backward, expected, bound))
    return outcome_of(results, impl)


@case(
    "C7/gradient",
    "ŷ = w1·x1 + w2·x2: ∇w_i = −(y − ŷ)·x_i",
    "MLP([2, 1], identity, no bias).backward, and −(y − ŷ)·x_i by hand",
    AUTOGRAD,
    WITHIN_BOUND,
    needs=GRADIENTS,
)
def second_smallest_gradient(impl: Any) -> Outcome:
    net = MLP([2, 1], "identity", bias=False, seed=7)
    x, y = np.array([[1.5, -2.0]]), np.array([[0.25]])
    torch_side, bounds = _torch_grads(net, x, y, "half_squared_error", "sum")
    y_hat = net.forward(x)
    by_hand = -(y - y_hat) * x
    backward = _impl_gradients(impl, net, x, y, "half_squared_error", "sum")["0.weight"]
    expected, bound = torch_side.grads["0.weight"], bounds.grads["0.weight"]
    return outcome_of(
        [
            compare_within_bound("−(y − ŷ)·x_i", by_hand, expected, bound),
            compare_within_bound("backward", backward, expected, bound),
        ],
        impl,
    )


# --- C11: the threshold neuron as a gate --------------------------------------------------------------


def _gate(w1: float, w2: float, w0: float) -> MLP:
    """y = σ(w1·x1 + w2·x2 − w0): the threshold w0 is a weight on a constant input of −1, i.e. a bias −w0."""
    net = MLP([2, 1], "sigmoid")
    weights = np.array([[w1, w2]], dtype=float)
    net.load_state_dict({"0.weight": weights, "0.bias": -np.array([w0], dtype=float)})
    return net


@case(
    "C11/or_gate",
    "(w1, w2, w0) = (30, 30, 20): y = σ(30x1 + 30x2 − 20) is an OR gate",
    "the gate on the four binary inputs, rounded",
    "the truth table of OR",
    EXACT,
    needs_torch=False,
    needs=("forward",),
)
def or_gate(impl: Any) -> Outcome:
    return exact(
        np.round(_forward(impl, _gate(30, 30, 20)))[:, 0], [0, 1, 1, 1], "round(y) for 00, 01, 10, 11"
    )


@case(
    "C11/and_gate",
    "(w1, w2, w0) = (15, 15, 20): y = σ(15x1 + 15x2 − 20) is an AND gate",
    "the gate on the four binary inputs, rounded",
    "the truth table of AND",
    EXACT,
    needs_torch=False,
    needs=("forward",),
)
def and_gate(impl: Any) -> Outcome:
    return exact(
        np.round(_forward(impl, _gate(15, 15, 20)))[:, 0], [0, 0, 0, 1], "round(y) for 00, 01, 10, 11"
    )


@case(
    "C11/saturation",
    "σ(−10) ≈ 0, σ(10) ≈ 1",
    "Sigmoid.forward at ±10",
    "the definition 1/(1 + e^(∓10)), to within 4.6e-5 of 0 and 1",
    "exact values 1/(1 + e^10) and 1/(1 + e^−10) within rounding",
    needs_torch=False,
)
def saturation() -> Outcome:
    got = get_activation("sigmoid").forward(np.array([-10.0, 10.0]))
    expected = np.array([1 / (1 + np.exp(10.0)), 1 / (1 + np.exp(-10.0))])
    bound = 4 * unit_roundoff(np.float64) * expected
    ok = compare_within_bound("σ(±10)", got, expected, bound)
    near = bool(got[0] < 4.6e-5 and 1 - got[1] < 4.6e-5)
    outcome = from_comparisons([ok])
    return Outcome(outcome.passed and near, outcome.error, outcome.bound, outcome.detail)
