"""The pieces behind `validate` and `explain`: the dry run, splitting conditions into comparisons, values shown."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tiercli.engine.explain import format_value, leaves
from tiercli.engine.lint import dry_run, static_findings
from tiercli.rules.expressions import display
from tiercli.rules.load import parse_rules
from tiercli.vocabulary.metrics import rule_names


def test_the_dry_run_turns_what_duckdb_refuses_into_an_error_at_the_rule() -> None:
    # names handed in without kinds are not kind-checked, so only DuckDB can tell `stage` doesn't exist
    names = {**rule_names(), "stage": "not a column"}
    rules = parse_rules('tiers:\n  - {name: a, when: "monetary > 1"}\n  - {name: b, when: "stage > 1"}\n'
                        "  - {name: c}\n", names=names)
    problems = dry_run(rules)
    assert [str(p.location) for p in problems] == ["rules.yaml:3 tiers[1] 'b' → when"]
    assert problems[0].message.startswith('can\'t be evaluated on this data: Binder Error: Referenced column "stage" '
                                          "not found")


def test_the_dry_run_passes_good_rules_with_custom_metrics_helpers_and_members() -> None:
    rules = parse_rules("""
metrics:
  beauty: "sum(amount) filter (where category = '美妆')"
tiers:
  - {name: a, when: "beauty > 1 and share(category, '美妆') > 0.5 and member_level = 'gold'"}
  - {name: b}
""")
    assert dry_run(rules) == []


def test_a_repeated_condition_is_a_warning_at_the_later_tier() -> None:
    rules = parse_rules('tiers:\n  - {name: a, when: "frequency >= 2"}\n  - {name: b, when: "monetary > 5"}\n'
                        '  - {name: c, when: "FREQUENCY>=2"}\n  - {name: d}\n')
    assert [str(f) for f in static_findings(rules)] == [
        "rules.yaml:4 tiers[2] 'c' → when: never matches: 'a' (line 2) has the same condition and comes first, so "
        "it takes everyone this tier would; change one condition or remove this tier"]


def test_conditions_split_into_their_comparisons() -> None:
    sql = ('"monetary" >= 5000 OR ("monetary" >= 2000 AND NOT "region" IN (\'浙江\', \'上海\')) '
           'OR NOT ("frequency" > 1 AND "top_category" IS NULL) OR NOT "region" IS NULL')
    assert [display(leaf) for leaf in leaves(sql)] == [
        "monetary >= 5000", "monetary >= 2000", "NOT region IN ('浙江', '上海')", "frequency > 1",
        "top_category IS NULL", "NOT region IS NULL"]


@pytest.mark.parametrize(("value", "shown"), [
    (None, "empty"), (True, "true"), (Decimal("1234.5"), "1,234.50"), (0.25, "0.25"), (2.0, "2"),
    (12345, "12,345"), ("美妆", "'美妆'"), (datetime(2024, 3, 1, 9, 30), "2024-03-01 09:30:00"),
    (date(1990, 5, 1), "1990-05-01"),
])
def test_values_are_shown_as_people_read_them(value: object, shown: str) -> None:
    assert format_value(value) == shown
