"""`handmlp train` and `handmlp evaluate`: train a network on a data set from the command line, watch it
learn, save it, and evaluate a saved one.

Data: the playground's 2-D sets (C17), scikit-learn's 8×8 digits (`handmlp[digits]`), or MNIST /
Fashion-MNIST read from the IDX files in a folder (`--data-dir`; never downloaded). The inputs are
standardised with the training split's mean and standard deviation (saved with the model). The network
has one output per class; cross_entropy trains on the labels, the other losses on one-hot targets (±1
for hinge), and the predicted class is the largest output.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp.activations import ACTIVATIONS
from handmlp.cli.verify import check_output
from handmlp.datasets import DATA_NAMES, Dataset, Standardizer, class_targets, load_dataset
from handmlp.losses import LOSSES
from handmlp.metrics import accuracy
from handmlp.mlp import MLP
from handmlp.optim import SGD
from handmlp.plotting import MATPLOTLIB_HINT, have_matplotlib, plot_training
from handmlp.serialize import ModelFileError, load_extras, save
from handmlp.serialize import load as load_model
from handmlp.train import History, fit, objective_loss

Array = NDArray[Any]

TRAINABLE_LOSSES = sorted(name for name in LOSSES if name != "zero_one")  # zero_one has no gradient
# Settings that train each data set well here; every one can be overridden on the command line.
PRESETS: dict[str, dict[str, Any]] = {
    "digits": {"hidden": [128], "epochs": 20, "batch_size": 32, "lr": 0.05, "activation": "tanh"},
    "mnist": {"hidden": [128], "epochs": 15, "batch_size": 64, "lr": 0.02, "activation": "relu"},
    "fashion-mnist": {"hidden": [256], "epochs": 20, "batch_size": 64, "lr": 0.03, "activation": "relu"},
}
PLOT_FORMATS = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".webp", ".eps", ".tif", ".tiff")
PLAYGROUND = {"hidden": [16, 16], "epochs": 300, "batch_size": 16, "lr": 0.05, "activation": "tanh"}


def _hidden(text: str) -> list[int]:
    """`--hidden 64,32` → [64, 32]; an empty string is no hidden layer."""
    if not text.strip():
        return []
    try:
        widths = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths such as 64,32, got {text!r}") from None
    if any(w < 1 for w in widths):
        raise argparse.ArgumentTypeError(f"expected positive widths, got {text!r}")
    return widths


def _positive_int(text: str) -> int:
    value = _parsed(text, int, "an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer ≥ 1, got {value}")
    return value


def _non_negative(text: str) -> float:
    value = _parsed(text, float, "a number")
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number ≥ 0, got {text!r}")
    return value


def _parsed(text: str, kind: Callable[[str], Any], expected: str) -> Any:
    """`kind(text)`, or argparse's one-line refusal naming what was expected."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def _data_arguments(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument("--data", choices=DATA_NAMES, default=default, help="the data set")
    parser.add_argument("--data-dir", default=None, help="folder with MNIST's or Fashion-MNIST's IDX files")
    parser.add_argument("--samples", type=_positive_int, default=None, help="2-D sets: points (400)")
    parser.add_argument("--noise", type=_non_negative, default=None, help="2-D sets: noise (0)")
    parser.add_argument("--test-fraction", type=_non_negative, default=None, help="held out (0.25)")


def add_parser(commands: Any) -> None:
    """Register `handmlp train` and `handmlp evaluate`."""
    train = commands.add_parser(
        "train",
        help="train a network on a data set, with a progress bar, and save or plot it",
        description="Train an MLP by SGD on a data set and report its test accuracy (C8, C13, C16, C17).",
    )
    _data_arguments(train, "spiral")
    train.add_argument("--hidden", type=_hidden, default=None, help="hidden widths, e.g. 64,32")
    train.add_argument("--activation", choices=sorted(ACTIVATIONS), default=None, help="hidden layers")
    train.add_argument(
        "--loss", choices=TRAINABLE_LOSSES, default="cross_entropy", help="(default cross_entropy)"
    )
    train.add_argument("--epochs", type=int, default=None, help="passes over the training data")
    train.add_argument("--batch-size", type=_positive_int, default=None, help="samples per step")
    train.add_argument("--lr", type=float, default=None, help="learning rate η")
    train.add_argument("--momentum", type=float, default=0.9, help="μ (default 0.9)")
    train.add_argument("--nesterov", action="store_true", help="Nesterov momentum")
    train.add_argument("--weight-decay", type=float, default=0.0, help="λ (default 0)")
    train.add_argument("--seed", type=int, default=0, help="initialisation, split and batch order")
    train.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    train.add_argument(
        "--save", default=None, metavar="PATH", help="save the network (.npz) after each epoch"
    )
    train.add_argument("--plot", default=None, metavar="PATH", help="loss, accuracy (and regions) image")
    train.add_argument("--compare-torch", action="store_true", help="train torch's twin in lockstep")
    train.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    train.set_defaults(run=run_train)
    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a saved network on a data set",
        description="Accuracy of a network saved by `handmlp train --save` on its data set's test split.",
    )
    evaluate.add_argument("model", metavar="MODEL.npz")
    _data_arguments(evaluate, None)
    evaluate.add_argument("--seed", type=int, default=None, help="split seed (default: the model's)")
    evaluate.add_argument("--split", choices=("test", "train", "all"), default="test")
    evaluate.set_defaults(run=run_evaluate)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The run's settings: the data set's preset, overridden by what the command line gives."""
    preset = PRESETS.get(args.data, PLAYGROUND)
    settings = {key: getattr(args, key) if getattr(args, key) is not None else preset[key] for key in preset}
    if settings["epochs"] < 0:
        raise _usage(f"--epochs: expected an integer ≥ 0, got {settings['epochs']}")
    for name in ("lr", "momentum", "weight_decay"):
        value = settings.get(name, getattr(args, name))
        if not np.isfinite(value) or value < 0:
            raise _usage(f"--{name.replace('_', '-')}: expected a finite number ≥ 0, got {value}")
    if args.nesterov and args.momentum <= 0:
        raise _usage("--nesterov: needs a momentum > 0")
    if args.seed < 0:
        raise _usage(f"--seed: expected an integer ≥ 0, got {args.seed}")
    return settings


def _check_outputs(args: argparse.Namespace) -> None:
    """Every output and optional dependency checked before any training."""
    for option in ("save", "plot"):
        if getattr(args, option) is not None:
            check_output(getattr(args, option), f"--{option}")
    if args.plot is not None and not have_matplotlib():
        raise _usage(f"--plot {MATPLOTLIB_HINT}")
    if args.plot is not None and Path(args.plot).suffix.lower() not in PLOT_FORMATS:
        raise _usage(f"--plot: expected a file ending in one of {', '.join(PLOT_FORMATS)}, got {args.plot}")
    if args.compare_torch:
        try:
            import reference.twins.train  # noqa: F401
        except ImportError as exc:
            raise _usage(f"--compare-torch needs torch ({exc}); see the README's install step") from exc


def run_train(args: argparse.Namespace) -> int:
    """Train, report, and optionally save, plot and compare with torch."""
    settings = _settings(args)
    _check_outputs(args)
    data = _load(
        args.data, args.data_dir, args.samples, args.noise, args.test_fraction, args.seed, args.dtype
    )
    loss = objective_loss(args.loss, "mean")
    y_train, y_test = (
        class_targets(args.loss, y, data.classes, args.dtype) for y in (data.y_train, data.y_test)
    )
    net = _network(args, settings, data)
    hyper = _hyperparameters(args, settings)
    optimizer = SGD(net.parameters(), **hyper)
    lockstep = _lockstep(args, net, loss, optimizer, data.x_train, y_train, hyper)
    print(_header(args, data, net, settings), file=sys.stderr)
    start = time.perf_counter()
    try:
        history = fit(
            net,
            loss,
            optimizer,
            data.x_train,
            y_train,
            settings["epochs"],
            min(settings["batch_size"], len(data.x_train)),
            seed=args.seed,
            callback=lockstep,
            validation_data=(data.x_test, y_test),
            accuracy=True,
            progress=not args.quiet,
            epoch_callback=None if args.save is None else lambda e, h: _save(args.save, net, data),
        )
    except ValueError as exc:
        print(f"handmlp train: {exc}", file=sys.stderr)
        return 1
    except AssertionError as exc:  # the torch twin drifted beyond its bound
        print(f"handmlp train: torch comparison FAILED: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a checkpoint could not be written (disk full, permissions)
        print(f"handmlp train: --save failed: {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    if args.save is not None and settings["epochs"] == 0:
        _save(args.save, net, data)
    _report(args, net, data, history, seconds, lockstep)
    return 0


def _hyperparameters(args: argparse.Namespace, settings: dict[str, Any]) -> dict[str, Any]:
    """SGD's settings from the command line (torch's names; no dampening, minimising)."""
    return {
        "lr": settings["lr"],
        "momentum": args.momentum,
        "dampening": 0.0,
        "weight_decay": args.weight_decay,
        "nesterov": args.nesterov,
        "maximize": False,
    }


def _network(args: argparse.Namespace, settings: dict[str, Any], data: Dataset) -> MLP:
    """Inputs → hidden layers → one output per class (a sigmoid for binary_cross_entropy, else linear)."""
    sizes = [data.x_train.shape[1], *settings["hidden"], data.classes]
    output = "sigmoid" if args.loss == "binary_cross_entropy" else "identity"
    activations = [settings["activation"]] * len(settings["hidden"]) + [output]
    return MLP(sizes, activations, dtype=args.dtype, seed=args.seed)


def _report(
    args: argparse.Namespace, net: MLP, data: Dataset, history: History, seconds: float, lockstep: Any
) -> None:
    """The summary, the torch comparison and the plot."""
    print(_summary(net, data, history, seconds))
    if lockstep is not None:
        print(_torch_summary(lockstep))
    if args.plot is not None:
        regions = (net.predict, data.x_test, data.y_test) if data.x_test.shape[1] == 2 else None
        plot_training(args.plot, history, f"{args.data}: {'-'.join(map(str, net.sizes))}", regions)
        print(f"plot written to {args.plot}")


def _lockstep(
    args: argparse.Namespace, net: MLP, loss: Any, opt: SGD, x: Array, y: Array, hyper: dict[str, Any]
) -> Any:
    if not args.compare_torch:
        return None
    from reference.twins.train import start_lockstep

    return start_lockstep(net, loss, opt, x, y, hyper)


def _save(path: str, net: MLP, data: Dataset) -> None:
    save(net, path, extras=data.extras())


def _header(args: argparse.Namespace, data: Dataset, net: MLP, settings: dict[str, Any]) -> str:
    acts = ", ".join(a.name for a in net.activations)
    return (
        f"{args.data}: {len(data.x_train)} training and {len(data.x_test)} test samples, "
        f"{data.classes} classes; "
        f"network {'-'.join(map(str, net.sizes))} ({acts}), {net.dtype}; loss {args.loss}; "
        f"SGD lr {settings['lr']}, momentum {args.momentum}{' (Nesterov)' if args.nesterov else ''}, "
        f"weight decay {args.weight_decay}, batch {settings['batch_size']}, {settings['epochs']} epochs"
    )


def _summary(net: MLP, data: Dataset, history: History, seconds: float) -> str:
    train_acc = accuracy(data.y_train, net.predict(data.x_train))
    test_acc = accuracy(data.y_test, net.predict(data.x_test))
    final = f"final loss {history.epoch_losses[-1]:.4g}, " if history.epoch_losses else ""
    return (
        f"trained {len(history.epoch_losses)} epochs ({history.steps} steps) in {seconds:.2f} s: {final}"
        f"training accuracy {100 * train_acc:.2f}%, test accuracy {100 * test_acc:.2f}% "
        f"({len(data.x_test)} held-out samples)"
    )


def _torch_summary(lockstep: Any) -> str:
    report = lockstep.report
    return (
        f"torch twin in lockstep: {report.steps} steps, worst |handmlp − torch| / bound = "
        f"{report.worst_ratio:.3g} ({report.worst_at or 'all equal'}); within the bound (≤ 1)"
    )


def run_evaluate(args: argparse.Namespace) -> int:
    """Load a saved network and report its accuracy on the data set it names (or the one given)."""
    try:
        net = load_model(args.model)
        extras = load_extras(args.model)
    except (FileNotFoundError, ModelFileError) as exc:
        raise _usage(str(exc)) from exc
    saved = {k: str(v) if v.dtype.kind == "U" else v.item() for k, v in extras.items() if v.ndim == 0}
    name = args.data or saved.get("data")
    if name is None:
        raise _usage("--data: the model does not name its data set; give one")
    seed = args.seed if args.seed is not None else int(saved.get("seed", 0))
    fraction = args.test_fraction if args.test_fraction is not None else saved.get("test_fraction")
    samples = args.samples if args.samples is not None else saved.get("samples")
    noise = args.noise if args.noise is not None else saved.get("noise")
    data = _load(
        name,
        args.data_dir,
        samples,
        noise,
        fraction,
        seed,
        net.dtype.name,
        standardizer=_standardizer(extras) if name == saved.get("data") else None,
    )
    if data.x_train.shape[1] != net.sizes[0] or data.classes > net.sizes[-1]:
        raise _usage(
            f"{args.model}: a {'-'.join(map(str, net.sizes))} network does not fit {name}'s "
            f"{data.x_train.shape[1]} inputs and {data.classes} classes"
        )
    x, y = {
        "test": (data.x_test, data.y_test),
        "train": (data.x_train, data.y_train),
        "all": (np.vstack([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])),
    }[args.split]
    print(
        f"{args.model}: {'-'.join(map(str, net.sizes))} network on {name} ({args.split}, {len(x)} samples): "
        f"accuracy {100 * accuracy(y, net.predict(x)):.2f}%"
    )
    return 0


def _standardizer(extras: dict[str, Array]) -> Standardizer | None:
    if "input.mean" not in extras:
        return None
    return Standardizer(extras["input.mean"], extras["input.std"])


def _load(*args: Any, **kwargs: Any) -> Dataset:
    """`load_dataset`, a missing file, folder or extra reported as a usage error (one line, exit 2)."""
    try:
        return load_dataset(*args, **kwargs)
    except (OSError, ValueError, TypeError, ImportError) as exc:  # IDXError, a missing extra among them
        raise _usage(str(exc)) from exc


def _usage(message: str) -> Exception:
    """`handmlp.cli.UsageError(message)`, imported when raised (the package imports this module first)."""
    from handmlp import cli

    return cli.UsageError(message)
