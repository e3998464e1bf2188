"""The adapters: a layout mismatch is reported as such, the generic adapter maps any layout, correct
implementations pass across 100 seeded random shapes in float64 and float32, and a case an implementation
cannot express is not applicable, counted apart and never as passed."""

from __future__ import annotations

import itertools
import pathlib
import sys
from typing import Any

import numpy as np
import pytest

from handmlp import check_network
from reference.conformance.adapters import ColumnVectors, Mapped, WeightDict
from reference.conformance.default import HandmlpImplementation
from reference.conformance.protocol import Architecture, LossSpec, capabilities
from reference.conformance.report import run

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
import network
import two_layer_net


def _random_shapes(count: int, seed: int) -> list[tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    return [tuple(int(n) for n in rng.integers(1, 7, size=int(rng.integers(2, 5)))) for _ in range(count)]


@pytest.mark.parametrize(
    "impl",
    [
        ColumnVectors(network.Network, functions=(network.sigmoid, network.sigmoid_prime)),
        WeightDict(two_layer_net.TwoLayerNet, input_key="X"),
    ],
    ids=["column_vectors", "weight_dict"],
)
def test_correct_examples_pass_100_seeded_random_shapes_in_both_dtypes(impl: Any) -> None:
    shapes = _random_shapes(100, seed=7)  # half with batch size 1, half with 4, each in both dtypes
    reports = [
        check_network(impl, shapes=shapes[:50], batch_sizes=(1,)),
        check_network(impl, shapes=shapes[50:], batch_sizes=(4,)),
    ]
    failed = [f"{r.case.id}: {r.detail}" for report in reports for r in report.results if r.status != "pass"]
    assert not failed, failed[:3]
    assert sum(len(report.results) for report in reports) >= 200


class InOutNetwork(network.Network):
    """Weights stored (in, out): the column adapter's (out, in) layout does not fit."""

    def __init__(self, sizes: list[int]) -> None:
        super().__init__(sizes)
        self.weights = [w.T.copy() for w in self.weights]


class FlatBiasGradient(network.Network):
    def backprop(self, x: Any, y: Any) -> Any:
        nabla_b, nabla_w = super().backprop(x, y)
        return [b[:, 0] for b in nabla_b], nabla_w


class TransposedGradient(network.Network):
    def backprop(self, x: Any, y: Any) -> Any:
        nabla_b, nabla_w = super().backprop(x, y)
        return nabla_b, [w.T for w in nabla_w]


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (InOutNetwork, "your weights[0]: shape (3, 4) is the transpose of this layout's (4, 3)"),
        (
            FlatBiasGradient,
            "your ∂C/∂biases[0]: a flat bias of shape (4,) where this layout has a column (4, 1)",
        ),
        (TransposedGradient, "is the transpose of this layout's"),
    ],
    ids=["transposed_weight", "flat_bias", "transposed_gradient"],
)
def test_a_layout_mismatch_is_reported_as_such(cls: Any, expected: str) -> None:
    report = check_network(ColumnVectors(cls), shapes=((3, 4, 2),), batch_sizes=(2,))
    assert not report.ok
    assert report.diagnosis.startswith("layout: ") and expected in report.diagnosis, report.diagnosis


def test_a_square_gradient_transposed_is_named_a_transposed_gradient() -> None:
    report = check_network(ColumnVectors(TransposedGradient), shapes=((4, 4, 4),), batch_sizes=(3,))
    assert "yours is torch's transposed" in report.diagnosis and "weights[" in report.diagnosis


class Custom:
    """Tensors in a dict under names of its own, (out, in) weights and column biases, row batches."""

    def __init__(self, sizes: list[int]) -> None:
        self.t = {}
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            self.t[f"layer{i}.w"], self.t[f"layer{i}.b"] = np.zeros((n_out, n_in)), np.zeros((n_out, 1))
        self.n = len(sizes) - 1

    def predict(self, x: Any) -> Any:
        return self._forward(x)[-1]

    def _forward(self, x: Any) -> list[Any]:
        hs = [x]
        for i in range(self.n):
            z = hs[-1] @ self.t[f"layer{i}.w"].T + self.t[f"layer{i}.b"][:, 0]
            hs.append(np.tanh(z) if i < self.n - 1 else z)
        return hs

    bug = ""

    def grads(self, x: Any, y: Any) -> dict[str, Any]:
        hs = self._forward(x)
        delta, out = hs[-1] - y, {}
        delta = {"half": 2 * delta, "loss": hs[-1] - 0.9 * y}.get(self.bug, delta)
        for i in reversed(range(self.n)):
            bias = delta.mean(axis=0) if self.bug == "bias_mean" and i == 0 else delta.sum(axis=0)
            out[f"layer{i}.w"], out[f"layer{i}.b"] = delta.T @ hs[i], bias[:, None]
            slope = 1.1 if self.bug == "recursion" else 1.0  # a derivative off by 10%, in the hidden layers
            delta = (delta @ self.t[f"layer{i}.w"]) * slope * (1 - hs[i] ** 2)
        return out


def _custom(bug: str = "") -> Mapped:
    planted = type(f"Custom_{bug}", (Custom,), {"bug": bug})
    return Mapped(
        planted,
        tensors=lambda net: net.t,
        names=lambda layer, kind: f"layer{layer}.{kind[0]}",
        forward=lambda net, x: net.predict(x),
        gradients=lambda net, x, y: net.grads(x, y),
        hidden="tanh",
        output="identity",
        loss="half_squared_error",
        reduction="sum",
        bias_shape="column",
    )


def test_the_generic_adapter_maps_a_layout_of_its_own() -> None:
    report = check_network(_custom(), batch_sizes=(1, 4))
    assert report.ok and report.count("pass") == len(report.results), str(report)


def test_the_reduction_is_explicit_so_a_sum_network_is_not_failed_by_the_mean() -> None:
    summed = _custom()
    assert check_network(summed, batch_sizes=(4,)).ok
    summed.loss = LossSpec("half_squared_error", "mean")  # the mistake the explicit reduction prevents
    report = check_network(summed, shapes=((3, 4, 2),), batch_sizes=(4,))
    assert "every gradient is exactly 8 × torch's" in report.diagnosis  # 4 samples × 2 outputs


def test_adapters_refuse_an_unknown_activation_loss_or_a_missing_reduction() -> None:
    with pytest.raises(ValueError, match="activation"):
        ColumnVectors(network.Network, hidden="nope")
    with pytest.raises(ValueError, match="loss"):
        WeightDict(two_layer_net.TwoLayerNet, loss="nope")
    with pytest.raises(ValueError, match="reduction"):
        WeightDict(two_layer_net.TwoLayerNet, reduction="average")
    with pytest.raises(ValueError, match="bias_shape"):
        Mapped(Custom, tensors=dict, names=str, forward=print, gradients=print, hidden="tanh",
               loss="l1", reduction="sum", bias_shape="diagonal")  # fmt: skip


def test_something_that_is_not_an_implementation_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"lacks .*load"):
        check_network(object())


def test_capabilities_are_what_each_adapter_offers() -> None:
    column = ColumnVectors(network.Network, functions=(network.sigmoid, network.sigmoid_prime))
    assert capabilities(column) == {"forward", "gradients", "activations", "loss", "sgd_step"}
    assert capabilities(WeightDict(two_layer_net.TwoLayerNet)) == {"forward", "gradients"}
    assert "sgd_step" in capabilities(HandmlpImplementation()) and "handmlp" in capabilities(
        HandmlpImplementation()
    )


def test_cases_an_implementation_cannot_express_are_not_applicable_and_counted_apart() -> None:
    report = run("C9|C11|C4|C5/hinge", impl=WeightDict(two_layer_net.TwoLayerNet))
    statuses = {r.case.id: r.status for r in report.results}
    assert set(statuses.values()) == {"n/a"}
    assert not report.ok and "not applicable" in report.summary()


def test_the_catalog_runs_on_a_column_vector_network_where_it_applies() -> None:
    impl = ColumnVectors(network.Network, functions=(network.sigmoid, network.sigmoid_prime))
    report = run("C3/sigmoid_derivative|C5/half_squared_error$|C11/.*_gate|C12", impl=impl)
    assert {r.status for r in report.results} == {"pass"} and report.ok


def test_handmlp_architecture_support() -> None:
    impl = HandmlpImplementation()
    arch = Architecture((2, 3), ("nope",), (True,))
    assert impl.supports(arch, LossSpec("l1", "sum"))
    assert impl.supports(Architecture((2, 3), ("relu",), (True,)), LossSpec("zero_one", "sum"))
    assert impl.supports(Architecture((2, 3), ("relu",), (False,)), LossSpec("l1", "sum")) is None


@pytest.mark.parametrize(
    ("bug", "expected"),
    [
        ("half", "every gradient is exactly 2 × torch's: likely the ½ of ½(y − ŷ)²"),
        ("loss", "the loss gradient ∂L/∂ŷ of half_squared_error (sum) (C5): the output layer's ∂L/∂layer1.w"),
        ("bias_mean", "∂L/∂layer0.b is mis-summed: yours is the mean of δ over the batch"),
        ("recursion", "the delta recursion between layer1.w and layer0.w (C10): ∂L/∂layer1.w is right"),
    ],
)
def test_diagnosis_names_the_equation_in_the_users_tensor_names(bug: str, expected: str) -> None:
    report = check_network(_custom(bug), shapes=((3, 4, 2),), batch_sizes=(4,))
    assert not report.ok and report.diagnosis.startswith(expected), report.diagnosis


def test_the_generic_adapter_takes_a_mapping_and_leaves_other_depths_not_applicable() -> None:
    mapped = _custom()
    mapped.names = {
        "0.weight": "layer0.w",
        "0.bias": "layer0.b",
        "2.weight": "layer1.w",
        "2.bias": "layer1.b",
    }
    report = check_network(mapped, shapes=((3, 4, 2), (3, 4, 4, 2)), batch_sizes=(2,))
    statuses = {r.case.id: r.status for r in report.results}
    assert statuses["network/3-4-2/float64/batch2"] == "pass" and report.ok
    assert statuses[
        "network/3-4-4-2/float64/batch2"
    ] == "n/a" and "its names map no" in report.summary() + str([r.detail for r in report.results])


def test_activations_without_a_torch_twin_go_through_finite_differences() -> None:
    report = check_network(HandmlpImplementation(hidden="gaussian"), shapes=((3, 4, 2),), batch_sizes=(1, 3))
    assert report.ok and report.count("pass") == len(report.results), str(report)
    assert all("finite" not in r.detail for r in report.results)


def test_a_wrong_derivative_without_a_torch_twin_is_caught_by_finite_differences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import handmlp.extra_activations as extra

    monkeypatch.setattr(extra.Gaussian, "gradient", lambda self, z, a=None: -z * self.value(z))  # 2 lost
    report = check_network(HandmlpImplementation(hidden="gaussian"), shapes=((3, 4, 2),), batch_sizes=(3,))
    assert not report.ok and report.diagnosis.startswith("the derivative of gaussian (C10, C15) is wrong")
    assert report.count("fail") == len(report.results) - 2  # all but the loss and identity probes
