"""handmlp.train.fit: what a History holds, what C13's sum and mean objectives do, the course's smallest
examples (C6, C7) trained to their answers, and bad input refused before anything moves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from handmlp.batching import iterations_per_epoch
from handmlp.losses import get_loss
from handmlp.mlp import MLP
from handmlp.optim import SGD
from handmlp.train import StepRecord, fit
from reference.oracle.compare import assert_within_bound, gamma, unit_roundoff

Array = Any

C6_X = np.array([[10.0], [2.0], [3.5], [1.0]])
C6_Y = np.array([[10.1], [1.9], [3.4], [1.1]])


def _data(n: int = 10, seed: int = 0) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.tanh(X @ np.array([[0.5], [-1.0], [0.25]]))


def _net(dtype: Any = np.float64) -> MLP:
    return MLP([3, 4, 1], ["tanh", "identity"], dtype=dtype, seed=2)


def test_history_counts_steps_epochs_and_parameters() -> None:
    net = _net()
    X, Y = _data()
    opt = SGD(net.parameters(), lr=0.1, momentum=0.5)
    seen: list[StepRecord] = []
    history = fit(net, "half_squared_error", opt, X, Y, 3, 4, callback=seen.append, record_parameters=True)
    assert history.steps == 3 * iterations_per_epoch(10, 4) == 9
    assert len(history.epoch_losses) == 3
    assert [r.step for r in seen] == list(range(9))
    assert [r.epoch for r in seen] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert [r.loss for r in seen] == history.step_losses
    assert all(np.array_equal(r.indices, b) for r, b in zip(seen, history.batches))
    assert len(history.parameters) == 10
    for name, value in net.state_dict().items():
        np.testing.assert_array_equal(history.parameters[-1][name], value)
    assert not np.array_equal(history.parameters[0]["0.weight"], history.parameters[-1]["0.weight"])


def test_epoch_loss_is_the_objective_accumulated_over_the_epoch() -> None:
    X, Y = _data()
    net = _net()
    per_sample = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.0), X, Y, 1, 1, objective="sum")
    assert per_sample.epoch_losses[0] == pytest.approx(sum(per_sample.step_losses), rel=1e-15, abs=0.0)
    net = _net()
    full = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.0), X, Y, 1, None)
    assert full.epoch_losses == full.step_losses
    # lr = 0: every batch sees the same weights, so the epoch's mean equals the full-batch mean loss
    net = _net()
    mini = fit(net, "half_squared_error", SGD(net.parameters(), lr=0.0), X, Y, 1, 3)
    assert mini.epoch_losses[0] == pytest.approx(
        full.epoch_losses[0], rel=8 * unit_roundoff(np.float64), abs=0.0
    )


def test_same_seed_trains_bit_for_bit_the_same_and_another_seed_does_not() -> None:
    X, Y = _data()
    finals = []
    for seed in (5, 5, 6):
        net = _net()
        fit(net, "half_squared_error", SGD(net.parameters(), lr=0.1), X, Y, 2, 3, seed=seed)
        finals.append(net.state_dict()["0.weight"])
    assert np.array_equal(finals[0], finals[1])
    assert not np.array_equal(finals[0], finals[2])


def test_sum_and_mean_objective_gradients_differ_exactly_by_n() -> None:
    """C13: ∇Σ_i L_i = N·∇(1/N)Σ_i L_i. With N = 8 (one output, so the mean divides by N) the scaling is by
    a power of two, exact in floating point, so the equality is bitwise."""
    X, Y = _data(n=8)
    net = _net()
    _, g_sum = net.loss_and_gradients(X, Y, get_loss("half_squared_error", "sum"))
    _, g_mean = net.loss_and_gradients(X, Y, get_loss("half_squared_error", "mean"))
    for name in g_sum:
        np.testing.assert_array_equal(g_sum[name], 8.0 * g_mean[name])


def test_full_batch_sum_objective_with_lr_over_n_trains_exactly_as_mean() -> None:
    X, Y = _data(n=8)
    runs = []
    for objective, lr in (("sum", 0.5 / 8), ("mean", 0.5)):
        net = _net()
        fit(net, "half_squared_error", SGD(net.parameters(), lr=lr), X, Y, 20, None, objective=objective)
        runs.append(net.state_dict())
    for name in runs[0]:
        np.testing.assert_array_equal(runs[0][name], runs[1][name])


def test_c6_full_batch_descent_converges_to_the_least_squares_weight() -> None:
    """C6: ŷ = w·x, L = Σ½(y − wx)², minimised by w* = Σxy/Σx² = 117.8/117.25. With η = 0.008 < 2/Σx² the
    error contracts by |1 − ηΣx²| = 0.062 a step, so 200 steps reach the floating-point fixed point: where
    the computed gradient Σx(wx − y), wrong by at most γ_(N+2)·Σ|x|(|wx| + |y|), no longer moves w. There
    |w − w*| ≤ γ_(N+2)·Σ|x|(|w*x| + |y|)/Σx², plus the rounding of w* itself (u·|w*|) on each side."""
    net = MLP([1, 1], "identity", bias=False, seed=0)
    fit(net, "half_squared_error", SGD(net.parameters(), lr=0.008), C6_X, C6_Y, 200, None, objective="sum")
    w_star = 117.8 / 117.25
    u = unit_roundoff(np.float64)
    sum_x2 = float((C6_X**2).sum())
    bound = (
        gamma(len(C6_X) + 2, u)
        * float((np.abs(C6_X) * (np.abs(w_star * C6_X) + np.abs(C6_Y))).sum())
        / sum_x2
    )
    assert_within_bound("C6 w", net.parameters()["0.weight"][0, 0], w_star, bound + 2 * u * w_star)


def test_c7_the_two_update_lines_are_the_vectorised_rule() -> None:
    """C7: w_i ← w_i + η(y − ŷ)·x_i for i = 1, 2, written out line by line, against fit's batch of one.
    Dyadic numbers (η = 1/8, x, y, w multiples of 1/4 within ±4) make every operation exact: bitwise."""
    net = MLP([2, 1], "identity", bias=False, seed=0)
    net.load_state_dict({"0.weight": np.array([[0.25, -0.75]])})
    x, y, eta = np.array([[0.5, 2.0]]), np.array([[1.25]]), 0.125
    w1, w2 = 0.25, -0.75
    y_hat = w1 * x[0, 0] + w2 * x[0, 1]
    w1 = w1 + eta * (y[0, 0] - y_hat) * x[0, 0]
    w2 = w2 + eta * (y[0, 0] - y_hat) * x[0, 1]
    fit(net, "half_squared_error", SGD(net.parameters(), lr=eta), x, y, 1, 1, objective="sum")
    np.testing.assert_array_equal(net.parameters()["0.weight"], [[w1, w2]])


# --- bad input: refused before the first step, weights and optimiser state bit for bit unchanged --------


def _bad_fits() -> list[tuple[str, dict[str, Any], type[Exception], str]]:
    X, Y = _data()
    nan_X = X.copy()
    nan_X[3, 1] = np.nan
    return [
        ("mismatched lengths", {"Y": Y[:-1]}, ValueError, r"Y: expected one target per sample of X \(10\)"),
        ("empty dataset", {"X": X[:0], "Y": Y[:0]}, ValueError, "X: expected at least one sample"),
        ("batch size 0", {"batch_size": 0}, ValueError, "batch_size: expected an integer ≥ 1, got 0"),
        ("batch size > N", {"batch_size": 11}, ValueError, "batch_size: expected 1 ≤ batch_size ≤ N = 10"),
        ("negative epochs", {"epochs": -1}, ValueError, "epochs: expected an integer ≥ 0"),
        ("non-finite lr", {"lr": float("nan")}, ValueError, "lr: expected a finite number"),
        ("NaN in X", {"X": nan_X}, ValueError, r"X: expected finite values, got nan at index \(3, 1\)"),
        ("X dtype", {"X": X.astype(np.float32)}, TypeError, "X: expected dtype float64"),
        ("X width", {"X": X[:, :2]}, ValueError, r"X: expected shape \(any, 3\)"),
        ("Y shape", {"Y": np.hstack([Y, Y])}, ValueError, "Y: expected shape"),
        (
            "bad label last",
            {"loss": "hinge", "Y": np.where(np.arange(10) < 9, 1.0, 0.0)[:, None]},
            ValueError,
            "Y: expected labels",
        ),
        ("zero-one", {"loss": "zero_one"}, ValueError, "zero_one"),
        ("objective", {"objective": "median"}, ValueError, "objective: expected 'mean' or 'sum'"),
        ("loss reduction", {"loss": get_loss("l1", "sum")}, ValueError, "differs from objective 'mean'"),
        ("other arrays", {"foreign": True}, ValueError, "optimizer: expected an SGD over this network"),
    ]


@pytest.mark.parametrize(("what", "change", "error", "match"), _bad_fits(), ids=[b[0] for b in _bad_fits()])
def test_bad_input_is_refused_and_changes_nothing(
    what: str, change: dict[str, Any], error: type[Exception], match: str, snapshot: Any
) -> None:
    net = _net()
    X, Y = _data()
    opt = SGD(net.parameters(), lr=0.1, momentum=0.9)
    fit(net, "half_squared_error", opt, X, Y, 1, 5)  # so there are momentum buffers to keep
    args: dict[str, Any] = {"loss": "half_squared_error", "X": X, "Y": Y, "epochs": 2, "batch_size": 5}
    args.update({k: v for k, v in change.items() if k not in ("lr", "foreign")})
    if "lr" in change:
        opt.lr = change["lr"]
    optimizer = SGD(_net().parameters(), lr=0.1) if change.get("foreign") else opt
    before = snapshot(net, opt)
    with pytest.raises(error, match=match):
        fit(net, args.pop("loss"), optimizer, **args)
    assert snapshot(net, opt) == before


def test_divergence_stops_at_the_refused_step_with_the_weights_of_the_step_before() -> None:
    net = MLP([1, 1], "identity", bias=False, seed=0)
    X, Y = C6_X * 1e50, C6_Y
    saved: list[dict[str, Array]] = []
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(ValueError, match=r"fit: step \d+ \(epoch \d+\) was refused and changed nothing"),
    ):
        fit(
            net,
            "half_squared_error",
            SGD(net.parameters(), lr=1.0),
            X,
            Y,
            50,
            None,
            objective="sum",
            callback=lambda r: saved.append(net.state_dict()),
        )
    assert saved and np.all(np.isfinite(net.parameters()["0.weight"]))
    np.testing.assert_array_equal(net.parameters()["0.weight"], saved[-1]["0.weight"])


def test_non_optimizer_is_a_type_error() -> None:
    net = _net()
    X, Y = _data()
    with pytest.raises(TypeError, match=r"optimizer: expected a handmlp\.optim\.SGD"):
        fit(net, "half_squared_error", object(), X, Y, 1, 1)  # type: ignore[arg-type]
