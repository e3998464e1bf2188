"""One SGD training step — forward, ½Σ(ŷ − y)² gradient, backward, update; sigmoid layers — timed in one
run for handmlp (`handmlp.train.train_step`, argument checks included), a plain 15-line NumPy step with no
checks, and torch with its default threads; with GFLOP/s and NumPy's own GEMM rate (the same matrix
products alone) as the limit, and the peak memory of a step (tracemalloc).

    python benchmarks/bench_train.py [--rounds N] [--rows K] [--threads T] [--keep-openblas-env]

A benchmark, never a test: the numbers depend on the machine and its load. The implementations take
turns round by round; each time is the median over the rounds and each ratio the median of the rounds'
own ratios, so a busy neighbour's burst spoils a round, not the table. `--threads 1` holds NumPy's BLAS
(through threadpoolctl) and torch to one thread each: on a machine shared with other jobs, a two-thread
GEMM waits for whichever thread was descheduled, and the default threads measure the neighbours more than
the code. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set in the environment, can force a slower GEMM
kernel on NumPy's OpenBLAS; this script unsets them in its own process (before NumPy loads) only when
threadpoolctl is there to report the kernel actually used, and prints it.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ROWS = (
    ([2, 2, 1], 4),
    ([64, 32, 10], 32),
    ([784, 128, 10], 64),
    ([784, 512, 512, 10], 256),
    ([784, 1024, 1024, 10], 1024),
)


def _prepare_environment(keep: bool) -> str:
    """Unset the OpenBLAS overrides before NumPy loads, if threadpoolctl can show the kernel; say what."""
    found = {name: os.environ[name] for name in OPENBLAS_VARS if name in os.environ}
    if not found:
        return "no OpenBLAS override in the environment"
    if keep or importlib.util.find_spec("threadpoolctl") is None:
        return f"kept {found} (" + ("--keep-openblas-env" if keep else "threadpoolctl missing") + ")"
    for name in found:
        del os.environ[name]
    return f"unset {found} in this process only"


def _blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS kernel unknown (pip install threadpoolctl to see it)"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, "
        f"{i.get('num_threads')} threads"
        for i in blas
    )


def numpy_step(Ws: list[Any], bs: list[Any], x: Any, y: Any, lr: float) -> None:
    """The plain step: sigmoid layers, ½Σ(ŷ − y)², backpropagation, SGD; no checks."""
    import numpy as np

    acts = [x]
    for W, b in zip(Ws, bs):
        acts.append(1.0 / (1.0 + np.exp(-(acts[-1] @ W.T + b))))
    delta = (acts[-1] - y) * acts[-1] * (1.0 - acts[-1])
    for layer in reversed(range(len(Ws))):
        grad_W, grad_b = delta.T @ acts[layer], delta.sum(axis=0)
        if layer:
            delta = (delta @ Ws[layer]) * acts[layer] * (1.0 - acts[layer])
        Ws[layer] -= lr * grad_W
        bs[layer] -= lr * grad_b


def flops_per_step(sizes: list[int], batch: int) -> int:
    """Matrix products of a step: forward, weight gradients, input gradients of every layer but the first."""
    pairs = list(itertools.pairwise(sizes))
    return 2 * batch * (2 * sum(i * o for i, o in pairs) + sum(i * o for i, o in pairs[1:]))


def _gemm_only(Ws: list[Any], x: Any, scratch: dict[str, Any]) -> None:
    """The same matrix products into preallocated arrays: what NumPy's BLAS can do at best."""
    import numpy as np

    acts = [x]
    for layer, W in enumerate(Ws):
        acts.append(np.matmul(acts[-1], W.T, out=scratch[f"z{layer}"]))
    for layer in reversed(range(len(Ws))):
        delta = scratch[f"z{layer}"]
        np.matmul(delta.T, acts[layer], out=scratch[f"g{layer}"])
        if layer:
            np.matmul(delta, Ws[layer], out=scratch[f"z{layer - 1}"])


def _time(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def _peak(fn: Callable[[], object]) -> int:
    fn()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def bench_row(sizes: list[int], batch: int, dtype: Any, rounds: int) -> dict[str, float]:
    import numpy as np
    import torch

    from handmlp import MLP, SGD, get_loss
    from handmlp.train import train_step
    from reference.twins.mlp import to_torch

    lr = 1e-3
    net = MLP(sizes, "sigmoid", dtype=dtype, seed=0)
    opt, loss = SGD(net.parameters(), lr=lr), get_loss("half_squared_error", reduction="sum")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, sizes[0])).astype(dtype)
    y = rng.uniform(size=(batch, sizes[-1])).astype(dtype)
    Ws, bs = [w.copy() for w in net.weights], [b.copy() for b in net.biases if b is not None]
    twin = to_torch(net)
    torch_opt = torch.optim.SGD(twin.parameters(), lr=lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def torch_step() -> None:
        torch_opt.zero_grad(set_to_none=True)
        (0.5 * ((twin(xt) - yt) ** 2).sum()).backward()
        torch_opt.step()

    scratch = {f"z{i}": np.empty((batch, n), dtype) for i, n in enumerate(sizes[1:])}
    scratch.update({f"g{i}": np.empty_like(w) for i, w in enumerate(Ws)})
    steps: dict[str, Callable[[], object]] = {
        "handmlp": lambda: train_step(net, loss, opt, x, y),
        "numpy": lambda: numpy_step(Ws, bs, x, y, lr),
        "torch": torch_step,
        "gemm": lambda: _gemm_only(Ws, x, scratch),
    }
    single = {name: _time(fn, 1) for name, fn in steps.items()}  # warm-up, and a size for the repeats
    repeat = {name: max(1, int(0.02 / max(t, 1e-7))) for name, t in single.items()}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, fn in steps.items():
            times[name].append(_time(fn, repeat[name]))
    result = {name: statistics.median(ts) for name, ts in times.items()}
    for other in ("numpy", "torch"):  # each round's own ratio: a neighbour's burst spoils one round, not all
        result[f"h/{other}"] = statistics.median(h / o for h, o in zip(times["handmlp"], times[other]))
    result["peak_handmlp"] = _peak(steps["handmlp"])
    result["peak_numpy"] = _peak(steps["numpy"])
    result["param_bytes"] = sum(p.nbytes for p in net.parameters().values())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds, taking turns (default 15)")
    parser.add_argument("--rows", type=int, default=len(ROWS), help="only the first K rows of the table")
    parser.add_argument("--keep-openblas-env", action="store_true", help="leave OPENBLAS_* variables as set")
    parser.add_argument("--threads", type=int, default=None, help="NumPy's BLAS and torch on T threads")
    args = parser.parse_args()
    environment = _prepare_environment(args.keep_openblas_env)

    import numpy as np
    import torch

    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads, user_api="blas")
        torch.set_num_threads(args.threads)

    print(f"numpy {np.__version__}: {_blas_kernel()}; {environment}")
    threads = torch.get_num_threads()
    how = "its default" if args.threads is None else "--threads"
    print(f"torch {torch.__version__}, {threads} threads ({how}); median of {args.rounds} rounds")
    header = (
        f"{'network, batch':<26}{'dtype':>8}{'handmlp':>10}{'numpy':>10}{'torch':>10}"
        f"{'h/numpy':>9}{'h/torch':>9}{'GFLOP/s h':>11}{'GEMM lim':>10}"
        f"{'peak h':>10}{'peak np':>10}{'params':>10}"
    )
    print(header)
    print("-" * len(header))
    for sizes, batch in ROWS[: args.rows]:
        for dtype in (np.float64, np.float32):
            r = bench_row(sizes, batch, dtype, args.rounds)
            flops = flops_per_step(sizes, batch)
            name = f"{'-'.join(map(str, sizes))}, B {batch}"
            print(
                f"{name:<26}{np.dtype(dtype).name:>8}{_ms(r['handmlp']):>10}{_ms(r['numpy']):>10}"
                f"{_ms(r['torch']):>10}{r['h/numpy']:>9.2f}{r['h/torch']:>9.2f}"
                f"{flops / r['handmlp'] / 1e9:>11.2f}{flops / r['gemm'] / 1e9:>10.2f}"
                f"{_mb(r['peak_handmlp']):>10}{_mb(r['peak_numpy']):>10}{_mb(r['param_bytes']):>10}",
                flush=True,
            )
    print("times per step (ms), medians; ratios: the median of each round's own ratio;")
    print("GFLOP/s of handmlp's step, and of the same GEMMs alone in NumPy (the limit);")
    print("peak: tracemalloc's peak during one steady-state step, handmlp and plain NumPy; the parameters")


def _ms(seconds: float) -> str:
    return f"{1e3 * seconds:.3f}" if seconds < 0.01 else f"{1e3 * seconds:.1f}"


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e5 else f"{n / 1e3:.1f}k"


if __name__ == "__main__":
    sys.exit(main())
