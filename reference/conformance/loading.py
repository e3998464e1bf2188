"""Load an implementation under test from `MODULE_OR_FILE:FACTORY`, as `handmlp check` and
`pytest --handmlp-impl` take it: a module path (`mypkg.nets:make`) or a file (`nets/mine.py:make`), and
the name of a function of no arguments returning an `Implementation` (usually an adapter)."""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import sys
from typing import Any

from reference.conformance.protocol import capabilities


class SpecError(ValueError):
    """A spec that names nothing loadable: one line saying what and why."""


def load_implementation(spec: str) -> Any:
    """The implementation `FACTORY()` returns, `FACTORY` found in the module or file before the last colon."""
    where, sep, attr = spec.rpartition(":")
    if not sep or not where or not attr:
        raise SpecError(f"expected MODULE_OR_FILE:FACTORY (such as examples/network.py:make), got {spec!r}")
    module = _module(where)
    factory = getattr(module, attr, None)
    if factory is None or not callable(factory):
        raise SpecError(f"{where} has no function {attr!r}")
    try:
        impl = factory()
    except Exception as exc:
        raise SpecError(f"{spec}() raised {type(exc).__name__}: {exc}") from exc
    try:
        capabilities(impl)
    except TypeError as exc:
        raise SpecError(f"{spec}() returned {type(impl).__name__}: {exc}") from exc
    return impl


def _module(where: str) -> Any:
    path = pathlib.Path(where)
    if where.endswith(".py") or path.exists():
        if not path.is_file():
            raise SpecError(f"no such file: {where}")
        name = f"_handmlp_check_{path.stem}"
        loader_spec = importlib.util.spec_from_file_location(name, path)
        if loader_spec is None or loader_spec.loader is None or path.suffix != ".py":
            raise SpecError(f"expected a Python file ending in .py, got {where}")
        sys.path.insert(0, str(path.resolve().parent))  # its sibling modules import as they would when run
        module = importlib.util.module_from_spec(loader_spec)
        try:
            loader_spec.loader.exec_module(module)
        except Exception as exc:
            raise SpecError(f"importing {where} raised {type(exc).__name__}: {exc}") from exc
        return module
    try:
        return importlib.import_module(where)
    except Exception as exc:
        raise SpecError(f"cannot import {where}: {type(exc).__name__}: {exc}") from exc
