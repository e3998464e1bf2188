"""Check examples/network.py (weights (out, in), column biases, per-sample backprop) against torch."""

import network

from handmlp import check_network
from reference.conformance.adapters import ColumnVectors


def implementation():
    return ColumnVectors(network.Network, functions=(network.sigmoid, network.sigmoid_prime))


if __name__ == "__main__":
    report = check_network(implementation())
    print(report)
    raise SystemExit(0 if report.ok else 1)
