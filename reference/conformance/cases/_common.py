"""What several case modules share: the network checks against autograd, the lockstep training run,
the one-line rule's rounding bound, the data of the SGD cases, and the finite-difference checker's
outcome. Each helper is defined here once; the case modules import it."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp import MLP, Loss, get_loss
from handmlp.gradcheck import GradcheckResult, check_gradient
from reference.conformance.case import Outcome
from reference.conformance.protocol import LossSpec
from reference.conformance.subject import against_autograd, load
from reference.oracle.compare import gamma, unit_roundoff

Array = Any
GRADIENTS = ("forward", "gradients")
DTYPES = (np.float64, np.float32)
U64 = unit_roundoff(np.float64)
SGD_ORACLE = "torch.optim.SGD on the torch twin, same weights, same batch order"
TRAJECTORY = "every parameter and momentum buffer after every step within a bound growing with the steps"
CHECKER = "handmlp.gradcheck: finite differences of the forward function"
WITHIN_DERIVED = "the claimed derivative within the checker's derived truncation + roundoff bound"

# The data of the SGD cases (C8, C13, E2): 24 samples of a tanh teacher.
XS = np.random.default_rng(8).normal(size=(24, 3))
YS = np.tanh(XS @ np.array([[0.7], [-0.4], [0.2]]))


# --- networks against autograd -------------------------------------------------------------------------


def autograd_outcome(impl: Any, net: MLP, x: Array, y: Array, loss: str, reduction: str = "mean") -> Outcome:
    """The implementation's forward and ∂L/∂θ on `net`'s architecture and weights against autograd."""
    return against_autograd(impl, net, x, y, LossSpec(loss, reduction))


def impl_gradients(impl: Any, net: MLP, x: Array, y: Array, loss: str, reduction: str) -> dict[str, Array]:
    """The implementation's ∂L/∂θ on `net`'s architecture and weights."""
    spec = LossSpec(loss, reduction)
    load(impl, net, spec)
    return impl.gradients(x, y, spec)


def torch_gradients(net: MLP, x: Array, y: Array, loss: str, reduction: str = "mean") -> Any:
    """Autograd's ∂L/∂θ on the torch twin of `net`, and the rounding bounds they are compared within."""
    from reference.oracle.bounds import network_bounds
    from reference.twins.mlp import autograd_gradients

    fn = get_loss(loss, reduction)
    return autograd_gradients(net, x, y, fn), network_bounds(net, x, y, fn)


# --- training runs and update rules --------------------------------------------------------------------


def trajectory(
    net: MLP,
    loss: str,
    hyper: dict[str, Any],
    X: Array,
    Y: Array,
    epochs: int,
    batch_size: int | None,
    **kw: Any,
) -> Outcome:
    """handmlp's fit and torch's loop in lockstep; the outcome carries the per-step series for the report."""
    from reference.twins.train import run_against_torch

    try:
        report = run_against_torch(net, loss, hyper, X, Y, epochs, batch_size, **kw)
    except AssertionError as exc:
        return Outcome(False, float("nan"), float("nan"), str(exc))
    detail = (
        f"{report.steps} steps; worst error/bound {report.worst_ratio:.3g} ({report.worst_at}); "
        f"final parameters agree to {report.final_relative:.2e} relative"
    )
    errors, bounds = report.series["error max|Δθ|"], report.series["bound max"]
    last = len(errors) - 1
    return Outcome(True, errors[last], bounds[last], detail, report.series)


def one_line_bound(w: Array, x: Array, y: float, eta: float) -> Array:
    """One step of w + η(y − w·x)x, on both sides: γ_(n+4) of the magnitudes (|w| + η(|y| + |w||x|)|x|)."""
    return 2 * gamma(len(x) + 4, U64) * (np.abs(w) + eta * (abs(y) + np.abs(w) @ np.abs(x)) * np.abs(x))


# --- the finite-difference checker as the oracle -------------------------------------------------------


def from_checks(results: list[GradcheckResult]) -> Outcome:
    worst = max(results, key=lambda r: r.abs_error / r.bound if r.bound else float(r.abs_error > 0))
    failed = [r for r in results if not r.passed]
    detail = "; ".join(r.summary().splitlines()[0] for r in failed) or worst.summary().replace("\n", " ")
    return Outcome(not failed, float(worst.abs_error), float(worst.bound), detail)


def parameter_checks(net: MLP, x: np.ndarray, y: np.ndarray, loss: Loss) -> list[GradcheckResult]:
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
