"""Which equation is wrong, in which layer: from the tensors that failed, to the most upstream cause.

A failing run is explained by testing hypotheses in the order information flows backwards (loss, then the
output layer, then down the network): every gradient off by one exact constant (the batch size: sum for
mean; 2: the ½ of ½(y − ŷ)²; −1: a sign), a transposed gradient, then layer by layer from the output: the
output layer's δ (the loss gradient, or the output activation's derivative), a bias gradient missing or
mis-summed, a weight gradient wrong while the δ reaching it is right (its bias gradient Σ_batch δ is, or
the layers below are: the fault is ∂L/∂W = δ·aᵀ itself, perhaps an exact constant factor), the delta
recursion between layers l+1 and l (C10) with its known slips (g for g′ as in erratum E5, W for Wᵀ).
A hypothesis "matches" when your values reproduce what the bug would compute to within 8× the derived
bound plus 64 units of roundoff of the value (a diagnosis margin, not the verdict: the verdict is always
the derived bound alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from reference.conformance.mutants import Mutation, backprop
from reference.conformance.protocol import Architecture, Array, LossSpec
from reference.oracle.compare import unit_roundoff


@dataclass
class Evidence:
    """One configuration's tensors: your gradients, torch's, their bounds, and how to name them."""

    arch: Architecture
    loss: LossSpec
    state: dict[str, Array]
    x: Array
    y: Array
    yours: dict[str, Array]
    torch: dict[str, Array]
    bounds: dict[str, Array]
    name: Callable[[str], str]

    @property
    def u(self) -> float:
        """The unit roundoff of the configuration's dtype."""
        return unit_roundoff(np.dtype(self.arch.dtype))

    def close(self, key: str, value: Array, reference: Array | None = None) -> bool:
        """Your `key` reproduces `value` within the diagnosis margin (reference: bound source)."""
        mine = np.asarray(self.yours[key], dtype=np.float64)
        value = np.asarray(value, dtype=np.float64)
        if mine.shape != value.shape:
            return False
        margin = 8 * self.bounds[key] + 64 * self.u * np.max(np.abs(value), initial=0.0)
        return bool(np.all(np.abs(mine - value) <= margin))

    def passed(self, key: str) -> bool:
        """Your `key` is within its derived bound of torch's."""
        mine = np.asarray(self.yours[key], dtype=np.float64)
        return mine.shape == self.torch[key].shape and bool(
            np.all(np.abs(mine - self.torch[key]) <= self.bounds[key])
        )


def constant_factor(ev: Evidence) -> str | None:
    """Every gradient is c × torch's for one exact c ≠ 1: name c and its likely cause."""
    keys = [k for k in ev.torch if np.any(ev.torch[k] != 0)]
    if not keys:
        return None
    num = sum(float(np.sum(np.asarray(ev.yours[k], dtype=np.float64) * ev.torch[k])) for k in keys)
    den = sum(float(np.sum(ev.torch[k] ** 2)) for k in keys)
    ratio = num / den
    n_out = ev.arch.sizes[-1]
    batch = ev.x.shape[0]
    elements = batch if ev.loss.name == "cross_entropy" else batch * n_out
    causes = {
        float(elements): f"the batch reduction: yours sums where {ev.loss} takes the mean over {elements}",
        1.0 / elements: f"the batch reduction: yours takes the mean over {elements} where {ev.loss} sums",
        2.0: "the ½ of ½(y − ŷ)²: yours differentiates (y − ŷ)² (C5), or ∂L/∂ŷ = −2(y − ŷ) for ½(y − ŷ)²",
        0.5: "the ½ of ½(y − ŷ)²: yours differentiates ½(y − ŷ)² where the loss is (y − ŷ)² (C5)",
        -1.0: "the sign: ∂L/∂ŷ = −(y − ŷ), not (y − ŷ); or the update's sign (E2)",
    }
    for factor, cause in causes.items():
        near = factor != 1.0 and abs(ratio - factor) <= 1e-3 * abs(factor)
        if near and all(ev.close(k, factor * ev.torch[k]) for k in ev.torch):
            return (
                f"every gradient is exactly {factor:g} × torch's: likely {cause} "
                f"(loss {ev.loss}, batch of {batch})"
            )
    return None


def transposed(ev: Evidence) -> str | None:
    """A square weight gradient that equals torch's transposed."""
    for key in ev.torch:
        g = ev.torch[key]
        square = key.endswith("weight") and g.shape[0] == g.shape[1]
        if square and not ev.passed(key) and ev.close(key, g.T):
            return f"∂L/∂{ev.name(key)}: yours is torch's transposed (δ·aᵀ written as a·δᵀ? C10)"
    return None


def _mutant_matches(ev: Evidence, mutation: Mutation, keys: list[str]) -> bool:
    result = backprop(ev.arch, ev.state, ev.x, ev.y, ev.loss, mutation)
    return result is not None and all(ev.close(k, result.grads[k]) for k in keys)


def _bias(ev: Evidence, layer: int) -> str | None:
    key = f"{2 * layer}.bias"
    if key not in ev.torch or ev.passed(key):
        return None
    name = ev.name(key)
    mine = np.asarray(ev.yours[key], dtype=np.float64)
    if not np.any(mine) and np.any(ev.torch[key]):
        return f"∂L/∂{name} is missing (yours is all zero): ∂L/∂b = Σ_batch δ (C9, C10)"
    truth = backprop(ev.arch, ev.state, ev.x, ev.y, ev.loss, Mutation())
    assert truth is not None
    delta = truth.deltas[layer]
    for what, value in (("the mean of δ over the batch", delta.mean(axis=0)), ("one sample's δ", delta[-1])):
        if ev.close(key, value):
            return f"∂L/∂{name} is mis-summed: yours is {what}, ∂L/∂b = Σ_batch δ (C10)"
    return f"∂L/∂{name} is wrong while ∂L/∂{ev.name(f'{2 * layer}.weight')} is right: ∂L/∂b = Σ_batch δ (C10)"


def _delta_is_right(ev: Evidence, layer: int) -> str | None:
    """What shows the δ of `layer` right: its bias gradient Σ_batch δ, else every layer below it (δ flows
    down through them); None when nothing does."""
    bias = f"{2 * layer}.bias"
    if ev.arch.bias[layer]:
        return f"∂L/∂{ev.name(bias)} = Σ_batch δ is right" if ev.passed(bias) else None
    below = [k for k in ev.torch if int(k.split(".")[0]) < 2 * layer]
    if below and all(ev.passed(k) for k in below):
        return "every layer below it is right (δ flows down through them)"
    return None


def _factor(ev: Evidence, key: str) -> float | None:
    """The exact constant c ≠ 1 (an integer or its reciprocal) with yours = c × torch's for `key`, if any."""
    g, mine = ev.torch[key], np.asarray(ev.yours[key], dtype=np.float64)
    if mine.shape != g.shape or not np.any(g) or not np.all(np.isfinite(mine)):
        return None
    ratio = float(np.sum(mine * g) / np.sum(g**2))
    candidates = [float(round(ratio))] + ([1 / round(1 / ratio)] if 0 < abs(ratio) < 1 else [])
    return next((c for c in candidates if c not in (0, 1) and ev.close(key, c * g)), None)


def _weight(ev: Evidence, layer: int) -> str | None:
    """∂L/∂W wrong while the δ reaching it is right: the weight-gradient formula δ·aᵀ, with the exact
    constant factor when yours is one (and the failing weight gradients it spans)."""
    right = _delta_is_right(ev, layer)
    if right is None:
        return None
    key = f"{2 * layer}.weight"
    name, c, found = ev.name(key), _factor(ev, key), f"∂L/∂{ev.name(key)} is wrong"
    if c is not None:
        failing = [k for k in ev.torch if not ev.passed(k)]
        shared = [k for k in failing if k.endswith("weight") and _factor(ev, k) == c]
        spans = f"{name} only" if failing == [key] else ", ".join(ev.name(k) for k in shared)
        batch = ev.x.shape[0]
        hints = {
            batch: " (Σ over the batch where the mean belongs?)",
            1 / batch: " (the mean where Σ belongs?)",
        }
        found = f"yours is exactly {c:g} × torch's for {spans}{hints.get(c, '') if batch > 1 else ''}"
    return f"the weight gradient ∂L/∂{name} = δ·aᵀ (C10, ∂L/∂w_ji = δ_j·a_i): {found}, while {right}"


def _output_layer(ev: Evidence, layer: int, keys: list[str]) -> str:
    act = ev.arch.activations[layer]
    if act != "identity" and _mutant_matches(ev, Mutation(frozenset(range(layer + 1))), keys):
        return (
            f"the derivative of {act} (C3, C10), located from the layers that fail: from the output layer "
            f"({ev.name(keys[0])}) down, yours uses g(z) where g′(z) belongs"
            + (": σ′ = σ(1 − σ) lost its (1 − σ)" if act == "sigmoid" else "")
        )
    if act == "identity":
        return (
            f"the loss gradient ∂L/∂ŷ of {ev.loss} (C5): the output layer's ∂L/∂{ev.name(keys[0])} "
            "is already wrong, and its activation is the identity"
        )
    return (
        f"the output layer's δ = ∂L/∂ŷ·g′(z) (C10): ∂L/∂{ev.name(keys[0])} is wrong; "
        f"either the loss gradient of {ev.loss} or the derivative of {act}"
    )


def _recursion(ev: Evidence, layer: int, keys: list[str]) -> str:
    above, here = ev.name(f"{2 * (layer + 1)}.weight"), ev.name(f"{2 * layer}.weight")
    hidden = frozenset(range(layer + 1))
    if _mutant_matches(ev, Mutation(value_for_derivative=hidden), keys):
        return (
            f"erratum E5 in the delta recursion between {above} and {here} (C10): yours uses "
            f"g(z_j) where g′(z_j) belongs, δ_j = g′(z_j)·Σ_k δ_k w_kj ({ev.arch.activations[layer]})"
        )
    if _mutant_matches(ev, Mutation(untransposed=frozenset({layer + 1})), keys):
        return (
            f"the delta recursion between {above} and {here} (C10): yours propagates δ with W where "
            f"Wᵀ belongs (Σ_k δ_k w_kj sums over the rows of {above})"
        )
    return (
        f"the delta recursion between {above} and {here} (C10): ∂L/∂{above} is right, "
        f"∂L/∂{here} is wrong; δ_j = g′(z_j)·Σ_k δ_k w_kj"
    )


def by_layer(ev: Evidence) -> str | None:
    """From the output layer down: the first layer whose gradients leave their bounds, explained."""
    last = ev.arch.n_layers - 1
    for layer in reversed(range(ev.arch.n_layers)):
        weight = f"{2 * layer}.weight"
        if ev.passed(weight):
            bias = _bias(ev, layer)
            if bias:
                return bias
            continue
        keys = [weight] + ([f"{2 * layer}.bias"] if ev.arch.bias[layer] else [])
        own = _weight(ev, layer)
        if own:
            return own
        return _output_layer(ev, layer, keys) if layer == last else _recursion(ev, layer, keys)
    return None


def diagnose(ev: Evidence) -> str | None:
    """The most upstream explanation of this configuration's failures, or None when all passed."""
    if all(ev.passed(k) for k in ev.torch):
        return None
    return constant_factor(ev) or transposed(ev) or by_layer(ev)


def input_gradient(ev: Evidence, mine: Any, torch: Array, bound: Array) -> str | None:
    """∂L/∂x wrong while the parameter gradients are right: one layer off, or wrong."""
    mine = np.asarray(mine, dtype=np.float64)
    if mine.shape == torch.shape and bool(np.all(np.abs(mine - torch) <= bound)):
        return None
    truth = backprop(ev.arch, ev.state, ev.x, ev.y, ev.loss, Mutation())
    assert truth is not None
    one_up = [truth.grad_inputs[1], truth.deltas[0]] if ev.arch.n_layers > 1 else [truth.deltas[0]]
    for value in one_up:
        if mine.shape == value.shape and np.allclose(
            mine, value, rtol=64 * ev.u, atol=8 * float(bound.max())
        ):
            return (
                f"the input gradient ∂L/∂x is one layer off: yours is the gradient at layer 1 "
                f"(shape {mine.shape}), ∂L/∂x = δ₁·{ev.name('0.weight')} (C10)"
            )
    if mine.shape != torch.shape:
        return f"the input gradient ∂L/∂x has shape {mine.shape}, x has {torch.shape}"
    return "the input gradient ∂L/∂x = δ₁·W₁ (C10) is wrong while every parameter gradient is right"
