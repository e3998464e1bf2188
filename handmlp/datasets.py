"""The in-browser playground's two-dimensional datasets (C17 in docs/equations.md), generated from a seed.

Each function returns (X, y): X of shape (n, 2), y of shape (n,) with labels +1 and −1 (the two colours).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp import validation
from handmlp.validation import integer, non_negative

Array = NDArray[Any]

__all__ = ["DATASETS", "circle", "gaussian", "spiral", "xor"]


def _checked(n: Any, noise: Any, seed: Any) -> tuple[int, float, np.random.Generator]:
    """n ≥ 2 points, noise ≥ 0 and a seed, checked before anything is drawn."""
    count = integer("n", n, minimum=2)
    spread = non_negative("noise", noise)
    return count, spread, np.random.default_rng(validation.seed("seed", seed))


def circle(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Points inside radius 2.5 are +1, points on the ring 3.5–5 are −1."""
    n, noise, rng = _checked(n, noise, seed)
    inner = np.arange(n) < n // 2
    radius = np.where(inner, rng.uniform(0, 2.5, n), rng.uniform(3.5, 5.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1) + noise * rng.normal(size=(n, 2))
    return x, np.where(inner, 1.0, -1.0)


def xor(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Points in the four quadrants, +1 where x1·x2 ≥ 0 and −1 elsewhere (kept away from the axes)."""
    n, noise, rng = _checked(n, noise, seed)
    x = rng.uniform(-5, 5, size=(n, 2))
    x += np.sign(x) * 0.3  # a margin around the axes, as the playground draws it
    labels = np.where(x[:, 0] * x[:, 1] >= 0, 1.0, -1.0)
    return x + noise * rng.normal(size=(n, 2)), labels


def gaussian(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Two Gaussian clusters centred at (2, 2) (+1) and (−2, −2) (−1), spread 1 + noise."""
    n, noise, rng = _checked(n, noise, seed)
    positive = np.arange(n) < n // 2
    centres = np.where(positive[:, None], 2.0, -2.0)
    return centres + (1.0 + noise) * rng.normal(size=(n, 2)), np.where(positive, 1.0, -1.0)


def spiral(n: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[Array, Array]:
    """Two interleaved spirals, r = 5t, angle 1.75·2πt (+ π for the −1 arm), t ∈ [0, 1)."""
    n, noise, rng = _checked(n, noise, seed)
    positive = np.arange(n) < n // 2
    t = np.where(positive, np.arange(n), np.arange(n) - n // 2) / max(1, n // 2)
    angle = 1.75 * 2 * np.pi * t + np.where(positive, 0.0, np.pi)
    x = np.stack([5 * t * np.sin(angle), 5 * t * np.cos(angle)], axis=1)
    return x + noise * rng.normal(size=(n, 2)), np.where(positive, 1.0, -1.0)


DATASETS = {"circle": circle, "xor": xor, "gaussian": gaussian, "spiral": spiral}
