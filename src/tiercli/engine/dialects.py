"""tiercli's DuckDB SQL for other engines: parsed once with sqlglot, rewritten as a tree where the target engine
would compute something else, rendered in the target's dialect.

sqlglot's transpiler maps names and syntax; it does not make two engines compute the same numbers. The rewrites
here do, for Spark (tests/spark runs the exported query on Spark and compares every value with DuckDB's):

- `quantile_cont(x, p)` and `median(x)`: sqlglot writes `PERCENTILE_CONT(x, p)`, which Spark refuses; Spark's
  exact `percentile(x, p)` is the same type-7 linear interpolation (never `percentile_approx`).
- `/`: DuckDB divides in DOUBLE and gives NULL for a zero divisor; Spark divides decimals as decimals (rounded to
  its own scale) and, in ANSI mode, fails on zero. Rendered `try_divide(CAST(a AS DOUBLE), CAST(b AS DOUBLE))`;
  `%` becomes `try_mod`.
- `round(x, n)` of a DOUBLE: DuckDB rounds the exact binary value half away from zero (2.675 → 2.67, since
  2.675 is stored as 2.67499…); Spark rounds the shortest decimal text (2.68). Rendered as DuckDB's rounding of
  x·10ⁿ, whose rounding error is recovered exactly (Dekker's product) to decide a tie.
- `CAST(x AS DECIMAL(p, s))` of a DOUBLE: DuckDB rounds x·10ˢ, computed in DOUBLE, half away from zero
  (1.005 → 1.00); Spark rounds the shortest decimal text (1.01). Rendered as that rounding, then the decimal.
- `date_diff('day', a, b)` of dates: Spark's two-argument `datediff(b, a)`, pure date arithmetic whatever the
  session time zone. `date_diff('second', a, b)` counts second boundaries crossed in DuckDB, whole elapsed
  seconds in Spark (0.9 s → 1.1 s: 1 vs 0): rendered as the difference of whole epoch seconds.

What sqlglot already renders alike (checked by the same tests): `arg_min` with a struct key (`min_by`),
`FILTER (WHERE …)`, `GROUP BY ALL`, `bool_or`, timestamp literals (`TIMESTAMP_NTZ`), `TIMESTAMP - INTERVAL`,
text comparison (bytes in both), `ORDER BY` (sqlglot writes the NULLS LAST DuckDB implies). The query holds no
`list`/`array_agg`, `regexp_replace`, `epoch`, month `date_diff`, `DATE - INTERVAL`, integer division or window.
What no rewrite makes identical (a custom metric's `mode`, `quantile_disc`, `avg`/`stddev` of doubles) is a note.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, OptimizeError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from tiercli.engine.statements import renamed
from tiercli.messages import say

SPARK = "spark"
_DOUBLE = exp.DataType.Type.DOUBLE
_FLOATS = {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}
_KEY = "tiercli_node"
_EPOCH = "1970-01-01 00:00:00"
_SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's split of a double into two halves of 26 bits


@dataclass(frozen=True)
class Rendered:
    sql: str
    notes: list[str]  # what the rendering can't make identical, and what sqlglot warned about
    unported: tuple[str, ...] = ()  # DuckDB functions left as they are (no counterpart in sqlglot's dialect)


def schema_of(ddls: list[str]) -> dict[str, dict[str, str]]:
    """{table: {column: type}} of DuckDB CREATE TABLE statements."""
    schema: dict[str, dict[str, str]] = {}
    for ddl in ddls:
        create = sqlglot.parse_one(ddl, read="duckdb")
        assert isinstance(create.this, exp.Schema)
        schema[create.this.this.name] = {
            c.name: c.args["kind"].sql("duckdb") for c in create.this.expressions if isinstance(c, exp.ColumnDef)}
    return schema


def render(sql: str, dialect: str, schema: Mapping[str, Mapping[str, str]],
           tables: Mapping[str, str] | None = None) -> Rendered:
    """`sql` (DuckDB) for `dialect`: rewritten where needed, pretty-printed; with the notes. `tables`: a table
    read under another name (`orders` → `tiercli_work.orders`)."""
    tree = renamed(sqlglot.parse_one(sql, read="duckdb"), tables or {})
    if dialect == SPARK:
        tree = _for_spark(tree, _doubles(tree, schema))
        return _rendered(tree, dialect, _spark_notes(tree))
    rendered = render_tree(tree, dialect)
    return replace(rendered, notes=[*rendered.notes, *unported_note(dialect, rendered.unported)])


def render_tree(tree: exp.Expr, dialect: str, functions: frozenset[str] = frozenset()) -> Rendered:
    """A DuckDB statement's tree for a dialect tiercli doesn't run (not Spark): a match of the whole text as the
    dialect writes it, then sqlglot's transpiling; the notes say what is left to DuckDB's meaning (a function
    sqlglot has no counterpart for, other than the script's own `functions`)."""
    tree = tree.transform(lambda node: _portable(node, dialect))
    notes = [say("engine.sql.not_run", dialect=dialect)]
    if dialect == "bigquery" and any(True for _ in tree.find_all(exp.PercentileCont, exp.Median)):
        notes.append(say("engine.sql.bigquery_quantiles"))
    if dialect == "postgres" and any(True for _ in tree.find_all(exp.TryCast, exp.StrToTime)):
        notes.append(say("engine.sql.postgres_try_cast"))
    own = {function_name(f, dialect) for f in functions}
    unknown = tuple(sorted({c.name.lower() for c in tree.find_all(exp.Anonymous) if c.name.lower() not in own}))
    return replace(_rendered(tree, dialect, notes), unported=unknown)


def unported_note(dialect: str, functions: Sequence[str]) -> list[str]:
    """The note on DuckDB functions a script for `dialect` leaves as they are (none: no note)."""
    if not functions:
        return []
    return [say("engine.sql.duckdb_functions", dialect=dialect, functions=", ".join(sorted(set(functions))))]


def _portable(node: exp.Expr, dialect: str) -> exp.Expr:
    """DuckDB's functions of the cleaning as sqlglot's nodes, which it renders in each dialect's terms:
    regexp_full_match (Snowflake's REGEXP_LIKE matches the whole text already; elsewhere the pattern is anchored),
    try_strptime with a list of formats (the first that reads the text), `+ to_microseconds(n)`, timezone()."""
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression if dialect == "snowflake" else _anchored(node.expression)
        return exp.RegexpLike(this=node.this, expression=pattern)
    if _is_call(node, "try_strptime"):
        value, formats = node.expressions
        listed = formats.expressions if isinstance(formats, exp.Array) else [formats]
        tries = [exp.StrToTime(this=value.copy(), format=f.copy(), safe=True) for f in listed]
        return tries[0] if len(tries) == 1 else exp.Coalesce(this=tries[0], expressions=tries[1:])
    if isinstance(node, exp.Add) and _is_call(node.expression, "to_microseconds"):
        return exp.DateAdd(this=node.this, expression=node.expression.expressions[0], unit=exp.var("MICROSECOND"))
    if _is_call(node, "timezone") and len(node.expressions) == 2:
        return exp.AtTimeZone(this=node.expressions[1], zone=node.expressions[0])
    return node


def _rendered(tree: exp.Expr, dialect: str, notes: Sequence[str]) -> Rendered:
    collect = _Collect()
    logger = logging.getLogger("sqlglot")
    logger.addHandler(collect)
    try:
        text = tree.sql(dialect=dialect, pretty=True, unsupported_level=ErrorLevel.WARN)
    finally:
        logger.removeHandler(collect)
    return Rendered(text, [*notes, *(say("engine.sql.sqlglot", warning=m) for m in collect.messages)])


_TEMPORARY_SCHEMA = {"postgres": "pg_temp"}  # where a session's own functions live (and are called from)


def function_name(name: str, dialect: str) -> str:
    """How a script for `dialect` calls the function a DuckDB macro of the cleaning becomes."""
    schema = _TEMPORARY_SCHEMA.get(dialect)
    return f"{schema}.{name}" if schema else name


def called(tree: exp.Expr, names: set[str], dialect: str) -> exp.Expr:
    """`tree` calling each of the macros `names` as `dialect`'s function of the same name."""
    for call in list(tree.find_all(exp.Anonymous)):
        if call.name.lower() in names:
            call.set("this", function_name(call.name.lower(), dialect))
    return tree


def function_sql(macro: exp.Create, returns: str, dialect: str, macros: set[str]) -> Rendered:
    """A DuckDB macro of the cleaning as a temporary SQL function of `dialect` (not Spark: `spark_function`), its
    parameters text, returning `returns` (a DuckDB type); the `macros` it calls are called as functions too."""
    function = macro.this
    name = function.this.name.lower()
    schema = _TEMPORARY_SCHEMA.get(dialect)
    udf = exp.UserDefinedFunction(
        this=exp.Table(this=exp.to_identifier(name), db=exp.to_identifier(schema) if schema else None),
        expressions=[exp.ColumnDef(this=exp.to_identifier(p.name), kind=exp.DataType.build("TEXT"))
                     for p in function.expressions], wrapped=True)
    body = render_tree(called(macro.expression.copy(), macros, dialect), dialect, frozenset(macros))
    if dialect == "bigquery":
        expression: exp.Expr = exp.Paren(this=sqlglot.parse_one(body.sql, read=dialect))
        properties: list[exp.Expr] = [exp.TemporaryProperty()]
    else:
        if "$$" in body.sql:
            raise ValueError(f"the body of {name} holds $$, which would end its text")
        returned = exp.ReturnsProperty(this=exp.DataType.build(returns, dialect="duckdb"))
        if dialect == "postgres":
            expression = exp.Heredoc(this=f"\n  SELECT {body.sql}\n")
            properties = [returned, exp.LanguageProperty(this=exp.to_identifier("SQL")),
                          exp.StabilityProperty(this=exp.Literal.string("IMMUTABLE"))]
        else:
            expression = exp.Heredoc(this=f"\n  {body.sql}\n")
            properties = [exp.TemporaryProperty(), returned]
    create = exp.Create(this=udf, kind="FUNCTION", expression=expression,
                        properties=exp.Properties(expressions=properties))
    return Rendered(create.sql(dialect), body.notes, body.unported)


def spark_function(macro: exp.Create) -> str:
    """A DuckDB macro of the cleaning as the Spark SQL function of the same name and body (its arguments text)."""
    function = macro.this
    name = exp.to_identifier(function.this.name.lower()).sql(SPARK)
    arguments = ", ".join(f"{exp.to_identifier(p.name).sql(SPARK)} STRING" for p in function.expressions)
    body = spark_tree(macro.expression.copy(), {}).sql(SPARK)
    return f"CREATE OR REPLACE TEMPORARY FUNCTION {name}({arguments}) RETURN {body}"


def spark_tree(tree: exp.Expr, schema: Mapping[str, Mapping[str, str]]) -> exp.Expr:
    """A DuckDB statement's tree rewritten to compute the same values on Spark (rendered by the caller)."""
    return _for_spark(tree, _doubles(tree, schema))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


# --- DuckDB's types, where a rendering depends on them ---

def _doubles(tree: exp.Expr, schema: Mapping[str, Mapping[str, str]]) -> set[int]:
    """The ids of the CAST(… AS DECIMAL) and round() nodes of `tree` whose argument is a DOUBLE in DuckDB.

    sqlglot infers the types on a qualified copy; where it follows other engines (a division of decimals is a
    DECIMAL to it, a DOUBLE in DuckDB; so is avg), the copy says DuckDB's type with a cast first."""
    wanted = [n for n in tree.find_all(exp.Cast, exp.Round) if _decimal_cast(n) or isinstance(n, exp.Round)]
    for i, node in enumerate(wanted):
        node.meta[_KEY] = i
    copy = tree.copy()
    for made in list(copy.find_all(exp.Div, exp.Avg, exp.Stddev, exp.StddevSamp)):
        made.replace(exp.cast(made.copy(), _DOUBLE))
    try:
        typed = annotate_types(qualify(copy, schema=dict(schema), dialect="duckdb", validate_qualify_columns=False),
                               schema=dict(schema), dialect="duckdb")
    except OptimizeError:  # unknown here: the casts and rounds render as sqlglot writes them
        return set()
    found = {n.meta[_KEY] for n in typed.find_all(exp.Cast, exp.Round)
             if _KEY in n.meta and n.this.type is not None and n.this.type.this in _FLOATS}
    return {id(n) for i, n in enumerate(wanted) if i in found}


def _decimal_cast(node: exp.Expr) -> bool:
    return isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.DECIMAL


# --- Spark ---

def _for_spark(tree: exp.Expr, doubles: set[int]) -> exp.Expr:
    """`tree` rewritten bottom-up: a node's arguments are rewritten before the node (and what a rewrite makes is
    not visited again)."""
    def rewrite(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.PercentileCont):
            return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
        if isinstance(node, exp.Median):
            return exp.Anonymous(this="percentile", expressions=[node.this, exp.Literal.number(0.5)])
        if isinstance(node, exp.Div):
            return _divide(_double(node.this), _double(node.expression))
        if isinstance(node, exp.Mod):
            return exp.Anonymous(this="try_mod", expressions=[node.this, node.expression])
        if isinstance(node, exp.DateDiff):
            return _date_diff(node)
        if id(node) in doubles and isinstance(node, exp.Round):
            return _round(node.this, int(node.args["decimals"].name) if node.args.get("decimals") else 0)
        if id(node) in doubles and isinstance(node, exp.Cast):
            return _to_decimal(node)
        return _cleaning_for_spark(node)

    for node in reversed(list(tree.walk(bfs=False))):
        made = rewrite(node)
        if made is not node:
            if node is tree:
                tree = made
            else:
                node.replace(made)
    return tree


def _divide(dividend: exp.Expr, divisor: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this="try_divide", expressions=[dividend, divisor])


def _double(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Cast) and node.to.this == _DOUBLE:
        return node
    return exp.cast(node.copy(), _DOUBLE)


def _paren(node: exp.Expr) -> exp.Paren:
    return exp.Paren(this=node)


def _number(value: float | int) -> exp.Expr:
    """A DOUBLE literal in Spark's terms (`1.5` would be a DECIMAL there)."""
    return exp.cast(exp.Literal.number(repr(float(value))), _DOUBLE)


def _date_diff(node: exp.DateDiff) -> exp.Expr:
    unit = (node.unit.name if node.unit else "DAY").upper()
    end, start = node.this, node.expression
    if unit == "DAY" and all(isinstance(v, exp.Cast) and v.to.this == exp.DataType.Type.DATE for v in (end, start)):
        return exp.Anonymous(this="datediff", expressions=[end, start])
    if unit == "SECOND":  # whole epoch seconds of each, as DuckDB counts them (the division truncates in both)
        def seconds(ts: exp.Expr) -> exp.Expr:
            micros = exp.Anonymous(this="timestampdiff", expressions=[
                exp.var("MICROSECOND"), exp.cast(exp.Literal.string(_EPOCH), exp.DataType.Type.TIMESTAMPNTZ), ts])
            return _paren(exp.IntDiv(this=micros, expression=exp.Literal.number(1_000_000)))
        return exp.Sub(this=seconds(end), expression=seconds(start))
    return node


def _half_away(value: exp.Expr) -> exp.Expr:
    """round(value, 0) in Spark: half away from zero of its shortest decimal text, which for a whole number or a
    half is the value itself; between them it can't cross the half (the half is a double of its own)."""
    return exp.Round(this=value, decimals=exp.Literal.number(0))


def _to_decimal(node: exp.Cast) -> exp.Expr:
    """CAST(x AS DECIMAL(p, s)) of a DOUBLE as DuckDB computes it: x·10ˢ in DOUBLE, rounded half away from zero."""
    scale = int(node.to.expressions[1].name) if len(node.to.expressions) > 1 else 0
    factor = 10 ** scale
    units = exp.cast(_half_away(exp.Mul(this=_double(node.this), expression=_number(factor))),
                     exp.DataType.build("DECIMAL(38, 0)"))
    return exp.cast(_paren(exp.Div(this=units, expression=exp.Literal.number(factor))), node.to)


def _round(value: exp.Expr, decimals: int) -> exp.Expr:
    """round(x, n) of a DOUBLE as DuckDB computes it: the exact x·10ⁿ rounded half away from zero, over 10ⁿ.

    hi = fl(x·10ⁿ); lo, its rounding error, is exact by Dekker's product (10ⁿ, at most 2^26, is its own high
    half). Only when hi is a half does lo decide: below it (lo of the other sign) the exact value rounds toward
    zero."""
    if decimals < 0 or 10 ** decimals >= 2 ** 26:
        return exp.Round(this=value, decimals=exp.Literal.number(decimals))
    factor = _number(10 ** decimals)
    x = _double(value)
    hi = exp.Mul(this=x.copy(), expression=factor.copy())
    split = exp.Mul(this=x.copy(), expression=_number(_SPLIT))
    x_high = exp.Sub(this=split, expression=_paren(exp.Sub(this=split.copy(), expression=x.copy())))
    x_low = exp.Sub(this=x.copy(), expression=_paren(x_high.copy()))
    lo = exp.Add(this=_paren(exp.Sub(this=exp.Mul(this=_paren(x_high), expression=factor.copy()),
                                     expression=_paren(hi.copy()))),
                 expression=exp.Mul(this=_paren(x_low), expression=factor.copy()))
    whole = exp.cast(_paren(hi.copy()), exp.DataType.Type.BIGINT)
    tie = exp.and_(
        exp.EQ(this=exp.Abs(this=exp.Sub(this=_paren(hi.copy()), expression=whole.copy())),
               expression=_number(0.5)),
        exp.LT(this=exp.Mul(this=exp.Anonymous(this="signum", expressions=[_paren(lo)]),
                            expression=exp.Anonymous(this="signum", expressions=[_paren(hi.copy())])),
               expression=exp.Literal.number(0)))
    rounded = exp.Case(ifs=[exp.If(this=tie, true=exp.cast(whole, _DOUBLE))], default=_half_away(hi))
    return _divide(rounded, factor.copy())


def _spark_notes(tree: exp.Expr) -> list[str]:
    """What a custom metric may use that Spark computes otherwise."""
    notes: list[str] = []
    kinds = {exp.Mode: "mode", exp.PercentileDisc: "quantile_disc", exp.Quantile: "quantile", exp.Avg: "avg",
             exp.Stddev: "stddev", exp.StddevSamp: "stddev_samp"}
    for kind, name in kinds.items():
        if any(True for _ in tree.find_all(kind)):
            notes.append(say(f"engine.sql.spark_{'order' if kind in (exp.Avg, exp.Stddev, exp.StddevSamp) else 'ties'}",
                             function=name))
    return notes


# --- Spark: the functions the cleaning uses (engine/clean's macros, expanded) ---

_STRPTIME = {"Y": "yyyy", "y": "yy", "m": "M", "d": "d", "H": "H", "M": "m", "S": "s"}
_CENTURY_PIVOT = 2069  # DuckDB reads a two-digit year 69-99 as 19xx, 00-68 as 20xx; Java's yy is 2000-2099
_ISO_TIMESTAMP = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T].*)?$"  # what DuckDB's cast to TIMESTAMP starts from


def _cleaning_for_spark(node: exp.Expr) -> exp.Expr:
    """The DuckDB functions of the cleaning, as Spark computes the same values."""
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):  # Spark: no IGNORE NULLS FILTER
        return exp.Anonymous(this="any_value", expressions=[node.this.this, exp.true()])
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node, node.this)
    if isinstance(node, exp.RegexpFullMatch):  # a match of the whole text: RLIKE finds one anywhere
        return exp.RegexpLike(this=node.this, expression=_anchored(node.expression))
    if isinstance(node, exp.RegexpReplace):
        return _regexp_replace(node)
    if isinstance(node, exp.Chr) and len(node.expressions) == 1 and node.expressions[0].is_int:
        code = int(node.expressions[0].name)
        return exp.Literal.string(chr(code)) if code >= 128 else node  # Spark's chr() is chr(n % 256)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "try_strptime":
        return _strptime(node.expressions[0], node.expressions[1])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "timezone":
        return _timezone(node.expressions[0], node.expressions[1])
    if _is_call(node, "to_json") and len(node.expressions) == 1:  # of a text: Spark's to_json takes a struct
        return _json_text(node.expressions[0])
    if isinstance(node, exp.Join) and (node.args.get("method") or "").upper() == "ASOF":
        return _asof(node)
    if isinstance(node, exp.Add) and _is_call(node.expression, "to_microseconds"):
        return exp.Anonymous(this="timestampadd", expressions=[
            exp.var("MICROSECOND"), node.expression.expressions[0], node.this])
    if isinstance(node, exp.TryCast) and node.to.this in (exp.DataType.Type.TIMESTAMP,
                                                         exp.DataType.Type.TIMESTAMPNTZ):
        text = exp.cast(node.this.copy(), exp.DataType.Type.TEXT)
        return exp.Case(ifs=[exp.If(this=exp.RegexpLike(this=text, expression=exp.Literal.string(_ISO_TIMESTAMP)),
                                    true=node.copy())])
    return node


def _ordered_list(node: exp.ArrayAgg, order: exp.Order) -> exp.Expr:
    """list(x ORDER BY x): Spark's collect_list keeps no order, so the list is sorted afterwards (ascending, by
    the value itself: the only ordered list tiercli builds). Any other order is left as sqlglot writes it."""
    keys = order.expressions
    value = order.this
    if len(keys) == 1 and not keys[0].args.get("desc") and keys[0].this == value:
        return exp.Anonymous(this="array_sort", expressions=[exp.Anonymous(this="collect_list",
                                                                           expressions=[value.copy()])])
    return node


def _asof(join: exp.Join) -> exp.Expr:
    """`ASOF [LEFT] JOIN t AS c ON l.k = c.k … AND l.at >= c.since` (Spark has none) as a join to each row of t
    with the time the next row of its key starts: the row whose span holds `l.at`. Exact when t holds one row per
    key and time (tiercli's item_categories does)."""
    conditions = list(join.args["on"].flatten()) if isinstance(join.args["on"], exp.And) else [join.args["on"]]
    keys = [c for c in conditions if isinstance(c, exp.EQ)]
    since = next(c for c in conditions if isinstance(c, exp.GTE))
    right = join.this
    alias = right.alias_or_name
    start = since.expression.name
    until = exp.Window(this=exp.Anonymous(this="lead", expressions=[exp.column(start)]),
                       partition_by=[exp.column(k.expression.name) for k in keys],
                       order=exp.Order(expressions=[exp.Ordered(this=exp.column(start))]))
    spans = exp.select(exp.Star(), exp.alias_(until, "__until")).from_(exp.to_table(right.name))
    ended = exp.or_(exp.Is(this=exp.column("__until", table=alias), expression=exp.null()),
                    exp.LT(this=since.this.copy(), expression=exp.column("__until", table=alias)))
    made = join.copy()
    made.set("method", None)
    made.set("this", exp.Subquery(this=spans, alias=exp.TableAlias(this=exp.to_identifier(alias))))
    made.set("on", exp.and_(join.args["on"].copy(), ended))
    return made


def _json_text(value: exp.Expr) -> exp.Expr:
    """A text as a JSON string (quoted, escaped) the way DuckDB's to_json writes it: Spark's to_json of a struct
    holding it, the value cut out of `{"v":…}`."""
    wrapped = exp.Anonymous(this="to_json", expressions=[
        exp.Anonymous(this="named_struct", expressions=[exp.Literal.string("v"), value.copy()])])
    cut = exp.Anonymous(this="regexp_extract", expressions=[
        wrapped, exp.Literal.string(r'^\{"v":(.*)\}$'), exp.Literal.number(1)])
    return exp.Case(ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.null()), true=exp.null())],
                    default=cut)


def _is_call(node: exp.Expr, name: str) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower() == name


def _anchored(pattern: exp.Expr) -> exp.Expr:
    if pattern.is_string:
        return exp.Literal.string(f"^(?:{pattern.name})$")
    return exp.DPipe(this=exp.DPipe(this=exp.Literal.string("^(?:"), expression=pattern),
                     expression=exp.Literal.string(")$"))


def _java_replacement(text: str, shift: int = 0) -> str:
    r"""A DuckDB (RE2) replacement text in Java's terms: `\1` is `$1` (plus `shift`), `\\` a backslash, `$` itself."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            following = text[i + 1]
            out.append(f"${int(following) + shift}" if following.isdigit() else "\\" + following)
            i += 2
            continue
        out.append("\\$" if ch == "$" else ch)
        i += 1
    return "".join(out)


def _regexp_replace(node: exp.RegexpReplace) -> exp.Expr:
    """DuckDB replaces the first match unless told 'g'; Spark replaces them all. A pattern anchored at the start
    matches once either way; any other is found after the shortest prefix, kept as group 1."""
    pattern, replacement = node.expression, node.args.get("replacement")
    modifiers = node.args.get("modifiers")
    every = modifiers is not None and "g" in modifiers.name
    if not (pattern.is_string and (replacement is None or replacement.is_string)):
        return node
    text = replacement.name if replacement is not None else ""
    if every or pattern.name.startswith("^"):
        made, rendered = pattern.name, _java_replacement(text)
    else:
        made, rendered = f"^(?s)(.*?)(?:{pattern.name})", "$1" + _java_replacement(text, shift=1)
    return exp.Anonymous(this="regexp_replace", expressions=[
        node.this, exp.Literal.string(made), exp.Literal.string(rendered)])


def _java_format(strptime: str) -> tuple[str, bool]:
    """A strptime format as a Java DateTimeFormatter pattern, and whether it holds a two-digit year."""
    out: list[str] = []
    literal_run: list[str] = []

    def flush() -> None:
        if literal_run:
            joined = "".join(literal_run)
            if "'" in joined:  # tiercli's own formats (engine/clean) hold none; Java would need it doubled
                raise ValueError(f"a quote in the strptime format {strptime!r}")
            out.append(joined if all(c in " /.-:," for c in joined) else f"'{joined}'")
            literal_run.clear()

    i = 0
    while i < len(strptime):
        if strptime[i] == "%" and i + 1 < len(strptime) and strptime[i + 1] in _STRPTIME:
            flush()
            letter = _STRPTIME[strptime[i + 1]]
            if len(letter) == 1 and strptime[i + 2:i + 3] == "%":  # two numbers side by side (%m%d): Java
                letter *= 2  # splits them only when the first has a fixed width, as DuckDB reads two digits
            out.append(letter)
            i += 2
            continue
        literal_run.append(strptime[i])
        i += 1
    flush()
    return "".join(out), "%y" in strptime


def _strptime(value: exp.Expr, formats: exp.Expr) -> exp.Expr:
    """try_strptime(x, [formats]): the first format that reads the whole text, as DuckDB tries them."""
    listed = formats.expressions if isinstance(formats, exp.Array) else [formats]
    tries: list[exp.Expr] = []
    for fmt in listed:
        pattern, short_year = _java_format(fmt.name)
        parsed: exp.Expr = exp.cast(exp.Anonymous(this="try_to_timestamp", expressions=[
            value.copy(), exp.Literal.string(pattern)]), exp.DataType.Type.TIMESTAMPNTZ)
        if short_year:
            late = exp.GTE(this=exp.Anonymous(this="year", expressions=[parsed.copy()]),
                           expression=exp.Literal.number(_CENTURY_PIVOT))
            earlier = exp.Sub(this=parsed.copy(), expression=exp.Interval(this=exp.Literal.string("100"),
                                                                          unit=exp.var("YEAR")))
            parsed = exp.Case(ifs=[exp.If(this=late, true=earlier)], default=parsed)
        tries.append(parsed)
    return tries[0] if len(tries) == 1 else exp.Coalesce(this=tries[0], expressions=tries[1:])


def _timezone(zone: exp.Expr, value: exp.Expr) -> exp.Expr:
    """DuckDB's timezone(zone, t): a naive time in `zone` of an instant (a TIMESTAMPTZ cast), or, nested, a
    naive time moved from one zone to another. The session's time zone is UTC (engine/sparkdb sets it)."""
    if _is_call(value, "timezone"):
        return exp.Anonymous(this="convert_timezone", expressions=[value.expressions[0], zone, value.expressions[1]])
    if isinstance(value, exp.Cast | exp.TryCast) and value.to.this == exp.DataType.Type.TIMESTAMPTZ:
        instant = exp.cast(value.this.copy(), exp.DataType.Type.TIMESTAMPLTZ)
        if isinstance(value, exp.TryCast):
            instant = exp.TryCast(this=value.this.copy(), to=exp.DataType.build("TIMESTAMP_LTZ", dialect="spark"),
                                  safe=True)
        shifted = exp.Anonymous(this="from_utc_timestamp", expressions=[instant, zone])
        return exp.cast(shifted, exp.DataType.Type.TIMESTAMPNTZ)
    return exp.Anonymous(this="timezone", expressions=[zone, value])
