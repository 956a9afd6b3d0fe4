"""A SparkSession behind `Database`'s interface: each DuckDB statement tiercli builds, run on Spark.

The engine's steps (cleaning, metrics, scores, segments, tiers, tags, figures) are written once, as DuckDB SQL;
this module runs the same statements on Spark, so `--engine spark` computes what a local run computes. Each
statement is parsed with sqlglot, its `?` parameters bound as literal nodes, `SELECT * REPLACE` spelled out from
the tables' schemas, rewritten where Spark would compute another value (`engine.dialects`) and rendered for
Spark. The cleaning's DuckDB macros (engine/clean defines them once) become Spark SQL functions of the same name
and body, rendered the same way: Spark computes a function's arguments once, where expanding the macros in place
gave statements of 160 kB that took Spark three times as long to plan.

What DuckDB keeps as a table, Spark keeps as a temporary view of a checkpointed DataFrame (computed once, kept by
the executors); a view stays a view. `UPDATE t SET … FROM s WHERE …` has no Spark counterpart for a view: it
becomes the rows of `t` joined to the matched rows' new values by `t`'s key (`KEYS`), the same inner-join match
DuckDB makes. Results come back as tuples of Python values of DuckDB's kinds (Decimal, datetime, str, int).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from tiercli.engine.dialects import SPARK, spark_function, spark_tree
from tiercli.engine.statements import KEYS, bound, read_tables, spelled_out, update_as_select
from tiercli.errors import UsageError
from tiercli.messages import say
from tiercli.sources.spark_inputs import duckdb_type_name

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

# The session's settings while tiercli runs on it (restored afterwards): naive times stay as written
# (engine.dialects converts zones itself); no constraint propagation, whose rewrite of a union's constraints
# fails on a checkpoint of `lines` after a second input's INSERT (Spark 4.0: "key not found").
SETTINGS = {"spark.sql.session.timeZone": "UTC", "spark.sql.constraintPropagation.enabled": "false"}


class SparkStatementRefused(RuntimeError):
    """A statement this module can't run on Spark (a kind tiercli's engine doesn't build)."""


@dataclass(frozen=True)
class Fetched:
    """A statement's result rows, read as a DuckDB cursor is (`fetchone`, `fetchall`)."""

    rows: list[tuple[Any, ...]]

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


def spark_type(duckdb_type: str) -> str:
    """A DuckDB type name in Spark's terms (`VARCHAR` → `STRING`, `TIMESTAMP` → `TIMESTAMP_NTZ`)."""
    return exp.DataType.build(duckdb_type, dialect="duckdb").sql(SPARK)


def _value(value: Any) -> Any:
    """A Spark value as DuckDB's Python client gives it (a struct as a dict, an array as a list)."""
    from pyspark.sql import Row

    if isinstance(value, Row):
        return {k: _value(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def open_session(master: str | None = None, remote: str | None = None) -> SparkSession:
    """The SparkSession a run uses: Spark Connect at `remote` (or $SPARK_REMOTE), else a session with `master`
    (default `local[*]`: every core of this machine). An error says what is missing (PySpark, Java)."""
    import os
    import shutil
    import warnings

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")  # not ours to act on
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UsageError(say("engine.spark.not_installed"), slug="spark_not_installed") from exc
    remote = remote or os.environ.get("SPARK_REMOTE")
    if not remote and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise UsageError(say("engine.spark.no_java"), slug="spark_no_java")
    builder = SparkSession.builder.appName("tiercli")
    if remote:
        builder = builder.remote(remote)
    else:
        builder = (builder.master(master or "local[*]").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.log.level", "ERROR"))
        if (master or "local[*]").startswith("local"):  # one machine: a shuffle in 200 parts is 200 tiny tasks
            builder = builder.config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))
    try:
        return builder.getOrCreate()
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(say("engine.spark.session_failed", reason=reason), slug="spark_session") from exc


class SparkDatabase:
    """`Database`'s interface over a SparkSession (see the module's docstring)."""

    def __init__(self, session: SparkSession) -> None:
        self.session = session
        self._settings = {key: session.conf.get(key, None) for key in SETTINGS}
        for key, value in SETTINGS.items():
            session.conf.set(key, value)
        self._views: set[str] = set()

    # --- the interface tiercli's engine uses ---

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Fetched:
        tree = self._parse(sql, parameters)
        return self._run(tree)

    def script(self, sql: str) -> None:
        for tree in sqlglot.parse(sql, read="duckdb"):
            if tree is not None:
                self._run(tree)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.execute(sql, row)

    def arrow(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.Table:
        return self.frame(sql, parameters).toArrow()

    def batches(self, sql: str, rows_per_batch: int = 65_536) -> pa.RecordBatchReader:
        import pyarrow as pa

        table = self.frame(sql).toArrow()
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(rows_per_batch))

    def register(self, name: str, data: pa.Table | pa.RecordBatchReader) -> None:
        import pyarrow as pa

        table = data.read_all() if isinstance(data, pa.RecordBatchReader) else data
        frame = self.session.createDataFrame(table)
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def unregister(self, name: str) -> None:
        self._drop(name)

    def query_progress(self) -> float:
        return -1.0

    def interrupt(self) -> None:
        self.session.interruptAll()

    def close(self) -> None:
        for name in list(self._views):
            self._drop(name)
        for key, value in self._settings.items():
            if value is None:
                self.session.conf.unset(key)
            else:
                self.session.conf.set(key, value)

    def __enter__(self) -> SparkDatabase:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- what the Spark engine adds ---

    def frame(self, sql: str, parameters: Sequence[Any] | None = None) -> DataFrame:
        """The DataFrame of a query, not computed yet."""
        tree = self._parse(sql, parameters)
        return self.session.sql(self.render(tree))

    def render(self, tree: exp.Expr) -> str:
        """A statement's tree as Spark SQL."""
        tree = self._spelled_out(tree)
        return spark_tree(tree, self._schema(tree)).sql(SPARK, identify=True)  # `高频购买者` too

    def columns(self, table: str) -> list[tuple[str, str]]:
        """(name, DuckDB type) of each column of a table or view."""
        return [(f.name, duckdb_type_name(f.dataType)) for f in self.session.table(table).schema.fields]

    # --- statements ---

    def _parse(self, sql: str, parameters: Sequence[Any] | None) -> exp.Expr:
        return bound(sql, parameters)

    def _run(self, tree: exp.Expr) -> Fetched:
        if isinstance(tree, exp.Create):
            return self._create(tree)
        if isinstance(tree, exp.Insert):
            return self._insert(tree)
        if isinstance(tree, exp.Update):
            return self._update(tree)
        if isinstance(tree, exp.Drop):
            for table in tree.args.get("tables") or [tree.this]:
                self._drop(table.name)
            return Fetched([])
        if isinstance(tree, exp.Describe):
            return self._describe(tree)
        if isinstance(tree, exp.Query):
            rows = self.session.sql(self.render(tree)).collect()
            return Fetched([tuple(_value(v) for v in row) for row in rows])
        if isinstance(tree, exp.Command | exp.Set | exp.Pragma):
            return Fetched([])  # settings of DuckDB's own (memory, threads, checkpoints)
        raise SparkStatementRefused(f"a {type(tree).__name__} statement is not something the Spark engine runs")

    def _create(self, tree: exp.Create) -> Fetched:
        kind = (tree.args.get("kind") or "").upper()
        if kind == "MACRO":  # a Spark SQL function of the same name and body: its arguments are computed once
            self.session.sql(spark_function(tree))
            return Fetched([])
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        name = target.name
        query = tree.expression
        if query is None and isinstance(tree.this, exp.Schema):  # CREATE TABLE t (column type, …)
            columns = [(c.name, c.args["kind"].sql("duckdb")) for c in tree.this.expressions
                       if isinstance(c, exp.ColumnDef)]
            ddl = ", ".join(f"`{c}` {spark_type(kind_)}" for c, kind_ in columns)
            self._keep(name, self.session.createDataFrame([], ddl), materialize=False)
            return Fetched([])
        if query is None:
            raise SparkStatementRefused(f"CREATE {kind} without a query")
        frame = self.session.sql(self.render(query))
        self._keep(name, frame, materialize=kind == "TABLE")
        return Fetched([])

    def _insert(self, tree: exp.Insert) -> Fetched:
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        name = target.name
        existing = self.session.table(name)
        source = tree.expression
        if isinstance(source, exp.Values):
            source = exp.select("*").from_(source.copy())
        frame = self.session.sql(self.render(source))
        if tree.args.get("by_name"):
            merged = existing.unionByName(frame, allowMissingColumns=True)
        else:
            frame = frame.toDF(*existing.columns)
            merged = existing.unionByName(frame.select(
                *(frame[c].cast(existing.schema[c].dataType) for c in existing.columns)))
        self._keep(name, merged, materialize=True)
        return Fetched([])

    def _update(self, tree: exp.Update) -> Fetched:
        """UPDATE t SET … FROM s WHERE …: t's rows afterwards (`engine.statements.update_as_select`)."""
        name = tree.this.name
        if name not in KEYS:
            raise SparkStatementRefused(f"UPDATE of {name}, which has no key in KEYS")
        whole = update_as_select(tree, [c for c, _ in self.columns(name)])
        self._keep(name, self.session.sql(self.render(whole)), materialize=True)
        return Fetched([])

    def _describe(self, tree: exp.Describe) -> Fetched:
        target = tree.this
        if isinstance(target, exp.Table):
            described = self.columns(target.name)
        else:
            frame = self.session.sql(self.render(target))
            described = [(f.name, duckdb_type_name(f.dataType)) for f in frame.schema.fields]
        return Fetched([(n, t, "YES", None, None, None) for n, t in described])

    def _keep(self, name: str, frame: DataFrame, *, materialize: bool) -> None:
        if materialize:
            frame = frame.localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def _drop(self, name: str) -> None:
        self.session.catalog.dropTempView(name)
        self._views.discard(name)

    # --- trees ---

    def _spelled_out(self, tree: exp.Expr) -> exp.Expr:
        """`* REPLACE (…)`, which Spark lacks, spelled out from the tables' schemas."""
        if not any(star.args.get("replace") for star in tree.find_all(exp.Star)):
            return tree
        return spelled_out(tree, self._schema(tree))

    def _schema(self, tree: exp.Expr) -> dict[str, dict[str, str]]:
        known = {}
        for name in read_tables(tree):
            if self.session.catalog.tableExists(name):
                known[name] = dict(self.columns(name))
        return known

