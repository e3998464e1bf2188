"""The pytest plugin (entry point `pytest11: handmlp`): `pytest --handmlp-impl MODULE_OR_FILE:FACTORY` runs
the course catalog and check_network's spread on your implementation as tests, one per case (ids = case
ids); a case your implementation cannot express is skipped as "not applicable". The `handmlp_oracle`
fixture gives your own tests the oracle: `handmlp_oracle.check_network(impl)`, `handmlp_oracle.run(impl)`
and `handmlp_oracle.against_autograd(impl, net, x, y, loss)`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

OPTION = "--handmlp-impl"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --handmlp-impl."""
    parser.getgroup("handmlp").addoption(
        OPTION,
        dest="handmlp_impl",
        default=None,
        metavar="MODULE_OR_FILE:FACTORY",
        help="run handmlp's course catalog and network spread on this implementation, one test per case",
    )


class CaseItem(pytest.Item):
    """One catalog case (or one network configuration) run on the implementation under test."""

    def __init__(self, *, case: Any, impl: Any, catalog: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.impl, self.catalog = case, impl, catalog

    def runtest(self) -> None:
        """Run the case; n/a skips, fail and error raise with the case's detail."""
        from reference.conformance.network import one_thread
        from reference.conformance.network import run_case as run_network_case
        from reference.conformance.report import run_case, torch_version

        with one_thread():
            if self.catalog:
                result = run_case(self.case, torch_version() is not None, self.impl)
            else:  # a probe or a network configuration, already bound to the implementation
                result = run_network_case(self.case)
        if result.status in ("n/a", "skip"):
            pytest.skip(f"not applicable: {result.detail}" if result.status == "n/a" else result.detail)
        if result.status != "pass":
            diagnosis = result.outcome.diagnosis if result.outcome else ""
            raise CaseFailedError(f"{self.case.id}: {diagnosis or result.detail}")

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        """The case's diagnosis and detail, not a traceback into the plugin."""
        if isinstance(excinfo.value, CaseFailedError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int, str]:
        """Where the case comes from."""
        return "handmlp-catalog", 0, self.case.id


class CaseFailedError(AssertionError):
    """A case that failed on the implementation under test."""


def _cases(impl: Any) -> list[Any]:
    from reference.conformance import probes
    from reference.conformance.catalog import CATALOG
    from reference.conformance.network import network_cases

    return [*CATALOG, *probes.cases(impl), *network_cases(impl)]


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    """With --handmlp-impl, add one test per case for the implementation it names."""
    spec = config.getoption("handmlp_impl")
    if not spec:
        return
    from reference.conformance.loading import SpecError, load_implementation

    try:
        impl = load_implementation(spec)
    except SpecError as exc:
        raise pytest.UsageError(f"{OPTION}: {exc}") from exc
    from reference.conformance.catalog import CATALOG

    ids = {c.id for c in CATALOG}
    items.extend(
        CaseItem.from_parent(session, name=case.id, case=case, impl=impl, catalog=case.id in ids)
        for case in _cases(impl)
    )


@pytest.fixture
def handmlp_oracle() -> SimpleNamespace:
    """The oracle for your own tests: check_network, the catalog's run, and one network against autograd."""
    from reference.conformance.network import check_network
    from reference.conformance.report import run
    from reference.conformance.subject import against_autograd

    return SimpleNamespace(
        check_network=check_network,
        run=lambda impl=None, pattern=None: run(pattern, impl=impl),
        against_autograd=against_autograd,
    )
