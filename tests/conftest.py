"""Shared fixtures: the catalog's report on handmlp, built once per test session."""

from __future__ import annotations

import pytest

from reference.conformance import report as verify


@pytest.fixture(scope="session")
def catalog_report() -> verify.Report:
    """Every catalog case run once on handmlp; tests read their case from it instead of rerunning it."""
    return verify.run()
