"""`check_network`: your implementation against torch.autograd on the same weights, over a spread of shapes.

For each configuration (widths, batch size 1 and > 1, float64 and float32) a handmlp network with seeded
torch-default weights gives the state_dict both sides load; torch.autograd computes ŷ and ∂L/∂θ on its
twin, `reference.oracle.bounds.network_bounds` the derived bound of each element, and your implementation's
forward and gradients are compared with them. Activations without a torch twin go through the
finite-difference checker (handmlp.gradcheck) on your own forward instead. Exposed activation derivatives
are checked elementwise, an exposed loss gradient at its kinks (C5). The report's first line names the most
upstream failing equation and layer (reference/conformance/diagnosis.py).
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from handmlp.losses import get_loss
from handmlp.mlp import MLP
from reference.conformance import probes
from reference.conformance.case import Case, Outcome
from reference.conformance.protocol import Architecture, Array, LayoutError, NotApplicableError, capabilities
from reference.conformance.report import TORCH_HINT, CaseResult, Report, torch_version
from reference.conformance.subject import against_autograd

DEFAULT_SHAPES: tuple[tuple[int, ...], ...] = ((3, 4, 2), (2, 3, 3), (4, 4, 4, 4), (5, 3, 4, 1), (3, 6, 6, 2))
BATCH_SIZES = (1, 5)
DTYPES = ("float64", "float32")


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread meanwhile: networks this small only lose to threads fighting over shared cores
    (a 3×2 cross-entropy took 50 ms on two busy cores, 0.1 ms on one)."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(f"check_network compares with torch.autograd; {TORCH_HINT}") from exc

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def targets(loss: str, n_out: int, batch: int, rng: np.random.Generator) -> Array:
    """y for `loss`: class labels, ±1, probabilities, or reals."""
    if loss == "cross_entropy":
        return rng.integers(0, n_out, size=batch)
    if loss == "hinge":
        return rng.choice([-1.0, 1.0], size=(batch, n_out))
    if loss in ("binary_cross_entropy", "bce_with_logits"):
        return rng.uniform(size=(batch, n_out))
    return rng.normal(size=(batch, n_out))


def spread(impl: Any, shapes: Sequence[Sequence[int]] = DEFAULT_SHAPES) -> list[Architecture]:
    """Every shape in both dtypes, with the implementation's hidden and output activations."""
    return [Architecture.uniform(s, impl.hidden, impl.output, d) for d in DTYPES for s in shapes]


def _case(case_id: str, computes: str, check: Any) -> Case:
    return Case(
        case_id,
        "∂L/∂θ by backpropagation (C9, C10)",
        computes,
        "torch.autograd on torch's twin with the same weights",
        "every element within its derived rounding bound",
        check,
        needs_torch=True,
    )


def run_configuration(impl: Any, arch: Architecture, batch: int, seed: int) -> Outcome:
    """One configuration: your ŷ and ∂L/∂θ (and ∂L/∂x) against torch's, and the diagnosis of a failure."""
    rng = np.random.default_rng(seed)
    ref = MLP(list(arch.sizes), list(arch.activations), dtype=arch.dtype, seed=seed)
    x = rng.normal(size=(batch, arch.sizes[0])).astype(arch.dtype)
    y = targets(impl.loss.name, arch.sizes[-1], batch, rng)
    y = y.astype(arch.dtype) if y.dtype.kind == "f" else y
    if not probes.has_twins(arch):  # finite differences of your forward, in float64 where they are sharp
        arch = Architecture(arch.sizes, arch.activations, arch.bias, "float64")
        ref = MLP(list(arch.sizes), list(arch.activations), seed=seed)
        fn = get_loss(impl.loss.name, impl.loss.reduction)
        y = y.astype(np.float64) if y.dtype.kind == "f" else y
        return probes.finite_differences(impl, ref, arch, x.astype(np.float64), y, fn)
    return against_autograd(impl, ref, x, y, impl.loss)


def run_case(case: Case) -> CaseResult:
    """Run one check on the implementation: a layout mismatch is a failure saying so, an exception raised
    by the implementation an error naming it; the run goes on."""
    start = time.perf_counter()
    try:
        outcome = case.check()
    except NotApplicableError as exc:
        return CaseResult(case, "n/a", None, time.perf_counter() - start, str(exc))
    except LayoutError as exc:
        outcome = Outcome(False, float("inf"), 0.0, f"layout: {exc}", diagnosis=f"layout: {exc}")
    except Exception as exc:  # the user's code raised: reported, the run goes on
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return CaseResult(case, "error", None, time.perf_counter() - start, f"your code raised {last}")
    status = "pass" if outcome.passed else "fail"
    return CaseResult(case, status, outcome, time.perf_counter() - start, outcome.detail)


RANKS = ("layout", "the derivative", "the loss gradient", "the forward", "every gradient")


def _rank(found: str) -> float:
    """Upstream first: layout, then the parts (activation, loss: checked elementwise before located from
    failing layers), the forward pass, one constant factor, the layers from the output down, the step."""
    for i, prefix in enumerate(RANKS):
        if found.startswith(prefix):
            return i + (0.5 if "located from" in found else 0.0)
    # the update uses the gradients: a wrong step is only its own fault when every gradient was right
    return len(RANKS) + (1 if found.startswith("the SGD step") else 0)


def first_diagnosis(results: list[CaseResult]) -> str:
    """The most upstream diagnosis among the results; else the first error; "" when all passed."""
    found = [r.outcome.diagnosis for r in results if r.outcome and r.outcome.diagnosis]
    if found:
        return min(found, key=_rank)
    errors = [r for r in results if r.status in ("error", "fail")]
    return f"{errors[0].case.id}: {errors[0].detail}" if errors else ""


def network_cases(
    impl: Any,
    shapes: Sequence[Sequence[int]] = DEFAULT_SHAPES,
    batch_sizes: Sequence[int] = BATCH_SIZES,
    seed: int = 0,
) -> list[Case]:
    """One case per configuration of the spread, bound to `impl`."""
    cases = []
    for i, arch in enumerate(spread(impl, shapes)):
        for batch in batch_sizes:
            case_id = f"network/{'-'.join(map(str, arch.sizes))}/{arch.dtype}/batch{batch}"

            def check(arch: Architecture = arch, batch: int = batch, i: int = i) -> Outcome:
                return run_configuration(impl, arch, batch, seed + i)

            cases.append(_case(case_id, f"{impl.name}: {arch.describe()}, {impl.loss}", check))
    return cases


def check_network(
    impl: Any = None,
    *,
    shapes: Sequence[Sequence[int]] = DEFAULT_SHAPES,
    batch_sizes: Sequence[int] = BATCH_SIZES,
    seed: int = 0,
) -> Report:
    """Check `impl` (an `Implementation`; handmlp itself when None) against torch.autograd over `shapes`,
    `batch_sizes` and float64/float32. `report.ok` is the verdict, `report.diagnosis` its first line."""
    from reference.conformance.default import HandmlpImplementation

    impl = HandmlpImplementation() if impl is None else impl
    capabilities(impl)  # a clear TypeError for something that is not an implementation
    start = time.perf_counter()
    with one_thread():  # first: without torch, say what to install
        cases = [*probes.cases(impl), *network_cases(impl, shapes, batch_sizes, seed)]
        results = [run_case(c) for c in cases]
    report = Report(results, _version(), torch_version(), time.perf_counter() - start)
    report.diagnosis = first_diagnosis(results)
    report.implementation = impl.name
    return report


def _version() -> str:
    import handmlp

    return handmlp.__version__
