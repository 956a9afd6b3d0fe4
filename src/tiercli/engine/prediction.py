"""The `clv:` model's predictions as customer columns: P(alive), expected orders and spend, CLV; and the holdout
validation of `tiercli clv`.

From the cleaned orders, one row per customer with a purchase: x (purchase days after the first), t_x (first to
last purchase day) and T (first purchase day to the as_of day), in the model's unit (weeks = days / 7; the CDNOW
estimates of the papers come out this way, tiercli.engine.clv.summary), and the mean spend of the repeat purchase
days. Several orders on one calendar day are one purchase, as in the papers' data (CDNOW's transactions are per
day) and in lifetimes: a basket split into two orders is not a repeat purchase. The purchase model (BG/NBD or
Pareto/NBD) and Gamma-Gamma are fitted on everyone (`tiercli.engine.clv`), each customer is scored, and the columns
are joined to `customers`; customers without a purchase get empty predictions.

When a model can't be fitted honestly (too few repeat buyers, a history shorter than the horizon, no convergence)
the run goes on: the columns are empty and a note says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from tiercli.database import Database
from tiercli.engine.clv import bgnbd, gammagamma, paretonbd
from tiercli.engine.clv.fitting import Fit
from tiercli.engine.clv.holdout import compare
from tiercli.engine.clv.summary import collapse, unique_rows
from tiercli.engine.clv.value import discounted_value
from tiercli.messages import Said, say
from tiercli.result import ClvFigures, Holdout, ModelFit
from tiercli.rules.model import ClvSpec
from tiercli.sqltext import identifier, timestamp
from tiercli.vocabulary.metrics import CLV_METRICS, ORDER_ROW

Array = NDArray[np.float64]

MIN_REPEAT_BUYERS = 20  # fewer repeat buyers than this and the purchase model is not fitted
DAYS_PER = {"days": 1.0, "weeks": 7.0}
P_ALIVE_BINS = 10  # the distribution of P(alive) in tenths
VALUES_TABLE = "clv_values"
MODELS: dict[str, ModuleType] = {"bgnbd": bgnbd, "paretonbd": paretonbd}


def inputs_sql(as_of: datetime, unit: str) -> str:
    """x, t_x, T (in `unit`) and the mean spend of repeat purchase days, per customer with a purchase up to the
    as_of day; by customer id, so that the fits add their terms in one order on any engine."""
    lit = timestamp(as_of)
    per = DAYS_PER[unit]
    orders = ORDER_ROW.format(lines="orders")
    return f"""SELECT customer_id, count(*) - 1 AS x,
        date_diff('day', min(day), max(day)) / {per} AS t_x,
        date_diff('day', min(day), CAST({lit} AS DATE)) / {per} AS age,
        CAST(CASE WHEN count(*) > 1 THEN (sum(spend) - arg_min(spend, day)) / (count(*) - 1) END AS DOUBLE)
            AS mean_spend
    FROM (SELECT customer_id, CAST(order_ts AS DATE) AS day, sum(amount) AS spend
          FROM ({orders}) AS per_order
          WHERE purchase AND order_ts <= {lit} GROUP BY customer_id, day) AS days
    GROUP BY customer_id ORDER BY customer_id"""


@dataclass(frozen=True)
class _Inputs:
    ids: pa.ChunkedArray
    x: Array
    t_x: Array
    age: Array
    spend: Array  # mean spend of the repeat purchase days; NaN without one
    distinct: Array  # the distinct (x, t_x, T) rows, what the purchase model is fitted on and scores
    weights: NDArray[np.int64]  # customers per distinct row
    inverse: NDArray[np.int64]  # each customer's distinct row

    @classmethod
    def of(cls, table: pa.Table) -> _Inputs:
        def numbers(name: str) -> Array:
            return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)

        x, t_x, age = numbers("x"), numbers("t_x"), numbers("age")
        return cls(table.column("customer_id"), x, t_x, age, numbers("mean_spend"), *collapse(x, t_x, age))

    def expectation(self, model: ModuleType, params: tuple[float, ...]) -> Callable[[float], Array]:
        """t → each distinct row's expected purchases in (T, T + t]: P(alive), which does not depend on t, once
        per distinct row; the expectation given alive, which depends on x and T only, once per distinct (x, T)
        for each t."""
        x, t_x, age = (self.distinct[:, k] for k in range(3))
        alive = np.asarray(model.p_alive(params, x, t_x, age), dtype=np.float64)
        (xu, Tu), pair = unique_rows(x, age)

        def expected(t: float) -> Array:
            return np.asarray(model.alive_expectation(params, t, xu, Tu), dtype=np.float64)[pair] * alive

        return expected

    def expected(self, model: ModuleType, params: tuple[float, ...], t: float) -> Array:
        """Each customer's expected purchases in (T, T + t], computed once per distinct row."""
        return self.expectation(model, params)(t)[self.inverse]

    @property
    def spenders(self) -> NDArray[np.bool_]:
        """Repeat buyers with a positive mean repeat spend: what Gamma-Gamma is fitted on."""
        return (self.x >= 1) & np.isfinite(self.spend) & (self.spend > 0)


@dataclass(frozen=True)
class _Fitted:
    purchase: Fit | None
    spend: Fit | None
    correlation: float | None
    notes: list[Said]


def _fit(inputs: _Inputs, spec: ClvSpec, horizon_days: int) -> _Fitted:
    """The purchase model and Gamma-Gamma, each only when it can be fitted honestly (else a note says why)."""
    per = DAYS_PER[spec.unit]
    name = say(f"engine.clv.model.{spec.model}")
    history = _history_days(inputs, per)
    repeat = int((inputs.x >= 1).sum())
    notes: list[Said] = []
    if repeat < MIN_REPEAT_BUYERS:
        notes.append(say("engine.clv.few_repeat_buyers", model=name, found=repeat, least=MIN_REPEAT_BUYERS))
        return _Fitted(None, None, None, notes)
    if history < horizon_days:
        notes.append(say("engine.clv.short_history", model=name, history=history, horizon=horizon_days))
        return _Fitted(None, None, None, notes)
    rows = inputs.distinct
    purchase = MODELS[spec.model].fit(rows[:, 0], rows[:, 1], rows[:, 2], inputs.weights)
    if not purchase.converged:
        notes.append(say("engine.clv.not_converged", model=name, why=purchase.message))
        return _Fitted(None, None, None, notes)
    buys = inputs.spenders
    if int(buys.sum()) < MIN_REPEAT_BUYERS:
        notes.append(say("engine.clv.few_spenders", found=int(buys.sum()), least=MIN_REPEAT_BUYERS))
        return _Fitted(purchase, None, None, notes)
    spend = gammagamma.fit(inputs.x[buys], inputs.spend[buys])
    if not spend.converged:
        notes.append(say("engine.clv.not_converged", model=say("engine.clv.model.gammagamma"), why=spend.message))
        return _Fitted(purchase, None, None, notes)
    return _Fitted(purchase, spend, gammagamma.spend_correlation(inputs.x[buys], inputs.spend[buys]), notes)


def _history_days(inputs: _Inputs, per: float) -> int:
    return round(float(inputs.age.max()) * per) if inputs.age.size else 0


def _scores(inputs: _Inputs, fitted: _Fitted, spec: ClvSpec) -> dict[str, Array]:
    """Each customer's predicted values; NaN where the model was not fitted."""
    n = inputs.x.size
    empty = np.full(n, np.nan)
    out = {"p_alive": empty, "expected_orders": empty, "expected_spend": empty, "clv": empty}
    if fitted.purchase is None:
        return out
    per = DAYS_PER[spec.unit]
    model = MODELS[spec.model]
    params = fitted.purchase.params
    x, t_x, age = (inputs.distinct[:, k] for k in range(3))  # each distinct (x, t_x, T) scored once
    out["p_alive"] = model.p_alive(params, x, t_x, age)[inputs.inverse]
    expected = inputs.expectation(model, params)
    out["expected_orders"] = expected(spec.horizon_days / per)[inputs.inverse]
    if fitted.spend is not None:
        buys = inputs.spenders
        spend = gammagamma.expected_spend(fitted.spend.params, np.where(buys, inputs.x, 0.0),
                                          np.where(buys, inputs.spend, 0.0))
        out["expected_spend"] = spend
        per_unit_spend = discounted_value(expected, 1.0,
                                          spec.horizon_days, spec.discount_rate, per)
        out["clv"] = per_unit_spend[inputs.inverse] * spend
    return out


def _figures(inputs: _Inputs, fitted: _Fitted, spec: ClvSpec, scores: dict[str, Array]) -> ClvFigures:
    counts: list[int] = []
    if fitted.purchase is not None:
        alive = scores["p_alive"][np.isfinite(scores["p_alive"])]
        counts = [int(c) for c in np.histogram(alive, bins=P_ALIVE_BINS, range=(0.0, 1.0))[0]]
    return ClvFigures(
        model=spec.model, unit=spec.unit, horizon_days=spec.horizon_days, discount_rate=spec.discount_rate,
        purchase=_shown(fitted.purchase) if fitted.purchase else None,
        spend=_shown(fitted.spend) if fitted.spend else None,
        buyers=int(inputs.x.size), repeat_buyers=int((inputs.x >= 1).sum()),
        history_days=_history_days(inputs, DAYS_PER[spec.unit]), correlation=fitted.correlation,
        p_alive_counts=counts,
        expected_orders=float(np.nansum(scores["expected_orders"])) if fitted.purchase else 0.0,
        clv_total=float(np.nansum(scores["clv"])) if fitted.spend else 0.0,
        notes=list(fitted.notes),
    )


def _shown(fit: Fit) -> ModelFit:
    return ModelFit(fit.model, tuple(fit.names), tuple(fit.params), tuple(fit.std_errors), fit.log_likelihood,
                    fit.customers)


def predict(con: Database, spec: ClvSpec, as_of: datetime) -> ClvFigures:
    """Fit the model on `orders` up to as_of, add the predicted columns to `customers`, and report."""
    inputs = _Inputs.of(con.arrow(inputs_sql(as_of, spec.unit)))
    fitted = _fit(inputs, spec, spec.horizon_days)
    scores = _scores(inputs, fitted, spec)
    values = pa.table({
        "customer_id": inputs.ids,
        "clv_x": pa.array(inputs.x, pa.float64()),
        "clv_t_x": _rounded(inputs.t_x, 4),
        "clv_age": _rounded(inputs.age, 4),
        "p_alive": _rounded(scores["p_alive"], 6),
        "expected_orders": _rounded(scores["expected_orders"], 4),
        "expected_spend": _rounded(scores["expected_spend"], 2),
        "clv": _rounded(scores["clv"], 2),
    })
    con.register(VALUES_TABLE, values)
    try:
        selects = ", ".join(_typed(m.name, m.unit) for m in CLV_METRICS)
        con.execute(f"""CREATE OR REPLACE TABLE customers AS SELECT customers.*, {selects}
            FROM customers LEFT JOIN {VALUES_TABLE} AS v USING (customer_id)""")
    finally:
        con.unregister(VALUES_TABLE)
    return _figures(inputs, fitted, spec, scores)


def validate(con: Database, spec: ClvSpec, calibration_end: datetime, end: datetime) -> tuple[ClvFigures, Holdout]:
    """Fit on the orders up to the calibration_end day, predict each of those customers' purchase days after it
    up to the `end` day, and compare with what they did, by calibration repeat purchases (0 … 6, 7+)."""
    per = DAYS_PER[spec.unit]
    orders = ORDER_ROW.format(lines="orders")
    calibration = inputs_sql(calibration_end, spec.unit)
    table = con.arrow(f"""SELECT i.*, coalesce(h.days, 0) AS holdout FROM ({calibration}) AS i
        LEFT JOIN (SELECT customer_id, count(DISTINCT CAST(order_ts AS DATE)) AS days FROM ({orders}) AS per_order
                   WHERE purchase AND CAST(order_ts AS DATE) > CAST({timestamp(calibration_end)} AS DATE)
                     AND CAST(order_ts AS DATE) <= CAST({timestamp(end)} AS DATE)
                   GROUP BY customer_id) AS h USING (customer_id)
        ORDER BY customer_id""")
    inputs = _Inputs.of(table)
    actual = np.asarray(table.column("holdout").to_numpy(), dtype=np.float64)
    length_days = (end.date() - calibration_end.date()).days
    fitted = _fit(inputs, spec, 0)  # the holdout is what is predicted: no horizon to cover
    scores = _scores(inputs, fitted, spec)
    predicted = np.full(inputs.x.size, np.nan)
    if fitted.purchase is not None:
        predicted = inputs.expected(MODELS[spec.model], fitted.purchase.params, length_days / per)
    table = compare(inputs.x, predicted, actual)
    holdout = Holdout(
        calibration_end=calibration_end.date().isoformat(), holdout_end=end.date().isoformat(),
        customers=table.customers,
        rows=[(r.repeat_purchases, r.customers, r.actual, r.predicted) for r in table.rows],
        actual_total=table.actual_total, predicted_total=table.predicted_total,
        mean_absolute_error=table.mean_absolute_error,
    )
    return _figures(inputs, fitted, spec, scores), holdout


def _rounded(values: Array, digits: int) -> pa.Array:
    """Rounded, with NaN (not predicted) as empty."""
    rounded = np.round(values, digits)
    return pa.array(rounded, pa.float64(), mask=~np.isfinite(rounded))


def _typed(name: str, unit: str) -> str:
    column = f"v.{identifier(name)}"
    if unit == "money":
        return f"CAST({column} AS DECIMAL(18, 2)) AS {identifier(name)}"
    if unit == "count":
        return f"CAST({column} AS BIGINT) AS {identifier(name)}"
    return f"{column} AS {identifier(name)}"
