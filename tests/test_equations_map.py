"""docs/equations.md, the project's map of the course, is true to the code: every module and function it
names exists, every case it lists is in the catalog, and every catalog case and course id is listed."""

from __future__ import annotations

import importlib
import re

import pytest

from reference.conformance.catalog import CATALOG, COURSE_IDS
from tests.equations_map import COURSE, FIELDS, ROOT, Entry, course_ids, entries

ENTRIES = entries()


def _resolve(path: str, attribute: str) -> str | None:
    """None when `path: attribute` names something defined in that file, else what went wrong."""
    if not (ROOT / path).is_file():
        return f"no file {path}"
    module_name = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return f"module {module_name} does not import ({exc})"
    owner: object = module
    *outer, last = attribute.split(".")
    for part in outer:
        owner = getattr(owner, part, None)
        if owner is None:
            return f"{module_name} has no attribute {attribute!r} (missing {part!r})"
    if isinstance(owner, type):  # a method: written in this class's body, not inherited
        if last not in vars(owner):
            return f"{module_name}.{'.'.join(outer)} does not define {last!r} itself"
    elif not hasattr(owner, last):
        return f"{module_name} has no attribute {attribute!r} (missing {last!r})"
    elif getattr(getattr(owner, last), "__module__", module_name) != module_name:
        return f"{module_name}.{last} is only imported there, from {getattr(owner, last).__module__}"
    return None


def test_the_map_has_one_entry_per_course_id_in_order() -> None:
    assert course_ids() == COURSE_IDS


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.course_id for e in ENTRIES])
def test_map_entry_has_every_field_and_names_real_code(entry: Entry) -> None:
    missing = [f for f in FIELDS if not entry.fields.get(f)]
    assert not missing, f"docs/equations.md {entry.course_id}: fields missing or empty: {missing}"
    implemented = entry.references("Implemented in")
    assert implemented, f"docs/equations.md {entry.course_id}: 'Implemented in' names no `path.py: name`"
    assert all(path.startswith("handmlp/") for path, _ in implemented), entry.course_id
    assert all(path.startswith("reference/") for path, _ in entry.references("Torch twin")), entry.course_id
    unresolved = [
        f"`{path}: {attribute}` ({problem})"
        for field in ("Implemented in", "Torch twin")
        for path, attribute in entry.references(field)
        if (problem := _resolve(path, attribute)) is not None
    ]
    assert not unresolved, f"docs/equations.md {entry.course_id}: unresolved {'; '.join(unresolved)}"


def test_every_listed_case_is_in_the_catalog_under_its_own_id() -> None:
    catalog = {c.id for c in CATALOG}
    wrong = [
        f"{e.course_id}: {case_id}"
        for e in ENTRIES
        for case_id in e.cases
        if case_id not in catalog or case_id.split("/")[0] != e.course_id
    ]
    assert not wrong, (
        f"docs/equations.md lists cases the catalog does not have (or under another id): {wrong}"
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.course_id for e in ENTRIES])
def test_map_names_the_one_case_module_that_defines_every_case_of_the_id(entry: Entry) -> None:
    assert len(entry.case_modules) == 1, f"docs/equations.md {entry.course_id}: names {entry.case_modules}"
    (path,) = entry.case_modules
    expected = path.removesuffix(".py").replace("/", ".")
    elsewhere = {c.id: c.check.__module__ for c in CATALOG if c.course_id == entry.course_id}
    elsewhere = {case_id: module for case_id, module in elsewhere.items() if module != expected}
    assert not elsewhere, f"{entry.course_id}: cases defined outside {path}: {elsewhere}"


def test_every_catalog_case_is_listed_in_the_map() -> None:
    listed = {case_id for e in ENTRIES for case_id in e.cases}
    unlisted = sorted(c.id for c in CATALOG if c.id not in listed)
    assert not unlisted, f"catalog cases missing from docs/equations.md: {unlisted}"


def test_a_wrong_reference_is_reported_by_name() -> None:
    # the resolver is the check: it must fail on names that do not exist (a planted wrong map entry)
    assert _resolve("handmlp/activations.py", "Sigmoid.gradient") is None
    assert "does not define 'second_derivative'" in str(
        _resolve("handmlp/activations.py", "Sigmoid.second_derivative")
    )
    assert "does not define 'forward' itself" in str(_resolve("handmlp/activations.py", "Sigmoid.forward"))
    assert "missing 'Nothing'" in str(_resolve("handmlp/activations.py", "Nothing.gradient"))
    assert "only imported there" in str(_resolve("handmlp/gradcheck/__init__.py", "check_gradient"))
    assert "no file" in str(_resolve("handmlp/no_such_module.py", "f"))
    planted = entries("### C1 t\n- **Cases:** `C1/no_such_case`\n")
    assert planted[0].cases == ["C1/no_such_case"] and planted[0].references("Implemented in") == []


if COURSE.exists():  # only where the course summary lies beside the checkout: no test, and no skip, elsewhere

    def test_the_map_ids_are_the_course_summary_ids() -> None:
        printed = re.findall(r"\*\*([CE]\d+)\b", COURSE.read_text(encoding="utf-8"))
        assert printed and list(dict.fromkeys(printed)) == course_ids()


def _repository_text_files() -> list[str]:
    """The repository's own text files (no git needed: a source archive has no .git)."""
    names = [p.name for p in ROOT.iterdir() if p.is_file()]
    for folder in ("handmlp", "reference", "tests", "docs", "benchmarks", ".ci", ".github"):
        names += [str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*") if p.is_file()]
    suffixes = (".py", ".md", ".toml", ".ini", ".txt", ".yml", ".cfg", "run")
    return sorted(n for n in names if n.endswith(suffixes) and "__pycache__" not in n)


def test_nothing_in_the_repository_points_outside_it_for_the_course() -> None:
    allowed = {"tests/equations_map.py"}  # the one optional comparison with the course summary
    files = _repository_text_files()
    assert {"README.md", "docs/equations.md", "handmlp/mlp.py", ".ci/run"} <= set(files)
    offenders = [
        name
        for name in files
        if name not in allowed
        and re.search(r"\.\./shared|COURSE\.md", (ROOT / name).read_text(encoding="utf-8"))
    ]
    assert not offenders, f"files that point to the course summary outside the repository: {offenders}"
