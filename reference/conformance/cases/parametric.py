"""Catalog cases for activations with learnable parameters (C14): PReLU's slope in a network against
autograd, swish-β's β in a network against the finite-difference checker, and PReLU on its own with the
comparisons of the C3 activations (reference/conformance/cases/activations.py) plus its slope's gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, get_activation, get_loss
from reference.conformance.case import AUTOGRAD, WITHIN_BOUND, Outcome, case, from_comparisons
from reference.conformance.cases._common import (
    CHECKER,
    DTYPES,
    GRADIENTS,
    WITHIN_DERIVED,
    autograd_outcome,
    from_checks,
    parameter_checks,
)
from reference.conformance.cases.activations import (
    BOUNDED_AND_KINKS,
    activation_comparisons,
    torch_value_and_derivative,
)
from reference.oracle.compare import Comparison, compare_within_bound, gamma, unit_roundoff


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
    return autograd_outcome(impl, net, rng.normal(size=(7, 3)), rng.normal(size=(7, 2)), "squared_error")


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
    return from_checks(parameter_checks(net, x, y, get_loss("squared_error")))


def prelu_slope_comparisons(num_parameters: int, dtype: Any) -> list[Comparison]:
    """∂Σg/∂w (the slope's gradient, summed over the batch and, when shared, the units) against torch's."""
    from reference.oracle.bounds import BOTH_SIDES

    rng = np.random.default_rng(140 + num_parameters)
    z = rng.normal(scale=3.0, size=(9, 4)).astype(dtype)
    z[0, :] = 0.0  # the kink: ∂g/∂w = 0 there
    act = get_activation("prelu", num_parameters=num_parameters, init=0.2)
    act.build(4, np.dtype(dtype))
    _, derivative, params = torch_value_and_derivative(act, z)
    per_element = act.parameter_gradients(z)["weight"]
    ours = per_element.sum(axis=0) if num_parameters > 1 else per_element.sum(keepdims=True).reshape(1)
    count = z.shape[0] if num_parameters > 1 else z.size
    magnitude = np.abs(per_element).sum(axis=0) if num_parameters > 1 else np.abs(per_element).sum()
    bound = BOTH_SIDES * gamma(count, unit_roundoff(dtype)) * magnitude
    label = f"prelu num_parameters={num_parameters} ({np.dtype(dtype).name})"
    return [
        compare_within_bound(f"{label}: ∂Σg/∂weight", ours, params["weight"], bound),
        compare_within_bound(f"{label}: g′", act.gradient(z), derivative, 0.0),
    ]


@case(
    "C14/prelu",
    "g(z) = max(0, z) + w·min(0, z) with a learned slope w: g′ = 1 if z > 0 else w, ∂g/∂w = min(0, z); "
    "prelu′(0) = w, ∂g/∂w at 0 is 0",
    "PReLU.value, .gradient and .parameter_gradients, one slope shared or one per unit, float64 and float32",
    "torch.autograd of torch.nn.PReLU with the same slope: z.grad and weight.grad",
    BOUNDED_AND_KINKS + "; the slope's gradient within γ_n·Σ|∂g/∂w| on each side",
)
def prelu() -> Outcome:
    results = []
    for dtype in DTYPES:
        for num_parameters in (1, 4):
            results += prelu_slope_comparisons(num_parameters, dtype)
    return from_comparisons([*activation_comparisons("prelu"), *results])
