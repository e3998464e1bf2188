"""The course as a table of contents: every equation (C1–C17) and erratum (E1–E5) as named cases.

`CATALOG` is the one source of truth: the pytest suite and the `handmlp verify` command both run it.
Importing this module imports the case modules (reference/conformance/cases/), whose `case` decorators
register each case; cases that need torch import it inside their check, so the catalog itself imports
without torch and the rest still runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reference.conformance.case import CATALOG, COURSE_IDS, Case, Outcome

# Importing a case module registers its cases; imported in course-id order, so CATALOG is in that order too.
# isort: off
from reference.conformance.cases import (  # noqa: F401
    perceptrons,  # C1, C2, E4
    activations,  # C3
    counting,  # C4
    losses,  # C5, E1
    descent,  # C6, C7
    sgd,  # C8, E2
    backprop,  # C9, C10, E3, E5
    gates,  # C11, C12
    minibatch,  # C13
    parametric,  # C14
    checker,  # C15
    experiments,  # C16, C17
)
# isort: on

__all__ = ["CATALOG", "COURSE_IDS", "Case", "Outcome", "id_key", "select"]


def id_key(case_id: str) -> tuple[tuple[int, str | int], ...]:
    """Natural order of case ids: C1 < C2 < … < C17 < E1 < … < E5, and C9/dL_dw2 < C9/dL_dw10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", case_id))


def _matches_id(case_id: str, wanted: str) -> bool:
    """`wanted` is the whole id, or a prefix of it that ends at a `/` (`C1` is C1/…, never C10/…)."""
    return case_id == wanted or case_id.startswith(wanted.rstrip("/") + "/")


def select(pattern: str | None = None, *, ids: Sequence[str] | None = None) -> list[Case]:
    """The cases, ordered by id (`id_key`), that match every selector given (all when none is).

    ids: each one a whole case id (`C9/dL_dw1`) or a prefix of ids up to a `/` (a course id: `C1` selects
    C1/… and not C10/…); every id must select at least one case.
    pattern: a regular expression searched in the id (`handmlp verify -k`).
    A bad selector raises ValueError naming it, before any case runs.
    """
    cases = sorted(CATALOG, key=lambda c: id_key(c.id))
    if ids:
        for wanted in ids:
            if not any(_matches_id(c.id, wanted) for c in cases):
                raise ValueError(
                    f"ID: expected a case id or a course id such as C9 (see --list), got {wanted!r}"
                    " (use -k for a regular expression)"
                )
        cases = [c for c in cases if any(_matches_id(c.id, wanted) for wanted in ids)]
    if pattern:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"-k: expected a regular expression, got {pattern!r} ({exc})") from None
        cases = [c for c in cases if regex.search(c.id)]
    return cases
