"""Print how closely handmlp's SGD follows torch.optim.SGD: `python benchmarks/sgd_accuracy.py`.

- one step, from the same parameters, buffers and gradients, over every combination of momentum,
  dampening, Nesterov, weight decay and maximize, first and later steps, float32 and float64, 20 seeds: the
  worst error in units of roundoff of the summed magnitudes the step combines (|p| + η·Σ|terms of the
  direction|, see reference.optim.StepBound) and the worst error/bound;
- 1,000-step training runs in lockstep (tests/sgd_cases.py: the configurations the tests run and one more,
  in both dtypes): the worst error/bound over every step, parameter and buffer, and the final
  max|Δ|/max|torch| per parameter.
"""

from __future__ import annotations

import time

import numpy as np

from handmlp.optim import SGD
from reference.twins.optim import compare_one_step
from tests.sgd_cases import EXTRA_RUNS, RUNS, SETTINGS, SHAPES


def _arrays(dtype: type, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {name: rng.normal(size=shape).astype(dtype) for name, shape in SHAPES.items()}


def one_step() -> None:
    for dtype in (np.float32, np.float64):
        worst_units, worst_ratio, where, n = 0.0, 0.0, "", 0
        for seed in range(20):
            rng = np.random.default_rng(seed)
            for hyper in SETTINGS:
                for later in (False, True):
                    params, grads, bufs = _arrays(dtype, rng), _arrays(dtype, rng), _arrays(dtype, rng)
                    result = compare_one_step(
                        SGD, params, grads, bufs if later and hyper["momentum"] else {}, hyper
                    )
                    n += 1
                    worst_ratio = max(worst_ratio, result.ratio)
                    if result.roundoff_units > worst_units:
                        worst_units, where = (
                            result.roundoff_units,
                            f"{hyper}, {'later' if later else 'first'} step",
                        )
        print(
            f"one step, {np.dtype(dtype).name}: {n} steps; worst error {worst_units:.2f} units of roundoff "
            f"({where}); worst error/bound {worst_ratio:.3f}"
        )


def trajectories() -> None:
    for run in RUNS + EXTRA_RUNS:
        start = time.perf_counter()
        report = run.run(steps=1000)
        print(
            f"1,000 steps, {np.dtype(run.dtype).name}, {run.name}: {report.steps} steps; worst error/bound "
            f"{report.worst_ratio:.3f} ({report.worst_at}); "
            f"final max|Δ|/max|torch| {report.final_relative:.2e} "
            f"[{time.perf_counter() - start:.1f} s]"
        )


if __name__ == "__main__":
    one_step()
    trajectories()
