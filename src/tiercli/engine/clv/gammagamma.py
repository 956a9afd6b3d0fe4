"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4), building on Colombo & Jiang 1999): each spend of a customer is
Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, so the mean m of a customer's x repeat spends has density

    f(m | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m^(px−1) · x^(px) / (γ + m·x)^(px+q)

(the FHL 2005 model written as a density of the mean). It is fitted on customers with x ≥ 1, the first purchase excluded
from m (see `summary`). The model assumes spend is independent of purchase frequency; `spend_correlation`
measures that assumption in the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import scipy.special as sc
from numpy.typing import ArrayLike, NDArray

from tiercli.engine.clv.fitting import Fit, failed, maximise, weighted_sum

Array = NDArray[np.float64]

MODEL = "gammagamma"
NAMES = ("p", "q", "gamma")
START = (1.0, 1.0, 1.0)


def log_likelihood(params: Sequence[float], x: ArrayLike, m: ArrayLike) -> Array:
    """The log-likelihood of each customer's mean repeat spend m given x ≥ 1."""
    p, q, gamma = (float(v) for v in params)
    xx, mm = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(x, m))
    px = p * xx
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(sc.gammaln(px + q) - sc.gammaln(px) - sc.gammaln(q) + q * np.log(gamma)
                          + (px - 1.0) * np.log(mm) + px * np.log(xx) - (px + q) * np.log(gamma + mm * xx),
                          dtype=np.float64)


def fit(x: ArrayLike, m: ArrayLike, weights: ArrayLike | None = None, start: Sequence[float] = START) -> Fit:
    """The maximum-likelihood (p, q, γ) from each customer's repeat count x and mean repeat spend m, each row
    counting `weights` customers. Customers with x = 0 carry no spend information and are left out; so are those
    whose repeat spends are all 0 (a Gamma spend is positive), which the message counts."""
    xx = np.asarray(x, dtype=np.float64).ravel()
    mm = np.asarray(m, dtype=np.float64).ravel()
    w = np.ones_like(xx) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if not xx.size == mm.size == w.size:
        raise ValueError(f"x, m and weights must have one length, got {xx.size}, {mm.size}, {w.size}")
    with np.errstate(invalid="ignore"):
        used = (xx >= 1) & (w > 0)
        bad = used & ~(np.isfinite(mm) & np.isfinite(w) & (mm >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return failed(MODEL, NAMES, start, float(w[used].sum()),
                          f"{int(bad.sum())} customer(s) with x ≥ 1 have no usable mean spend, the first (row {i}): "
                          f"m={mm[i]}, weight={w[i]}")
        zero = used & (mm == 0)
        used &= mm > 0
    left_out = round(float(w[zero].sum()))
    xx, mm, w = xx[used], mm[used], w[used]
    if not xx.size:
        return failed(MODEL, NAMES, start, 0.0, "no customer with a repeat purchase of positive spend")
    log_m, log_x = np.log(mm), np.log(xx)
    # The terms that depend on x alone (the gamma functions) are evaluated once per distinct x, weighted by the
    # customers who have it: repeat counts take a few hundred values among a million customers.
    values, index = np.unique(xx, return_inverse=True)
    per_value = np.bincount(index, weights=w, minlength=values.size).astype(np.float64)
    wx = w * xx
    total = float(w.sum())
    fixed_m = weighted_sum(w, log_m)  # Σ w log m, Σ w x (log m + log x): parameter-free
    fixed_x = weighted_sum(wx, log_m + log_x)

    def value_and_gradient_theta(theta: Array) -> tuple[float, Array]:
        p, q, gamma = (float(v) for v in theta)
        pv = p * values
        log_sum = np.log(gamma + mm * xx)
        value = (weighted_sum(per_value, sc.gammaln(pv + q) - sc.gammaln(pv)) - total * sc.gammaln(q)
                 + total * q * np.log(gamma) + p * fixed_x - fixed_m
                 - p * weighted_sum(wx, log_sum) - q * weighted_sum(w, log_sum))
        psi = sc.digamma(pv + q)
        grad = np.array([
            weighted_sum(per_value * values, psi - sc.digamma(pv)) + fixed_x - weighted_sum(wx, log_sum),
            weighted_sum(per_value, psi) - total * sc.digamma(q) + total * np.log(gamma) - weighted_sum(w, log_sum),
            total * q / gamma - weighted_sum(w, (p * xx + q) / (gamma + mm * xx)),
        ])
        return float(value), grad

    def value_and_gradient(phi: Array) -> tuple[float, Array]:
        theta = np.exp(phi)
        value, grad = value_and_gradient_theta(theta)
        return -value, -theta * grad

    fitted = maximise(MODEL, NAMES, lambda phi: -value_and_gradient_theta(np.exp(phi))[0], start, total,
                      value_and_gradient)
    if left_out:
        fitted = replace(fitted, message=f"{fitted.message}; {left_out} customer(s) with a mean repeat spend of 0 "
                                         "left out")
    return fitted


def expected_spend(params: Sequence[float], x: ArrayLike, m: ArrayLike) -> Array:
    """E[spend per purchase | x, m] = (γ + m·x)·p / (p·x + q − 1) (FHL 2005), and the population mean
    p·γ / (q − 1) for x = 0 (m is then ignored). inf where the mean does not exist (p·x + q ≤ 1)."""
    p, q, gamma = (float(v) for v in params)
    xx, mm = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(x, m))
    repeat = xx > 0
    numerator = np.where(repeat, (gamma + np.where(repeat, mm, 0.0) * xx) * p, p * gamma)
    denominator = p * xx + q - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(denominator > 0, numerator / denominator, np.inf), dtype=np.float64)


def spend_correlation(x: ArrayLike, m: ArrayLike) -> float:
    """The Pearson correlation of x and m over the customers with x ≥ 1 and a finite m; the model assumes it is
    about 0 (on the CDNOW calibration period it is 0.11). NaN when fewer than two such customers or no spread."""
    xx, mm = (np.asarray(v, dtype=np.float64).ravel() for v in (x, m))
    with np.errstate(invalid="ignore"):
        keep = (xx >= 1) & np.isfinite(mm)
    if keep.sum() < 2:
        return float("nan")
    xs, ms = xx[keep] - xx[keep].mean(), mm[keep] - mm[keep].mean()
    spread = float(np.sqrt((xs @ xs) * (ms @ ms)))
    return float(xs @ ms / spread) if spread > 0 else float("nan")
