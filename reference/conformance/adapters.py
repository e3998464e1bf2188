"""Adapters: the layouts people write, presented through the `Implementation` protocol.

- `ColumnVectors`: (out, in) weights in a list `weights`, (out, 1) column biases in a list `biases`, one
  sample at a time as a column vector, `backprop(x, y) -> (nabla_b, nabla_w)` per layer (the per-sample
  equations of C9 and C10, as in Nielsen's network.py). The per-sample gradients are added over the batch:
  the objective is the sum over samples (C13), so the reduction is "sum".
- `WeightDict`: (in, out) weights and flat biases in a dict `params` (`W1`, `b1`, …), row batches,
  `loss(X, y) -> (loss, grads)` and `loss(X) -> scores` (as in cs231n's networks).
- `Mapped`: any other layout: say where each tensor lives, whether weights are stored transposed, and how to
  call forward and the gradients.
Each adapter checks the shapes it receives: a tensor in another layout raises `LayoutError` saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import numpy as np

from handmlp.activations import ACTIVATIONS
from handmlp.losses import LOSSES
from reference.conformance.protocol import Architecture, Array, Elementwise, LayoutError, LossSpec

__all__ = ["ColumnVectors", "Fixed", "Mapped", "WeightDict"]


class Fixed:
    """An implementation with one hidden activation, one output activation, biases and one loss."""

    lacks: tuple[str, ...] = ()

    def __init__(self, name: str, hidden: str, output: str | None, loss: str, reduction: str) -> None:
        if hidden not in ACTIVATIONS or (output is not None and output not in ACTIVATIONS):
            raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {hidden!r}/{output!r}")
        if loss not in LOSSES:
            raise ValueError(f"loss: expected one of {sorted(LOSSES)}, got {loss!r}")
        if reduction not in ("sum", "mean"):
            raise ValueError(
                f"reduction: expected 'sum' or 'mean' (say which: no default), got {reduction!r}"
            )
        self.name, self.hidden, self.output = name, hidden, output or hidden
        self.loss = LossSpec(loss, reduction)
        self.arch: Architecture | None = None

    def supports(self, arch: Architecture, loss: LossSpec) -> str | None:
        """None for a network of its activations with biases everywhere under its own loss."""
        if loss != self.loss:
            return f"its loss is {self.loss}; this check needs {loss}"
        wanted = Architecture.uniform(arch.sizes, self.hidden, self.output, arch.dtype)
        if arch.activations != wanted.activations:
            return f"its layers are {self.hidden}…{self.output}; this check needs {list(arch.activations)}"
        if not all(arch.bias):
            return "every layer of it has a bias; this check needs a layer without"
        return None

    def _dtype(self) -> Any:
        assert self.arch is not None, "load() first"
        return np.dtype(self.arch.dtype)


def _check_shape(what: str, got: tuple[int, ...], want: tuple[int, ...], layout: str) -> None:
    """Raise LayoutError naming the layout mismatch: transposed, flat for column, column for flat."""
    if got == want:
        return
    if len(want) == 2 and got == want[::-1]:
        raise LayoutError(f"{what}: shape {got} is the transpose of this layout's {want} ({layout})")
    if len(want) == 2 and want[1] == 1 and got == (want[0],):
        raise LayoutError(f"{what}: a flat bias of shape {got} where this layout has a column {want}")
    if len(want) == 1 and got in ((want[0], 1), (1, want[0])):
        raise LayoutError(f"{what}: a column/row bias of shape {got} where this layout has a flat {want}")
    raise LayoutError(f"{what}: shape {got}, expected {want} ({layout})")


class ColumnVectors(Fixed):
    """(out, in) weights, (out, 1) column biases, per-sample column vectors and `backprop(x, y)`.

    factory(sizes) builds the user's network, which has lists `weights` and `biases` and
    `backprop(x, y) -> (nabla_b, nabla_w)` for one sample x of shape (n_in, 1); `feedforward(a)` gives its
    output. `functions=(g, g′)` exposes its activation and derivative for an elementwise check;
    `cost_derivative(output, y)`, when the network has it, is its ∂C/∂a for one sample.
    """

    LAYOUT = "weights (out, in), biases (out, 1) columns"

    def __init__(
        self,
        factory: Callable[[list[int]], Any],
        *,
        hidden: str = "sigmoid",
        output: str | None = None,
        loss: str = "half_squared_error",
        functions: tuple[Elementwise, Elementwise] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name or str(getattr(factory, "__name__", "network")), hidden, output, loss, "sum")
        self.factory, self.functions = factory, functions
        self.net = factory([1, 1])  # until load(): a probe for the methods it has
        lacks = ["input_gradient"] + ([] if functions else ["activations"])
        lacks += [] if hasattr(self.net, "cost_derivative") else ["loss"]
        self.lacks = tuple(lacks + ([] if hasattr(self.net, "update_mini_batch") else ["sgd_step"]))

    def load(self, arch: Architecture, state: Mapping[str, Array]) -> None:
        """Build the user's network for arch.sizes and put the state_dict's weights in its lists."""
        net = self.factory(list(arch.sizes))
        self.arch = arch
        dtype = self._dtype()
        for layer in range(arch.n_layers):
            w = state[f"{2 * layer}.weight"]
            _check_shape(f"your weights[{layer}]", np.shape(net.weights[layer]), w.shape, self.LAYOUT)
            _check_shape(f"your biases[{layer}]", np.shape(net.biases[layer]), (w.shape[0], 1), self.LAYOUT)
        net.weights = [np.array(state[f"{2 * i}.weight"], dtype=dtype) for i in range(arch.n_layers)]
        net.biases = [np.array(state[f"{2 * i}.bias"], dtype=dtype)[:, None] for i in range(arch.n_layers)]
        self.net = net

    def forward(self, x: Array) -> Array:
        """feedforward of each sample as a column, stacked back into rows."""
        return np.stack([np.asarray(self.net.feedforward(row[:, None])).reshape(-1) for row in x])

    def gradients(self, x: Array, y: Array, loss: LossSpec) -> dict[str, Array]:
        """backprop of each sample, added over the batch, in torch's layout."""
        assert self.arch is not None
        total: dict[str, Array] = {}
        for row, target in zip(x, _columns(y, self.arch.sizes[-1])):
            nabla_b, nabla_w = self.net.backprop(row[:, None], target)
            for layer in range(self.arch.n_layers):
                w = np.asarray(nabla_w[layer])
                b = np.asarray(nabla_b[layer])
                out, n_in = self.arch.sizes[layer + 1], self.arch.sizes[layer]
                _check_shape(f"your ∂C/∂weights[{layer}]", w.shape, (out, n_in), self.LAYOUT)
                _check_shape(f"your ∂C/∂biases[{layer}]", b.shape, (out, 1), self.LAYOUT)
                for key, value in ((f"{2 * layer}.weight", w), (f"{2 * layer}.bias", b[:, 0])):
                    total[key] = total[key] + value if key in total else value.astype(np.float64)
        return total

    def sgd_step(self, x: Array, y: Array, loss: LossSpec, lr: float) -> None:
        """update_mini_batch on the batch as columns; it divides η by the batch size, so η = lr·batch
        makes the step θ ← θ − lr·Σ_batch ∂C/∂θ, SGD on the summed cost."""
        assert self.arch is not None
        columns = list(zip([row[:, None] for row in x], _columns(y, self.arch.sizes[-1])))
        self.net.update_mini_batch(columns, lr * len(columns))

    def state_dict(self) -> dict[str, Array]:
        """The weights back in torch's layout."""
        assert self.arch is not None
        state = {}
        for layer in range(self.arch.n_layers):
            state[f"{2 * layer}.weight"] = np.asarray(self.net.weights[layer])
            state[f"{2 * layer}.bias"] = np.asarray(self.net.biases[layer]).reshape(-1)
        return state

    def tensor_name(self, key: str) -> str:
        """The user's list and index: "0.weight" is weights[0], "2.bias" is biases[1]."""
        index, kind = key.split(".")
        return f"{'weights' if kind == 'weight' else 'biases'}[{int(index) // 2}]"

    def activation_functions(self, name: str) -> tuple[Elementwise, Elementwise] | None:
        """The (g, g′) given as `functions`, for its hidden activation."""
        return self.functions if name == self.hidden else None

    def loss_gradient(self, y_hat: Array, y: Array, loss: LossSpec) -> Array:
        """cost_derivative of each sample (a column), stacked back into rows."""
        targets = _columns(np.asarray(y), y_hat.shape[1])
        rows = [
            np.asarray(self.net.cost_derivative(a[:, None], t)).reshape(-1) for a, t in zip(y_hat, targets)
        ]
        return np.stack(rows)


def _columns(y: Array, n_out: int) -> list[Array]:
    """Each target as the column the per-sample code expects (a one-hot column for class labels)."""
    if y.ndim == 1:
        return [np.eye(n_out)[int(label)][:, None] for label in y]
    return [row[:, None] for row in y]


class Mapped(Fixed):
    """Any layout: `tensors(net)` is the mutable mapping holding the user's arrays, `names` their keys (a
    function of (layer, "weight" | "bias"), or a mapping from torch's keys "0.weight", "0.bias", …),
    `transposed` says weights are stored (in, out), `bias_shape` is "flat", "column" or "row";
    `forward(net, x)` and `gradients(net, x, y)` (a mapping by the user's keys) run on row batches;
    `input_key` names ∂L/∂x among the gradients when they include it."""

    def __init__(
        self,
        factory: Callable[[list[int]], Any],
        *,
        tensors: Callable[[Any], MutableMapping[str, Any]],
        names: Callable[[int, str], str] | Mapping[str, str],
        forward: Callable[[Any, Array], Array],
        gradients: Callable[[Any, Array, Array], Mapping[str, Any]],
        hidden: str,
        loss: str,
        reduction: str,
        output: str | None = None,
        transposed: bool = False,
        bias_shape: str = "flat",
        input_key: str | None = None,
        loss_gradient: Callable[[Array, Array], Array] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            name or str(getattr(factory, "__name__", "network")), hidden, output, loss, reduction
        )
        self._loss_gradient = loss_gradient
        if bias_shape not in ("flat", "column", "row"):
            raise ValueError(f"bias_shape: expected 'flat', 'column' or 'row', got {bias_shape!r}")
        self.factory, self.tensors, self.names = factory, tensors, names
        self._forward, self._gradients = forward, gradients
        self.transposed, self.bias_shape, self.input_key = transposed, bias_shape, input_key
        self.lacks = ("activations", "sgd_step") + (() if input_key else ("input_gradient",))
        self.lacks += () if loss_gradient else ("loss",)
        self.net: Any = None

    @property
    def layout(self) -> str:
        """The layout in words, for the messages."""
        weight = "(in, out)" if self.transposed else "(out, in)"
        return f"weights {weight}, biases {self.bias_shape}"

    def _user_shape(self, key: str, shape: tuple[int, ...]) -> tuple[int, ...]:
        if key.endswith("weight"):
            return shape[::-1] if self.transposed else shape
        return {"flat": shape, "column": (shape[0], 1), "row": (1, shape[0])}[self.bias_shape]

    def _user_name(self, key: str) -> str:
        if isinstance(self.names, Mapping):
            return self.names[key]
        index, kind = key.split(".")
        return self.names(int(index) // 2, kind)

    def supports(self, arch: Architecture, loss: LossSpec) -> str | None:
        """As Fixed, and with `names` a mapping, only the networks whose every key it maps."""
        if isinstance(self.names, Mapping):
            unmapped = [k for k in arch.state_keys() if k not in self.names]
            if unmapped:
                return f"its names map no {unmapped}"
        return super().supports(arch, loss)

    def load(self, arch: Architecture, state: Mapping[str, Array]) -> None:
        """Build the user's network and write each state_dict tensor into its place, in its layout."""
        net = self.factory(list(arch.sizes))
        self.arch = arch
        store = self.tensors(net)
        for key in arch.state_keys():
            name = self._user_name(key)
            if name not in store:
                raise LayoutError(f"your network has no tensor {name!r} (for torch's {key!r})")
            want = self._user_shape(key, state[key].shape)
            _check_shape(f"your {name}", np.shape(store[name]), want, self.layout)
        for key in arch.state_keys():
            value = state[key].T if key.endswith("weight") and self.transposed else state[key]
            store[self._user_name(key)] = np.array(value, dtype=self._dtype()).reshape(
                self._user_shape(key, state[key].shape)
            )
        self.net = net

    def forward(self, x: Array) -> Array:
        """The user's forward on a row batch."""
        return np.asarray(self._forward(self.net, x))

    def _raw_gradients(self, x: Array, y: Array) -> Mapping[str, Any]:
        return self._gradients(self.net, x, y)

    def gradients(self, x: Array, y: Array, loss: LossSpec) -> dict[str, Array]:
        """The user's gradients, each checked against its layout and brought to torch's."""
        assert self.arch is not None
        raw = self._raw_gradients(x, y)
        out: dict[str, Array] = {}
        for key in self.arch.state_keys():
            name = self._user_name(key)
            if name not in raw:
                raise LayoutError(f"your gradients have no {name!r} (for torch's {key!r})")
            value = np.asarray(raw[name])
            layer = int(key.split(".")[0]) // 2
            n_in, n_out = self.arch.sizes[layer], self.arch.sizes[layer + 1]
            shape = (n_out, n_in) if key.endswith("weight") else (n_out,)
            _check_shape(f"your ∂L/∂{name}", value.shape, self._user_shape(key, shape), self.layout)
            value = value.T if key.endswith("weight") and self.transposed else value
            out[key] = value.reshape(shape)
        return out

    def input_gradient(self, x: Array, y: Array, loss: LossSpec) -> Array:
        """∂L/∂x from the user's gradients, under `input_key`."""
        assert self.input_key is not None
        return np.asarray(self._raw_gradients(x, y)[self.input_key])

    def loss_gradient(self, y_hat: Array, y: Array, loss: LossSpec) -> Array:
        """The user's ∂L/∂ŷ, given as `loss_gradient`."""
        assert self._loss_gradient is not None
        return np.asarray(self._loss_gradient(y_hat, y))

    def tensor_name(self, key: str) -> str:
        """The user's key of a state_dict tensor."""
        return self._user_name(key)


class WeightDict(Mapped):
    """(in, out) weights and flat biases in a dict `params` (W1, b1, …), row batches, and
    `loss(X, y) -> (loss, grads)` / `loss(X) -> scores` (cs231n's convention)."""

    def __init__(
        self,
        factory: Callable[[list[int]], Any],
        *,
        hidden: str = "relu",
        output: str | None = "identity",
        loss: str = "cross_entropy",
        reduction: str = "mean",
        input_key: str | None = None,
        loss_gradient: Callable[[Array, Array], Array] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            factory,
            tensors=lambda net: net.params,
            names=lambda layer, kind: (
                f"{kind[0].upper()}{layer + 1}" if kind == "weight" else f"b{layer + 1}"
            ),
            forward=lambda net, x: net.loss(x),
            gradients=lambda net, x, y: net.loss(x, y)[1],
            hidden=hidden,
            loss=loss,
            reduction=reduction,
            output=output,
            transposed=True,
            bias_shape="flat",
            input_key=input_key,
            loss_gradient=loss_gradient,
            name=name,
        )
