"""The project's map of the course, docs/equations.md, read into records: one `Entry` per C or E id with
the references it names (`path/to/module.py: Name.attr`) and its catalog case ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "equations.md"
# The course summary the map restates, when a checkout has it beside it; nothing else may need it.
COURSE = ROOT.parent / "shared" / "COURSE.md"
FIELDS = ("Equation", "Implemented in", "Torch twin", "Cases")
REFERENCE = re.compile(r"`((?:handmlp|reference)/[\w/]+\.py): ([\w.]+)`")
CASE_ID = re.compile(r"`([CE]\d+/\w+)`")
CASE_MODULE = re.compile(r"`(reference/conformance/cases/\w+\.py)`")


@dataclass
class Entry:
    """One id's entry: its fields as written, and the references and case ids parsed out of them."""

    course_id: str
    title: str
    fields: dict[str, str]

    def references(self, field: str) -> list[tuple[str, str]]:
        """(module path, attribute path) for each `path.py: Name.attr` in the field."""
        return REFERENCE.findall(self.fields.get(field, ""))

    @property
    def cases(self) -> list[str]:
        """The catalog case ids the entry lists."""
        return CASE_ID.findall(self.fields.get("Cases", ""))

    @property
    def case_modules(self) -> list[str]:
        """The case modules (paths) the entry names as defining its cases: one, when the map is right."""
        return CASE_MODULE.findall(self.fields.get("Cases", ""))


def entries(text: str | None = None) -> list[Entry]:
    """Every `### <id> <title>` section of the map, in order, with its `- **Field:** …` items."""
    text = MAP.read_text(encoding="utf-8") if text is None else text
    found = []
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        heading, _, body = section.partition("\n")
        course_id, _, title = heading.partition(" ")
        items = re.split(r"^- \*\*([^*]+):\*\*", body, flags=re.M)
        fields = {name.strip(): " ".join(value.split()) for name, value in zip(items[1::2], items[2::2])}
        found.append(Entry(course_id, title.strip(), fields))
    return found


def course_ids() -> list[str]:
    """The ids of the map, in its order."""
    return [e.course_id for e in entries()]
