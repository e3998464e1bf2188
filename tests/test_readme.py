"""The README's Python examples run as written, and its quick start is the two commands .ci/run executes."""

from __future__ import annotations

import pathlib
import re

import pytest

from tests.torch_imports import source_needs_torch

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", README, re.S)


# An example that reaches the torch side (check_network, reference) is a torch test; the others run without.
EXAMPLES = [
    pytest.param(i, marks=[pytest.mark.torch] if source_needs_torch(code) else [])
    for i, code in enumerate(SNIPPETS)
]


@pytest.mark.parametrize("index", EXAMPLES)
def test_readme_python_example_runs(index: int) -> None:
    namespace: dict[str, object] = {}
    exec(compile(SNIPPETS[index], f"README.md example {index}", "exec"), namespace)
    assert "np" in namespace  # the example ran to its end without raising


def test_quick_start_is_two_commands_main_job_then_tests() -> None:
    block = README.split("<!-- quickstart:begin -->")[1].split("<!-- quickstart:end -->")[0]
    commands = [line for line in block.splitlines() if line.startswith("pip ")]
    assert len(commands) == 2
    assert commands[0].endswith("handmlp verify") and "pytest" in commands[1]
    assert all("-c constraints.txt" in c for c in commands)
