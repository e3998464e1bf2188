"""A fully connected multilayer perceptron: forward pass and backpropagation by the delta rule (C4, C9, C10).

Layer l (counting from 0) is a Linear map followed by an activation, laid out like
`torch.nn.Sequential(Linear, activation, Linear, activation, …)`: its weight is `f"{2l}.weight"` of shape
(out, in), its bias `f"{2l}.bias"`, and a learnable activation parameter (PReLU's slope) `f"{2l+1}.weight"`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp import validation
from handmlp.activations import Activation, get_activation
from handmlp.linear import init_uniform, linear_backward, linear_forward
from handmlp.losses import Loss, get_loss
from handmlp.metrics import output_labels
from handmlp.validation import check_shape, flag, float_array, float_dtype

Array = NDArray[Any]
ActivationSpec = str | Activation

__all__ = ["MLP", "sum_to_shape"]


class MLP:
    """A network of sizes [n_in, h1, …, n_out]: a_l = g_l(a_{l−1}·W_lᵀ + b_l), trained by backpropagation.

    activation: one name or Activation for every layer, or a list with one per layer (instances are copied,
    so layers never share a parameter); `activations=` is the same argument. bias: one bool, or a list with
    one per layer (C9's four-parameter chain has a bias on its first layer only). dtype: float32 or float64.
    seed: for torch's default U(−1/√n_in, 1/√n_in) initialisation.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: ActivationSpec | Sequence[ActivationSpec] = "sigmoid",
        bias: bool | Sequence[bool] = True,
        dtype: Any = np.float64,
        seed: int | None = 0,
        *,
        activations: Sequence[ActivationSpec] | None = None,
    ) -> None:
        self.sizes = _checked_sizes(sizes)
        n_layers = len(self.sizes) - 1
        self.dtype = float_dtype(dtype)
        if activations is not None:  # the plural spelling, for a list with one per layer
            activation = activations
        specs = _per_layer("activation", activation, n_layers, (str, Activation))
        has_bias = _per_layer("bias", bias, n_layers, (bool,))
        rng = np.random.default_rng(None if seed is None else validation.seed("seed", seed))
        self.weights: list[Array] = []
        self.biases: list[Array | None] = []
        self.activations: list[Activation] = []
        for n_in, n_out, spec, use_bias in zip(self.sizes[:-1], self.sizes[1:], specs, has_bias):
            weight, b = init_uniform(n_out, n_in, rng)
            self.weights.append(weight.astype(self.dtype))
            self.biases.append(b.astype(self.dtype) if use_bias else None)
            act = copy.deepcopy(get_activation(spec))
            act.build(n_out, self.dtype)
            self.activations.append(act)
        self._keys = [  # state_dict names per layer: weight, bias (or None), activation parameters
            (f"{2 * i}.weight", f"{2 * i}.bias" if b is not None else None, f"{2 * i + 1}.")
            for i, b in enumerate(self.biases)
        ]
        self._state_names = self._names()  # backward's key order, fixed once the activations are built
        self._cache: list[tuple[Array, Array, Array]] | None = None
        self._grad_buffers: MappingProxyType[str, Array] | None = None
        self.grad_input: Array | None = None

    # --- the public contract: parameters by torch's state_dict names -------------------------------------

    def parameters(self) -> dict[str, Array]:
        """The live parameter arrays, keyed like torch's state_dict; an optimiser updates them in place."""
        params: dict[str, Array] = {}
        for layer, (weight, bias, act) in enumerate(zip(self.weights, self.biases, self.activations)):
            params[f"{2 * layer}.weight"] = weight
            if bias is not None:
                params[f"{2 * layer}.bias"] = bias
            for name, value in act.parameters().items():
                params[f"{2 * layer + 1}.{name}"] = value
        return params

    def state_dict(self) -> dict[str, Array]:
        """Copies of the parameters, keyed and shaped like torch's Sequential(Linear, act, …).state_dict()."""
        return {name: value.copy() for name, value in self.parameters().items()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy `state` into the parameters, checking every key, shape and dtype before writing any."""
        if not isinstance(state, Mapping):
            raise TypeError(f"state_dict: expected a mapping of name to array, got {type(state).__name__}")
        params = self.parameters()
        missing, extra = sorted(set(params) - set(state)), sorted(set(state) - set(params))
        if missing or extra:
            raise ValueError(
                f"state_dict: keys do not match the network: missing {missing}, unexpected {extra}"
            )
        checked = {}
        for name, target in params.items():
            value = float_array(f"state_dict[{name!r}]", state[name], dtype=self.dtype)
            check_shape(f"state_dict[{name!r}]", value, target.shape)
            checked[name] = value
        for name, target in params.items():
            target[...] = checked[name]

    def gradient_buffers(self) -> Mapping[str, Array]:
        """Arrays shaped like the weights and biases, allocated on the first call and the same ones after
        (a read-only mapping): where a training step's `backward(..., out=)` writes its gradients, so that
        no step allocates them."""
        if self._grad_buffers is None:
            buffers = {}
            for (w_key, b_key, _), weight, bias in zip(self._keys, self.weights, self.biases):
                buffers[w_key] = np.empty_like(weight)
                if b_key is not None and bias is not None:
                    buffers[b_key] = np.empty_like(bias)
            self._grad_buffers = MappingProxyType(buffers)
        return self._grad_buffers

    def num_parameters(self) -> int:
        """Weights, biases and activation parameters: 26 for a 3-4-2 network with biases (C4)."""
        return sum(p.size for p in self.parameters().values())

    def num_weights(self) -> int:
        """Connections between consecutive layers: 3·4 + 4·2 = 20 for a 3-4-2 network (C4)."""
        return sum(w.size for w in self.weights)

    def num_neurons(self) -> int:
        """Units with an activation, i.e. every layer but the input: 4 + 2 = 6 for a 3-4-2 network (C4)."""
        return sum(self.sizes[1:])

    # --- forward and backward ---------------------------------------------------------------------------

    def forward(self, x: Any) -> Array:
        """ŷ for a batch x of shape (batch, n_in), keeping each layer's input and z for backward (C10)."""
        cache: list[tuple[Array, Array, Array]] = []
        output = self._layers(self._checked_input(x), cache)
        self._cache = cache
        self.grad_input = None
        return output

    def _layers(self, a: Array, cache: list[tuple[Array, Array, Array]] | None) -> Array:
        """a_l = g_l(a_(l−1)·W_lᵀ + b_l) layer by layer (C3, C10), appending (a_prev, z, a) to `cache`."""
        for weight, bias, act in zip(self.weights, self.biases, self.activations):
            z = linear_forward(a, weight, bias)
            a_next = act.forward(z)
            if cache is not None:
                cache.append((a, z, a_next))
            a = a_next
        return a

    def output(self, x: Any) -> Array:
        """ŷ for a batch x of shape (batch, n_in), leaving the training state (forward cache, grad_input)
        as it was: for evaluation between training steps."""
        return self._layers(self._checked_input(x), None)

    def _checked_input(self, x: Any) -> Array:
        """x as a finite (batch, n_in) array of the network's dtype."""
        a = float_array("x", x, dtype=self.dtype)
        check_shape("x", a, (None, self.sizes[0]))
        return a

    def predict(self, x: Any) -> Array:
        """Class labels for a batch (see `handmlp.metrics`): argmax_c ŷ_c with several outputs; with one,
        the positive class where ŷ ≥ ½ after a sigmoid output layer (labels 1 and 0), else where ŷ ≥ 0
        (labels +1 and −1, the playground's colours). The training state is left alone."""
        return output_labels(self.output(x), self.activations[-1].name == "sigmoid")

    def backward(
        self, grad_output: Any, *, input_grad: bool = True, out: Mapping[str, Array] | None = None
    ) -> dict[str, Array]:
        """Backpropagate ∂L/∂ŷ through the last forward: δ = ∂L/∂a ⊙ g′(z), then ∂L/∂W = δᵀa, ∂L/∂b = Σδ,
        ∂L/∂a_prev = δW, layer by layer (C9, C10). Returns gradients keyed like state_dict(); ∂L/∂x is
        left in `grad_input` (skipped, and `grad_input` None, with input_grad=False, as training needs it
        not). `out`: arrays keyed like state_dict to write the weight and bias gradients into (reused from
        step to step by training) instead of fresh ones."""
        if self._cache is None:
            raise RuntimeError("backward: call forward(x) first")
        input_grad = flag("input_grad", input_grad)
        grad_a: Any = float_array("grad_output", grad_output, dtype=self.dtype)
        check_shape("grad_output", grad_a, self._cache[-1][2].shape)
        buffers = self._checked_out(out)
        grads: dict[str, Array] = {}
        for layer in reversed(range(len(self.weights))):
            a_prev, z, a = self._cache[layer]
            act = self.activations[layer]
            w_key, b_key, act_prefix = self._keys[layer]
            for name, d_param in act.parameter_derivatives(z).items():
                grads[act_prefix + name] = sum_to_shape(grad_a * d_param, act.parameters()[name].shape)
            delta = grad_a * act.derivative(z, a)
            w_out, b_out = buffers.get(w_key), None if b_key is None else buffers.get(b_key)
            back = layer > 0 or input_grad
            if back and w_out is None and b_out is None:  # the plain call
                grad_w, grad_b, grad_a = linear_backward(delta, a_prev, self.weights[layer])
            else:
                grad_w, grad_b, grad_a = linear_backward(
                    delta, a_prev, self.weights[layer], back, w_out, b_out
                )
            grads[w_key] = grad_w
            if b_key is not None:
                grads[b_key] = grad_b
        self.grad_input = grad_a if input_grad else None
        return {name: grads[name] for name in self._state_names}  # state_dict order

    def _names(self) -> list[str]:
        """The state_dict names in order (weights, biases, activation parameters by layer)."""
        names: list[str] = []
        for (w_key, b_key, act_prefix), act in zip(self._keys, self.activations):
            names.append(w_key)
            if b_key is not None:
                names.append(b_key)
            names.extend(act_prefix + name for name in act.parameters())
        return names

    def _checked_out(self, out: Mapping[str, Array] | None) -> Mapping[str, Array]:
        if out is None:
            return {}
        if self._grad_buffers is not None and out is self._grad_buffers:  # ours: keys, shapes, dtypes right
            return self._grad_buffers
        if not isinstance(out, Mapping):
            raise TypeError(f"out: expected a dict of name to ndarray, got {type(out).__name__}")
        params = self.parameters()
        for name, buf in out.items():
            target = params.get(name)
            if target is None:
                raise ValueError(f"out: unexpected key {name!r}; expected names among {sorted(params)}")
            if not isinstance(buf, np.ndarray) or buf.dtype != target.dtype or buf.shape != target.shape:
                raise TypeError(
                    f"out[{name!r}]: expected a {target.dtype} ndarray of shape {target.shape}, got "
                    f"{type(buf).__name__} {getattr(buf, 'dtype', '')} {getattr(buf, 'shape', '')}"
                )
            if buf is target:
                raise ValueError(f"out[{name!r}]: is the parameter itself; expected a separate buffer")
        return out

    @property
    def input_grad(self) -> Array | None:
        """Alias of `grad_input`: ∂L/∂x from the last backward."""
        return self.grad_input

    def __call__(self, x: Any) -> Array:
        return self.forward(x)

    def loss_and_gradients(self, x: Any, y: Any, loss: str | Loss) -> tuple[float, dict[str, Array]]:
        """One forward and backward pass: L(f(x), y) and ∂L/∂θ for every parameter (C8)."""
        _, value, grad_output = self.forward_loss(x, y, get_loss(loss))
        return value, self.backward(grad_output)

    def forward_loss(self, x: Any, y: Any, loss: Loss) -> tuple[Array, float, Array]:
        """ŷ = forward(x), L(ŷ, y) and ∂L/∂ŷ, with x and y each checked once; the forward cache is kept
        only when the loss has accepted y and its value is finite (ValueError otherwise), so a refused call
        leaves the network as it was. What a training step runs before `backward`."""
        cache: list[tuple[Array, Array, Array]] = []
        y_hat = self._layers(self._checked_input(x), cache)
        value, grad_output = loss.value_and_gradient(y_hat, y)
        if not math.isfinite(value):
            raise ValueError(f"loss: expected a finite value, got {value}")
        self._cache, self.grad_input = cache, None
        return y_hat, value, grad_output

    def save(self, path: Any) -> None:
        """Write the architecture and the weights to one .npz file (see `handmlp.serialize.save`)."""
        from handmlp.serialize import save

        save(self, path)

    @classmethod
    def load(cls, path: Any) -> MLP:
        """The network saved in `path` (see `handmlp.serialize.load`)."""
        from handmlp.serialize import load

        return load(path)

    def __repr__(self) -> str:
        acts = [act.name for act in self.activations]
        bias = [b is not None for b in self.biases]
        return f"MLP(sizes={self.sizes}, activation={acts}, bias={bias}, dtype={self.dtype})"


def _checked_sizes(sizes: Any) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(
            f"sizes: expected a list of layer widths [n_in, …, n_out], got {type(sizes).__name__}"
        )
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"sizes: expected integer widths, got {n!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes: expected at least an input and an output width, got {list(sizes)}")
    for n in sizes:
        if n < 1:
            raise ValueError(f"sizes: expected positive widths, got {list(sizes)}")
    return [int(n) for n in sizes]


def _per_layer(name: str, value: Any, n_layers: int, kinds: tuple[type, ...]) -> list[Any]:
    if isinstance(value, kinds):
        return [value] * n_layers
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected one value or a list of {n_layers}, got {type(value).__name__}")
    if len(value) != n_layers:
        raise ValueError(f"{name}: expected one per layer ({n_layers}), got {len(value)}")
    for item in value:
        if not isinstance(item, kinds):
            raise TypeError(f"{name}: expected {' or '.join(k.__name__ for k in kinds)}, got {item!r}")
    return list(value)


def sum_to_shape(values: Array, shape: tuple[int, ...]) -> Array:
    """Sum ∂L/∂a·∂a/∂θ over the batch, and over the units too when θ is shared by the layer (C14)."""
    per_unit = values.sum(axis=0)
    return per_unit if per_unit.shape == shape else per_unit.sum(keepdims=True).reshape(shape)
