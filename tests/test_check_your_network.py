"""check_network on implementations written the way people write them: the examples pass, and each planted
bug is caught with the diagnosis naming the right equation and layer (the first line of the report)."""

from __future__ import annotations

import itertools
import pathlib
import sys
from typing import Any

import numpy as np
import pytest

from handmlp import check_network
from reference.conformance.adapters import ColumnVectors, WeightDict
from reference.conformance.default import HandmlpImplementation
from reference.conformance.diagnosis import Evidence, diagnose
from reference.conformance.mutants import Mutation, backprop
from reference.conformance.protocol import Architecture, LossSpec

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
import network
import two_layer_net

SHAPES = ((3, 4, 2), (4, 4, 4), (3, 5, 5, 5))  # the square ones let "W for Wᵀ" run instead of raising


def _nielsen(cls: Any = network.Network, prime: Any = network.sigmoid_prime) -> ColumnVectors:
    return ColumnVectors(cls, functions=(network.sigmoid, prime))


def _diagnosis(impl: Any) -> str:
    report = check_network(impl, shapes=SHAPES, batch_sizes=(5,))
    assert not report.ok
    return report.diagnosis


# --- planted-bug copies --------------------------------------------------------------------------------


class GForGPrime(network.Network):
    """E5: g(z) where g′(z) belongs in the hidden layers' δ."""

    def backprop(self, x: Any, y: Any) -> Any:
        real = network.sigmoid_prime
        n_out = self.sizes[-1]
        network.sigmoid_prime = lambda z: real(z) if z.shape[0] == n_out else network.sigmoid(z)
        try:
            return super().backprop(x, y)
        finally:
            network.sigmoid_prime = real


class WForWTranspose(network.Network):
    """The recursion δ_l = (W_{l+1} δ_{l+1}) ⊙ σ′ with W where Wᵀ belongs."""

    def backprop(self, x: Any, y: Any) -> Any:
        nabla_b, nabla_w = [None] * len(self.biases), [None] * len(self.weights)
        activations, zs = [x], []
        for b, w in zip(self.biases, self.weights):
            zs.append(w @ activations[-1] + b)
            activations.append(network.sigmoid(zs[-1]))
        delta = self.cost_derivative(activations[-1], y) * network.sigmoid_prime(zs[-1])
        nabla_b[-1], nabla_w[-1] = delta, delta @ activations[-2].T
        for layer in range(2, self.num_layers):
            delta = (self.weights[-layer + 1] @ delta) * network.sigmoid_prime(zs[-layer])
            nabla_b[-layer], nabla_w[-layer] = delta, delta @ activations[-layer - 1].T
        return nabla_b, nabla_w


class NoBiasGradient(network.Network):
    def backprop(self, x: Any, y: Any) -> Any:
        nabla_b, nabla_w = super().backprop(x, y)
        nabla_b[0] = np.zeros_like(nabla_b[0])
        return nabla_b, nabla_w


class SignFlip(network.Network):
    def cost_derivative(self, output_activations: Any, y: Any) -> Any:
        return y - output_activations


class AscentStep(network.Network):
    """E2: the update printed θ ← θ + η·∂L/∂θ."""

    def update_mini_batch(self, mini_batch: Any, eta: float) -> None:
        super().update_mini_batch(mini_batch, -eta)


class SumForMean(two_layer_net.TwoLayerNet):
    def loss(self, X: Any, y: Any = None) -> Any:
        out = super().loss(X, y)
        if y is None:
            return out
        return out[0], {k: v * X.shape[0] for k, v in out[1].items()}


class W1GradientDoubled(two_layer_net.TwoLayerNet):
    """∂L/∂W1 twice what it is, ∂L/∂b1 and ∂L/∂X right: δ reaches W1 right, δ·aᵀ itself is off."""

    def loss(self, X: Any, y: Any = None) -> Any:
        out = super().loss(X, y)
        if y is None:
            return out
        return out[0], {**out[1], "W1": 2 * out[1]["W1"]}


class OutputWeightFromPreActivation(two_layer_net.TwoLayerNet):
    """∂L/∂W_last = zᵀ·δ from the hidden layer's pre-activation z where a = ReLU(z) belongs."""

    def loss(self, X: Any, y: Any = None) -> Any:
        out = super().loss(X, y)
        if y is None:
            return out
        h = X
        for i in range(1, self.n):
            z = h @ self.params[f"W{i}"] + self.params[f"b{i}"]
            h = np.maximum(0, z)
        n = X.shape[0]
        probs = np.exp(self.loss(X) - self.loss(X).max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(n), y] -= 1
        return out[0], {**out[1], f"W{self.n}": z.T @ probs / n}


class InputOneLayerUp(two_layer_net.TwoLayerNet):
    """∂L/∂x handed back one layer too high: the gradient at layer 1's pre-activation, W1ᵀ left out."""

    def loss(self, X: Any, y: Any = None) -> Any:
        out = super().loss(X, y)
        if y is None:
            return out
        scores = super().loss(X)
        probs = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(X.shape[0]), y] -= 1
        grads = _backward(self, X, probs / X.shape[0], stop_before_input=True)
        return out[0], {**out[1], "X": grads["X"]}


def _hinge_gradient(margin_included: bool) -> Any:
    def gradient(scores: Any, y: Any) -> Any:
        inside = y * scores <= 1 if margin_included else y * scores < 1
        return np.where(inside, -y, 0.0) / y.size

    return gradient


class HingeNet(two_layer_net.TwoLayerNet):
    """Hidden ReLU layers, the hinge loss max(0, 1 − y·ŷ) averaged over every element, labels ±1."""

    def loss(self, X: Any, y: Any = None) -> Any:
        scores = super().loss(X)
        if y is None:
            return scores
        dscores = _hinge_gradient(True)(scores, y)
        return float(np.maximum(0, 1 - y * scores).mean()), _backward(self, X, dscores)


def _backward(net: Any, X: Any, dscores: Any, stop_before_input: bool = False) -> dict[str, Any]:
    hs, h = [X], X
    for i in range(1, net.n):
        h = np.maximum(0, h @ net.params[f"W{i}"] + net.params[f"b{i}"])
        hs.append(h)
    grads, dh = {}, dscores
    for i in range(net.n, 0, -1):
        grads[f"W{i}"], grads[f"b{i}"] = hs[i - 1].T @ dh, dh.sum(axis=0)
        if i == 1 and stop_before_input:
            break
        dh = (dh @ net.params[f"W{i}"].T) * (hs[i - 1] > 0 if i > 1 else 1)
    grads["X"] = dh
    return grads


def _hinge(margin_included: bool) -> WeightDict:
    return WeightDict(HingeNet, loss="hinge", loss_gradient=_hinge_gradient(margin_included))


# --- the tests -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "impl",
    [_nielsen(), WeightDict(two_layer_net.TwoLayerNet, input_key="X"), _hinge(True), HandmlpImplementation()],
    ids=["column_vectors", "weight_dict", "hinge", "handmlp"],
)
def test_correct_implementations_pass_every_configuration(impl: Any) -> None:
    report = check_network(impl)
    assert report.ok and report.count("pass") == len(report.results), str(report)
    assert report.diagnosis == ""


@pytest.mark.parametrize(
    ("impl", "expected"),
    [
        (_nielsen(prime=network.sigmoid), ["derivative of sigmoid", "C3", "σ′ without (1 − σ)"]),
        (_nielsen(GForGPrime), ["E5", "between weights[1] and weights[0]", "g′(z_j)"]),
        (_nielsen(WForWTranspose), ["delta recursion between weights[1] and weights[0]", "W where Wᵀ"]),
        (_nielsen(NoBiasGradient), ["∂L/∂biases[0] is missing"]),
        (_nielsen(SignFlip), ["loss gradient", "sign"]),
        (WeightDict(SumForMean), ["every gradient is exactly 5 ×", "sums where cross_entropy (mean)"]),
        (_hinge(False), ["loss gradient", "hinge", "at the margin y·ŷ = 1"]),
        (WeightDict(InputOneLayerUp, input_key="X"), ["input gradient ∂L/∂x is one layer off"]),
        (_nielsen(AscentStep), ["the SGD step θ ← θ − η·∂L/∂θ (C8, E2)", "weights[0] after the step"]),
    ],
    ids=[
        "sigma_prime",
        "e5",
        "w_for_wt",
        "no_bias",
        "sign",
        "sum_for_mean",
        "hinge_margin",
        "input_grad",
        "ascent",
    ],
)
def test_planted_bug_is_caught_and_named(impl: Any, expected: list[str]) -> None:
    diagnosis = _diagnosis(impl)
    for words in expected:
        assert words in diagnosis, diagnosis


@pytest.mark.parametrize("input_key", ["X", None], ids=["with_input_gradient", "without"])
def test_a_weight_gradient_alone_off_by_a_factor_names_delta_a_transpose_not_the_recursion(
    input_key: str | None,
) -> None:
    diagnosis = _diagnosis(WeightDict(W1GradientDoubled, input_key=input_key))
    assert diagnosis.startswith("the weight gradient ∂L/∂W1 = δ·aᵀ (C10, ∂L/∂w_ji = δ_j·a_i)"), diagnosis
    assert (
        "yours is exactly 2 × torch's for W1 only" in diagnosis and "∂L/∂b1 = Σ_batch δ is right" in diagnosis
    )
    assert "recursion" not in diagnosis


def test_an_output_weight_gradient_from_the_wrong_activation_names_that_layers_weight_gradient() -> None:
    diagnosis = _diagnosis(WeightDict(OutputWeightFromPreActivation, input_key="X"))
    last = "W2"  # the first configuration to fail, 3-4-2, has two layers
    assert diagnosis.startswith(f"the weight gradient ∂L/∂{last} = δ·aᵀ (C10"), diagnosis
    assert f"∂L/∂{last} is wrong, while ∂L/∂b{last[1:]} = Σ_batch δ is right" in diagnosis
    assert "loss gradient" not in diagnosis and "exactly" not in diagnosis


def test_a_derivative_not_exposed_is_located_from_the_layers_that_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(network, "sigmoid_prime", network.sigmoid)  # σ′ without (1 − σ), in every layer
    diagnosis = _diagnosis(ColumnVectors(network.Network))  # no functions= given: nothing elementwise
    assert diagnosis.startswith("the derivative of sigmoid (C3, C10), located from the layers that fail")
    assert "output layer (weights[1])" in diagnosis and "lost its (1 − σ)" in diagnosis


def test_without_a_bias_the_layers_below_show_the_delta_right_and_the_weight_gradient_is_named() -> None:
    arch = Architecture((3, 4, 4, 2), ("relu", "relu", "identity"), (False, False, False))
    rng = np.random.default_rng(0)
    state = {
        f"{2 * i}.weight": rng.normal(size=(m, n)) for i, (n, m) in enumerate(itertools.pairwise(arch.sizes))
    }
    x, y, loss = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5), LossSpec("cross_entropy", "mean")
    truth = backprop(arch, state, x, y, loss, Mutation())
    assert truth is not None
    yours = {**truth.grads, "2.weight": 3 * truth.grads["2.weight"]}  # the middle layer's δ·aᵀ tripled
    bounds = {k: np.zeros_like(v) for k, v in truth.grads.items()}  # "torch" is the same float64 pass here
    ev = Evidence(arch, loss, state, x, y, yours, truth.grads, bounds, lambda key: f"W[{key}]")
    diagnosis = diagnose(ev)
    assert diagnosis == (
        "the weight gradient ∂L/∂W[2.weight] = δ·aᵀ (C10, ∂L/∂w_ji = δ_j·a_i): yours is exactly 3 × torch's "
        "for W[2.weight] only, while every layer below it is right (δ flows down through them)"
    )
