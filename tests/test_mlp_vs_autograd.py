"""Every activation × every loss × float32 and float64 × every shape: handmlp against torch.autograd.

Output, loss value, every parameter gradient and the input gradient must each lie within the bound that
reference.oracle.bounds derives from the computation's rounding error.
"""

from __future__ import annotations

import numpy as np
import pytest

from handmlp import get_loss
from reference.oracle.autograd import assert_matches_autograd
from tests.matrix import ACTIVATIONS, LOSSES, SHAPE_IDS, SHAPES, make_case

# The accuracy targets: worst |handmlp − torch| over the largest element of the same tensor.
RELATIVE_TO_MAX = {np.float64: 1e-13, np.float32: 1e-5}
# A tensor whose largest element is itself the result of cancellation (its bound is far above the
# roundoff of that element) cannot meet a relative-to-max target; such tensors are held to their bound only.
CONDITIONED = 1e3


def _cases() -> list[object]:
    """(loss, shape) pairs, both reductions alternating over the shapes; no cross-entropy over one output."""
    return [
        pytest.param(loss, index, id=f"{loss}-{('mean', 'sum')[index % 2]}-{SHAPE_IDS[index]}")
        for loss in LOSSES
        for index, (sizes, _, _) in enumerate(SHAPES)
        if loss != "cross_entropy" or sizes[-1] > 1
    ]


@pytest.mark.parametrize(("loss", "index"), _cases())
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_forward_loss_and_all_gradients_match_autograd(
    activation: str, loss: str, index: int, dtype: type
) -> None:
    u = np.finfo(dtype).eps / 2
    reduction = ("mean", "sum")[index % 2]
    net, x, y = make_case(activation, loss, index, dtype)
    for r in assert_matches_autograd(net, x, y, get_loss(loss, reduction)):
        if r.max_abs_expected and r.bound <= CONDITIONED * u * r.max_abs_expected:
            assert r.relative_to_max <= RELATIVE_TO_MAX[dtype], r.message()
