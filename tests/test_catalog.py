"""The catalog of course equations: each case as its own test (`pytest -k C9`), every course id of the
project's map (docs/equations.md) covered, and breaking one equation turns its cases, and only those, red."""

from __future__ import annotations

import re

import numpy as np
import pytest

import handmlp.activations as activations
import handmlp.losses as losses
import handmlp.mlp as mlp
from handmlp.linear import linear_backward
from reference.conformance.catalog import CATALOG, COURSE_IDS, Case
from reference.conformance.report import Report, run
from tests.equations_map import COURSE, course_ids


@pytest.mark.parametrize("case", CATALOG, ids=[c.id for c in CATALOG])
def test_course_case(case: Case, catalog_report: Report) -> None:
    (result,) = [r for r in catalog_report.results if r.case.id == case.id]
    outcome = result.outcome
    assert outcome is not None and outcome.passed, f"{case.id} ({case.equation}): {result.detail}"
    assert outcome.error <= outcome.bound or outcome.bound == 0.0


def test_every_course_id_has_a_case() -> None:
    covered = {c.course_id for c in CATALOG}
    missing = [i for i in COURSE_IDS if i not in covered]
    assert not missing, f"course ids without a catalog case: {missing}"


def test_course_ids_are_those_of_the_map_and_of_the_course_summary_when_present() -> None:
    expected = course_ids()  # docs/equations.md: always in the repository
    if COURSE.exists():  # and the course summary too, where a checkout has it beside it
        printed = re.findall(r"\*\*([CE]\d+)\b", COURSE.read_text(encoding="utf-8"))
        assert printed and sorted(set(printed)) == sorted(expected)
    assert expected and sorted(COURSE_IDS) == sorted(expected)


def test_case_ids_are_unique_and_cite_a_course_id() -> None:
    ids = [c.id for c in CATALOG]
    assert len(ids) == len(set(ids))
    assert all(c.course_id in COURSE_IDS for c in CATALOG)


def test_cases_register_in_course_id_order_one_module_after_another() -> None:
    # catalog.py imports the case modules in course-id order and each module defines its cases in that
    # order (an erratum after the equations of its module), so the equations register C1, C2, …, C17
    order = [COURSE_IDS.index(c.course_id) for c in CATALOG if c.course_id.startswith("C")]
    assert order == sorted(order)
    modules = [c.check.__module__ for c in CATALOG]
    runs = [m for i, m in enumerate(modules) if i == 0 or modules[i - 1] != m]
    assert len(runs) == len(set(modules)), f"a module's cases interleave with another's: {runs}"


def _red(pattern: str | None = None) -> set[str]:
    return {r.case.id for r in run(pattern).results if r.status != "pass"}


def test_breaking_the_sigmoid_derivative_reddens_only_its_dependents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activations.Sigmoid, "derivative", lambda self, z, a=None: self.forward(z))
    red = _red()
    assert {"C3/sigmoid_derivative", "C3/logistic_unit", "C9/dL_dw3", "C9/dL_dw1", "C12/xor_gradients"} <= red
    assert not red & {
        "C4/counts_3_4_2",
        "C5/hinge",
        "C10/relu_graph",
        "C12/xor_truth_table",
        "C14/prelu_slope",
    }


def test_breaking_the_hinge_margin_reddens_only_the_hinge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        losses.Hinge, "elementwise_gradient", lambda self, y_hat, y: np.where(y * y_hat < 1, -y, 0.0)
    )
    assert _red() == {"C5/hinge", "C5/hinge_both_reductions"}


def test_breaking_the_bias_gradient_reddens_only_cases_with_a_bias(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_bias_gradient(delta: np.ndarray, a_prev: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, ...]:
        grad_w, grad_b, grad_a = linear_backward(delta, a_prev, weight)
        return grad_w, 0 * grad_b, grad_a

    monkeypatch.setattr(mlp, "linear_backward", no_bias_gradient)
    red = _red()
    assert {"C9/dL_db", "C3/logistic_unit", "C10/delta_rule"} <= red
    assert not red & {
        "C9/dL_dw3",
        "C9/dL_dw2",
        "C9/dL_dw1",
        "C4/counts_3_4_2",
        "C5/l1",
        "C12/xor_truth_table",
    }
