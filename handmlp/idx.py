"""The IDX files MNIST and Fashion-MNIST are distributed in, read from a folder the user names (C16).

An IDX file is a 4-byte magic number — two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte,
0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64) and the number of dimensions — then one big-endian
uint32 per dimension, then the values, big-endian, in C order. A file may be gzip-compressed (as
distributed, `*.gz`). Nothing is ever downloaded: a missing, truncated or corrupt file raises
`IDXError` (a ValueError; FileNotFoundError for a missing one) naming the file and what is wrong.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handmlp import validation
from handmlp.validation import choice

__all__ = ["IDX_TYPES", "MNIST_FILES", "IDXError", "load_mnist", "read_idx", "write_idx"]

IDX_TYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# The four files of MNIST (Fashion-MNIST uses the same names), each also accepted with a ".gz" suffix.
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class IDXError(ValueError):
    """A file that is not a well-formed IDX file (or not the one expected); the message names the file."""


def _raw_bytes(path: Path) -> bytes:
    """The file's content, decompressed when it starts with gzip's magic bytes."""
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise IDXError(f"{path}: a truncated or corrupt gzip file ({exc})") from exc


def read_idx(path: str | os.PathLike[str]) -> NDArray[Any]:
    """The array in one IDX file (raw or gzip), in native byte order; IDXError if it is malformed."""
    path = Path(validation.path("path", path))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such IDX file")
    data = _raw_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES:
        raise IDXError(
            f"{path}: not an IDX file (magic number {data[:4].hex() or 'missing'}; expected 0000 then a "
            f"type code in {[hex(code) for code in IDX_TYPES]} and the number of dimensions)"
        )
    dtype, ndim = IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{path}: truncated header ({len(data)} bytes, {ndim} dimensions need {header})")
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise IDXError(
            f"{path}: {what}: dimensions {shape} of {dtype.itemsize}-byte values need {expected} bytes, "
            f"the file has {len(data)}"
        )
    values = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike[str], array: NDArray[Any], *, compress: bool = False) -> None:
    """Write `array` as an IDX file (gzip-compressed when `compress`): for tests and small data sets."""
    target = Path(validation.path("path", path))
    if not isinstance(array, np.ndarray):
        raise TypeError(f"array: expected an ndarray, got {type(array).__name__}")
    compress = validation.flag("compress", compress)
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_TYPES.items()}
    native = np.dtype(array.dtype).newbyteorder("=")
    if native not in codes:
        raise TypeError(f"array: IDX holds {sorted(str(d) for d in codes)}, got dtype {array.dtype}")
    header = bytes([0, 0, codes[native], array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    data = header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()
    target.write_bytes(gzip.compress(data) if compress else data)


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{folder / name}: missing (nor {name}.gz); handmlp never downloads data: put MNIST's or "
        f"Fashion-MNIST's four IDX files ({', '.join(n for pair in MNIST_FILES.values() for n in pair)}) "
        "in this folder"
    )


def load_mnist(folder: str | os.PathLike[str], split: str = "train") -> tuple[NDArray[Any], NDArray[Any]]:
    """(X, y) of MNIST or Fashion-MNIST from the IDX files in `folder`: X of shape (n, rows·cols) as
    float64 in [0, 1], y the class labels 0–9 as int64. `split` is "train" (60,000) or "test" (10,000)."""
    split = choice("split", split, tuple(MNIST_FILES))
    folder = Path(validation.path("folder", folder))
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder (expected the four MNIST IDX files in it)")
    image_path, label_path = (_find(folder, name) for name in MNIST_FILES[split])
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise IDXError(
            f"{image_path}: expected images of unsigned bytes (n, rows, cols), got "
            f"{images.dtype} of shape {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise IDXError(
            f"{label_path}: expected labels of unsigned bytes (n,), got "
            f"{labels.dtype} of shape {labels.shape}"
        )
    if len(labels) != len(images):
        raise IDXError(
            f"{label_path}: {len(labels)} labels do not match the {len(images)} images of {image_path}"
        )
    if labels.size and labels.max() > 9:
        raise IDXError(f"{label_path}: expected labels 0–9, got {int(labels.max())}")
    x = images.reshape(len(images), -1).astype(np.float64) / 255.0
    return x, labels.astype(np.int64)
