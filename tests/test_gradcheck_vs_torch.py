"""handmlp.gradcheck (C15) against torch.autograd.gradcheck: the same verdicts on correct code, and failures
where torch's defaults (eps=1e-6, atol=1e-5, rtol=1e-3) pass a wrong backward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from handmlp.gradcheck import check_elementwise, check_gradient

# Float64 inputs over a wide range, both signs (small enough for torch's full Jacobian to stay cheap).
X = np.concatenate([-np.logspace(-3, 2.5, 60), np.logspace(-3, 2.5, 60)])

TorchFn = Callable[[torch.Tensor], torch.Tensor]
TORCH_FUNCTIONS: dict[str, TorchFn] = {
    "sin": torch.sin,
    "exp": torch.exp,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": torch.nn.functional.softplus,
    "cube": lambda t: t**3,
}


def numpy_pair(fn: TorchFn) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """torch's function and its autograd derivative, as NumPy functions of an array."""

    def f(x: np.ndarray) -> np.ndarray:
        return fn(torch.from_numpy(np.ascontiguousarray(x))).numpy()

    def df(x: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_(True)
        fn(t).sum().backward()
        assert t.grad is not None
        return t.grad.numpy()

    return f, df


def with_derivative(fn: TorchFn, derivative: Callable[[np.ndarray], np.ndarray]) -> TorchFn:
    """fn with a hand-written backward: grad·derivative(x), so a planted bug reaches torch's gradcheck."""

    class Planted(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
            ctx.save_for_backward(x)
            return fn(x)

        @staticmethod
        def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
            (x,) = ctx.saved_tensors
            return grad * torch.from_numpy(derivative(x.detach().numpy()))

    return Planted.apply


def torch_verdict(fn: TorchFn, x: np.ndarray, fast_mode: bool = False) -> bool:
    """torch.autograd.gradcheck with its defaults, as a bool."""
    t = torch.from_numpy(x.copy()).requires_grad_(True)
    return bool(torch.autograd.gradcheck(fn, (t,), raise_exception=False, fast_mode=fast_mode))


# --- the same verdicts on correct code ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TORCH_FUNCTIONS))
def test_both_pass_torch_functions_with_their_autograd_derivatives(name: str) -> None:
    fn = TORCH_FUNCTIONS[name]
    f, df = numpy_pair(fn)
    assert torch_verdict(fn, X)
    for method in ("central", "richardson"):
        result = check_elementwise(f, df, X, method)
        assert result.passed, result.summary()


def test_both_pass_matrix_function_sum_tanh_w_v() -> None:
    rng = np.random.default_rng(0)
    W, v = rng.normal(size=(5, 4)), rng.normal(size=4)
    vt = torch.from_numpy(v)
    fn = lambda w: torch.tanh(w @ vt).sum()  # noqa: E731
    Wt = torch.from_numpy(W).requires_grad_(True)
    fn(Wt).backward()
    assert Wt.grad is not None
    grad = Wt.grad.numpy()
    assert torch_verdict(fn, W)
    f = lambda w: np.sum(np.tanh(w @ v))  # noqa: E731
    for method in ("central", "richardson", "complex"):
        for mode in ("full", "fast"):
            assert check_gradient(f, W, grad, method, mode).passed


# --- planted bugs ---------------------------------------------------------------------------------------


def cos_scaled(factor: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.cos(x) * factor


@pytest.mark.parametrize("relative_error", [1e-6, 1e-4], ids=["one_ppm", "1e-4"])
def test_torch_defaults_pass_a_derivative_off_by_a_small_factor_ours_fails(relative_error: float) -> None:
    wrong = cos_scaled(1 + relative_error)
    assert torch_verdict(with_derivative(torch.sin, wrong), X)  # torch: rtol=1e-3 lets it through
    assert torch_verdict(with_derivative(torch.sin, wrong), X, fast_mode=True)
    for method in ("central", "richardson", "complex"):
        result = check_elementwise(np.sin, wrong, X, method)
        assert not result.passed
        assert result.rel_error == pytest.approx(relative_error, rel=1e-3)


def test_both_fail_a_wrong_sign() -> None:
    wrong = cos_scaled(-1.0)
    assert not torch_verdict(with_derivative(torch.sin, wrong), X)
    assert not check_elementwise(np.sin, wrong, X).passed


def test_both_fail_a_missing_term() -> None:
    # d/dx x·sin x = sin x + x·cos x; the bug forgets sin x.
    def missing(x: np.ndarray) -> np.ndarray:
        return x * np.cos(x)

    assert not torch_verdict(with_derivative(lambda t: t * torch.sin(t), missing), X)
    assert not check_elementwise(lambda x: x * np.sin(x), missing, X).passed


def test_one_wrong_element_of_a_thousand_torch_misses_at_1e4_and_ours_names_it() -> None:
    x = np.linspace(-4, 4, 1000)

    def wrong(z: np.ndarray) -> np.ndarray:
        d = np.cos(z)
        d[421] *= 1 + 1e-4
        return d

    assert torch_verdict(with_derivative(torch.sin, wrong), x, fast_mode=True)
    result = check_elementwise(np.sin, wrong, x)
    assert not result.passed and result.n_failed == 1 and result.index == (421,)


# --- kinks ----------------------------------------------------------------------------------------------


def test_at_relu_kink_torch_fails_while_ours_reports_a_kink() -> None:
    x = np.linspace(-1, 1, 21)
    x[10] = 0.0
    assert not torch_verdict(torch.relu, x)  # numerical 0.5 against relu′(0) = 0
    f, df = numpy_pair(torch.relu)
    result = check_elementwise(f, df, x)
    assert result.passed and [k.index for k in result.kinks] == [(10,)]
    kink = result.kinks[0]
    assert (kink.left, kink.right, kink.claimed, kink.claimed_between) == (0.0, 1.0, 0.0, True)


def test_at_abs_kink_ours_reports_a_kink_where_torch_passes_by_symmetry() -> None:
    x = np.linspace(-1, 1, 21)
    x[10] = 0.0
    assert torch_verdict(torch.abs, x)  # (|h| − |−h|)/2h = 0 = sign(0): the kink goes unseen
    f, df = numpy_pair(torch.abs)
    result = check_elementwise(f, df, x)
    assert result.passed and result.kinks[0].index == (10,)
    assert (result.kinks[0].left, result.kinks[0].right) == (-1.0, 1.0)
