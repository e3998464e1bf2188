"""The interface every activation g implements, and the checks its settings share.

Vocabulary (the same as the losses'): `value(z)` is g(z) and `gradient(z, a)` is ∂g/∂z elementwise, g′(z)
(C10's g′; `a = g(z)` may be passed when the caller has it, where the course's identity reuses it:
σ′ = σ(1 − σ), tanh′ = 1 − tanh²). A parametric activation (C14) also has `parameters()` and
`parameter_gradients(z)`, the elementwise ∂g(z)/∂θ. `forward`, `derivative` and `parameter_derivatives`
are documented aliases of these three (torch's word `forward` and the course's g′ "derivative", the names
the network calls), kept for code that uses them.

`value` and `gradient` are the formulas themselves, called by the network on its own arrays (whose
overflow to ±inf must pass as torch's does); calling an activation, `act(z)`, checks z first. Given
anything but a float or complex ndarray (a list, a string, an integer array), `value`, `gradient` and
`parameter_gradients` check it as `act(z)` does; an ndarray of floats goes straight to the formula.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from handmlp.validation import float_array, float_dtype, integer, real

Array = NDArray[Any]

__all__ = ["Activation", "LearnableActivation", "check_width", "learnable"]


def _array_argument(formula: Callable[..., Any]) -> Callable[..., Any]:
    """`formula(self, z, …)` with z checked first unless it is already a float or complex ndarray."""

    @functools.wraps(formula)
    def checked(self: Activation, z: Any, *args: Any, **kwargs: Any) -> Any:
        if type(z) is not np.ndarray or z.dtype.kind not in "fc":
            z = np.asarray(z) if isinstance(z, (complex, np.inexact)) else float_array("z", z)
        return formula(self, z, *args, **kwargs)

    return checked


class Activation:
    """An elementwise activation a = g(z) with its derivative g′(z), as the delta rule uses them (C10)."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for method in ("value", "gradient", "parameter_gradients"):
            if method in cls.__dict__:
                setattr(cls, method, _array_argument(cls.__dict__[method]))

    def value(self, z: Array) -> Array:
        """a = g(z)."""
        raise NotImplementedError

    def gradient(self, z: Array, a: Array | None = None) -> Array:
        """g′(z) elementwise; `a` is g(z) when the caller already has it."""
        raise NotImplementedError

    def parameters(self) -> dict[str, Array]:
        """Learnable parameters, by the name torch gives them (C14); none for a fixed activation."""
        return {}

    def parameter_gradients(self, z: Array) -> dict[str, Array]:
        """∂g(z)/∂θ elementwise, one array of z's shape per parameter (C14)."""
        return {}

    def __call__(self, z: Any) -> Array:
        """g(z) for a finite float32 or float64 array `z` (a list becomes float64); anything else refused."""
        return self.value(float_array("z", z))

    def forward(self, z: Array) -> Array:
        """Alias of `value` (torch's name for it): g(z)."""
        return self.value(z)

    def derivative(self, z: Array, a: Array | None = None) -> Array:
        """Alias of `gradient` (the course's g′): the elementwise derivative g′(z)."""
        return self.gradient(z, a)

    def parameter_derivatives(self, z: Array) -> dict[str, Array]:
        """Alias of `parameter_gradients`: ∂g(z)/∂θ elementwise."""
        return self.parameter_gradients(z)

    def build(self, n_units: int, dtype: Any) -> None:
        """Size and type the learnable parameters for a layer of `n_units` (nothing to do when fixed)."""
        integer("n_units", n_units, minimum=1)
        float_dtype(dtype)

    def settings(self) -> dict[str, Any]:
        """The hyper-parameters that, with the name, rebuild this activation."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        return f"{type(self).__name__}({args})"


class LearnableActivation(Activation):
    """An activation with one learnable array (C14), named `parameter_name` as torch names it, of shape
    (num_parameters,): one value shared by the layer (num_parameters = 1, torch's default) or one per unit."""

    parameter_name: ClassVar[str] = ""

    def __init__(self, num_parameters: int, init: float) -> None:
        setattr(self, self.parameter_name, learnable(num_parameters, init))
        self.num_parameters, self.init = int(num_parameters), float(init)

    def build(self, n_units: int, dtype: Any) -> None:
        super().build(n_units, dtype)
        check_width(self.num_parameters, n_units)
        setattr(self, self.parameter_name, getattr(self, self.parameter_name).astype(dtype))

    def parameters(self) -> dict[str, Array]:
        return {self.parameter_name: getattr(self, self.parameter_name)}

    def settings(self) -> dict[str, Any]:
        return {"num_parameters": self.num_parameters, "init": self.init}


def learnable(num_parameters: Any, init: Any) -> Array:
    """A learnable parameter as torch's PReLU weight: shape (num_parameters,), filled with `init`; one value
    shared by the layer (num_parameters = 1) or one per unit."""
    count = integer("num_parameters", num_parameters)
    if count < 1:
        raise ValueError(f"num_parameters: expected a positive integer, got {count}")
    return np.full(count, real("init", init))


def check_width(num_parameters: int, n_units: int) -> None:
    """A per-unit parameter needs the layer's width: num_parameters is 1 or n_units."""
    if num_parameters not in (1, n_units):
        raise ValueError(f"num_parameters: expected 1 or the layer's width {n_units}, got {num_parameters}")
