"""handmlp: the course equations for perceptrons and MLPs, written by hand in NumPy.

NumPy and the standard library only; the PyTorch side lives in the separate `reference` package.
"""

from typing import Any

from handmlp.activations import ACTIVATIONS, Activation, get_activation
from handmlp.batching import batch_schedule, iterations_per_epoch
from handmlp.chain import four_parameter_chain
from handmlp.datasets import Standardizer, train_test_split
from handmlp.gradcheck import (
    GradcheckResult,
    assert_elementwise,
    assert_gradient,
    check_elementwise,
    check_gradient,
)
from handmlp.idx import load_mnist, read_idx
from handmlp.losses import LOSSES, Loss, NotDifferentiableError, get_loss
from handmlp.metrics import accuracy
from handmlp.mlp import MLP
from handmlp.optim import SGD
from handmlp.perceptron import delta_rule, rosenblatt, threshold_neuron, threshold_neuron_step
from handmlp.serialize import ModelFileError, load, save
from handmlp.train import History, fit, train_step

__version__ = "0.1.0"


def check_network(impl: Any = None, **options: Any) -> Any:
    """Check an implementation (an adapter from `reference.conformance.adapters`, or anything following
    `reference.conformance.protocol.Implementation`; handmlp itself when None) against torch.autograd on
    the same weights, over a spread of shapes, batch sizes 1 and > 1, float64 and float32, under derived
    bounds. Returns the report: `.ok`, `.diagnosis` (the most upstream failing equation and layer) and
    `str(report)`. Needs torch (imported here, on the first call, never by `import handmlp`)."""
    from reference.conformance.network import check_network as check

    return check(impl, **options)


__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "SGD",
    "Activation",
    "GradcheckResult",
    "History",
    "Loss",
    "ModelFileError",
    "NotDifferentiableError",
    "Standardizer",
    "accuracy",
    "assert_elementwise",
    "assert_gradient",
    "batch_schedule",
    "check_elementwise",
    "check_gradient",
    "check_network",
    "delta_rule",
    "fit",
    "four_parameter_chain",
    "get_activation",
    "get_loss",
    "iterations_per_epoch",
    "load",
    "load_mnist",
    "read_idx",
    "rosenblatt",
    "save",
    "threshold_neuron",
    "threshold_neuron_step",
    "train_step",
    "train_test_split",
]
