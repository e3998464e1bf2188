"""handmlp itself as an implementation under test: the default of `check_network`, `handmlp verify` and the
catalog (`handmlp check reference.conformance.default:HandmlpImplementation` checks it like any other)."""

from __future__ import annotations

from collections.abc import Mapping

from handmlp.activations import ACTIVATIONS, get_activation
from handmlp.losses import LOSSES, get_loss
from handmlp.mlp import MLP
from handmlp.optim import SGD
from reference.conformance.adapters import Fixed
from reference.conformance.protocol import Architecture, Array, Elementwise, LossSpec

__all__ = ["HandmlpImplementation"]


class HandmlpImplementation(Fixed):
    """handmlp.MLP as an implementation under test: any activation, loss and bias pattern it registers."""

    extra_capabilities = ("handmlp",)

    def __init__(
        self,
        hidden: str = "sigmoid",
        output: str | None = "identity",
        loss: str = "half_squared_error",
        reduction: str = "mean",
    ) -> None:
        super().__init__("handmlp", hidden, output, loss, reduction)
        self.net: MLP | None = None

    def supports(self, arch: Architecture, loss: LossSpec) -> str | None:
        """handmlp builds any network of registered activations and differentiates every loss but zero_one."""
        unknown = [a for a in arch.activations if a not in ACTIVATIONS]
        if unknown or loss.name not in LOSSES or loss.name == "zero_one":
            return f"handmlp has no {unknown or loss.name}"
        return None

    def load(self, arch: Architecture, state: Mapping[str, Array]) -> None:
        """An MLP of `arch` with the state_dict's weights (activation parameters included)."""
        self.arch = arch
        self.net = MLP(list(arch.sizes), list(arch.activations), bias=list(arch.bias), dtype=arch.dtype)
        self.net.load_state_dict(state)

    def _net(self) -> MLP:
        assert self.net is not None, "load() first"
        return self.net

    def forward(self, x: Array) -> Array:
        """MLP.forward."""
        return self._net().forward(x)

    def gradients(self, x: Array, y: Array, loss: LossSpec) -> dict[str, Array]:
        """MLP.loss_and_gradients under the named loss and reduction."""
        return self._net().loss_and_gradients(x, y, get_loss(loss.name, loss.reduction))[1]

    def input_gradient(self, x: Array, y: Array, loss: LossSpec) -> Array:
        """MLP.grad_input after a forward and backward pass."""
        self.gradients(x, y, loss)
        grad = self._net().grad_input
        assert grad is not None
        return grad

    def activation_functions(self, name: str) -> tuple[Elementwise, Elementwise]:
        """handmlp's registered activation and its derivative."""
        act = get_activation(name)
        return act.forward, act.derivative

    def loss_value(self, y_hat: Array, y: Array, loss: LossSpec) -> float:
        """Loss.value."""
        return get_loss(loss.name, loss.reduction).value(y_hat, y)

    def loss_gradient(self, y_hat: Array, y: Array, loss: LossSpec) -> Array:
        """Loss.gradient."""
        return get_loss(loss.name, loss.reduction).gradient(y_hat, y)

    def sgd_step(self, x: Array, y: Array, loss: LossSpec, lr: float) -> None:
        """handmlp.SGD's plain step on the gradients at (x, y)."""
        grads = self.gradients(x, y, loss)
        SGD(self._net().parameters(), lr=lr).step(grads)

    def state_dict(self) -> dict[str, Array]:
        """MLP.state_dict."""
        return self._net().state_dict()

    def tensor_name(self, key: str) -> str:
        """handmlp uses torch's own keys."""
        return key
