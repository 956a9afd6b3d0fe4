"""Every DuckDB connection tiercli opens comes from `open_database`, and every statement goes through `Database`.

A connection is confined from its first statement:

- external access is off, so SQL can open no file but the ones named in `readable` (the run's links to the input
  files the user named) and those in the database's own folder (`temp_dir`, which holds nothing else), and can't
  load extensions; the configuration is locked, so no statement can undo that;
- each statement is checked before it runs: exactly one statement, and only the kinds tiercli itself builds
  (SELECT, CREATE, INSERT, UPDATE, DELETE, DROP). COPY, EXPORT, ATTACH, INSTALL, LOAD, PRAGMA, SET and CALL are
  refused, so no SQL writes a file at any time, whatever text might reach it;
- its tables are stored in the run's own temp folder (compressed, paged in as needed) and operators spill there,
  so memory stays within the limit whatever the size of the data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import duckdb

from tiercli.errors import Interrupted, ResourceError, UsageError, first_line
from tiercli.messages import say
from tiercli.sqltext import literal_list

if TYPE_CHECKING:
    import pyarrow as pa

# DuckDB's own default is 80% of RAM; tiercli keeps to a laptop-friendly budget and spills to the run's temp
# folder beyond it.
DEFAULT_MEMORY_LIMIT = "1GB"
_ALLOWED = frozenset({
    duckdb.StatementType.SELECT, duckdb.StatementType.CREATE, duckdb.StatementType.INSERT,
    duckdb.StatementType.UPDATE, duckdb.StatementType.DELETE, duckdb.StatementType.DROP,
})


MIN_MEMORY_LIMIT = 100 * 1000**2  # below this DuckDB can't hold its own working set for a run
_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
_MEMORY = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*")


def memory_bytes(text: str) -> int:
    """A memory size as DuckDB takes it ('4GB', '500 MB', '2GiB') in bytes; `UsageError` when it is not one
    tiercli can run with."""
    found = _MEMORY.fullmatch(text)
    unit = found.group(2).lower() if found else ""
    if found is None or unit not in _UNITS or (unit in ("", "b") and float(found.group(1)) > 0):
        raise UsageError(say("database.bad_memory_limit", text=text, examples=say("database.memory_examples")),
                         slug="bad_memory_limit")
    size = int(float(found.group(1)) * _UNITS[unit])
    if size < MIN_MEMORY_LIMIT:
        raise UsageError(say("database.memory_limit_too_small", text=text, examples=say("database.memory_examples")),
                         slug="bad_memory_limit")
    return size


def check_threads(threads: int | None) -> int | None:
    """`threads` when it is a number of threads a run can use: 1 up to four per core (at least 64)."""
    if threads is None:
        return None
    most = max(64, 4 * (os.cpu_count() or 1))
    if not 1 <= threads <= most:
        raise UsageError(say("database.bad_threads", threads=threads, most=most, cores=os.cpu_count() or 1),
                         slug="bad_threads")
    return threads


class StatementRefused(RuntimeError):
    """A statement tiercli does not run: more than one statement, or a kind that could reach a file."""


class Database:
    """A DuckDB connection that only runs the statements tiercli builds (see the module's docstring)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def _check(self, sql: str) -> None:
        statements = self._con.extract_statements(sql)
        if len(statements) != 1:
            raise StatementRefused(f"expected one SQL statement, found {len(statements)}")
        kind = statements[0].type
        if kind not in _ALLOWED:
            raise StatementRefused(f"a {kind.name} statement is not something tiercli runs")

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        self._check(sql)
        with _translated():
            return self._con.execute(sql, parameters)

    def script(self, sql: str) -> None:
        """Run several statements tiercli wrote together (macro definitions), each checked as `execute` checks one."""
        for statement in self._con.extract_statements(sql):
            if statement.type not in _ALLOWED:
                raise StatementRefused(f"a {statement.type.name} statement is not something tiercli runs")
            with _translated():
                self._con.execute(statement)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._check(sql)
        with _translated():
            self._con.executemany(sql, list(rows))

    def arrow(self, sql: str, parameters: Sequence[Any] | None = None) -> pa.Table:
        """The whole result of a query as an Arrow table (for small results)."""
        self._check(sql)
        with _translated():
            return self._con.sql(sql, params=parameters).to_arrow_table()

    def batches(self, sql: str, rows_per_batch: int = 65_536) -> pa.RecordBatchReader:
        """The result of a query as a stream of Arrow batches, so a big result is never held whole."""
        self._check(sql)
        import pyarrow as pa

        with _translated():
            reader = self._con.sql(sql).to_arrow_reader(rows_per_batch)
        return pa.RecordBatchReader.from_batches(reader.schema, _translated_batches(reader))

    def register(self, name: str, data: pa.Table | pa.RecordBatchReader) -> None:
        """Make an Arrow table visible to SQL as `name` (a name tiercli chose, never one from an input)."""
        self._con.register(name, data)

    def unregister(self, name: str) -> None:
        self._con.unregister(name)

    def query_progress(self) -> float:
        return float(self._con.query_progress())

    def interrupt(self) -> None:
        self._con.interrupt()

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _translated_batches(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    """The batches of a streaming result; an error DuckDB meets while producing them is translated too."""
    with _translated():
        yield from reader


@contextmanager
def _translated() -> Iterator[None]:
    """DuckDB's interruption is the user's Ctrl-C (or SIGTERM); running out of memory within the limit is a
    message saying what to do, not a crash."""
    try:
        yield
    except duckdb.InterruptException:
        raise Interrupted(Interrupted.last) from None
    except (RuntimeError, OSError) as error:  # a signal handler's exception, or an error of a streaming result
        text = str(error).lower()
        if "interrupted" in text:
            raise Interrupted(Interrupted.last) from None
        if "out of memory" not in text:
            raise
        raise _out_of_memory(error) from None
    except duckdb.OutOfMemoryException as error:
        raise _out_of_memory(error) from None


def _out_of_memory(error: BaseException) -> ResourceError:
    return ResourceError(say("database.out_of_memory", reason=first_line(error)), slug="out_of_memory")


def open_database(
    temp_dir: str | os.PathLike[str] | None = None,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    readable: Sequence[str] = (),
    query_progress: bool = False,
) -> Database:
    """A fresh in-memory database that may read only the files in `readable` (absolute paths) and spills to
    `temp_dir`; with `query_progress`, DuckDB tracks how far each query is (without printing it) so that
    `tiercli.progress.watch_queries` can read it. `memory_limit` and `threads` are checked here (`UsageError`)."""
    check_threads(threads)
    limit = memory_bytes(memory_limit or DEFAULT_MEMORY_LIMIT)
    config: dict[str, str | bool | int | float | list[str]] = {
        "preserve_insertion_order": True,  # a CSV's cells table keeps file order, its rowid numbering the rows
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": f"{limit // 1000**2}MB",
        # The run's database is thrown away at the end: checkpoint (rewrite the big tables) only when the log of
        # small writes reaches 1 GB, not at DuckDB's 16 MB, which rewrote them after every few result tables
        # (2-3 s of a 27 s run with 10M events; dropped tables' space is reused after a checkpoint only).
        "checkpoint_threshold": "1GB",
    }
    if temp_dir is not None:
        config["temp_directory"] = os.fspath(temp_dir)
    if threads:
        config["threads"] = threads
    # In the run folder, the tables are stored compressed on disk and paged in as needed, so a run of any size
    # fits the memory limit; without a folder (a few rows: lint, explain, diff) they live in memory.
    store = ":memory:" if temp_dir is None else os.path.join(temp_dir, "run.duckdb")
    con = duckdb.connect(store, config=config)
    try:
        if readable:
            con.execute(f"SET allowed_paths = {literal_list(os.path.abspath(p) for p in readable)}")
        if temp_dir is not None:  # its own folder, where it spills: without this, spilling is refused too
            con.execute(f"SET allowed_directories = {literal_list([os.path.join(os.path.abspath(temp_dir), '')])}")
            # The run's database file is removed with its folder: closing it need not write it out first (a
            # checkpoint at close took 4.5 s of a 30 s run with 10M events)
            con.execute("PRAGMA disable_checkpoint_on_shutdown")
        if query_progress:
            con.execute("SET enable_progress_bar = true")
            con.execute("SET enable_progress_bar_print = false")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return Database(con)
