"""Stochastic gradient descent (C8) with the exact semantics of torch.optim.SGD.

One step, for every parameter p with gradient ∂L/∂p, in torch's order (torch/optim/sgd.py,
`_single_tensor_sgd`):

    g ← −∂L/∂p if maximize else ∂L/∂p        (maximize negates first, before weight decay)
    g ← g + λ·p                               (weight decay, if λ ≠ 0)
    b ← g (a copy) on the first step; afterwards b ← μ·b + (1 − τ)·g   (momentum, if μ ≠ 0; no
                                              dampening τ on the first step)
    g ← g + μ·b if nesterov else b            (if μ ≠ 0)
    p ← p − η·g                               (C8; E2: descent subtracts)

Each line is one function below. A step validates every key, shape, dtype and value first and writes
nothing unless all of it is valid, so a step that fails leaves parameters and buffers bit-for-bit unchanged.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

from handmlp.validation import FLOAT_DTYPES, check_all_finite, flag, real

Array = NDArray[Any]

__all__ = [
    "SGD",
    "apply_weight_decay",
    "checked_hyperparameters",
    "descent_step",
    "momentum_direction",
    "signed_gradient",
    "update_momentum_buffer",
]


# --- the update equations, each written once -------------------------------------------------------------
# Each takes `out` (NumPy's out=): None returns a fresh array; a training step passes preallocated scratch
# arrays so that a steady-state step allocates nothing. The operations, and so the bits, are the same.


def signed_gradient(grad: Array, maximize: bool, out: Array | None = None) -> Array:
    """torch SGD: g = −∂L/∂p when maximising, else ∂L/∂p (applied before weight decay)."""
    return np.negative(grad, out=out) if maximize else grad


def apply_weight_decay(g: Array, p: Array, weight_decay: float, out: Array | None = None) -> Array:
    """torch SGD: g ← g + λ·p, the gradient of the L2 penalty ½λ‖p‖² added to the loss's (`out` not g)."""
    decay = np.multiply(p, weight_decay, out=out)
    return np.add(g, decay, out=decay)


def update_momentum_buffer(
    buf: Array | None,
    g: Array,
    momentum: float,
    dampening: float,
    out: Array | None = None,
    scratch: Array | None = None,
) -> Array:
    """torch SGD: b₁ = g (a copy, no dampening); b_t = μ·b_(t−1) + (1 − τ)·g afterwards (`out` may be buf;
    `scratch`, not g, holds (1 − τ)·g when τ ≠ 0; (1 − 0)·g is g itself)."""
    if buf is None:
        return g.copy()
    kept = np.multiply(buf, momentum, out=out)
    fresh = g if dampening == 0.0 else np.multiply(g, 1.0 - dampening, out=scratch)
    return np.add(kept, fresh, out=kept)


def momentum_direction(
    g: Array, buf: Array, momentum: float, nesterov: bool, out: Array | None = None
) -> Array:
    """torch SGD: the step direction g + μ·b with Nesterov momentum, else the buffer b (`out` not g)."""
    if not nesterov:
        return buf
    ahead = np.multiply(buf, momentum, out=out)
    return np.add(g, ahead, out=ahead)


def descent_step(
    p: Array, g: Array, lr: float, out: Array | None = None, scratch: Array | None = None
) -> Array:
    """C8: θ ← θ − η·∂L/∂θ (E2: descent subtracts the gradient); `out=p` updates in place, `scratch` holds
    η·g."""
    return np.subtract(p, np.multiply(g, lr, out=scratch), out=out)


# --- hyper-parameter checks (the ValueErrors torch raises, plus non-finite values) ------------------------


def _non_negative(name: str, value: Any, torch_word: str) -> float:
    number = real(name, value)
    if number < 0.0:
        raise ValueError(f"{name}: expected ≥ 0, got {number} (torch: Invalid {torch_word}: {number})")
    return number


def checked_hyperparameters(
    lr: Any, momentum: Any, dampening: Any, weight_decay: Any, nesterov: Any, maximize: Any
) -> dict[str, Any]:
    """The hyper-parameters as plain floats and bools, rejected where torch.optim.SGD rejects them
    (lr, momentum or weight decay below 0; Nesterov without momentum or with dampening) and when not finite.
    """
    checked: dict[str, Any] = {
        "lr": _non_negative("lr", lr, "learning rate"),
        "momentum": _non_negative("momentum", momentum, "momentum value"),
        "dampening": real("dampening", dampening),
        "weight_decay": _non_negative("weight_decay", weight_decay, "weight_decay value"),
        "nesterov": flag("nesterov", nesterov),
        "maximize": flag("maximize", maximize),
    }
    if checked["nesterov"] and (checked["momentum"] <= 0.0 or checked["dampening"] != 0.0):
        raise ValueError(
            f"nesterov: Nesterov momentum requires a momentum > 0 and zero dampening, got "
            f"momentum={checked['momentum']}, dampening={checked['dampening']}"
        )
    return checked


HYPERPARAMETERS = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")
_settings = operator.attrgetter(*HYPERPARAMETERS)  # an SGD's hyper-parameters as a tuple, in that order


class SGD:
    """torch.optim.SGD over a dict name → ndarray (e.g. `net.parameters()`), updated in place by `step`.

    `state_dict()` holds the hyper-parameters and copies of the momentum buffers; loading it into an SGD
    over the same parameters continues a run bit-for-bit as if it had never stopped.
    """

    def __init__(
        self,
        params: Mapping[str, Array],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
    ) -> None:
        hyper = checked_hyperparameters(lr, momentum, dampening, weight_decay, nesterov, maximize)
        self.params = _checked_params(params)
        self.lr: float = hyper["lr"]
        self.momentum: float = hyper["momentum"]
        self.dampening: float = hyper["dampening"]
        self.weight_decay: float = hyper["weight_decay"]
        self.nesterov: bool = hyper["nesterov"]
        self.maximize: bool = hyper["maximize"]
        self.momentum_buffers: dict[str, Array] = {}
        self._scratch: dict[int, tuple[Array, Array]] = {}  # per parameter (by id), reused every step
        self._checked_settings: tuple[Any, ...] = ()  # the hyper-parameters (and types) as last checked

    def hyperparameters(self) -> dict[str, Any]:
        """lr, momentum, dampening, weight_decay, nesterov and maximize, as torch's param_group holds them."""
        return {name: getattr(self, name) for name in HYPERPARAMETERS}

    def step(self, grads: Mapping[str, Any]) -> None:
        """One SGD step with ∂L/∂θ keyed like the parameters; all inputs are checked before anything moves.

        Then every parameter and buffer is updated in place (nothing can fail after the checks; overflow is
        left to the next step's checks, so warnings-as-errors cannot stop a step half way).
        """
        settings = _settings(self)
        # the types first: True == 1 == 1.0, and an array assigned since would not compare to a float at all
        key = (tuple(map(type, settings)), settings)
        if key != self._checked_settings:  # attributes may have been reassigned since the last step
            checked_hyperparameters(*settings)
            self._checked_settings = key
        checked = self._checked_grads(grads)
        new_params: dict[str, Array] = {}
        new_buffers: dict[str, Array] = {}
        with np.errstate(over="ignore", invalid="ignore"):
            for name, p in self.params.items():
                new_params[name], buf = self._direction_and_step(
                    p, checked[name], self.momentum_buffers.get(name)
                )
                if buf is not None:
                    new_buffers[name] = buf
        for name, p in self.params.items():  # a subclass's update may return a new array: copy it in
            if new_params[name] is not p:
                p[...] = new_params[name]
        self.momentum_buffers.update(new_buffers)

    def _direction_and_step(self, p: Array, grad: Array, buf: Array | None) -> tuple[Array, Array | None]:
        """torch's update lines for one parameter, in place: p and its buffer are overwritten, and the
        intermediate values live in two scratch arrays kept per parameter (allocated on the first step)."""
        s, t = self._scratch_for(p)
        g = signed_gradient(grad, self.maximize, out=s)
        if self.weight_decay != 0.0:
            g = apply_weight_decay(g, p, self.weight_decay, out=t if g is s else s)
        if self.momentum != 0.0:
            buf = update_momentum_buffer(
                buf, g, self.momentum, self.dampening, out=buf, scratch=t if g is s else s
            )
            g = momentum_direction(g, buf, self.momentum, self.nesterov, out=t if g is s else s)
        else:
            buf = None
        descent_step(p, g, self.lr, out=p, scratch=t if g is s else s)
        return p, buf

    def _scratch_for(self, p: Array) -> tuple[Array, Array]:
        pair = self._scratch.get(id(p))
        if pair is None or pair[0].shape != p.shape or pair[0].dtype != p.dtype:
            pair = self._scratch[id(p)] = (np.empty_like(p), np.empty_like(p))
        return pair

    def zero_state(self) -> None:
        """Forget the momentum buffers: the next step starts them again from its gradient."""
        self.momentum_buffers = {}

    def state_dict(self) -> dict[str, Any]:
        """{"hyperparameters": {...}, "momentum_buffer": {name: copy}}: everything a resumed run needs."""
        return {
            "hyperparameters": self.hyperparameters(),
            "momentum_buffer": {name: buf.copy() for name, buf in self.momentum_buffers.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore hyper-parameters and momentum buffers (copied), checking all of it before changing any."""
        if not isinstance(state, Mapping):
            raise TypeError(
                "state_dict: expected a mapping with keys 'hyperparameters' and 'momentum_buffer', got "
                f"{type(state).__name__}"
            )
        if set(state) != {"hyperparameters", "momentum_buffer"}:
            raise ValueError(
                "state_dict: expected a mapping with keys 'hyperparameters' and 'momentum_buffer', got "
                f"{sorted(state, key=str)}"
            )
        hyper_in = state["hyperparameters"]
        if not isinstance(hyper_in, Mapping):
            raise TypeError(
                f"state_dict['hyperparameters']: expected a mapping, got {type(hyper_in).__name__}"
            )
        if set(hyper_in) != set(HYPERPARAMETERS):
            raise ValueError(
                f"state_dict['hyperparameters']: expected the keys {sorted(HYPERPARAMETERS)}, got "
                f"{sorted(hyper_in, key=str)}"
            )
        hyper = checked_hyperparameters(*(hyper_in[name] for name in HYPERPARAMETERS))
        buffers = self._checked_buffers(state["momentum_buffer"])
        for name, value in hyper.items():
            setattr(self, name, value)
        self.momentum_buffers = buffers

    # --- validation -----------------------------------------------------------------------------------

    def _checked_grads(self, grads: Any) -> dict[str, Array]:
        return _checked_like_params("grads", grads, self.params, require_all=True)

    def _checked_buffers(self, buffers: Any) -> dict[str, Array]:
        checked = _checked_like_params(
            "state_dict['momentum_buffer']", buffers, self.params, require_all=False
        )
        return {name: value.copy() for name, value in checked.items()}

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())
        return f"SGD({len(self.params)} parameters, {settings})"


def _checked_params(params: Any) -> dict[str, Array]:
    if not isinstance(params, Mapping):
        raise TypeError(f"params: expected a dict of name to ndarray, got {type(params).__name__}")
    if not params:
        raise ValueError("params: expected at least one parameter, got an empty dict")
    for name, value in params.items():
        if not isinstance(name, str):
            raise TypeError(f"params: expected string keys, got {name!r}")
        if not isinstance(value, np.ndarray) or value.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"params[{name!r}]: expected a float32 or float64 ndarray (updated in place), "
                f"got {type(value).__name__} {getattr(value, 'dtype', '')}"
            )
        if not value.flags.writeable:
            raise ValueError(f"params[{name!r}]: expected a writeable array, it is read-only")
    return dict(params)


def _checked_like_params(
    what: str, values: Any, params: Mapping[str, Array], require_all: bool
) -> dict[str, Array]:
    """Each value an ndarray of its parameter's shape and dtype, finite; keys those of the parameters."""
    if not isinstance(values, Mapping):
        raise TypeError(f"{what}: expected a dict of name to ndarray, got {type(values).__name__}")
    keys, names = values.keys(), params.keys()
    if keys != names if require_all else not keys <= names:
        extra = sorted(set(values) - set(params))
        missing = sorted(set(params) - set(values)) if require_all else []
        raise ValueError(f"{what}: keys do not match the parameters: missing {missing}, unexpected {extra}")
    checked: dict[str, Array] = {}
    for name, value in values.items():
        target = params[name]
        if not isinstance(value, np.ndarray) or value.dtype != target.dtype or value.shape != target.shape:
            _refuse_unlike(f"{what}[{name!r}]", value, target)
        checked[name] = value
    check_all_finite(what, checked)
    return checked


def _refuse_unlike(label: str, value: Any, target: Array) -> NoReturn:
    """TypeError or ValueError for a value that is not an ndarray of its parameter's dtype and shape."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{label}: expected an ndarray, got {type(value).__name__}")
    if value.dtype != target.dtype:
        raise TypeError(f"{label}: expected dtype {target.dtype} like the parameter, got {value.dtype}")
    raise ValueError(f"{label}: expected shape {target.shape} like the parameter, got {value.shape}")
