"""Single units trained sample by sample: Rosenblatt's perceptron (C1), the delta/LMS rule (C2, C6, C7)
and the threshold neuron (C11).

These algorithms visit the samples one at a time by definition (each update changes the weights the next
sample sees), so their loops over samples are the algorithm, not a missed vectorisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp.special import logistic
from handmlp.validation import check_finite, check_shape, flag, float_array, integer, non_negative, real

Array = NDArray[Any]

__all__ = [
    "PerceptronResult",
    "delta_rule",
    "delta_rule_gradient",
    "delta_rule_step",
    "perceptron_predict",
    "perceptron_update",
    "rosenblatt",
    "sign",
    "threshold_class",
    "threshold_inputs",
    "threshold_neuron",
    "threshold_neuron_step",
    "with_bias_input",
]


# --- C1: Rosenblatt's perceptron ---------------------------------------------------------------------------


def sign(a: Any) -> Array:
    """C1: sign(a) = +1 for a ≥ 0 (sign(0) = +1 by the course's convention), −1 for a < 0."""
    values = np.asarray(a)
    if values.dtype.kind not in "iuf":
        raise TypeError(f"a: expected real numbers, got {type(a).__name__} of {values.dtype}")
    return np.where(values >= 0, 1.0, -1.0)


def perceptron_update(w: Array, x: Array, y: float) -> tuple[Array, bool]:
    """C1: ŷ = sign(⟨w, x⟩); w_n ← w_n + y·x_n·1[y ≠ ŷ]. Returns the new w and whether it was a mistake."""
    y = real("y", y)
    y_hat = sign(w @ x)
    mistake = bool(y_hat != y)
    return (w + y * x if mistake else w), mistake


def with_bias_input(X: Array, value: float = 1.0) -> Array:
    """C3: a bias is an extra input fixed at 1 (C11's threshold: −1) whose weight is the bias."""
    X = float_array("X", X) if not isinstance(X, np.ndarray) else X
    return np.concatenate([X, np.full((X.shape[0], 1), value, dtype=X.dtype)], axis=1)


@dataclass
class PerceptronResult:
    """Rosenblatt's weights, the bias weight (0 without a bias input), and the mistakes of every epoch.

    Every mistake is an update and only mistakes update, so `mistakes[e]` also counts epoch e's updates.
    """

    weights: Array
    bias: float
    mistakes: list[int] = field(default_factory=list)
    converged: bool = False

    @property
    def updates(self) -> list[int]:
        """The updates per epoch: the mistakes, as the rule updates on a mistake only."""
        return self.mistakes

    @property
    def total_mistakes(self) -> int:
        """All mistakes (= updates) made until the run stopped."""
        return sum(self.mistakes)


def rosenblatt(X: Any, y: Any, epochs: int = 100, bias: bool = False) -> PerceptronResult:
    """C1 from w = 0, epoch after epoch in the given order, until an epoch without a mistake or `epochs`.

    X: binary or real inputs of shape (N, n); y: labels ±1 of shape (N,); bias: learn a bias as the weight
    of an extra input fixed at 1.
    """
    x_all = _inputs("X", X)
    labels = _pm1_labels(y, len(x_all))
    epochs = integer("epochs", epochs, minimum=1)
    bias = flag("bias", bias)
    inputs = with_bias_input(x_all) if bias else x_all
    w = np.zeros(inputs.shape[1], dtype=inputs.dtype)
    result = PerceptronResult(weights=w, bias=0.0)
    for _ in range(epochs):
        mistakes = 0
        for x_n, y_n in zip(inputs, labels):
            w, mistake = perceptron_update(w, x_n, float(y_n))
            mistakes += mistake
        result.mistakes.append(mistakes)
        if mistakes == 0:
            result.converged = True
            break
    result.weights, result.bias = (w[:-1], float(w[-1])) if bias else (w, 0.0)
    return result


def perceptron_predict(X: Any, weights: Any, bias: float = 0.0) -> Array:
    """C1: ŷ = sign(⟨w, x⟩ + b) for every row of X at once (sign(0) = +1)."""
    x_all = _inputs("X", X)
    w = _start("weights", weights, x_all)
    return sign(x_all @ w + real("bias", bias))


# --- C2, C6, C7: the delta (LMS) rule ----------------------------------------------------------------------


def delta_rule_gradient(w: Array, x: Array, y: float) -> Array:
    """C6/C7: for ŷ = ⟨w, x⟩ and L = ½(y − ŷ)², ∇w = dL/dw = −(y − ŷ)·x."""
    return -(y - w @ x) * x


def delta_rule_step(w: Array, x: Array, y: float, eta: float) -> Array:
    """C6/C7: w ← w − η∇w = w + η(y − ŷ)·x (C2 is η = 1; E4: the index is the sample's n)."""
    y, eta = real("y", y), non_negative("eta", eta)
    return w - eta * delta_rule_gradient(w, x, y)


def delta_rule(X: Any, y: Any, eta: float = 1.0, epochs: int = 1, w: Any = None) -> Array:
    """C2: for n = 1..N: w ← w + η(y_n − ŷ)·x_n, for `epochs` passes in order, from w (zeros if None)."""
    x_all = _inputs("X", X)
    targets = _real_targets(y, len(x_all), x_all.dtype)
    eta = non_negative("eta", eta)
    epochs = integer("epochs", epochs, minimum=1)
    weights = np.zeros(x_all.shape[1], dtype=x_all.dtype) if w is None else _start("w", w, x_all)
    for _ in range(epochs):
        for x_n, y_n in zip(x_all, targets):
            weights = delta_rule_step(weights, x_n, float(y_n), eta)
    return weights


# --- C11: the threshold neuron -----------------------------------------------------------------------------


def threshold_inputs(X: Any) -> Array:
    """C11: (x_0, x_1, …, x_n) with x_0 = −1, the constant input the threshold w_0 weighs."""
    x_all = _inputs("X", X)
    return np.concatenate([np.full((x_all.shape[0], 1), -1.0, dtype=x_all.dtype), x_all], axis=1)


def threshold_neuron(X: Any, weights: Any) -> Array:
    """C11: y = σ(w1·x1 + … + wn·xn − w0) for every row of X; weights = (w0, w1, …, wn)."""
    inputs = threshold_inputs(X)
    w = _start("weights", weights, inputs)
    return logistic(inputs @ w)


def threshold_class(y: Any) -> Array:
    """C11: class 1 where y < 0.5, else class 2 (so y = 0.5 exactly is class 2)."""
    return np.where(float_array("y", y) < 0.5, 1, 2)


def threshold_neuron_step(weights: Any, x: Any, y: float, mu: float) -> Array:
    """C11 with L = ½(y − ŷ)²: w_i ← w_i − μ·∂L/∂ŷ·σ(·)(1 − σ(·))·x_i for i = 0..n, x_0 = −1."""
    sample = _inputs("x", np.atleast_2d(np.asarray(x)))
    if np.ndim(x) != 1:
        raise ValueError(f"x: expected one sample of shape (n,), got shape {np.shape(x)}")
    inputs = threshold_inputs(sample)
    w = _start("weights", weights, inputs)
    mu, y = non_negative("mu", mu), real("y", y)
    y_hat = logistic(inputs @ w)[0]
    dL_dy_hat = y_hat - y
    return np.asarray(w - mu * dL_dy_hat * y_hat * (1.0 - y_hat) * inputs[0])


# --- input checks ------------------------------------------------------------------------------------------


def _inputs(name: str, X: Any) -> Array:
    """A finite 2-D float array (N ≥ 1 rows); integer or boolean inputs (binary vectors) become float64."""
    array = np.asarray(X)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(f"{name}: expected real-valued inputs, got dtype {array.dtype}")
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name}: expected shape (N ≥ 1, features), got {array.shape}")
    check_finite(name, array)
    return array


def _pm1_labels(y: Any, n: int) -> Array:
    labels = np.asarray(y)
    if labels.shape != (n,):
        raise ValueError(f"y: expected one label per sample, shape ({n},), got {labels.shape}")
    if labels.dtype.kind not in "biuf" or not np.all((labels == 1) | (labels == -1)):
        # The first label that is not ±1 (complex numbers and Python objects compare too), else the first.
        bad = labels[~((labels == 1) | (labels == -1))] if labels.dtype.kind in "biufcO" else labels
        first = (bad if bad.size else labels).flat[0]
        shown = first.item() if isinstance(first, np.generic) else first
        raise ValueError(f"y: expected labels +1 or -1 (C1), got {shown!r}")
    return labels.astype(np.float64)


def _real_targets(y: Any, n: int, dtype: Any) -> Array:
    targets = np.asarray(y)
    if targets.dtype.kind not in "biuf":
        raise TypeError(f"y: expected real targets, got dtype {targets.dtype}")
    if targets.shape != (n,):
        raise ValueError(f"y: expected one target per sample, shape ({n},), got {targets.shape}")
    check_finite("y", targets.astype(dtype))
    return targets.astype(dtype)


def _start(name: str, w: Any, inputs: Array) -> Array:
    """Weights as a copy in the inputs' dtype (the caller's array is never changed), finite, one per input."""
    try:
        array = np.array(w, dtype=inputs.dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected an array of real numbers, got {type(w).__name__}") from exc
    check_shape(name, array, (inputs.shape[1],))
    check_finite(name, array)
    return array
