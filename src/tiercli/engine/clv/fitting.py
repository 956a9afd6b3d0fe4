"""The maximum-likelihood machinery the models share: minimise the negative weighted log-likelihood over the
logarithms of the (positive) parameters, then the standard errors, in the original parameters, from the Hessian.

The search is scipy's L-BFGS-B on log-parameters bounded to [−20, 20] (parameters between 2e−9 and 5e8), with the
model's analytic gradient where it has one and central differences otherwise, followed by a few Newton steps on
a numerical Hessian (central differences) so that the optimum is found to near machine precision: a fit on
distinct (x, t_x, T) rows with weights then agrees with the fit on every customer to far better than 1e−6.

Standard errors: the inverse of the Hessian H of the negative log-likelihood in the log-parameters φ = log θ is the
asymptotic covariance of φ̂; by the delta method cov(θ̂) = diag(θ̂) H⁻¹ diag(θ̂). None when H is not positive
definite (the optimum is not a proper maximum, e.g. a parameter at a bound).

Failures are results, not exceptions: unusable data (NaN, t_x > T, repeat purchases with t_x = 0, for which the
likelihood has no maximum), a non-finite log-likelihood at the start or at the end of the search return a `Fit`
with converged=False and a message saying why; the parameters are then the start values, never NaN. A search
that ends with a parameter at a bound of its range is reported the same way, with its parameters.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

Array = NDArray[np.float64]
Objective = Callable[[Array], float]
Gradient = Callable[[Array], Array]
ValueAndGradient = Callable[[Array], tuple[float, Array]]
Derivatives = Callable[[Array], tuple[float, Array, Array]]

LOG_BOUND = 20.0
_GRADIENT_STEP = 1e-5
_HESSIAN_STEP = 1e-4
_NEWTON_STEPS = 6


@dataclass(frozen=True)
class Fit:
    """A fitted model: its parameters in `names` order, their standard errors (None where not estimable), the
    maximised log-likelihood, and how the search ended. `customers` is the number of customers fitted (the sum
    of the weights)."""

    model: str
    names: tuple[str, ...]
    params: tuple[float, ...]
    std_errors: tuple[float | None, ...]
    log_likelihood: float
    converged: bool
    iterations: int
    customers: int
    message: str

    def param(self, name: str) -> float:
        """The value of the parameter `name`."""
        return self.params[self.names.index(name)]


@dataclass(frozen=True)
class Data:
    """Per-customer (or per distinct row) calibration data as float arrays of one length, with weights."""

    x: Array
    t_x: Array
    T: Array
    weights: Array


def as_data(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None) -> tuple[Data, str]:
    """The arrays as `Data` without the rows of weight 0, and "" or what makes them unusable for a fit (the first
    offending row). Arrays of different lengths are a programming error and raise ValueError."""
    arrays = [np.asarray(v, dtype=np.float64).ravel() for v in (x, t_x, T)]
    w = np.ones_like(arrays[0]) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if len({a.size for a in (*arrays, w)}) != 1:
        raise ValueError(f"x, t_x, T and weights must have one length, got {[a.size for a in (*arrays, w)]}")
    xs, txs, ts = arrays
    checks = [
        (~np.isfinite(w) | (w < 0), "weight is not a finite number ≥ 0"),
        (~(np.isfinite(xs) & np.isfinite(txs) & np.isfinite(ts)), "x, t_x or T is not a finite number"),
        (xs < 0, "x < 0"),
        ((txs < 0) | (txs > ts), "t_x is not within [0, T]"),
        ((xs > 0) & (txs == 0), "repeat purchases at the time of the first (x > 0 with t_x = 0): merge purchases "
                                "made at the same time; with such a row the likelihood grows without bound as α → 0 "
                                "and has no maximum"),
    ]
    for bad, what in checks:
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(bad)
        if rows.size:
            i = int(rows[0])
            return Data(xs, txs, ts, w), (f"{rows.size} row(s) unusable, the first (row {i}: x={xs[i]}, "
                                          f"t_x={txs[i]}, T={ts[i]}, weight={w[i]}): {what}")
    keep = w > 0
    return Data(xs[keep], txs[keep], ts[keep], w[keep]), ""


WARM_ROWS = 20_000  # a fit over more rows than 4× this starts where a fit of this many of them ended


def warm_start(fit: Callable[..., Fit], data: Data, start: Sequence[float]) -> Sequence[float]:
    """Where to start a fit of `data`: for many rows, the parameters a fit of a seeded sample of WARM_ROWS of
    them reaches (from `start`), so that the full fit needs a few iterations instead of twenty; else `start`.
    The maximum found is the full data's either way: the sample only moves the first point of the search."""
    if data.x.size <= 4 * WARM_ROWS:
        return start
    pick = np.sort(np.random.default_rng(0).choice(data.x.size, WARM_ROWS, replace=False))
    warm = fit(data.x[pick], data.t_x[pick], data.T[pick], data.weights[pick], start)
    return warm.params if warm.converged else start


PART_ROWS = 50_000  # rows of a fit evaluated in parts of at least this many, one part per core


def split(data: Data) -> list[Data]:
    """The rows in as many parts as there are cores (one part for few rows): a log-likelihood is a sum over
    customers, so the parts' sums add up to the whole's."""
    parts = max(1, min(os.cpu_count() or 1, data.x.size // PART_ROWS))
    if parts == 1:
        return [data]
    bounds = np.linspace(0, data.x.size, parts + 1).astype(int)
    return [Data(data.x[i:j], data.t_x[i:j], data.T[i:j], data.weights[i:j])
            for i, j in itertools.pairwise(bounds)]


def weighted_sum(weights: Array, values: Array) -> float:
    """Σ weights·values as an elementwise product and a pairwise sum: not a BLAS dot product, whose threads cost
    milliseconds per call on a busy machine, and a fit makes dozens of these calls over a million rows."""
    return float(np.sum(weights * values))


def failed(model: str, names: Sequence[str], start: Sequence[float], customers: float, message: str) -> Fit:
    """A fit that could not run: the start values, converged=False and why."""
    return Fit(model=model, names=tuple(names), params=tuple(float(v) for v in start),
               std_errors=tuple(None for _ in names), log_likelihood=float("nan"), converged=False, iterations=0,
               customers=round(customers), message=message)


def maximise(model: str, names: Sequence[str], negative_ll: Objective, start: Sequence[float], customers: float,
             value_and_gradient: ValueAndGradient | None = None, derivatives: Derivatives | None = None) -> Fit:
    """Maximise a log-likelihood: `negative_ll(φ)` is minus the weighted log-likelihood at log-parameters φ,
    `value_and_gradient(φ)` (optional) the same value with its gradient in φ, computed together, `derivatives(φ)`
    (optional) the value with its gradient and Hessian in φ; `start` the starting parameters (original scale).

    With the Hessian, the search is Newton's method in a trust region (scipy's trust-exact), a few evaluations
    from a warm start; where that search does not end at a proper maximum inside the bounds, the quasi-Newton
    search below runs as without it."""
    names = tuple(names)
    if customers <= 0:
        return failed(model, names, start, customers, "no customers to fit")
    phi0 = np.log(np.asarray(start, dtype=np.float64))
    f0 = _value(negative_ll, phi0)
    if not np.isfinite(f0):
        return failed(model, names, start, customers,
                      "the log-likelihood is not finite at the start values: some rows are impossible under the "
                      "model")
    if derivatives is not None:
        found = _trust_region(model, names, derivatives, phi0, f0, customers)
        if found is not None:
            return found
    gradient: Gradient | None = None
    if value_and_gradient is not None:
        vg = value_and_gradient

        def gradient(phi: Array) -> Array:
            return np.asarray(vg(phi)[1], dtype=np.float64)

    def evaluate(phi: Array) -> tuple[float, Array]:
        if value_and_gradient is not None:
            with np.errstate(all="ignore"):
                f, g = value_and_gradient(phi)
            return float(f), np.asarray(g, dtype=np.float64)
        f = _value(negative_ll, phi)
        return f, (central_gradient(negative_ll, phi) if np.isfinite(f) else np.zeros_like(phi))

    def grad(phi: Array) -> Array:
        return evaluate(phi)[1]

    penalty = f0 + 1e6 * (1.0 + abs(f0))
    non_finite = [0]

    def objective(phi: Array) -> tuple[float, Array]:
        f, g = evaluate(phi)
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            non_finite[0] += 1
            return penalty, np.zeros_like(phi)  # the line search steps back from here
        return f, g

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(names)
    result = minimize(objective, phi0, jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-10})
    phi = np.clip(np.asarray(result.x, dtype=np.float64), -LOG_BOUND, LOG_BOUND)
    f = _value(negative_ll, phi)
    if not np.isfinite(f):
        return failed(model, names, start, customers, "the search ended where the log-likelihood is not finite")
    phi, f, steps, hessian = _newton_polish(negative_ll, grad, gradient, phi, f)
    if steps:
        hessian = numerical_hessian(negative_ll, phi, gradient)
    g = np.asarray(grad(phi), dtype=np.float64)
    positive = _positive_definite(hessian)
    at_bound = bool(np.any(np.abs(phi) >= LOG_BOUND - 1e-6))
    details = [f"L-BFGS-B: {result.message}", f"{steps} Newton step(s)"]  # the search, for Fit.message
    if positive:
        decrement = float(g @ np.linalg.solve(hessian, g))
        converged = decrement < 1e-8 and not at_bound
        details.append(f"Newton decrement {decrement:.1e}")
    else:
        converged = False
        details.append("the Hessian is not positive definite: not a proper maximum (the data do not identify every "
                     "parameter), no standard errors")
    if at_bound:
        details.append(f"a parameter reached the bound of the search (log value ±{LOG_BOUND:g}): the data do not "
                     "pin it down")
    if non_finite[0]:
        details.append(f"{non_finite[0]} trial point(s) gave a non-finite log-likelihood and were stepped back from")
    theta = np.exp(phi)
    std: tuple[float | None, ...] = tuple(None for _ in names)
    if positive:
        variances = np.diag(np.linalg.inv(hessian))
        std = tuple(float(t * np.sqrt(v)) if v > 0 else None for t, v in zip(theta, variances, strict=True))
    return Fit(model=model, names=names, params=tuple(float(t) for t in theta), std_errors=std,
               log_likelihood=-f, converged=converged, iterations=int(result.nit) + steps,
               customers=round(customers), message="; ".join(details))


def _trust_region(model: str, names: tuple[str, ...], derivatives: Derivatives, phi0: Array, f0: float,
                  customers: float) -> Fit | None:
    """The maximum by Newton steps in a trust region on the exact Hessian, as a converged `Fit`; None when the
    search does not end at a proper maximum (Hessian positive definite, Newton decrement below 1e−8) with every
    parameter inside the bounds."""
    cache: dict[bytes, tuple[float, Array, Array]] = {}

    def at(phi: Array) -> tuple[float, Array, Array]:
        key = phi.tobytes()
        if key not in cache:
            with np.errstate(all="ignore"):
                f, g, h = derivatives(phi)
            if not (np.isfinite(f) and np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
                f = float("inf")  # a point the search rejects and shrinks its region from
            if len(cache) > 4:
                cache.clear()
            cache[key] = (float(f), np.asarray(g, dtype=np.float64), np.asarray(h, dtype=np.float64))
        return cache[key]

    # The gradient's own rounding grows with the sum it is the gradient of: stop where it is below that.
    gtol = 1e-9 * max(1.0, abs(f0))
    with warnings.catch_warnings():  # an ended search warns; the checks below decide what it found
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(lambda phi: at(phi)[0], phi0, jac=lambda phi: at(phi)[1], hess=lambda phi: at(phi)[2],
                          method="trust-exact", options={"gtol": gtol, "maxiter": 200})
    phi = np.asarray(result.x, dtype=np.float64)
    f, g, hessian = at(phi)
    if not np.isfinite(f) or np.any(np.abs(phi) >= LOG_BOUND) or not _positive_definite(hessian):
        return None
    decrement = float(g @ np.linalg.solve(hessian, g))
    if not decrement < 1e-8:
        return None
    theta = np.exp(phi)
    variances = np.diag(np.linalg.inv(hessian))
    std = tuple(float(t * np.sqrt(v)) if v > 0 else None for t, v in zip(theta, variances, strict=True))
    return Fit(model=model, names=names, params=tuple(float(t) for t in theta), std_errors=std,
               log_likelihood=-f, converged=True, iterations=int(result.nit), customers=round(customers),
               message=f"trust-exact: {result.message}; Newton decrement {decrement:.1e}")


def central_gradient(f: Objective, phi: Array, step: float = _GRADIENT_STEP) -> Array:
    """The gradient of f at phi by central differences."""
    g = np.empty_like(phi)
    for i in range(phi.size):
        e = np.zeros_like(phi)
        e[i] = step
        g[i] = (_value(f, phi + e) - _value(f, phi - e)) / (2 * step)
    return g


def numerical_hessian(f: Objective, phi: Array, gradient: Gradient | None = None,
                      step: float = _HESSIAN_STEP) -> Array:
    """The Hessian of f at phi by central differences: of the gradient when there is one, else of f."""
    n = phi.size
    h = np.empty((n, n))
    eye = np.eye(n) * step
    if gradient is not None:
        for j in range(n):
            h[:, j] = (np.asarray(gradient(phi + eye[j])) - np.asarray(gradient(phi - eye[j]))) / (2 * step)
    else:
        f0 = _value(f, phi)
        for i in range(n):
            h[i, i] = (_value(f, phi + eye[i]) - 2 * f0 + _value(f, phi - eye[i])) / step ** 2
            for j in range(i):
                h[i, j] = h[j, i] = (_value(f, phi + eye[i] + eye[j]) - _value(f, phi + eye[i] - eye[j])
                                     - _value(f, phi - eye[i] + eye[j]) + _value(f, phi - eye[i] - eye[j])
                                     ) / (4 * step ** 2)
    return np.asarray((h + h.T) / 2, dtype=np.float64)


def _newton_polish(f: Objective, grad: Gradient, analytic: Gradient | None, phi: Array,
                   value: float) -> tuple[Array, float, int, Array]:
    """Newton steps from phi, on one numerical Hessian, while it is positive definite, the predicted gain is not
    negligible and the value does not get worse (beyond rounding): the last digits of the optimum that a
    quasi-Newton search leaves. Also returns that Hessian (at the starting phi)."""
    hessian = numerical_hessian(f, phi, analytic)
    if not _positive_definite(hessian):
        return phi, value, 0, hessian
    steps = 0
    for _ in range(_NEWTON_STEPS):
        g = np.asarray(grad(phi), dtype=np.float64)
        step = np.linalg.solve(hessian, g)
        # Stop when the step is below what the gradient's rounding can resolve or the gain it predicts (twice
        # over) is below the rounding of the log-likelihood itself.
        if float(np.max(np.abs(step))) < 1e-9 or float(g @ step) < 1e-15 * max(1.0, abs(value)):
            break
        candidate = np.clip(phi - step, -LOG_BOUND, LOG_BOUND)
        new = _value(f, candidate)
        if not (np.isfinite(new) and new <= value + 1e-12 * max(1.0, abs(value))):
            break
        phi, value, steps = candidate, new, steps + 1
    return phi, value, steps, hessian


def _positive_definite(m: Array) -> bool:
    if not np.all(np.isfinite(m)):
        return False
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return False
    return True


def _value(f: Objective, phi: Array) -> float:
    with np.errstate(all="ignore"):
        v = float(f(phi))
    return v if np.isfinite(v) else float("nan")
