"""torch's value and derivative of an activation or a loss at given inputs, by autograd: the numbers the
comparison tests hold handmlp to and the planted-bug tests show a bug departing from. A fixture module,
not a test module (it needs torch, so every test module importing it carries the `torch` marker)."""

from __future__ import annotations

import numpy as np
import torch

from handmlp import Activation, get_activation
from reference.twins.activations import torch_activation
from reference.twins.losses import torch_loss
from tests.matrix import ACTIVATIONS


def activation_value_and_derivative(act: str | Activation, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch's g(z) and g′(z), elementwise, for an activation (a built one, or a name of the test matrix
    with the matrix's settings)."""
    if isinstance(act, str):
        act = get_activation(act, **ACTIVATIONS[act])
        act.build(z.size, z.dtype)
    module = torch_activation(act).to(torch.float64 if z.dtype == np.float64 else torch.float32)
    zt = torch.from_numpy(z.copy()).requires_grad_(True)
    out = module(zt)
    out.sum().backward()
    assert zt.grad is not None
    return out.detach().numpy(), zt.grad.numpy()


def loss_value_and_gradient(
    loss: str, reduction: str, y_hat: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray]:
    """torch's L(ŷ, y) and ∂L/∂ŷ for the loss `loss` under `reduction`."""
    t = torch.from_numpy(y_hat.copy()).requires_grad_(True)
    value = torch_loss(loss, reduction)(t, torch.from_numpy(np.asarray(y)))
    value.backward()
    assert t.grad is not None
    return float(value.detach()), t.grad.numpy()
