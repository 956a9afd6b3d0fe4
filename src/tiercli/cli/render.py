"""Terminal output: the run summary and the metric list, with rich."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from tiercli.engine.clean import reason_text
from tiercli.engine.explain import Check, Explanation, format_value
from tiercli.engine.metrics import (
    HELPER_COLUMNS,
    HELPERS,
    MEMBER_ATTRIBUTES,
    METRICS,
    ORDER_COLUMNS,
    ORDER_ROW,
    SCORE_NAMES,
    ZH_NAMES,
)
from tiercli.engine.movement import MovementReport
from tiercli.result import Inspection, Result, StatusCount
from tiercli.rules.model import Rules


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
    for f in result.inputs:
        if f.masked_keys:
            console.print(f"  masked buyer ids in {f.name}: {f.masked_keys:,} rows", markup=False)
        _print_statuses(console, [s for s in result.statuses if s.file == f.name])

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


def _zh(name: str, zh: bool) -> str:
    return f" / {ZH_NAMES[name]}" if zh and name in ZH_NAMES else ""


def print_metrics(console: Console, rules: Rules | None = None, zh: bool = False) -> None:
    """One block per name: name and unit, meaning, and the SQL that computes it; then member attributes, the
    order-level helpers, the order columns custom metrics can aggregate, and the rules' own custom metrics."""
    def block(title: str, meaning: str, sql: str | None = None) -> None:
        console.print(title, style="bold", markup=False)
        console.print(f"    {meaning}", markup=False)
        if sql:
            console.print(f"    SQL: {sql.replace('{as_of}', 'as_of')}", markup=False)

    console.print("Metrics marked [order] aggregate a customer's orders, one row per order built from its lines:",
                  markup=False)
    console.print("    " + " ".join(ORDER_ROW.format(lines="orders").split()), markup=False)
    console.print("Metrics marked [line] aggregate the customer's order lines.\n", markup=False)
    for m in METRICS:
        sql = f"the first category ordered by {m.sql}" if m.stage == "by_category" else m.sql
        stage = f" [{m.stage}]" if m.stage in ("order", "line") else ""
        block(f"{m.name}{_zh(m.name, zh)} ({m.unit}){stage}", m.description, sql)
    for name, meaning in SCORE_NAMES.items():
        block(f"{name}{_zh(name, zh)} ({'text' if name in ('segment', 'lifecycle') else 'score'})", meaning)
    console.print("\nMember attributes (with --members FILE; empty for customers not in it):", markup=False)
    for a in MEMBER_ATTRIBUTES:
        block(f"{a.name} ({a.kind})", a.description, a.sql)
    console.print(f"\nOrder-level helpers, usable in rules; COLUMN is one of {', '.join(HELPER_COLUMNS)}:",
                  markup=False)
    for h in HELPERS:
        block(f"{h.name}(COLUMN, 'value', …) ({h.unit})", h.description,
              h.sql.replace("{match}", "COLUMN IN ('value', …)"))
    console.print("\nOrder columns a custom metric (`metrics:` in the rules file) aggregates:", markup=False)
    for name, (kind, meaning) in ORDER_COLUMNS.items():
        console.print(f"  {name} ({kind}): {meaning}", markup=False)
    if rules is not None and rules.metrics:
        console.print(f"\nCustom metrics and helpers of {rules.source}:", markup=False)
        for custom in rules.metrics:
            shown = custom.unit or custom.kind or "value"
            block(f"{custom.name} ({shown})", f"{'helper in' if custom.helper else 'defined at'} {custom.location}",
                  custom.sql)


def _leaf_line(leaf_text: str, values: tuple[object, ...], held: bool | None) -> str:
    shown = " vs ".join(format_value(v) for v in values)
    outcome = "yes" if held else "no" if held is not None else "empty, so no"
    return f"{leaf_text}: {shown} — {outcome}" if shown else f"{leaf_text} — {outcome}"


def _check_lines(check: Check, number: str, after_match: bool = False) -> list[str]:
    if check.condition is None:
        head = f"{number}{check.name} (default: everyone left)"
    else:
        head = f"{number}{check.name} — {'yes' if check.held else 'no'}"
    if check.matched:
        head += "  ← matched"
    elif after_match:
        head += " (not used: an earlier tier matched)"
    lines = [head]
    if check.condition is not None and len(check.leaves) > 1:
        lines.append(f"      when: {check.condition}")
    lines += [f"      {_leaf_line(leaf.text, leaf.values, leaf.held)}" for leaf in check.leaves]
    return lines


def print_explanation(console: Console, explanation: Explanation) -> None:
    """A customer's values, then each grading's tiers in order and each tag, comparison by comparison."""
    def say(text: str) -> None:
        console.print(text, markup=False)

    say(f"customer {explanation.customer_id} (as_of {explanation.as_of:%Y-%m-%d %H:%M:%S})")
    width = max((len(name) for name, _ in explanation.values), default=0)
    for name, value in explanation.values:
        say(f"  {name.ljust(width)}  {format_value(value)}")
    for grading, got, checks in explanation.gradings:
        say(f"{grading}: {got}")
        matched = False
        for index, check in enumerate(checks, 1):
            for line in _check_lines(check, f"  {index}. ", after_match=matched):
                say(line)
            matched = matched or check.matched
    if explanation.tags:
        got_tags = [t.name for t in explanation.tags if t.held]
        say(f"tags: {', '.join(got_tags) if got_tags else '(none)'}")
        for check in explanation.tags:
            for line in _check_lines(check, "  - "):
                say(line)


def print_inspection(console: Console, found: Inspection) -> None:
    """`tiercli inspect`: one block per file, then the rows, statuses, exclusions, dates and customers."""
    for f in found.inputs:
        console.print(f"{f.name}", style="bold", markup=False)
        console.print(f"  platform: {f.detection}", markup=False)
        details = [f"kind {f.kind}", f.encoding and f"encoding {f.encoding}",
                   f.delimiter and f"delimiter {f.delimiter!r}", f"header row {f.header_row}"]
        console.print("  " + ", ".join(x for x in details if x), markup=False)
        console.print(f"  rows: {f.rows_read:,} read = {f.rows_used:,} used + {f.rows_excluded:,} excluded",
                      markup=False)
        if f.masked_keys:
            console.print(f"  masked buyer ids: {f.masked_keys:,} rows", markup=False)
        if f.relay_keys:
            console.print(f"  relay e-mails as buyer ids: {f.relay_keys:,} rows", markup=False)
        _print_statuses(console, [s for s in found.statuses if s.file == f.name])
    console.print("columns: " + "; ".join(f"{k} ← {v}" for k, v in found.mapping.items()), markup=False)
    for reason, count in found.excluded_by_reason.items():
        console.print(f"excluded {reason}: {count:,} ({reason_text(reason)})", markup=False)
    if found.first_order is not None and found.last_order is not None:
        console.print(f"orders from {found.first_order:%Y-%m-%d %H:%M} to {found.last_order:%Y-%m-%d %H:%M} "
                      f"(dates read {found.dates})", markup=False)
    console.print(f"customers: {found.customers:,}", markup=False)


def _print_statuses(console: Console, statuses: list[StatusCount]) -> None:
    if len(statuses) == 1 and statuses[0].status == "(none)":
        return
    console.print("  statuses: " + "; ".join(f"{s.status} {s.rows:,} ({s.status_class})" for s in statuses),
                  markup=False)


def print_movement(console: Console, report: MovementReport, matrix: bool = False) -> None:
    """Per grading, customers per movement (and what an upgrade-only grading held); with `matrix`, also the
    previous × current table of customers."""
    for grading in report.gradings:
        counts = ", ".join(f"{r['customers']:,} {r['movement']}" for r in grading.counts.to_dict("records"))
        console.print(f"movement {grading.grading} (against {report.previous}): {counts}", markup=False,
                      soft_wrap=True)
        if not matrix:
            continue
        frame = grading.customers
        table = Table(title=f"{grading.grading}: previous level (rows) × level now (columns), customers",
                      title_justify="left")
        table.add_column(str(frame.index.name))
        for column in frame.columns:
            table.add_column(str(column), justify="right")
        for label, values in frame.iterrows():
            table.add_row(str(label), *(f"{int(v):,}" for v in values.tolist()))
        console.print(table)
    for note in report.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
