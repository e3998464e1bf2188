"""handmlp.gradcheck against torch.autograd.gradcheck on the same elementwise functions, timed in one run.

`python benchmarks/bench_gradcheck.py` — a benchmark, never a test: the numbers depend on the machine.
`--quick` skips the one direct run of torch's slow mode on 10⁴ elements (about a minute) and relies on the
extrapolation alone.

Every checker gets float64 inputs x = linspace(−3, 3, n). Ours checks every element (check_elementwise: f at
x and at x ± h on two rungs, 5 calls of f on n elements, then the derivative once; the elements where the
error is still large, x³ near 0, go down the rest of the step ladder alone). torch's slow mode builds the full
n×n numerical and analytical Jacobians; its fast mode compares one random projection of them. torch's slow
mode on 10⁴ elements takes most of a minute per function, so it is timed at n = 1000 and 2000 and
extrapolated to 10⁴ with the power law t ∝ n^p fitted through those two points. Fixed per-call overheads
still weigh at n ≤ 2000, so the fitted p comes out below the asymptotic 2 (n perturbations × n outputs) and
the extrapolation underestimates torch: the slow-mode ratios printed are lower bounds. One direct run at 10⁴
(sin) shows by how much. Single-threaded torch; every checker runs once before anything is timed, and every
time is the best of several rounds, ours and torch's fast mode taking turns.

Memory: once a process has freed a large array (the warm-up's torch slow mode frees 8 MB Jacobians; any
training run or test suite does the like), glibc keeps freed memory for reuse, and every checker is timed in
that state. Before that, glibc hands memory back to the system after each call, and every call of our check
pays page faults on fresh memory (200–380 at 10⁴ elements, 0.5–1.5 ms here; torch's fast mode, which keeps a
few vectors, pays none): `--cold` times our check in that state, in a fresh interpreter without torch.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

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


def best_of_each(fns: dict[str, Callable[[], object]], repeat: int = 9, number: int = 10) -> dict[str, float]:
    """`best_of` for several functions with their rounds interleaved, so that all meet the same machine (its
    speed drifts by ±20% over seconds here)."""
    best = dict.fromkeys(fns, math.inf)
    for _ in range(repeat):
        for key, fn in fns.items():
            best[key] = min(best[key], best_of(fn, repeat=1, number=number))
    return best


def once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# name: (NumPy f, NumPy f′, the name of torch's f in TORCH_FUNCTIONS)
FUNCTIONS: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]] = {
    "sin": (np.sin, np.cos),
    "exp": (np.exp, np.exp),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * _sigmoid(-z)),
    # x³ as a product on both sides: NumPy's z**3 calls libm's pow (~16 ns per element, 5 evaluations per
    # check) where torch's t**3 multiplies, which would time NumPy's pow rather than the checkers.
    "cube": (lambda z: z * z * z, lambda z: 3.0 * z * z),
}
N = 10_000
SLOW_SIZES = (1000, 2000)
X = np.linspace(-3, 3, N)


def torch_functions() -> dict[str, Callable[..., Any]]:
    """torch's twin of every function in FUNCTIONS (imported here: `--cold` must run without torch)."""
    import torch

    torch.set_num_threads(1)
    return {
        "sin": torch.sin,
        "exp": torch.exp,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "cube": lambda t: t * t * t,
    }


def torch_gradcheck(fn: Callable[..., Any], n: int, fast_mode: bool) -> Callable[[], object]:
    import torch

    xt = torch.linspace(-3, 3, n, dtype=torch.float64).requires_grad_(True)
    return lambda: torch.autograd.gradcheck(fn, (xt,), fast_mode=fast_mode)


def ours(name: str, method: str = "central") -> Callable[[], object]:
    f, df = FUNCTIONS[name]
    assert check_elementwise(f, df, X, method).passed
    return lambda: check_elementwise(f, df, X, method)


def main(quick: bool = False) -> None:
    start = time.perf_counter()
    torch_fns = torch_functions()
    # Warm-up: every checker once, so that all are timed in one steady state of the allocator (torch's slow
    # mode frees 8 MB Jacobians, after which glibc keeps freed memory: see the module's docstring).
    ours("sin")()
    torch_gradcheck(torch_fns["sin"], N, fast_mode=True)()
    torch_gradcheck(torch_fns["sin"], SLOW_SIZES[0], fast_mode=False)()
    print(f"gradcheck on {N} float64 elements; times in ms; ratio = torch time / ours (central)")
    head = (
        f"{'function':>9} {'central':>8} {'richard.':>8} {'complex':>8} {'torch fast':>10} "
        f"{'torch slow*':>11} {'slow p':>6} {'vs fast':>8} {'vs slow':>8}"
    )
    print(head)
    ratios_fast, ratios_slow = [], []
    for name in FUNCTIONS:
        checks = {m: ours(name, m) for m in ("central", "richardson", "complex")}
        times = best_of_each({**checks, "torch fast": torch_gradcheck(torch_fns[name], N, fast_mode=True)})
        fast = times["torch fast"]
        t1, t2 = (
            best_of(torch_gradcheck(torch_fns[name], n, fast_mode=False), repeat=2, number=1)
            for n in SLOW_SIZES
        )
        p = math.log(t2 / t1) / math.log(SLOW_SIZES[1] / SLOW_SIZES[0])
        slow = t2 * (N / SLOW_SIZES[1]) ** p
        ratios_fast.append(fast / times["central"])
        ratios_slow.append(slow / times["central"])
        print(
            f"{name:>9} {1e3 * times['central']:8.2f} {1e3 * times['richardson']:8.2f} "
            f"{1e3 * times['complex']:8.2f} "
            f"{1e3 * fast:10.2f} {1e3 * slow:11.0f} {p:6.2f} {ratios_fast[-1]:7.1f}x {ratios_slow[-1]:7.0f}x"
        )
    print(
        f"* torch slow mode extrapolated from n = {SLOW_SIZES[0]} and {SLOW_SIZES[1]} with t ∝ n^p. "
        f"Geometric-mean ratios: {_gmean(ratios_fast):.1f}x vs torch fast mode (which checks one random "
        f"projection), {_gmean(ratios_slow):.0f}x vs torch slow mode (targets: > 1x and ≥ 100x)."
    )
    if not quick:
        direct = once(torch_gradcheck(torch_fns["sin"], N, fast_mode=False))
        ours_sin = best_of(ours("sin"))
        print(
            f"direct check: torch slow mode on sin, {N} elements, once: {direct:.1f} s "
            f"= {direct / ours_sin:.0f}x our central check"
        )
    print(f"benchmark ran in {time.perf_counter() - start:.0f} s")


def cold() -> None:
    """Our central check in this process, which has not imported torch nor freed a large array."""
    import resource

    print("in a fresh interpreter without torch (times in ms, page faults per call):")
    for name in FUNCTIONS:
        check = ours(name)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        check()
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        print(f"{name:>9} {1e3 * best_of(check):8.2f} {faults:6d}")


def _gmean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


if __name__ == "__main__":
    if "--cold" in sys.argv[1:]:
        cold()
    else:
        main(quick="--quick" in sys.argv[1:])
