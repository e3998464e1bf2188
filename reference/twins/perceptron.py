"""Independent torch formulations of the single-unit rules of `handmlp.perceptron` (C1, C2/C6/C7, C11).

Each is written as torch would train it, by autograd and torch.optim.SGD on a loss, rather than as the
update line handmlp writes out:
- C1 is SGD with step 1 on the perceptron criterion max(0, −y⟨w, x⟩), plus the course's tie rule: with
  sign(0) = +1, ⟨w, x⟩ = 0 is a mistake when y = −1, where the criterion's subgradient (torch's relu′(0) = 0)
  is 0 and would not update. `tie_rule=False` gives the plain subgradient method, which differs there.
- C2/C6/C7 is SGD with step η on ½(y − ⟨w, x⟩)², one sample at a time.
- C11 is SGD with step μ on ½(y − σ(⟨w, x̃⟩))² with x̃ = (−1, x1, …, xn), the threshold w0 first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray

Array = NDArray[Any]


@dataclass
class TorchPerceptron:
    """Weights (bias last when learned) and mistakes per epoch of the torch formulation of C1."""

    weights: Array
    mistakes: list[int] = field(default_factory=list)


def torch_rosenblatt(
    X: Array, y: Array, epochs: int, bias: bool = False, tie_rule: bool = True
) -> TorchPerceptron:
    """C1 as SGD (lr = 1) on max(0, −y⟨w, x⟩) from w = 0, until an epoch makes no update or `epochs`."""
    inputs = torch.from_numpy(np.asarray(X, dtype=np.float64))
    if bias:
        inputs = torch.cat([inputs, torch.ones(len(inputs), 1, dtype=torch.float64)], dim=1)
    labels = torch.from_numpy(np.asarray(y, dtype=np.float64))
    w = torch.zeros(inputs.shape[1], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=1.0)
    result = TorchPerceptron(weights=np.zeros(0))
    for _ in range(epochs):
        updates = 0
        for x_n, y_n in zip(inputs, labels):
            optimizer.zero_grad(set_to_none=False)
            activation = w @ x_n
            criterion = F.relu(-y_n * activation)
            torch.autograd.backward(criterion)
            assert w.grad is not None
            tie = tie_rule and activation.item() == 0.0 and y_n.item() == -1.0
            if tie:
                w.grad.copy_(-y_n * x_n)  # sign(0) = +1 ≠ y: a mistake, where relu′(0) = 0 says none
            updates += criterion.item() > 0.0 or tie
            optimizer.step()
        result.mistakes.append(updates)
        if updates == 0:
            break
    result.weights = w.detach().numpy().copy()
    return result


def torch_delta_rule(X: Array, y: Array, eta: float, epochs: int, w0: Array) -> list[Array]:
    """C2/C6/C7 as SGD (lr = η) on ½(y − ⟨w, x⟩)² sample by sample; the weights after every step."""
    inputs = torch.from_numpy(np.asarray(X, dtype=np.float64))
    targets = torch.from_numpy(np.asarray(y, dtype=np.float64))
    w = torch.tensor(np.asarray(w0, dtype=np.float64), requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=eta)
    trajectory = []
    for _ in range(epochs):
        for x_n, y_n in zip(inputs, targets):
            optimizer.zero_grad()
            torch.autograd.backward(0.5 * (y_n - w @ x_n) ** 2)
            optimizer.step()
            trajectory.append(w.detach().numpy().copy())
    return trajectory


def torch_threshold_step(weights: Array, x: Array, y: float, mu: float) -> Array:
    """C11: one SGD step (lr = μ) on ½(y − σ(w1·x1 + … − w0))², weights = (w0, w1, …), by autograd."""
    w = torch.tensor(np.asarray(weights, dtype=np.float64), requires_grad=True)
    inputs = torch.from_numpy(np.concatenate([[-1.0], np.asarray(x, dtype=np.float64)]))
    optimizer = torch.optim.SGD([w], lr=mu)
    torch.autograd.backward(0.5 * (y - torch.sigmoid(w @ inputs)) ** 2)
    optimizer.step()
    return w.detach().numpy().copy()
