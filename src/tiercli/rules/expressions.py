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

from tiercli.errors import Location, RulesError, TiercliError, suggestion
from tiercli.messages import Said, as_is, listed, say
from tiercli.rules.model import Condition, CustomMetric
from tiercli.vocabulary.metrics import (
    EVENT_COLUMNS,
    EVENT_HELPERS,
    HELPER_COLUMNS,
    HELPERS,
    NAME_OF_ZH,
    UNIT_KINDS,
    EventHelper,
    Helper,
)

DIALECT = "duckdb"

ALLOWED_FUNCTIONS: tuple[str, ...] = (
    "abs", "ceil", "coalesce", "floor", "greatest", "least", "length", "lower", "nullif", "round", "upper",
)

CONDITION_HINT: Said = say("rules.not_a_condition")
_TEXT_QUOTES: Said = say("rules.text_quotes", value="美妆")
_EMPTY: Said = say("rules.empty_condition", example="monetary >= 1000", hint="")
_SEMICOLON: Said = say("rules.semicolon")

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
_EVENT_HELPERS: dict[str, EventHelper] = {h.name: h for h in EVENT_HELPERS}
_WINDOW = "__window__"
MOST_DAYS = 3650  # the longest window an event helper takes
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

_BITWISE: Said = say("rules.no_bitwise")
_DISTINCT_FROM: Said = say("rules.no_distinct_from")
_JSON: Said = say("rules.no_json")
_NOT_ALLOWED: dict[type[exp.Expr], Said] = {
    exp.DPipe: say("rules.no_concat"),
    exp.Pow: say("rules.no_power"),
    exp.IntDiv: say("rules.no_int_div"),
    exp.BitwiseAnd: _BITWISE,
    exp.BitwiseOr: _BITWISE,
    exp.BitwiseXor: _BITWISE,
    exp.BitwiseNot: _BITWISE,
    exp.BitwiseLeftShift: _BITWISE,
    exp.BitwiseRightShift: _BITWISE,
    exp.Glob: say("rules.no_glob"),
    exp.SimilarTo: say("rules.no_similar_to"),
    exp.RegexpLike: say("rules.no_regexp"),
    exp.Collate: say("rules.keyword_not_allowed", keyword="COLLATE"),
    exp.Escape: say("rules.keyword_not_allowed", keyword="ESCAPE"),
    exp.NullSafeEQ: _DISTINCT_FROM,
    exp.NullSafeNEQ: _DISTINCT_FROM,
    exp.Interval: say("rules.no_interval"),
    exp.Array: say("rules.no_array"),
    exp.Struct: say("rules.no_struct"),
    exp.Bracket: say("rules.no_indexing"),
    exp.Dot: say("rules.no_dotted"),
    exp.Any: say("rules.no_any"),
    exp.All: say("rules.keyword_not_allowed", keyword="ALL"),
    exp.Tuple: say("rules.no_tuples"),
    exp.Lambda: say("rules.no_lambdas"),
    exp.JSONExtract: _JSON,
    exp.JSONExtractScalar: _JSON,
    exp.RawString: say("rules.no_string_kind", kind="$$…$$"),
    exp.ByteString: say("rules.no_string_kind", kind="E'…'"),
    exp.National: say("rules.no_string_kind", kind="N'…'"),
    exp.HexString: say("rules.no_hex_string"),
}


@dataclass(frozen=True)
class HelperUse:
    """An order-level helper call lifted out of a rule: computed per customer as the column `name`."""

    name: str  # the call as a canonical text, e.g. spend(category, '美妆'); also the column name
    sql: str  # DuckDB aggregate over order columns (or over `table`)
    unit: str
    reads: frozenset[str]
    table: str = "orders"  # what the aggregate reads: orders, events or event_products


@dataclass(frozen=True)
class CheckedExpression:
    """The outcome of checking one expression: a compiled tree, or the problems that stop it."""

    text: str
    tree: exp.Expr | None  # the rebuilt tree (identifiers quoted); None when there are problems
    names: frozenset[str]  # the names it reads, as spelled in the names mapping
    problems: tuple[Said, ...]
    rendered: str = field(default="", repr=False)  # DuckDB SQL of `tree`
    helpers: tuple[HelperUse, ...] = ()  # helpers lifted out of a rule (their columns are among `names`)
    kind: str | None = None  # number | text | time | bool, when the kinds of the names are known

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems_zh(self) -> tuple[str, ...]:
        """`problems` in Chinese, in the same order."""
        return tuple(problem.zh for problem in self.problems)

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
            problems = [say("rules.not_an_aggregate", example=say("rules.metric_example"))]
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
        return _failed(text, [say("rules.expression_too_deep")])


def check_condition(
    text: str, names: Mapping[str, str], location: Location, types: Mapping[str, str] | None = None
) -> tuple[Condition | None, list[TiercliError]]:
    """A checked `Condition`, or None and one error per problem (all at `location`)."""
    checked = check_expression(text, names, types=types)
    if not checked.ok:
        return None, [TiercliError(p, location, slug="expression") for p in checked.problems]
    helpers = tuple(
        CustomMetric(name=h.name, text=h.name, sql=h.sql, kind=UNIT_KINDS[h.unit], location=location, unit=h.unit,
                     helper=True, reads=h.reads, table=h.table)
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
            problems[i] = say("rules.customer_metric_in_metric", name=found.group(1),
                              columns=listed(columns))
    if problems:
        return None, [TiercliError(p, location, slug="expression") for p in problems]
    return CustomMetric(name=name, text=text, sql=checked.sql, kind=checked.kind, location=location,
                        reads=checked.names), []


def _failed(text: str, problems: Iterable[Said]) -> CheckedExpression:
    unique = list(dict.fromkeys((str(p), p.zh) for p in problems))
    return CheckedExpression(text, None, frozenset(), tuple(Said(en, zh) for en, zh in unique))



# --- text and tokens ---

def _check_text(text: str) -> tuple[list[Token], list[Said]]:
    if not text.strip():
        return [], [_EMPTY]
    try:
        tokens = Dialect.get_or_raise(DIALECT).tokenize(text)
    except TokenError:
        return [], [_unclosed_quote(text)]
    if not tokens:
        return [], [_EMPTY]
    return tokens, _token_problems(tokens)


def _called_names(tokens: list[Token]) -> tuple[str, ...]:
    """Lower-cased words directly followed by '(' — function names as the user spelt them."""
    return tuple(
        token.text.lower() for token, after in itertools.pairwise(tokens)
        if after.token_type == TokenType.L_PAREN and token.token_type != TokenType.STRING
    )


def _unclosed_quote(text: str) -> Said:
    unclosed = "rules.name_quote_not_closed" if text.count('"') % 2 else "rules.quote_not_closed"
    return say("rules.syntax_error", problem=say(unclosed, hint=_TEXT_QUOTES))


def _token_problems(tokens: list[Token]) -> list[Said]:
    problems: list[Said] = _glued_numbers(tokens)
    for index, token in enumerate(tokens):
        if token.token_type not in (TokenType.STRING, TokenType.IDENTIFIER):
            problems.extend(_full_width_message(ch) for ch in dict.fromkeys(token.text) if ch in _FULL_WIDTH)
        if token.token_type == TokenType.SEMICOLON:
            problems.append(_SEMICOLON)
        elif token.token_type == TokenType.PARAMETER:
            problems.append(say("rules.parameter_token", token=token.text))
        elif token.token_type in (TokenType.LIKE, TokenType.ILIKE) and _is_function_form(tokens, index):
            problems.append(say("rules.like_as_operator", word=token.text.lower()))
    return problems


_LOOKALIKES = str.maketrans("OoIl", "0011")  # letters typed for the digits they look like


def _glued_numbers(tokens: list[Token]) -> list[Said]:
    """A number with letters straight after it (`1OOO`, `2O0`, `5k`): the tokenizer reads a number and then a
    name, and the parser would blame whatever comes next, or take the name for an alias. One problem per such
    token, at its first character: the number meant when the letters are lookalikes of digits, else an unknown
    name."""
    problems: list[Said] = []
    index = 0
    while index < len(tokens):
        start = index
        if tokens[index].token_type == TokenType.NUMBER:
            while (index + 1 < len(tokens) and tokens[index + 1].start == tokens[index].end + 1
                   and tokens[index + 1].token_type in (TokenType.NUMBER, TokenType.VAR)
                   and re.fullmatch(r"\w+", tokens[index + 1].text)):  # letters, not a full-width sign
                index += 1
        if index > start:
            glued = "".join(t.text for t in tokens[start:index + 1])
            where = say("rules.at_character", position=tokens[start].start + 1)
            number = glued.translate(_LOOKALIKES)
            if re.fullmatch(r"\d+(\.\d+)?", number):
                problems.append(say("rules.letters_for_digits", token=glued, where=where, number=number))
            else:
                problems.append(say("rules.number_with_letters", token=glued, where=where))
        index += 1
    return problems


def _full_width_message(char: str) -> Said:
    if char in "‘’“”":
        return say("rules.curly_quotes")
    return say("rules.full_width", char=char, half=_FULL_WIDTH[char])


def _is_function_form(tokens: list[Token], index: int) -> bool:
    """True for `like(a, b)`, which sqlglot reads with its arguments swapped."""
    if index + 1 >= len(tokens) or tokens[index + 1].token_type != TokenType.L_PAREN:
        return False
    before = index - 1
    if before >= 0 and tokens[before].token_type == TokenType.NOT:
        before -= 1
    return before < 0 or tokens[before].token_type not in _VALUE_END_TOKENS


# --- parsing ---

def _parse(text: str) -> exp.Expr | list[Said]:
    dialect = Dialect.get_or_raise(DIALECT)
    try:
        statements = dialect.parse(text)
    except ParseError as error:
        return [_syntax_message(error)]
    except TokenError:
        return [_unclosed_quote(text)]
    found = [s for s in statements if s is not None]
    if not found:
        return [_EMPTY]
    if len(found) > 1:
        return [_SEMICOLON]
    return found[0]


def _syntax_message(error: ParseError) -> Said:
    if not error.errors:
        return say("rules.syntax_error", problem=_clean(str(error)))  # sqlglot's own words, as it says them
    first = error.errors[0]
    description = str(first.get("description") or "")
    highlight = str(first.get("highlight") or "").strip()
    col = first.get("col")
    start = col - len(highlight) + 1 if isinstance(col, int) and highlight else col
    where = say("rules.at_character", position=start) if isinstance(start, int) else ""
    if description.startswith("Required keyword"):
        return say("rules.syntax_error", problem=say("rules.missing_after", token=highlight, where=where))
    if description.startswith("Invalid expression / Unexpected token"):
        return say("rules.syntax_error", problem=say("rules.unexpected_token", token=highlight, where=where))
    if description.startswith("Expecting )"):
        return say("rules.syntax_error", problem=say("rules.paren_missing", token=highlight, where=where))
    if "number of provided arguments" in description:
        return say("rules.syntax_error", problem=say("rules.too_many_arguments", where=where))
    return say("rules.syntax_error_near", token=highlight, where=where, detail=_clean(description))


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
        self.problems: list[Said] = []
        self.lifted: dict[str, HelperUse] = {}

    def booleans(self) -> frozenset[str]:
        """Names (case-folded) that hold true/false, so they are conditions on their own."""
        return frozenset(n.casefold() for n, k in self.types.items() if k == "bool")

    def lifted_kinds(self) -> dict[str, str]:
        return {h.name: UNIT_KINDS[h.unit] for h in self.lifted.values()}

    def refuse(self, message: Said) -> exp.Expr:
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
            return self.refuse(say("rules.something_missing", part=_user_sql(node)))
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
                return self.refuse(say("rules.division_by_zero", part=_user_sql(node)))
            if _number_value(right) is None and not isinstance(right, exp.Nullif):
                right = exp.Nullif(this=right, expression=exp.Literal.number(0))
        return type(node)(this=left, expression=right)

    def unary(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this",)):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        return type(node)(this=self.child(node, "this"))

    def is_(self, node: exp.Expr) -> exp.Expr:
        if not isinstance(node.args.get("expression"), exp.Null) or self.extras(node, ("this", "expression")):
            return self.refuse(say("rules.is_only_null"))
        return exp.Is(this=self.child(node, "this"), expression=exp.Null())

    def in_(self, node: exp.Expr) -> exp.Expr:
        extra = self.extras(node, ("this", "expressions"))
        if "query" in extra:
            return self.refuse(_refusal(node.args["query"], self.calls, self.aggregate))
        values = node.args.get("expressions") or []
        if extra or not values or not all(_is_fixed_value(v) for v in values):
            return self.refuse(say("rules.in_fixed_values"))
        return exp.In(this=self.child(node, "this"), expressions=self.children(node, "expressions"))

    def between(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this", "low", "high")):
            return self.refuse(say("rules.no_between_symmetric"))
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
            return self.refuse(say("rules.round_decimals"))
        built = [self.build(a) for a in arguments]
        rebuilt = _make_function(type(node), built)
        if isinstance(rebuilt, exp.Least | exp.Greatest):
            rebuilt.set("ignore_nulls", bool(node.args.get("ignore_nulls")))
        return rebuilt

    def column(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this",)) and isinstance(node, exp.Column):
            qualified = ".".join(p.name for p in node.parts)
            return self.refuse(say("rules.qualified_name", qualified=qualified, name=node.name))
        identifier = node.this
        if not isinstance(identifier, exp.Identifier):
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        name = self.resolve(identifier)
        if self.aggregate and not self.depth and name in self.names:
            self.problems.append(say("rules.outside_aggregate", name=name))
        return exp.column(name, quoted=True)

    def aggregate_function(self, node: exp.Expr) -> exp.Expr:
        name, _ = _AGGREGATES[type(node)]
        if not self.aggregate:
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        if self.depth:
            return self.refuse(say("rules.nested_aggregate", name=name))
        allowed: dict[type[exp.Expr], tuple[str, ...]] = {
            exp.Count: ("this", "big_int"), exp.Quantile: ("this", "quantile"),
            exp.PercentileCont: ("this", "expression"), exp.PercentileDisc: ("this", "expression")}
        if self.extras(node, allowed.get(type(node), ("this",))):
            return self.refuse(say("rules.aggregate_one_argument", name=name))
        argument = node.this
        if isinstance(argument, exp.Order):
            return self.refuse(say("rules.no_order_by", name=name))
        if isinstance(argument, exp.Star) and type(node) is not exp.Count:
            return self.refuse(say("rules.no_star_argument", name=name))
        self.depth += 1
        try:
            if isinstance(argument, exp.Star):
                built: exp.Expr = exp.Star()
            elif isinstance(argument, exp.Distinct):
                values = argument.expressions
                if not isinstance(node, _DISTINCT_OK) or len(values) != 1 or argument.args.get("on"):
                    return self.refuse(say("rules.distinct_usage"))
                built = exp.Distinct(expressions=[self.build(values[0])])
            elif isinstance(argument, exp.Expr):
                built = self.build(argument)
            else:
                return self.refuse(say("rules.aggregate_needs_argument", name=name))
        finally:
            self.depth -= 1
        self.aggregates += 1
        if isinstance(node, _QUANTILES):
            fraction = node.args.get("quantile" if isinstance(node, exp.Quantile) else "expression")
            value = _number_value(fraction) if isinstance(fraction, exp.Expr) else None
            if value is None or not 0 <= value <= 1:
                return self.refuse(say("rules.quantile_fraction", name=name))
            if isinstance(node, exp.Quantile):
                return exp.Quantile(this=built, quantile=exp.Literal.number(value))
            return type(node)(this=built, expression=exp.Literal.number(value))
        return type(node)(this=built)

    def filter_(self, node: exp.Expr) -> exp.Expr:
        inner, where = node.this, node.args.get("expression")
        if not self.aggregate or type(inner) not in _AGGREGATES:
            return self.refuse(_refusal(inner if isinstance(inner, exp.Expr) else node, self.calls, self.aggregate))
        if not isinstance(where, exp.Where) or not isinstance(where.this, exp.Expr):
            return self.refuse(say("rules.filter_form"))
        built = self.build(inner)
        self.depth += 1
        try:
            condition = self.build(where.this)
        finally:
            self.depth -= 1
        if _non_condition(where.this, self.booleans()) is not None:
            return self.refuse(say("rules.filter_needs_condition", part=_user_sql(where.this)))
        return exp.Filter(this=built, expression=exp.Where(this=condition))

    def event_helper(self, node: exp.Expr, helper: EventHelper) -> exp.Expr:
        """A helper over the behaviour events: viewed(category, '美妆'[, days]) and the like, or
        carted_not_bought(days). Lifted out as a customer column, like the order helpers."""
        name = helper.name
        arguments = list(node.expressions)
        if self.aggregate or self.depth:
            return self.refuse(say("rules.helper_nested", name=name))
        days = _whole_days(arguments[-1]) if arguments else None
        if helper.table == "event_products":
            if len(arguments) != 1 or days is None:
                return self.refuse(say("rules.event_helper_days", name=name, most=MOST_DAYS, usage=helper.usage))
            sql = helper.sql.replace("{days}", str(days))
            call = f"{name}({days})"
        else:
            values_given = arguments[1:-1] if days is not None else arguments[1:]
            first = arguments[0] if arguments else None
            if not (isinstance(first, exp.Column) and isinstance(first.this, exp.Identifier)
                    and len(first.parts) == 1 and first.name.casefold() in EVENT_COLUMNS) or not values_given:
                return self.refuse(say("rules.event_helper_arguments", name=name, columns=listed(EVENT_COLUMNS),
                                       most=MOST_DAYS, usage=helper.usage))
            column = first.name.casefold()
            values: list[str] = []
            for value in values_given:
                if not (isinstance(value, exp.Literal) and value.is_string):
                    return self.refuse(say("rules.helper_text_values", name=name, column=column,
                                           value=_user_sql(value)))
                values.append(str(value.this))
            window: exp.Expr = exp.true() if days is None else exp.LT(
                this=exp.column("age_days", quoted=True), expression=exp.Literal.number(days))
            sql = _expand(helper.sql.replace("{window}", _WINDOW), column, values, window).sql(
                dialect=DIALECT, comments=False)
            quoted = ", ".join(exp.Literal.string(v).sql(dialect=DIALECT) for v in values)
            call = f"{name}({column}, {quoted}{'' if days is None else f', {days}'})"
        self.lifted.setdefault(call, HelperUse(call, sql, helper.unit, frozenset(), table=helper.table))
        self.used.add(call)
        return exp.column(call, quoted=True)

    def helper(self, node: exp.Expr) -> exp.Expr:
        name = str(node.name).lower()
        if name in _EVENT_HELPERS:
            return self.event_helper(node, _EVENT_HELPERS[name])
        helper = _HELPERS.get(name)
        if helper is None:
            return self.refuse(_refusal(node, self.calls, self.aggregate))
        usage = say("rules.helper_usage", name=name)
        arguments = list(node.expressions)
        if len(arguments) < 2:
            return self.refuse(say("rules.helper_arguments", name=name, usage=usage))
        first = arguments[0]
        columns = listed(HELPER_COLUMNS)
        if not (isinstance(first, exp.Column) and isinstance(first.this, exp.Identifier) and len(first.parts) == 1):
            return self.refuse(say("rules.helper_first_column", name=name, columns=columns, usage=usage))
        column = first.name.casefold()
        if column not in HELPER_COLUMNS:
            hint = suggestion(column, HELPER_COLUMNS) or say("rules.use_one_of", choices=columns)
            return self.refuse(say("rules.helper_column", name=name, column=first.name, hint=hint))
        values: list[str] = []
        for value in arguments[1:]:
            if not (isinstance(value, exp.Literal) and value.is_string):
                return self.refuse(say("rules.helper_text_values", name=name, column=column, value=_user_sql(value)))
            values.append(str(value.this))
        if self.depth:
            return self.refuse(say("rules.helper_nested", name=name))
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
            return self.refuse(say("rules.bad_number", value=value))
        return exp.Literal.number(value)

    def boolean(self, node: exp.Expr) -> exp.Expr:
        return exp.Boolean(this=bool(node.this))

    def null(self, node: exp.Expr) -> exp.Expr:
        return exp.Null()

    def alias(self, node: exp.Expr) -> exp.Expr:
        return self.refuse(say("rules.unexpected_alias", alias=node.alias, part=_user_sql(node.this)))


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
    return _expand(helper.sql, column, values)


def _expand(sql: str, column: str, values: list[str], window: exp.Expr | None = None) -> exp.Expr:
    """A helper's aggregate, with `{match}` made `column IN (values)` and the window placeholder `window`; every
    value a string literal of the tree, every name a quoted identifier."""
    match = exp.In(this=exp.column(column, quoted=True), expressions=[exp.Literal.string(v) for v in values])

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            if node.name == _MATCH:
                return match.copy()
            if node.name == _WINDOW and window is not None:
                return window.copy()
            return exp.column(node.name, quoted=True)
        return node

    template = Dialect.get_or_raise(DIALECT).parse(sql.replace("{match}", _MATCH))[0]
    assert template is not None
    return template.transform(swap)


def _whole_days(node: exp.Expr) -> int | None:
    """A number of days written as a whole number from 1 to MOST_DAYS, else None."""
    value = _number_value(node)
    if value is None or value != int(value) or not 1 <= value <= MOST_DAYS:
        return None
    return int(value)


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


def _arity_message(name: str, fewest: int, most: int | None) -> Said:
    if most is None:
        if fewest > 1:
            return say("rules.arguments_at_least", name=name, fewest=fewest)
        return say("rules.arguments_at_least_one", name=name, fewest=fewest)
    if fewest == most:
        if fewest > 1:
            return say("rules.arguments_exactly", name=name, fewest=fewest)
        return say("rules.arguments_one", name=name, fewest=fewest)
    return say("rules.arguments_between", name=name, fewest=fewest, most=most)


def _is_whole_number(node: exp.Expr) -> bool:
    if isinstance(node, exp.Neg):
        node = node.this
    return isinstance(node, exp.Literal) and not node.is_string and str(node.this).isdigit()


def _is_fixed_value(node: exp.Expr) -> bool:
    if isinstance(node, exp.Neg):
        return isinstance(node.this, exp.Literal) and not node.this.is_string
    return type(node) in (exp.Literal, exp.Boolean, exp.Null)


def _unknown_name(written: str, names: Mapping[str, str], *, quoted: bool) -> Said:
    hint = suggestion(written, names)
    if not hint:
        hint = (say("rules.aside", text=say("rules.text_quotes", value=written)) if quoted
                else say("rules.names_hint"))
    return say("rules.unknown_name", name=written, hint=hint)


def _function_name(node: exp.Expr, calls: tuple[str, ...]) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        spellings = [n.lower() for n in node.sql_names()]
        return next((c for c in calls if c in spellings), spellings[0])
    return node.key


def _refusal(node: exp.Expr, calls: tuple[str, ...] = (), aggregate: bool = False) -> Said:
    """A message naming the construct that is not allowed (`aggregate`: in a custom metric)."""
    allowed = listed(ALLOWED_FUNCTIONS)
    if isinstance(node, exp.Query | exp.Exists):
        return say("rules.subquery_in_metric") if aggregate else say("rules.subquery_in_rule")
    if aggregate and isinstance(node, exp.AggFunc | exp.Anonymous) and not isinstance(node, exp.Window):
        name = _function_name(node, calls)
        known = {*ALLOWED_FUNCTIONS, *ALLOWED_AGGREGATES, *_HELPERS, *_EVENT_HELPERS}
        name = name if name in calls else next((c for c in calls if c not in known), name)
        return say("rules.function_in_metric", name=name, hint=suggestion(name, [*ALLOWED_AGGREGATES,
                                                                                 *ALLOWED_FUNCTIONS]),
                   aggregates=listed(ALLOWED_AGGREGATES), functions=allowed)
    if isinstance(node, exp.Window):
        return say("rules.no_window")
    if isinstance(node, exp.Cast):
        return say("rules.no_cast")
    if isinstance(node, exp.Placeholder | exp.Parameter):
        return say("rules.no_parameters")
    if isinstance(node, exp.Star):
        return say("rules.not_allowed", what="*")
    if isinstance(node, exp.AggFunc):
        return say("rules.aggregate_in_rule", name=_function_name(node, calls))
    if isinstance(node, exp.Anonymous):
        name = _function_name(node, calls)
        return say("rules.unknown_function", name=name,
                   hint=suggestion(name, [*ALLOWED_FUNCTIONS, *_HELPERS, *_EVENT_HELPERS]), functions=allowed)
    for kind, message in _NOT_ALLOWED.items():
        if isinstance(node, kind):
            return message
    if type(node) is exp.If:
        return say("rules.no_if")
    if isinstance(node, exp.Func):
        return say("rules.function_not_allowed", name=_function_name(node, calls), functions=allowed)
    return say("rules.not_allowed", what=node.key)


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


def _condition_problems(tree: exp.Expr, booleans: frozenset[str] = frozenset()) -> list[Said]:
    problems: list[Said] = []
    bad = _non_condition(tree, booleans)
    if bad is tree:
        problems.append(CONDITION_HINT)
    elif bad is not None:
        problems.append(say("rules.part_not_condition", part=_user_sql(bad), problem=CONDITION_HINT))
    for case in tree.find_all(exp.Case):
        if case.args.get("this") is not None:
            continue
        for branch in case.args.get("ifs") or []:
            test = branch.this
            if _non_condition(test, booleans) is not None:
                problems.append(say("rules.when_not_condition", part=_user_sql(test), problem=CONDITION_HINT))
    return problems


# --- kinds of values ---

_KIND_PHRASE: dict[str, Said] = {"number": say("rules.kind_number"), "text": say("common.unit.text"),
                                 "time": say("rules.kind_time"), "bool": say("rules.kind_bool")}
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
        self.problems: list[Said] = []

    def report(self, message: Said) -> None:
        if all((str(p), p.zh) != (str(message), message.zh) for p in self.problems):
            self.problems.append(message)

    def want(self, node: exp.Expr, kind: str, user: str) -> None:
        """`user` (an operator or function as written, the same in both languages) needs a `kind` value."""
        found = self.of(node)
        if found is not None and found != kind:
            hint = say("rules.and_then", text=say("rules.use_day_counts")) if found == "time" else ""
            self.report(say("rules.needs_kind", user=user, kind=_KIND_PHRASE[kind], part=display(node),
                            found=_KIND_PHRASE[found], hint=hint))

    def same(self, nodes: list[exp.Expr], user: Said) -> str | None:
        kinds = [k for k in (self.of(n) for n in nodes) if k is not None]
        if len(set(kinds)) > 1:
            first, other = kinds[0], next(k for k in kinds if k != kinds[0])
            self.report(say("rules.mixed_kinds", user=user, first=_KIND_PHRASE[first], other=_KIND_PHRASE[other]))
            return None
        return kinds[0] if kinds else None

    def compare(self, left: exp.Expr, right: exp.Expr) -> None:
        a, b = self.of(left), self.of(right)
        if a is None or b is None or a == b:
            return
        for one, other_kind in ((left, b), (right, a)):
            if other_kind == "time" and isinstance(one, exp.Literal) and one.is_string:
                if not _is_date_text(str(one.this)):
                    self.report(say("rules.not_a_date", value=one.this))
                return
        hint = as_is("")
        for one, other_kind in ((left, b), (right, a)):
            if isinstance(one, exp.Literal) and one.is_string and other_kind == "number":
                number = _NUMBER.fullmatch(str(one.this))
                hint = (say("rules.and_then", text=say("rules.number_unquoted", value=one.this)) if number
                        else as_is(""))
            elif isinstance(one, exp.Literal) and not one.is_string and other_kind == "text":
                hint = say("rules.and_then", text=say("rules.text_quotes", value=one.this))
        if "time" in (a, b) and not hint:
            hint = say("rules.and_then", text=say("rules.compare_day_counts"))
        self.report(say("rules.cannot_compare", left=display(left), left_kind=_KIND_PHRASE[a], right=display(right),
                        right_kind=_KIND_PHRASE[b], hint=hint))

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
        return self.same(results, say("rules.case_values"))

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
            name = f"{_FUNCTIONS[type(node)][0]}()"
            kind = self.same(values, say("rules.function_arguments", name=name))
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
