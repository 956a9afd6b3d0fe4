"""The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2)): while alive a customer buys as a Poisson process with rate
λ ~ Gamma(r, α); after each repeat purchase they drop out with probability p ~ Beta(a, b). A customer with no repeat
purchase (x = 0) cannot have dropped out yet, so P(alive | x = 0) = 1.

Everything is computed in log space (gammaln, betaln, logaddexp), so customers with thousands of purchases or
decades of history give finite values. The conditional expectation (eq. 10) needs 2F1(r+x, b+x; a+b+x−1; z) with
z = t/(α+T+t) in [0, 1); by Euler's transformation (1−z)^(r+x)·2F1(r+x, b+x; a+b+x−1; z) =
(1−z)^(a−1)·2F1(a+b−1−r, a−1; a+b+x−1; z), whose series converges fast for large x and whose first term cancels
exactly against the 1 in eq. 10 (see `hypergeometric.scaled_excess`), so a = 1 and small t are exact too. Where
z is so near 1 that the series is too slow (t thousands of times α+T), the expectation is integrated instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.special as sc
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import IntegrationWarning, quad

from tiercli.engine.clv.fitting import Data, Fit, as_data, failed, maximise, split, warm_start, weighted_sum
from tiercli.engine.clv.hypergeometric import power_gap, scaled_excess
from tiercli.engine.clv.summary import unique_rows

Array = NDArray[np.float64]

MODEL = "bgnbd"
NAMES = ("r", "alpha", "a", "b")
START = (1.0, 1.0, 1.0, 1.0)


@dataclass(frozen=True)
class _Rows:
    """Fit data arranged once for fast evaluation: terms that depend on x only are computed per distinct x and
    weighted by the total weight of that x; customers without repeat purchases contribute −r·log(α+T) only,
    summed per distinct T; the per-row work is left to the customers with repeat purchases."""

    data: Data
    x_values: Array  # distinct x
    x_weight: Array  # total weight of each distinct x
    T_values: Array  # distinct T of the customers with x = 0
    T_weight: Array  # their total weight per distinct T
    x_index: NDArray[np.intp]  # of each customer with x > 0: the index of its x in x_values
    x: Array  # x, t_x, T and weight of the customers with x > 0
    t_x: Array
    T: Array
    weights: Array

    @classmethod
    def of(cls, data: Data) -> _Rows:
        values, index = np.unique(data.x, return_inverse=True)
        index = index.ravel()
        x_weight = np.bincount(index, weights=data.weights, minlength=values.size).astype(np.float64)
        none = data.x == 0
        T_values, T_index = np.unique(data.T[none], return_inverse=True)
        T_weight = np.bincount(T_index.ravel(), weights=data.weights[none], minlength=T_values.size).astype(np.float64)
        some = ~none
        return cls(data, values.astype(np.float64), x_weight, T_values.astype(np.float64), T_weight, index[some],
                   data.x[some], data.t_x[some], data.T[some], data.weights[some])


def log_likelihood(params: Sequence[float], x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """The log-likelihood of each customer (FHL 2005, eq. 6)."""
    xx, txx, TT = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(x, t_x, T))
    with np.errstate(divide="ignore", invalid="ignore"):
        return _row_log_likelihood(np.asarray(params, dtype=np.float64), xx, txx, TT)


def fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None,
        start: Sequence[float] = START) -> Fit:
    """The maximum-likelihood BG/NBD parameters (r, α, a, b) for customers (x, t_x, T), each row counting
    `weights` customers (see `summary.collapse`)."""
    data, problem = as_data(x, t_x, T, weights)
    customers = float(data.weights.sum())
    if problem:
        return failed(MODEL, NAMES, start, customers, problem)
    start = warm_start(fit, data, start)
    parts = [_Rows.of(part) for part in split(data)]
    with ThreadPoolExecutor(len(parts)) as pool:  # numpy leaves the lock while it computes: one part per core

        def weighted(theta: Array, order: int) -> tuple[float, Array, Array]:
            found = list(pool.map(lambda rows: _weighted(theta, rows, order), parts))
            return (sum(v for v, _, _ in found), np.sum([g for _, g, _ in found], axis=0),
                    np.sum([h for _, _, h in found], axis=0))

        def negative(phi: Array) -> float:
            return -weighted(np.exp(phi), 0)[0]

        def value_and_gradient(phi: Array) -> tuple[float, Array]:
            theta = np.exp(phi)
            value, grad, _ = weighted(theta, 1)
            return -value, -theta * grad

        def derivatives(phi: Array) -> tuple[float, Array, Array]:
            """In φ = log θ: the gradient θ⊙∇, the Hessian diag(θ)·∇²·diag(θ) + diag(θ⊙∇)."""
            theta = np.exp(phi)
            value, grad, hess = weighted(theta, 2)
            return -value, -theta * grad, -(np.outer(theta, theta) * hess + np.diag(theta * grad))

        return maximise(MODEL, NAMES, negative, start, customers, value_and_gradient, derivatives)


def p_alive(params: Sequence[float], x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """P(alive at T | x, t_x, T) = 1 / (1 + δ(x>0)·a/(b+x−1)·((α+T)/(α+t_x))^(r+x)), the denominator of FHL 2005,
    eq. 10."""
    return np.exp(-np.logaddexp(0.0, _log_odds_dead(params, x, t_x, T)))


def expected_purchases(params: Sequence[float], t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """E[purchases in (T, T+t] | x, t_x, T] (FHL 2005, eq. 10); t broadcasts against the customers."""
    r, alpha, a, b = (float(v) for v in params)
    tt, xx, txx, TT = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(t, x, t_x, T))
    (xu, Tu, tu), inverse = unique_rows(xx.ravel(), TT.ravel(), tt.ravel())
    alive_mean = _alive_expectation(r, alpha, a, b, xu, Tu, tu)[inverse].reshape(tt.shape)
    return np.asarray(alive_mean * p_alive(params, xx, txx, TT), dtype=np.float64)


def alive_expectation(params: Sequence[float], t: ArrayLike, x: ArrayLike, T: ArrayLike) -> Array:
    """E[purchases in (T, T+t] | alive at T, x, T]: eq. 10 without its P(alive) factor, which is all of it that
    depends on t (so `expected_purchases` = this × `p_alive`); t broadcasts against the customers. Every row is
    evaluated: pass distinct (x, T) rows."""
    r, alpha, a, b = (float(v) for v in params)
    tt, xx, TT = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(t, x, T))
    return _alive_expectation(r, alpha, a, b, xx.ravel(), TT.ravel(), tt.ravel()).reshape(tt.shape)


def unconditional_expected(params: Sequence[float], t: ArrayLike) -> Array:
    """E[X(t)], the expected number of repeat purchases in (0, t] of a customer who made a first purchase at 0
    (FHL 2005, eq. 9)."""
    r, alpha, a, b = (float(v) for v in params)
    tt = np.asarray(t, dtype=np.float64)
    flat = tt.ravel()
    zeros = np.zeros_like(flat)
    return _alive_expectation(r, alpha, a, b, zeros, zeros, flat).reshape(tt.shape)


def _alive_expectation(r: float, alpha: float, a: float, b: float, x: Array, T: Array, t: Array) -> Array:
    """E[purchases in (T, T+t]] of a customer alive at T: eq. 10 without its P(alive) denominator, as
    c·(1 − (1−z)^B)/B − (1−z)^B·S with c = a+b+x−1, B = a−1, L = log(1−z) and S = scaled_excess(a+b−1−r, B, c, z);
    by quadrature (`_alive_expectation_integral`) where the series is too slow (z near 1)."""
    base = alpha + T
    z = t / (base + t)
    log_rest = -np.log1p(t / base)  # log(1 − z)
    c = a + b + x - 1.0
    big_b = a - 1.0
    log_s, sign = scaled_excess(a + b - 1.0 - r, big_b, c, z)
    with np.errstate(over="ignore", invalid="ignore"):
        tail = np.where(sign == 0, 0.0, sign * np.exp(big_b * log_rest + log_s))
        mean = np.asarray(c * power_gap(big_b, log_rest) - tail, dtype=np.float64)
    for i in np.flatnonzero(~np.isfinite(mean)):
        mean[i] = _alive_expectation_integral(r, a, b, x[i], t[i] / base[i])
    return mean


def _alive_expectation_integral(r: float, a: float, b: float, x: float, u: float) -> float:
    """The same expectation as the integral it comes from: given alive at T, λ ~ Gamma(r+x, α+T) and
    p ~ Beta(a, b+x), and E[purchases in t | λ, p] = (1 − e^(−λpt))/p (FHL 2005), so with u = t/(α+T)
    it is E_p[(1 − (1 + p·u)^−(r+x)) / p], integrated against the Beta weight by QUADPACK's algebraic-weight rule."""
    k = r + x

    def gain(p: float) -> float:
        return -math.expm1(-k * math.log1p(p * u)) / p if p > 0 else k * u

    with warnings.catch_warnings():  # QUADPACK warns when rounding stops it short of 1e-12: that is still exact
        warnings.simplefilter("ignore", IntegrationWarning)
        value = quad(gain, 0.0, 1.0, weight="alg", wvar=(a - 1.0, b + x - 1.0), epsabs=0.0, epsrel=1e-12,
                     limit=1000)[0]
    return float(value / math.exp(sc.betaln(a, b + x)))


def _log_odds_dead(params: Sequence[float], x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """log(P(dead)/P(alive)) = log a − log(b+x−1) + (r+x)·log((α+T)/(α+t_x)) for x > 0, −inf for x = 0."""
    r, alpha, a, b = (float(v) for v in params)
    xx, txx, TT = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(x, t_x, T))
    repeat = xx > 0
    odds = np.log(a) - np.log(b + np.maximum(xx, 1.0) - 1.0) + (r + xx) * np.log1p((TT - txx) / (alpha + txx))
    return np.asarray(np.where(repeat, odds, -np.inf), dtype=np.float64)


def _row_log_likelihood(theta: Array, x: Array, t_x: Array, T: Array) -> Array:
    """The log-likelihood of each row (FHL 2005, eq. 6), in log space:
    log Γ(r+x) − log Γ(r) + r·log α + log B(a, b+x) − log B(a, b)
    + log[(α+T)^−(r+x) + δ(x>0)·a/(b+x−1)·(α+t_x)^−(r+x)]."""
    r, alpha, a, b = (float(v) for v in theta)
    constant = sc.gammaln(r + x) - sc.gammaln(r) + r * np.log(alpha) + sc.betaln(a, b + x) - sc.betaln(a, b)
    first = -(r + x) * np.log(alpha + T)
    second = np.where(x > 0, np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    return np.asarray(constant + np.logaddexp(first, second), dtype=np.float64)


def _weighted(theta: Array, rows: _Rows, order: int) -> tuple[float, Array, Array]:
    """The weighted log-likelihood, the same sum as `_row_log_likelihood` weighted, arranged as `_Rows` says, and
    with order ≥ 1 its gradient, with order 2 its Hessian, in (r, α, a, b) (zeros where not asked).

    Each row with x > 0 is log(e^u + e^v), u = −(r+x)·log(α+T) the "alive" term, v = log a − log(b+x−1) −
    (r+x)·log(α+t_x) the "dropped out after the last purchase" term: its gradient is p1·∇u + p2·∇v and its
    Hessian p1·∇²u + p2·∇²v + p1·p2·(∇u − ∇v)(∇u − ∇v)ᵀ, with p2 = e^(v − log(e^u + e^v)) and p1 = 1 − p2."""
    r, alpha, a, b = (float(v) for v in theta)
    xu, wx = rows.x_values, rows.x_weight
    total_weight = float(wx.sum())
    log_alpha = np.log(alpha)
    by_x = sc.gammaln(r + xu) - sc.gammaln(r) + sc.betaln(a, b + xu) - sc.betaln(a, b)
    log_T0 = np.log(alpha + rows.T_values)
    value = float(wx @ by_x) + total_weight * r * log_alpha - r * float(rows.T_weight @ log_T0)
    xi, w = rows.x_index, rows.weights
    k = r + rows.x
    log_T = np.log(alpha + rows.T)
    log_tx = np.log(alpha + rows.t_x)
    first = -k * log_T
    second = (np.log(a) - np.log(b + xu - 1.0, where=xu > 0, out=np.zeros_like(xu)))[xi] - k * log_tx
    both = np.logaddexp(first, second)
    value += weighted_sum(w, both)
    grad, hess = np.zeros(4), np.zeros((4, 4))
    if order < 1:
        return value, grad, hess
    # The share of the "dropped out after the last purchase" term; shares below e^−700 are 0 here, sparing the
    # (very slow) arithmetic of subnormal numbers.
    share = second - both
    p2 = np.where(share > -700.0, np.exp(np.maximum(share, -700.0)), 0.0)
    p1 = 1.0 - p2
    psi_x = sc.digamma(a + b + xu)
    w_p2 = w * p2
    inv_T = 1.0 / (alpha + rows.T)
    inv_tx = 1.0 / (alpha + rows.t_x)
    inv_b = 1.0 / (b + rows.x - 1.0)
    inv_T0 = 1.0 / (alpha + rows.T_values)
    grad[0] = (float(wx @ (sc.digamma(r + xu) - sc.digamma(r))) + total_weight * log_alpha
               - float(rows.T_weight @ log_T0) - weighted_sum(w, p1 * log_T) - weighted_sum(w_p2, log_tx))
    grad[1] = (total_weight * r / alpha - r * float(rows.T_weight @ inv_T0)
               - weighted_sum(w * k, p1 * inv_T + p2 * inv_tx))
    grad[2] = float(wx @ (sc.digamma(a + b) - psi_x)) + float(w_p2.sum()) / a
    grad[3] = (float(wx @ (sc.digamma(b + xu) - psi_x - sc.digamma(b) + sc.digamma(a + b)))
               - weighted_sum(w_p2, inv_b))
    if order < 2:
        return value, grad, hess
    trigamma_x = sc.polygamma(1, a + b + xu)
    trigamma_ab = float(sc.polygamma(1, a + b))
    hess[0, 0] = float(wx @ (sc.polygamma(1, r + xu) - float(sc.polygamma(1, r))))
    hess[0, 1] = (total_weight / alpha - float(rows.T_weight @ inv_T0)
                  - weighted_sum(w, p1 * inv_T + p2 * inv_tx))
    hess[1, 1] = (-total_weight * r / alpha ** 2 + r * float(rows.T_weight @ inv_T0 ** 2)
                  + weighted_sum(w * k, p1 * inv_T ** 2 + p2 * inv_tx ** 2))
    hess[2, 2] = float(wx @ (trigamma_ab - trigamma_x)) - float(w_p2.sum()) / a ** 2
    hess[2, 3] = float(wx @ (trigamma_ab - trigamma_x))
    hess[3, 3] = (float(wx @ (sc.polygamma(1, b + xu) - trigamma_x - float(sc.polygamma(1, b)) + trigamma_ab))
                  + weighted_sum(w_p2, inv_b ** 2))
    # The mixing term: Σ w·p1·p2·δ δᵀ with δ = ∇u − ∇v.
    q = w * p1 * p2
    delta = (log_tx - log_T, k * (inv_tx - inv_T), np.full_like(k, -1.0 / a), inv_b)
    for i in range(4):
        qi = q * delta[i]
        for j in range(i, 4):
            hess[i, j] += weighted_sum(qi, delta[j])
    return value, grad, np.triu(hess) + np.triu(hess, 1).T
