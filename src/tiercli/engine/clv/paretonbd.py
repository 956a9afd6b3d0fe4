"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987, "Counting Your Customers: Who Are They and What
Will They Do Next?", Management Science 33(1)): while alive a customer buys as a Poisson process with rate
λ ~ Gamma(r, α) and dies after an exponential lifetime with rate μ ~ Gamma(s, β).

The likelihood is the one of Fader & Hardie's note "A Note on Deriving the Pareto/NBD Model and Related
Expressions" (2005):

    L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A₀ ],
    A₀ = h(t_x) − h(T),  A₀ = (r+s+x) ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ,

with h(u) = (α+u)^−(r+s+x)·2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+u)) when α ≥ β and
h(u) = (β+u)^−(r+s+x)·2F1(r+s+x, r+x; r+s+x+1; (β−α)/(β+u)) when α < β. Euler's transformation turns both
into 2F1(1, ·; r+s+x+1; y), a series of positive terms each at most y times the one before:

    α ≥ β:  h(u) = (α+u)^−(r+x) (β+u)^−s       · 2F1(1, r+x; r+s+x+1; (α−β)/(α+u))
    α < β:  h(u) = (α+u)^−(r+x−1) (β+u)^−(s+1) · 2F1(1, s+1; r+s+x+1; (β−α)/(β+u))

so log h is a sum of logs (finite for x = 10,000 and T of decades) and log A₀ = log h(t_x) + log(1 − h(T)/h(t_x))
(−inf, exactly, when t_x = T). The series are summed once per distinct (x, t_x) and (x, T) pair. They converge
like y^n, slowly when y is near 1 (one of α+u, β+u hundreds of times the other: parameters far from any sensible
fit, which a search may still try); there h(u) = (r+s+x)·∫_u^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ is integrated
numerically instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.special as sc
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import IntegrationWarning, quad
from scipy.optimize import brentq

from tiercli.engine.clv.fitting import Data, Fit, as_data, failed, maximise, weighted_sum
from tiercli.engine.clv.hypergeometric import hyp2f1_one, hyp2f1_one_terms, power_gap
from tiercli.engine.clv.summary import unique_rows

Array = NDArray[np.float64]

MODEL = "paretonbd"
NAMES = ("r", "alpha", "s", "beta")
START = (1.0, 1.0, 1.0, 1.0)
SERIES_LIMIT = 0.9  # below this argument the 2F1 series always converges within a few hundred terms


@dataclass(frozen=True)
class _Pairs:
    """The distinct (x, u) pairs of a set of rows and the pair of each row."""

    x: Array
    u: Array
    index: NDArray[np.intp]

    @classmethod
    def of(cls, x: Array, u: Array) -> _Pairs:
        (xu, uu), index = unique_rows(x, u)
        return cls(xu, uu, index)


@dataclass(frozen=True)
class _Rows:
    data: Data
    at_last: _Pairs  # (x, t_x)
    at_end: _Pairs  # (x, T)
    x_values: Array  # distinct x, for the terms that depend on x only
    x_index: NDArray[np.intp]

    @classmethod
    def of(cls, data: Data) -> _Rows:
        values, index = np.unique(data.x, return_inverse=True)
        return cls(data, _Pairs.of(data.x, data.t_x), _Pairs.of(data.x, data.T), values.astype(np.float64),
                   index.ravel())


def log_likelihood(params: Sequence[float], x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """The log-likelihood of each customer (Fader & Hardie 2005 note)."""
    data, _ = as_data(x, t_x, T)
    return _log_likelihood(np.asarray(params, dtype=np.float64), _Rows.of(data))


def fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None,
        start: Sequence[float] = START) -> Fit:
    """The maximum-likelihood Pareto/NBD parameters (r, α, s, β) for customers (x, t_x, T), each row counting
    `weights` customers (see `summary.collapse`). The gradient is by central differences."""
    data, problem = as_data(x, t_x, T, weights)
    customers = float(data.weights.sum())
    if problem:
        return failed(MODEL, NAMES, start, customers, problem)
    rows = _Rows.of(data)

    def negative(phi: Array) -> float:
        return -weighted_sum(data.weights, _log_likelihood(np.exp(phi), rows))

    return maximise(MODEL, NAMES, negative, start, customers)


def p_alive(params: Sequence[float], x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """P(alive at T | x, t_x, T) = 1 / (1 + s/(r+s+x)·(α+T)^(r+x)·(β+T)^s·A₀) (Fader & Hardie 2005 note;
    Schmittlein et al. 1987)."""
    return np.exp(-np.logaddexp(0.0, _log_odds_dead(params, x, t_x, T)))


def expected_purchases(params: Sequence[float], t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """E[purchases in (T, T+t] | x, t_x, T] = (r+x)(β+T)/((α+T)(s−1))·(1 − ((β+T)/(β+T+t))^(s−1))·P(alive)
    (Schmittlein et al. 1987; Fader & Hardie 2005 note); t broadcasts against the customers."""
    tt, xx, txx, TT = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(t, x, t_x, T))
    return np.asarray(alive_expectation(params, tt, xx, TT) * p_alive(params, xx, txx, TT), dtype=np.float64)


def alive_expectation(params: Sequence[float], t: ArrayLike, x: ArrayLike, T: ArrayLike) -> Array:
    """E[purchases in (T, T+t] | alive at T, x, T] = (r+x)(β+T)/((α+T)(s−1))·(1 − ((β+T)/(β+T+t))^(s−1)): the
    conditional expectation without its P(alive) factor; t broadcasts against the customers."""
    r, alpha, s, beta = (float(v) for v in params)
    tt, xx, TT = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(t, x, T))
    return np.asarray((r + xx) / (alpha + TT) * (beta + TT) * power_gap(s - 1.0, -np.log1p(tt / (beta + TT))),
                      dtype=np.float64)


def unconditional_expected(params: Sequence[float], t: ArrayLike) -> Array:
    """E[X(t)] = rβ/(α(s−1))·(1 − (β/(β+t))^(s−1)), the expected number of purchases in (0, t] of a customer
    who made a first purchase at 0 (Schmittlein et al. 1987; Fader & Hardie 2005 note)."""
    r, alpha, s, beta = (float(v) for v in params)
    tt = np.asarray(t, dtype=np.float64)
    return np.asarray(r * beta / alpha * power_gap(s - 1.0, -np.log1p(tt / beta)), dtype=np.float64)


def _log_h(r: float, alpha: float, s: float, beta: float, pairs: _Pairs) -> Array:
    """log h(u) for each distinct (x, u) pair (module docstring), then spread to the rows: by the series where it
    converges within `hypergeometric.MAX_TERMS` terms, else by quadrature of the integral (`_log_tail_integral`)."""
    x, u = pairs.x, pairs.u
    c = r + s + x + 1.0
    log_alpha, log_beta = np.log(alpha + u), np.log(beta + u)
    if alpha >= beta:
        b, y = r + x, (alpha - beta) / (alpha + u)
        power = -(r + x) * log_alpha - s * log_beta
    else:
        b, y = s + 1.0 + 0.0 * x, (beta - alpha) / (beta + u)
        power = -(r + x - 1.0) * log_alpha - (s + 1.0) * log_beta
    slow = (y > SERIES_LIMIT) & ~hyp2f1_one_terms(b, c, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_h = power + np.log(hyp2f1_one(b, c, np.where(slow, 0.0, y)))
    for i in np.flatnonzero(slow | ~np.isfinite(log_h)):
        log_h[i] = np.log(r + s + x[i]) + _log_tail_integral(log_alpha[i], log_beta[i], r + x[i], s + 1.0)
    return np.asarray(log_h[pairs.index], dtype=np.float64)


def _log_tail_integral(log_p: float, log_q: float, k: float, m: float) -> float:
    """log ∫_0^∞ (P+w)^−k (Q+w)^−m dw for k > 0, m > 1, so that h(u) = (r+s+x)·this with P = α+u, Q = β+u,
    k = r+x, m = s+1. With w = e^ω the integrand is exp(ψ(ω)), ψ(ω) = ω − k·log(P+e^ω) − m·log(Q+e^ω), log-concave
    with slope 1 far left and 1−k−m far right. Beyond 40 (in ω) of log P and log Q, ψ is linear to double precision
    and those tails are added exactly; in between QUADPACK integrates where ψ is within 50 of its top, with break
    points at the mode, log P and log Q. Used where the series converges slowly (y near 1): about a millisecond
    per distinct (x, u) pair, agreeing with a 40-digit reference to about 1e−13."""

    def softplus(v: float) -> float:  # log(1 + e^v)
        return v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))

    def psi(w: float) -> float:
        return w - k * (log_p + softplus(w - log_p)) - m * (log_q + softplus(w - log_q))

    def slope(w: float) -> float:
        return 1.0 - k / (1.0 + math.exp(min(log_p - w, 700.0))) - m / (1.0 + math.exp(min(log_q - w, 700.0)))

    left, right = min(log_p, log_q) - 40.0, max(log_p, log_q) + 40.0
    mode = float(brentq(slope, left, right, xtol=1e-13, rtol=4e-15))
    top = psi(mode)
    target = top - 50.0
    low = left if psi(left) > target else float(brentq(lambda w: psi(w) - target, left, mode, xtol=1e-12))
    high = right if psi(right) > target else float(brentq(lambda w: psi(w) - target, mode, right, xtol=1e-12))
    breaks = [p for p in (mode, log_p, log_q) if low < p < high]
    with warnings.catch_warnings():  # QUADPACK warns when rounding stops it short of 1e-13: that is still exact
        warnings.simplefilter("ignore", IntegrationWarning)
        value = quad(lambda w: math.exp(psi(w) - top), low, high, points=breaks or None, epsabs=0.0,
                     epsrel=1e-13, limit=1000)[0]
    if low == left:  # ψ(ω) = ω − k·log P − m·log Q there
        value += float(np.exp(left - k * log_p - m * log_q - top))
    if high == right:  # ψ(ω) = (1−k−m)·ω there
        value += float(np.exp((1.0 - k - m) * right - top)) / (k + m - 1.0)
    return top + float(np.log(value))


def _log_a0(r: float, alpha: float, s: float, beta: float, rows: _Rows) -> Array:
    """log A₀ = log h(t_x) + log(1 − h(T)/h(t_x)); −inf when t_x = T (nothing can have happened after t_x)."""
    at_last = _log_h(r, alpha, s, beta, rows.at_last)
    at_end = _log_h(r, alpha, s, beta, rows.at_end)
    with np.errstate(divide="ignore"):
        return np.asarray(at_last + np.log(-np.expm1(np.minimum(at_end - at_last, 0.0))), dtype=np.float64)


def _log_likelihood(theta: Array, rows: _Rows) -> Array:
    r, alpha, s, beta = (float(v) for v in theta)
    data = rows.data
    x, T = data.x, data.T
    xu, xi = rows.x_values, rows.x_index
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    died = (np.log(s) - np.log(r + s + xu))[xi] + _log_a0(r, alpha, s, beta, rows)
    constant = (sc.gammaln(r + xu) - sc.gammaln(r))[xi] + (r * np.log(alpha) + s * np.log(beta))
    return np.asarray(constant + np.logaddexp(alive, died), dtype=np.float64)


def _log_odds_dead(params: Sequence[float], x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """log(P(dead)/P(alive)) = log(s/(r+s+x)) + (r+x)·log(α+T) + s·log(β+T) + log A₀."""
    r, alpha, s, beta = (float(v) for v in params)
    xx, txx, TT = (np.asarray(v, dtype=np.float64).ravel() for v in np.broadcast_arrays(x, t_x, T))
    shape = np.broadcast_shapes(np.shape(x), np.shape(t_x), np.shape(T))
    rows = _Rows.of(Data(xx, txx, TT, np.ones_like(xx)))
    odds = (np.log(s) - np.log(r + s + xx) + (r + xx) * np.log(alpha + TT) + s * np.log(beta + TT)
            + _log_a0(r, alpha, s, beta, rows))
    return np.asarray(odds.reshape(shape), dtype=np.float64)
