"""Discounted customer value over a horizon from a purchase model's conditional expectation and a spend per
purchase (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves"), here as a finite-horizon sum by month
rather than a closed-form discounted expectation over an unbounded horizon.

The horizon, in days, is cut into months of 30 days (the last one shorter when the horizon is not a multiple of
30). A customer's expected purchases in month i, (start_i, end_i], are E[purchases in (T, T+end_i]] −
E[purchases in (T, T+start_i]], from the model's conditional expectation; each month's purchases are valued at the
expected spend and discounted to T by (1 + annual_rate)^(end_i / 365).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

MONTH_DAYS = 30.0
YEAR_DAYS = 365.0


def month_ends(horizon_days: float, month_days: float = MONTH_DAYS) -> Array:
    """The end of each month of the horizon, in days from T: 30, 60, …, and the horizon itself last."""
    if not horizon_days > 0:
        return np.zeros(0)
    full = np.arange(month_days, horizon_days, month_days)
    return np.append(full, horizon_days).astype(np.float64)


def discounted_value(expected: Callable[[float], ArrayLike], spend: ArrayLike, horizon_days: float,
                     annual_rate: float, days_per_unit: float = 1.0) -> Array:
    """Each customer's discounted value over the next `horizon_days`: `expected(t)` gives every customer's
    expected purchases in (T, T+t] for t in the model's time unit (`days_per_unit` days: 1 for days, 7 for
    weeks), e.g. `lambda t: bgnbd.expected_purchases(fit.params, t, x, t_x, T)`; `spend` the expected spend per
    purchase (e.g. `gammagamma.expected_spend`), per customer or one number."""
    amount = np.asarray(spend, dtype=np.float64)
    before: Array | None = None
    value: Array | None = None
    for end in month_ends(horizon_days):
        cumulative = np.asarray(expected(float(end) / days_per_unit), dtype=np.float64)
        in_month = cumulative - (before if before is not None else 0.0)
        discounted = in_month * amount / (1.0 + annual_rate) ** (end / YEAR_DAYS)
        value = discounted if value is None else value + discounted
        before = cumulative
    if value is None:  # an empty horizon: nothing to value
        return np.zeros_like(np.asarray(expected(0.0), dtype=np.float64) * amount)
    return value
