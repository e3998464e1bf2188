"""Catalog cases for the logistic unit and every activation handmlp ships with a torch twin (C3): the unit
ŷ = σ(⟨w, x⟩ + b) and its bias, then for each activation g(z) and g′(z) against torch.autograd in float64
and float32, over ordinary inputs and extreme ones (0, subnormal, ±1000, ±1e15), each within its derived
bound, and exactly at every kink and threshold, where the documented convention (relu′(0) = 0,
leaky_relu′(0) = slope, elu′(0) = α, hardtanh′ = 0 at both edges, prelu′(0) = slope, softsign′(0) = 1,
softplus the identity just above its threshold) must equal torch's.

PReLU, whose slope is learned, is checked with the same comparisons as a C14 case
(reference/conformance/cases/parametric.py); the activations without a twin are C15 cases
(reference/conformance/cases/checker.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, get_activation
from handmlp.activations import TORCH_ACTIVATIONS, Activation
from reference.conformance.case import AUTOGRAD, WITHIN_BOUND, Outcome, case, from_comparisons
from reference.conformance.cases._common import DTYPES, GRADIENTS, Array, autograd_outcome
from reference.conformance.protocol import NotApplicableError
from reference.conformance.subject import outcome_of
from reference.oracle.compare import Comparison, compare_within_bound, gamma, unit_roundoff

BOUNDED_AND_KINKS = (
    "every finite element within its derived rounding bound (both dtypes), torch's infinities and NaNs "
    "reproduced, and every kink exactly the documented value, which is torch's"
)


# --- C3: the logistic unit -----------------------------------------------------------------------------


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
    x, y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 1))
    return autograd_outcome(impl, net, x, y, "half_squared_error")


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


# --- C3: every activation with a torch twin ------------------------------------------------------------


# The settings each activation is checked with (non-default where it has any), by case name.
SETTINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "identity": ("identity", {}),
    "sigmoid": ("sigmoid", {}),
    "tanh": ("tanh", {}),
    "relu": ("relu", {}),
    "leaky_relu": ("leaky_relu", {"negative_slope": 0.1}),
    "elu": ("elu", {"alpha": 1.3}),
    "softplus": ("softplus", {"beta": 2.0}),
    "silu": ("silu", {}),
    "gelu": ("gelu", {}),
    "gelu_tanh": ("gelu", {"approximate": "tanh"}),
    "hardtanh": ("hardtanh", {"min_val": -2.0, "max_val": 3.0}),
    "softsign": ("softsign", {}),
    "prelu": ("prelu", {"init": 0.2}),
}


# (z, the documented g′(z)) at every kink and threshold, for the settings above.
KINKS: dict[str, list[tuple[float, float]]] = {
    "relu": [(0.0, 0.0)],
    "leaky_relu": [(0.0, 0.1)],
    "elu": [(0.0, 1.3)],
    "prelu": [(0.0, 0.2)],
    "hardtanh": [(-2.0, 0.0), (3.0, 0.0)],
    "softsign": [(0.0, 1.0)],
    "softplus": [(10.000001, 1.0)],  # β·z just above torch's threshold 20: the identity, derivative 1
    "sigmoid": [(0.0, 0.25)],
    "tanh": [(0.0, 1.0)],
    "silu": [(0.0, 0.5)],
    "gelu": [(0.0, 0.5)],
    "gelu_tanh": [(0.0, 0.5)],
    "identity": [(0.0, 1.0)],
}

_ORDINARY = np.concatenate([np.linspace(-5.0, 5.0, 41), -np.logspace(-4, 2, 25), np.logspace(-4, 2, 25)])


def extreme_inputs(dtype: Any) -> Array:
    """0, the smallest subnormal and normal, 1e-30, ±1000 and ±1e15 (and 1e-300 in float64), both signs."""
    info = np.finfo(dtype)
    deep = [1e-300] if dtype == np.float64 else []
    magnitudes = np.array([float(info.smallest_subnormal), float(info.tiny), *deep, 1e-30, 30.0, 1e3, 1e15])
    return np.concatenate([[0.0], magnitudes, -magnitudes]).astype(dtype)


def build(name: str, n_units: int, dtype: Any) -> Activation:
    """The activation of case `name` with its settings, built for `n_units` units of `dtype`."""
    registry_name, settings = SETTINGS[name]
    act = get_activation(registry_name, **settings)
    act.build(n_units, np.dtype(dtype))
    return act


def torch_value_and_derivative(act: Activation, z: Array) -> tuple[Array, Array, dict[str, Array]]:
    """torch's g(z), g′(z) (autograd of Σg) and ∂Σg/∂θ for the module twin of `act`."""
    import torch

    from reference.twins.activations import torch_activation

    module = torch_activation(act).to(torch.float64 if z.dtype == np.float64 else torch.float32)
    zt = torch.from_numpy(z.copy()).requires_grad_(True)
    out = module(zt)
    torch.autograd.backward(out.sum())
    assert zt.grad is not None
    params = {n: p.grad.numpy().copy() for n, p in module.named_parameters() if p.grad is not None}
    return out.detach().numpy(), zt.grad.numpy(), params


def _one_side_bounds(act: Activation, z: Array) -> tuple[Array, Array]:
    from reference.oracle.bounds import BOTH_SIDES
    from reference.twins.activations import activation_twin

    twin, u, z64 = activation_twin(act), unit_roundoff(z.dtype), z.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        value, derivative = twin.forward_bound(act, z64, u), twin.derivative_bound(act, z64, u)
    # A bound made infinite by a non-finite value under test vouches for nothing: 0 (only equality passes).
    return BOTH_SIDES * np.where(np.isfinite(value), value, 0.0), BOTH_SIDES * np.where(
        np.isfinite(derivative), derivative, 0.0
    )


def _same_non_finite(label: str, ours: Array, theirs: Array) -> Comparison:
    """Where torch is not finite, handmlp must be the same infinity or NaN (an exact comparison)."""
    where = ~np.isfinite(theirs)
    got, expected = ours[where].astype(np.float64), theirs[where].astype(np.float64)
    both_nan = np.isnan(got) & np.isnan(expected)
    got[both_nan] = expected[both_nan] = 0.0
    return compare_within_bound(label, got, expected, 0.0)


def value_and_derivative_comparisons(name: str, z: Array, label: str) -> list[Comparison]:
    """g and g′ of case `name` at z against torch: finite elements within their bound, the rest equal."""
    act = build(name, z.size, z.dtype)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        ours = {"g": act.value(z), "g′": act.gradient(z)}
    value, derivative, _ = torch_value_and_derivative(act, z)
    theirs = {"g": value, "g′": derivative}
    bounds = dict(zip(ours, _one_side_bounds(act, z)))
    results = []
    for kind, got in ours.items():
        finite = np.isfinite(theirs[kind])
        results.append(
            compare_within_bound(
                f"{name} {kind}(z) {label}", got[finite], theirs[kind][finite], bounds[kind][finite]
            )
        )
        results.append(_same_non_finite(f"{name} {kind}(z) {label}, non-finite", got, theirs[kind]))
    return results


def kink_comparisons(name: str, dtype: Any) -> list[Comparison]:
    """g′ at every kink exactly the documented value and torch's; g there exactly torch's."""
    points = KINKS[name]
    z = np.array([p for p, _ in points], dtype=dtype)
    act = build(name, z.size, dtype)
    value, derivative, _ = torch_value_and_derivative(act, z)
    documented = np.array([d for _, d in points], dtype=dtype)
    label = f"{name} at its kinks {z.tolist()} ({np.dtype(dtype).name})"
    return [
        compare_within_bound(f"{label}: g′ vs the documented convention", act.gradient(z), documented, 0.0),
        compare_within_bound(f"{label}: g′ vs torch", act.gradient(z), derivative, 0.0),
        compare_within_bound(f"{label}: g vs torch", act.value(z), value, 0.0),
    ]


def activation_outcome(name: str) -> Outcome:
    """Everything checked for one activation: ordinary and extreme inputs, kinks, in both dtypes."""
    return from_comparisons(activation_comparisons(name))


def activation_comparisons(name: str) -> list[Comparison]:
    """The comparisons of one activation: ordinary and extreme inputs and its kinks, in both dtypes."""
    results: list[Comparison] = []
    for dtype in DTYPES:
        dname = np.dtype(dtype).name
        results += value_and_derivative_comparisons(name, _ORDINARY.astype(dtype), f"ordinary {dname}")
        results += value_and_derivative_comparisons(name, extreme_inputs(dtype), f"extreme {dname}")
        results += kink_comparisons(name, dtype)
    return results


def _activation_case(name: str) -> None:
    registry_name, settings = SETTINGS[name]
    cls = TORCH_ACTIVATIONS[registry_name]
    shown = ", ".join(f"{k}={v}" for k, v in settings.items())
    kinks = ", ".join(f"g′({z:g}) = {d:g}" for z, d in KINKS[name])

    @case(
        f"C3/{name}",
        f"a = g(z) and g′(z) for g = {name}; at the kinks {kinks}",
        f"{cls.__name__}({shown}).value and .gradient, float64 and float32, ordinary and extreme z",
        f"torch.autograd of the torch twin ({registry_name})",
        BOUNDED_AND_KINKS,
    )
    def check() -> Outcome:
        return activation_outcome(name)


for _name in SETTINGS:
    if _name != "prelu":
        _activation_case(_name)
