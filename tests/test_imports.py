"""Every module of handmlp and reference imports on its own, first, in a fresh interpreter: no import
cycle hides behind the order in which the package happens to import its modules."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

# The probe imports every module of reference, torch's twins among them.
pytestmark = pytest.mark.torch

ROOT = pathlib.Path(__file__).resolve().parents[1]

# One interpreter for all modules (torch is imported once): before each module, every handmlp and
# reference module is dropped from sys.modules, so each one is imported first, as in a fresh interpreter.
PROBE = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("handmlp", "reference")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
"""


def _modules() -> list[str]:
    names = []
    for package in ("handmlp", "reference"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "__main__.py":
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_module_imports_on_its_own_first() -> None:
    modules = _modules()
    assert "reference.conformance.cases.backprop" in modules and "handmlp.cli" in modules
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "", f"modules that fail to import first:\n{done.stdout}"
