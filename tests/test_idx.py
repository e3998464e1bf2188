"""The IDX reader: files it writes itself read back exactly (raw and gzip), MNIST's four files found in a
folder, and every malformed file refused with an error that names it. Nothing is downloaded."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from handmlp.idx import MNIST_FILES, IDXError, load_mnist, read_idx, write_idx


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_write_then_read_gives_the_same_array(tmp_path: Path, dtype: type, compress: bool) -> None:
    array = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4).astype(dtype)
    write_idx(tmp_path / "a.idx", array, compress=compress)
    back = read_idx(tmp_path / "a.idx")
    assert back.dtype == np.dtype(dtype) and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_header_is_big_endian_as_the_format_says(tmp_path: Path) -> None:
    write_idx(tmp_path / "labels", np.array([7, 2, 1], dtype=np.uint8))
    assert (tmp_path / "labels").read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])


def _mnist_folder(folder: Path, n: int = 5, compress: bool = True, labels: np.ndarray | None = None) -> None:
    rng = np.random.default_rng(0)
    for images_name, labels_name in MNIST_FILES.values():
        suffix = ".gz" if compress else ""
        write_idx(
            folder / (images_name + suffix),
            rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            compress=compress,
        )
        y = np.arange(n, dtype=np.uint8) % 10 if labels is None else labels
        write_idx(folder / (labels_name + suffix), y, compress=compress)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_mnist_folder_gives_flat_images_in_unit_range_and_labels(tmp_path: Path, compress: bool) -> None:
    _mnist_folder(tmp_path, compress=compress)
    for split in ("train", "test"):
        x, y = load_mnist(tmp_path, split)
        assert x.shape == (5, 784) and x.dtype == np.float64 and x.min() >= 0.0 and x.max() <= 1.0
        assert y.dtype == np.int64 and list(y) == [0, 1, 2, 3, 4]
    raw = read_idx(tmp_path / ("train-images-idx3-ubyte" + (".gz" if compress else "")))
    np.testing.assert_array_equal(load_mnist(tmp_path)[0][2], raw[2].ravel() / 255.0)


def test_missing_file_names_it_and_says_nothing_is_downloaded(tmp_path: Path) -> None:
    _mnist_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte: missing .*never downloads"):
        load_mnist(tmp_path, "test")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="no such IDX file"):
        read_idx(tmp_path / "nothing.idx")


def _corrupt(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "not an IDX file"),
        (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), "not an IDX file"),
        (bytes([0, 0, 0x42, 1, 0, 0, 0, 1, 5]), "not an IDX file"),
        (bytes([0, 0, 8, 3, 0, 0, 0, 2]), "truncated header"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 4, 1, 2]), r"truncated: dimensions \(4,\)"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), "longer than its header says"),
        (bytes([0, 0, 0x0C, 1, 0, 0, 0, 1, 0, 0]), r"truncated: dimensions \(1,\) of 4-byte values"),
        (gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]))[:-6], "truncated or corrupt gzip"),
        (b"\x1f\x8b" + b"garbage" * 3, "truncated or corrupt gzip"),
    ],
    ids=[
        "empty",
        "magic",
        "type code",
        "header",
        "data short",
        "data long",
        "int32 short",
        "gzip cut",
        "gzip junk",
    ],
)
def test_malformed_file_is_refused_naming_the_file(tmp_path: Path, data: bytes, match: str) -> None:
    path = _corrupt(tmp_path / "bad-file.idx", data)
    with pytest.raises(IDXError, match=match) as info:
        read_idx(path)
    assert "bad-file.idx" in str(info.value)


def test_labels_that_do_not_match_the_images_are_refused(tmp_path: Path) -> None:
    _mnist_folder(tmp_path, labels=np.arange(4, dtype=np.uint8))
    with pytest.raises(IDXError, match=r"train-labels-idx1-ubyte.gz: 4 labels do not match the 5 images"):
        load_mnist(tmp_path)


def test_labels_out_of_range_and_wrong_kinds_of_file_are_refused(tmp_path: Path) -> None:
    _mnist_folder(tmp_path, labels=np.array([0, 1, 2, 3, 12], dtype=np.uint8))
    with pytest.raises(IDXError, match="expected labels 0–9, got 12"):
        load_mnist(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((5, 784), np.uint8), compress=True)
    with pytest.raises(IDXError, match=r"train-images-idx3-ubyte.gz: expected images of unsigned bytes"):
        load_mnist(tmp_path)
    _mnist_folder(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(5, np.int32), compress=True)
    with pytest.raises(IDXError, match="expected labels of unsigned bytes"):
        load_mnist(tmp_path)


def test_bad_split_and_unwritable_dtype_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="split: expected one of"):
        load_mnist(tmp_path, "validation")
    with pytest.raises(TypeError, match="array: IDX holds"):
        write_idx(tmp_path / "x", np.zeros(3, np.complex128))
