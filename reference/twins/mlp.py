"""The torch twin of a handmlp network, and torch.autograd's answer for it (C4, C9, C10 in docs/equations.md).

`to_torch(net)` builds `torch.nn.Sequential(Linear, activation, Linear, activation, …)` whose state_dict is
a plain copy of `net.state_dict()`: same keys, same (out, in) shapes, same dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from handmlp.losses import Loss, get_loss
from handmlp.mlp import MLP
from reference.twins.activations import torch_activation
from reference.twins.losses import torch_loss

Array = NDArray[Any]


def to_torch(net: MLP) -> torch.nn.Sequential:
    """The torch twin of `net`, with identical weights and dtype."""
    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    modules: list[torch.nn.Module] = []
    for weight, bias, act in zip(net.weights, net.biases, net.activations):
        n_out, n_in = weight.shape
        modules.append(torch.nn.Linear(n_in, n_out, bias=bias is not None, dtype=dtype))
        modules.append(torch_activation(act).to(dtype))
    module = torch.nn.Sequential(*modules)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()}, strict=True)
    return module


def copy_to_handmlp(module: torch.nn.Module, net: MLP) -> None:
    """Copy a torch twin's parameters back into `net` (keys, shapes and dtypes are checked by handmlp)."""
    net.load_state_dict({k: v.detach().cpu().numpy() for k, v in module.state_dict().items()})


@dataclass(frozen=True)
class AutogradResult:
    """What torch computes for a network on (x, y): ŷ, L, ∂L/∂θ keyed like state_dict, and ∂L/∂x."""

    output: Array
    loss: float
    grads: dict[str, Array]
    grad_input: Array


def autograd_gradients(net: MLP, x: Array, y: Array, loss: str | Loss) -> AutogradResult:
    """Run net's torch twin on (x, y) and backpropagate the loss with torch.autograd."""
    loss_fn = get_loss(loss)
    module = to_torch(net)
    x_t = torch.from_numpy(np.array(x, dtype=net.dtype)).requires_grad_(True)
    y_t = torch.from_numpy(np.asarray(y))
    output = module(x_t)
    value = torch_loss(loss_fn)(output, y_t)
    torch.autograd.backward(value)
    grads = {
        name: p.grad.detach().numpy().copy() for name, p in module.named_parameters() if p.grad is not None
    }
    assert x_t.grad is not None
    return AutogradResult(
        output.detach().numpy().copy(), float(value.detach()), grads, x_t.grad.numpy().copy()
    )
