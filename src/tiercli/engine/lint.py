"""What `tiercli validate` finds beyond the rules file's own problems.

Errors stop a rules file from running: every problem `tiercli.rules.load` reports, and anything DuckDB refuses when
the classification query is run on empty tables (`dry_run`). Warnings are rules that run but can't do what they
say: a tier with the same condition as one above it (`static_findings`), and, checked against data
(`data_findings`), tiers that match nobody, tiers shadowed by earlier ones, tags that match everyone or nobody,
and segments no customer can reach with the scores the data gives. Every finding has the file, line and rule
path, and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from sqlglot import exp
from yaml.nodes import MappingNode, ScalarNode

from tiercli.database import Database, open_database
from tiercli.engine.compute import (
    add_empty_predictions,
    build_customers,
    classify,
    event_names,
    member_names,
    rule_conditions,
)
from tiercli.engine.query import EVENTS_DDL, MEMBERS_DDL, ORDERS_DDL, scoring_parts
from tiercli.engine.scoring import empty_scores
from tiercli.engine.segments import table_for, unreachable
from tiercli.errors import Location, RulesError, TiercliError
from tiercli.messages import Said, listed, say
from tiercli.rules.expressions import DIALECT, display
from tiercli.rules.model import Condition, Grading, Rules
from tiercli.sqltext import identifier
from tiercli.vocabulary.metrics import CLV_NAMES

if TYPE_CHECKING:
    import pandas as pd

    from tiercli.result import Result


@dataclass(frozen=True)
class Finding:
    """A warning: the rules run, but this part can't do what it says."""

    message: Said
    location: Location

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


def dry_run(rules: Rules) -> list[TiercliError]:
    """Run every step of the classification on empty tables; what DuckDB refuses, at the rule or metric."""
    con = open_database()
    try:
        con.execute(ORDERS_DDL)
        members = bool(member_names(rules))
        if members:
            con.execute(MEMBERS_DDL)
        events = bool(event_names(rules))
        if events:
            con.execute(EVENTS_DDL)
        build_customers(con, rules, datetime(2000, 1, 1), members, events)
        if rules.clv is not None:
            add_empty_predictions(con)
        for name, sql in scoring_parts(rules):
            con.execute(f"CREATE TABLE {name} AS {sql}")
        classify(con, rules)
    except RulesError as error:
        return list(error.problems)
    finally:
        con.close()
    return []


def static_findings(rules: Rules) -> list[Finding]:
    """Tiers that can never match whatever the data: an earlier tier of the grading has the same condition."""
    findings = []
    for grading in rules.gradings:
        seen: dict[str, tuple[str, Location]] = {}
        for level in grading.levels:
            if level.when is None:
                continue
            earlier = seen.get(level.when.sql)
            if earlier is not None:
                findings.append(Finding(say("engine.never_matches", earlier=earlier[0], line=earlier[1].line),
                                        level.when.location))
            else:
                seen[level.when.sql] = (level.name, level.location)
    return findings


def _count(con: Database, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _nobody(con: Database, condition: Condition, remove: Said) -> Said:
    """Why a condition matches nobody: the comparison nobody passes, with the highest or lowest value there is."""
    from tiercli.engine.explain import format_value, leaves

    for leaf in leaves(condition.sql):
        if _count(con, f"SELECT count(*) FROM customers WHERE {leaf.sql(dialect=DIALECT)}"):
            continue
        text = display(leaf)
        if isinstance(leaf, exp.GT | exp.GTE | exp.LT | exp.LTE) and isinstance(leaf.expression, exp.Literal):
            subject = leaf.this
            highest = isinstance(leaf, exp.GT | exp.GTE)
            row = con.execute(f"SELECT {'max' if highest else 'min'}({subject.sql(dialect=DIALECT)}) "
                              "FROM customers").fetchone()
            value = row[0] if row else None
            if value is not None:
                return say("engine.nobody_highest" if highest else "engine.nobody_lowest", comparison=text,
                           subject=display(subject), value=format_value(value), remove=remove)
        return say("engine.nobody_comparison", comparison=text, remove=remove)
    return say("engine.nobody_together", remove=remove)


def _grading_findings(con: Database, grading: Grading) -> list[Finding]:
    findings = []
    column = identifier(grading.name)
    for level in grading.levels:
        if level.when is None:
            continue
        condition = f"coalesce({level.when.sql}, FALSE)"
        if not _count(con, f"SELECT count(*) FROM customers WHERE {condition}"):
            findings.append(Finding(_nobody(con, level.when, say("engine.remove_tier")), level.when.location))
            continue
        takers = con.execute(f"SELECT {column}, count(*) FROM customers WHERE {condition} GROUP BY 1 "
                             "ORDER BY 2 DESC, 1").fetchall()
        if all(name != level.name for name, _ in takers):
            total = sum(int(n) for _, n in takers)
            shares = listed((say("engine.level_customers", level=name, customers=int(n)) for name, n in takers),
                            "common.clause")
            findings.append(Finding(say("engine.shadowed", total=total, shares=shares), level.when.location))
    return findings


def _key_location(rules: Rules, *keys: str) -> Location:
    """The line of a key path (e.g. rfm → segments) in the rules file, as far as the file has it."""
    try:
        node = yaml.compose(Path(rules.source).read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return Location(file=rules.source)
    line = None
    for key in keys:
        if not isinstance(node, MappingNode):
            break
        found = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)
        if found is None:
            break
        line = found[0].start_mark.line + 1
        node = found[1]
    return Location(file=rules.source, line=line, path=" → ".join(keys))


def _segment_findings(rules: Rules, thresholds: pd.DataFrame) -> list[Finding]:
    if thresholds.empty or "dimension" not in thresholds:
        return []
    present: dict[str, set[int]] = {}
    empty: dict[str, list[int]] = {}
    for dim in ("R", "F", "M"):
        rows = thresholds[thresholds["dimension"] == dim]
        present[dim] = {int(s) for s, n in zip(rows["score"], rows["customers"], strict=True) if n}
        empty[dim] = [int(s) for s, n in zip(rows["score"], rows["customers"], strict=True) if not n]
    if not all(present.values()):
        return []
    table = table_for(rules.rfm)
    bins = max(int(s) for s in thresholds["score"])
    lost = unreachable(table, bins, present["R"], present["F"], present["M"])
    if not lost:
        return []
    why = listed((empty_scores(dim, scores) for dim, scores in empty.items() if scores), "common.semicolon")
    names = listed(f"'{name}'" for name in lost)
    return [Finding(say("engine.unreachable_with_data", names=names, why=why or say("engine.earlier_rows")),
                    _key_location(rules, "rfm", "segments"))]


SPEND_PREDICTIONS = frozenset({"expected_spend", "clv"})  # empty also when only Gamma-Gamma could not be fitted


def _clv_findings(rules: Rules, result: Result) -> list[Finding]:
    """Rules that use a prediction the clv: model could not make on this data: they compare empty values."""
    figures = result.clv
    if figures is None or (figures.purchase is not None and figures.spend is not None):
        return []
    missing = set(CLV_NAMES) - {"clv_x", "clv_t_x", "clv_age"}
    if figures.purchase is not None:
        missing &= SPEND_PREDICTIONS
    why = listed(figures.notes, "common.semicolon")
    found = []
    for condition in rule_conditions(rules):
        used = sorted(condition.names & missing)
        if used:
            found.append(Finding(say("engine.clv.rule_unfitted", name=used[0], why=why), condition.location))
    return found


def data_findings(rules: Rules, result: Result) -> list[Finding]:
    """Tiers matching nobody or shadowed, tags matching everyone or nobody, and unreachable segments, on the
    classification `result` of `rules`."""
    con = open_database()
    try:
        con.register("customers", result.customers.source())
        total = result.customers.num_rows
        findings: list[Finding] = []
        for grading in rules.gradings:
            findings += _grading_findings(con, grading)
        for tag in rules.tags:
            matched = _count(con, f"SELECT count(*) FROM customers WHERE coalesce({tag.when.sql}, FALSE)")
            if not matched:
                findings.append(Finding(_nobody(con, tag.when, say("engine.remove_tag")), tag.when.location))
            elif matched == total:
                findings.append(Finding(say("engine.matches_everyone", total=total), tag.when.location))
        findings += _segment_findings(rules, result.thresholds)
        findings += _clv_findings(rules, result)
    finally:
        con.close()
    return sorted(findings, key=lambda f: f.location.line or 0)
