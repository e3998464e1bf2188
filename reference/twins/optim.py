"""torch.optim.SGD on the same arrays as handmlp.optim.SGD, and the error bound of one SGD step.

`TorchSGD` runs torch's own optimiser on tensors copied from a dict of arrays; its momentum buffers can be
set and read, so a step can start both sides from the same parameters, buffers and gradients.

`sgd_step_bound` carries a bound on |handmlp − torch| through the lines of torch's update (see
`handmlp.optim`), in float64 with the unit roundoff u of the parameters' dtype. Each line that combines
terms is, on either side, within γ_k·(Σ|terms|) of the exact result, where k counts the roundings of that
line: the conversion of each hyper-parameter to the working dtype (λ, μ, 1 − τ, η are Python floats cast to
float32 or float64), each product and each sum; a fused multiply-add (which torch's vectorised `add(…,
alpha=)` may use) has fewer roundings and stays inside the same bound. Both sides obey it, so the local
part of |handmlp − torch| is at most twice that; differences already in the inputs (Δp, Δg, Δb) are added
as they propagate linearly through each line:

    d  = ±g + λp            Δd  ≤ Δg + λΔp + 2γ₃(|g| + λ|p|)
    b′ = d (first step)     Δb′ = Δd
    b′ = μb + (1 − τ)d      Δb′ ≤ μΔb + |1 − τ|Δd + 2γ₅(μ|b| + |1 − τ||d|)
    s  = d + μb′ (Nesterov) Δs  ≤ Δd + μΔb′ + 2γ₃(|d| + μ|b′|);  s = b′ (momentum), s = d (none)
    p′ = p − ηs             Δp′ ≤ Δp + ηΔs + 2γ₃(|p| + η|s|)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from handmlp.optim import SGD
from reference.oracle.compare import assert_within_bound, gamma, unit_roundoff

Array = NDArray[Any]

BOTH_SIDES = 2.0


class TorchSGD:
    """torch.optim.SGD over tensor copies of a dict of arrays, stepped with given gradients."""

    def __init__(self, params: Mapping[str, Array], **hyper: Any) -> None:
        self.tensors = {name: torch.from_numpy(np.array(value)) for name, value in params.items()}
        self.optimizer = torch.optim.SGD(list(self.tensors.values()), **hyper)

    def set_buffers(self, buffers: Mapping[str, Array]) -> None:
        """Give torch the momentum buffers (as after earlier steps)."""
        for name, buf in buffers.items():
            self.optimizer.state[self.tensors[name]]["momentum_buffer"] = torch.from_numpy(np.array(buf))

    def step(self, grads: Mapping[str, Array]) -> None:
        """Set each tensor's .grad to a copy of its gradient and let torch.optim.SGD step."""
        for name, tensor in self.tensors.items():
            tensor.grad = torch.from_numpy(np.array(grads[name]))
        self.optimizer.step()

    def params(self) -> dict[str, Array]:
        """Copies of the parameters."""
        return {name: t.detach().numpy().copy() for name, t in self.tensors.items()}

    def buffers(self) -> dict[str, Array]:
        """Copies of the momentum buffers torch holds (none before the first step or without momentum)."""
        return momentum_buffers(self.optimizer, self.tensors)


def momentum_buffers(
    optimizer: torch.optim.Optimizer, tensors: Mapping[str, torch.Tensor]
) -> dict[str, Array]:
    """The momentum buffers of a torch optimiser, keyed by the names of `tensors`."""
    out = {}
    for name, tensor in tensors.items():
        buf = optimizer.state.get(tensor, {}).get("momentum_buffer")
        if buf is not None:
            out[name] = buf.detach().numpy().copy()
    return out


@dataclass(frozen=True)
class StepBound:
    """Per-element bounds on |handmlp − torch| after one step: parameters, buffers (when kept), and the
    summed magnitudes of what the step combines, |p| + η·(Σ|terms| of the direction, e.g. μ|b| + |1 − τ|·
    (|g| + λ|p|) with momentum), that expresses an error in units of roundoff."""

    params: dict[str, Array]
    buffers: dict[str, Array]
    scale: dict[str, Array]


def sgd_step_bound(
    params: Mapping[str, Array],
    grads: Mapping[str, Array],
    buffers: Mapping[str, Array],
    hyper: Mapping[str, Any],
    delta_params: Mapping[str, Array] | None = None,
    delta_grads: Mapping[str, Array] | None = None,
    delta_buffers: Mapping[str, Array] | None = None,
) -> StepBound:
    """The bound of the module docstring, for one step of SGD(**hyper) from (params, grads, buffers).

    `buffers` holds the momentum buffers before the step (a name absent: its first step). The Δ inputs
    are bounds on differences already present (zero when omitted).
    """
    lr, mu, tau, lam = (float(hyper.get(k, 0.0)) for k in ("lr", "momentum", "dampening", "weight_decay"))
    nesterov, maximize = bool(hyper.get("nesterov", False)), bool(hyper.get("maximize", False))
    out_p, out_b, scale = {}, {}, {}
    for name, p_in in params.items():
        u = unit_roundoff(p_in.dtype)
        gamma3 = float(gamma(3, u))
        p = np.abs(p_in.astype(np.float64))
        g_signed = (-1.0 if maximize else 1.0) * grads[name].astype(np.float64)
        d_p = _delta(delta_params, name, p)
        d_g = _delta(delta_grads, name, p)
        d = g_signed + lam * p_in.astype(np.float64)
        e_d = d_g + lam * d_p + BOTH_SIDES * gamma3 * (np.abs(g_signed) + lam * p)
        m_d = np.abs(g_signed) + lam * p  # summed magnitudes of what each line combines, for `scale`
        direction = (d, e_d, m_d)
        s, e_s, m_s = direction
        if mu != 0.0:
            buffer = _buffer_bound(buffers.get(name), direction, mu, tau, _delta(delta_buffers, name, p), u)
            out_b[name] = buffer[1]
            s, e_s, m_s = _nesterov_bound(direction, buffer, mu, gamma3) if nesterov else buffer
        out_p[name] = d_p + lr * e_s + BOTH_SIDES * gamma3 * (p + lr * np.abs(s))
        scale[name] = p + lr * m_s
    return StepBound(out_p, out_b, scale)


# A value of the step, its error bound and the summed magnitudes it combines.
_Bounded = tuple[Array, Array, Array]


def _buffer_bound(
    before: Array | None, direction: _Bounded, mu: float, tau: float, delta_before: Array, u: float
) -> _Bounded:
    """The momentum buffer after the step: b ← μ·b + (1 − τ)·d, or d itself on the first step (no buffer)."""
    d, e_d, m_d = direction
    if before is None:
        return d, e_d, m_d
    b = before.astype(np.float64)
    b_abs = np.abs(b)
    m_b = mu * b_abs + abs(1.0 - tau) * m_d
    new_b = mu * b + (1.0 - tau) * d
    e_b = (
        mu * delta_before
        + abs(1.0 - tau) * e_d
        + BOTH_SIDES * float(gamma(5, u)) * (mu * b_abs + abs(1.0 - tau) * np.abs(d))
    )
    return new_b, e_b, m_b


def _nesterov_bound(direction: _Bounded, buffer: _Bounded, mu: float, gamma3: float) -> _Bounded:
    """The Nesterov step d + μ·b from the direction d and the new buffer b."""
    (d, e_d, m_d), (new_b, e_b, m_b) = direction, buffer
    s = d + mu * new_b
    e_s = e_d + mu * e_b + BOTH_SIDES * gamma3 * (np.abs(d) + mu * np.abs(new_b))
    return s, e_s, m_d + mu * m_b


def _delta(deltas: Mapping[str, Array] | None, name: str, like: Array) -> Array:
    if deltas is None or name not in deltas:
        return np.zeros_like(like)
    return np.asarray(deltas[name], dtype=np.float64)


def worst_in_roundoff(
    actual: Mapping[str, Array], expected: Mapping[str, Array], scale: Mapping[str, Array]
) -> float:
    """max over elements of |actual − expected| / (u·scale): the worst error in units of roundoff."""
    worst = 0.0
    for name, value in expected.items():
        u = unit_roundoff(value.dtype)
        err = np.abs(actual[name].astype(np.float64) - value.astype(np.float64))
        worst = max(worst, float(np.max(err / (u * np.maximum(scale[name], np.finfo(np.float64).tiny)))))
    return worst


@dataclass(frozen=True)
class StepComparison:
    """The worst error/bound and the worst error in units of roundoff over parameters and buffers."""

    ratio: float
    roundoff_units: float


def compare_one_step(
    optimizer_class: type[SGD],
    params: Mapping[str, Array],
    grads: Mapping[str, Array],
    buffers: Mapping[str, Array],
    hyper: Mapping[str, Any],
) -> StepComparison:
    """One step of `optimizer_class(**hyper)` (handmlp's SGD, or a planted bug) against torch.optim.SGD from
    the same parameters, buffers and gradients; AssertionError naming the tensor, index, both values, the
    error and the bound when any element of a parameter or buffer is outside `sgd_step_bound`."""
    mine = {name: np.array(value) for name, value in params.items()}
    opt = optimizer_class(mine, **hyper)
    if buffers:
        opt.load_state_dict({"hyperparameters": opt.hyperparameters(), "momentum_buffer": dict(buffers)})
    theirs = TorchSGD(params, **hyper)
    theirs.set_buffers(buffers)
    opt.step(dict(grads))
    theirs.step(grads)
    bound = sgd_step_bound(params, grads, buffers, hyper)
    torch_params, torch_buffers = theirs.params(), theirs.buffers()
    ratio = 0.0
    for name in params:
        ratio = max(
            ratio,
            assert_within_bound(f"param {name!r}", mine[name], torch_params[name], bound.params[name]).ratio,
        )
    if set(opt.momentum_buffers) != set(torch_buffers):
        raise AssertionError(
            f"momentum buffers: handmlp keeps {sorted(opt.momentum_buffers)}, torch {sorted(torch_buffers)}"
        )
    for name, buf in torch_buffers.items():
        ratio = max(
            ratio,
            assert_within_bound(
                f"momentum buffer {name!r}", opt.momentum_buffers[name], buf, bound.buffers[name]
            ).ratio,
        )
    return StepComparison(ratio, worst_in_roundoff(mine, torch_params, bound.scale))
