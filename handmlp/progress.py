"""Progress output for training: one bar per epoch with the loss and accuracy so far.

On a terminal the bar is redrawn in place (at most ten times a second); elsewhere (a log file, a pipe)
only each epoch's final line is written, so a log holds one line per epoch.
"""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["ProgressBar"]

WIDTH = 24


class ProgressBar:
    """`update` after each step, `finish` at the end of each epoch with its metrics."""

    def __init__(self, stream: TextIO, epochs: int, steps_per_epoch: int) -> None:
        self.stream, self.epochs, self.steps = stream, epochs, max(1, steps_per_epoch)
        isatty = getattr(stream, "isatty", None)
        self.live = bool(isatty and isatty())
        self.last_draw = 0.0

    def _line(self, epoch: int, done: int, metrics: dict[str, float]) -> str:
        filled = WIDTH * done // self.steps
        bar = "#" * filled + "-" * (WIDTH - filled)
        shown = " ".join(
            f"{name} {100 * value:5.1f}%" if name.endswith("accuracy") else f"{name} {value:.4g}"
            for name, value in metrics.items()
        )
        width = len(str(self.epochs))
        return f"epoch {epoch + 1:>{width}}/{self.epochs} [{bar}] {done}/{self.steps} {shown}"

    def update(self, epoch: int, done: int, metrics: dict[str, float]) -> None:
        """Redraw the bar after `done` steps of the epoch (terminals only, throttled)."""
        now = time.perf_counter()
        if self.live and now - self.last_draw >= 0.1:
            self.last_draw = now
            self.stream.write("\r" + self._line(epoch, done, metrics) + "\033[K")
            self.stream.flush()

    def finish(self, epoch: int, metrics: dict[str, float], seconds: float) -> None:
        """The epoch's final line, with its metrics and time."""
        line = self._line(epoch, self.steps, metrics) + f" ({seconds:.2f} s)"
        self.stream.write(("\r" + line + "\033[K" if self.live else line) + "\n")
        self.stream.flush()
