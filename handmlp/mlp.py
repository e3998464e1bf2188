"""A fully connected multilayer perceptron: forward pass and backpropagation by the delta rule (C4, C9, C10).

Layer l (counting from 0) is a Linear map followed by an activation, laid out like
`torch.nn.Sequential(Linear, activation, Linear, activation, …)`: its weight is `f"{2l}.weight"` of shape
(out, in), its bias `f"{2l}.bias"`, and a learnable activation parameter (PReLU's slope) `f"{2l+1}.weight"`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp.activations import Activation, get_activation
from handmlp.linear import init_uniform, linear_backward, linear_forward
from handmlp.losses import Loss, get_loss
from handmlp.validation import check_shape, float_array, float_dtype

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
        rng = np.random.default_rng(seed)
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
        self._cache: list[tuple[Array, Array, Array]] | None = None
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
        a = float_array("x", x, dtype=self.dtype)
        check_shape("x", a, (None, self.sizes[0]))
        cache = []
        for weight, bias, act in zip(self.weights, self.biases, self.activations):
            z = linear_forward(a, weight, bias)
            a_next = act.forward(z)
            cache.append((a, z, a_next))
            a = a_next
        self._cache = cache
        self.grad_input = None
        return a

    def backward(self, grad_output: Any) -> dict[str, Array]:
        """Backpropagate ∂L/∂ŷ through the last forward: δ = ∂L/∂a ⊙ g′(z), then ∂L/∂W = δᵀa, ∂L/∂b = Σδ,
        ∂L/∂a_prev = δW, layer by layer (C9, C10). Returns gradients keyed like state_dict(); ∂L/∂x is
        left in `grad_input`."""
        if self._cache is None:
            raise RuntimeError("backward: call forward(x) first")
        grad_a = float_array("grad_output", grad_output, dtype=self.dtype)
        check_shape("grad_output", grad_a, self._cache[-1][2].shape)
        grads: dict[str, Array] = {}
        for layer in reversed(range(len(self.weights))):
            a_prev, z, a = self._cache[layer]
            act = self.activations[layer]
            for name, d_param in act.parameter_derivatives(z).items():
                grads[f"{2 * layer + 1}.{name}"] = sum_to_shape(
                    grad_a * d_param, act.parameters()[name].shape
                )
            delta = grad_a * act.derivative(z, a)
            grad_w, grad_b, grad_a = linear_backward(delta, a_prev, self.weights[layer])
            grads[f"{2 * layer}.weight"] = grad_w
            if self.biases[layer] is not None:
                grads[f"{2 * layer}.bias"] = grad_b
        self.grad_input = grad_a
        return {name: grads[name] for name in self.parameters()}

    @property
    def input_grad(self) -> Array | None:
        """Alias of `grad_input`: ∂L/∂x from the last backward."""
        return self.grad_input

    def __call__(self, x: Any) -> Array:
        return self.forward(x)

    def loss_and_gradients(self, x: Any, y: Any, loss: str | Loss) -> tuple[float, dict[str, Array]]:
        """One forward and backward pass: L(f(x), y) and ∂L/∂θ for every parameter (C8)."""
        loss_fn = get_loss(loss)
        y_hat = self.forward(x)
        value = loss_fn.value(y_hat, y)
        return value, self.backward(loss_fn.gradient(y_hat, y))

    def __repr__(self) -> str:
        acts = [act.name for act in self.activations]
        bias = [b is not None for b in self.biases]
        return f"MLP(sizes={self.sizes}, activation={acts}, bias={bias}, dtype={self.dtype})"


def _checked_sizes(sizes: Any) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(
            f"sizes: expected a list of layer widths [n_in, …, n_out], got {type(sizes).__name__}"
        )
    if len(sizes) < 2:
        raise ValueError(f"sizes: expected at least an input and an output width, got {list(sizes)}")
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"sizes: expected integer widths, got {n!r}")
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
