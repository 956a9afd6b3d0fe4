"""The whole pipeline as a script of SQL statements for one engine (`tiercli sql FILES…`).

The cleaning is not written twice: a local run cleans the named files over a `Recorder`, which keeps every
statement that changes a table (parameters bound, with the schemas of the tables it reads as they were), and
`script_statements` renders them for the dialect after the statements that map the engine's input tables onto the
raw columns the cleaning reads. What the cleaning decided from the files' contents (which columns hold dates and
in which order, day or month first) is in its statements, so the script is the cleaning of files of that layout.

- DuckDB: the statements as tiercli ran them.
- Other dialects have no macros, no UPDATE of a view and no `INSERT … BY NAME`: each statement becomes a new table
  holding the rows of its target afterwards (`engine.statements`), named `lines`, `lines__v2`, … and read under
  its first name: a temporary table, and on Spark a table of schema `tiercli_work` (Spark SQL has no temporary
  table, and a temporary view would carry every earlier step's plan).
  The macros become temporary SQL functions of the same name and body (their parameters text, their result of the
  type DuckDB gives): on Spark as `--engine spark` runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp

from tiercli.database import Database
from tiercli.engine.dialects import (
    SPARK,
    called,
    function_sql,
    render_tree,
    spark_function,
    spark_tree,
    unported_note,
)
from tiercli.engine.statements import (
    bound,
    insert_as_select,
    read_tables,
    renamed,
    spelled_out,
    update_as_select,
)

_CHANGES = (exp.Create, exp.Insert, exp.Update, exp.Drop)
SPARK_SETTINGS = {"spark.sql.session.timeZone": "UTC"}  # naive times stay as written (engine.sparkdb)
# Where a Spark script keeps its tables: Spark SQL can't cut a temporary view's lineage (a DataFrame's checkpoint),
# and the cleaning's plans, inlined into every reader of every later view, outgrow the driver's memory.
SPARK_SCHEMA = "tiercli_work"


@dataclass(frozen=True)
class Step:
    """One statement of the cleaning, parameters bound."""

    tree: exp.Expr
    schema: dict[str, dict[str, str]]  # the tables it reads or changes, as they were before it ran
    given: list[str] = field(default_factory=list)  # an INSERT's query: its output columns, in order
    returns: str = ""  # a macro: the DuckDB type it gives for text arguments


@dataclass(frozen=True)
class InputTable:
    """A table the script reads: one input file's rows, as the engine holds them."""

    name: str  # input_1, input_2, … in the order the files were given
    file: str  # the file (and sheet) it stands for
    raw: str  # the cleaning's name for the file's cells (c0 … cN, c_extra, __row)
    columns: list[tuple[str, str, str]]  # (the input table's column, the raw column, DuckDB type)


class Recorder(Database):
    """A local run's `Database` that keeps each statement changing a table (see the module's docstring)."""

    def __init__(self, db: Database) -> None:
        super().__init__(db._con)  # the same confined connection, its statements recorded
        self.steps: list[Step] = []

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        self._record(bound(sql, parameters))
        return super().execute(sql, parameters)

    def script(self, sql: str) -> None:
        super().script(sql)  # macro definitions: recorded once they exist, with the type each gives
        for tree in sqlglot.parse(sql, read="duckdb"):
            if tree is not None:
                self._record(tree)

    def executemany(self, sql: str, rows: Any) -> None:
        rows = [list(row) for row in rows]
        for row in rows:
            self._record(bound(sql, row))
        super().executemany(sql, rows)

    def columns(self, table: str) -> list[tuple[str, str]]:
        return [(str(n), str(t)) for n, t in super().execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()]

    def _record(self, tree: exp.Expr) -> None:
        if not isinstance(tree, _CHANGES):
            return
        macro = _macro(tree)
        if macro is not None:
            text = exp.DataType.build("TEXT")
            call = exp.Anonymous(this=macro.this.this.name, expressions=[
                exp.cast(exp.null(), text) for _ in macro.this.expressions])
            typed = super().execute(exp.select(exp.func("typeof", call)).sql("duckdb")).fetchone()
            self.steps.append(Step(tree, {}, returns=str(typed[0]) if typed else "VARCHAR"))
            return
        schema = {name: dict(found) for name in sorted(read_tables(tree)) if (found := self.columns(name))}
        given: list[str] = []
        if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Query):
            probe = exp.select("*").from_(tree.expression.copy().subquery("q")).limit(0)
            given = list(self.arrow(probe.sql("duckdb")).column_names)
        self.steps.append(Step(tree, schema, given))


def input_steps(inputs: Sequence[InputTable]) -> list[Step]:
    """The raw cells the cleaning reads, as views of the input tables (a cell beyond the header: none)."""
    steps = []
    for table in inputs:
        picked: list[exp.Expr] = []
        for given, raw, kind in table.columns:
            value: exp.Expr = (exp.cast(exp.null(), exp.DataType.build(kind, dialect="duckdb")) if not given
                               else exp.column(exp.to_identifier(given, quoted=True)))
            picked.append(exp.alias_(value, raw))
        view = exp.Create(this=exp.to_table(table.raw), kind="VIEW",
                          expression=exp.select(*picked).from_(exp.to_table(table.name)))
        schema = {table.name: {g: k for g, _, k in table.columns if g}}
        steps.append(Step(view, schema))
    return steps


@dataclass
class _Versions:
    """Which table holds each name's rows now (`lines`, then `lines__v2`, …; in `schema` when there is one)."""

    schema: str = ""
    current: dict[str, str] = field(default_factory=dict)
    made: dict[str, int] = field(default_factory=dict)

    def new(self, name: str) -> str:
        self.made[name] = self.made.get(name, 0) + 1
        made = name if self.made[name] == 1 else f"{name}__v{self.made[name]}"
        self.current[name] = f"{self.schema}.{made}" if self.schema else made
        return self.current[name]

    def read(self, tree: exp.Expr) -> exp.Expr:
        """`tree` reading each table's current version, under the name it was written with."""
        return renamed(tree, self.current)


def _macro(tree: exp.Expr) -> exp.Create | None:
    if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "MACRO":
        return tree
    return None


def _as_query(step: Step, columns: dict[str, list[tuple[str, str]]], empty: set[str]) -> tuple[str, exp.Expr] | None:
    """(the table a statement changes, the query of its rows afterwards); None for a DROP, and for a table only
    declared (`CREATE TABLE t (column type, …)`): the INSERT that follows makes it."""
    tree = step.tree
    if isinstance(tree, exp.Drop):
        return None
    if isinstance(tree, exp.Update):
        name = tree.this.name
        return name, update_as_select(tree, [c for c, _ in columns[name]])
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if isinstance(tree, exp.Insert):
        query = insert_as_select(tree, columns[target.name], step.given)
        if target.name in empty:  # its rows are the inserted ones
            empty.discard(target.name)
            assert isinstance(query, exp.Union)
            query = query.expression
        return target.name, query
    assert isinstance(tree, exp.Create)
    if tree.expression is None:
        columns[target.name] = [(c.name, c.args["kind"].sql("duckdb")) for c in tree.this.expressions
                                if isinstance(c, exp.ColumnDef)]
        empty.add(target.name)
        return None
    return target.name, tree.expression.copy()


@dataclass(frozen=True)
class Script:
    statements: list[str]
    notes: list[str]  # what the rendering can't make identical
    tables: dict[str, str]  # the table holding each name's rows at the end (`lines` → `lines__v3`)


def script_statements(steps: Sequence[Step], dialect: str) -> Script:
    """The statements of `steps` for `dialect`. `orders` (what the classification reads) is made once, so it
    keeps its name; a table changed after it was made is in its last version (`Script.tables`)."""
    if dialect == "duckdb":
        names = {t.this.this.name if isinstance(t.this, exp.Schema) else t.this.name
                 for s in steps if isinstance(t := s.tree, exp.Create) and _macro(t) is None}
        return Script([s.tree.sql("duckdb", pretty=True) for s in steps], [], {n: n for n in sorted(names)})
    versions = _Versions(SPARK_SCHEMA if dialect == SPARK else "")
    macros: set[str] = set()
    columns: dict[str, list[tuple[str, str]]] = {}
    empty: set[str] = set()
    out = ([*(f"SET {key} = {value}" for key, value in SPARK_SETTINGS.items()),
            f"CREATE SCHEMA IF NOT EXISTS {SPARK_SCHEMA}"] if dialect == SPARK else [])
    notes: list[str] = []
    unported: list[str] = []
    for step in steps:
        for name, described in step.schema.items():
            columns[name] = list(described.items())  # as they were before the statement
        macro = _macro(step.tree)
        if macro is not None:
            macros.add(macro.this.this.name.lower())
            if dialect == SPARK:
                out.append(spark_function(macro))
                continue
            rendered = function_sql(macro, step.returns, dialect, macros)
            out.append(rendered.sql)
            notes += [n for n in rendered.notes if n not in notes]
            unported += rendered.unported
            continue
        changed = _as_query(step, columns, empty)
        if changed is None:
            continue
        name, query = changed
        query = spelled_out(query, step.schema, exclude=dialect != SPARK)
        query = spark_tree(query, step.schema) if dialect == SPARK else called(query, macros, dialect)
        query = versions.read(query)
        made = versions.new(name)
        if dialect == SPARK:  # a table of the default kind (Parquet; Delta on Databricks), replaced on a rerun
            table = exp.to_table(made)
            out.append(exp.Drop(tables=[table], kind="TABLE", exists=True).sql(SPARK, identify=True))
            out.append(exp.Create(this=table.copy(), kind="TABLE", expression=query).sql(SPARK, identify=True))
            continue
        temporary = exp.Properties(expressions=[exp.TemporaryProperty()])
        made_as = exp.Create(this=exp.to_table(made), kind="TABLE", expression=query, properties=temporary)
        rendered = render_tree(made_as, dialect, frozenset(macros))
        out.append(rendered.sql)
        notes += [n for n in rendered.notes if n not in notes]
        unported += rendered.unported
    return Script(out, [*notes, *unported_note(dialect, unported)], dict(versions.current))
