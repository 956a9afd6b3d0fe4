"""Rule expressions: the whitelist, the messages, the compiled SQL, and what DuckDB does with it."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from tiercli.errors import Location, RulesError
from tiercli.rules.expressions import check_condition, check_expression, compile_condition
from tiercli.vocabulary.metrics import rule_names

NAMES = rule_names()
ALLOWED = "abs, ceil, coalesce, floor, greatest, least, length, lower, nullif, round, upper"

# Written out here rather than imported, so a change to the module's whitelist has to be made twice.
WHITELIST: frozenset[type[exp.Expr]] = frozenset(
    {
        exp.And, exp.Or, exp.Not, exp.Paren,
        exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
        exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg,
        exp.Case, exp.If,
        exp.Abs, exp.Ceil, exp.Floor, exp.Round, exp.Coalesce, exp.Least, exp.Greatest, exp.Nullif,
        exp.Lower, exp.Upper, exp.Length,
        exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null,
    }
)


def sql_of(text: str, names: dict[str, str] | None = None) -> str:
    checked = check_expression(text, NAMES if names is None else names)
    assert checked.problems == ()
    return checked.sql


def problems_of(text: str) -> tuple[str, ...]:
    checked = check_expression(text, NAMES)
    assert checked.tree is None
    return checked.problems


@pytest.mark.parametrize(
    ("text", "sql"),
    [
        ("monetary >= 1000", '"monetary" >= 1000'),
        ("monetary >= 100 and frequency between 2 and 3", '"monetary" >= 100 AND "frequency" BETWEEN 2 AND 3'),
        ("not (recency_days > 90 or frequency = 1)", 'NOT ("recency_days" > 90 OR "frequency" = 1)'),
        ("frequency != 1 and frequency <> 2", '"frequency" <> 1 AND "frequency" <> 2'),
        ("frequency < 2 or frequency <= 3", '"frequency" < 2 OR "frequency" <= 3'),
        ("region is null", '"region" IS NULL'),
        ("region is not null", 'NOT "region" IS NULL'),
        ("region in ('浙江', '上海')", "\"region\" IN ('浙江', '上海')"),
        ("r_score not in (1, -2, 3.5)", 'NOT "r_score" IN (1, -2, 3.5)'),
        ("monetary / frequency % 7 * 2 + 1 - -aov > 0",
         '"monetary" / NULLIF("frequency", 0) % 7 * 2 + 1 - -"aov" > 0'),
        ("top_category like '美%'", "\"top_category\" LIKE '美%'"),
        ("top_category not ilike 'BEAUTY%'", "\"top_category\" NOT ILIKE 'BEAUTY%'"),
        ("top_category = 'it''s'", "\"top_category\" = 'it''s'"),
        ("segment = 'Champions' and rfm_score >= 444", "\"segment\" = 'Champions' AND \"rfm_score\" >= 444"),
        ("case when frequency > 3 then 1 else 0 end = 1", 'CASE WHEN "frequency" > 3 THEN 1 ELSE 0 END = 1'),
        ("case segment when 'Champions' then true else false end",
         "CASE \"segment\" WHEN 'Champions' THEN TRUE ELSE FALSE END"),
        ("coalesce(refund_rate, 0) < 0.1", 'COALESCE("refund_rate", 0) < 0.1'),
        ("ifnull(refund_rate, 0) < 0.1", 'COALESCE("refund_rate", 0) < 0.1'),
        ("abs(round(aov, 2)) >= floor(1.5) + ceil(0.2)", 'ABS(ROUND("aov", 2)) >= FLOOR(1.5) + CEIL(0.2)'),
        ("least(monetary, 100) = greatest(1, 2, 3)", 'LEAST("monetary", 100) = GREATEST(1, 2, 3)'),
        ("nullif(frequency, 0) > 1", 'NULLIF("frequency", 0) > 1'),
        ("lower(region) = upper('x') or length(region) > 2",
         "LOWER(\"region\") = UPPER('x') OR LENGTH(\"region\") > 2"),
        ("Monetary >= 1 AND FREQUENCY >= 1", '"monetary" >= 1 AND "frequency" >= 1'),
        ('"monetary" >= 1', '"monetary" >= 1'),
        ("monetary >= 1 -- comments are dropped", '"monetary" >= 1'),
        ("true", "TRUE"),
        ("monetary >= 1_000", '"monetary" >= 1000'),
    ],
)
def test_accepted_expressions_compile_with_quoted_names(text: str, sql: str) -> None:
    assert sql_of(text) == sql


def test_names_read_are_reported_as_spelt_in_the_names_mapping() -> None:
    checked = check_expression("Monetary >= 1 and (frequency > 2 or monetary < 5)", NAMES)
    assert checked.names == frozenset({"monetary", "frequency"})


def test_chinese_names_are_accepted_and_quoted() -> None:
    names = {"消费金额": "net spend", "订单数": "orders"}
    assert sql_of("消费金额 >= 100 and 订单数 between 2 and 3", names) == (
        '"消费金额" >= 100 AND "订单数" BETWEEN 2 AND 3'
    )


def test_a_double_quote_inside_a_name_is_escaped() -> None:
    assert sql_of('"a""b" > 1', {'a"b': "odd"}) == '"a""b" > 1'


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("frequncy >= 2", ("unknown name 'frequncy' (did you mean 'frequency'?)",)),
        ("colour = 'red' and size > 2", (
            "unknown name 'colour' (`tiercli metrics` lists every name; text values take single quotes)",
            "unknown name 'size' (`tiercli metrics` lists every name; text values take single quotes)",
        )),
        ('top_category = "美妆"', ("unknown name '美妆' (text values take single quotes: '美妆')",)),
        ("read_csv('/etc/passwd') is null", (
            f"function 'read_csv' is not allowed; allowed functions: {ALLOWED}",
        )),
        ("read_parquet('x.parquet') is null", (
            f"function 'read_parquet' is not allowed; allowed functions: {ALLOWED}",
        )),
        ("getvariable('x') = 1", (f"unknown function 'getvariable'; allowed functions: {ALLOWED}",)),
        ("coalese(monetary, 0) > 1", (
            f"unknown function 'coalese' (did you mean 'coalesce'?); allowed functions: {ALLOWED}",
        )),
        ("date_diff('day', first_order, last_order) > 1", (
            f"function 'date_diff' is not allowed; allowed functions: {ALLOWED}",
        )),
        ("(select 1) = 1", ("subqueries and SELECT are not allowed: a rule is one condition over a customer's "
                            "metrics",)),
        ("select monetary from orders", ("subqueries and SELECT are not allowed: a rule is one condition over a "
                                         "customer's metrics",)),
        ("frequency in (select 1)", ("subqueries and SELECT are not allowed: a rule is one condition over a "
                                     "customer's metrics",)),
        ("exists (select 1)", ("subqueries and SELECT are not allowed: a rule is one condition over a "
                               "customer's metrics",)),
        ("sum(monetary) > 1", ("aggregate function 'sum' is not allowed in a rule: rules read per-customer "
                               "metrics such as monetary (`tiercli metrics` lists them); define an aggregate under "
                               "`metrics:` and use its name",)),
        ("count(*) > 1", ("aggregate function 'count' is not allowed in a rule: rules read per-customer metrics "
                          "such as monetary (`tiercli metrics` lists them); define an aggregate under `metrics:` "
                          "and use its name",)),
        ("sum(monetary) over () > 1", ("window functions (OVER) are not allowed",)),
        ("o.monetary > 1", ("qualified name 'o.monetary' is not allowed; write just 'monetary'",)),
        ("*", ("'*' is not allowed",)),
        ("cast(monetary as int) > 1", ("type casts (CAST, ::, DATE '…') are not allowed",)),
        ("monetary::int > 1", ("type casts (CAST, ::, DATE '…') are not allowed",)),
        ("first_order > date '2024-01-01'", ("type casts (CAST, ::, DATE '…') are not allowed",)),
        ("monetary > ?", ("parameters ($1, ?, :name) are not allowed; use names and values",)),
        ("monetary > $1", ("'$' is not allowed (parameters and the @ operator); use names and values",)),
        ("@monetary > 1", ("'@' is not allowed (parameters and the @ operator); use names and values",)),
        ("monetary > 1; frequency > 1", ("';' is not allowed: write a single condition",)),
        ("monetary > 1;", ("';' is not allowed: write a single condition",)),
        ("monetary", ("must be a condition (a comparison such as monetary >= 1000)",)),
        ("1 + 2", ("must be a condition (a comparison such as monetary >= 1000)",)),
        ("null", ("must be a condition (a comparison such as monetary >= 1000)",)),
        ("monetary > 1 and frequency", ("'frequency' must be a condition (a comparison such as monetary >= 1000)",)),
        ("not monetary", ("'monetary' must be a condition (a comparison such as monetary >= 1000)",)),
        ("case when monetary then 1 end = 1", (
            "'monetary' after 'when' must be a condition (a comparison such as monetary >= 1000)",
        )),
        ("monetary >", ("syntax error: something is missing after '>' (at character 10)",)),
        ("monetary >= 1000 and", ("syntax error: something is missing after 'and' (at character 18)",)),
        ("(monetary > 1", ("syntax error: a ')' is missing after '1' (at character 13)",)),
        ("monetary > 1)", ("syntax error: unexpected ')' (at character 13)",)),
        ("upper(region, 1) = 'X'", ("syntax error: too many arguments in a function call (at character 16)",)),
        ("top_category = '美妆", ("syntax error: a quote is not closed (text values take single quotes: '美妆')",)),
        ('"monetary > 1', ("syntax error: a name in double quotes is not closed (text values take single quotes: "
                           "'美妆')",)),
        ("monetary >= 1000 frequency", (
            "unexpected 'frequency' after 'monetary >= 1000': join conditions with and / or",
        )),
        ("", ("is empty; write a condition such as monetary >= 1000",)),
        ("  -- only a comment", ("is empty; write a condition such as monetary >= 1000",)),
        ("monetary ＞＝ 1000", (
            "full-width '＞' must be typed as '>' (switch the input method to half-width)",
            "full-width '＝' must be typed as '=' (switch the input method to half-width)",
        )),
        ("（monetary > 1）", (
            "full-width '（' must be typed as '(' (switch the input method to half-width)",
            "full-width '）' must be typed as ')' (switch the input method to half-width)",
        )),
        ("top_category = ‘美妆’", ("curly quotes found: write text in straight single quotes, e.g. '美妆'",)),
        ("monetary ≥ 1000", ("full-width '≥' must be typed as '>=' (switch the input method to half-width)",)),
        ("like(top_category, '美%')", ("write like as an operator, e.g. top_category like '美%'",)),
        ("region is true", ("'is' only works with null: write x is null or x is not null",)),
        ("region in (top_category)", ("'in' takes a list of fixed values in parentheses, e.g. region in ('浙江', "
                                      "'上海')",)),
        ("region in ()", ("'in' takes a list of fixed values in parentheses, e.g. region in ('浙江', '上海')",)),
        ("monetary between symmetric 1 and 2", ("'between symmetric' is not allowed; write x between low and "
                                                "high",)),
        ("round(aov, 2, 1) > 1", ("round() takes 1 or 2 arguments",)),
        ("ceil(aov, 1) > 1", ("ceil() takes 1 argument",)),
        ("round(aov, r_score) > 1", ("round() takes a whole number of decimals as its second argument, e.g. "
                                     "round(aov, 2)",)),
        ("if(monetary > 1, 1, 0) = 1", ("function 'if' is not allowed; write case when … then … else … end",)),
        ("region || 'x' = 'y'", ("the || operator is not allowed",)),
        ("monetary ^ 2 > 1", ("powers (** and ^) are not allowed",)),
        ("monetary // 2 > 1", ("the // operator is not allowed; use floor(a / b)",)),
        ("region ~ 'x'", ("regular expressions (~) are not allowed; use like",)),
        ("region glob 'x*'", ("GLOB is not allowed; use like",)),
        ("region is distinct from 'x'", ("IS [NOT] DISTINCT FROM is not allowed; use = or <>",)),
        ("[1] = frequency", ("lists in [ ] are not allowed; use in (…)",)),
        ("frequency = any([1, 2])", ("ANY is not allowed; use in (…)",)),
        ("region = $$x$$", ("$$…$$ strings are not allowed; write text in single quotes",)),
        ("first_order > interval 1 day", ("INTERVAL is not allowed; compare day counts such as recency_days",)),
        ("(" * 400 + "monetary" + ")" * 400 + " > 1", (
            "the expression is nested too deeply; split it into simpler parts",
        )),
    ],
)
def test_refused_expressions_say_what_is_wrong(text: str, problems: tuple[str, ...]) -> None:
    assert problems_of(text) == problems


def test_compile_condition_raises_with_the_full_breadcrumb() -> None:
    where = Location(file="rules.yaml", line=14, path="tiers[1] '忠实客户' → when")
    with pytest.raises(RulesError) as caught:
        compile_condition("frequncy >= 4 and tenure_days >= 180", NAMES, where)
    assert str(caught.value) == (
        "rules.yaml:14 tiers[1] '忠实客户' → when: unknown name 'frequncy' (did you mean 'frequency'?)"
    )
    assert [p.slug for p in caught.value.problems] == ["expression"]


def test_check_condition_gives_every_problem_at_the_same_location() -> None:
    where = Location(file="r.yaml", line=3, path="tags[0] 'x' → when")
    condition, problems = check_condition("a > 1 or b > 2", {"c": ""}, where)
    assert condition is None
    assert [str(p) for p in problems] == [
        "r.yaml:3 tags[0] 'x' → when: unknown name 'a' (`tiercli metrics` lists every name; text values take "
        "single quotes)",
        "r.yaml:3 tags[0] 'x' → when: unknown name 'b' (`tiercli metrics` lists every name; text values take "
        "single quotes)",
    ]


def test_compile_condition_returns_a_condition() -> None:
    where = Location(file="rules.yaml", line=2)
    condition = compile_condition("monetary >= 5000 or (monetary >= 2000 and frequency >= 5)", NAMES, where)
    assert condition.text == "monetary >= 5000 or (monetary >= 2000 and frequency >= 5)"
    assert condition.sql == '"monetary" >= 5000 OR ("monetary" >= 2000 AND "frequency" >= 5)'
    assert condition.names == frozenset({"monetary", "frequency"})
    assert condition.location == where


def test_sql_of_a_failed_check_is_an_error() -> None:
    with pytest.raises(ValueError, match="nothing to compile"):
        _ = check_expression("nope", NAMES).sql


# --- DuckDB ---


def _customers() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE customers (id VARCHAR, monetary DOUBLE, frequency BIGINT, 消费金额 DOUBLE)")
    con.execute(
        "INSERT INTO customers VALUES ('a', 50, 2, 50), ('b', 100, 2, 100), ('c', 150, 3, 150),"
        " ('d', 500, 4, 500), ('e', 100, 1, 100), ('f', NULL, 3, NULL)"
    )
    return con


def _select_ids(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    rows = con.execute(f"SELECT id FROM customers WHERE {sql} ORDER BY id").fetchall()
    return [str(r[0]) for r in rows]


def test_compiled_sql_selects_the_right_rows_in_duckdb() -> None:
    sql = sql_of("monetary >= 100 and frequency between 2 and 3")
    assert _select_ids(_customers(), sql) == ["b", "c"]


def test_compiled_sql_with_chinese_names_runs_in_duckdb() -> None:
    sql = sql_of("消费金额 >= 150 or 消费金额 is null", {"消费金额": "net spend"})
    assert _select_ids(_customers(), sql) == ["c", "d", "f"]


# --- properties ---

TOKENS = [
    "monetary", "frequency", "frequncy", "Monetary", "消费金额", "top_category", "o.monetary", '"monetary"',
    "0", "1", "2.5", "1e3", "-3", "'美妆'", "'it''s'", "'", '"', "=", "!=", "<>", "<", "<=", ">", ">=",
    "+", "-", "*", "/", "%", "and", "or", "not", "is", "null", "in", "between", "like", "ilike", "case", "when",
    "then", "else", "end", "true", "false", "(", ")", ",", ";", "::", "int", "cast", "as", "select", "from",
    "over", "coalesce(", "abs(", "round(", "lower(", "least(", "read_csv(", "sum(", "foo(", "if(", "$1", "?",
    "@", "[", "]", "{", "}", "||", "->", "--", "/*", "*/", "＞", "（", "‘", "exists", "interval", "day",
]


def assert_whitelisted(sql: str, tree: exp.Expr) -> None:
    """Re-parsed compiled SQL holds only whitelisted nodes, quoted known names, and renders the same."""
    reparsed = sqlglot.parse_one(sql, read="duckdb")
    for node in reparsed.walk():
        assert type(node) in WHITELIST, f"{type(node).__name__} in {sql}"
        if isinstance(node, exp.Column):
            assert not any(node.args.get(k) for k in ("table", "db", "catalog")), sql
            assert node.this.args.get("quoted") is True, sql
            assert node.name in NAMES, sql
    assert reparsed.sql(dialect="duckdb") == sql
    assert reparsed == tree


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14), st.sampled_from([" ", ""]))
def test_random_token_strings_never_escape_the_whitelist(tokens: list[str], sep: str) -> None:
    text = sep.join(tokens)
    checked = check_expression(text, NAMES)
    assert (checked.tree is None) == bool(checked.problems)
    assert all(isinstance(p, str) and p for p in checked.problems)
    if checked.tree is not None:
        assert_whitelisted(checked.sql, checked.tree)


NUMERIC_NAMES = ["monetary", "frequency", "recency_days", "aov", "r_score"]
FUNCTIONS_ANY = ["abs", "ceil", "floor", "round", "coalesce", "least", "greatest", "nullif", "lower", "length",
                 "read_csv", "sum", "foo", "date_diff", "if"]


def _call(name: str, args: list[str]) -> str:
    return f"{name}({', '.join(args)})"


def _values(functions: list[str], atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(" ".join),
            inner.map(lambda v: f"({v})"),
            inner.map(lambda v: f"- {v}"),
            st.tuples(st.sampled_from(functions), st.lists(inner, min_size=1, max_size=3)).map(
                lambda t: _call(*t)
            ),
        ),
        max_leaves=6,
    )


def _conditions(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    comparison = st.one_of(
        st.tuples(values, st.sampled_from(["=", "<>", "!=", "<", "<=", ">", ">="]), values).map(" ".join),
        st.tuples(values, values, values).map(lambda t: f"{t[0]} between {t[1]} and {t[2]}"),
        st.tuples(values, st.lists(st.integers(-5, 5).map(str), min_size=1, max_size=3)).map(
            lambda t: f"{t[0]} in ({', '.join(t[1])})"
        ),
        values.map(lambda v: f"{v} is not null"),
    )
    return st.recursive(
        comparison,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
            inner.map(lambda c: f"not ({c})"),
            st.tuples(inner, values, values).map(lambda t: f"case when {t[0]} then {t[1]} else {t[2]} end > 0"),
        ),
        max_leaves=4,
    )


ANY_ATOMS = st.one_of(
    st.sampled_from([*NUMERIC_NAMES, "top_category", "frequncy", "t.monetary", "'美妆'", "null", "*"]),
    st.integers(0, 9).map(str),
    st.sampled_from(["0.5", "1e3", "2."]),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_conditions(_values(FUNCTIONS_ANY, ANY_ATOMS)))
def test_grammar_expressions_never_escape_the_whitelist(text: str) -> None:
    checked = check_expression(text, NAMES)
    if checked.tree is not None:
        assert_whitelisted(checked.sql, checked.tree)
    else:
        assert checked.problems


NUMERIC_ATOMS = st.one_of(st.sampled_from(NUMERIC_NAMES), st.integers(0, 9).map(str), st.just("0.5"))
NUMERIC_FUNCTIONS = ["abs", "ceil", "floor", "round", "coalesce", "least", "greatest"]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_conditions(_values(NUMERIC_FUNCTIONS, NUMERIC_ATOMS)))
def test_accepted_numeric_conditions_run_in_duckdb(text: str) -> None:
    checked = check_expression(text, NAMES)
    if checked.tree is None:
        assert all("argument" in p or p.startswith("division by zero in") for p in checked.problems), \
            checked.problems
        return
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE c AS SELECT * FROM (VALUES (0.0, 0, 0, NULL, 1), (1200.5, 3, 40, 400.17, 5))"
        " AS t(monetary, frequency, recency_days, aov, r_score)"
    )
    result = con.execute(f"SELECT count(*) FROM c WHERE {checked.sql}").fetchone()
    assert result is not None and 0 <= result[0] <= 2
