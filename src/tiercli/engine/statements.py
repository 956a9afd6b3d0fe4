"""DuckDB statements tiercli builds, as sqlglot trees another engine can take: parameters bound as literal nodes,
`* REPLACE`/`* EXCLUDE` spelled out from the tables' schemas, an UPDATE or an INSERT written as the SELECT of the
table's rows afterwards. Pure functions of the statement and the schemas; the Spark engine (`engine.sparkdb`) and
the exported script (`engine.script`) both use them, so a statement means the same on either."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

Schema = Mapping[str, Mapping[str, str]]  # table -> column -> DuckDB type
# The key of each table an UPDATE may change: the columns that name one of its rows.
KEYS: Mapping[str, tuple[str, ...]] = {"lines": ("__input", "source_row")}
_HIT = "__tiercli_hit"


def literal(value: Any) -> exp.Expr:
    """A bound parameter as a literal tree (the value never becomes SQL text by hand)."""
    if value is None:
        return exp.null()
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float | Decimal):
        return exp.Literal.number(str(value))
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    return exp.Literal.string(str(value))


def bound(sql: str, parameters: Sequence[Any] | None = None) -> exp.Expr:
    """One DuckDB statement's tree, its `?` parameters replaced by their values, in the order written."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    if parameters:
        values = iter(parameters)
        for holder in list(tree.find_all(exp.Placeholder, bfs=False)):
            holder.replace(literal(next(values)))
    return tree


def read_tables(tree: exp.Expr) -> set[str]:
    """The names of the tables a statement reads or writes (not its CTEs)."""
    names = {t.name for t in tree.find_all(exp.Table) if t.name}
    return names - {c.alias for c in tree.find_all(exp.CTE)}


def renamed(tree: exp.Expr, tables: Mapping[str, str]) -> exp.Expr:
    """`tree` reading each table of `tables` from the one named there (`name` or `schema.name`), under the name
    it was written with (so that `lines.reason` still names a column)."""
    ctes = {c.alias for c in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        now = tables.get(table.name)
        if table.name in ctes or table.args.get("db") or now is None or now == table.name:
            continue
        if not table.alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
        schema, _, name = now.rpartition(".")
        table.set("this", exp.to_identifier(name))
        table.set("db", exp.to_identifier(schema) if schema else None)
    return tree


def spelled_out(tree: exp.Expr, schema: Schema, *, exclude: bool = False) -> exp.Expr:
    """`* REPLACE (…)` (and with `exclude`, `* EXCLUDE (…)` too) written out column by column from `schema`."""
    kinds = ("replace", "except", "exclude") if exclude else ("replace",)
    if not any(star.args.get(k) for star in tree.find_all(exp.Star) for k in kinds):
        return tree
    known: dict[str, object] = {name: dict(columns) for name, columns in schema.items()}
    return qualify(tree, schema=known, dialect="duckdb", expand_stars=True,
                   validate_qualify_columns=False, quote_identifiers=False, identify=False)


def update_as_select(tree: exp.Update, columns: Sequence[str]) -> exp.Select:
    """UPDATE t SET c = e … FROM s WHERE w as the SELECT of t's rows afterwards: the matched rows' new values (t
    inner-joined to s on w, as DuckDB matches them) joined back to t by its key (`KEYS`); the other rows as they
    are. `columns` are t's, in order."""
    name = tree.this.name
    key = KEYS.get(name)
    if key is None:
        raise ValueError(f"UPDATE of {name}, which has no key in KEYS")
    sets = [(e.this.name, e.expression) for e in tree.expressions]
    new = [exp.alias_(value.copy(), f"{_HIT}_{column}") for column, value in sets]
    matched = exp.select(*(exp.column(k, table=name) for k in key), *new)
    source = tree.args.get("from_") or tree.args.get("from")
    if source is not None:
        matched = matched.from_(source.this.copy())
        for join in source.args.get("joins") or []:
            matched = matched.join(join.copy())
        for join in tree.args.get("joins") or []:
            matched = matched.join(join.copy())
        matched = matched.join(exp.to_table(name), join_type="cross")
    else:
        matched = matched.from_(name)
    where = tree.args.get("where")
    if where is not None:
        matched = matched.where(where.this.copy())
    matched = matched.select(exp.alias_(exp.true(), _HIT))
    changed = {column for column, _ in sets}
    picked = [exp.column(c, table="t") if c not in changed else exp.alias_(
        exp.Case(ifs=[exp.If(this=exp.column(_HIT, table="m"), true=exp.column(f"{_HIT}_{c}", table="m"))],
                 default=exp.column(c, table="t")), c) for c in columns]
    on = exp.and_(*(exp.EQ(this=exp.column(k, table="t"), expression=exp.column(k, table="m")) for k in key))
    return (exp.select(*picked).from_(exp.alias_(exp.to_table(name), "t", table=True))
            .join(exp.Subquery(this=matched, alias=exp.TableAlias(this=exp.to_identifier("m"))),
                  on=on, join_type="left"))


def insert_as_select(tree: exp.Insert, columns: Sequence[tuple[str, str]], given: Sequence[str]) -> exp.Expr:
    """INSERT INTO t [BY NAME] q as the SELECT of t's rows afterwards: t's rows, then q's, each of t's `columns`
    (name, DuckDB type) taken from q by name (BY NAME; NULL when q lacks it) or by position (`given`: q's
    output columns in order)."""
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    source = tree.expression
    if isinstance(source, exp.Values):  # its columns named as t's
        given = [c for c, _ in columns]
        source = exp.select(*given).from_(exp.Values(
            expressions=[row.copy() for row in source.expressions],
            alias=exp.TableAlias(this=exp.to_identifier("v"), columns=[exp.to_identifier(c) for c in given])))
    by_name = bool(tree.args.get("by_name"))
    picked = []
    for position, (column, kind) in enumerate(columns):
        if by_name:
            value: exp.Expr = exp.column(column, table="q") if column in given else exp.null()
        else:
            value = exp.column(given[position], table="q")
        picked.append(exp.alias_(exp.cast(value, exp.DataType.build(kind, dialect="duckdb")), column))
    added = exp.select(*picked).from_(exp.Subquery(this=source.copy(), alias=exp.TableAlias(
        this=exp.to_identifier("q"))))
    kept = exp.select(*(exp.column(c) for c, _ in columns)).from_(exp.to_table(target.name))
    return exp.union(kept, added, distinct=False)
