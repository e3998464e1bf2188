"""The course as a table of contents: every equation (C1–C17) and erratum (E1–E5) as named cases.

`CATALOG` is the one source of truth: the pytest suite and the `handmlp verify` command both run it.
Importing this module imports the case modules (reference/conformance/cases/), whose `case` decorators
register each case; cases that need torch import it inside their check, so the catalog itself imports
without torch and the rest still runs.
"""

from __future__ import annotations

import re

from reference.conformance.case import CATALOG, COURSE_IDS, Case, Outcome
from reference.conformance.cases import backprop, checker, training  # noqa: F401  (registers the cases)

__all__ = ["CATALOG", "COURSE_IDS", "Case", "Outcome", "select"]


def select(pattern: str | None = None) -> list[Case]:
    """The cases whose id matches `pattern` (a regular expression searched in the id; all when None)."""
    if not pattern:
        return list(CATALOG)
    regex = re.compile(pattern)
    return [c for c in CATALOG if regex.search(c.id)]
