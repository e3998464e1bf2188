"""The gradient oracle: a handmlp network against torch.autograd on the same weights, within bounds."""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray

from handmlp.losses import Loss, get_loss
from handmlp.mlp import MLP
from reference.oracle.bounds import network_bounds
from reference.oracle.compare import Comparison, compare_within_bound
from reference.twins.mlp import autograd_gradients

Array = NDArray[Any]


def compare_with_autograd(net: MLP, x: Array, y: Array, loss: str | Loss) -> list[Comparison]:
    """Compare ŷ, L, every ∂L/∂θ and ∂L/∂x of handmlp with torch.autograd's, each within its bound."""
    loss_fn = get_loss(loss)
    y_hat = net.forward(x)
    value = loss_fn.value(y_hat, y)
    grads = net.backward(loss_fn.gradient(y_hat, y))
    assert net.grad_input is not None
    torch_side = autograd_gradients(net, x, y, loss_fn)
    bounds = network_bounds(net, x, y, loss_fn)
    results = [
        compare_within_bound("output", y_hat, torch_side.output, bounds.output),
        compare_within_bound("loss", value, torch_side.loss, bounds.loss),
    ]
    if set(grads) != set(torch_side.grads):
        raise AssertionError(
            f"gradient keys differ: handmlp {sorted(grads)}, torch {sorted(torch_side.grads)}"
        )
    results += [
        compare_within_bound(name, grads[name], torch_side.grads[name], bounds.grads[name]) for name in grads
    ]
    results.append(compare_within_bound("input", net.grad_input, torch_side.grad_input, bounds.grad_input))
    return results


def assert_matches_autograd(net: MLP, x: Array, y: Array, loss: str | Loss) -> list[Comparison]:
    """`compare_with_autograd`, raising AssertionError naming every tensor that left its bound."""
    results = compare_with_autograd(net, x, y, loss)
    failed = [r.message() for r in results if not r.passed]
    if failed:
        raise AssertionError(
            f"{net!r} under {get_loss(loss)!r} disagrees with torch.autograd:\n" + "\n".join(failed)
        )
    return results
