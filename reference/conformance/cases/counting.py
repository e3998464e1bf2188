"""Catalog case for counting a network's neurons, weights and parameters (C4)."""

from __future__ import annotations

from handmlp import MLP
from reference.conformance.case import EXACT, Outcome, case, exact


@case(
    "C4/counts_3_4_2",
    "3-4-2: 4 + 2 = 6 neurons, 3·4 + 4·2 = 20 weights, 20 + 6 = 26 parameters",
    "MLP([3, 4, 2]).num_neurons(), num_weights(), num_parameters()",
    "the course's numbers, and the parameter count of the torch twin",
    EXACT,
)
def counts() -> Outcome:
    from reference.twins.mlp import to_torch

    net = MLP([3, 4, 2])
    twin = sum(p.numel() for p in to_torch(net).parameters())
    got = [net.num_neurons(), net.num_weights(), net.num_parameters(), net.num_parameters()]
    return exact(got, [6, 20, 26, twin], "neurons, weights, parameters, torch's parameters")
