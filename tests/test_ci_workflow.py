"""The GitHub Actions workflow does what .ci/run does — the README's quick start with constraints.txt, the
suite with coverage, ruff, mypy — on Python 3.11–3.13, with torch from PyTorch's CPU wheel index, and keeps
coverage.xml and the JUnit report as artifacts."""

from __future__ import annotations

import importlib.util
import json
import re

from tests.equations_map import ROOT

WORKFLOW = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _runs() -> list[str]:
    """Every shell line of the workflow's `run:` steps (one-line and block forms)."""
    lines, block = [], None
    for line in WORKFLOW.splitlines():
        indent = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or indent > block):
            if line.strip():
                lines.append(line.strip())
            continue
        block = None
        match = re.match(r"\s*(?:- )?run: (.*)$", line)
        if match and match.group(1).strip() == "|":
            block = indent
        elif match:
            lines.append(match.group(1).strip())
    return lines


def test_workflow_runs_on_python_311_312_313() -> None:
    matrix = re.search(r"python-version: (\[.*\])", WORKFLOW)
    assert matrix is not None and json.loads(matrix.group(1)) == ["3.11", "3.12", "3.13"]
    assert "python-version: ${{ matrix.python-version }}" in WORKFLOW


def test_workflow_installs_the_cpu_torch_wheel_from_pytorchs_index_before_the_quick_start() -> None:
    runs = _runs()
    torch = runs.index("pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu")
    install = runs.index('pip install -c constraints.txt -e ".[test]"')
    assert torch < install
    assert "torch==2.13.0" in (ROOT / "constraints.txt").read_text(encoding="utf-8")


def test_workflow_runs_each_quick_start_command_and_the_lint_of_ci_run() -> None:
    block = README.split("<!-- quickstart:begin -->")[1].split("<!-- quickstart:end -->")[0]
    parts = {p.strip() for line in block.splitlines() if line.startswith("pip ") for p in line.split("&&")}
    runs = _runs()
    for part in parts:
        assert any(run == part or run.startswith(part + " ") for run in runs), part
    for check in ("ruff check .", "ruff format --check .", "mypy handmlp reference"):
        assert check in CI_RUN and check in runs, check
    assert any(run.startswith("pytest --cov") and "--junitxml=junit.xml" in run for run in runs)


def test_workflow_uploads_coverage_and_junit_as_artifacts_even_on_failure() -> None:
    upload = WORKFLOW[WORKFLOW.index("uses: actions/upload-artifact@v4") :]
    paths = re.search(r"path: \|\n((?:\s+\S+\n)+)", upload)
    assert paths is not None and paths.group(1).split() == ["coverage.xml", "junit.xml"]
    assert re.search(r"if: \$\{\{ always\(\) \}\}\s+uses: actions/upload-artifact@v4", WORKFLOW)
    assert "name: reports-python-${{ matrix.python-version }}" in upload  # v4 needs a name per job


def test_workflow_is_valid_yaml_where_pyyaml_is_installed() -> None:
    if importlib.util.find_spec("yaml") is None:  # not a dependency: the text checks above stand alone
        assert WORKFLOW.startswith("#") and "\t" not in WORKFLOW
        return
    import yaml  # type: ignore[import-untyped]

    data = yaml.safe_load(WORKFLOW)
    job = data["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    upload = next(s for s in job["steps"] if s.get("uses") == "actions/upload-artifact@v4")
    assert upload["with"]["path"].split() == ["coverage.xml", "junit.xml"]
