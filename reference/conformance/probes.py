"""Checks of the parts an implementation exposes: its activation derivatives elementwise (C3, C10), its loss
gradient at and around the kinks (C5), and, for activations torch lacks, its whole gradient by finite
differences of its own forward (C15)."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp.activations import get_activation
from handmlp.gradcheck import check_elementwise, check_gradient
from handmlp.losses import Loss, get_loss
from handmlp.mlp import MLP
from reference.conformance.case import Case, Outcome, from_comparisons
from reference.conformance.protocol import Architecture, Array, Elementwise, capabilities, tensor_name
from reference.oracle.compare import compare_within_bound, unit_roundoff

YOURS, TORCHS = "yours", "torch's"
_Z = np.concatenate([np.linspace(-8.0, 8.0, 161), [-1e-3, 1e-3]])


def has_twins(arch: Architecture) -> bool:
    """Every activation of `arch` has a torch twin."""
    from reference.twins.activations import ACTIVATION_TWINS

    return all(a in ACTIVATION_TWINS for a in arch.activations)


def _case(case_id: str, equation: str, computes: str, oracle: str, check: Any) -> Case:
    return Case(case_id, equation, computes, oracle, "within the derived rounding bound", check)


def activation_outcome(name: str, g: Any, g_prime: Any) -> Outcome:
    """Your g′ against torch.autograd of torch's g on a grid over ±8, with zero included."""
    import torch

    from reference.twins.activations import activation_twin, torch_activation

    act = get_activation(name)
    twin = activation_twin(act)
    t = torch.from_numpy(_Z.copy()).requires_grad_(True)
    value = torch_activation(act).double()(t)
    torch.autograd.backward(value.sum())
    assert t.grad is not None
    u = unit_roundoff(np.float64)
    mine, theirs = np.asarray(g_prime(_Z.copy()), dtype=np.float64), t.grad.numpy()
    bound = 2 * twin.derivative_ulps * u * twin.derivative_magnitude(act, _Z) + 4 * u * np.abs(theirs)
    result = compare_within_bound(f"{name}′(z)", mine, theirs, bound)
    outcome = from_comparisons([result])
    if result.passed:
        return outcome
    like_g = np.allclose(mine, act.forward(_Z), rtol=1e-6, atol=1e-12)
    hint = " (yours equals g(z) itself: g for g′" + (", σ′ without (1 − σ))" if name == "sigmoid" else ")")
    outcome.detail = result.message(YOURS, TORCHS)
    outcome.diagnosis = (
        f"the derivative of {name} (C3, C10) is wrong{hint if like_g else ''}: {outcome.detail}"
    )
    return outcome


def checker_outcome(name: str, g: Any, g_prime: Any) -> Outcome:
    """Your g′ against finite differences of your g (Richardson), for an activation torch lacks (C15)."""
    result = check_elementwise(g, g_prime, _Z.copy(), "richardson")
    outcome = Outcome(
        result.passed, float(result.abs_error), float(result.bound), result.summary().splitlines()[0]
    )
    if not result.passed:
        outcome.diagnosis = f"the derivative of {name} (C10, C15) is wrong: {outcome.detail}"
    return outcome


LOSS_PROBES: dict[str, tuple[Array, Array]] = {
    "hinge": (
        np.array([[0.3, -1.2, 2.0], [1.0, -1.0, 0.0]]),
        np.array([[1.0, -1.0, 1.0], [1.0, -1.0, -1.0]]),
    ),
    "l1": (np.array([[0.3, -1.2, 2.0], [1.0, -1.0, 0.0]]), np.array([[0.3, 0.5, -1.0], [2.0, -1.0, 0.5]])),
}


def _loss_probe(loss: Loss, n_out: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(5)
    if loss.name in LOSS_PROBES:
        return LOSS_PROBES[loss.name]
    y_hat = rng.uniform(0.05, 0.95, size=(4, n_out))
    if loss.name == "cross_entropy":
        return y_hat, rng.integers(0, n_out, size=4)
    return y_hat, rng.uniform(size=(4, n_out))


def loss_outcome(impl: Any, loss: Loss) -> Outcome:
    """Your ∂L/∂ŷ against torch.autograd of torch's loss, at its kinks (hinge margin, l1 at ŷ = y)."""
    import torch

    from reference.oracle.bounds import BOTH_SIDES, loss_bounds
    from reference.twins.losses import torch_loss

    y_hat, y = _loss_probe(loss, 3)
    t = torch.from_numpy(y_hat.copy()).requires_grad_(True)
    torch.autograd.backward(torch_loss(loss)(t, torch.from_numpy(y)))
    assert t.grad is not None
    _, _, e_grad = loss_bounds(loss, y_hat, y, None, unit_roundoff(np.float64))
    mine = impl.loss_gradient(y_hat.copy(), y.copy(), impl.loss)
    result = compare_within_bound(f"∂L/∂ŷ of {impl.loss}", mine, t.grad.numpy(), BOTH_SIDES * e_grad)
    outcome = from_comparisons([result])
    if not result.passed:
        i = result.index
        at = ""
        if loss.name == "hinge" and float(y[i] * y_hat[i]) == 1.0:
            at = " at the margin y·ŷ = 1 (torch's clamp passes −y there)"
        elif loss.name == "l1" and float(y[i]) == float(y_hat[i]):
            at = " at ŷ = y (torch takes sign(0) = 0)"
        if not at and np.allclose(mine, -t.grad.numpy(), rtol=1e-12, atol=0.0):
            at = " by its sign (yours is −1 × torch's: ∂L/∂ŷ = −(y − ŷ), not y − ŷ)"
        outcome.detail = result.message(YOURS, TORCHS)
        outcome.diagnosis = f"the loss gradient ∂L/∂ŷ of {impl.loss} (C5) is wrong{at}: {outcome.detail}"
    return outcome


def cases(impl: Any) -> list[Case]:
    """The probes `impl` exposes the parts for."""
    found = capabilities(impl)
    probes = []
    if "activations" in found:
        for name in dict.fromkeys([impl.hidden, impl.output]):
            fns = impl.activation_functions(name)
            if fns is not None:
                probes.append(_activation_probe(impl, name, fns))
    if "loss" in found:
        loss = get_loss(impl.loss.name, impl.loss.reduction)
        probes.append(
            _case(
                f"C5/gradient/{impl.loss.name}",
                "∂L/∂ŷ of the loss, at its kinks",
                f"{impl.name}: your ∂L/∂ŷ of {impl.loss}",
                "torch.autograd of torch's loss",
                lambda: loss_outcome(impl, loss),
            )
        )
    if "sgd_step" in found and has_twins(Architecture((1, 1, 1), (impl.hidden, impl.output), (True, True))):
        probes.append(
            _case(
                "C8/sgd_step",
                "θ ← θ − η·∂L/∂θ",
                f"{impl.name}: one SGD step with η = 0.1 on a 3-4-2 network, batch of 5",
                "torch: the twin's parameters minus η times torch.autograd's gradient",
                lambda: sgd_outcome(impl),
            )
        )
    return probes


def _activation_probe(impl: Any, name: str, fns: tuple[Elementwise, Elementwise]) -> Case:
    """Your g′ against torch.autograd where torch has the activation, else against finite differences."""
    if not has_twins(Architecture((1, 1), (name,), (True,))):
        return _case(
            f"C15/derivative/{name}",
            "f′(a) = lim (f(a + h) − f(a))/h, elementwise",
            f"{impl.name}: your {name}′ on 163 points over ±8",
            "handmlp.gradcheck: finite differences of your own g",
            lambda: checker_outcome(name, *fns),
        )
    return _case(
        f"C10/derivative/{name}",
        "g′(z) elementwise; σ′(a) = σ(a)(1 − σ(a)) (C3)",
        f"{impl.name}: your {name}′ on 163 points over ±8",
        "torch.autograd of torch's activation",
        lambda: activation_outcome(name, *fns),
    )


def sgd_outcome(impl: Any, lr: float = 0.1) -> Outcome:
    """Your weights after one step against θ − η·∂L/∂θ with torch's gradient; each side's error is the
    gradient's bound times η plus one rounding of each of θ, η·g and their difference."""
    from reference.conformance.network import targets
    from reference.conformance.subject import load, outcome_of
    from reference.oracle.bounds import network_bounds
    from reference.twins.mlp import autograd_gradients

    rng = np.random.default_rng(8)
    net = MLP([3, 4, 2], [impl.hidden, impl.output], seed=8)
    x, y = rng.normal(size=(5, 3)), targets(impl.loss.name, 2, 5, rng)
    fn = get_loss(impl.loss.name, impl.loss.reduction)
    load(impl, net, impl.loss)
    impl.sgd_step(x.copy(), y, impl.loss, lr)
    mine = impl.state_dict()
    torch_side, bounds = autograd_gradients(net, x, y, fn), network_bounds(net, x, y, fn)
    u = unit_roundoff(np.float64)
    results = []
    for key, theta in net.state_dict().items():
        step = lr * torch_side.grads[key]
        bound = lr * bounds.grads[key] + 2 * 3 * u * (np.abs(theta) + np.abs(step))
        name = f"{tensor_name(impl, key)} after the step"
        results.append(compare_within_bound(name, mine[key], theta - step, bound))
    outcome = outcome_of(results, impl)
    if not outcome.passed:
        outcome.diagnosis = f"the SGD step θ ← θ − η·∂L/∂θ (C8, E2) is wrong: {outcome.detail}"
    return outcome


def finite_differences(impl: Any, ref: MLP, arch: Architecture, x: Array, y: Array, fn: Loss) -> Outcome:
    """Your ∂L/∂θ against finite differences of L(your forward(x)) along each tensor (C15)."""
    from reference.conformance.subject import load

    state = ref.state_dict()
    load(impl, ref, impl.loss)  # not applicable unless it can express the network
    mine = impl.gradients(x.copy(), y, impl.loss)
    results = []
    for key in arch.state_keys():

        def loss_at(value: Array, key: str = key) -> float:
            impl.load(arch, {**state, key: value.astype(arch.dtype)})
            return fn.value(np.asarray(impl.forward(x.copy()), dtype=np.float64), y)

        results.append(check_gradient(loss_at, state[key].astype(np.float64), mine[key], "central", "fast"))
    impl.load(arch, state)
    failed = [
        f"∂L/∂{tensor_name(impl, k)}: {r.summary().splitlines()[0]}"
        for k, r in zip(arch.state_keys(), results)
        if not r.passed
    ]
    worst = max(results, key=lambda r: r.abs_error / r.bound if r.bound else float(r.abs_error > 0))
    outcome = Outcome(not failed, float(worst.abs_error), float(worst.bound), "; ".join(failed))
    outcome.diagnosis = f"finite differences of your own forward disagree: {failed[0]}" if failed else ""
    return outcome
