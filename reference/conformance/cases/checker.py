"""Catalog cases for finite differences (C15): handmlp's checker as the oracle where torch has no twin.

These need NumPy only, so they run with or without torch installed.
"""

from __future__ import annotations

import numpy as np

from handmlp import MLP, Loss, get_activation, get_loss
from handmlp.gradcheck import GradcheckResult, check_elementwise, check_gradient
from reference.conformance.case import Outcome, case

CHECKER = "handmlp.gradcheck: finite differences of the forward function"
WITHIN_DERIVED = "the claimed derivative within the checker's derived truncation + roundoff bound"
METHODS = ("central", "richardson", "complex")
_Z = np.concatenate([-np.logspace(-3, 1.3, 60), np.logspace(-3, 1.3, 60)])


def _from_checks(results: list[GradcheckResult]) -> Outcome:
    worst = max(results, key=lambda r: r.abs_error / r.bound if r.bound else float(r.abs_error > 0))
    failed = [r for r in results if not r.passed]
    detail = "; ".join(r.summary().splitlines()[0] for r in failed) or worst.summary().replace("\n", " ")
    return Outcome(not failed, float(worst.abs_error), float(worst.bound), detail)


def _parameter_checks(net: MLP, x: np.ndarray, y: np.ndarray, loss: Loss) -> list[GradcheckResult]:
    """MLP.backward's ∂L/∂θ for every parameter tensor against L(θ) as a function of that tensor alone."""
    _, grads = net.loss_and_gradients(x, y, loss)
    results = []
    for name, param in net.parameters().items():
        original = param.copy()

        def loss_at(value: np.ndarray, param: np.ndarray = param) -> float:
            param[...] = value
            return loss.value(net.forward(x), y)

        results += [
            check_gradient(loss_at, original, grads[name], "central", mode) for mode in ("full", "fast")
        ]
        param[...] = original
    return results


@case(
    "C15/sigmoid_derivative_three_methods",
    "f′(a) = lim_(h→0) (f(a + h) − f(a))/h, for σ′ = σ(1 − σ)",
    "Sigmoid.derivative at 120 points over ±20",
    CHECKER + " (central, Richardson, complex step)",
    WITHIN_DERIVED,
    needs_torch=False,
)
def sigmoid_three_methods() -> Outcome:
    act = get_activation("sigmoid")
    return _from_checks([check_elementwise(act.forward, act.derivative, _Z, m) for m in METHODS])


@case(
    "C15/network_gradient",
    "∂L/∂θ of a whole network equals the derivative of L(θ) along each parameter",
    "MLP([3, 4, 2], tanh, identity).backward for each parameter tensor and the input, full and fast mode",
    CHECKER,
    WITHIN_DERIVED,
    needs_torch=False,
)
def network_gradient() -> Outcome:
    rng = np.random.default_rng(15)
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=15)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    loss = get_loss("half_squared_error")
    results = _parameter_checks(net, x, y, loss)
    net.loss_and_gradients(x, y, loss)
    assert net.grad_input is not None
    results.append(
        check_gradient(lambda v: loss.value(net.forward(v), y), x, net.grad_input.copy(), "richardson")
    )
    return _from_checks(results)


@case(
    "C15/kink_reported_not_failed",
    "at a kink the one-sided limits differ: relu′ has no limit at 0",
    "ReLU.derivative at points including exactly 0",
    CHECKER,
    "a non-differentiable point reported, with relu′(0) = 0 between the one-sided values 0 and 1",
    needs_torch=False,
)
def kink_reported() -> Outcome:
    act = get_activation("relu")
    result = check_elementwise(act.forward, act.derivative, np.array([-1.0, 0.0, 2.0]))
    ok = result.passed and len(result.kinks) == 1 and result.kinks[0].claimed_between
    return Outcome(ok, float(result.abs_error), float(result.bound), result.summary().replace("\n", " "))


# --- activations torch does not have: the checker is the only oracle ----------------------------------

_ANALYTIC = {"bent_identity", "gaussian", "sinusoid", "isru", "lisht", "swish_beta", "soft_exponential"}


def _extra_activation_case(name: str) -> None:
    from handmlp.activations import EXTRA_ACTIVATIONS

    cls = EXTRA_ACTIVATIONS[name]

    @case(
        f"C15/{name}",
        f"{name}′ (the derivative written beside its forward) = lim_(h→0) ({name}(z + h) − {name}(z))/h",
        f"{cls.__name__}.derivative (and ∂/∂θ of a learnable parameter) at 120 points over ±20",
        CHECKER + " (central, Richardson, complex step)",
        WITHIN_DERIVED,
        needs_torch=False,
    )
    def check() -> Outcome:
        act = get_activation(name)
        act.build(1, np.dtype(np.float64))
        methods = METHODS if name in _ANALYTIC else METHODS[:2]
        results = [check_elementwise(act.forward, act.derivative, _Z, m) for m in methods]
        for param, value in act.parameters().items():
            original = value.copy()

            def with_param(theta: np.ndarray, param: str = param) -> np.ndarray:
                act.parameters()[param][...] = theta
                return np.asarray(act.forward(_Z).sum())

            claimed = act.parameter_derivatives(_Z)[param].sum(keepdims=True).reshape(original.shape)
            results.append(check_gradient(with_param, original, claimed, "richardson"))
            act.parameters()[param][...] = original
        return _from_checks(results)


for _name in ("bent_identity", "gaussian", "sinusoid", "isru", "lisht", "swish_beta", "soft_exponential"):
    _extra_activation_case(_name)


@case(
    "C14/swish_beta_network",
    "θ = {f, w, b}: swish-β f(z) = z·σ(βz) learns β with the weights; ∂f/∂β = z²·σ(βz)(1 − σ(βz))",
    "MLP([3, 5, 5, 2], swish_beta, soft_exponential, identity).backward: every ∂L/∂θ, β and α included",
    CHECKER,
    WITHIN_DERIVED + ", in full and fast mode",
    needs_torch=False,
)
def swish_beta_network() -> Outcome:
    rng = np.random.default_rng(140)
    net = MLP([3, 5, 5, 2], ["swish_beta", "soft_exponential", "identity"], seed=140)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    return _from_checks(_parameter_checks(net, x, y, get_loss("squared_error")))
