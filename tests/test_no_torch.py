"""handmlp imports NumPy and the standard library only: it must import and run with torch absent, and
`handmlp verify` without torch says what it skipped and why, and fails unless skips are allowed."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from reference.conformance.catalog import CATALOG

ROOT = pathlib.Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
import numpy as np
import handmlp
from handmlp import MLP
net = MLP([3, 4, 2], ["sigmoid", "identity"])
value, grads = net.loss_and_gradients(np.ones((2, 3)), np.zeros((2, 2)), "half_squared_error")
assert "torch" not in {m.split(".")[0] for m in sys.modules if sys.modules[m] is not None}
print("ok", len(grads))
"""


def test_handmlp_imports_and_trains_without_torch() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok 4"


def test_no_handmlp_module_mentions_torch_imports() -> None:
    for path in (ROOT / "handmlp").rglob("*.py"):
        text = path.read_text()
        assert "import torch" not in text and "from torch" not in text, path


def _verify_without_torch(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m handmlp verify …` in an interpreter where `import torch` raises ImportError."""
    wrapper = (
        "import runpy, sys; sys.modules['torch'] = None; runpy.run_module('handmlp', run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-c", wrapper, "verify", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_verify_without_torch_is_incomplete_and_exits_one_naming_the_skips() -> None:
    result = _verify_without_torch("-q")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "pip install torch==2.13.0" in result.stderr
    summary = result.stdout.rstrip().splitlines()[-1]
    skipped = sum(c.needs_torch for c in CATALOG)
    assert summary.startswith(f"INCOMPLETE: {len(CATALOG)} cases, {len(CATALOG) - skipped} passed, 0 failed")
    assert f"{skipped} skipped (torch is not installed)" in summary


def test_verify_without_torch_with_allow_skip_exits_zero_and_still_reports_the_skips() -> None:
    result = _verify_without_torch("--allow-skip", "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    statuses = {c["id"]: c["status"] for c in data["cases"]}
    assert statuses["C12/xor_truth_table"] == "pass" and statuses["C9/dL_dw1"] == "skip"
    assert data["torch_version"] is None and data["summary"]["skipped"] == sum(c.needs_torch for c in CATALOG)
    assert "skips allowed" in result.stderr


def test_verify_without_torch_still_refuses_a_mistake_before_running() -> None:
    result = _verify_without_torch("-k", "(")
    assert (
        result.returncode == 2 and len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    )
