"""Terminal output: the run summary and the metric list, with rich."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from tiercli.engine.clean import reason_text
from tiercli.engine.metrics import METRICS, SCORE_NAMES
from tiercli.result import Result


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def print_summary(console: Console, result: Result, written: str) -> None:
    for f in result.inputs:
        details = ", ".join(x for x in (
            f"platform {f.platform}", f.encoding and f"encoding {f.encoding}",
            f.delimiter and f"delimiter {f.delimiter!r}", f"header row {f.header_row}") if x)
        console.print(f"read {f.name}: {f.rows_read:,} rows ({details})", markup=False)
    console.print("columns: " + "; ".join(f"{k} ← {v}" for k, v in result.mapping.items()), markup=False)
    console.print(f"as_of: {result.as_of:%Y-%m-%d %H:%M:%S}", markup=False)
    console.print(f"rows: {result.rows_read:,} read = {result.rows_used:,} used + {result.rows_excluded:,} "
                  "excluded", markup=False)
    for reason, count in result.excluded_by_reason.items():
        console.print(f"  excluded {reason}: {count:,} ({reason_text(reason)})", markup=False)

    for grading in result.gradings:
        table = Table(title=f"{grading} ({result.customers.num_rows:,} customers)", title_justify="left")
        for name, justify in (("level", "left"), ("customers", "right"), ("share", "right"),
                              ("revenue share", "right"), ("AOV", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        rows = result.summary[result.summary["grading"] == grading].to_dict("records")
        for row in rows:
            aov = row["aov"]
            table.add_row(str(row["level"]), f"{row['customers']:,}", f"{row['share']:.1%}",
                          f"{row['revenue_share']:.1%}", _money(None if pd.isna(aov) else float(aov)))
        console.print(table)

    cuts = result.thresholds[result.thresholds["cut_points"] != ""]
    for cut in cuts.itertuples():
        console.print(f"{cut.dimension} ({cut.metric}) cut points: {cut.cut_points}", markup=False)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.print(f"wrote {'stdout' if written == '-' else written}", markup=False)


def print_metrics(console: Console) -> None:
    """One block per name: name and unit, meaning, and the SQL that computes it."""
    for m in METRICS:
        console.print(f"{m.name} ({m.unit})", style="bold", markup=False)
        console.print(f"    {m.description}", markup=False)
        console.print(f"    SQL: {m.sql.replace('{as_of}', 'as_of')}", markup=False)
    for name, meaning in SCORE_NAMES.items():
        console.print(f"{name} ({'text' if name == 'segment' else 'score'})", style="bold", markup=False)
        console.print(f"    {meaning}", markup=False)
