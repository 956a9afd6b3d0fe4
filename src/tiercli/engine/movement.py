"""Runs over time: a previous run's levels, upgrade-only gradings, overrides, and who moved.

`apply_history` runs after the rules and rewrites `classified` in one pass:

1. customers of the previous run who are not in this data are added, kept with their previous levels;
2. on an upgrade-only grading (`sticky: true`) a customer whose data gives a lower level than before is held at
   the previous one — unless the grading has a `keep_rule` the customer no longer meets, or a grace period that
   has run out (see `held_state_sql`);
3. overrides set levels and add or remove tags;
4. each grading gets `previous_<grading>` and a movement column (see `MOVEMENTS`) comparing its final level with
   the previous one, by the grading's level order (the first level of the rules is the highest).

`movement_report` then summarises the movement for the Movement sheet; `tiercli diff` builds the same report from
two output files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tiercli.database import Database, open_database
from tiercli.engine.compute import TAG_SEPARATOR
from tiercli.engine.wording import said_sql
from tiercli.errors import DataError, Location, TiercliError, UsageError
from tiercli.messages import Catalogue, Said, as_is, in_lang, listed, say, text
from tiercli.result import GradingMovement, MovementReport, Result
from tiercli.rules.model import Grading, Rules
from tiercli.sources.overrides import Override, Overrides, read_overrides
from tiercli.sources.previous import GRACE_SUFFIX, Previous, levels_table, read_previous, read_run
from tiercli.sqltext import identifier, literal, timestamp
from tiercli.vocabulary.columns import NEW_ROW, NOT_IN_DATA, TOTAL

MOVEMENT_TEXTS = Catalogue("engine.movement")
MOVEMENTS: dict[str, str] = {m: en for m, (en, _) in MOVEMENT_TEXTS.items()}  # movement value -> its meaning
MOVEMENTS_ZH: dict[str, str] = {m: zh for m, (_, zh) in MOVEMENT_TEXTS.items()}


def movement_meaning(movement: str, lang: str) -> str:
    """What a movement value (new, up, …) means, in `lang`."""
    return MOVEMENT_TEXTS(movement, lang)


MOVERS = ("up", "down", "returned")
MAX_LISTED = 50_000  # rows per list on the Movement sheet; the Customers sheet has everyone
MAX_NOTED = 20  # expired or unusable overrides named one by one in the notes
OVERRIDES_COLUMN = "overrides"
PREVIOUS_TABLE = "previous_run"
OVERRIDES_TABLE = "override_rows"


def previous_column(grading: str) -> str:
    return f"previous_{grading}"


def movement_column(gradings: Sequence[str], grading: str) -> str:
    """`movement` for the first grading, `movement_<grading>` for each further one."""
    return "movement" if grading == gradings[0] else f"movement_{grading}"


def grace_column(grading: str) -> str:
    return grading + GRACE_SUFFIX


def rank_sql(column: str, levels: Sequence[str]) -> str:
    """The level's position in the rules (0 = the first, highest level)."""
    return "CASE " + column + " " + " ".join(f"WHEN {literal(lv)} THEN {i}" for i, lv in enumerate(levels)) + " END"


def movement_sql(level: str, previous: str, in_data: str, in_previous: str, was_lapsed: str,
                 levels: Sequence[str]) -> str:
    """The movement of one grading (see MOVEMENTS), from SQL expressions for the level now and before, whether
    the customer is in this data and in the previous run, and whether the previous run had kept it (lapsed)."""
    now, before = rank_sql(level, levels), rank_sql(previous, levels)
    return (f"CASE WHEN NOT {in_previous} THEN 'new' WHEN NOT {in_data} THEN 'lapsed' "
            f"WHEN {was_lapsed} THEN 'returned' WHEN {now} < {before} THEN 'up' "
            f"WHEN {now} > {before} THEN 'down' ELSE 'same' END")


def held_state_sql(grading: Grading, level: str, previous: str, grace_until: str, in_data: str,
                   as_of_date: str) -> str:
    """'held', 'grace' or 'dropped' for a customer of an upgrade-only grading whose data gives a lower level than
    the previous run did; NULL for everyone else.

    held: no keep_rule and no grace period, or the keep_rule holds. grace: the keep_rule doesn't hold (or there is
    none) but the grace period hasn't ended: it starts at this as_of when the previous run had none running and
    ends grace_days later; the customer stays held until then. dropped: the rule doesn't hold and there is no
    grace period, or it ended before this as_of: the customer gets the level this data gives."""
    levels = [lv.name for lv in grading.levels]
    below = f"{in_data} AND {previous} IS NOT NULL AND {rank_sql(level, levels)} > {rank_sql(previous, levels)}"
    keep = "TRUE" if grading.keep_rule is None and grading.grace_days is None else "FALSE"
    if grading.keep_rule is not None:
        keep = f"coalesce({grading.keep_rule.sql}, FALSE)"
    grace = "FALSE" if grading.grace_days is None else f"({grace_until} IS NULL OR {as_of_date} <= {grace_until})"
    return f"CASE WHEN {below} THEN CASE WHEN {keep} THEN 'held' WHEN {grace} THEN 'grace' ELSE 'dropped' END END"


@dataclass
class History:
    """What apply_history did: the output columns, facts for the Run sheet, notes, and the movement."""

    columns: list[str]
    run_rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    movement: MovementReport | None = None
    manual_tags: list[str] = field(default_factory=list)  # tags set by hand in the overrides, after the rules' tags


# --- overrides -------------------------------------------------------------------------------------------------


@dataclass
class _Applied:
    """The overrides that apply, per customer: pivoted into one row each for the join."""

    rows: list[Override]
    levels: dict[tuple[str, str], Override] = field(default_factory=dict)  # (customer, grading) -> row
    tags: dict[tuple[str, str], bool] = field(default_factory=dict)  # (customer, tag) -> added (True)/removed
    text: dict[str, list[Said]] = field(default_factory=dict)  # customer -> what was done, row by row


def _override_text(label: str, row: Override) -> Said:
    changes = [f"{row.grading} → {row.level}"] if row.level else []
    changes += [f"+{t}" for t in row.add_tags] + [f"−{t}" for t in row.remove_tags]
    extra: list[str] = [row.reason] if row.reason else []
    if row.expires:
        extra.append(say("engine.until", date=row.expires.isoformat()))
    done = say("engine.named", name=say("engine.row_of", label=label, row=row.row),
               text=listed(changes, "common.clause"))
    return say("engine.in_brackets", text=done, inside=listed(extra, "common.clause")) if extra else done


def _problem(error: TiercliError) -> Said:
    """An error's whole line (where, then what), in both languages."""
    return Said(str(error), error.text("zh"))


def _sort_overrides(
    con: Database, overrides: Overrides, as_of: datetime, with_previous: bool
) -> tuple[_Applied, list[Override], list[TiercliError]]:
    """(the overrides that apply, the expired ones, problems): a row whose customer is not in the run is a
    problem, and so is a second row setting the same customer's level (the later row wins)."""
    day = as_of.date()
    active = [r for r in overrides.rows if r.expires is None or r.expires >= day]
    expired = [r for r in overrides.rows if r.expires is not None and r.expires < day]
    wanted = pa.table({"customer_id": pa.array(sorted({r.customer for r in active}), pa.string())})
    con.register("override_customers", wanted)
    try:
        union = f" UNION SELECT customer_id FROM {PREVIOUS_TABLE}" if with_previous else ""
        known = {r[0] for r in con.execute(
            "SELECT customer_id FROM override_customers WHERE customer_id IN "
            f"(SELECT customer_id FROM classified{union})").fetchall()}
    finally:
        con.unregister("override_customers")
    problems = list(overrides.problems)
    applied = _Applied([])
    for row in active:
        if row.customer not in known:
            problems.append(TiercliError(say("engine.overrides_unknown_customer", customer=row.customer),
                                         row.where(overrides.label, "customer"), slug="overrides_unknown_customer"))
            continue
        if row.grading is not None:
            earlier = applied.levels.get((row.customer, row.grading))
            if earlier is not None:
                problems.append(TiercliError(
                    say("engine.overrides_twice", grading=row.grading, customer=row.customer, row=earlier.row),
                    row.where(overrides.label, "level"), slug="overrides_twice"))
            applied.levels[(row.customer, row.grading)] = row
        for tag in row.add_tags:
            applied.tags[(row.customer, tag)] = True
        for tag in row.remove_tags:
            applied.tags[(row.customer, tag)] = False
        applied.rows.append(row)
        applied.text.setdefault(row.customer, []).append(_override_text(overrides.label, row))
    return applied, expired, sorted(problems, key=lambda p: p.location.row or 0)


def _override_table(applied: _Applied, rules: Rules, label: str, manual: Sequence[str], lang: str = "en") -> pa.Table:
    customers = sorted(applied.text)
    columns: dict[str, pa.Array] = {"customer_id": pa.array(customers, pa.string())}
    for i, grading in enumerate(rules.gradings):
        titles = {lv.name: lv.title for lv in grading.levels}
        rows = [applied.levels.get((c, grading.name)) for c in customers]
        columns[f"__ovlevel_{i}"] = pa.array([r.level if r else None for r in rows], pa.string())
        columns[f"__ovwhy_{i}"] = pa.array([_override_why(titles, r, label, lang) if r else None for r in rows],
                                           pa.string())
    for j, tag in enumerate(rules.tags):
        flags = [applied.tags.get((c, tag.name)) for c in customers]
        columns[f"__ovtag_{j}"] = pa.array([None if f is None else int(f) for f in flags], pa.int32())
    for k, name in enumerate(manual):
        flags = [applied.tags.get((c, name)) for c in customers]
        columns[f"__ovmanual_{k}"] = pa.array([int(bool(f)) for f in flags], pa.int32())
    columns["__ovtext"] = pa.array([in_lang(listed(applied.text[c], "common.semicolon"), lang) for c in customers],
                                   pa.string())
    return pa.table(columns)


def _override_why(titles: dict[str, str], row: Override, label: str, lang: str = "en") -> str:
    where = [say("engine.row_of", label=label, row=row.row)]
    if row.expires:
        where.append(say("engine.until", date=row.expires.isoformat()))
    assert row.level is not None
    return text("engine.why.override", lang, title=titles[row.level], reason=row.reason or say("engine.why.no_reason"),
                where=listed(where, "common.clause"))


# --- the one pass over classified ------------------------------------------------------------------------------


def _history_sql(rules: Rules, as_of: datetime, previous: bool, overrides: bool,
                 manual: Sequence[str] = (), lang: str = "en") -> tuple[str, list[str]]:
    """The query that rewrites `classified` (the why columns in `lang`), and the columns it adds to the output
    (in order)."""
    as_of_date = f"CAST({timestamp(as_of)} AS DATE)"
    names = [g.name for g in rules.gradings]
    joined = ["c.* EXCLUDE (customer_id)"]
    source = "classified c"
    if previous:
        joined += ["coalesce(c.customer_id, p.customer_id) AS customer_id", "c.customer_id IS NOT NULL AS __in_data",
                   "p.customer_id IS NOT NULL AS __in_previous", "coalesce(p.lapsed, FALSE) AS __was_lapsed"]
        for i, g in enumerate(names):
            joined += [f"p.{identifier(g)} AS __prev_{i}", f"p.{identifier(grace_column(g))} AS __grace_{i}"]
        source += f" FULL JOIN {PREVIOUS_TABLE} p ON c.customer_id = p.customer_id"
    else:
        joined += ["c.customer_id", "TRUE AS __in_data"]
    if overrides:
        joined.append("o.* EXCLUDE (customer_id)")
        key = "coalesce(c.customer_id, p.customer_id)" if previous else "c.customer_id"
        source += f" LEFT JOIN {OVERRIDES_TABLE} o ON o.customer_id = {key}"

    states = []
    replaced = []
    added: list[tuple[str, str]] = []  # (output column, expression over `kept`)
    for i, grading in enumerate(rules.gradings):
        g, why = identifier(grading.name), identifier(grading.name + "_why")
        sticky = previous and grading.sticky
        if sticky:
            states.append(held_state_sql(grading, g, f"__prev_{i}", f"__grace_{i}", "__in_data", as_of_date)
                          + f" AS __state_{i}")
        level_cases, why_cases = [], []
        if overrides:
            level_cases.append(f"WHEN __ovlevel_{i} IS NOT NULL THEN __ovlevel_{i}")
        if previous:
            level_cases.append(f"WHEN NOT __in_data THEN __prev_{i}")
            titles = _titles(grading, f"__prev_{i}")
            why_cases.append(f"WHEN NOT __in_data THEN {said_sql('engine.why.kept', lang, title=titles)}")
        if sticky:
            level_cases.append(f"WHEN __state_{i} IN ('held', 'grace') THEN __prev_{i}")
            why_cases += _sticky_why(grading, i, why, as_of_date, lang)
        level = f"CASE {' '.join(level_cases)} ELSE {g} END" if level_cases else g
        base_why = f"CASE {' '.join(why_cases)} ELSE {why} END" if why_cases else why
        if overrides:
            overridden = said_sql("engine.why.without_override", lang, override=f"__ovwhy_{i}", why=base_why)
            base_why = f"CASE WHEN __ovlevel_{i} IS NOT NULL THEN {overridden} ELSE {base_why} END"
        replaced += [f"{level} AS {g}", f"{base_why} AS {why}"]
        if sticky and grading.grace_days is not None:
            added.append((grace_column(grading.name),
                          f"CASE WHEN NOT __in_data THEN __grace_{i} WHEN __state_{i} = 'grace' THEN "
                          f"coalesce(__grace_{i}, {as_of_date} + {grading.grace_days}) END"))
    if overrides and (rules.tags or manual):
        flags = [f"coalesce(__ovtag_{j}, {identifier(t.name)})" for j, t in enumerate(rules.tags)]
        replaced += [f"{flag} AS {identifier(t.name)}" for flag, t in zip(flags, rules.tags, strict=True)]
        by_hand = [f"coalesce(__ovmanual_{k}, 0)" for k in range(len(manual))]
        named = [*zip(flags, (t.name for t in rules.tags), strict=True), *zip(by_hand, manual, strict=True)]
        parts = ", ".join(f"CASE WHEN {flag} = 1 THEN {literal(TAG_SEPARATOR + name)} ELSE '' END"
                          for flag, name in named)
        changed = " OR ".join([*(f"__ovtag_{j} IS NOT NULL" for j in range(len(rules.tags))),
                               *(f"__ovmanual_{k} = 1" for k in range(len(manual)))])
        replaced.append(f"CASE WHEN {changed} THEN nullif(substring(concat({parts}), {len(TAG_SEPARATOR) + 1}), '') "
                        "ELSE tags END AS tags")
        added += [(name, flag) for flag, name in zip(by_hand, manual, strict=True)]
    if overrides:
        added.append((OVERRIDES_COLUMN, "__ovtext"))
    moved = []
    if previous:
        for i, grading in enumerate(rules.gradings):
            levels = [lv.name for lv in grading.levels]
            moved += [f"__prev_{i} AS {identifier(previous_column(grading.name))}",
                      movement_sql(identifier(grading.name), f"__prev_{i}", "__in_data", "__in_previous",
                                   "__was_lapsed", levels) + f" AS {identifier(movement_column(names, grading.name))}"]
    kept = f"SELECT *{', ' + ', '.join(states) if states else ''} FROM joined"
    final = (f"SELECT * REPLACE ({', '.join(replaced)})"
             + "".join(f", {expr} AS {identifier(name)}" for name, expr in added) + " FROM kept")
    sql = (f"CREATE OR REPLACE TABLE classified AS WITH joined AS (SELECT {', '.join(joined)} FROM {source}), "
           f"kept AS ({kept}), final AS ({final}) SELECT *{', ' + ', '.join(moved) if moved else ''} FROM final")
    new_columns = []
    if previous:
        new_columns += [previous_column(n) for n in names] + [movement_column(names, n) for n in names]
    new_columns += [name for name, _ in added if name not in manual]
    return sql, new_columns


def _titles(grading: Grading, column: str) -> str:
    """The level's name as the why column shows it (with its discount)."""
    cases = " ".join(f"WHEN {literal(lv.name)} THEN {literal(lv.title)}"
                     for lv in grading.levels if lv.title != lv.name)
    return f"CASE {column} {cases} ELSE {column} END" if cases else column


def _sticky_why(grading: Grading, i: int, why: str, as_of_date: str, lang: str = "en") -> list[str]:
    """The why (in `lang`) of a customer held at, in a grace period at, or dropped from the previous level."""
    title = _titles(grading, f"__prev_{i}")
    keep = grading.keep_rule
    upgrade_only = say("engine.upgrade_only")
    kept = say("engine.keep_met", rule=keep.text) if keep is not None else upgrade_only
    held = said_sql("engine.why.held", lang, title=title, because=kept, why=why)
    until = f"strftime(coalesce(__grace_{i}, {as_of_date} + {grading.grace_days or 0}), '%Y-%m-%d')"
    not_met = say("engine.keep_not_met", rule=keep.text) if keep is not None else upgrade_only
    grace = said_sql("engine.why.grace", lang, title=title, until=until, because=not_met, why=why)
    ended = f"strftime(__grace_{i}, '%Y-%m-%d')"
    if keep is None:
        reason = said_sql("engine.grace_ended", lang, date=ended)
    elif grading.grace_days is not None:
        reason = said_sql("engine.keep_not_met_grace_ended", lang, rule=as_is(keep.text), date=ended)
    else:
        reason = said_sql("engine.keep_not_met", lang, rule=as_is(keep.text))
    dropped = said_sql("engine.why.dropped", lang, why=why, previous=f"__prev_{i}", because=reason)
    return [f"WHEN __state_{i} = 'held' THEN {held}", f"WHEN __state_{i} = 'grace' THEN {grace}",
            f"WHEN __state_{i} = 'dropped' THEN {dropped}"]


def read_history(
    previous: str | Previous | None, overrides: str | Overrides | None, rules: Rules
) -> tuple[Previous | None, Overrides | None]:
    """The previous run and the overrides, read from their files when given as paths."""
    if isinstance(previous, str):
        previous = read_previous(previous, rules)
    if isinstance(overrides, str):
        overrides = read_overrides(overrides, rules)
    return previous, overrides


def apply_history(
    con: Database, rules: Rules, as_of: datetime, columns: list[str],
    previous: Previous | None = None, overrides: Overrides | None = None, strict: bool = False, lang: str = "en",
) -> History:
    """Apply the previous run and the overrides to `classified` (see the module's description) and say what was
    done. `columns` is the output column order so far; the History's columns add the new ones. With `strict`,
    an override that can't be applied stops the run (DataError) before anything is written. The words written
    into the data (why and overrides columns) are in `lang`."""
    history = History(columns=list(columns))
    if previous is not None:
        con.register("previous_input", previous.table)
        con.execute(f"CREATE TEMP TABLE {PREVIOUS_TABLE} AS SELECT * FROM previous_input")
        con.unregister("previous_input")
        history.run_rows += [(say("engine.run.previous"), previous.source),
                             (say("engine.run.previous_sha256"), previous.sha256 or ""),
                             (say("engine.run.previous_customers"), str(previous.customers))]
    applied: _Applied | None = None
    if overrides is not None:
        applied, expired, problems = _sort_overrides(con, overrides, as_of, previous is not None)
        stops = sorted([*problems, *overrides.typos], key=lambda p: p.location.row or 0)
        if stops and strict:
            lines = listed((as_is("  ") + _problem(p) for p in stops), "common.line")
            message = (say("engine.overrides_problems_one", lines=lines) if len(stops) == 1
                       else say("engine.overrides_problems", count=len(stops), lines=lines))
            raise DataError(message, Location(file=overrides.label), slug="overrides_problems")
        history.notes += _override_notes(overrides, applied, expired, problems, as_of)
        history.notes += [say("engine.check_spelling", problem=_problem(t)) for t in overrides.typos]
        history.run_rows += [(say("engine.run.overrides"), overrides.path),
                             (say("engine.run.overrides_sha256"), overrides.sha256),
                             (say("engine.run.overrides_applied"), str(len(applied.rows))),
                             (say("engine.run.overrides_expired"), str(len(expired))),
                             (say("engine.run.overrides_left_out"), str(len(problems)))]
        manual = [t for t in overrides.manual_tags if any(added and name == t for (_, name), added
                                                          in applied.tags.items())]
        history.manual_tags = manual
        if applied.rows:
            con.register("override_input", _override_table(applied, rules, overrides.label, manual, lang))
            con.execute(f"CREATE TEMP TABLE {OVERRIDES_TABLE} AS SELECT * FROM override_input")
            con.unregister("override_input")
        else:
            applied = None
    if previous is None and applied is None:
        history.notes += _sticky_without_previous(rules)
        history.run_rows += [(g.name, say("engine.sticky_no_previous")) for g in rules.gradings if g.sticky]
        return history
    sql, added = _history_sql(rules, as_of, previous is not None, applied is not None, history.manual_tags, lang)
    con.execute(sql)
    position = max((history.columns.index(g.name + "_why") for g in rules.gradings), default=len(history.columns) - 1)
    history.columns[position + 1:position + 1] = added
    history.columns += history.manual_tags  # after the rules' tags: one 0/1 column per tag set by hand
    if previous is None:
        history.notes += _sticky_without_previous(rules)
        return history
    held = _held(con, rules, applied is not None)
    history.notes += _sticky_notes(rules, held)
    history.run_rows += [(g.name, _held_text(g, held[g.name])) for g in rules.gradings if g.sticky]
    lapsed = con.execute("SELECT count(*) FROM classified WHERE NOT __in_data").fetchone()
    count = int(lapsed[0]) if lapsed else 0
    history.run_rows.append((say("engine.run.kept"), str(count)))
    if count:
        history.notes.append(say("engine.lapsed_one") if count == 1 else say("engine.lapsed", count=count))
    history.movement = movement_report(con, "classified", rules_levels(rules), previous.source, held)
    return history


def rules_levels(rules: Rules) -> dict[str, list[str]]:
    return {g.name: [lv.name for lv in g.levels] for g in rules.gradings}


def _sticky_without_previous(rules: Rules) -> list[str]:
    return [say("engine.sticky_without_previous", grading=g.name) for g in rules.gradings if g.sticky]


def _held(con: Database, rules: Rules, overridden: bool) -> dict[str, dict[str, int]]:
    """Per upgrade-only grading: customers held, in a grace period, dropped (an override's level wins over a
    hold, so those are not counted)."""
    out: dict[str, dict[str, int]] = {}
    for i, grading in enumerate(rules.gradings):
        if not grading.sticky:
            continue
        free = f" AND __ovlevel_{i} IS NULL" if overridden else ""
        rows = con.execute(f"SELECT __state_{i}, count(*) FROM classified WHERE __state_{i} IS NOT NULL{free} "
                           "GROUP BY 1").fetchall()
        counts = {str(state): int(n) for state, n in rows}
        out[grading.name] = {k: counts.get(k, 0) for k in ("held", "grace", "dropped")}
    return out


def _held_text(grading: Grading, counts: dict[str, int]) -> Said:
    held = counts["held"] + counts["grace"]
    parts = [say("engine.held", held=held)]
    if grading.grace_days is not None:
        parts.append(say("engine.held_grace", grace=counts["grace"], days=grading.grace_days))
    if grading.keep_rule is not None:
        parts.append(say("engine.held_dropped", dropped=counts["dropped"],
                         because=say("engine.keep_not_met", rule=grading.keep_rule.text)))
    elif grading.grace_days is not None:
        parts.append(say("engine.held_dropped", dropped=counts["dropped"], because=say("engine.grace_over")))
    return listed(parts, "common.semicolon")


def _sticky_notes(rules: Rules, held: dict[str, dict[str, int]]) -> list[str]:
    return [say("engine.named", name=g.name, text=_held_text(g, held[g.name])) for g in rules.gradings if g.sticky]


def _override_notes(overrides: Overrides, applied: _Applied, expired: Sequence[Override],
                    problems: Sequence[TiercliError], as_of: datetime) -> list[str]:
    summary = say("engine.overrides_note", applied=len(applied.rows), label=overrides.label)
    if expired:
        summary += say("engine.overrides_note_expired", expired=len(expired))
    if problems:
        summary += say("engine.overrides_note_left_out", left_out=len(problems))
    notes: list[str] = [summary]
    for row in expired[:MAX_NOTED]:
        assert row.expires is not None
        notes.append(say("engine.override_expired", label=overrides.label, row=row.row,
                         expires=row.expires.isoformat(), as_of=as_of.date().isoformat()))
    notes += [say("engine.later_row_wins" if p.slug == "overrides_twice" else "engine.row_left_out",
                  problem=_problem(p)) for p in problems[:MAX_NOTED]]
    hidden = max(0, len(expired) - MAX_NOTED) + max(0, len(problems) - MAX_NOTED)
    if hidden:
        notes.append(say("engine.overrides_hidden", label=overrides.label, hidden=hidden))
    return notes


# --- the report ------------------------------------------------------------------------------------------------


def movement_report(
    con: Database, table: str, gradings: dict[str, list[str]], previous: str,
    held: dict[str, dict[str, int]] | None = None,
) -> MovementReport:
    """The Movement sheet's content from `table`: customer_id, monetary, and per grading its level,
    `previous_<grading>`, movement column and `<grading>_why`."""
    names = list(gradings)
    per_grading = []
    notes: list[str] = []
    movers: list[str] = []
    for grading, levels in gradings.items():
        g, before = identifier(grading), identifier(previous_column(grading))
        moved = identifier(movement_column(names, grading))
        counts = dict(((str(m), (int(n), float(r or 0))) for m, n, r in con.execute(
            f"SELECT {moved}, count(*), sum(monetary) FROM {table} GROUP BY 1").fetchall()))
        frame = pd.DataFrame([{"movement": m, "customers": counts.get(m, (0, 0.0))[0],
                               "revenue": round(counts.get(m, (0, 0.0))[1], 2)}
                              for m in MOVEMENTS])
        cells = con.execute(f"""
            SELECT coalesce({before}, {literal(NEW_ROW)}),
                   CASE WHEN {moved} = 'lapsed' THEN {literal(NOT_IN_DATA)} ELSE {g} END,
                   count(*), sum(coalesce(monetary, 0))
            FROM {table} GROUP BY 1, 2""").fetchall()
        customers, revenue = _matrices(levels, cells)
        per_grading.append(GradingMovement(grading, frame, customers, revenue, (held or {}).get(grading, {})))
        rank = " ".join(f"WHEN {literal(m)} THEN {i}" for i, m in enumerate(MOVERS))
        movers.append(f"""
            SELECT customer_id, {literal(grading)} AS grading, {before} AS previous, {g} AS current,
                   {moved} AS movement, monetary, {identifier(grading + '_why')} AS why,
                   {len(movers)} AS __grading, CASE {moved} {rank} END AS __movement
            FROM {table} WHERE {moved} IN ({', '.join(literal(m) for m in MOVERS)})""")
    listed = con.arrow(f"""
        SELECT * EXCLUDE (__grading, __movement) FROM ({' UNION ALL '.join(movers)})
        ORDER BY __grading, __movement, monetary DESC NULLS LAST, customer_id
        LIMIT {MAX_LISTED + 1}""")
    if listed.num_rows > MAX_LISTED:
        listed = listed.slice(0, MAX_LISTED)
        notes.append(say("engine.movers_cut", shown=MAX_LISTED))
    first = identifier(movement_column(names, names[0]))
    lapsed = con.arrow(f"""
        SELECT customer_id, {', '.join(identifier(n) for n in names)} FROM {table} WHERE {first} = 'lapsed'
        ORDER BY customer_id LIMIT {MAX_LISTED + 1}""")
    if lapsed.num_rows > MAX_LISTED:
        lapsed = lapsed.slice(0, MAX_LISTED)
        notes.append(say("engine.lapsed_cut", shown=MAX_LISTED))
    return MovementReport(previous, per_grading, listed, lapsed, notes)


def _matrices(levels: Sequence[str], cells: Sequence[tuple[str, str, int, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [NEW_ROW, *levels]
    columns = [*levels, NOT_IN_DATA]
    counts = pd.DataFrame(0, index=rows, columns=columns, dtype="int64")
    money = pd.DataFrame(0.0, index=rows, columns=columns)
    for before, now, n, revenue in cells:
        counts.loc[before, now] = int(n)
        money.loc[before, now] = round(float(revenue or 0), 2)
    for frame in (counts, money):
        frame[TOTAL] = frame.sum(axis=1)
        frame.loc[TOTAL] = frame.sum(axis=0)
        frame.index.name = say("engine.previous_current")
    return counts, money.round(2)


def diff_table(con: Database, old: pa.Table, new: pa.Table, new_extra: pa.Table,
               gradings: dict[str, list[str]], lang: str = "en") -> None:
    """Create the table `diffed` comparing two runs: OLD's and NEW's levels (see `levels_table`), and NEW's
    monetary and why columns (`new_extra`: customer_id, monetary, `<grading>_why`). A customer in OLD but not in
    NEW is lapsed, with OLD's level, and the why says so in `lang`."""
    con.register("old_run", old)
    con.register("new_run", new)
    con.register("new_extra", new_extra)
    names = list(gradings)
    selects = ["coalesce(n.customer_id, o.customer_id) AS customer_id", "x.monetary"]
    in_data = "(n.customer_id IS NOT NULL AND NOT n.lapsed)"
    for grading, levels in gradings.items():
        g, why = identifier(grading), identifier(grading + "_why")
        moved = identifier(movement_column(names, grading))
        selects += [f"coalesce(n.{g}, o.{g}) AS {g}", f"o.{g} AS {identifier(previous_column(grading))}",
                    movement_sql(f"coalesce(n.{g}, o.{g})", f"o.{g}", in_data, "o.customer_id IS NOT NULL",
                                 "coalesce(o.lapsed, FALSE)", levels) + f" AS {moved}",
                    f"CASE WHEN n.customer_id IS NULL THEN {said_sql('engine.why.not_in_new_run', lang)} "
                    f"ELSE x.{why} END AS {why}"]
    con.execute(f"""CREATE TABLE diffed AS SELECT {', '.join(selects)}
                    FROM new_run n FULL JOIN old_run o ON n.customer_id = o.customer_id
                    LEFT JOIN new_extra x ON x.customer_id = n.customer_id""")
    for name in ("old_run", "new_run", "new_extra"):
        con.unregister(name)


def previous_of(result: Result, rules: Rules, source: str) -> Previous:
    """A run's result as the previous run of another (tiercli compare: the earlier as_of)."""
    names = result.customers.column_names
    wanted = ["customer_id", *(c for c in ("movement",) if c in names),
              *(c for g in rules.gradings for c in (g.name, grace_column(g.name)) if c in names)]
    table = result.customers.read(wanted)  # the columns a previous run needs (ids and levels), not the metrics
    movement = table.column("movement") if "movement" in names else None
    lapsed = pc.fill_null(pc.equal(movement, "lapsed"), False) if movement is not None else pa.repeat(
        False, table.num_rows)
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {"customer_id": table.column("customer_id"), "lapsed": lapsed}
    for grading in rules.gradings:
        grace = grace_column(grading.name)
        arrays[grading.name] = table.column(grading.name)
        arrays[grace] = table.column(grace) if grace in names else pa.nulls(table.num_rows, pa.date32())
    metrics = [c for c in ("frequency", "monetary", "recency_days") if c in names]
    return Previous(source, None, pa.table(arrays), result.customers.read(metrics) if metrics else None)


def diff_runs(old_path: str, new_path: str, rules: Rules | None = None, lang: str = "en") -> MovementReport:
    """Who moved between two outputs of tiercli. The levels' order comes from `rules`, else from the NEW
    workbook's Summary sheet; both files must have every grading as a column, with known levels. The why of a
    customer only the old run has is in `lang`."""
    old = read_run(old_path, say("engine.diff.old_run"))
    new = read_run(new_path, say("engine.diff.new_run"))
    if rules is not None:
        gradings, whose = rules_levels(rules), as_is(rules.source)
    else:
        gradings, whose = new.summary_levels, say("engine.diff.summary_of", path=new_path)
        if not gradings:
            raise UsageError(say("engine.diff_needs_rules"), Location(file=new_path), slug="diff_needs_rules")
    old_levels, new_levels = levels_table(old, gradings, whose), levels_table(new, gradings, whose)
    extra: dict[str, pa.ChunkedArray] = {"customer_id": new.column("customer_id")}
    money = new.column("monetary") if "monetary" in new.columns else pa.chunked_array([pa.nulls(new.rows,
                                                                                                  pa.string())])
    extra["monetary"] = pc.cast(money, pa.float64())
    for grading in gradings:
        why = grading + "_why"
        extra[why] = new.column(why) if why in new.columns else pa.chunked_array([pa.nulls(new.rows, pa.string())])
    con = open_database()
    try:
        diff_table(con, old_levels, new_levels, pa.table(extra), gradings, lang)
        return movement_report(con, "diffed", gradings, old_path)
    finally:
        con.close()


