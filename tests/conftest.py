"""Shared fixtures and the suite's configuration: the `torch` marker, the Hypothesis profiles, `snapshot`,
and the catalog's report on handmlp, built once per test session.

The `torch` marker is put on every test of a module that may import torch, found by reading the imports
of the module and of every module of this repository it reaches (tests/torch_imports.py); a module that
needs torch some other way (a subprocess) says so with `pytestmark = pytest.mark.torch`.
`pytest -m "not torch"` then runs the NumPy-only part of the suite without importing the torch modules at
all, so it runs with torch uninstalled. This file imports neither torch nor `reference`.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handmlp.mlp import MLP
from handmlp.optim import SGD
from tests.matrix import DTYPES
from tests.torch_imports import needs_torch

# --- the torch marker -------------------------------------------------------------------------------------


def _is_torch_module(path: pathlib.Path) -> bool:
    return path.name.startswith("test_") and needs_torch(path)


def _torch_deselected(config: pytest.Config) -> bool:
    """Whether `-m` leaves out a test whose only marker is `torch`."""
    from _pytest.mark.expression import Expression  # pytest's own parser of -m, as pytest applies it

    markexpr = config.getoption("markexpr", "")
    return bool(markexpr) and not Expression.compile(markexpr).evaluate(lambda name, **_: name == "torch")


def _torch_installed() -> bool:
    try:
        return importlib.util.find_spec("torch") is not None
    except ValueError:  # sys.modules["torch"] is None: torch deliberately blocked
        return False


def pytest_configure(config: pytest.Config) -> None:
    if not _torch_installed() and not _torch_deselected(config):
        raise pytest.UsageError(
            "torch is not installed: install it (pip install -c constraints.txt torch==2.13.0) "
            'or run the NumPy-only part of the suite with -m "not torch"'
        )


def pytest_ignore_collect(collection_path: pathlib.Path, config: pytest.Config) -> bool | None:
    """Under `-m "not torch"` the torch modules are not even imported (every test in them would be
    deselected anyway), so that collection works with torch absent."""
    if collection_path.suffix == ".py" and _torch_deselected(config) and _is_torch_module(collection_path):
        return True
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m deselection reads the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_torch_module(item.path):
            item.add_marker(pytest.mark.torch)


def pytest_report_header(config: pytest.Config) -> list[str]:
    profile = HYPOTHESIS_PROFILE
    torch_part = "torch modules left out (-m)" if _torch_deselected(config) else "torch modules included"
    return [f"handmlp suite: {torch_part}; hypothesis profile: {profile or 'hypothesis not installed'}"]


# --- Hypothesis: a deterministic, bounded profile for CI, a wider random one for looking for trouble --------


def _hypothesis_profile() -> str | None:
    try:
        from hypothesis import settings
    except ImportError:  # the NumPy-only environment may do without it
        return None
    common: dict[str, Any] = {"deadline": None, "print_blob": True}
    settings.register_profile("ci", derandomize=True, database=None, max_examples=25, **common)
    settings.register_profile("explore", max_examples=500, **common)
    name = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    settings.load_profile(name)
    return name


HYPOTHESIS_PROFILE = _hypothesis_profile()

# --- fixtures ---------------------------------------------------------------------------------------------

State = Any


def state_of(obj: Any) -> State:
    """Everything a refused call must leave unchanged, as comparable values: arrays by dtype, shape and
    bytes; an MLP by its parameters; an SGD by its parameters, momentum buffers and hyper-parameters."""
    if isinstance(obj, np.ndarray):
        return (obj.dtype.str, obj.shape, obj.tobytes())
    if isinstance(obj, MLP):
        return state_of(obj.parameters())
    if isinstance(obj, SGD):
        return (state_of(obj.params), state_of(obj.momentum_buffers), obj.hyperparameters())
    if isinstance(obj, dict):
        return {key: state_of(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return tuple(state_of(value) for value in obj)
    raise TypeError(f"state_of: expected an array, MLP, SGD, dict, list or tuple, got {type(obj).__name__}")


@pytest.fixture
def snapshot() -> Callable[..., State]:
    """`snapshot(net, opt, …)` now and again after a refused call: equal means bit for bit unchanged."""

    def take(*objects: Any) -> State:
        return tuple(state_of(obj) for obj in objects)

    return take


@pytest.fixture(params=DTYPES, ids=lambda d: np.dtype(d).name)
def dtype(request: pytest.FixtureRequest) -> Any:
    """Both floating-point dtypes of the matrix, float64 first."""
    return request.param


@pytest.fixture(scope="session")
def catalog_report() -> Any:
    """Every catalog case run once on handmlp; tests read their case from it instead of rerunning it."""
    from reference.conformance import report  # needs torch: imported only by the torch tests that ask

    return report.run()
