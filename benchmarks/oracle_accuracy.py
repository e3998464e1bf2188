"""Print the worst |handmlp − torch| over the whole oracle matrix, relative to the largest element of the
same tensor and relative to the derived bound, per dtype: `python benchmarks/oracle_accuracy.py`."""

from __future__ import annotations

import numpy as np

from handmlp import get_loss
from reference.oracle.autograd import compare_with_autograd
from tests.matrix import ACTIVATIONS, DTYPES, LOSSES, SHAPES, make_case


def main() -> None:
    for dtype in DTYPES:
        u = np.finfo(dtype).eps / 2
        worst_rel, worst_ratio, worst_conditioned, where, n = 0.0, 0.0, 0.0, "", 0
        for activation in ACTIVATIONS:
            for loss in LOSSES:
                for index, (sizes, _, _) in enumerate(SHAPES):
                    if loss == "cross_entropy" and sizes[-1] == 1:
                        continue
                    net, x, y = make_case(activation, loss, index, dtype)
                    for r in compare_with_autograd(net, x, y, get_loss(loss, ("mean", "sum")[index % 2])):
                        n += 1
                        worst_ratio = max(worst_ratio, r.ratio)
                        if r.relative_to_max > worst_rel:
                            worst_rel, where = r.relative_to_max, f"{activation}/{loss}/{sizes}/{r.name}"
                        if r.max_abs_expected and r.bound <= 1e3 * u * r.max_abs_expected:
                            worst_conditioned = max(worst_conditioned, r.relative_to_max)
        print(
            f"{np.dtype(dtype).name}: {n} tensors; worst error/bound {worst_ratio:.3f}; worst |Δ|/max|torch| "
            f"{worst_rel:.2e} ({where}); over tensors not dominated by cancellation {worst_conditioned:.2e}"
        )


if __name__ == "__main__":
    main()
