"""What an implementation under test must offer to be checked, and what it may offer for deeper checks.

Required (`Implementation`): say which networks and losses it can express (`supports`), take weights from a
torch-layout state_dict (`load`: keys "0.weight" (out, in), "0.bias" (out,), "2.weight", …, as
`torch.nn.Sequential(Linear, act, Linear, act, …)`), run `forward(x)` on a (batch, n_in) batch, and return
the parameter gradients of a named loss with an explicit reduction at (x, y), keyed like the state_dict.
An optional `tensor_name(key)` names a state_dict key in the implementation's own layout, for the messages.

Optional, each its own small protocol, found with `capabilities(impl)`:
- `HasActivations`: `activation_functions(name) -> (g, g′) | None`, checked elementwise (C3, C10);
- `HasLoss`: `loss_gradient` of ŷ, y, and `loss_value` when it has one (C5);
- `HasInputGradient`: `input_gradient(x, y, loss)`, ∂L/∂x of shape (batch, n_in) (C10);
- `HasSGDStep`: `sgd_step(x, y, loss, lr)` then `state_dict()` in torch's layout (C8).
handmlp itself is the default implementation (`reference.conformance.default.HandmlpImplementation`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
Elementwise = Callable[[Array], Array]

__all__ = [
    "Architecture",
    "HasActivations",
    "HasInputGradient",
    "HasLoss",
    "HasSGDStep",
    "Implementation",
    "LayoutError",
    "LossSpec",
    "NotApplicableError",
    "capabilities",
    "tensor_name",
]


class NotApplicableError(Exception):
    """The implementation cannot express what a check needs: reported as "not applicable", never as passed."""


class LayoutError(ValueError):
    """A tensor arrived in another layout than the adapter's (transposed, a column bias passed flat, …)."""


@dataclass(frozen=True)
class Architecture:
    """A fully connected network: widths [n_in, …, n_out], one activation and one bias flag per layer."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    bias: tuple[bool, ...]
    dtype: str = "float64"

    @classmethod
    def uniform(cls, sizes: Any, hidden: str, output: str, dtype: Any = "float64") -> Architecture:
        """Every hidden layer with `hidden`, the last with `output`, biases everywhere."""
        n = len(sizes) - 1
        acts = (hidden,) * (n - 1) + (output,)
        return cls(tuple(int(s) for s in sizes), acts, (True,) * n, np.dtype(dtype).name)

    @property
    def n_layers(self) -> int:
        """Number of Linear layers."""
        return len(self.sizes) - 1

    def state_keys(self) -> list[str]:
        """The state_dict keys of this network, in order."""
        keys = []
        for layer, has_bias in enumerate(self.bias):
            keys.append(f"{2 * layer}.weight")
            if has_bias:
                keys.append(f"{2 * layer}.bias")
        return keys

    def describe(self) -> str:
        """`3-4-2 sigmoid/identity float64`."""
        acts = "/".join(dict.fromkeys(self.activations))
        return f"{'-'.join(map(str, self.sizes))} {acts} {self.dtype}"


@dataclass(frozen=True)
class LossSpec:
    """A loss by its handmlp name (half_squared_error, cross_entropy, …) and an explicit reduction."""

    name: str
    reduction: str

    def __str__(self) -> str:
        return f"{self.name} ({self.reduction})"


@runtime_checkable
class Implementation(Protocol):
    """The required part: build from a state_dict, forward, parameter gradients of a named loss."""

    name: str
    hidden: str  # the activation of its hidden layers, by handmlp name
    output: str  # the activation of its output layer
    loss: LossSpec  # the loss its gradients are of

    def supports(self, arch: Architecture, loss: LossSpec) -> str | None:
        """None when it can build `arch` and differentiate `loss`; otherwise the reason it cannot."""
        ...

    def load(self, arch: Architecture, state: Mapping[str, Array]) -> None:
        """Build the network `arch` with the weights of a torch-layout state_dict."""
        ...

    def forward(self, x: Array) -> Array:
        """ŷ for a batch x of shape (batch, n_in), shaped (batch, n_out)."""
        ...

    def gradients(self, x: Array, y: Array, loss: LossSpec) -> dict[str, Array]:
        """∂L/∂θ at (x, y), keyed and shaped like the state_dict."""
        ...


def tensor_name(impl: Any, key: str) -> str:
    """The implementation's own name for a state_dict key ("weights[0]", "W1", …) when it offers
    `tensor_name(key)`, else the key itself."""
    name = getattr(impl, "tensor_name", None)
    return str(name(key)) if callable(name) else key


@runtime_checkable
class HasActivations(Protocol):
    """Exposes its activation functions and their derivatives, for an elementwise check."""

    def activation_functions(self, name: str) -> tuple[Elementwise, Elementwise] | None:
        """(g, g′) of the activation `name`, or None when it has none by that name."""
        ...


@runtime_checkable
class HasLoss(Protocol):
    """Exposes its loss gradient ∂L/∂ŷ (and, when it has one, `loss_value(y_hat, y, loss)`)."""

    def loss_gradient(self, y_hat: Array, y: Array, loss: LossSpec) -> Array:
        """∂L/∂ŷ, shaped like ŷ."""
        ...


@runtime_checkable
class HasInputGradient(Protocol):
    """Exposes ∂L/∂x."""

    def input_gradient(self, x: Array, y: Array, loss: LossSpec) -> Array:
        """∂L/∂x at (x, y), shaped like x."""
        ...


@runtime_checkable
class HasSGDStep(Protocol):
    """Takes a plain SGD step θ ← θ − η·∂L/∂θ and hands its weights back."""

    def sgd_step(self, x: Array, y: Array, loss: LossSpec, lr: float) -> None:
        """One step on the batch (x, y)."""
        ...

    def state_dict(self) -> dict[str, Array]:
        """The current weights in torch's layout."""
        ...


CAPABILITY_PROTOCOLS: dict[str, type] = {
    "activations": HasActivations,
    "loss": HasLoss,
    "input_gradient": HasInputGradient,
    "sgd_step": HasSGDStep,
}


def capabilities(impl: Any) -> frozenset[str]:
    """What `impl` offers: "forward" and "gradients" (required), and each optional capability it has."""
    if not isinstance(impl, Implementation):
        missing = [
            n
            for n in ("name", "hidden", "output", "loss", "supports", "load", "forward", "gradients")
            if not hasattr(impl, n)
        ]
        raise TypeError(
            f"implementation: {type(impl).__name__} lacks {missing} of the Implementation protocol "
            "(reference.conformance.protocol); wrap your network in an adapter"
        )
    found = {"forward", "gradients"}
    found |= {name for name, proto in CAPABILITY_PROTOCOLS.items() if isinstance(impl, proto)}
    found |= set(getattr(impl, "extra_capabilities", ()))
    return frozenset(found - set(getattr(impl, "lacks", ())))
