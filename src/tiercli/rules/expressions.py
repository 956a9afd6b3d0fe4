"""Rule expressions: parse with sqlglot, allow only a small whitelist, compile to DuckDB SQL.

A rule expression is one SQL condition over a customer's metrics, e.g. ``monetary >= 1000 and
frequency >= 2``. The text is parsed with sqlglot (DuckDB dialect) and then *rebuilt* node by node from the
whitelist below into a fresh tree whose column identifiers are all quoted; anything outside the whitelist is
reported, never passed through. The SQL handed to the engine is sqlglot's rendering of that rebuilt tree, so
no user text reaches it except as a checked name or a literal value.

A custom metric (``aggregate=True``) is checked the same way over order columns, and may also use the whitelisted
aggregates (``sum``, ``count``, ``count(DISTINCT …)``, ``avg``, ``min``, ``max``, ``median``, ``quantile…``,
``mode``, ``stddev``, ``bool_or``, ``bool_and``, ``count_if``) with ``filter (where …)``. The order-level helpers
``share``/``spend``/``orders``/``bought`` expand to such aggregates; in a rule they are lifted into a customer
column named after the call. When the kinds of the names are given, mismatches (``lower(monetary)``, text
compared with a number) are reported before anything runs, and a division by zero written out (``x % 0``) too;
a divisor that may be zero at run time is compiled as ``nullif(divisor, 0)``, so the result is empty, not an error.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from tiercli.engine.metrics import HELPER_COLUMNS, HELPERS, NAME_OF_ZH, UNIT_KINDS, Helper
from tiercli.errors import Location, RulesError, TiercliError, did_you_mean
from tiercli.rules.model import Condition, CustomMetric

DIALECT = "duckdb"

ALLOWED_FUNCTIONS: tuple[str, ...] = (
    "abs", "ceil", "coalesce", "floor", "greatest", "least", "length", "lower", "nullif", "round", "upper",
)

CONDITION_HINT = "must be a condition (a comparison such as monetary >= 1000)"
_TEXT_QUOTES = "text values take single quotes: '美妆'"

_BINARY: tuple[type[exp.Expr], ...] = (
    exp.And, exp.Or,
    exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod,
)
_COMPARISONS: tuple[type[exp.Expr], ...] = (
    exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
)

# function node -> (name users see, fewest arguments, most arguments; None = any number)
_FUNCTIONS: dict[type[exp.Expr], tuple[str, int, int | None]] = {
    exp.Abs: ("abs", 1, 1),
    exp.Ceil: ("ceil", 1, 1),
    exp.Floor: ("floor", 1, 1),
    exp.Round: ("round", 1, 2),
    exp.Coalesce: ("coalesce", 1, None),
    exp.Least: ("least", 1, None),
    exp.Greatest: ("greatest", 1, None),
    exp.Nullif: ("nullif", 2, 2),
    exp.Lower: ("lower", 1, 1),
    exp.Upper: ("upper", 1, 1),
    exp.Length: ("length", 1, 1),
}

# aggregate node -> (name users see, the kind its argument must have; None = any)
_AGGREGATES: dict[type[exp.Expr], tuple[str, str | None]] = {
    exp.Sum: ("sum", "number"),
    exp.Avg: ("avg", "number"),
    exp.Median: ("median", "number"),
    exp.Stddev: ("stddev", "number"),
    exp.StddevSamp: ("stddev_samp", "number"),
    exp.Quantile: ("quantile", "number"),
    exp.PercentileCont: ("quantile_cont", "number"),
    exp.PercentileDisc: ("quantile_disc", "number"),
    exp.Count: ("count", None),
    exp.CountIf: ("count_if", "bool"),
    exp.Min: ("min", None),
    exp.Max: ("max", None),
    exp.Mode: ("mode", None),
    exp.LogicalOr: ("bool_or", "bool"),
    exp.LogicalAnd: ("bool_and", "bool"),
}
ALLOWED_AGGREGATES: tuple[str, ...] = tuple(name for name, _ in _AGGREGATES.values())
_DISTINCT_OK = (exp.Count, exp.Sum, exp.Avg)
_QUANTILES = (exp.Quantile, exp.PercentileCont, exp.PercentileDisc)
_HELPERS: dict[str, Helper] = {h.name: h for h in HELPERS}
_MATCH = "__match__"

# Node types the compiled SQL may contain (after re-parsing it), for checks and tests.
ALLOWED_NODES: frozenset[type[exp.Expr]] = frozenset(
    {
        *_BINARY, *_COMPARISONS, *_FUNCTIONS,
        exp.Not, exp.Neg, exp.Paren, exp.Case, exp.If,
        exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null,
    }
)

_FULL_WIDTH: dict[str, str] = {
    "（": "(", "）": ")", "＞": ">", "＜": "<", "＝": "=", "！": "!", "，": ",", "；": ";", "：": ":",
    "‘": "'", "’": "'", "“": '"', "”": '"', "＋": "+", "－": "-", "＊": "*", "／": "/", "％": "%",
    "≥": ">=", "≤": "<=", "≠": "<>", "。": ".", "｜": "|",
}

_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

_VALUE_END_TOKENS = frozenset(
    {TokenType.VAR, TokenType.NUMBER, TokenType.STRING, TokenType.IDENTIFIER, TokenType.R_PAREN,
     TokenType.NULL, TokenType.TRUE, TokenType.FALSE, TokenType.END}
)

_NOT_ALLOWED: dict[type[exp.Expr], str] = {
    exp.DPipe: "the || operator is not allowed",
    exp.Pow: "powers (** and ^) are not allowed",
    exp.IntDiv: "the // operator is not allowed; use floor(a / b)",
    exp.BitwiseAnd: "bitwise operators are not allowed",
    exp.BitwiseOr: "bitwise operators are not allowed",
    exp.BitwiseXor: "bitwise operators are not allowed",
    exp.BitwiseNot: "bitwise operators are not allowed",
    exp.BitwiseLeftShift: "bitwise operators are not allowed",
    exp.BitwiseRightShift: "bitwise operators are not allowed",
    exp.Glob: "GLOB is not allowed; use like",
    exp.SimilarTo: "SIMILAR TO is not allowed; use like",
    exp.RegexpLike: "regular expressions (~) are not allowed; use like",
    exp.Collate: "COLLATE is not allowed",
    exp.Escape: "ESCAPE is not allowed",
    exp.NullSafeEQ: "IS [NOT] DISTINCT FROM is not allowed; use = or <>",
    exp.NullSafeNEQ: "IS [NOT] DISTINCT FROM is not allowed; use = or <>",
    exp.Interval: "INTERVAL is not allowed; compare day counts such as recency_days",
    exp.Array: "lists in [ ] are not allowed; use in (…)",
    exp.Struct: "structs in { } are not allowed",
    exp.Bracket: "indexing with [ ] is not allowed",
    exp.Dot: "dotted names are not allowed",
    exp.Any: "ANY is not allowed; use in (…)",
    exp.All: "ALL is not allowed",
    exp.Tuple: "tuples are not allowed",
    exp.Lambda: "lambdas are not allowed",
    exp.JSONExtract: "JSON operators (->, ->>) are not allowed",
    exp.JSONExtractScalar: "JSON operators (->, ->>) are not allowed",
    exp.RawString: "$$…$$ strings are not allowed; write text in single quotes",
    exp.ByteString: "E'…' strings are not allowed; write text in single quotes",
    exp.National: "N'…' strings are not allowed; write text in single quotes",
    exp.HexString: "hex strings are not allowed; write text in single quotes",
}


@dataclass(frozen=True)
class HelperUse:
    """An order-level helper call lifted out of a rule: computed per customer as the column `name`."""

    name: str  # the call as a canonical text, e.g. spend(category, '美妆'); also the column name
    sql: str  # DuckDB aggregate over order columns
    unit: str
    reads: frozenset[str]


@dataclass(frozen=True)
class CheckedExpression:
    """The outcome of checking one expression: a compiled tree, or the problems that stop it."""

    text: str
    tree: exp.Expr | None  # the rebuilt tree (identifiers quoted); None when there are problems
    names: frozenset[str]  # the names it reads, as spelled in the names mapping
    problems: tuple[str, ...]
    rendered: str = field(default="", repr=False)  # DuckDB SQL of `tree`
    helpers: tuple[HelperUse, ...] = ()  # helpers lifted out of a rule (their columns are among `names`)
    kind: str | None = None  # number | text | time | bool, when the kinds of the names are known

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sql(self) -> str:
        """DuckDB SQL of the checked expression, every name a quoted identifier."""
        if self.tree is None:
            raise ValueError("expression has problems; nothing to compile")
        return self.rendered


def check_expression(
    text: str, names: Mapping[str, str], *, condition: bool = True, types: Mapping[str, str] | None = None,
    aggregate: bool = False,
) -> CheckedExpression:
    """Check `text` against the whitelist and `names`; with `condition`, it must also be a condition.

    `types` gives the kind (number, text, time, bool) of names, for checking how they are used; with
    `aggregate`, `text` is a custom metric: an aggregate over the order columns in `names`."""
    tokens, problems = _check_text(text)
    if problems:
        return _failed(text, problems)
    try:
        parsed = _parse(text)
        if isinstance(parsed, list):
            return _failed(text, parsed)
        builder = _Builder(names, _called_names(tokens), types or {}, aggregate=aggregate)
        tree = builder.build(parsed)
        problems = builder.problems
        if not problems and aggregate and not builder.aggregates:
            problems = [f"must be an aggregate over the customer's order lines, e.g. {_METRIC_EXAMPLE}"]
        if not problems and condition:
            problems = _condition_problems(parsed, builder.booleans())
        kind = None
        if not problems and types is not None:
            checker = _KindCheck({**types, **builder.lifted_kinds()})
            kind = checker.of(tree)
            problems = checker.problems
        if problems:
            return _failed(text, problems)
        rendered = tree.sql(dialect=DIALECT, comments=False)
        return CheckedExpression(text, tree, frozenset(builder.used), (), rendered, tuple(builder.lifted.values()),
                                 kind)
    except RecursionError:
        return _failed(text, ["the expression is nested too deeply; split it into simpler parts"])


def check_condition(
    text: str, names: Mapping[str, str], location: Location, types: Mapping[str, str] | None = None
) -> tuple[Condition | None, list[TiercliError]]:
    """A checked `Condition`, or None and one error per problem (all at `location`)."""
    checked = check_expression(text, names, types=types)
    if not checked.ok:
        return None, [TiercliError(p, location, slug="expression") for p in checked.problems]
    helpers = tuple(
        CustomMetric(name=h.name, text=h.name, sql=h.sql, kind=UNIT_KINDS[h.unit], location=location, unit=h.unit,
                     helper=True, reads=h.reads)
        for h in checked.helpers
    )
    return Condition(text=text, sql=checked.sql, names=checked.names, location=location, helpers=helpers), []


def compile_condition(text: str, names: Mapping[str, str], location: Location) -> Condition:
    """A checked `Condition`; raises `RulesError` with every problem found."""
    condition, problems = check_condition(text, names, location)
    if condition is None:
        raise RulesError(problems)
    return condition


def check_metric(
    name: str, text: str, columns: Mapping[str, str], types: Mapping[str, str], location: Location,
    customer_names: Iterable[str] = (),
) -> tuple[CustomMetric | None, list[TiercliError]]:
    """A custom metric checked as an aggregate over the order `columns`, or None and its problems."""
    checked = check_expression(text, columns, condition=False, types=types, aggregate=True)
    problems = list(checked.problems)
    customer = {n.casefold(): n for n in customer_names if n not in columns}
    for i, problem in enumerate(problems):
        found = re.match(r"unknown name '([^']+)'", problem)
        if found and found.group(1).casefold() in customer:
            problems[i] = (f"'{found.group(1)}' is a customer metric; a custom metric aggregates order columns ("
                           f"{', '.join(columns)}); combine customer metrics in the rule itself")
    if problems:
        return None, [TiercliError(p, location, slug="expression") for p in problems]
    return CustomMetric(name=name, text=text, sql=checked.sql, kind=checked.kind, location=location,
                        reads=checked.names), []


_METRIC_EXAMPLE = "sum(amount) filter (where category = '美妆') or count(DISTINCT order_id)"


def _failed(text: str, problems: Iterable[str]) -> CheckedExpression:
    return CheckedExpression(text, None, frozenset(), tuple(dict.fromkeys(problems)))


# --- text and tokens ---

def _check_text(text: str) -> tuple[list[Token], list[str]]:
    empty = "is empty; write a condition such as monetary >= 1000"
    if not text.strip():
        return [], [empty]
    try:
        tokens = Dialect.get_or_raise(DIALECT).tokenize(text)
    except TokenError:
        return [], [_unclosed_quote(text)]
    if not tokens:
        return [], [empty]
    return tokens, _token_problems(tokens)


def _called_names(tokens: list[Token]) -> tuple[str, ...]:
    """Lower-cased words directly followed by '(' — function names as the user spelt them."""
    return tuple(
        token.text.lower() for token, after in itertools.pairwise(tokens)
        if after.token_type == TokenType.L_PAREN and token.token_type != TokenType.STRING
    )


def _unclosed_quote(text: str) -> str:
    if text.count('"') % 2:
        return f"syntax error: a name in double quotes is not closed ({_TEXT_QUOTES})"
    return f"syntax error: a quote is not closed ({_TEXT_QUOTES})"


def _token_problems(tokens: list[Token]) -> list[str]:
    problems: list[str] = []
    for index, token in enumerate(tokens):
        if token.token_type not in (TokenType.STRING, TokenType.IDENTIFIER):
            problems.extend(_full_width_message(ch) for ch in dict.fromkeys(token.text) if ch in _FULL_WIDTH)
        if token.token_type == TokenType.SEMICOLON:
            problems.append("';' is not allowed: write a single condition")
        elif token.token_type == TokenType.PARAMETER:
            problems.append(
                f"'{token.text}' is not allowed (parameters and the @ operator); use names and values"
            )
        elif token.token_type in (TokenType.LIKE, TokenType.ILIKE) and _is_function_form(tokens, index):
            word = token.text.lower()
            problems.append(f"write {word} as an operator, e.g. top_category {word} '美%'")
    return problems


def _full_width_message(char: str) -> str:
    if char in "‘’“”":
        return "curly quotes found: write text in straight single quotes, e.g. '美妆'"
    return (f"full-width '{char}' must be typed as '{_FULL_WIDTH[char]}' "
            "(switch the input method to half-width)")


def _is_function_form(tokens: list[Token], index: int) -> bool:
    """True for `like(a, b)`, which sqlglot reads with its arguments swapped."""
    if index + 1 >= len(tokens) or tokens[index + 1].token_type != TokenType.L_PAREN:
        return False
    before = index - 1
    if before >= 0 and tokens[before].token_type == TokenType.NOT:
        before -= 1
    return before < 0 or tokens[before].token_type not in _VALUE_END_TOKENS


# --- parsing ---

def _parse(text: str) -> exp.Expr | list[str]:
    dialect = Dialect.get_or_raise(DIALECT)
    try:
        statements = dialect.parse(text)
    except ParseError as error:
        return [_syntax_message(error)]
    except TokenError:
        return [_unclosed_quote(text)]
    found = [s for s in statements if s is not None]
    if not found:
        return ["is empty; write a condition such as monetary >= 1000"]
    if len(found) > 1:
        return ["';' is not allowed: write a single condition"]
    return found[0]


def _syntax_message(error: ParseError) -> str:
    if not error.errors:
        return f"syntax error: {_clean(str(error))}"
    first = error.errors[0]
    description = str(first.get("description") or "")
    highlight = str(first.get("highlight") or "").strip()
    col = first.get("col")
    start = col - len(highlight) + 1 if isinstance(col, int) and highlight else col
    where = f" (at character {start})" if isinstance(start, int) else ""
    if description.startswith("Required keyword"):
        return f"syntax error: something is missing after '{highlight}'{where}"
    if description.startswith("Invalid expression / Unexpected token"):
        return f"syntax error: unexpected '{highlight}'{where}"
    if description.startswith("Expecting )"):
        return f"syntax error: a ')' is missing after '{highlight}'{where}"
    if "number of provided arguments" in description:
        return f"syntax error: too many arguments in a function call{where}"
    return f"syntax error near '{highlight}'{where}: {_clean(description)}"


def _clean(message: str) -> str:
    first_line = message.splitlines()[0] if message else message
    return re.sub(r"<class 'sqlglot\.expressions\.(?:\w+\.)*(\w+)'>", r"\1", first_line)


# --- rebuilding from the whitelist ---

class _Builder:
    """Rebuilds a parsed tree from whitelisted nodes only, collecting a problem for anything else."""

    def __init__(self, names: Mapping[str, str], calls: tuple[str, ...] = (), types: Mapping[str, str] | None = None,
                 *, aggregate: bool = False) -> None:
        self.names = names
        self.calls = calls
        self.types = types or {}
        self.aggregate = aggregate  # a custom metric: aggregates over order columns
        self.depth = 0  # > 0 inside an aggregate's argument or filter
        self.aggregates = 0  # aggregates (and helpers) built, for a custom metric
        self.folded: dict[str, list[str]] = {}
        for name in names:
            self.folded.setdefault(name.casefold(), []).append(name)
        self.used: set[str] = set()
        self.problems: list[str] = []
        self.lifted: dict[str, HelperUse] = {}

    def booleans(self) -> frozenset[str]:
        """Names (case-folded) that hold true/false, so they are conditions on their own."""
        return frozenset(n.casefold() for n, k in self.types.items() if k == "bool")

    def lifted_kinds(self) -> dict[str, str]:
        return {h.name: UNIT_KINDS[h.unit] for h in self.lifted.values()}

    def refuse(self, message: str) -> exp.Expr:
        self.problems.append(message)
        return exp.Null()

    def build(self, node: exp.Expr) -> exp.Expr:
        kind = type(node)
        handler = _HANDLERS.get(kind)
        if handler is None:
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        return handler(self, node)

    def child(self, node: exp.Expr, key: str) -> exp.Expr:
        value = node.args.get(key)
        if not isinstance(value, exp.Expr):
            return self.refuse(f"something is missing in '{_user_sql(node)}'")
        return self.build(value)

    def children(self, node: exp.Expr, key: str) -> list[exp.Expr]:
        return [self.build(v) for v in node.args.get(key) or [] if isinstance(v, exp.Expr)]

    def extras(self, node: exp.Expr, allowed: Iterable[str]) -> list[str]:
        allowed_keys = set(allowed)
        return [k for k, v in node.args.items() if k not in allowed_keys and v not in (None, False, [])]

    def binary(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this", "expression", "typed", "safe")) or node.args.get("safe"):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        left, right = self.child(node, "this"), self.child(node, "expression")
        if isinstance(node, exp.Div | exp.Mod):
            if _number_value(right) == 0:
                return self.refuse(f"division by zero in '{_user_sql(node)}'; divide by a number other than 0")
            if _number_value(right) is None and not isinstance(right, exp.Nullif):
                right = exp.Nullif(this=right, expression=exp.Literal.number(0))
        return type(node)(this=left, expression=right)

    def unary(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this",)):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        return type(node)(this=self.child(node, "this"))

    def is_(self, node: exp.Expr) -> exp.Expr:
        if not isinstance(node.args.get("expression"), exp.Null) or self.extras(node, ("this", "expression")):
            return self.refuse("'is' only works with null: write x is null or x is not null")
        return exp.Is(this=self.child(node, "this"), expression=exp.Null())

    def in_(self, node: exp.Expr) -> exp.Expr:
        extra = self.extras(node, ("this", "expressions"))
        if "query" in extra:
            return self.refuse(_refusal(node.args["query"], self.calls, self.aggregate))
        values = node.args.get("expressions") or []
        if extra or not values or not all(_is_fixed_value(v) for v in values):
            return self.refuse(
                "'in' takes a list of fixed values in parentheses, e.g. region in ('浙江', '上海')"
            )
        return exp.In(this=self.child(node, "this"), expressions=self.children(node, "expressions"))

    def between(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this", "low", "high")):
            return self.refuse("'between symmetric' is not allowed; write x between low and high")
        return exp.Between(
            this=self.child(node, "this"), low=self.child(node, "low"), high=self.child(node, "high")
        )

    def like(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this", "expression", "negate")):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        return type(node)(
            this=self.child(node, "this"),
            expression=self.child(node, "expression"),
            negate=bool(node.args.get("negate")),
        )

    def case(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this", "ifs", "default")):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        ifs: list[exp.Expr] = []
        for branch in node.args.get("ifs") or []:
            if type(branch) is not exp.If or self.extras(branch, ("this", "true")):
                return self.refuse(_refusal(branch, self.calls, self.aggregate))
            ifs.append(exp.If(this=self.child(branch, "this"), true=self.child(branch, "true")))
        rebuilt = exp.Case(ifs=ifs)
        if isinstance(node.args.get("this"), exp.Expr):
            rebuilt.set("this", self.child(node, "this"))
        if isinstance(node.args.get("default"), exp.Expr):
            rebuilt.set("default", self.child(node, "default"))
        return rebuilt

    def function(self, node: exp.Expr) -> exp.Expr:
        name, fewest, most = _FUNCTIONS[type(node)]
        flags = {"ignore_nulls", "is_nvl", "is_null"}
        arg_keys = [k for k in self.extras(node, flags) if k != "this"]
        if any(k not in ("expressions", "expression", "decimals") for k in arg_keys):
            return self.refuse(_arity_message(name, fewest, most))
        arguments = [node.this, *(node.args.get("expressions") or [])]
        arguments += [node.args[k] for k in ("expression", "decimals") if node.args.get(k) is not None]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            return self.refuse(_arity_message(name, fewest, most))
        if type(node) is exp.Round and len(arguments) == 2 and not _is_whole_number(arguments[1]):
            return self.refuse("round() takes a whole number of decimals as its second argument, e.g. "
                               "round(aov, 2)")
        built = [self.build(a) for a in arguments]
        rebuilt = _make_function(type(node), built)
        if isinstance(rebuilt, exp.Least | exp.Greatest):
            rebuilt.set("ignore_nulls", bool(node.args.get("ignore_nulls")))
        return rebuilt

    def column(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this",)) and isinstance(node, exp.Column):
            qualified = ".".join(p.name for p in node.parts)
            return self.refuse(f"qualified name '{qualified}' is not allowed; write just '{node.name}'")
        identifier = node.this
        if not isinstance(identifier, exp.Identifier):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        name = self.resolve(identifier)
        if self.aggregate and not self.depth and name in self.names:
            self.problems.append(f"'{name}' must be inside an aggregate such as sum({name}) or count(DISTINCT "
                                 f"{name}): a metric is one value per customer")
        return exp.column(name, quoted=True)

    def aggregate_function(self, node: exp.Expr) -> exp.Expr:
        name, _ = _AGGREGATES[type(node)]
        if not self.aggregate:
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        if self.depth:
            return self.refuse(f"aggregates can't be nested: {name}() is inside another aggregate")
        allowed: dict[type[exp.Expr], tuple[str, ...]] = {
            exp.Count: ("this", "big_int"), exp.Quantile: ("this", "quantile"),
            exp.PercentileCont: ("this", "expression"), exp.PercentileDisc: ("this", "expression")}
        if self.extras(node, allowed.get(type(node), ("this",))):
            return self.refuse(f"{name}() takes one column or expression here, e.g. {name}(amount)")
        argument = node.this
        if isinstance(argument, exp.Order):
            return self.refuse(f"ORDER BY inside {name}() is not allowed")
        if isinstance(argument, exp.Star) and type(node) is not exp.Count:
            return self.refuse(f"{name}(*) is not allowed; name a column, e.g. {name}(amount)")
        self.depth += 1
        try:
            if isinstance(argument, exp.Star):
                built: exp.Expr = exp.Star()
            elif isinstance(argument, exp.Distinct):
                values = argument.expressions
                if not isinstance(node, _DISTINCT_OK) or len(values) != 1 or argument.args.get("on"):
                    return self.refuse("DISTINCT works in count, sum and avg, with one column, e.g. "
                                       "count(DISTINCT order_id)")
                built = exp.Distinct(expressions=[self.build(values[0])])
            elif isinstance(argument, exp.Expr):
                built = self.build(argument)
            else:
                return self.refuse(f"{name}() needs an argument, e.g. {name}(amount)")
        finally:
            self.depth -= 1
        self.aggregates += 1
        if isinstance(node, _QUANTILES):
            fraction = node.args.get("quantile" if isinstance(node, exp.Quantile) else "expression")
            value = _number_value(fraction) if isinstance(fraction, exp.Expr) else None
            if value is None or not 0 <= value <= 1:
                return self.refuse(f"{name}() takes a fraction from 0 to 1 as its second argument, e.g. "
                                   f"{name}(amount, 0.9)")
            if isinstance(node, exp.Quantile):
                return exp.Quantile(this=built, quantile=exp.Literal.number(value))
            return type(node)(this=built, expression=exp.Literal.number(value))
        return type(node)(this=built)

    def filter_(self, node: exp.Expr) -> exp.Expr:
        inner, where = node.this, node.args.get("expression")
        if not self.aggregate or type(inner) not in _AGGREGATES:
            return self.refuse(_refusal(inner if isinstance(inner, exp.Expr) else node, self.calls, self.aggregate))
        if not isinstance(where, exp.Where) or not isinstance(where.this, exp.Expr):
            return self.refuse("write the filter as filter (where condition)")
        built = self.build(inner)
        self.depth += 1
        try:
            condition = self.build(where.this)
        finally:
            self.depth -= 1
        if _non_condition(where.this, self.booleans()) is not None:
            return self.refuse(f"filter (where …) needs a condition, e.g. filter (where category = '美妆'), "
                               f"found '{_user_sql(where.this)}'")
        return exp.Filter(this=built, expression=exp.Where(this=condition))

    def helper(self, node: exp.Expr) -> exp.Expr:
        name = str(node.name).lower()
        helper = _HELPERS.get(name)
        if helper is None:
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        usage = f"{name}(column, 'value', …), e.g. {name}(category, '美妆')"
        arguments = list(node.expressions)
        if len(arguments) < 2:
            return self.refuse(f"{name}() takes a column and at least one value: {usage}")
        first = arguments[0]
        columns = ", ".join(HELPER_COLUMNS)
        if not (isinstance(first, exp.Column) and isinstance(first.this, exp.Identifier) and len(first.parts) == 1):
            return self.refuse(f"the first argument of {name}() must be one of the order columns {columns}: {usage}")
        column = first.name.casefold()
        if column not in HELPER_COLUMNS:
            hint = did_you_mean(column, HELPER_COLUMNS) or f" (use one of {columns})"
            return self.refuse(f"{name}() can't match values in '{first.name}'{hint}")
        values: list[str] = []
        for value in arguments[1:]:
            if not (isinstance(value, exp.Literal) and value.is_string):
                return self.refuse(f"{name}() compares {column} with text values in single quotes, e.g. "
                                   f"{name}({column}, '{_user_sql(value)}')")
            values.append(str(value.this))
        if self.depth:
            return self.refuse(f"{name}() is already an aggregate; it can't be inside another aggregate")
        tree = _expand_helper(helper, column, values)
        if self.aggregate:
            self.aggregates += 1
            return tree
        call = f"{name}({column}, {', '.join(exp.Literal.string(v).sql(dialect=DIALECT) for v in values)})"
        reads = frozenset(c.name for c in tree.find_all(exp.Column))
        self.lifted.setdefault(call, HelperUse(call, tree.sql(dialect=DIALECT, comments=False), helper.unit, reads))
        self.used.add(call)
        return exp.column(call, quoted=True)

    def resolve(self, identifier: exp.Identifier) -> str:
        written = identifier.name
        if written in self.names:
            self.used.add(written)
            return written
        matches = self.folded.get(written.casefold(), [])
        if len(matches) == 1:
            self.used.add(matches[0])
            return matches[0]
        english = NAME_OF_ZH.get(written)  # a built-in metric by its Chinese name
        if english is not None and english in self.names:
            self.used.add(english)
            return english
        self.problems.append(_unknown_name(written, self.names, quoted=bool(identifier.args.get("quoted"))))
        return written

    def literal(self, node: exp.Expr) -> exp.Expr:
        value = node.this
        if isinstance(value, int | float) and not isinstance(value, bool) and not node.is_string:
            value = str(value)
        if not isinstance(value, str):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        if node.is_string:
            return exp.Literal.string(value)
        if not _NUMBER.fullmatch(value):
            return self.refuse(f"number '{value}' is not understood; write e.g. 1000 or 0.5")
        return exp.Literal.number(value)

    def boolean(self, node: exp.Expr) -> exp.Expr:
        return exp.Boolean(this=bool(node.this))

    def null(self, node: exp.Expr) -> exp.Expr:
        return exp.Null()

    def alias(self, node: exp.Expr) -> exp.Expr:
        return self.refuse(
            f"unexpected '{node.alias}' after '{_user_sql(node.this)}': join conditions with and / or"
        )


_Handler = Callable[[_Builder, exp.Expr], exp.Expr]

_HANDLERS: dict[type[exp.Expr], _Handler] = {
    **{kind: _Builder.binary for kind in _BINARY},
    exp.Not: _Builder.unary,
    exp.Neg: _Builder.unary,
    exp.Paren: _Builder.unary,
    exp.Is: _Builder.is_,
    exp.In: _Builder.in_,
    exp.Between: _Builder.between,
    exp.Like: _Builder.like,
    exp.ILike: _Builder.like,
    exp.Case: _Builder.case,
    **{kind: _Builder.function for kind in _FUNCTIONS},
    **{kind: _Builder.aggregate_function for kind in _AGGREGATES},
    exp.Filter: _Builder.filter_,
    exp.Anonymous: _Builder.helper,
    exp.Column: _Builder.column,
    exp.Literal: _Builder.literal,
    exp.Boolean: _Builder.boolean,
    exp.Null: _Builder.null,
    exp.Alias: _Builder.alias,
}


def _expand_helper(helper: Helper, column: str, values: list[str]) -> exp.Expr:
    """The helper's aggregate over order columns, with `{match}` made `column IN (values)`."""
    match = exp.In(this=exp.column(column, quoted=True), expressions=[exp.Literal.string(v) for v in values])

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            return match.copy() if node.name == _MATCH else exp.column(node.name, quoted=True)
        return node

    template = Dialect.get_or_raise(DIALECT).parse(helper.sql.replace("{match}", _MATCH))[0]
    assert template is not None
    return template.transform(swap)


def _number_value(node: exp.Expr) -> float | None:
    """The value of a number written out (possibly negative or in parentheses), else None."""
    sign = 1.0
    while isinstance(node, exp.Paren | exp.Neg):
        if isinstance(node, exp.Neg):
            sign = -sign
        node = node.this
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return sign * float(str(node.this))
        except ValueError:
            return None
    return None


def _make_function(kind: type[exp.Expr], args: list[exp.Expr]) -> exp.Expr:
    first, rest = args[0], args[1:]
    if kind in (exp.Coalesce, exp.Least, exp.Greatest):
        return kind(this=first, expressions=rest)
    if kind is exp.Nullif:
        return exp.Nullif(this=first, expression=rest[0])
    if kind is exp.Round:
        return exp.Round(this=first, decimals=rest[0]) if rest else exp.Round(this=first)
    return kind(this=first)


def _arity_message(name: str, fewest: int, most: int | None) -> str:
    if most is None:
        return f"{name}() takes at least {fewest} argument{'s' if fewest > 1 else ''}"
    if fewest == most:
        return f"{name}() takes {fewest} argument{'s' if fewest > 1 else ''}"
    return f"{name}() takes {fewest} or {most} arguments"


def _is_whole_number(node: exp.Expr) -> bool:
    if isinstance(node, exp.Neg):
        node = node.this
    return isinstance(node, exp.Literal) and not node.is_string and str(node.this).isdigit()


def _is_fixed_value(node: exp.Expr) -> bool:
    if isinstance(node, exp.Neg):
        return isinstance(node.this, exp.Literal) and not node.this.is_string
    return type(node) in (exp.Literal, exp.Boolean, exp.Null)


def _unknown_name(written: str, names: Mapping[str, str], *, quoted: bool) -> str:
    suggestion = did_you_mean(written, names)
    if suggestion:
        return f"unknown name '{written}'{suggestion}"
    if quoted:
        return f"unknown name '{written}' (text values take single quotes: '{written}')"
    return f"unknown name '{written}' (`tiercli metrics` lists every name; text values take single quotes)"


def _function_name(node: exp.Expr, calls: tuple[str, ...]) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        spellings = [n.lower() for n in node.sql_names()]
        return next((c for c in calls if c in spellings), spellings[0])
    return node.key


def _refusal(node: exp.Expr, calls: tuple[str, ...] = (), aggregate: bool = False) -> str:
    """A message naming the construct that is not allowed (`aggregate`: in a custom metric)."""
    allowed = ", ".join(ALLOWED_FUNCTIONS)
    if isinstance(node, exp.Query | exp.Exists):
        if aggregate:
            return ("subqueries and SELECT are not allowed: a custom metric is one aggregate over a customer's "
                    "order lines")
        return "subqueries and SELECT are not allowed: a rule is one condition over a customer's metrics"
    if aggregate and isinstance(node, exp.AggFunc | exp.Anonymous) and not isinstance(node, exp.Window):
        name = _function_name(node, calls)
        known = {*ALLOWED_FUNCTIONS, *ALLOWED_AGGREGATES, *_HELPERS}
        name = name if name in calls else next((c for c in calls if c not in known), name)
        return (f"function '{name}' is not allowed{did_you_mean(name, [*ALLOWED_AGGREGATES, *ALLOWED_FUNCTIONS])}; "
                f"aggregates: {', '.join(ALLOWED_AGGREGATES)}; functions: {allowed}")
    if isinstance(node, exp.Window):
        return "window functions (OVER) are not allowed"
    if isinstance(node, exp.Cast):
        return "type casts (CAST, ::, DATE '…') are not allowed"
    if isinstance(node, exp.Placeholder | exp.Parameter):
        return "parameters ($1, ?, :name) are not allowed; use names and values"
    if isinstance(node, exp.Star):
        return "'*' is not allowed"
    if isinstance(node, exp.AggFunc):
        return (f"aggregate function '{_function_name(node, calls)}' is not allowed in a rule: rules read "
                "per-customer metrics such as monetary (`tiercli metrics` lists them); define an aggregate under "
                "`metrics:` and use its name")
    if isinstance(node, exp.Anonymous):
        name = _function_name(node, calls)
        suggestion = did_you_mean(name, [*ALLOWED_FUNCTIONS, *_HELPERS])
        return f"unknown function '{name}'{suggestion}; allowed functions: {allowed}"
    for kind, message in _NOT_ALLOWED.items():
        if isinstance(node, kind):
            return message
    if type(node) is exp.If:
        return "function 'if' is not allowed; write case when … then … else … end"
    if isinstance(node, exp.Func):
        return f"function '{_function_name(node, calls)}' is not allowed; allowed functions: {allowed}"
    return f"'{node.key}' is not allowed"


def _user_sql(node: exp.Expr) -> str:
    return node.sql(dialect=DIALECT, comments=False, normalize_functions="lower")


# --- is it a condition? ---

def _non_condition(node: exp.Expr, booleans: frozenset[str] = frozenset()) -> exp.Expr | None:
    """The first part of a would-be condition that is a value instead, or None. `booleans`: names (case-folded)
    that are true/false on their own."""
    if isinstance(node, exp.Paren | exp.Not):
        return _non_condition(node.this, booleans)
    if isinstance(node, exp.And | exp.Or):
        return _non_condition(node.left, booleans) or _non_condition(node.right, booleans)
    if isinstance(node, _COMPARISONS) or isinstance(node, exp.Boolean | exp.LogicalOr | exp.LogicalAnd):
        return None
    if isinstance(node, exp.Anonymous) and str(node.name).lower() == "bought":
        return None
    if isinstance(node, exp.Column) and node.name.casefold() in booleans:
        return None
    if isinstance(node, exp.Case):
        results = [b.args.get("true") for b in node.args.get("ifs") or []] + [node.args.get("default")]
        for result in results:
            if isinstance(result, exp.Expr) and _non_condition(result, booleans) is not None:
                return node
        return None
    return node


def _condition_problems(tree: exp.Expr, booleans: frozenset[str] = frozenset()) -> list[str]:
    problems: list[str] = []
    bad = _non_condition(tree, booleans)
    if bad is tree:
        problems.append(CONDITION_HINT)
    elif bad is not None:
        problems.append(f"'{_user_sql(bad)}' {CONDITION_HINT}")
    for case in tree.find_all(exp.Case):
        if case.args.get("this") is not None:
            continue
        for branch in case.args.get("ifs") or []:
            test = branch.this
            if _non_condition(test, booleans) is not None:
                problems.append(f"'{_user_sql(test)}' after 'when' {CONDITION_HINT}")
    return problems


# --- kinds of values ---

_KIND_PHRASE = {"number": "a number", "text": "text", "time": "a date/time", "bool": "true/false"}
_ARITHMETIC: dict[type[exp.Expr], str] = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}
_NUMERIC_FUNCTIONS = (exp.Abs, exp.Ceil, exp.Floor, exp.Round)
_TEXT_FUNCTIONS = (exp.Lower, exp.Upper, exp.Length)
_SAME_KIND_FUNCTIONS = (exp.Coalesce, exp.Least, exp.Greatest, exp.Nullif)


def display(node: exp.Expr) -> str:
    """An expression as a user would write it: names unquoted where they can be."""
    def unquote(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Identifier) and re.fullmatch(r"[^\W\d]\w*(\(.*\))?", n.name):  # names, helper calls
            return exp.Identifier(this=n.name, quoted=False)
        return n
    return node.transform(unquote).sql(dialect=DIALECT, comments=False, normalize_functions="lower")


class _KindCheck:
    """Infers the kind of each part of a rebuilt tree and reports the parts used as the wrong kind."""

    def __init__(self, kinds: Mapping[str, str]) -> None:
        self.kinds = kinds
        self.problems: list[str] = []

    def report(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def want(self, node: exp.Expr, kind: str, user: str) -> None:
        found = self.of(node)
        if found is not None and found != kind:
            hint = "; use day counts such as recency_days or tenure_days" if found == "time" else ""
            self.report(f"{user} needs {_KIND_PHRASE[kind]}, but {display(node)} is {_KIND_PHRASE[found]}{hint}")

    def same(self, nodes: list[exp.Expr], user: str) -> str | None:
        kinds = [k for k in (self.of(n) for n in nodes) if k is not None]
        if len(set(kinds)) > 1:
            self.report(f"{user} mixes {_KIND_PHRASE[kinds[0]]} and "
                        f"{_KIND_PHRASE[next(k for k in kinds if k != kinds[0])]}; give it values of one kind")
            return None
        return kinds[0] if kinds else None

    def compare(self, left: exp.Expr, right: exp.Expr) -> None:
        a, b = self.of(left), self.of(right)
        if a is None or b is None or a == b:
            return
        for one, other_kind in ((left, b), (right, a)):
            if other_kind == "time" and isinstance(one, exp.Literal) and one.is_string:
                if not _is_date_text(str(one.this)):
                    self.report(f"'{one.this}' is not a date; write it as 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'")
                return
        hint = ""
        for one, other_kind in ((left, b), (right, a)):
            if isinstance(one, exp.Literal) and one.is_string and other_kind == "number":
                hint = f"; write the number without quotes: {one.this}" if _NUMBER.fullmatch(str(one.this)) else ""
            elif isinstance(one, exp.Literal) and not one.is_string and other_kind == "text":
                hint = f"; text values take single quotes: '{one.this}'"
        if "time" in (a, b) and not hint:
            hint = "; compare day counts such as recency_days, or a date in quotes such as '2024-01-01'"
        self.report(f"can't compare {display(left)} ({_KIND_PHRASE[a]}) with {display(right)} "
                    f"({_KIND_PHRASE[b]}){hint}")

    def of(self, node: exp.Expr) -> str | None:
        if isinstance(node, exp.Paren):
            return self.of(node.this)
        if isinstance(node, exp.Column):
            return self.kinds.get(node.name)
        if isinstance(node, exp.Literal):
            return "text" if node.is_string else "number"
        if isinstance(node, exp.Boolean):
            return "bool"
        if isinstance(node, exp.Null | exp.Star):
            return None
        if isinstance(node, exp.Neg):
            self.want(node.this, "number", "'-'")
            return "number"
        if type(node) in _ARITHMETIC:
            for side in (node.this, node.expression):
                self.want(side, "number", f"'{_ARITHMETIC[type(node)]}'")
            return "number"
        if isinstance(node, exp.And | exp.Or):
            self.want(node.this, "bool", f"'{node.key}'")
            self.want(node.expression, "bool", f"'{node.key}'")
            return "bool"
        if isinstance(node, exp.Not):
            self.want(node.this, "bool", "'not'")
            return "bool"
        if isinstance(node, exp.EQ | exp.NEQ | exp.LT | exp.LTE | exp.GT | exp.GTE):
            self.compare(node.this, node.expression)
            return "bool"
        if isinstance(node, exp.In):
            for value in node.expressions:
                self.compare(node.this, value)
            return "bool"
        if isinstance(node, exp.Between):
            self.compare(node.this, node.args["low"])
            self.compare(node.this, node.args["high"])
            return "bool"
        if isinstance(node, exp.Like | exp.ILike):
            self.want(node.this, "text", "like")
            self.want(node.expression, "text", "like")
            return "bool"
        if isinstance(node, exp.Is):
            self.of(node.this)
            return "bool"
        if isinstance(node, exp.Case):
            return self.case(node)
        return self.function(node)

    def case(self, node: exp.Expr) -> str | None:
        subject = node.args.get("this")
        for branch in node.args.get("ifs") or []:
            if isinstance(subject, exp.Expr):
                self.compare(subject, branch.this)
            else:
                self.want(branch.this, "bool", "'when'")
        results = [b.args["true"] for b in node.args.get("ifs") or []]
        if isinstance(node.args.get("default"), exp.Expr):
            results.append(node.args["default"])
        return self.same(results, "case (its then/else values)")

    def function(self, node: exp.Expr) -> str | None:
        if isinstance(node, _NUMERIC_FUNCTIONS):
            name = _FUNCTIONS[type(node)][0]
            self.want(node.this, "number", f"{name}()")
            return "number"
        if isinstance(node, _TEXT_FUNCTIONS):
            name = _FUNCTIONS[type(node)][0]
            self.want(node.this, "text", f"{name}()")
            return "number" if isinstance(node, exp.Length) else "text"
        if isinstance(node, _SAME_KIND_FUNCTIONS):
            values = [node.this, *node.expressions]
            if isinstance(node.args.get("expression"), exp.Expr):
                values.append(node.args["expression"])
            kind = self.same(values, f"{_FUNCTIONS[type(node)][0]}()")
            return self.of(node.this) if isinstance(node, exp.Nullif) else kind
        if isinstance(node, exp.Filter):
            self.want(node.expression.this, "bool", "filter (where …)")
            return self.of(node.this)
        if type(node) in _AGGREGATES:
            name, wanted = _AGGREGATES[type(node)]
            argument = node.this
            if isinstance(argument, exp.Distinct):
                argument = argument.expressions[0]
            if wanted is not None:
                self.want(argument, wanted, f"{name}()")
            else:
                found = self.of(argument)
                if not isinstance(node, exp.Count):
                    return found
            return "bool" if wanted == "bool" and not isinstance(node, exp.CountIf) else "number"
        return None


def _is_date_text(text: str) -> bool:
    try:
        datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            date.fromisoformat(text.strip())
        except ValueError:
            return False
    return True
