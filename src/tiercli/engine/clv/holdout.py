"""Holdout validation as in Fader, Hardie & Lee 2005 ("Counting Your Customers the Easy Way"): customers grouped
by their calibration repeat purchases 0, 1, …, 6, 7+, with the mean actual number of purchases in a holdout
period of length t* after the calibration and the mean the model predicts for them (its conditional expectation
over (T, T+t*]), plus the totals and the mean absolute error per customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from tiercli.engine.clv import bgnbd, paretonbd
from tiercli.engine.clv.fitting import Fit

GROUPS = 7  # 0 … 6, then 7+

_EXPECTED: dict[str, Callable[[Sequence[float], ArrayLike, ArrayLike, ArrayLike, ArrayLike], ArrayLike]] = {
    bgnbd.MODEL: bgnbd.expected_purchases,
    paretonbd.MODEL: paretonbd.expected_purchases,
}


@dataclass(frozen=True)
class HoldoutRow:
    """The customers with one calibration repeat count ("7+" for 7 and more)."""

    repeat_purchases: str
    customers: int
    actual: float  # mean actual holdout purchases
    predicted: float  # mean predicted holdout purchases


@dataclass(frozen=True)
class Holdout:
    rows: tuple[HoldoutRow, ...]
    customers: int
    actual_total: float
    predicted_total: float
    mean_absolute_error: float  # mean over customers of |predicted − actual|


def compare(x: ArrayLike, predicted: ArrayLike, actual: ArrayLike, groups: int = GROUPS) -> Holdout:
    """The holdout table from each customer's calibration repeat count, predicted and actual holdout purchases."""
    xx, pred, act = (np.asarray(v, dtype=np.float64).ravel() for v in (x, predicted, actual))
    if not xx.size == pred.size == act.size:
        raise ValueError(f"x, predicted and actual must have one length, got {xx.size}, {pred.size}, {act.size}")
    group = np.minimum(xx, groups).astype(np.int64)
    rows = []
    for g in range(groups + 1):
        members = group == g
        count = int(members.sum())
        rows.append(HoldoutRow(repeat_purchases=f"{g}+" if g == groups else str(g), customers=count,
                               actual=float(act[members].mean()) if count else float("nan"),
                               predicted=float(pred[members].mean()) if count else float("nan")))
    return Holdout(rows=tuple(rows), customers=int(xx.size), actual_total=float(act.sum()),
                   predicted_total=float(pred.sum()),
                   mean_absolute_error=float(np.abs(pred - act).mean()) if xx.size else float("nan"))


def validate(fit: Fit, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, actual: ArrayLike, t_star: float,
             groups: int = GROUPS) -> Holdout:
    """The holdout table of a BG/NBD or Pareto/NBD fit: predictions are each customer's conditional expected
    purchases in (T, T + t_star], t_star in the model's time unit."""
    if fit.model not in _EXPECTED:
        raise ValueError(f"holdout validation needs a purchase model ({', '.join(_EXPECTED)}), not {fit.model!r}")
    predicted = _EXPECTED[fit.model](fit.params, t_star, x, t_x, T)
    return compare(x, predicted, actual, groups)
