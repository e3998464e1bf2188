"""`handmlp train` and `handmlp evaluate`: they train to the accuracy the README states, save a file that
evaluates to the same figure, compare with torch, and answer every mistake with one line and exit status 2
(never a traceback), before any training; Ctrl-C leaves the last saved file intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import handmlp.cli.train as cli_train
import handmlp.optim
import handmlp.train
from handmlp.cli import main
from handmlp.datasets import load_dataset
from handmlp.idx import MNIST_FILES, load_mnist, write_idx
from handmlp.mlp import MLP
from handmlp.serialize import load, save

ROOT = Path(__file__).resolve().parents[1]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse's own refusals
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_digits_reach_98_percent_on_the_held_out_quarter(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    status, out, err = _run(capsys, "train", "--data", "digits", "-q")
    assert status == 0, err
    test_accuracy = float(out.split("test accuracy ")[1].split("%")[0])
    assert test_accuracy >= 98.0 and "(450 held-out samples)" in out


def test_progress_bar_prints_one_line_per_epoch_with_loss_and_accuracy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = _run(capsys, "train", "--data", "xor", "--epochs", "3", "--samples", "80")
    assert status == 0
    lines = [line for line in err.splitlines() if line.startswith("epoch")]
    assert len(lines) == 3 and all("loss" in line and "accuracy" in line for line in lines)
    assert lines[-1].startswith("epoch 3/3 [####")
    assert "trained 3 epochs" in out and "test accuracy" in out


def test_save_then_evaluate_gives_the_same_accuracy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "m.npz"
    argv = ["train", "--data", "circle", "--epochs", "20", "--samples", "120", "--seed", "3", "-q"]
    status, out, _ = _run(capsys, *argv, "--save", str(model), "--dtype", "float32")
    assert status == 0 and load(model).dtype == np.float32
    trained = out.split("test accuracy ")[1].split("%")[0]
    status, out, _ = _run(capsys, "evaluate", str(model))
    assert status == 0 and f"accuracy {trained}%" in out and "circle (test, 30 samples)" in out


def test_compare_torch_reports_the_worst_difference_within_its_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _run(
        capsys,
        "train",
        "--data",
        "gaussian",
        "--epochs",
        "2",
        "--samples",
        "64",
        "-q",
        "--compare-torch",
        "--nesterov",
        "--weight-decay",
        "0.001",
    )
    assert status == 0
    assert "torch twin in lockstep: 6 steps, worst |handmlp − torch| / bound = " in out and "within" in out


def test_compare_torch_fails_on_a_planted_step_size_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    step = handmlp.optim.descent_step
    monkeypatch.setattr(
        handmlp.optim,
        "descent_step",
        lambda p, g, lr, out=None, scratch=None: step(p, g, lr * 1.001, out, scratch),
    )
    status, _, err = _run(
        capsys, "train", "--data", "gaussian", "--epochs", "1", "--samples", "64", "-q", "--compare-torch"
    )
    assert status == 1 and "torch comparison FAILED: step 0: param" in err


def _mnist(folder: Path) -> None:
    rng = np.random.default_rng(0)
    for split, (images, labels) in MNIST_FILES.items():
        n = 40 if split == "train" else 20
        write_idx(folder / f"{images}.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), compress=True)
        write_idx(folder / labels, (np.arange(n) % 10).astype(np.uint8))


def test_mnist_from_a_folder_of_idx_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _mnist(tmp_path)
    status, out, err = _run(
        capsys, "train", "--data", "mnist", "--data-dir", str(tmp_path), "--epochs", "1", "-q"
    )
    assert status == 0, err
    assert "mnist: 40 training and 20 test samples, 10 classes; network 784-128-10" in err
    assert "(20 held-out samples)" in out


def test_mnist_pixels_share_one_mean_and_std(tmp_path: Path) -> None:
    """Scaled per pixel, an edge pixel inked in a few training images reaches hundreds of σ: SGD diverges."""
    _mnist(tmp_path)
    data = load_dataset("mnist", str(tmp_path))
    # every training pixel as one column: the mean and std of that column, the same for all 784 inputs
    # (exactly: the same values reduced the same way; scaled per pixel they would differ by pixel)
    column = load_mnist(str(tmp_path), "train")[0].astype(np.float64).reshape(-1, 1)
    np.testing.assert_array_equal(data.standardizer.mean, np.full(784, column.mean(axis=0)[0]))
    np.testing.assert_array_equal(data.standardizer.std, np.full(784, column.std(axis=0)[0]))


BAD = {
    "unknown data": (["--data", "cifar"], "argument --data: invalid choice"),
    "bad hidden": (["--hidden", "64,x"], "argument --hidden: expected widths"),
    "zero width": (["--hidden", "0"], "expected positive widths"),
    "negative lr": (["--lr", "-1"], "--lr: expected a finite number ≥ 0"),
    "nan lr": (["--lr", "nan"], "--lr: expected a finite number ≥ 0"),
    "text epochs": (["--epochs", "many"], "argument --epochs: invalid int value"),
    "negative epochs": (["--epochs", "-2"], "--epochs: expected an integer ≥ 0"),
    "zero batch": (["--batch-size", "0"], "argument --batch-size: expected an integer ≥ 1"),
    "negative seed": (["--seed", "-1"], "--seed: expected an integer ≥ 0"),
    "nesterov without momentum": (["--nesterov", "--momentum", "0"], "--nesterov: needs a momentum > 0"),
    "unknown loss": (["--loss", "mse"], "argument --loss: invalid choice"),
    "mnist without folder": (["--data", "mnist"], "data_dir: mnist is read from a folder"),
    "mnist missing folder": (["--data", "mnist", "--data-dir", "/nonexistent"], "no such folder"),
    "save folder missing": (
        ["--save", "/nonexistent/m.npz"],
        "--save: expected a file in an existing folder",
    ),
    "save to a folder": (["--save", "/"], "--save: expected a file name, got the folder '/'"),
    "plot folder missing": (
        ["--plot", "/nonexistent/p.png"],
        "--plot: expected a file in an existing folder",
    ),
    "empty width": (["--hidden", "16,,4"], "argument --hidden: expected widths"),
    "bad noise": (["--noise", "-1"], "argument --noise: expected a finite number ≥ 0"),
    "plot format": (["--plot", "p.xyz"], "--plot: expected a file ending in one of .png"),
    "bad fraction": (["--test-fraction", "2"], "test_fraction: expected a number in (0, 1)"),
}


@pytest.mark.parametrize(("argv", "match"), BAD.values(), ids=list(BAD))
def test_bad_arguments_are_one_line_and_exit_2_before_training(
    argv: list[str], match: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "train", "--data", "xor", "--epochs", "1", *argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and match in err and "Traceback" not in err


def test_plot_without_matplotlib_is_refused_before_training(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cli_train, "have_matplotlib", lambda: False)
    status, out, err = _run(capsys, "train", "--data", "xor", "--plot", str(tmp_path / "p.png"))
    assert (
        status == 2
        and out == ""
        and err.strip() == ('handmlp train: error: --plot needs matplotlib: pip install "handmlp[plot]"')
    )


def test_plot_is_written_with_decision_regions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    status, out, _ = _run(
        capsys, "train", "--data", "xor", "--epochs", "2", "-q", "--plot", str(tmp_path / "p.png")
    )
    assert status == 0 and (tmp_path / "p.png").stat().st_size > 10_000 and "plot written" in out


@pytest.mark.parametrize(
    ("content", "match"),
    [(None, "no such model file"), (b"not a zip", "not a readable .npz model file")],
)
def test_evaluate_refuses_missing_or_corrupt_models_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, match: str
) -> None:
    model = tmp_path / "m.npz"
    if content is not None:
        model.write_bytes(content)
    status, _, err = _run(capsys, "evaluate", str(model), "--data", "xor")
    assert status == 2 and match in err and len(err.strip().splitlines()) == 1


def test_evaluate_on_a_data_set_the_network_does_not_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sklearn")
    _run(capsys, "train", "--data", "xor", "--epochs", "1", "-q", "--save", str(tmp_path / "m.npz"))
    status, _, err = _run(capsys, "evaluate", str(tmp_path / "m.npz"), "--data", "digits")
    assert status == 2 and "network does not fit digits's 64 inputs" in err


def test_ctrl_c_during_training_keeps_the_last_epochs_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "m.npz"
    argv = ["train", "--data", "xor", "--samples", "80", "--batch-size", "20", "-q", "--save", str(model)]
    assert _run(capsys, *argv, "--epochs", "1")[0] == 0
    first = model.read_bytes()
    update, calls = handmlp.train._update, []

    def interrupted(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 6:  # in the second epoch (3 steps each), after the first epoch's save
            raise KeyboardInterrupt
        return update(*args)

    monkeypatch.setattr(handmlp.train, "_update", interrupted)
    status, _, err = _run(capsys, *argv, "--epochs", "5", "--seed", "1")
    assert status == 130 and "interrupted" in err
    assert model.read_bytes() != first and load(model).sizes == [2, 16, 16, 2]  # epoch 1's checkpoint
    assert list(tmp_path.iterdir()) == [model]

    def interrupted_save(stream: Any, **arrays: Any) -> None:
        stream.write(b"PK partial")
        raise KeyboardInterrupt

    saved = model.read_bytes()
    monkeypatch.setattr(np, "savez", interrupted_save)
    monkeypatch.setattr(handmlp.train, "_update", update)
    assert _run(capsys, *argv, "--epochs", "1")[0] == 130
    assert model.read_bytes() == saved and list(tmp_path.iterdir()) == [model]


def test_no_traceback_through_the_real_command() -> None:
    for argv in (
        ["train", "--lr", "-1"],
        ["train", "--data", "mnist", "--data-dir", "/nonexistent"],
        ["evaluate", "/nonexistent.npz"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "handmlp", *argv], capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_checkpoint_that_cannot_be_written_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli_train, "save", full_disk)
    status, _, err = _run(
        capsys, "train", "--data", "xor", "--epochs", "1", "-q", "--save", str(tmp_path / "m")
    )
    assert status == 1 and err.strip().splitlines()[-1].startswith("handmlp train: --save failed: [Errno 28]")


def test_digits_without_scikit_learn_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("sklearn", "sklearn.datasets"):  # as if the `digits` extra were not installed
        monkeypatch.setitem(sys.modules, name, None)
    status, out, err = _run(capsys, "train", "--data", "digits", "-q")
    assert status == 2 and out == "" and "Traceback" not in err
    assert err.strip().splitlines() == [
        "handmlp train: error: digits: needs scikit-learn, which ships the "
        'data; install it with pip install "handmlp[digits]"'
    ]


def test_a_saved_model_file_is_created_as_open_would_create_it(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    umask = os.umask(0o022)
    try:
        save(MLP([2, 1]), path)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
