"""The Gauss hypergeometric sums the BTYD models need, summed as series so that they stay exact where the models
take them, including customers with thousands of purchases.

Two shapes occur, both with an argument z in [0, 1):

- `hyp2f1_one(b, c, z)` = 2F1(1, b; c; z) = Σ (b)_n / (c)_n z^n with 0 < b < c: every term is positive and each
  is at most z times the one before, so the sum is at most 1/(1 − z) and the tail after a term is at most
  term · z / (1 − z). The Pareto/NBD likelihood (Fader & Hardie 2005, "A Note on Deriving the Pareto/NBD Model and
  Related Expressions") reduces to this shape by Euler's transformation
  2F1(a, b; c; z) = (1 − z)^(c − a − b) 2F1(c − a, c − b; c; z).
- `scaled_excess(A, B, c, z)` = (c / B)·(2F1(A, B; c; z) − 1) = Σ_{n≥1} (A)_n (B + 1)_{n−1} / ((c + 1)_{n−1} n!) z^n,
  the part of the BG/NBD conditional expectation (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
  Way", eq. 10) that stays finite when B → 0 or c → 0. Terms may change sign while n < −A and may grow before
  they shrink, so the sum is carried with a per-row scale (no overflow) and a sign.

Both are summed for all rows at once, dropping the rows that have converged (the last few rows in plain floats),
and stop once a bound on the remaining tail (from the ratio of successive terms) is below `TOLERANCE` of the sum.
The series converge like z^n: a row still unconverged after `max_terms` terms (z within a few hundredths of 1)
comes back as NaN, and the models compute those few rows by quadrature of an integral form instead.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special as sc
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

TOLERANCE = 1e-17
MAX_TERMS = 2_000
_RESCALE = 1e250
_FEW = 8  # below this many unconverged rows, finish each with plain floats


def power_gap(k: ArrayLike, log_base: ArrayLike) -> Array:
    """(1 − base^k) / k from log(base), with its limit −log(base) at k = 0: the factor (1 − ((β+T)/(β+T+t))^(s−1))
    / (s − 1) of the Pareto/NBD expectations and its BG/NBD counterpart, exact for k near 0 and for small t."""
    k_arr, lb = np.broadcast_arrays(np.asarray(k, dtype=np.float64), np.asarray(log_base, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = np.where(k_arr == 0.0, -lb, -np.expm1(k_arr * lb) / np.where(k_arr == 0.0, 1.0, k_arr))
    return np.asarray(gap, dtype=np.float64)


def hyp2f1_one_terms(b: ArrayLike, c: ArrayLike, z: ArrayLike, terms: int = MAX_TERMS) -> NDArray[np.bool_]:
    """Whether the series of 2F1(1, b; c; z) has converged within `terms` terms: its term n is
    (b)_n / (c)_n · z^n and the tail after it at most term · z / (1 − z)."""
    bb, cc, zz = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (b, c, z)))
    with np.errstate(divide="ignore"):
        log_term = (terms * np.log(zz) + sc.gammaln(bb + terms) - sc.gammaln(bb) - sc.gammaln(cc + terms)
                    + sc.gammaln(cc))
        return np.asarray(log_term + np.log(zz) - np.log1p(-zz) <= np.log(TOLERANCE), dtype=np.bool_)


def hyp2f1_one(b: ArrayLike, c: ArrayLike, z: ArrayLike, max_terms: int = MAX_TERMS) -> Array:
    """2F1(1, b; c; z) for 0 < b < c and 0 ≤ z < 1, elementwise; NaN where `max_terms` terms do not reach the
    tolerance (see the module docstring)."""
    shape = np.broadcast_shapes(np.shape(b), np.shape(c), np.shape(z))
    bb, cc, zz = (np.ravel(v).astype(np.float64) for v in np.broadcast_arrays(np.asarray(b), np.asarray(c),
                                                                               np.asarray(z)))
    total = np.ones_like(zz)
    active = np.flatnonzero(zz > 0.0)
    ab, ac, az = bb[active], cc[active], zz[active]
    bound = az / (1.0 - az)  # the tail after a term is at most term · bound
    term = np.ones(active.size)
    partial = np.ones(active.size)
    n = 0
    while active.size > _FEW and n < max_terms:
        term = term * ((ab + n) / (ac + n)) * az
        partial = partial + term
        n += 1
        done = term * bound <= TOLERANCE * partial
        if done.any():
            total[active[done]] = partial[done]
            keep = ~done
            active = active[keep]
            ab, ac, az, bound, term, partial = (v[keep] for v in (ab, ac, az, bound, term, partial))
    for i, row in enumerate(active):  # the last few rows: plain floats are faster than arrays of a few
        total[row] = _hyp2f1_one_rest(float(ab[i]), float(ac[i]), float(az[i]), n, float(term[i]),
                                      float(partial[i]), max_terms)
    return total.reshape(shape)


def _hyp2f1_one_rest(b: float, c: float, z: float, n: int, term: float, partial: float, max_terms: int) -> float:
    """`hyp2f1_one` of one row from its term n on (term and partial sum so far): NaN when unconverged."""
    bound = z / (1.0 - z)
    while n < max_terms:
        term *= (b + n) / (c + n) * z
        partial += term
        n += 1
        if term * bound <= TOLERANCE * partial:
            return partial
    return math.nan


def scaled_excess(A: ArrayLike, B: ArrayLike, c: ArrayLike, z: ArrayLike,
                  max_terms: int = MAX_TERMS) -> tuple[Array, Array]:
    """(log |S|, sign of S) for S = (c / B)·(2F1(A, B; c; z) − 1) with B > −1, c > −1, 0 ≤ z < 1, elementwise;
    S = 0 gives (−inf, 0), and a row not converged within `max_terms` terms (NaN, NaN)."""
    shape = np.broadcast_shapes(np.shape(A), np.shape(B), np.shape(c), np.shape(z))
    aa, bb, cc, zz = (np.ravel(v).astype(np.float64) for v in np.broadcast_arrays(
        np.asarray(A), np.asarray(B), np.asarray(c), np.asarray(z)))
    log_abs = np.full(zz.size, -np.inf)
    sign = np.zeros(zz.size)
    # From n ≥ start on every ratio (A+n)(B+n)z/((c+n)(n+1)) is positive: the terms keep one sign.
    start = np.maximum(np.ceil(-aa), 1.0)
    active = np.flatnonzero((zz > 0.0) & (aa != 0.0))
    a_, b_, c_, z_, st = aa[active], bb[active], cc[active], zz[active], start[active]
    term = a_ * z_  # u_1
    total = term.copy()
    scale = np.zeros(active.size)  # log of the factor every stored value is to be multiplied by
    n = 1
    while active.size > _FEW and n <= max_terms:
        ratio = (a_ + n) * (b_ + n) * z_ / ((c_ + n) * (n + 1.0))
        bound_ratio = np.maximum(ratio, z_)
        tail = np.abs(term) * bound_ratio / (1.0 - bound_ratio)
        done = ((n >= st) & (bound_ratio < 1.0) & (tail <= TOLERANCE * np.abs(total))) | (term == 0.0)
        if done.any():
            idx = active[done]
            with np.errstate(divide="ignore"):
                log_abs[idx] = np.log(np.abs(total[done])) + scale[done]
            sign[idx] = np.sign(total[done])
            keep = ~done
            active = active[keep]
            a_, b_, c_, z_, st, term, total, scale, ratio = (
                v[keep] for v in (a_, b_, c_, z_, st, term, total, scale, ratio))
            if not active.size:
                break
        term = term * ratio
        total = total + term
        n += 1
        big = np.abs(term) > _RESCALE
        if big.any():
            term[big] /= _RESCALE
            total[big] /= _RESCALE
            scale[big] += np.log(_RESCALE)
    for i, row in enumerate(active):  # the last few rows: plain floats are faster than arrays of a few
        log_abs[row], sign[row] = _scaled_excess_rest(float(a_[i]), float(b_[i]), float(c_[i]), float(z_[i]),
                                                      float(st[i]), n, float(term[i]), float(total[i]),
                                                      float(scale[i]), max_terms)
    return log_abs.reshape(shape), sign.reshape(shape)


def _scaled_excess_rest(a: float, b: float, c: float, z: float, start: float, n: int, term: float, total: float,
                        scale: float, max_terms: int) -> tuple[float, float]:
    """`scaled_excess` of one row from its term n on (term u_n, partial sum and scale so far)."""
    while n <= max_terms:
        ratio = (a + n) * (b + n) * z / ((c + n) * (n + 1.0))
        bound_ratio = max(ratio, z)
        if term == 0.0 or (n >= start and bound_ratio < 1.0
                           and abs(term) * bound_ratio / (1.0 - bound_ratio) <= TOLERANCE * abs(total)):
            if total == 0.0:
                return -math.inf, 0.0
            return math.log(abs(total)) + scale, math.copysign(1.0, total)
        term *= ratio
        total += term
        n += 1
        if abs(term) > _RESCALE:
            term /= _RESCALE
            total /= _RESCALE
            scale += math.log(_RESCALE)
    return math.nan, math.nan
