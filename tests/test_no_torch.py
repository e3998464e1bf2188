"""handmlp imports NumPy and the standard library only: it must import and run with torch absent."""

from __future__ import annotations

import pathlib
import subprocess
import sys

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
