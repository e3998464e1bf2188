"""The gradient checker: a claimed ∂f/∂x of a scalar f of an array against finite differences (C15), at
every element (mode "full") or along a few random directions (mode "fast"). See docs/gradcheck.md."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from handmlp import validation
from handmlp.gradcheck import arguments, bounds, complex_step
from handmlp.gradcheck.estimator import (
    F64,
    Array,
    Estimate,
    Roundoff,
    Samples,
    estimate,
    exact_steps,
    ladder,
    scale_of,
    unit_roundoff,
)
from handmlp.gradcheck.results import GradcheckResult, raise_unless

NOISE_POINTS = 6  # the noise probe evaluates f at x + j·δ·w for j = 1 … NOISE_POINTS
NOISE_STEP_EXPONENT = 0.58  # δ = eps^0.58·max(1, |x|) as a power of two: 2⁻³⁰ in float64, 2⁻¹³ in float32
NOISE_SEED_OFFSET = 7919  # the noise probe's direction is drawn apart from the checked directions
GUARD_SEED = 12345  # the complex step's guard direction in full mode
SETUP_EVALUATIONS = 1 + NOISE_POINTS  # f at x and the noise probe


def scalar_value(f: Callable[[Array], Any], x: Array) -> Any:
    """f(x), which must be one real number (a loss)."""
    out = arguments.real_values("f", f(x))
    if out.size != 1:
        raise ValueError(f"f: expected a scalar (a loss), got an array of shape {out.shape}")
    return out.reshape(())[()]


@dataclass
class _Problem:
    """What every evaluation of a check of ∂f/∂x needs: f, x (and flattened), the claimed gradient, f(x),
    the roundoff of f's values, the unit roundoff of the claimed values and ulps."""

    f: Callable[[Array], Any]
    x: Array
    flat: Array
    grad: F64
    f0: float
    roundoff: Roundoff
    claimed_u: float
    ulps: float

    def at(self, flat: Array) -> float:
        return float(scalar_value(self.f, flat.reshape(self.x.shape)))

    def complex_at(self, z: Array) -> complex:
        return complex(complex_step.complex_values(self.f, z.reshape(self.x.shape)).reshape(()))

    def ladder(self, method: str, levels: int) -> list[float]:
        return ladder(method, levels, float(np.finfo(self.x.dtype).eps))


def random_directions(flat: Array, count: int, seed: int) -> F64:
    """Random ±1 directions (count, n), each element scaled by the power of two nearest max(1, |x_i|)."""
    rng = np.random.default_rng(seed)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(count, flat.size))
    powers_of_two = np.exp2(np.round(np.log2(scale_of(flat))))
    return signs * powers_of_two[None, :]


def noise_level(f: Callable[[Array], Any], x: Array, f0: float, seed: int) -> float:
    """The rounding noise of f near x, measured (after Moré & Wild's ECnoise) from the k-th differences
    (k = 4, 5, 6) of f on 7 equally spaced points x + j·δ·w along a random direction w: their smooth part
    vanishes at δ = 2⁻³⁰·max(1, |x|) (2⁻¹³ in float32), what remains is noise, whose standard deviation is
    RMS(Δᵏf)/√C(2k, k). One-sided, so that a kink at x itself is not taken for noise. 6 evaluations of f."""
    flat = x.reshape(-1)
    delta = 2.0 ** round(NOISE_STEP_EXPONENT * math.log2(float(np.finfo(x.dtype).eps)))
    direction = random_directions(flat, 1, seed + NOISE_SEED_OFFSET)[0] * delta
    values = [f0]
    for multiple in range(1, NOISE_POINTS + 1):
        moved = flat + (multiple * direction).astype(x.dtype)
        values.append(float(scalar_value(f, moved.reshape(x.shape))))
    probe = np.asarray(values)
    if not np.all(np.isfinite(probe)):
        return 0.0
    sigmas = [
        math.sqrt(float(np.mean(np.diff(probe, order) ** 2)) / math.comb(2 * order, order))
        for order in range(4, 7)
    ]
    return max(sigmas)


def _full(problem: _Problem, steps: list[float], method: str) -> GradcheckResult:
    """Every element perturbed in turn on the ladder `steps`: 2·levels·n evaluations of f."""
    flat, n, levels = problem.flat, problem.flat.size, len(steps)
    scale = scale_of(flat)
    x_plus, x_minus, h_plus, h_minus = exact_steps(flat, steps, scale)
    f_plus = np.empty((levels, n))
    f_minus = np.empty((levels, n))
    work = flat.copy()
    for i in range(n):
        for rung in range(levels):
            work[i] = x_plus[rung, i]
            f_plus[rung, i] = problem.at(work.copy())
            work[i] = x_minus[rung, i]
            f_minus[rung, i] = problem.at(work.copy())
        work[i] = flat[i]
    f0 = np.full(n, problem.f0)
    x_abs = np.abs(flat.astype(np.float64))
    numerical = estimate(Samples(f_plus, f_minus, f0, h_plus, h_minus), method, problem.roundoff, x_abs)
    error, bound = bounds.compare(
        numerical.value,
        numerical.error,
        problem.grad,
        f0,
        scale,
        problem.claimed_u,
        problem.ulps,
        x_abs * numerical.curvature,
    )
    n_evaluations = 2 * levels * n + SETUP_EVALUATIONS
    return bounds.verdict(
        error, bound, numerical.value, problem.grad, numerical, problem.x.shape, method, "full", n_evaluations
    )


def _full_complex(problem: _Problem) -> GradcheckResult:
    """Every element's complex step in turn (n evaluations), guarded along one random direction."""
    flat, n = problem.flat, problem.flat.size
    scale = scale_of(flat)
    h = complex_step.COMPLEX_STEP[problem.x.dtype] * scale
    ctype = complex_step.complex_dtype(problem.x.dtype)
    derivative = np.empty(n)
    work = flat.astype(ctype)
    for i in range(n):
        work[i] = flat[i] + 1j * h[i]
        derivative[i] = problem.complex_at(work.copy()).imag / h[i]
        work[i] = flat[i]
    f0 = np.full(n, problem.f0)
    error = complex_step.complex_error(
        derivative, f0, scale, h, np.dtype(ctype), problem.roundoff.u, problem.ulps
    )
    n_guard = _complex_direction_guard(problem, derivative)
    difference, bound = bounds.compare(
        derivative, error, problem.grad, f0, scale, problem.claimed_u, problem.ulps
    )
    n_evaluations = n + n_guard + SETUP_EVALUATIONS
    return bounds.verdict(
        difference, bound, derivative, problem.grad, None, problem.x.shape, "complex", "full", n_evaluations
    )


def _directional(problem: _Problem, directions: F64, steps: list[float], method: str) -> Estimate:
    """The derivative of f along each direction w (rows) from f(x ± t_k·w) on the ladder t_k."""
    levels, count = len(steps), directions.shape[0]
    f_plus = np.empty((levels, count))
    f_minus = np.empty((levels, count))
    for j in range(count):
        for rung, step in enumerate(steps):
            # powers of two: exact, and so is x ± d (nearly always)
            displacement = (step * directions[j]).astype(problem.x.dtype)
            f_plus[rung, j] = problem.at(problem.flat + displacement)
            f_minus[rung, j] = problem.at(problem.flat - displacement)
    t = np.repeat(np.asarray(steps, dtype=np.float64)[:, None], count, axis=1)
    samples = Samples(f_plus, f_minus, np.full(count, problem.f0), t, t.copy())
    return estimate(samples, method, problem.roundoff)


def _complex_direction_guard(problem: _Problem, derivative: F64) -> int:
    """Refuse the complex step when ⟨derivative, w⟩ disagrees with a central directional derivative along a
    random w; returns the number of evaluations of f it used."""
    direction = random_directions(problem.flat, 1, seed=GUARD_SEED)
    steps = problem.ladder("central", 3)
    central = _directional(problem, direction, steps, "central")
    along = float(derivative @ direction[0])
    along_error = problem.ulps * problem.roundoff.u * float(np.abs(derivative) @ np.abs(direction[0]))
    bound = bounds.BOUND_SAFETY * (float(central.error[0]) + along_error)
    if not abs(along - float(central.value[0])) <= bound:
        raise complex_step.refusal(0, (1,), along, central, 0, bound, "random direction")
    return 2 * len(steps)


def _projected(directions: F64, grad: Array) -> F64:
    """⟨grad, w⟩ for each direction w; where a finite gradient's projection overflows it is NaN, so that
    it agrees with nothing (not even an infinite directional derivative of an f that overflows too)."""
    claimed = directions @ grad
    if np.all(np.isfinite(grad)):
        claimed[~np.isfinite(claimed)] = np.nan
    return claimed


def _fast(problem: _Problem, steps: list[float], method: str, directions: F64) -> GradcheckResult:
    """⟨grad, w⟩ against the derivative of f along each direction w: 2·levels evaluations per direction
    (and one complex step each for "complex")."""
    count = directions.shape[0]
    # a projection that overflows (NaN) and its rounding (an infinite bound) fail the check below, silently
    with np.errstate(over="ignore", invalid="ignore"):
        claimed = _projected(directions, problem.grad)
        claimed_rounding = problem.ulps * problem.claimed_u * (np.abs(directions) @ np.abs(problem.grad))
    ones = np.ones(count)
    f0 = np.full(count, problem.f0)
    ladder_method = "richardson" if method == "richardson" else "central"
    central = _directional(problem, directions, steps, ladder_method)
    n_evaluations = 2 * len(steps) * count + SETUP_EVALUATIONS
    if method != "complex":
        error, bound = bounds.compare(
            central.value, central.error, claimed, f0, ones, problem.claimed_u, problem.ulps
        )
        bound = bound + claimed_rounding
        return bounds.verdict(
            error, bound, central.value, claimed, central, (count,), method, "fast", n_evaluations
        )
    h = complex_step.COMPLEX_STEP[problem.x.dtype]
    z = problem.flat.astype(complex_step.complex_dtype(problem.x.dtype))
    steps_along = [1j * (h * directions[j]).astype(problem.x.dtype) for j in range(count)]
    derivative = np.array([problem.complex_at(z + step) for step in steps_along]).imag / h
    error = complex_step.complex_error(
        derivative, f0, ones, np.full(count, h), z.dtype, problem.roundoff.u, problem.ulps
    )
    agreement = bounds.BOUND_SAFETY * (central.error + error)
    complex_step.first_disagreement(derivative, central, agreement, (count,), "random direction")
    difference, bound = bounds.compare(derivative, error, claimed, f0, ones, problem.claimed_u, problem.ulps)
    return bounds.verdict(
        difference,
        bound + claimed_rounding,
        derivative,
        claimed,
        None,
        (count,),
        method,
        "fast",
        n_evaluations + count,
    )


def check_gradient(
    f: Callable[[Array], Any],
    x: Any,
    grad: Any,
    method: str = "central",
    mode: str = "full",
    *,
    directions: int = 3,
    levels: int | None = None,
    seed: int = 0,
    ulps: float = 8.0,
) -> GradcheckResult:
    """Check grad = ∂f/∂x for a scalar f of an array x against finite differences (C15).

    mode="full": every element, 2·levels·x.size + 7 calls of f (levels 2 for "central", 3 for "richardson";
    x.size + 13 for "complex"). mode="fast": `directions` seeded random directions w (±1 per element, scaled
    by the power of two nearest max(1, |x_i|)), comparing ⟨grad, w⟩ with the derivative of f along w:
    2·levels (levels 3) calls per direction + 7 (+1 per direction for "complex"), whatever the size.
    f is called with fresh arrays (complex ones for "complex") and must return a scalar.
    """
    method, ulps = arguments.common(method, ulps, f=f)
    mode = validation.choice("mode", mode, arguments.MODES)
    ladder_method = "richardson" if method == "richardson" else "central"
    fewest = 3 if ladder_method == "richardson" else 2
    default_levels = 3 if method == "richardson" or mode == "fast" else 2
    levels = default_levels if levels is None else arguments.levels_at_least(levels, fewest)
    directions = validation.integer("directions", directions, minimum=1)
    seed = validation.seed("seed", seed)
    array = arguments.point(x)
    claimed = arguments.claimed_values("grad", grad, array.shape, "shape")
    claimed_dtype = claimed.dtype if claimed.dtype.kind == "f" else array.dtype
    f0_raw = np.asarray(scalar_value(f, array.copy()))
    f0 = float(f0_raw)
    if not math.isfinite(f0):
        raise ValueError(f"f: expected a finite value at x, got {f0}")
    f_u = unit_roundoff(f0_raw.dtype) if f0_raw.dtype.kind == "f" else unit_roundoff(array.dtype)
    roundoff = Roundoff(f_u, ulps, noise_level(f, array, f0, seed))
    flat_grad = claimed.reshape(-1).astype(np.float64)
    claimed_u = unit_roundoff(claimed_dtype)
    problem = _Problem(f, array, array.reshape(-1), flat_grad, f0, roundoff, claimed_u, ulps)
    steps = problem.ladder(ladder_method, levels)
    if mode == "full":
        return _full_complex(problem) if method == "complex" else _full(problem, steps, method)
    return _fast(problem, steps, method, random_directions(problem.flat, directions, seed))


# A deliberate mirror: the same signature as `check_gradient`, plus the name its message uses.
def assert_gradient(
    f: Callable[[Array], Any],
    x: Any,
    grad: Any,
    method: str = "central",
    mode: str = "full",
    *,
    directions: int = 3,
    levels: int | None = None,
    seed: int = 0,
    ulps: float = 8.0,
    name: str = "gradient",
) -> GradcheckResult:
    """`check_gradient` raising AssertionError (index, both values, error, bound) on failure (C15)."""
    result = check_gradient(
        f, x, grad, method, mode, directions=directions, levels=levels, seed=seed, ulps=ulps
    )
    return raise_unless(result, name)
