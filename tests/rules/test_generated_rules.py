"""Generated rules files (Hypothesis): whatever the text, loading ends in `Rules` or a `RulesError` whose every
problem has a location; compiled conditions hold only whitelisted SQL; a valid file grades every customer with
exactly one level per grading."""

from __future__ import annotations

import string
from datetime import datetime

import duckdb
import sqlglot
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiercli.engine.query import ORDERS_DDL, classify_orders
from tiercli.errors import RulesError
from tiercli.rules.expressions import ALLOWED_NODES
from tiercli.rules.load import parse_rules
from tiercli.rules.model import Rules
from tiercli.vocabulary.metrics import METRICS, SCORE_NAMES, rule_types

KINDS = rule_types()
NAMES = [m.name for m in METRICS] + list(SCORE_NAMES)
NUMBERS = [n for n in NAMES if KINDS.get(n) == "number"]
TEXTS = [n for n in NAMES if KINDS.get(n) == "text"]
TEXT_VALUES = ["美妆", "服饰", "Champions", "Lost", "new", "churned", "at_risk", "华东", "it's"]

number = st.one_of(st.integers(0, 5000), st.sampled_from([0.5, 1.25, 30.0, 99.99])).map(str)
text_value = st.sampled_from(TEXT_VALUES).map(lambda v: "'" + v.replace("'", "''") + "'")


def numeric_expr() -> st.SearchStrategy[str]:
    base = st.one_of(st.sampled_from(NUMBERS), number)
    return st.recursive(base, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.integers(1, 9)).map(lambda t: f"({t[0]} / {t[1]})"),
        st.tuples(st.sampled_from(["abs", "floor", "ceil", "round"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, number).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        st.tuples(st.sampled_from(["greatest", "least"]), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    ), max_leaves=4)


def comparison() -> st.SearchStrategy[str]:
    ops = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])
    text_name = st.sampled_from(TEXTS)
    return st.one_of(
        st.tuples(numeric_expr(), ops, numeric_expr()).map(" ".join),
        st.tuples(text_name, st.sampled_from(["=", "<>"]), text_value).map(" ".join),
        st.tuples(text_name, st.lists(text_value, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]} in ({', '.join(t[1])})"),
        st.tuples(st.sampled_from(NUMBERS), number, number).map(lambda t: f"{t[0]} between {t[1]} and {t[2]}"),
        st.tuples(st.sampled_from(NAMES), st.sampled_from(["is null", "is not null"])).map(" ".join),
        st.tuples(text_name, st.sampled_from(["like", "not like"]), st.sampled_from(["'美%'", "'%a_'"])).map(
            " ".join),
        st.tuples(st.sampled_from(["lower", "upper"]), text_name, text_value).map(lambda t: f"{t[0]}({t[1]}) = {t[2]}"),
    )


def condition() -> st.SearchStrategy[str]:
    return st.recursive(comparison(), lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or", "AND", "Or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda c: f"not ({c})"),
    ), max_leaves=4)


# pieces a careless or hostile rule could contain
HOSTILE = [
    "read_csv('/etc/passwd')", "(select 1)", "exists (select * from orders)", "getenv('HOME')", "now()",
    "monetary || 'x'", "monetary ** 2", "1; drop table customers", "@x", "$$x$$", "[1, 2]", "{'a': 1}",
    "orders.amount", "sum(monetary)", "monetary::varchar", "cast(monetary as varchar)", "frequncy", "'a' = ",
    "copy customers to 'x.csv'", "pragma version", "regexp_matches(region, 'x')", "monetary ＞ 1", "“x”",
    "interval 1 day", "case when", "(", ")", "\\", "\"monetary\"", "lifecycle = 3", "top_category > 5",
]
junk = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=string.ascii_letters + string.digits + " ()'\"=<>!,.;:*+-/%|&@$[]{}_#\\\n\t中文美妆",
            max_size=40),
)
any_condition = st.one_of(condition(), junk, st.tuples(condition(), junk).map(" ".join))


def rules_file(when: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, object]]:
    def levels(conditions: list[str]) -> list[dict[str, str]]:
        return [{"name": f"L{i}", "when": c} for i, c in enumerate(conditions)] + [{"name": "rest"}]

    gradings = st.lists(st.lists(when, min_size=0, max_size=3), min_size=0, max_size=2).map(
        lambda gs: [{"name": f"g{i}", "levels": levels(cs)} for i, cs in enumerate(gs)])
    rfm = st.one_of(
        st.just({}),
        st.builds(lambda b, t: {"bins": b, "ties": t}, st.integers(3, 10), st.sampled_from(["shared", "split"])),
        st.just({"segments": "r-rfm"}), st.just({"segments": "pymc"}),
        st.just({"method": "thresholds", "thresholds": {"recency": [30, 90], "frequency": [2, 4],
                                                        "monetary": [100, 500]}}),
    )
    return st.builds(
        lambda tiers, gs, tags, r: {"version": 1, "tiers": levels(tiers), "gradings": gs,
                                    "tags": [{"name": f"t{i}", "when": c} for i, c in enumerate(tags)],
                                    **({"rfm": r} if r else {})},
        st.lists(when, min_size=0, max_size=4), gradings, st.lists(when, max_size=3), rfm)


def dump(data: dict[str, object]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def mutate(text: str, where: int, insert: str) -> str:
    cut = where % (len(text) + 1)
    return text[:cut] + insert + text[cut:]


def check_loaded(text: str) -> Rules | None:
    """Rules, or None after checking that the RulesError locates every problem."""
    try:
        rules = parse_rules(text)
    except RulesError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.location.file == "rules.yaml", str(problem)
            assert problem.location.line is not None, str(problem)
        return None
    for condition_ in [lv.when for g in rules.gradings for lv in g.levels if lv.when] + [t.when for t in rules.tags]:
        for node in sqlglot.parse_one(condition_.sql, read="duckdb").walk():
            assert type(node) in ALLOWED_NODES, f"{type(node).__name__} in {condition_.sql}"
    return rules


SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(rules_file(any_condition))
def test_generated_files_load_or_fail_with_located_problems_and_compile_only_whitelisted_sql(
        data: dict[str, object]) -> None:
    check_loaded(dump(data))


@SETTINGS
@given(rules_file(condition()), st.integers(0, 10_000), st.sampled_from(
    ["\n", ": ", "- ", "\t", "'", '"', "{", "]", "tierz: []\n", "preset: tmal-5\n", "#", "  ", "---\n", "\x00"]))
def test_damaged_files_load_or_fail_with_located_problems(data: dict[str, object], where: int, insert: str) -> None:
    check_loaded(mutate(dump(data), where, insert))


ORDERS = [
    ("a", "1", "2024-01-03 10:00", "120.00", "美妆"), ("a", "2", "2024-05-01 09:00", "80.50", "服饰"),
    ("b", "3", "2024-06-29 12:00", "3000", "美妆"), ("c", "4", "2023-07-01 08:00", "15", None),
    ("d", "5", "2024-06-01 08:00", "-20", "服饰"), ("e", "6", "2024-06-30 20:00", "0", "食品"),
    ("e", "7", "2024-06-30 21:00", "45", "食品"), ("f", "8", "2024-02-02 02:00", "999.99", "美妆"),
]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(rules_file(condition()))
def test_a_valid_generated_file_gives_every_customer_exactly_one_level_per_grading(data: dict[str, object]) -> None:
    rules = check_loaded(dump(data))
    assert rules is not None, dump(data)
    con = duckdb.connect()
    con.execute(ORDERS_DDL)
    con.executemany("INSERT INTO orders (customer_id, order_id, order_ts, amount, category) VALUES (?, ?, ?, ?, ?)",
                    ORDERS)
    classify_orders(con, rules, datetime(2024, 6, 30, 23, 59, 59))
    customers = {c for c, *_ in ORDERS}
    for grading in rules.gradings:
        names = {lv.name for lv in grading.levels}
        got = con.execute(f'SELECT customer_id, "{grading.name}", "{grading.name}_why" FROM classified').fetchall()
        assert sorted(c for c, _, _ in got) == sorted(customers)
        for customer, level, why in got:
            assert level in names, (customer, level)
            assert why is not None and why.startswith((f"{level}: ", f"{level} (")), why
