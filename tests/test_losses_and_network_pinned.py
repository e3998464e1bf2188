"""What the rest of the suite leaves loose in the losses, the linear layer and the network, pinned: the exact
refusal messages (not only the argument named first), the defaults (torch's mean reduction, the network's
sigmoid layers with biases, float64 and seed 0), the documented floating-point cases under
np.errstate(all="raise"), the caller's arrays left alone, and gradient buffers written in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import handmlp.mlp
from handmlp import MLP, Activation, get_loss
from handmlp.linear import linear_backward, linear_forward
from handmlp.losses import LOSSES, HalfSquaredError, Loss

F64 = np.float64

# (call, error, the whole message)
LOSS_REFUSALS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "reduction_int",
        lambda: get_loss("l1", 1),  # type: ignore[arg-type]
        TypeError,
        "reduction: expected one of ['sum', 'mean'], got int 1",
    ),
    (
        "reduction_unknown",
        lambda: get_loss("l1", "none"),
        ValueError,
        "reduction: expected 'sum' or 'mean', got 'none'",
    ),
    ("spec_int", lambda: get_loss(3), TypeError, "loss: expected a name or a Loss, got int"),  # type: ignore[arg-type]
    (
        "spec_unknown",
        lambda: get_loss("nope"),
        ValueError,
        "loss: unknown name 'nope'; expected one of ['bce_with_logits', 'binary_cross_entropy', "
        "'cross_entropy', 'half_squared_error', 'hinge', 'l1', 'squared_error', 'zero_one']",
    ),
    (
        "empty",
        lambda: get_loss("l1").value(np.zeros(0), np.zeros(0)),
        ValueError,
        "y_hat: expected at least one element, got an empty array",
    ),
    (
        "hinge_labels",
        lambda: get_loss("hinge").value(np.zeros(4), np.array([1.0, -1.0, 0.5, 2.0])),
        ValueError,
        "y: expected labels +1 or -1, got 0.5",
    ),
    (
        "bce_y_hat_outside",
        lambda: get_loss("binary_cross_entropy").value(np.array([0.0, 1.0, 1.5, -0.5]), np.zeros(4)),
        ValueError,
        "y_hat: expected values in [0, 1], got 1.5",
    ),
    (
        "bce_y_outside",
        lambda: get_loss("binary_cross_entropy").value(np.full(4, 0.5), np.array([0.0, 1.0, 1.5, -1.0])),
        ValueError,
        "y: expected values in [0, 1], got 1.5",
    ),
    (
        "bce_logits_y_outside",
        lambda: get_loss("bce_with_logits").value(np.zeros(4), np.array([0.0, 1.0, -0.5, 3.0])),
        ValueError,
        "y: expected values in [0, 1], got -0.5",
    ),
    (
        "cross_entropy_labels_out_of_range",
        lambda: get_loss("cross_entropy").value(np.zeros((4, 3)), np.array([0, 2, 3, -1])),
        ValueError,
        "y: expected class labels in 0..2, got 3",
    ),
    (
        "cross_entropy_negative_label",
        lambda: get_loss("cross_entropy").value(np.zeros((3, 3)), np.array([0, -1, 5])),
        ValueError,
        "y: expected class labels in 0..2, got -1",
    ),
    (
        "cross_entropy_float_labels",
        lambda: get_loss("cross_entropy").value(np.zeros((2, 3)), np.array([0.0, 1.0])),
        TypeError,
        "y: expected integer class labels, got dtype float64",
    ),
    (
        "cross_entropy_1d_logits",
        lambda: get_loss("cross_entropy").value(np.zeros(3), np.array([0, 1, 2])),
        ValueError,
        "y_hat: expected logits of shape (batch, classes), got (3,)",
    ),
    (
        "cross_entropy_no_classes",
        lambda: get_loss("cross_entropy").value(np.zeros((2, 0)), np.array([0, 0])),
        ValueError,
        "y_hat: expected logits of shape (batch, classes), got (2, 0)",
    ),
    (
        "cross_entropy_no_samples",
        lambda: get_loss("cross_entropy").value(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        ValueError,
        "y_hat: expected logits of shape (batch, classes), got (0, 3)",
    ),
    (
        "cross_entropy_labels_per_class",
        lambda: get_loss("cross_entropy").value(np.zeros((2, 3)), np.array([0, 1, 2])),
        ValueError,
        "y: expected shape (2), got (3,)",
    ),
    (
        "zero_one_gradient",
        lambda: get_loss("zero_one").gradient(np.zeros(2), np.zeros(2)),
        ValueError,
        "zero_one: the zero-one loss is piecewise constant, so its gradient is 0 almost everywhere and "
        "undefined at the jumps; train with hinge, l1 or a cross-entropy and report zero_one as a metric",
    ),
]


@pytest.mark.parametrize(
    ("case", "call", "error", "message"), LOSS_REFUSALS, ids=[c[0] for c in LOSS_REFUSALS]
)
def test_every_loss_refusal_message_is_exact(
    case: str, call: Callable[[], Any], error: type[Exception], message: str
) -> None:
    """The whole message: the argument, what was expected and the first offending value, not only a prefix."""
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


# --- the network's refusals, whole messages ------------------------------------------------------------


def _net() -> MLP:
    return MLP([3, 4, 2], seed=0)


def _forwarded() -> MLP:
    net = _net()
    net.forward(np.zeros((2, 3)))
    return net


NETWORK_REFUSALS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "sizes_int",
        lambda: MLP(3),  # type: ignore[arg-type]
        TypeError,
        "sizes: expected a list of layer widths [n_in, …, n_out], got int",
    ),
    (
        "sizes_string",
        lambda: MLP("34"),  # type: ignore[arg-type]
        TypeError,
        "sizes: expected a list of layer widths [n_in, …, n_out], got str",
    ),
    ("sizes_float", lambda: MLP([3, 2.5]), TypeError, "sizes: expected integer widths, got 2.5"),  # type: ignore[list-item]
    ("sizes_bool", lambda: MLP([3, True]), TypeError, "sizes: expected integer widths, got True"),
    (
        "sizes_one",
        lambda: MLP([3]),
        ValueError,
        "sizes: expected at least an input and an output width, got [3]",
    ),
    ("sizes_zero", lambda: MLP([3, 0, 2]), ValueError, "sizes: expected positive widths, got [3, 0, 2]"),
    (
        "activation_int",
        lambda: MLP([3, 4, 2], 5),  # type: ignore[arg-type]
        TypeError,
        "activation: expected one value or a list of 2, got int",
    ),
    (
        "activation_too_few",
        lambda: MLP([3, 4, 2], ["tanh"]),
        ValueError,
        "activation: expected one per layer (2), got 1",
    ),
    (
        "activation_none_in_list",
        lambda: MLP([3, 4, 2], [None, "tanh"]),  # type: ignore[list-item]
        TypeError,
        "activation: expected str or Activation, got None",
    ),
    ("bias_int_in_list", lambda: MLP([3, 4, 2], bias=[1, True]), TypeError, "bias: expected bool, got 1"),  # type: ignore[list-item]
    (
        "state_dict_list",
        lambda: _net().load_state_dict([1]),  # type: ignore[arg-type]
        TypeError,
        "state_dict: expected a mapping of name to array, got list",
    ),
    (
        "state_dict_keys",
        lambda: _net().load_state_dict({"0.weight": np.zeros((4, 3)), "9.x": np.zeros(1)}),
        ValueError,
        "state_dict: keys do not match the network: missing ['0.bias', '2.bias', '2.weight'], "
        "unexpected ['9.x']",
    ),
    (
        "state_dict_extra_key_only",
        lambda: _net().load_state_dict({**_net().state_dict(), "1.weight": np.zeros(1)}),
        ValueError,
        "state_dict: keys do not match the network: missing [], unexpected ['1.weight']",
    ),
    (
        "state_dict_missing_key_only",
        lambda: _net().load_state_dict({k: v for k, v in _net().state_dict().items() if k != "2.bias"}),
        ValueError,
        "state_dict: keys do not match the network: missing ['2.bias'], unexpected []",
    ),
    (
        "state_dict_shape",
        lambda: _net().load_state_dict({**_net().state_dict(), "2.weight": np.zeros((4, 2))}),
        ValueError,
        "state_dict['2.weight']: expected shape (2, 4), got (4, 2)",
    ),
    (
        "state_dict_dtype",
        lambda: _net().load_state_dict({**_net().state_dict(), "0.bias": np.zeros(4, np.float32)}),
        TypeError,
        "state_dict['0.bias']: expected dtype float64 to match the network, got float32; "
        "convert with state_dict['0.bias'].astype(np.float64)",
    ),
    (
        "backward_first",
        lambda: _net().backward(np.zeros((2, 2))),
        RuntimeError,
        "backward: call forward(x) first",
    ),
    (
        "grad_output_shape",
        lambda: _forwarded().backward(np.zeros((2, 3))),
        ValueError,
        "grad_output: expected shape (2, 2), got (2, 3)",
    ),
    (
        "grad_output_dtype",
        lambda: _forwarded().backward(np.zeros((2, 2), np.float32)),
        TypeError,
        "grad_output: expected dtype float64 to match the network, got float32; "
        "convert with grad_output.astype(np.float64)",
    ),
    (
        "input_grad_string",
        lambda: _forwarded().backward(np.zeros((2, 2)), input_grad="no"),  # type: ignore[arg-type]
        TypeError,
        "input_grad: expected True or False, got str 'no'",
    ),
    (
        "out_list",
        lambda: _forwarded().backward(np.zeros((2, 2)), out=[]),  # type: ignore[arg-type]
        TypeError,
        "out: expected a dict of name to ndarray, got list",
    ),
    (
        "out_key",
        lambda: _forwarded().backward(np.zeros((2, 2)), out={"9.weight": np.zeros(1)}),
        ValueError,
        "out: unexpected key '9.weight'; expected names among ['0.bias', '0.weight', '2.bias', '2.weight']",
    ),
    (
        "out_list_buffer",
        lambda: _forwarded().backward(np.zeros((2, 2)), out={"0.weight": [0.0]}),  # type: ignore[dict-item]
        TypeError,
        "out['0.weight']: expected a float64 ndarray of shape (4, 3), got list  ",
    ),
    (
        "out_wrong_shape",
        lambda: _forwarded().backward(np.zeros((2, 2)), out={"2.weight": np.zeros((4, 2))}),
        TypeError,
        "out['2.weight']: expected a float64 ndarray of shape (2, 4), got ndarray float64 (4, 2)",
    ),
    (
        "out_wrong_dtype",
        lambda: _forwarded().backward(np.zeros((2, 2)), out={"2.bias": np.zeros(2, np.float32)}),
        TypeError,
        "out['2.bias']: expected a float64 ndarray of shape (2,), got ndarray float32 (2,)",
    ),
    (
        "x_width",
        lambda: _net().forward(np.zeros((2, 4))),
        ValueError,
        "x: expected shape (any, 3), got (2, 4)",
    ),
    (
        "x_width_output",
        lambda: _net().output(np.zeros((2, 4))),
        ValueError,
        "x: expected shape (any, 3), got (2, 4)",
    ),
    (
        "x_dtype",
        lambda: _net().forward(np.zeros((2, 3), np.float32)),
        TypeError,
        "x: expected dtype float64 to match the network, got float32; convert with x.astype(np.float64)",
    ),
]


@pytest.mark.parametrize(
    ("case", "call", "error", "message"), NETWORK_REFUSALS, ids=[c[0] for c in NETWORK_REFUSALS]
)
def test_every_network_refusal_message_is_exact(
    case: str, call: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_a_network_left_unset_is_torchs_sequential_of_sigmoid_layers_with_biases_float64_seed_0() -> None:
    """The defaults, each pinned: MLP(sizes) is MLP(sizes, "sigmoid", True, float64, seed=0)."""
    net = MLP([3, 4, 2])
    explicit = MLP([3, 4, 2], "sigmoid", bias=True, dtype=np.float64, seed=0)
    assert (
        repr(net)
        == "MLP(sizes=[3, 4, 2], activation=['sigmoid', 'sigmoid'], bias=[True, True], dtype=float64)"
    )
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for (name, ours), (other, theirs) in zip(net.state_dict().items(), explicit.state_dict().items()):
        assert name == other and ours.dtype == F64 and ours.tobytes() == theirs.tobytes()
    assert net.grad_input is None and net.input_grad is None  # nothing computed yet


# --- losses: defaults, floating-point state, the caller's arrays -----------------------------------------


def test_every_loss_defaults_to_torchs_mean_reduction() -> None:
    y_hat, y = np.array([[0.2, -0.4], [1.0, 0.5]]), np.array([[1.0, -1.0], [1.0, 1.0]])
    for name, cls in LOSSES.items():
        built, by_name = cls(), get_loss(name)
        assert built.reduction == by_name.reduction == "mean", name
        assert repr(built) == f"{cls.__name__}(reduction='mean')"
    assert get_loss("l1").value(y_hat, y) == get_loss("l1", "sum").value(y_hat, y) / 4


# The documented floating-point cases of each loss (BCE's log 0, the exponentials that underflow in the
# stable forms), which each loss must absorb itself whatever the caller's np.errstate.
DOCUMENTED_EXTREMES: list[tuple[str, list[list[float]], Any]] = [
    ("binary_cross_entropy", [[0.0, 1.0, 0.5, 1.0]], [[1.0, 0.0, 1.0, 0.0]]),
    ("bce_with_logits", [[-1000.0, 1000.0, 0.0, -40.0]], [[0.0, 1.0, 0.5, 1.0]]),
    ("cross_entropy", [[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]], np.array([1, 2])),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize(("name", "y_hat", "y"), DOCUMENTED_EXTREMES, ids=[c[0] for c in DOCUMENTED_EXTREMES])
def test_every_loss_runs_under_errstate_raise_at_its_documented_extremes(
    name: str, y_hat: list[list[float]], y: Any, reduction: str, dtype: type
) -> None:
    """log 0 and e^(−1000) are expected there and handled (clamped at −100, below u of a sum): no caller's
    np.errstate(all="raise") may turn them into a FloatingPointError, and the results are the same bits."""
    fn = get_loss(name, reduction)
    y_hat_a: np.ndarray = np.array(y_hat, dtype=dtype)
    y_a = y if name == "cross_entropy" else np.array(y, dtype=dtype)
    value, grad = fn.value(y_hat_a, y_a), fn.gradient(y_hat_a, y_a)
    with np.errstate(all="raise"):
        assert fn.value(y_hat_a, y_a) == value
        assert fn.gradient(y_hat_a, y_a).tobytes() == grad.tobytes()
        pair = fn.value_and_gradient(y_hat_a, y_a)
        assert pair[0] == value and pair[1].tobytes() == grad.tobytes()
    assert np.isfinite(value) and np.all(np.isfinite(grad))


class _HalfSquare(Loss):
    """ℓ = ½ŷ², ∂ℓ/∂ŷ = ŷ: a user's loss whose elementwise gradient is ŷ itself, the caller's array."""

    name = "half_square"

    def elementwise(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 0.5 * y_hat * y_hat

    def elementwise_gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return y_hat


class _Correlation(Loss):
    """ℓ = y·ŷ, ∂ℓ/∂ŷ = y: the caller's target array itself."""

    name = "correlation"

    def elementwise(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return y * y_hat

    def elementwise_gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return y


class _Slope(Loss):
    """ℓ = 3ŷ, ∂ℓ/∂ŷ = 3 everywhere: a read-only broadcast of one number."""

    name = "slope"

    def elementwise(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 3.0 * y_hat

    def elementwise_gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.float64(3.0), y_hat.shape)


@pytest.mark.parametrize(
    ("loss_class", "expected"),
    [(_HalfSquare, "y_hat"), (_Correlation, "y"), (_Slope, "three")],
    ids=["gradient_is_y_hat", "gradient_is_y", "gradient_is_read_only"],
)
def test_the_mean_never_divides_the_callers_arrays_or_a_read_only_gradient_in_place(
    loss_class: type[Loss], expected: str
) -> None:
    """Only a fresh, writeable array of the loss's own gets the 1/n in place; ŷ, y or a broadcast it
    returns as its gradient are divided into a new array, and the caller's arrays stay bit for bit."""
    y_hat, y = np.array([[0.5, -2.0], [4.0, 1.0]]), np.array([[1.0, 3.0], [-1.0, 2.0]])
    saved = y_hat.copy(), y.copy()
    want = {"y_hat": saved[0], "y": saved[1], "three": np.full((2, 2), 3.0)}[expected] / 4
    loss = loss_class("mean")
    for grad in (loss.gradient(y_hat, y), loss.value_and_gradient(y_hat, y)[1]):
        assert grad.tobytes() == want.tobytes()
        assert y_hat.tobytes() == saved[0].tobytes() and y.tobytes() == saved[1].tobytes()


def test_the_mean_gradient_is_the_losss_own_fresh_array_scaled_in_place() -> None:
    """The training step's ∂L/∂ŷ allocates once: the 1/n goes into the array elementwise_gradient made."""
    made: list[np.ndarray] = []

    class Recorded(HalfSquaredError):  # noqa: N818 (a loss, not an exception: ½(ŷ − y)² is "HalfSquaredError")
        def elementwise_gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
            made.append(super().elementwise_gradient(y_hat, y))
            return made[-1]

    y_hat, y = np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]])
    grad = Recorded().gradient(y_hat, y)
    assert grad is made[-1] and np.array_equal(grad, [[0.5, -1.0]])
    assert Recorded().value_and_gradient(y_hat, y)[1] is made[-1]


# --- the linear layer ----------------------------------------------------------------------------------


def test_linear_backward_gives_the_input_gradient_by_default_and_none_when_not_asked() -> None:
    rng = np.random.default_rng(3)
    delta, a_prev, weight = rng.normal(size=(5, 2)), rng.normal(size=(5, 3)), rng.normal(size=(2, 3))
    grad_w, grad_b, grad_a = linear_backward(delta, a_prev, weight)
    assert grad_a is not None and grad_a.tobytes() == (delta @ weight).tobytes()
    assert (
        grad_w.tobytes() == (delta.T @ a_prev).tobytes() and grad_b.tobytes() == delta.sum(axis=0).tobytes()
    )
    skipped = linear_backward(delta, a_prev, weight, input_grad=False)
    assert skipped[2] is None
    assert skipped[0].tobytes() == grad_w.tobytes() and skipped[1].tobytes() == grad_b.tobytes()


def test_linear_backward_writes_both_gradients_into_the_buffers_it_is_given() -> None:
    rng = np.random.default_rng(4)
    delta, a_prev, weight = rng.normal(size=(5, 2)), rng.normal(size=(5, 3)), rng.normal(size=(2, 3))
    fresh = linear_backward(delta, a_prev, weight)
    w_buf, b_buf = np.full((2, 3), np.nan), np.full(2, np.nan)
    grad_w, grad_b, grad_a = linear_backward(delta, a_prev, weight, True, w_buf, b_buf)
    assert grad_w is w_buf and grad_b is b_buf
    assert w_buf.tobytes() == fresh[0].tobytes() and b_buf.tobytes() == fresh[1].tobytes()
    assert grad_a is not None and grad_a.tobytes() == fresh[2].tobytes()


def test_linear_forward_adds_the_bias_per_unit_or_none() -> None:
    a_prev, weight, bias = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, 3.0]]), np.array([0.5, -1.0])
    assert np.array_equal(linear_forward(a_prev, weight, bias), [[1.5, 5.0]])
    assert np.array_equal(linear_forward(a_prev, weight, None), [[1.0, 6.0]])


# --- the network's gradient buffers --------------------------------------------------------------------


def test_backward_writes_every_weight_and_bias_gradient_into_the_networks_buffers() -> None:
    rng = np.random.default_rng(5)
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=1)
    x, g = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    net.forward(x)
    fresh = net.backward(g)
    buffers = net.gradient_buffers()
    for input_grad in (True, False):
        for buf in buffers.values():
            buf[...] = np.nan
        written = net.backward(g, input_grad=input_grad, out=buffers)
        for name, value in fresh.items():
            assert written[name] is buffers[name] and buffers[name].tobytes() == value.tobytes(), name


@pytest.mark.parametrize(
    "keys",
    [("0.weight", "2.weight"), ("0.bias", "2.bias"), ("2.weight", "0.bias")],
    ids=["weights_only", "biases_only", "one_of_each"],
)
def test_backward_writes_into_whichever_buffers_it_is_given_and_fresh_arrays_for_the_rest(
    keys: tuple[str, ...],
) -> None:
    rng = np.random.default_rng(6)
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=2)
    x, g = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    net.forward(x)
    fresh = net.backward(g)
    out = {key: np.full_like(fresh[key], np.nan) for key in keys}
    written = net.backward(g, out=out)
    for name, value in fresh.items():
        assert written[name].tobytes() == value.tobytes(), name
        assert (written[name] is out[name]) if name in out else not np.shares_memory(written[name], value)
    assert net.grad_input is not None


def test_bad_buffers_are_refused_even_once_the_network_has_its_own() -> None:
    """Only the network's own mapping skips the checks, not any mapping once it exists."""
    net = _forwarded()
    own = net.gradient_buffers()
    with pytest.raises(TypeError, match=r"^out\['0.weight'\]: expected a float64 ndarray of shape \(4, 3\)"):
        net.backward(np.zeros((2, 2)), out={"0.weight": np.zeros((3, 4))})
    with pytest.raises(ValueError, match=r"^out: unexpected key '9.weight'"):
        net.backward(np.zeros((2, 2)), out={"9.weight": np.zeros(1)})
    assert net.backward(np.zeros((2, 2)), out=own)["0.weight"] is own["0.weight"]


def test_forward_forgets_the_last_input_gradient() -> None:
    net = _forwarded()
    net.backward(np.ones((2, 2)))
    assert net.grad_input is not None
    net.forward(np.zeros((2, 3)))
    assert net.grad_input is None and net.input_grad is None


def test_backward_without_the_input_gradient_skips_the_first_layers_delta_times_w(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """input_grad=False spares the first layer's ∂L/∂a = δW (training needs it not); the other layers
    still pass theirs down."""
    computed: list[bool] = []
    real = linear_backward

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        computed.append(result[2] is not None)
        return result

    net = MLP([3, 4, 4, 2], seed=3)
    net.forward(np.ones((2, 3)))
    monkeypatch.setattr(handmlp.mlp, "linear_backward", spy)
    net.backward(np.ones((2, 2)), input_grad=False)
    assert computed == [True, True, False]  # layers 2, 1, 0
    computed.clear()
    net.backward(np.ones((2, 2)), input_grad=False, out=net.gradient_buffers())
    assert computed == [True, True, False]
    computed.clear()
    net.backward(np.ones((2, 2)))
    assert computed == [True, True, True]


@pytest.mark.parametrize(
    ("activations", "labels"),
    [
        (["sigmoid", "sigmoid", "identity"], (-1.0, 1.0)),
        (["identity", "tanh", "sigmoid"], (0, 1)),
        (["sigmoid", "identity", "tanh"], (-1.0, 1.0)),
    ],
    ids=["identity_output", "sigmoid_output", "tanh_output"],
)
def test_predict_reads_the_output_layers_activation_not_another_layers(
    activations: list[str], labels: tuple[float, float]
) -> None:
    x = np.random.default_rng(7).normal(size=(8, 3))
    net = MLP([3, 4, 4, 1], activations, seed=4)
    scores = net.output(x)[:, 0]
    threshold = 0.5 if activations[-1] == "sigmoid" else 0.0
    expected = np.where(scores >= threshold, labels[1], labels[0])
    predicted = net.predict(x)
    assert predicted.dtype == expected.dtype and np.array_equal(predicted, expected)


class _Scale(Activation):
    """g(z) = s·z with one learnable 0-d scale s, held as the user's own array (no build step copies it)."""

    name = "scale"

    def __init__(self) -> None:
        self.scale = np.array(2.0)

    def value(self, z: np.ndarray) -> np.ndarray:
        return self.scale * z

    def gradient(self, z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
        return np.full_like(z, self.scale)

    def parameters(self) -> dict[str, np.ndarray]:
        return {"scale": self.scale}

    def parameter_gradients(self, z: np.ndarray) -> dict[str, np.ndarray]:
        return {"scale": z}


def test_layers_built_from_one_activation_instance_never_share_its_parameter() -> None:
    shared = _Scale()
    net = MLP([2, 3, 1], shared, seed=0)
    net.parameters()["1.scale"][...] = 5.0
    assert net.parameters()["3.scale"] == 2.0 and shared.scale == 2.0


def test_a_0_d_activation_parameter_gets_a_0_d_gradient() -> None:
    """∂L/∂s summed over the batch and the units, shaped like s itself (torch's grad has the parameter's
    shape), so that an optimiser can subtract it in place."""
    net = MLP([2, 3, 2], _Scale(), seed=0)
    x, g = np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[1.0, -2.0], [0.5, 3.0]])
    net.forward(x)
    z = net._cache[-1][1]  # type: ignore[index]
    grads = net.backward(g)
    assert grads["3.scale"].shape == () and grads["1.scale"].shape == ()
    assert float(grads["3.scale"]) == float((g * z).sum(axis=0).sum())


def test_zero_one_counts_in_the_predictions_dtype_like_every_loss() -> None:
    """One mistake in three float32 predictions: the mean is float32's 1/3, as torch's
    (ŷ ≠ y).float().mean() gives, not float64's."""
    y_hat = np.array([1.0, -1.0, 1.0], np.float32)
    y = np.array([1.0, 1.0, 1.0], np.float32)
    assert get_loss("zero_one").value(y_hat, y) == float(np.float32(1.0) / np.float32(3.0)) != 1 / 3
    assert get_loss("zero_one").elementwise(y_hat, y).dtype == np.float32


def test_seed_none_draws_a_network_from_fresh_entropy_within_torchs_bounds() -> None:
    net = MLP([4, 3, 2], seed=None)
    for layer, fan_in in ((0, 4), (2, 3)):
        for kind in ("weight", "bias"):
            assert np.abs(net.parameters()[f"{layer}.{kind}"]).max() <= 1 / np.sqrt(fan_in)


def test_bce_with_logits_at_the_decision_boundary_is_log_2_exactly() -> None:
    """ℓ(0, y) = (1 − y)·0 + log(1 + e⁰) = log 2 for every target: the stable form's shift m = max(−x, 0) is
    0 there, and any other shift (mathematically the same) rounds differently."""
    loss = get_loss("bce_with_logits", "sum")
    for target in (0.0, 0.3, 1.0):
        assert loss.value(np.array([[0.0]]), np.array([[target]])) == float(np.log(2.0))


def test_cross_entropys_logits_are_refused_by_their_own_name() -> None:
    """Logits that are not finite, or not numbers, are named `y_hat` in the message, as in every loss."""
    loss = get_loss("cross_entropy")
    with pytest.raises(ValueError, match=r"^y_hat: expected finite values, got nan at index \(0, 1\)$"):
        loss.value(np.array([[0.0, np.nan]]), np.array([0]))
    with pytest.raises(TypeError, match=r"^y_hat: "):
        loss.value([["a", "b"]], np.array([0]))
