"""Which test modules need torch, read from the imports of the module and of every module of this
repository it reaches (tests/conftest.py puts the `torch` marker on their tests). Imports inside functions
count, since they run when a test calls the function, with one exception: a function of a package's
`__init__` (such as `handmlp.check_network`, which imports the torch side when called) counts only for a
module that names it, because every import of anything in the package runs that `__init__`.

A fixture module, not a test module: it reads source files and imports nothing of handmlp, reference or
torch.
"""

from __future__ import annotations

import ast
import functools
import pathlib
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]
OWN_PACKAGES = ("handmlp", "reference", "tests", "examples")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Imports:
    """What importing a module runs (`eager`), what each function of a package `__init__` imports when
    called (`lazy`), and every name the module mentions (`names`), all as absolute module names."""

    eager: frozenset[str]
    lazy: dict[str, frozenset[str]]
    names: frozenset[str]


def module_path(name: str) -> pathlib.Path | None:
    """The file of one of this repository's modules, or None for anything else (numpy, torch, …)."""
    if name.split(".")[0] not in OWN_PACKAGES:
        return None
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _modules(node: ast.AST, package: tuple[str, ...]) -> set[str]:
    """The modules an import statement names (with `from pkg import name`: pkg.name too, in case it is a
    submodule) and the packages containing them."""
    names: set[str] = set()
    if isinstance(node, ast.Import):
        names.update(alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        stem = package[: len(package) - node.level + 1] if node.level else ()
        module = ".".join([*stem, *([node.module] if node.module else [])])
        names.add(module)
        names.update(f"{module}.{alias.name}" for alias in node.names)
    return {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 2)}


def _all_imports(tree: ast.AST, package: tuple[str, ...]) -> set[str]:
    return {name for node in ast.walk(tree) for name in _modules(node, package)}


def _scan_source(source: str, package: tuple[str, ...], is_init: bool) -> Imports:
    tree = ast.parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    if not is_init:
        return Imports(frozenset(_all_imports(tree, package)), {}, frozenset(names))
    functions = [node for node in tree.body if isinstance(node, FUNCTIONS)]
    lazy = {f.name: frozenset(_all_imports(f, package)) for f in functions}
    outside = {
        name for node in tree.body if not isinstance(node, FUNCTIONS) for name in _all_imports(node, package)
    }
    return Imports(frozenset(outside), lazy, frozenset(names))


@functools.cache
def scan(path: pathlib.Path) -> Imports:
    package = path.relative_to(ROOT).parts[:-1]  # what `from . import` means, for a module or an __init__
    return _scan_source(path.read_text(encoding="utf-8"), package, path.name == "__init__.py")


def _reached(found: Imports, current: pathlib.Path | None) -> set[str]:
    """The modules `found` imports, with the imports of the package-`__init__` functions it names."""
    reached = set(found.eager)
    for name in found.eager:
        target = module_path(name)
        if target is not None and target.name == "__init__.py" and target != current:
            for function, imports in scan(target).lazy.items():
                if function in found.names:
                    reached |= imports
    return reached


def _reaches_torch(names: set[str]) -> bool:
    seen: set[pathlib.Path] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name == "torch" or name.startswith("torch."):
            return True
        target = module_path(name)
        if target is None or target in seen:
            continue
        seen.add(target)
        todo.extend(_reached(scan(target), target))
    return False


@functools.cache
def needs_torch(path: pathlib.Path) -> bool:
    """Whether importing the module at `path`, or running what it calls, may import torch."""
    return _reaches_torch(_reached(scan(path), path))


def source_needs_torch(source: str) -> bool:
    """The same for a piece of code run on its own, such as a README example."""
    return _reaches_torch(_reached(_scan_source(source, (), False), None))
