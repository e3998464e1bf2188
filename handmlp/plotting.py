"""Pictures of a training run (matplotlib, an optional extra: `pip install "handmlp[plot]"`): loss and
accuracy per epoch, and for a two-dimensional data set the decision regions over the points (C17)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp.train import History

Array = NDArray[Any]

__all__ = ["MATPLOTLIB_HINT", "have_matplotlib", "plot_training"]

MATPLOTLIB_HINT = 'needs matplotlib: pip install "handmlp[plot]"'


def have_matplotlib() -> bool:
    """Whether matplotlib can be imported (checked without importing it)."""
    return importlib.util.find_spec("matplotlib") is not None


def plot_training(
    path: str | os.PathLike[str],
    history: History,
    title: str,
    regions: tuple[Callable[[Array], Array], Array, Array] | None = None,
) -> None:
    """Write a figure to `path`: loss per epoch (training, and validation when measured), accuracy per
    epoch, and with `regions` = (predict, X, labels) the predicted class over the plane with the points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 3 if regions is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 4), layout="constrained")
    epochs = np.arange(1, len(history.epoch_losses) + 1)
    axes[0].plot(epochs, history.epoch_losses, label="training")
    if history.val_losses:
        axes[0].plot(epochs, history.val_losses, "--", label="test")
    axes[0].set(xlabel="epoch", ylabel="loss", yscale="log" if min(history.epoch_losses) > 0 else "linear")
    axes[1].plot(epochs, 100 * np.asarray(history.epoch_accuracies), label="training")
    if history.val_accuracies:
        axes[1].plot(epochs, 100 * np.asarray(history.val_accuracies), "--", label="test")
    axes[1].set(xlabel="epoch", ylabel="accuracy (%)")
    for ax in axes[:2]:
        ax.legend()
        ax.grid(alpha=0.3)
    if regions is not None:
        _regions(axes[2], *regions)
    fig.suptitle(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _regions(ax: Any, predict: Callable[[Array], Array], x: Array, labels: Array) -> None:
    """The predicted class on a 200×200 grid around the points, the points coloured by their true class."""
    low, high = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * (high - low)
    u, v = np.meshgrid(*(np.linspace(lo - p, hi + p, 200) for lo, hi, p in zip(low, high, pad)))
    grid = np.column_stack([u.ravel(), v.ravel()])
    ax.contourf(u, v, predict(grid).reshape(u.shape), alpha=0.3, cmap="coolwarm")
    ax.scatter(x[:, 0], x[:, 1], c=labels, s=8, cmap="coolwarm", edgecolors="k", linewidths=0.2)
    ax.set(xlabel="x₁", ylabel="x₂", title="decision regions (test points)")
