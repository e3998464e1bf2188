"""What the allocation tests share: the peak of new memory, as tracemalloc sees it, while a call runs."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable


def peak_bytes(run: Callable[[], object]) -> int:
    """The most memory allocated at once during `run()`, above what was allocated before it."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        run()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
