"""handmlp: the course equations for perceptrons and MLPs, written by hand in NumPy.

NumPy and the standard library only; the PyTorch side lives in the separate `reference` package.
"""

from handmlp.activations import ACTIVATIONS, Activation, get_activation
from handmlp.losses import LOSSES, Loss, NotDifferentiableError, get_loss
from handmlp.mlp import MLP

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "Activation",
    "Loss",
    "NotDifferentiableError",
    "get_activation",
    "get_loss",
]
