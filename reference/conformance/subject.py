"""The implementation under test on one network: load the same weights, run it, compare with torch.autograd.

`against_autograd(impl, net, x, y, loss)` is what every gradient case of the catalog runs: `net` (a handmlp
MLP) fixes the architecture and the weights, torch's twin of it gives ŷ, L, ∂L/∂θ and ∂L/∂x, the derived
bounds hold them, and `impl` computes the same from the same state_dict. For handmlp itself the messages keep
handmlp's own labels; for any other implementation they say "yours" and "torch's", in its tensor names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from handmlp.losses import get_loss
from handmlp.mlp import MLP
from reference.conformance import diagnosis
from reference.conformance.case import Outcome
from reference.conformance.protocol import (
    Architecture,
    Array,
    LossSpec,
    NotApplicableError,
    capabilities,
    tensor_name,
)
from reference.oracle.compare import Comparison, compare_within_bound

if TYPE_CHECKING:  # both need torch, imported where they run
    from reference.oracle.bounds import NetworkBounds
    from reference.twins.mlp import AutogradResult


def architecture_of(net: MLP) -> Architecture:
    """The Architecture of a handmlp network."""
    return Architecture(
        tuple(net.sizes),
        tuple(a.name for a in net.activations),
        tuple(b is not None for b in net.biases),
        np.dtype(net.dtype).name,
    )


def labels(impl: Any) -> tuple[str, str]:
    """How the messages call the two sides."""
    return ("handmlp", "torch") if "handmlp" in capabilities(impl) else ("yours", "torch's")


def outcome_of(results: list[Comparison], impl: Any, detail: str = "") -> Outcome:
    """The worst comparison as an outcome, every failure named with the implementation's labels."""
    mine, theirs = labels(impl)
    worst = max(results, key=lambda r: r.ratio)
    failed = [r.message(mine, theirs) for r in results if not r.passed]
    message = "; ".join(failed) if failed else detail
    return Outcome(not failed, worst.error, worst.bound, message or worst.message(mine, theirs))


def load(impl: Any, net: MLP, loss: LossSpec) -> Architecture:
    """Give `impl` the network and weights of `net`, or raise NotApplicableError saying why it cannot."""
    arch = architecture_of(net)
    reason = impl.supports(arch, loss)
    if reason:
        raise NotApplicableError(f"{impl.name} cannot express {arch.describe()} under {loss}: {reason}")
    impl.load(arch, net.state_dict())
    return arch


def against_autograd(impl: Any, net: MLP, x: Array, y: Array, loss: LossSpec) -> Outcome:
    """Your ŷ, L (when exposed), ∂L/∂θ and ∂L/∂x (when exposed) against torch.autograd's, within bounds;
    a failure carries the diagnosis of the most upstream equation and layer."""
    from reference.oracle.bounds import network_bounds
    from reference.twins.mlp import autograd_gradients

    arch = load(impl, net, loss)
    found = capabilities(impl)
    fn = get_loss(loss.name, loss.reduction)
    with np.errstate(over="ignore"):
        y_hat = np.asarray(impl.forward(x.copy()))
        grads = impl.gradients(x.copy(), y, loss)
    torch_side, bounds = autograd_gradients(net, x, y, fn), network_bounds(net, x, y, fn)
    results = _forward_and_gradient_comparisons(impl, found, y_hat, grads, y, loss, torch_side, bounds)
    ev = diagnosis.Evidence(
        arch,
        loss,
        {k: np.asarray(v, dtype=np.float64) for k, v in net.state_dict().items()},
        x,
        y,
        grads,
        torch_side.grads,
        bounds.grads,
        lambda key: tensor_name(impl, key),
    )
    why = (
        ""
        if results[0].passed
        else f"the forward pass (C3, C10) differs: {results[0].message(*labels(impl))}"
    )
    why = why or diagnosis.diagnose(ev) or ""
    if "input_gradient" in found:
        input_results, why = _input_gradient_comparison(impl, found, x, y, loss, ev, torch_side, bounds, why)
        results += input_results
    return _with_diagnosis(outcome_of(results, impl), why)


def _forward_and_gradient_comparisons(
    impl: Any,
    found: frozenset[str],
    y_hat: Array,
    grads: dict[str, Array],
    y: Array,
    loss: LossSpec,
    torch_side: AutogradResult,
    bounds: NetworkBounds,
) -> list[Comparison]:
    """ŷ first (the diagnosis reads it there), then L when the implementation exposes it, then ∂L/∂θ."""
    handmlp = "handmlp" in found
    name = (lambda k: k) if handmlp else (lambda k: f"∂L/∂{tensor_name(impl, k)}")
    results = [compare_within_bound("output" if handmlp else "ŷ", y_hat, torch_side.output, bounds.output)]
    if hasattr(impl, "loss_value") and "loss" in found:
        results.append(
            compare_within_bound("loss", impl.loss_value(y_hat, y, loss), torch_side.loss, bounds.loss)
        )
    missing = sorted(set(torch_side.grads) - set(grads))
    if missing:
        raise AssertionError(f"gradient keys differ: yours lack {missing}")
    return results + [
        compare_within_bound(name(k), grads[k], torch_side.grads[k], bounds.grads[k])
        for k in torch_side.grads
    ]


def _input_gradient_comparison(
    impl: Any,
    found: frozenset[str],
    x: Array,
    y: Array,
    loss: LossSpec,
    ev: diagnosis.Evidence,
    torch_side: AutogradResult,
    bounds: NetworkBounds,
    why: str,
) -> tuple[list[Comparison], str]:
    """∂L/∂x against torch's (no comparison when its shape differs), and the diagnosis it gives when
    nothing upstream has explained a failure already."""
    grad_x = np.asarray(impl.input_gradient(x.copy(), y, loss))
    if not why:
        why = diagnosis.input_gradient(ev, grad_x, torch_side.grad_input, bounds.grad_input) or ""
    if grad_x.shape != torch_side.grad_input.shape:
        return [], why
    label = "input" if "handmlp" in found else "∂L/∂x"
    return [compare_within_bound(label, grad_x, torch_side.grad_input, bounds.grad_input)], why


def _with_diagnosis(outcome: Outcome, why: str) -> Outcome:
    """The outcome carrying the diagnosis when it failed; a finding with no failed comparison (∂L/∂x of
    another width leaves none) fails it."""
    if why and outcome.passed:
        outcome = Outcome(False, float("inf"), 0.0, why)
    outcome.diagnosis = why if not outcome.passed else ""
    return outcome
