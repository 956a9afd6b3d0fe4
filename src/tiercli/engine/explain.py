"""Why one customer got its tiers and tags (`tiercli explain`).

Every condition is split into its comparisons (the leaves under and / or / not), and each leaf is evaluated on its
own in DuckDB over that customer's row of the classified customers table, with the values it compared. The row
holds every name a rule can read (metrics, custom metrics, helpers, scores, member attributes), so a leaf is
exactly the SQL the classification ran, one piece at a time. With segments cn-8, the customer's recency_days,
frequency and monetary are shown high or low against the comparison values, computed over the result's customers
as the run computed them (`scoring.cn8_compare`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from tiercli.database import Database, open_database
from tiercli.engine.scoring import INPUTS, PLAIN_INPUTS_SQL, cn8_compare, cn8_value_text
from tiercli.engine.segments import CN8, CN8_METRICS, cn8_high
from tiercli.errors import DataError, Location, closest
from tiercli.messages import Said, as_is, say
from tiercli.result import Result, Rows
from tiercli.rules.expressions import DIALECT, display
from tiercli.rules.model import Condition, Rules

_LEAVES = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike)


@dataclass(frozen=True)
class Leaf:
    """One comparison of a condition and how it came out for the customer."""

    text: str  # the comparison as written (names unquoted)
    held: bool | None  # None: empty (a value was missing), which counts as not holding
    values: tuple[object, ...]  # the customer's values of the compared parts that aren't fixed values


@dataclass(frozen=True)
class Check:
    """One tier or tag: its condition (None for a default tier) and how it came out."""

    name: str
    condition: str | None
    held: bool
    leaves: tuple[Leaf, ...]
    location: Location
    matched: bool = False  # the tier the customer got


@dataclass
class Explanation:
    customer_id: str
    as_of: datetime
    values: list[tuple[str, object]]  # every name a rule can read, with the customer's value
    gradings: list[tuple[str, str, list[Check]]] = field(default_factory=list)  # name, level got, checks
    tags: list[Check] = field(default_factory=list)


def find_customer(customers: Rows, customer: str) -> pa.Table:
    """The customer's row; `DataError` naming the closest ids when there is none."""
    wanted = customer.strip()
    for batch in customers.batches():
        row = batch.filter(pc.equal(batch.column("customer_id"), wanted))
        if row.num_rows:
            return pa.Table.from_batches([row])
    close = None  # the closest id, looked for among the ids a batch at a time (close ones have a close length)
    for batch in customers.batches(["customer_id"]):
        ids = [i for i in batch.column(0).to_pylist() if i is not None and abs(len(i) - len(wanted)) <= 3]
        found = closest(wanted, [*ids, *([close] if close else [])])
        close = found or close
    hint = as_is("") if close is None else say("common.did_you_mean", choice=close)
    raise DataError(say("engine.unknown_customer", customer=wanted, hint=hint), slug="unknown_customer")


def leaves(sql: str) -> list[exp.Expr]:
    """The comparisons of a compiled condition, left to right (a condition without any is its own leaf)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    found: list[exp.Expr] = []

    def walk(node: exp.Expr) -> None:
        if isinstance(node, exp.And | exp.Or):
            walk(node.this)
            walk(node.expression)
        elif isinstance(node, exp.Paren) or (isinstance(node, exp.Not) and not isinstance(_bare(node.this), _LEAVES)):
            walk(node.this)
        else:
            found.append(node)

    walk(tree)
    return found


def _bare(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _operands(leaf: exp.Expr) -> list[exp.Expr]:
    """The parts of a leaf whose values are worth showing: those that aren't fixed values."""
    node = _bare(leaf.this) if isinstance(leaf, exp.Not) else leaf
    if isinstance(node, exp.In | exp.Between | exp.Is | exp.Like | exp.ILike):
        parts = [node.this]
    elif isinstance(node, _LEAVES):
        parts = [node.this, node.expression]
    else:
        parts = [node]
    return [p for p in parts if not isinstance(p, exp.Literal | exp.Boolean | exp.Null | exp.Neg)]


def _check(con: Database, name: str, condition: Condition) -> Check:
    found = []
    for leaf in leaves(condition.sql):
        parts = _operands(leaf)
        selects = ", ".join([leaf.sql(dialect=DIALECT), *(p.sql(dialect=DIALECT) for p in parts)])
        row = con.execute(f"SELECT {selects} FROM customer").fetchone()
        assert row is not None
        found.append(Leaf(display(leaf), None if row[0] is None else bool(row[0]), tuple(row[1:])))
    held = con.execute(f"SELECT coalesce({condition.sql}, FALSE) FROM customer").fetchone()
    return Check(name, condition.text, bool(held and held[0]), tuple(found), condition.location)


def explain(result: Result, rules: Rules, customer: str) -> Explanation:
    """How each tier (in order) and tag came out for `customer`, from a classification `result` of `rules`."""
    row = find_customer(result.customers, customer)
    con = open_database()
    try:
        con.register("customer", row)
        record = row.to_pylist()[0]
        hidden = {"customer_id", "tags", *result.gradings, *(f"{g}_why" for g in result.gradings), *result.tags}
        values: list[tuple[str, object]] = []
        for k, v in record.items():
            if k not in hidden:
                values.append((k, v))
            if k == "segment":
                values += _cn8_rows(con, result, rules, record)
        explanation = Explanation(str(record["customer_id"]), result.as_of, values)
        for grading in rules.gradings:
            got = str(record[grading.name])
            checks = []
            for level in grading.levels:
                if level.when is None:
                    checks.append(Check(level.name, None, True, (), level.location, matched=got == level.name))
                    continue
                check = _check(con, level.name, level.when)
                checks.append(Check(check.name, check.condition, check.held, check.leaves, check.location,
                                    matched=got == level.name))
            explanation.gradings.append((grading.name, got, checks))
        explanation.tags = [_check(con, tag.name, tag.when) for tag in rules.tags]
    finally:
        con.close()
    return explanation


def _cn8_rows(con: Database, result: Result, rules: Rules, record: dict[str, object]) -> list[tuple[str, object]]:
    """With segments cn-8: "cn-8 R" … rows saying whether each metric is high or low against its comparison
    value, for a customer with orders."""
    rfm = rules.rfm
    if rfm.segments != CN8 or record.get("recency_days") is None:
        return []
    metrics = [m for m, _, _ in CN8_METRICS]
    con.register("customers", pa.Table.from_batches(list(result.customers.batches(["customer_id", *metrics]))))
    con.execute(f"CREATE TEMP TABLE {INPUTS} AS {PLAIN_INPUTS_SQL}")
    compare = cn8_compare(con, rfm)
    rows: list[tuple[str, object]] = []
    for metric, column, op in CN8_METRICS:
        value, against = record.get(metric), compare[metric]
        if value is None or against is None:
            continue
        high = cn8_high(metric, float(str(value)), against)
        shown = {"<=": "≤", ">=": "≥"}[op] if high else {"<=": ">", ">=": "<"}[op]
        level = say("engine.cn8.high" if high else "engine.cn8.low")
        rows.append((f"cn-8 {column}", say("engine.cn8.explain", level=level, metric=metric,
                                           value=format_value(value), op=shown,
                                           compare=cn8_value_text(rfm, metric, against))))
    return rows


def format_value(value: object) -> str:
    """A value as the explanation shows it; an empty one is a `Said` ("empty", in Chinese too), as is a text
    tiercli made (a cn-8 comparison)."""
    if value is None:
        return say("engine.empty_value")
    if isinstance(value, Said):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return f"'{value}'"

