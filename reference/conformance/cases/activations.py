"""Catalog cases for every activation handmlp ships with a torch twin (C3; C14 for PReLU's learnable slope):
g(z) and g′(z) against torch.autograd in float64 and float32, over ordinary inputs and extreme ones (0,
subnormal, ±1000, ±1e15), each within its derived bound, and exactly at every kink and threshold, where the
documented convention (relu′(0) = 0, leaky_relu′(0) = slope, elu′(0) = α, hardtanh′ = 0 at both edges,
prelu′(0) = slope, softsign′(0) = 1, softplus the identity just above its threshold) must equal torch's.

The activations without a twin are C15 cases (reference/conformance/cases/checker.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp.activations import TORCH_ACTIVATIONS, Activation, get_activation
from reference.conformance.case import Outcome, case, from_comparisons
from reference.oracle.compare import Comparison, compare_within_bound, gamma, unit_roundoff

Array = Any
DTYPES = (np.float64, np.float32)
BOUNDED_AND_KINKS = (
    "every finite element within its derived rounding bound (both dtypes), torch's infinities and NaNs "
    "reproduced, and every kink exactly the documented value, which is torch's"
)

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


# --- C14: PReLU, whose slope is a parameter --------------------------------------------------------------


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
