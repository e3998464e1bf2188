"""What tests/test_batching.py left loose: the exact words of the refusal of a wrong `rng`, and the index
dtype of the unshuffled order."""

from __future__ import annotations

import re

import numpy as np
import pytest

from handmlp.batching import epoch_batches


@pytest.mark.parametrize(("rng", "shown"), [(42, "int"), (np.random.RandomState(0), "RandomState")])
def test_wrong_rng_is_refused_naming_its_type(rng: object, shown: str) -> None:
    message = f"rng: expected a numpy.random.Generator or None, got {shown}"
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        epoch_batches(5, 2, rng)  # type: ignore[arg-type]


@pytest.mark.parametrize("rng", [None, np.random.default_rng(0)], ids=["in order", "shuffled"])
def test_index_arrays_are_intp_shuffled_or_not(rng: np.random.Generator | None) -> None:
    assert {batch.dtype for batch in epoch_batches(5, 2, rng)} == {np.dtype(np.intp)}
