"""The `torch` marker is where torch is needed: the import reading of tests/torch_imports.py sees torch
behind the repository's own modules (and behind `handmlp.check_network` only where a module names it), and
every test module it calls NumPy-only imports with torch blocked."""

from __future__ import annotations

import subprocess
import sys

from tests.torch_imports import ROOT, needs_torch, source_needs_torch

BLOCKED = """
import importlib, sys
import pytest
sys.modules["torch"] = None  # any `import torch` now raises ImportError
failed = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
    except pytest.skip.Exception:  # a module that skips itself (an optional dependency absent)
        pass
print("\\n".join(failed))
"""


def test_torch_is_seen_behind_the_repositorys_modules() -> None:
    assert source_needs_torch("import torch")
    assert source_needs_torch("from reference.twins.mlp import to_torch")  # reference/twins imports torch
    assert source_needs_torch("from reference.conformance.catalog import CATALOG")  # its cases, when run
    assert source_needs_torch("from handmlp.cli import main")  # `verify` and `check` import reference
    assert not source_needs_torch("import numpy as np\nfrom handmlp import MLP, fit")
    assert not source_needs_torch("from reference.oracle.compare import gamma")  # NumPy only


def test_a_package_function_that_imports_torch_counts_only_where_named() -> None:
    assert not source_needs_torch("import handmlp\nhandmlp.MLP([1, 1], 'identity')")
    assert source_needs_torch("from handmlp import check_network")
    assert source_needs_torch("import handmlp\nhandmlp.check_network()")


def test_every_module_left_unmarked_imports_with_torch_blocked() -> None:
    unmarked = [p for p in sorted((ROOT / "tests").glob("test_*.py")) if not needs_torch(p)]
    assert ROOT / "tests" / "test_batching.py" in unmarked and ROOT / "tests" / "test_mlp.py" not in unmarked
    names = [f"tests.{p.stem}" for p in unmarked] + ["tests.conftest"]
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, *names], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "", f"modules without the torch marker that need torch:\n{done.stdout}"
