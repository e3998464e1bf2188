"""Check examples/two_layer_net.py (weights (in, out), flat biases in a dict, row batches) against torch."""

import two_layer_net

from handmlp import check_network
from reference.conformance.adapters import WeightDict


def implementation():
    return WeightDict(
        two_layer_net.TwoLayerNet, hidden="relu", loss="cross_entropy", reduction="mean", input_key="X"
    )


if __name__ == "__main__":
    report = check_network(implementation())
    print(report)
    raise SystemExit(0 if report.ok else 1)
