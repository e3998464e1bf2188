"""A trained network in one .npz file: its architecture and its weights, read back bit for bit.

The file holds, with `allow_pickle=False` on both sides:

- `__architecture__`: a JSON string (format "handmlp-mlp/1") with the layer sizes, each layer's activation
  (name and settings), the bias flags, the dtype and the list of parameter names;
- one array per parameter under its `state_dict` key ("0.weight", "0.bias", …), in the network's dtype;
- optionally `extra.<name>` arrays the caller adds (the command line keeps its input standardisation).

`load` checks everything before it builds anything: a missing, truncated or corrupt file, an unknown
format, keys, shapes or dtypes that disagree with the architecture raise `ModelFileError` (a ValueError)
naming the file; nothing is loaded. `save` writes to a temporary file in the same folder and renames it
over the target, so an interrupted save (Ctrl-C) leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp import validation
from handmlp.activations import get_activation
from handmlp.mlp import MLP

Array = NDArray[Any]

__all__ = ["FORMAT", "ModelFileError", "architecture", "load", "load_extras", "save"]

FORMAT = "handmlp-mlp/1"
ARCHITECTURE_KEY = "__architecture__"
EXTRA_PREFIX = "extra."


class ModelFileError(ValueError):
    """A model file that cannot be read back into a network; the message names the file."""


def architecture(net: MLP) -> dict[str, Any]:
    """What rebuilds `net` apart from its weights: sizes, activations with settings, biases, dtype, keys."""
    return {
        "format": FORMAT,
        "sizes": list(net.sizes),
        "activations": [{"name": act.name, "settings": act.settings()} for act in net.activations],
        "bias": [b is not None for b in net.biases],
        "dtype": net.dtype.name,
        "parameters": list(net.parameters()),
    }


def save(net: MLP, path: str | os.PathLike[str], extras: Mapping[str, Any] | None = None) -> None:
    """Write `net` (and `extras`, arrays by name) to `path` atomically: a temporary file, then a rename."""
    if not isinstance(net, MLP):
        raise TypeError(f"net: expected an MLP, got {type(net).__name__}")
    target = Path(validation.path("path", path))
    if extras is not None and not isinstance(extras, Mapping):
        raise TypeError(f"extras: expected a mapping of name to array or None, got {type(extras).__name__}")
    arrays: dict[str, Array] = {ARCHITECTURE_KEY: np.array(json.dumps(architecture(net)))}
    for name, value in (extras or {}).items():
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError(f"extras[{name!r}]: expected a numeric array, got {type(value).__name__}")
        arrays[EXTRA_PREFIX + name] = array
    arrays.update(net.state_dict())
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{target}: no such folder {target.parent}")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)  # type: ignore[arg-type]  # names, not allow_pickle
        umask = os.umask(0)  # read the umask (only os.umask tells it) and put it back at once
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would create it, not mkstemp's private 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(path: Path) -> dict[str, Array]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a lone .npy array
            raise ValueError(f"one {type(loaded).__name__}, not an archive of named arrays")
        with loaded as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not a readable .npz model file ({type(exc).__name__}: {exc})") from exc


def _architecture(path: Path, arrays: Mapping[str, Array]) -> dict[str, Any]:
    raw = arrays.get(ARCHITECTURE_KEY)
    if raw is None or raw.shape != () or raw.dtype.kind != "U":
        raise ModelFileError(f"{path}: no {ARCHITECTURE_KEY} entry; not saved by handmlp's save")
    try:
        arch = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path}: corrupt {ARCHITECTURE_KEY} ({exc})") from exc
    if not isinstance(arch, dict) or arch.get("format") != FORMAT:
        got = arch.get("format") if isinstance(arch, dict) else type(arch).__name__
        raise ModelFileError(f"{path}: format {got!r}, expected {FORMAT!r}")
    return arch


def _network(path: Path, arch: Mapping[str, Any]) -> MLP:
    try:
        activations = [get_activation(a["name"], **a["settings"]) for a in arch["activations"]]
        net = MLP(arch["sizes"], activations, bias=list(arch["bias"]), dtype=arch["dtype"], seed=0)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: the architecture does not describe a network ({exc})") from exc
    if list(net.parameters()) != list(arch.get("parameters", [])):
        raise ModelFileError(
            f"{path}: parameters {arch.get('parameters')} do not match the architecture's "
            f"{list(net.parameters())}"
        )
    return net


def load(path: str | os.PathLike[str]) -> MLP:
    """The network saved in `path`, its parameters bit for bit as saved; ModelFileError if anything is off."""
    path = Path(validation.path("path", path))
    arrays = _read(path)
    net = _network(path, _architecture(path, arrays))
    params = net.parameters()
    unexpected = sorted(k for k in arrays if k != ARCHITECTURE_KEY and not k.startswith(EXTRA_PREFIX))
    unexpected = [k for k in unexpected if k not in params]
    missing = sorted(set(params) - set(arrays))
    if missing or unexpected:
        raise ModelFileError(f"{path}: weights missing {missing}, unexpected {unexpected}")
    for name, target in params.items():
        value = arrays[name]
        if value.dtype != target.dtype or value.shape != target.shape:
            raise ModelFileError(
                f"{path}: {name!r} is {value.dtype} {value.shape}, the architecture says "
                f"{target.dtype} {target.shape}"
            )
    try:
        net.load_state_dict({name: arrays[name] for name in params})
    except (TypeError, ValueError) as exc:  # non-finite weights
        raise ModelFileError(f"{path}: {exc}") from exc
    return net


def load_extras(path: str | os.PathLike[str]) -> dict[str, Array]:
    """The `extras` saved with the network in `path`, by name."""
    path = Path(validation.path("path", path))
    arrays = _read(path)
    _architecture(path, arrays)
    return {k[len(EXTRA_PREFIX) :]: v for k, v in arrays.items() if k.startswith(EXTRA_PREFIX)}
