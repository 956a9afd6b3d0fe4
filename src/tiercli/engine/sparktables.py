"""A Spark run's customers and excluded rows, written where Spark writes (a Parquet folder), never collected.

The customers are the `classified` rows in output order; the excluded rows are the Excluded table a local run
writes (file, row, reason, message, then each input's original cells under its header). Headers come from the
input files, so they never enter SQL: the cells are taken by position and the columns named by the DataFrame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tiercli.engine.clean import ExcludedFrom, excluded_names
from tiercli.engine.sparkdb import SparkDatabase
from tiercli.sqltext import identifier, literal
from tiercli.vocabulary.labels import column_kind, label

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

TABLES = ("customers", "excluded")


_PART = "__tiercli_part"  # which input a left-out row comes from, for the order of the rows


class SparkTables:
    """`ClusterTables` of a Spark run (tiercli.result)."""

    def __init__(self, db: SparkDatabase, columns: Sequence[str], inputs: Sequence[ExcludedFrom], lang: str) -> None:
        self._db = db
        self._columns = list(columns)
        self._inputs = list(inputs)
        self._lang = lang

    def customers(self) -> DataFrame:
        """The customers in output order; with another language than English, each coded column (segment,
        lifecycle, movement) followed by its labels as `<column>_label`, as a local Parquet output has them."""
        picked = []
        for column in self._columns:
            picked.append(identifier(column))
            kind = column_kind(column)
            if kind is not None and self._lang != "en" and column + "_label" not in self._columns:
                picked.append(f"{self._labels(column, kind)} AS {identifier(column + '_label')}")
        return self._db.frame(f"SELECT {', '.join(picked)} FROM classified ORDER BY monetary DESC, customer_id")

    def _labels(self, column: str, kind: str) -> str:
        """CASE over the column's codes (a handful, read from the cluster) giving each its label."""
        codes = [row[0] for row in self._db.execute(
            f"SELECT DISTINCT {identifier(column)} FROM classified WHERE {identifier(column)} IS NOT NULL").fetchall()]
        whens = " ".join(f"WHEN {literal(str(c))} THEN {literal(label(kind, str(c), self._lang))}"
                         for c in sorted(codes, key=str))
        return f"CASE {identifier(column)} {whens} END" if whens else "CAST(NULL AS VARCHAR)"

    def excluded(self) -> DataFrame:
        from pyspark.sql import functions as F

        names, positions = excluded_names(self._inputs)
        message = "message_zh" if self._lang == "zh" else "message"
        parts = []  # the order rows' inputs first, then the events', each by file name (as a local run lists them)
        for part, (src, where) in enumerate(sorted(zip(self._inputs, positions, strict=True),
                                                   key=lambda p: (p[0].table != "lines", p[0].name))):
            rows = self._db.frame(f"SELECT source_row, reason, {message} AS message, raw_cells FROM {src.table} "
                                  f"WHERE __input = {int(src.index)} AND reason IS NOT NULL")
            cells = [F.lit(None).cast("string")] * len(names)
            cells[0] = F.lit(src.name)
            cells[1] = F.col("source_row").cast("bigint")
            cells[2] = F.col("reason").cast("string")
            cells[3] = F.col("message").cast("string")
            for i, position in enumerate(where):
                cells[position] = F.col("raw_cells").getItem(i).cast("string")
            parts.append(rows.select(*cells, F.lit(part).alias(_PART)).toDF(*names, _PART))
        whole = parts[0]
        for more in parts[1:]:
            whole = whole.unionByName(more)
        return whole.orderBy(F.col(_PART), F.col(names[1])).drop(_PART)

    def schema(self, table: str) -> pa.Schema:
        frame = self.customers() if table == "customers" else self.excluded()
        return frame.limit(0).toArrow().schema

    def count(self, table: str) -> int:
        frame = self.customers() if table == "customers" else self.excluded()
        return int(frame.count())

    def write(self, table: str, path: str) -> None:
        frame = self.customers() if table == "customers" else self.excluded()
        frame.write.mode("error").parquet(path)  # an existing folder is an error ("errorifexists": unknown to Connect)
