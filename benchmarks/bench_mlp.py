"""Forward + backward of handmlp against torch on the same network, timed in one run; prints the ratios.

`python benchmarks/bench_mlp.py` — a benchmark, never a test: the numbers depend on the machine.
"""

from __future__ import annotations

import numpy as np
import torch
from bench_gradcheck import best_of  # benchmarks/ is the script's directory, so on sys.path

from handmlp import MLP, get_loss
from reference.twins.mlp import to_torch


def _torch_step(twin: torch.nn.Module, xt: torch.Tensor, yt: torch.Tensor) -> None:
    twin.zero_grad()
    torch.nn.functional.cross_entropy(twin(xt), yt).backward()


def main() -> None:
    torch.set_num_threads(1)
    print(f"{'network':>22} {'batch':>6} {'dtype':>8} {'handmlp ms':>11} {'torch ms':>9} {'ratio':>6}")
    for sizes, batch in (([3, 4, 2], 32), ([784, 128, 10], 64), ([64, 256, 256, 10], 256)):
        for dtype in (np.float32, np.float64):
            net = MLP(sizes, ["tanh"] * (len(sizes) - 2) + ["identity"], dtype=dtype)
            rng = np.random.default_rng(0)
            x = rng.normal(size=(batch, sizes[0])).astype(dtype)
            y = rng.integers(0, sizes[-1], size=batch)
            loss = get_loss("cross_entropy")
            twin = to_torch(net)
            xt, yt = torch.from_numpy(x), torch.from_numpy(y)

            t_ours = best_of(lambda: net.loss_and_gradients(x, y, loss))  # noqa: B023  (called at once)
            t_theirs = best_of(lambda: _torch_step(twin, xt, yt))  # noqa: B023
            name = "-".join(map(str, sizes))
            kind = np.dtype(dtype).name
            print(
                f"{name:>22} {batch:>6} {kind:>8} {1e3 * t_ours:>11.3f} {1e3 * t_theirs:>9.3f} "
                f"{t_ours / t_theirs:>6.2f}"
            )


if __name__ == "__main__":
    main()
