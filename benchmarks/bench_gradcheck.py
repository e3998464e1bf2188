"""handmlp.gradcheck against torch.autograd.gradcheck on the same elementwise functions, timed in one run.

`python benchmarks/bench_gradcheck.py` — a benchmark, never a test: the numbers depend on the machine.
`--quick` skips the one direct run of torch's slow mode on 10⁴ elements (about a minute) and relies on the
extrapolation alone.

Every checker gets float64 inputs x = linspace(−3, 3, n). Ours checks every element (check_elementwise: one
call of f on x, one on a stack of perturbed copies, one of the derivative). torch's slow mode builds the full
n×n numerical and analytical Jacobians; its fast mode compares one random projection of them. torch's slow
mode on 10⁴ elements takes most of a minute per function, so it is timed at n = 1000 and 2000 and
extrapolated to 10⁴ with the power law t ∝ n^p fitted through those two points. Fixed per-call overheads
still weigh at n ≤ 2000, so the fitted p comes out below the asymptotic 2 (n perturbations × n outputs) and
the extrapolation underestimates torch: the slow-mode ratios printed are lower bounds. One direct run at 10⁴
(sin) shows by how much. Single-threaded torch; every time is the best of several rounds.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

from handmlp.gradcheck import check_elementwise


def best_of(fn: Callable[[], object], repeat: int = 7, number: int = 10) -> float:
    """The fastest mean time of `number` calls, over `repeat` rounds (the least disturbed measurement)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# name: (NumPy f, NumPy f′, torch f)
FUNCTIONS: dict[
    str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray], Callable[..., torch.Tensor]]
] = {
    "sin": (np.sin, np.cos, torch.sin),
    "exp": (np.exp, np.exp, torch.exp),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, torch.tanh),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * _sigmoid(-z), torch.sigmoid),
    "cube": (lambda z: z**3, lambda z: 3.0 * z**2, lambda t: t**3),
}
N = 10_000
SLOW_SIZES = (1000, 2000)


def torch_gradcheck(fn: Callable[..., torch.Tensor], n: int, fast_mode: bool) -> Callable[[], object]:
    xt = torch.linspace(-3, 3, n, dtype=torch.float64).requires_grad_(True)
    return lambda: torch.autograd.gradcheck(fn, (xt,), fast_mode=fast_mode)


def main(quick: bool = False) -> None:
    torch.set_num_threads(1)
    start = time.perf_counter()
    x = np.linspace(-3, 3, N)
    print(f"gradcheck on {N} float64 elements; times in ms; ratio = torch time / ours (central)")
    head = (
        f"{'function':>9} {'central':>8} {'richard.':>8} {'complex':>8} {'torch fast':>10} "
        f"{'torch slow*':>11} {'slow p':>6} {'vs fast':>8} {'vs slow':>8}"
    )
    print(head)
    ratios_fast, ratios_slow = [], []
    for name, (f, df, tf) in FUNCTIONS.items():
        ours = {
            m: best_of(lambda m=m, f=f, df=df: check_elementwise(f, df, x, m))
            for m in ("central", "richardson", "complex")
        }
        assert all(check_elementwise(f, df, x, m).passed for m in ours)
        fast = best_of(torch_gradcheck(tf, N, fast_mode=True))
        t1, t2 = (best_of(torch_gradcheck(tf, n, fast_mode=False), repeat=2, number=1) for n in SLOW_SIZES)
        p = math.log(t2 / t1) / math.log(SLOW_SIZES[1] / SLOW_SIZES[0])
        slow = t2 * (N / SLOW_SIZES[1]) ** p
        ratios_fast.append(fast / ours["central"])
        ratios_slow.append(slow / ours["central"])
        print(
            f"{name:>9} {1e3 * ours['central']:8.2f} {1e3 * ours['richardson']:8.2f} "
            f"{1e3 * ours['complex']:8.2f} "
            f"{1e3 * fast:10.2f} {1e3 * slow:11.0f} {p:6.2f} {ratios_fast[-1]:7.1f}x {ratios_slow[-1]:7.0f}x"
        )
    print(
        f"* torch slow mode extrapolated from n = {SLOW_SIZES[0]} and {SLOW_SIZES[1]} with t ∝ n^p. "
        f"Geometric-mean ratios: {_gmean(ratios_fast):.1f}x vs torch fast mode (which checks one random "
        f"projection), {_gmean(ratios_slow):.0f}x vs torch slow mode (targets: > 1x and ≥ 100x)."
    )
    if not quick:
        f, df, tf = FUNCTIONS["sin"]
        direct = once(torch_gradcheck(tf, N, fast_mode=False))
        ours_sin = best_of(lambda: check_elementwise(f, df, x))
        print(
            f"direct check: torch slow mode on sin, {N} elements, once: {direct:.1f} s "
            f"= {direct / ours_sin:.0f}x our central check"
        )
    print(f"benchmark ran in {time.perf_counter() - start:.0f} s")


def _gmean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
