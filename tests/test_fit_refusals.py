"""A refused fit changes nothing: every argument is checked before the first forward pass, so weights,
gradient buffers, the forward cache, grad_input and momentum buffers stay bit for bit as they were."""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
import pytest

from handmlp.mlp import MLP
from handmlp.optim import SGD
from handmlp.train import fit

X = np.random.default_rng(0).normal(size=(10, 3))
Y = np.tanh(X[:, :1])


def _trained() -> tuple[MLP, SGD]:
    net = MLP([3, 4, 1], ["tanh", "identity"], seed=2)
    opt = SGD(net.parameters(), lr=0.1, momentum=0.9)
    fit(net, "half_squared_error", opt, X, Y, 1, 5)
    net.forward(X[:3])
    net.backward(np.ones((3, 1)))  # a cache and a grad_input of its own, to be kept
    return net, opt


def _snapshot(net: MLP, opt: SGD) -> list[bytes]:
    assert net._cache is not None and net.grad_input is not None
    arrays = [*net.parameters().values(), *opt.momentum_buffers.values(), net.grad_input]
    arrays += [a for layer in net._cache for a in layer] + list(net.gradient_buffers().values())
    return [a.tobytes() for a in arrays]


BAD: dict[str, tuple[dict[str, Any], type[Exception], str]] = {
    "shuffle 'no'": ({"shuffle": "no"}, TypeError, "shuffle: expected True or False"),
    "drop_last 1": ({"drop_last": 1}, TypeError, "drop_last: expected True or False"),
    "callback not callable": ({"callback": 3}, TypeError, "callback: expected a callable or None"),
    "record_parameters 'yes'": ({"record_parameters": "yes"}, TypeError, "record_parameters: expected True"),
    "seed -1": ({"seed": -1}, ValueError, "seed: expected an integer ≥ 0"),
    "seed 'abc'": ({"seed": "abc"}, TypeError, "seed: expected an integer"),
    "seed 1.5": ({"seed": 1.5}, TypeError, "seed: expected an integer"),
    "epochs 0, batch_size 0": (
        {"epochs": 0, "batch_size": 0},
        ValueError,
        "batch_size: expected an integer ≥ 1",
    ),
    "epochs 0, batch_size 11": ({"epochs": 0, "batch_size": 11}, ValueError, "batch_size: expected 1 ≤"),
    "epochs 1.0": ({"epochs": 1.0}, TypeError, "epochs: expected an integer"),
    "validation not a pair": ({"validation_data": X}, TypeError, "validation_data: expected a pair"),
    "validation width": (
        {"validation_data": (X[:, :2], Y)},
        ValueError,
        r"validation_data X: expected shape \(any, 3\)",
    ),
    "validation NaN": (
        {"validation_data": (X, np.full_like(Y, np.nan))},
        ValueError,
        "validation_data Y: expected finite values",
    ),
    "accuracy 'yes'": ({"accuracy": "yes"}, TypeError, "accuracy: expected True or False"),
    "progress 2": ({"progress": 2}, TypeError, "progress: expected True, False or a text stream"),
    "Y wrong width": ({"Y": np.hstack([Y, Y])}, ValueError, "Y: expected shape"),
}


@pytest.mark.parametrize(("change", "error", "match"), BAD.values(), ids=list(BAD))
def test_refused_fit_leaves_weights_buffers_cache_and_grad_input_untouched(
    change: dict[str, Any], error: type[Exception], match: str
) -> None:
    net, opt = _trained()
    args: dict[str, Any] = {"X": X, "Y": Y, "epochs": 2, "batch_size": 5, **change}
    before = _snapshot(net, opt)
    with pytest.raises(error, match=match):
        fit(net, "half_squared_error", opt, **args)
    assert _snapshot(net, opt) == before


def test_callback_that_is_not_callable_is_refused_before_the_first_step() -> None:
    net, opt = _trained()
    weights = net.state_dict()
    with pytest.raises(TypeError, match="callback"):
        fit(net, "half_squared_error", opt, X, Y, 3, 2, callback="print")  # type: ignore[arg-type]
    assert all(np.array_equal(weights[k], v) for k, v in net.parameters().items())


def test_diverging_run_under_warnings_as_errors_raises_the_documented_error() -> None:
    net = MLP([1, 1], "identity", bias=False, seed=0)
    x, y = np.array([[10.0], [2.0], [3.5], [1.0]]) * 1e50, np.array([[10.1], [1.9], [3.4], [1.1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"fit: step \d+ \(epoch \d+\) was refused and changed nothing"):
            fit(net, "half_squared_error", SGD(net.parameters(), lr=1.0), x, y, 50, None, objective="sum")


def test_one_dimensional_targets_train_exactly_as_one_column() -> None:
    runs = []
    for targets in (Y, Y[:, 0]):
        net = MLP([3, 4, 1], ["tanh", "identity"], seed=2)
        fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), X, targets, 2, 3)
        runs.append([v.tobytes() for v in net.parameters().values()])
    assert runs[0] == runs[1]


def test_validation_metrics_and_progress_lines_per_epoch() -> None:
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=2)
    labels = (X[:, 0] > 0).astype(np.int64)
    stream = io.StringIO()
    history = fit(
        net,
        "cross_entropy",
        SGD(net.parameters(), lr=0.5),
        X,
        labels,
        3,
        4,
        validation_data=(X[:4], labels[:4]),
        accuracy=True,
        progress=stream,
    )
    assert len(history.val_losses) == len(history.val_accuracies) == len(history.epoch_accuracies) == 3
    final = (net.predict(X[:4]) == labels[:4]).mean()
    assert history.val_accuracies[-1] == final
    assert history.val_losses[-1] == pytest.approx(
        float(
            np.mean(
                np.log(np.exp(net.output(X[:4])).sum(axis=1)) - net.output(X[:4])[np.arange(4), labels[:4]]
            )
        )
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3 [") and "3/3" in lines[0]
    assert "val_accuracy" in lines[-1] and "accuracy" in lines[-1] and "loss" in lines[-1]
    assert set(history.epoch_metrics(2)) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_training_accuracy_counts_each_batch_at_the_weights_it_was_taken_with() -> None:
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=2)
    labels = (X[:, 0] > 0).astype(np.int64)
    history = fit(net, "cross_entropy", SGD(net.parameters(), lr=0.0), X, labels, 1, 5, accuracy=True)
    assert history.epoch_accuracies == [float((net.predict(X) == labels).mean())]  # lr 0: one set of weights
