"""Terminal output: the run summary and the metric list, with rich.

The fixed words of the run summary, the movement lines, the `wrote …` lines, `explain`, `inspect` and the metric
list are in English or Chinese (the catalogue's "cli." entries), the engine's notes and the exports' warnings in
their language (`in_lang`); file, rule, grading, level and tag names and the user's values are shown as they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd
from rich.console import Console
from rich.table import Table

from tiercli.engine.clean import UNREADABLE, reason_text
from tiercli.engine.explain import Check, Explanation, Leaf, format_value
from tiercli.messages import Catalogue, in_lang, listed, text
from tiercli.outputs.money import money_text
from tiercli.outputs.plan import OutputPlan, Written
from tiercli.outputs.platform_exports import PlatformExport
from tiercli.outputs.split import SplitFile
from tiercli.outputs.workbook_text import BEHAVIOUR_TEXT, CLV_TEXT
from tiercli.result import (
    BehaviourFigures,
    ClvFigures,
    Holdout,
    InputFile,
    Inspection,
    Kpis,
    MovementReport,
    Result,
    StatusCount,
    TagFigures,
)
from tiercli.rules.model import Rules
from tiercli.vocabulary.events import EVENT_TYPE_NAMES, EVENT_TYPES
from tiercli.vocabulary.labels import column_kind, label
from tiercli.vocabulary.metrics import (
    CLV_METRICS,
    EVENT_COLUMNS,
    EVENT_HELPERS,
    EVENT_METRICS,
    HELPER_COLUMNS,
    HELPERS,
    MEMBER_ATTRIBUTES,
    METRICS,
    ORDER_COLUMNS,
    ORDER_ROW,
    SCORE_NAMES,
    ZH_NAMES,
)

TEXT = Catalogue("cli.render", also=("common",))
EXPLAIN = Catalogue("cli.explain")
INSPECT = Catalogue("cli.inspect")
UNITS = Catalogue("common.unit")

TOP_TAGS = 10  # tags shown in the summary, those most customers hold


def _money(value: float | None, currency: str | None = None) -> str:
    return money_text(value, currency)


def headline(kpis: Kpis, previous: Kpis | None, currency: str | None, lang: str) -> str:
    """The run's headline figures in one line, each with its change since the previous run when known."""
    def shown(value: float, kind: str, signed: bool = False) -> str:
        if kind == "money":
            return ("+" if signed and value >= 0 else "-" if value < 0 else "") + money_text(abs(value), currency)
        if kind == "rate":
            return f"{value * 100:+.1f} pt" if signed else f"{value:.1%}"
        return f"{value:+,.0f}" if signed else f"{value:,.0f}"

    parts = []
    for name, key, kind in (("customers", "kpi customers", "count"), ("revenue", "kpi revenue", "money"),
                            ("orders", "kpi orders", "count"), ("repeat_rate", "kpi repeat", "rate"),
                            ("aov", "kpi aov", "money"), ("active_90d", "kpi active", "count")):
        now = getattr(kpis, name)
        if now is None:
            continue
        before = getattr(previous, name) if previous is not None else None
        delta = "" if before is None else TEXT("change", lang, change=shown(now - before, kind, signed=True))
        parts.append(TEXT(key, lang, value=shown(now, kind)) + delta)
    return separated(parts, lang)


def _customers(count: int, lang: str) -> str:
    return TEXT("one customer", lang) if count == 1 else TEXT("customers count", lang, count=f"{count:,}")


def _reason(slug: str, lang: str) -> str:
    return reason_text(slug, lang)


def separated(items: Iterable[str], lang: str) -> str:
    """Parts of one line joined as a sentence joins them: ', ' (zh: '，')."""
    return text("common.clause", lang).join(items)


def enumerated(items: Iterable[str], lang: str) -> str:
    """Names in a list: ', ' (zh: '、')."""
    return in_lang(listed(items), lang)


def written_line(out: str, lang: str) -> str:
    """The `wrote …` line for a workbook written on its own (tiercli diff -o)."""
    what, path = written_output(out, lang)
    return TEXT("wrote", lang, path=path, what=what)


def written_output(out: str, lang: str) -> tuple[str, str]:
    """What `tiercli.outputs.writers.write_result` wrote to `out`, as `print_summary` lists it: (what, path)."""
    if out == "-":
        return TEXT("customers table", lang), TEXT("stdout", lang)
    return TEXT("workbook" if out.lower().endswith(".xlsx") else "customers table", lang), out


def written_lists(lists: Sequence[SplitFile], lang: str) -> list[tuple[str, str]]:
    """The split lists of `tiercli.outputs.split.write_split`, as `print_summary` lists them: (what, path)."""
    return [(TEXT("split list", lang, group=item.group, customers=_customers(item.customers, lang)), str(item.path))
            for item in lists]


def written_report(path: str, lang: str) -> tuple[str, str]:
    return (TEXT("html report", lang), path)


def written_export(fmt: str, export: PlatformExport, lang: str) -> tuple[str, str]:
    """A re-import file of `tiercli.outputs.platform_exports`, as `print_summary` lists it: (what, path)."""
    return (TEXT("platform export", lang, format=fmt, customers=_customers(export.customers, lang)), export.path)


def print_warnings(console: Console, warnings: Sequence[str], lang: str) -> None:
    for warning in warnings:
        console.print(TEXT("warning", lang, text=in_lang(warning, lang)), markup=False, soft_wrap=True)


def _markers(counts: dict[str, int], lang: str) -> str:
    """'CustomerID 1,792, Country 3' (zh: 'CustomerID 1,792 个、Country 3 个')."""
    return enumerated((TEXT("marker_cells", lang, header=h, cells=f"{n:,}") for h, n in counts.items()), lang)


def _read_line(f: InputFile, lang: str) -> str:
    details = [TEXT("platform", lang, value=f.platform),
               f.encoding and TEXT("encoding", lang, value=f.encoding),
               f.delimiter and TEXT("delimiter", lang, value=repr(f.delimiter)),
               TEXT("header row", lang, value=f.header_row)]
    return TEXT("read", lang, name=f.name, rows=f"{f.rows_read:,}", details=separated((x for x in details if x), lang))


def print_summary(console: Console, result: Result, written: Sequence[tuple[str, str]], lang: str = "en",
                  notes: Sequence[str] = ()) -> None:
    """After a run: how the files read and what was left out, per grading its levels, the TOP_TAGS tags most
    customers hold (rules order among equals), cut points and notes (the run's, then the outputs' `notes`), then
    every file written, `written` being (what, path) pairs."""
    def say(text: str) -> None:
        console.print(text, markup=False)

    for f in result.inputs:
        say(_read_line(f, lang))
    say(TEXT("columns", lang, mapping="; ".join(f"{k} ← {v}" for k, v in result.mapping.items())))
    say(TEXT("as_of", lang, as_of=f"{result.as_of:%Y-%m-%d %H:%M:%S}"))
    say(TEXT("rows", lang, read=f"{result.rows_read:,}", used=f"{result.rows_used:,}",
             excluded=f"{result.rows_excluded:,}"))
    for reason, count in result.excluded_by_reason.items():
        say("  " + TEXT("excluded", lang,
                        reason=label("reason", reason, lang), rows=f"{count:,}", meaning=_reason(reason, lang)))
    for f in result.inputs:
        if f.masked_keys:
            say(TEXT("masked", lang, name=f.name, rows=f"{f.masked_keys:,}"))
        if f.key_conflicts:
            say(TEXT("conflicts", lang, name=f.name, orders=f"{f.key_conflicts:,}"))
        if f.missing_markers:
            say(TEXT("markers", lang, name=f.name, columns=_markers(f.missing_markers, lang)))
        _print_statuses(console, [s for s in result.statuses if s.file == f.name], lang)
    if result.behaviour is not None:
        for line in behaviour_lines(result.behaviour, lang):
            say(line)

    if result.figures.kpis is not None:
        line = headline(result.figures.kpis, result.figures.previous_kpis, result.currency, lang)
        say(TEXT("headline since" if result.figures.previous_kpis else "headline", lang, figures=line))
    for grading in result.gradings:
        say(TEXT("grading title", lang, grading=grading, customers=_customers(result.customers.num_rows, lang)))
        console.print(_grading_table(result, grading, lang))
    if result.tags:
        figures = sorted(result.figures.tags, key=lambda f: -f.customers)
        shown = figures[:TOP_TAGS]
        say(TEXT("top tags title", lang, shown=len(shown), tags=len(figures)) if len(figures) > len(shown)
            else TEXT("tags title", lang, tags=len(figures)))
        console.print(_tags_table(shown, lang))

    cuts = result.thresholds[result.thresholds["cut_points"] != ""]
    for cut in cuts.itertuples():
        say(TEXT("cut points", lang, dimension=cut.dimension, metric=cut.metric, cuts=cut.cut_points))
    for note in [*result.notes, *notes]:
        say(TEXT("note", lang, note=in_lang(note, lang)))
    for what, path in written:
        say(TEXT("wrote", lang, path=path, what=what))


def behaviour_lines(figures: BehaviourFigures, lang: str) -> list[str]:
    """With --events: how each events file read (rows read = used + excluded per reason, + not used for item
    properties), then the customers with events, those without an order, and events per type."""
    lines = []
    for f in figures.files:
        reasons = enumerated((BEHAVIOUR_TEXT("reason", lang, reason=label("reason", reason, lang), rows=f"{count:,}")
                              for reason, count in f.excluded_by_reason.items() if count), lang)
        numbers = {"name": f.name, "layout": f.layout, "read": f"{f.rows_read:,}", "used": f"{f.rows_used:,}",
                   "excluded": f"{f.rows_excluded:,}",
                   "reasons": BEHAVIOUR_TEXT("reasons", lang, reasons=reasons) if reasons else ""}
        lines.append(BEHAVIOUR_TEXT("read_not_used", lang, not_used=f"{f.not_used:,}", **numbers) if f.not_used
                     else BEHAVIOUR_TEXT("read", lang, **numbers))
    counts = separated((BEHAVIOUR_TEXT("count", lang, event=in_lang(EVENT_TYPE_NAMES[event], lang),
                                       events=f"{figures.events_by_type.get(event, 0):,}") for event in EVENT_TYPES),
                       lang)
    lines.append(BEHAVIOUR_TEXT("summary", lang, customers=f"{figures.customers:,}",
                                without=f"{figures.without_orders:,}", counts=counts))
    return lines


def _grading_table(result: Result, grading: str, lang: str) -> Table:
    table = Table()
    for key, justify in (("level", "left"), ("customers", "right"), ("share", "right"),
                         ("revenue_share", "right"), ("aov", "right")):
        table.add_column(TEXT(key, lang), justify=justify)  # type: ignore[arg-type]
    for row in result.summary[result.summary["grading"] == grading].to_dict("records"):
        aov = row["aov"]
        table.add_row(str(row["level"]), f"{row['customers']:,}", f"{row['share']:.1%}",
                      f"{row['revenue_share'] + 0.0:.1%}",
                      _money(None if pd.isna(aov) else float(aov), result.currency))
    return table


def _tags_table(figures: Sequence[TagFigures], lang: str) -> Table:
    table = Table()
    for key, justify in (("tag", "left"), ("customers", "right"), ("share", "right")):
        table.add_column(TEXT(key, lang), justify=justify)  # type: ignore[arg-type]
    for figure in figures:
        table.add_row(figure.tag, f"{figure.customers:,}", f"{figure.share:.1%}")
    return table


def print_data_warnings(console: Console, result: Result, lang: str = "en") -> None:
    """Rows left out because they could not be read as orders (UNREADABLE) or as events, one warning per reason
    (per events file): what `--quiet` still prints."""
    for reason, count in result.excluded_by_reason.items():
        if reason in UNREADABLE:
            console.print(TEXT("warning excluded", lang, rows=f"{count:,}", reason=label("reason", reason, lang),
                               meaning=_reason(reason, lang)), markup=False)
    for events in result.behaviour.files if result.behaviour is not None else ():
        for reason, count in events.excluded_by_reason.items():
            if reason != "after_as_of":  # rows that could not be read as events; later ones are left out by design
                console.print(TEXT("warning events excluded", lang, file=events.name,
                                   reason=label("reason", reason, lang),
                                   rows=f"{count:,}"), markup=False)


METRICS_TEXT = Catalogue("cli.metrics")


def print_metrics(console: Console, rules: Rules | None = None, lang: str = "en") -> None:
    """One block per name: name and unit, meaning, and the SQL that computes it; then member attributes, the
    order-level helpers, the order columns custom metrics can aggregate, and the rules' own custom metrics.
    In Chinese each built-in name shows its Chinese name beside it and the meanings are in Chinese."""
    def unit(word: str) -> str:
        return UNITS(word, lang) if word in UNITS else word

    def alias(name: str) -> str:
        return f" / {ZH_NAMES[name]}" if lang == "zh" and name in ZH_NAMES else ""

    def block(title: str, meaning: str, sql: str | None = None) -> None:
        console.print(title, style="bold", markup=False)
        console.print(f"    {in_lang(meaning, lang)}", markup=False)
        if sql:
            console.print(f"    SQL: {sql.replace('{as_of}', 'as_of')}", markup=False)

    console.print(METRICS_TEXT("order", lang), markup=False)
    console.print("    " + " ".join(ORDER_ROW.format(lines="orders").split()), markup=False)
    console.print(METRICS_TEXT("line", lang) + "\n", markup=False)
    for m in METRICS:
        sql = METRICS_TEXT(m.stage, lang, sql=m.sql) if m.stage in ("by_category", "distinct", "most") else m.sql
        stage = " [order]" if m.stage == "order" else " [line]" if m.stage in ("line", "distinct", "most") else ""
        block(f"{m.name}{alias(m.name)} ({unit(m.unit)}){stage}", m.description, sql)
    for name, meaning in SCORE_NAMES.items():
        block(f"{name}{alias(name)} ({unit('text' if name in ('segment', 'lifecycle') else 'score')})", meaning)
    console.print("\n" + METRICS_TEXT("members", lang), markup=False)
    for a in MEMBER_ATTRIBUTES:
        block(f"{a.name} ({unit(a.kind)})", a.description, a.sql)
    console.print("\n" + METRICS_TEXT("clv", lang), markup=False)
    for m in CLV_METRICS:
        block(f"{m.name}{alias(m.name)} ({unit(m.unit)})", m.description, m.sql)
    console.print("\n" + METRICS_TEXT("events", lang), markup=False)
    for m in EVENT_METRICS:
        block(f"{m.name}{alias(m.name)} ({unit(m.unit)})", m.description, m.sql)
    console.print("\n" + METRICS_TEXT("event_helpers", lang, columns=", ".join(EVENT_COLUMNS)), markup=False)
    for e in EVENT_HELPERS:
        block(f"{e.usage} ({unit(e.unit)})", e.description,
              e.sql.replace("{match}", "COLUMN IN ('value', …)").replace("{window}", "age_days < days")
              .replace("{days}", "days"))
    console.print("\n" + METRICS_TEXT("helpers", lang, columns=", ".join(HELPER_COLUMNS)), markup=False)
    for h in HELPERS:
        block(f"{h.name}(COLUMN, 'value', …) ({unit(h.unit)})", h.description,
              h.sql.replace("{match}", "COLUMN IN ('value', …)"))
    console.print("\n" + METRICS_TEXT("columns", lang), markup=False)
    for name, (kind, meaning) in ORDER_COLUMNS.items():
        console.print(f"  {name} ({unit(kind)}): {in_lang(meaning, lang)}", markup=False)
    if rules is not None and rules.metrics:
        console.print("\n" + METRICS_TEXT("custom", lang, source=rules.source), markup=False)
        for custom in rules.metrics:
            shown = custom.unit or custom.kind or "value"
            where = METRICS_TEXT("helper in" if custom.helper else "defined at", lang, location=custom.location)
            block(f"{custom.name} ({unit(shown)})", where, custom.sql)


def explained_value(value: object, lang: str) -> str:
    """A value as `explain` shows it: empty, true and false in words of `lang`, numbers, dates and text as they
    are."""
    if isinstance(value, bool):
        return EXPLAIN("true" if value else "false", lang)
    return in_lang(format_value(value), lang)


def _leaf_line(leaf: Leaf, lang: str) -> str:
    shown = EXPLAIN("versus", lang).join(explained_value(v, lang) for v in leaf.values)
    outcome = EXPLAIN("yes" if leaf.held else "no" if leaf.held is not None else "empty_no", lang)
    return EXPLAIN("leaf", lang, leaf=leaf.text, values=shown, outcome=outcome) if shown else f"{leaf.text} — {outcome}"


def _check_lines(check: Check, number: str, lang: str, after_match: bool = False) -> list[str]:
    if check.condition is None:
        head = EXPLAIN("default", lang, number=number, name=check.name)
    else:
        head = f"{number}{check.name} — {EXPLAIN('yes' if check.held else 'no', lang)}"
    if check.matched:
        head += "  " + EXPLAIN("matched", lang)
    elif after_match:
        head += EXPLAIN("not_used", lang)
    lines = [head]
    if check.condition is not None and len(check.leaves) > 1:
        lines.append("      " + EXPLAIN("when", lang, condition=check.condition))
    lines += [f"      {_leaf_line(leaf, lang)}" for leaf in check.leaves]
    return lines


def print_explanation(console: Console, explanation: Explanation, lang: str = "en") -> None:
    """A customer's values, then each grading's tiers in order and each tag, comparison by comparison."""
    def say(line: str) -> None:
        console.print(line, markup=False)

    say(EXPLAIN("customer", lang, customer=explanation.customer_id, as_of=f"{explanation.as_of:%Y-%m-%d %H:%M:%S}"))
    width = max((len(name) for name, _ in explanation.values), default=0)
    for name, value in explanation.values:
        shown = explained_value(value, lang)
        kind = column_kind(name)
        if kind is not None and isinstance(value, str) and label(kind, value, lang) != value:
            shown += EXPLAIN("label", lang, label=label(kind, value, lang))  # the code rules compare, its label
        say(f"  {name.ljust(width)}  {shown}")
    for grading, got, checks in explanation.gradings:
        say(EXPLAIN("grading", lang, grading=grading, level=got))
        matched = False
        for index, check in enumerate(checks, 1):
            for line in _check_lines(check, f"  {index}. ", lang, after_match=matched):
                say(line)
            matched = matched or check.matched
    if explanation.tags:
        got_tags = [t.name for t in explanation.tags if t.held]
        say(EXPLAIN("tags", lang, tags=enumerated(got_tags, lang) if got_tags else text("common.none", lang)))
        for check in explanation.tags:
            for line in _check_lines(check, "  - ", lang):
                say(line)


def print_inspection(console: Console, found: Inspection, lang: str = "en") -> None:
    """`tiercli inspect`: one block per file, then the rows, statuses, exclusions, dates and customers."""
    def say(line: str) -> None:
        console.print(line, markup=False)

    for f in found.inputs:
        console.print(f"{f.name}", style="bold", markup=False)
        say("  " + INSPECT("platform", lang, detection=in_lang(f.detection, lang)))
        details = [INSPECT("kind", lang, value=f.kind), f.encoding and TEXT("encoding", lang, value=f.encoding),
                   f.delimiter and TEXT("delimiter", lang, value=repr(f.delimiter)),
                   TEXT("header row", lang, value=f.header_row)]
        say("  " + separated((x for x in details if x), lang))
        say("  " + TEXT("rows", lang, read=f"{f.rows_read:,}", used=f"{f.rows_used:,}",
                        excluded=f"{f.rows_excluded:,}"))
        if f.masked_keys:
            say("  " + INSPECT("masked", lang, rows=f"{f.masked_keys:,}"))
        if f.relay_keys:
            say("  " + INSPECT("relay", lang, rows=f"{f.relay_keys:,}"))
        if f.key_conflicts:
            say(TEXT("conflicts", lang, name=f.name, orders=f"{f.key_conflicts:,}"))
        if f.missing_markers:
            say(TEXT("markers", lang, name=f.name, columns=_markers(f.missing_markers, lang)))
        _print_statuses(console, [s for s in found.statuses if s.file == f.name], lang)
    say(TEXT("columns", lang, mapping="; ".join(f"{k} ← {v}" for k, v in found.mapping.items())))
    for reason, count in found.excluded_by_reason.items():
        say(TEXT("excluded", lang,
                 reason=label("reason", reason, lang), rows=f"{count:,}", meaning=reason_text(reason, lang)))
    if found.first_order is not None and found.last_order is not None:
        say(INSPECT("orders", lang, first=f"{found.first_order:%Y-%m-%d %H:%M}",
                    last=f"{found.last_order:%Y-%m-%d %H:%M}", dates=in_lang(found.dates, lang)))
    say(INSPECT("customers", lang, customers=f"{found.customers:,}"))


def _print_statuses(console: Console, statuses: list[StatusCount], lang: str = "en") -> None:
    if len(statuses) == 1 and statuses[0].status == "(none)":
        return
    listed = "; ".join(f"{s.status} {s.rows:,} ({label('status', s.status_class, lang)})" for s in statuses)
    console.print(TEXT("statuses", lang, statuses=listed), markup=False)


def print_movement(console: Console, report: MovementReport, matrix: bool = False, lang: str = "en") -> None:
    """Per grading, customers per movement (and what an upgrade-only grading held); with `matrix`, also the
    previous × current table of customers. Movement names (new, up, …) are shown as labels of `lang`."""
    for grading in report.gradings:
        counts = separated((TEXT("movement count", lang, customers=f"{r['customers']:,}",
                                 movement=label("movement", r["movement"], lang))
                            for r in grading.counts.to_dict("records")), lang)
        console.print(TEXT("movement", lang, grading=grading.grading, previous=report.previous, counts=counts),
                      markup=False, soft_wrap=True)
        if not matrix:
            continue
        frame = grading.customers
        table = Table(title=TEXT("movement matrix", lang, grading=grading.grading), title_justify="left")
        table.add_column(str(frame.index.name))
        for column in frame.columns:
            table.add_column(str(column), justify="right")
        for level, values in frame.iterrows():
            table.add_row(str(level), *(f"{int(v):,}" for v in values.tolist()))
        console.print(table)
    for note in report.notes:
        console.print(TEXT("note", lang, note=in_lang(note, lang)), markup=False, soft_wrap=True)


def written_lines(plan: OutputPlan, written: Written) -> list[tuple[str, str]]:
    """What a run wrote, as `print_summary` lists it: (what, path), the main output first (stdout included; the
    parts of a cluster run's folder)."""
    lang = plan.lang
    lines = [written_output(plan.out, lang)] if written.output is not None or plan.out == "-" else []
    if written.folder is not None:
        folder = written.folder
        lines += [(TEXT("parquet customers", lang, customers=_customers(folder.customer_rows, lang)), folder.customers),
                  (TEXT("parquet excluded", lang, rows=f"{folder.excluded_rows:,}"), folder.excluded),
                  (TEXT("summary workbook", lang), folder.workbook)]
    lines += written_lists(written.lists, lang)
    if written.report is not None:
        lines.append(written_report(written.report, lang))
    if written.export is not None and plan.export is not None:
        lines.append(written_export(plan.export.format, written.export, lang))
    return lines


def print_clv(console: Console, figures: ClvFigures, holdout: Holdout | None, lang: str = "en") -> None:
    """`tiercli clv`: each fit's parameters with standard errors and log-likelihood, the calibration/holdout
    table, the totals, the spend correlation and why a model was not fitted."""
    for fit in (figures.purchase, figures.spend):
        if fit is None:
            continue
        table = Table(title=CLV_TEXT(f"model.{fit.model}", lang), title_justify="left")
        table.add_column(CLV_TEXT("parameter", lang))
        for key in ("estimate", "std_error"):
            table.add_column(CLV_TEXT(key, lang), justify="right")
        for name, value, error in zip(fit.names, fit.params, fit.std_errors, strict=True):
            table.add_row(name, f"{value:,.4f}", "" if error is None else f"{error:,.4f}")
        table.add_row(CLV_TEXT("log_likelihood", lang), f"{fit.log_likelihood:,.2f}", "")
        console.print(table)
    if holdout is not None and figures.purchase is not None:
        table = Table(title=CLV_TEXT("holdout_title", lang, start=holdout.calibration_end, end=holdout.holdout_end),
                      title_justify="left")
        table.add_column(CLV_TEXT("repeat_purchases", lang))
        for key in ("customers", "actual", "predicted"):
            table.add_column(CLV_TEXT(key, lang), justify="right")
        for label, customers, actual, predicted in holdout.rows:
            table.add_row(label, f"{customers:,}", *("" if math.isnan(v) else f"{v:,.3f}" for v in (actual, predicted)))
        table.add_row(CLV_TEXT("total", lang), f"{holdout.customers:,}",
                      f"{holdout.actual_total:,.1f}", f"{holdout.predicted_total:,.1f}")
        console.print(table)
        console.print(f"{CLV_TEXT('mae', lang)}: {holdout.mean_absolute_error:,.4f}", markup=False)
    if figures.p_alive_counts:
        tenths = " · ".join(f"{label}: {n:,}" for label, n in figures.p_alive_tenths())
        console.print(f"{CLV_TEXT('p_alive_customers', lang)}: {tenths}", markup=False, soft_wrap=True)
    if figures.correlation is not None:
        console.print(f"{CLV_TEXT('correlation', lang)}: {figures.correlation:,.4f} "
                      f"({CLV_TEXT('correlation_meaning', lang)})", markup=False, soft_wrap=True)
    for note in figures.notes:
        console.print(TEXT("note", lang, note=in_lang(note, lang)), markup=False, soft_wrap=True)
