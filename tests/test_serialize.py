"""save/load of a trained network: one .npz (no pickle) with the architecture and the state_dict, read back
bit for bit; every damaged or mismatched file refused naming the file, and an interrupted save harmless."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from handmlp.activations import LeakyReLU, PReLU
from handmlp.mlp import MLP
from handmlp.serialize import ModelFileError, architecture, load, load_extras, save

NETWORKS = {
    "sigmoid float64": lambda: MLP([4, 5, 3], "sigmoid", seed=1),
    "mixed float32": lambda: MLP(
        [4, 6, 5, 2], [LeakyReLU(0.2), PReLU(5, 0.1), "gelu_tanh"], bias=[True, False, True], dtype=np.float32
    ),
    "softplus settings": lambda: MLP([2, 3, 1], ["softplus", "identity"], seed=3),
}


@pytest.mark.parametrize("make", NETWORKS.values(), ids=list(NETWORKS))
def test_round_trip_is_bit_identical_with_the_architecture(tmp_path: Path, make: Any) -> None:
    net = make()
    net.save(tmp_path / "model.npz")
    back = MLP.load(tmp_path / "model.npz")
    assert architecture(back) == architecture(net) and back.dtype == net.dtype
    for name, value in net.state_dict().items():
        assert back.state_dict()[name].tobytes() == value.tobytes(), name
    x = np.random.default_rng(0).normal(size=(7, net.sizes[0])).astype(net.dtype)
    assert net.forward(x).tobytes() == back.forward(x).tobytes()


def test_file_is_a_plain_npz_readable_without_pickle(tmp_path: Path) -> None:
    net = MLP([3, 2], "tanh", seed=0)
    save(net, tmp_path / "m.npz", extras={"input.mean": np.arange(3.0)})
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert set(data.files) == {"__architecture__", "0.weight", "0.bias", "extra.input.mean"}
        assert json.loads(str(data["__architecture__"]))["sizes"] == [3, 2]
    np.testing.assert_array_equal(load_extras(tmp_path / "m.npz")["input.mean"], np.arange(3.0))


def _rewrite(path: Path, change: Any) -> None:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    change(arrays)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def _arch(edit: Any) -> Any:
    def change(arrays: dict[str, Any]) -> None:
        arch = json.loads(str(arrays["__architecture__"]))
        edit(arch)
        arrays["__architecture__"] = np.array(json.dumps(arch))

    return change


DAMAGE = {
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[:200]), "not a readable .npz model file"),
    "not a zip": (lambda p: p.write_bytes(b"hello world" * 20), "not a readable .npz model file"),
    "no architecture": (lambda p: _rewrite(p, lambda a: a.pop("__architecture__")), "no __architecture__"),
    "bad json": (
        lambda p: _rewrite(p, lambda a: a.update(__architecture__=np.array("{sizes"))),
        "corrupt __architecture__",
    ),
    "other format": (lambda p: _rewrite(p, _arch(lambda a: a.update(format="x/9"))), "format 'x/9'"),
    "missing weight": (lambda p: _rewrite(p, lambda a: a.pop("2.bias")), r"weights missing \['2.bias'\]"),
    "extra weight": (
        lambda p: _rewrite(p, lambda a: a.update({"4.weight": np.zeros(2)})),
        r"unexpected \['4.weight'\]",
    ),
    "wrong shape": (
        lambda p: _rewrite(p, lambda a: a.update({"0.weight": np.zeros((5, 3))})),
        r"'0.weight' is float64 \(5, 3\), the architecture says float64 \(5, 4\)",
    ),
    "wrong dtype": (
        lambda p: _rewrite(p, lambda a: a.update({"0.bias": a["0.bias"].astype(np.float32)})),
        "'0.bias' is float32",
    ),
    "sizes disagree": (
        lambda p: _rewrite(p, _arch(lambda a: a.update(sizes=[4, 6, 3]))),
        "is float64 \\(5, 4\\), the architecture says float64 \\(6, 4\\)",
    ),
    "unknown activation": (
        lambda p: _rewrite(p, _arch(lambda a: a["activations"][0].update(name="nope"))),
        "does not describe a network",
    ),
    "NaN weight": (
        lambda p: _rewrite(p, lambda a: a.update({"0.bias": np.full(5, np.nan)})),
        "expected finite values",
    ),
}


@pytest.mark.parametrize(("damage", "match"), DAMAGE.values(), ids=list(DAMAGE))
def test_damaged_or_mismatched_file_is_refused_naming_it(tmp_path: Path, damage: Any, match: str) -> None:
    path = tmp_path / "model.npz"
    MLP([4, 5, 3], "sigmoid", seed=1).save(path)
    damage(path)
    with pytest.raises(ModelFileError, match=match) as info:
        load(path)
    assert str(path) in str(info.value)


def test_missing_file_and_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such model file"):
        load(tmp_path / "none.npz")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        save(MLP([2, 1]), tmp_path / "missing" / "m.npz")
    with pytest.raises(TypeError, match="net: expected an MLP"):
        save("net", tmp_path / "m.npz")  # type: ignore[arg-type]


def test_interrupted_save_leaves_the_last_saved_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.npz"
    first = MLP([3, 4, 2], seed=0)
    first.save(path)
    saved = path.read_bytes()

    def interrupted(stream: Any, **arrays: Any) -> None:
        stream.write(b"PK\x03\x04 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        MLP([3, 4, 2], seed=1).save(path)
    assert path.read_bytes() == saved and list(tmp_path.iterdir()) == [path]
    assert zipfile.is_zipfile(path)
