"""The progress bar: redrawn in place on a terminal, one final line per epoch anywhere else."""

from __future__ import annotations

import io

from handmlp.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_bar_is_redrawn_in_place_and_ends_each_epoch_with_a_line() -> None:
    stream = Terminal()
    bar = ProgressBar(stream, epochs=2, steps_per_epoch=4)
    bar.update(0, 2, {"loss": 0.5, "accuracy": 0.75})
    bar.finish(0, {"loss": 0.25, "accuracy": 1.0, "val_loss": 0.3}, 0.01)
    text = stream.getvalue()
    assert text.startswith("\repoch 1/2 [" + "#" * 12 + "-" * 12 + "] 2/4 loss 0.5 accuracy  75.0%")
    assert text.endswith("] 4/4 loss 0.25 accuracy 100.0% val_loss 0.3 (0.01 s)\x1b[K\n")


def test_log_file_gets_only_the_final_line_of_each_epoch() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, epochs=10, steps_per_epoch=3)
    bar.update(0, 1, {"loss": 1.0})
    bar.finish(0, {"loss": 0.5}, 1.5)
    assert stream.getvalue() == "epoch  1/10 [" + "#" * 24 + "] 3/3 loss 0.5 (1.50 s)\n"
