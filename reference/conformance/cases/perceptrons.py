"""Catalog cases for the perceptron's training rules (C1, C2; erratum E4): Rosenblatt's algorithm and the
one-line rule, each against torch.optim.SGD on the loss it descends."""

from __future__ import annotations

from typing import Any

import numpy as np

from handmlp.perceptron import delta_rule_step, rosenblatt
from reference.conformance.case import EXACT, WITHIN_BOUND, Outcome, case, erratum, exact, from_comparisons
from reference.conformance.cases._common import Array, one_line_bound
from reference.oracle.compare import compare_within_bound

# --- C1: Rosenblatt's perceptron -----------------------------------------------------------------------

_BITS = np.array([[a, b, c] for a in (0.0, 1.0) for b in (0.0, 1.0) for c in (0.0, 1.0)])
_OR_LABELS = np.where(_BITS[:, 0] + _BITS[:, 1] > 0, 1.0, -1.0)  # x1 OR x2, whatever x3


@case(
    "C1/rosenblatt_trace",
    "w = 0; ŷ = sign(⟨w, x⟩); w_n ← w_n + y·x_n·1[y ≠ ŷ], epoch after epoch until no mistake",
    "perceptron.rosenblatt on x ∈ {0,1}³ labelled x1 OR x2, with a bias input",
    "the same rule as SGD (lr = 1) on max(0, −y⟨w, x⟩) in torch, with sign(0) = +1",
    EXACT + " of the weights and the mistakes per epoch",
)
def rosenblatt_trace() -> Outcome:
    from reference.twins.perceptron import torch_rosenblatt

    ours = rosenblatt(_BITS, _OR_LABELS, epochs=50, bias=True)
    theirs = torch_rosenblatt(_BITS, _OR_LABELS, epochs=50, bias=True)
    got = [*ours.weights, ours.bias, *ours.mistakes]
    return exact(got, [*theirs.weights, *theirs.mistakes], "weights, bias, mistakes per epoch")


@case(
    "C1/sign_zero",
    "sign(0) = +1: at ⟨w, x⟩ = 0 with y = −1 the prediction is wrong and w moves by y·x",
    "perceptron.rosenblatt from w = 0 on one sample x = (1, 2), y = −1, one epoch",
    "the definition: w = −x after the first sample",
    EXACT,
    needs_torch=False,
)
def sign_zero() -> Outcome:
    result = rosenblatt(np.array([[1.0, 2.0]]), np.array([-1.0]), epochs=1)
    return exact([*result.weights, result.mistakes[0]], [-1.0, -2.0, 1], "weights and mistakes after the tie")


# --- C2: the one-line rule -----------------------------------------------------------------------------

_RNG = np.random.default_rng(2)
_X_SMALL = _RNG.uniform(-0.5, 0.5, size=(12, 3))
_Y_SMALL = _X_SMALL @ np.array([0.5, -1.0, 2.0]) + 0.01 * _RNG.normal(size=12)


def _rule_against_torch(step: Any, eta: float) -> Outcome:
    """Each step of `step` (from torch's weights before it) against torch.optim.SGD's step, per sample."""
    from reference.twins.perceptron import torch_delta_rule

    w0 = np.zeros(3)
    torch_ws = torch_delta_rule(_X_SMALL, _Y_SMALL, eta, 1, w0)
    before = [w0, *torch_ws[:-1]]
    results = []
    for n, (w, expected) in enumerate(zip(before, torch_ws)):
        ours = step(w, n, eta)
        bound = one_line_bound(w, _X_SMALL[n], float(_Y_SMALL[n]), eta)
        results.append(compare_within_bound(f"w after sample {n}", ours, expected, bound))
    return from_comparisons(results)


def _correct_rule(w: Array, n: int, eta: float) -> Array:
    return delta_rule_step(w, _X_SMALL[n], float(_Y_SMALL[n]), eta)


def _printed_rule(w: Array, n: int, eta: float) -> Array:
    """E4 as printed: w = w + (y_n − ŷ)·x_i, with i another sample's index than n (here the next one)."""
    i = (n + 1) % len(_X_SMALL)
    return w + eta * (float(_Y_SMALL[n]) - w @ _X_SMALL[n]) * _X_SMALL[i]


@case(
    "C2/one_line_rule",
    "for n = 1..N: w ← w + (y_n − ŷ)·x_n is SGD with step 1 on ½(y − ŷ)²",
    "perceptron.delta_rule_step with η = 1, sample by sample",
    "torch.optim.SGD(lr=1) on ½(y − ⟨w, x⟩)² by autograd",
    WITHIN_BOUND + ", step by step",
)
def one_line_rule() -> Outcome:
    return _rule_against_torch(_correct_rule, 1.0)


# --- E4: the index of the one-line rule ----------------------------------------------------------------


@case(
    "E4/one_line_index",
    "printed w = w + (y_n − ŷ)·x_i; corrected w = w + (y_n − ŷ)·x_n",
    "both forms, sample by sample with η = 1 (the printed x_i taken from another sample, i ≠ n)",
    "torch.optim.SGD(lr=1) on ½(y_n − ⟨w, x_n⟩)²",
    "printed must leave the bound, corrected must stay within it",
)
def erratum_index() -> Outcome:
    return erratum(
        _rule_against_torch(_printed_rule, 1.0), _rule_against_torch(_correct_rule, 1.0), "one-line rule"
    )
