"""Rule expressions: parse with sqlglot, allow only a small whitelist, compile to DuckDB SQL.

A rule expression is one SQL condition over a customer's metrics, e.g. ``monetary >= 1000 and
frequency >= 2``. The text is parsed with sqlglot (DuckDB dialect) and then *rebuilt* node by node from the
whitelist below into a fresh tree whose column identifiers are all quoted; anything outside the whitelist is
reported, never passed through. The SQL handed to the engine is sqlglot's rendering of that rebuilt tree, so
no user text reaches it except as a checked name or a literal value.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from tiercli.errors import Location, RulesError, TiercliError, did_you_mean
from tiercli.rules.model import Condition

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
class CheckedExpression:
    """The outcome of checking one expression: a compiled tree, or the problems that stop it."""

    text: str
    tree: exp.Expr | None  # the rebuilt tree (identifiers quoted); None when there are problems
    names: frozenset[str]  # the names it reads, as spelled in the names mapping
    problems: tuple[str, ...]
    rendered: str = field(default="", repr=False)  # DuckDB SQL of `tree`

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sql(self) -> str:
        """DuckDB SQL of the checked expression, every name a quoted identifier."""
        if self.tree is None:
            raise ValueError("expression has problems; nothing to compile")
        return self.rendered


def check_expression(text: str, names: Mapping[str, str], *, condition: bool = True) -> CheckedExpression:
    """Check `text` against the whitelist and `names`; with `condition`, it must also be a condition."""
    tokens, problems = _check_text(text)
    if problems:
        return _failed(text, problems)
    try:
        parsed = _parse(text)
        if isinstance(parsed, list):
            return _failed(text, parsed)
        builder = _Builder(names, _called_names(tokens))
        tree = builder.build(parsed)
        problems = builder.problems
        if not problems and condition:
            problems = _condition_problems(parsed)
        if problems:
            return _failed(text, problems)
        rendered = tree.sql(dialect=DIALECT, comments=False)
        return CheckedExpression(text, tree, frozenset(builder.used), (), rendered)
    except RecursionError:
        return _failed(text, ["the expression is nested too deeply; split it into simpler parts"])


def check_condition(
    text: str, names: Mapping[str, str], location: Location
) -> tuple[Condition | None, list[TiercliError]]:
    """A checked `Condition`, or None and one error per problem (all at `location`)."""
    checked = check_expression(text, names)
    if not checked.ok:
        return None, [TiercliError(p, location, slug="expression") for p in checked.problems]
    return Condition(text=text, sql=checked.sql, names=checked.names, location=location), []


def compile_condition(text: str, names: Mapping[str, str], location: Location) -> Condition:
    """A checked `Condition`; raises `RulesError` with every problem found."""
    condition, problems = check_condition(text, names, location)
    if condition is None:
        raise RulesError(problems)
    return condition


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

    def __init__(self, names: Mapping[str, str], calls: tuple[str, ...] = ()) -> None:
        self.names = names
        self.calls = calls
        self.folded: dict[str, list[str]] = {}
        for name in names:
            self.folded.setdefault(name.casefold(), []).append(name)
        self.used: set[str] = set()
        self.problems: list[str] = []

    def refuse(self, message: str) -> exp.Expr:
        self.problems.append(message)
        return exp.Null()

    def build(self, node: exp.Expr) -> exp.Expr:
        kind = type(node)
        handler = _HANDLERS.get(kind)
        if handler is None:
            return self.refuse(_refusal(node, self.calls))
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
            return self.refuse(_refusal(node, self.calls))
        return type(node)(this=self.child(node, "this"), expression=self.child(node, "expression"))

    def unary(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this",)):
            return self.refuse(_refusal(node, self.calls))
        return type(node)(this=self.child(node, "this"))

    def is_(self, node: exp.Expr) -> exp.Expr:
        if not isinstance(node.args.get("expression"), exp.Null) or self.extras(node, ("this", "expression")):
            return self.refuse("'is' only works with null: write x is null or x is not null")
        return exp.Is(this=self.child(node, "this"), expression=exp.Null())

    def in_(self, node: exp.Expr) -> exp.Expr:
        extra = self.extras(node, ("this", "expressions"))
        if "query" in extra:
            return self.refuse(_refusal(node.args["query"], self.calls))
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
            return self.refuse(_refusal(node, self.calls))
        return type(node)(
            this=self.child(node, "this"),
            expression=self.child(node, "expression"),
            negate=bool(node.args.get("negate")),
        )

    def case(self, node: exp.Expr) -> exp.Expr:
        if self.extras(node, ("this", "ifs", "default")):
            return self.refuse(_refusal(node, self.calls))
        ifs: list[exp.Expr] = []
        for branch in node.args.get("ifs") or []:
            if type(branch) is not exp.If or self.extras(branch, ("this", "true")):
                return self.refuse(_refusal(branch, self.calls))
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
            return self.refuse(_refusal(node, self.calls))
        return exp.column(self.resolve(identifier), quoted=True)

    def resolve(self, identifier: exp.Identifier) -> str:
        written = identifier.name
        if written in self.names:
            self.used.add(written)
            return written
        matches = self.folded.get(written.casefold(), [])
        if len(matches) == 1:
            self.used.add(matches[0])
            return matches[0]
        self.problems.append(_unknown_name(written, self.names, quoted=bool(identifier.args.get("quoted"))))
        return written

    def literal(self, node: exp.Expr) -> exp.Expr:
        value = node.this
        if not isinstance(value, str):
            return self.refuse(_refusal(node, self.calls))
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
    exp.Column: _Builder.column,
    exp.Literal: _Builder.literal,
    exp.Boolean: _Builder.boolean,
    exp.Null: _Builder.null,
    exp.Alias: _Builder.alias,
}


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


def _refusal(node: exp.Expr, calls: tuple[str, ...] = ()) -> str:
    """A message naming the construct that is not allowed."""
    allowed = ", ".join(ALLOWED_FUNCTIONS)
    if isinstance(node, exp.Query | exp.Exists):
        return "subqueries and SELECT are not allowed: a rule is one condition over a customer's metrics"
    if isinstance(node, exp.Window):
        return "window functions (OVER) are not allowed"
    if isinstance(node, exp.Cast):
        return "type casts (CAST, ::, DATE '…') are not allowed"
    if isinstance(node, exp.Placeholder | exp.Parameter):
        return "parameters ($1, ?, :name) are not allowed; use names and values"
    if isinstance(node, exp.Star):
        return "'*' is not allowed"
    if isinstance(node, exp.AggFunc):
        return (f"aggregate function '{_function_name(node, calls)}' is not allowed: rules read per-customer "
                "metrics such as monetary (`tiercli metrics` lists them)")
    if isinstance(node, exp.Anonymous):
        name = _function_name(node, calls)
        suggestion = did_you_mean(name, ALLOWED_FUNCTIONS)
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
    return node.sql(dialect=DIALECT, comments=False)


# --- is it a condition? ---

def _non_condition(node: exp.Expr) -> exp.Expr | None:
    """The first part of a would-be condition that is a value instead, or None."""
    if isinstance(node, exp.Paren | exp.Not):
        return _non_condition(node.this)
    if isinstance(node, exp.And | exp.Or):
        return _non_condition(node.left) or _non_condition(node.right)
    if isinstance(node, _COMPARISONS) or isinstance(node, exp.Boolean):
        return None
    if isinstance(node, exp.Case):
        results = [b.args.get("true") for b in node.args.get("ifs") or []] + [node.args.get("default")]
        for result in results:
            if isinstance(result, exp.Expr) and _non_condition(result) is not None:
                return node
        return None
    return node


def _condition_problems(tree: exp.Expr) -> list[str]:
    problems: list[str] = []
    bad = _non_condition(tree)
    if bad is tree:
        problems.append(CONDITION_HINT)
    elif bad is not None:
        problems.append(f"'{_user_sql(bad)}' {CONDITION_HINT}")
    for case in tree.find_all(exp.Case):
        if case.args.get("this") is not None:
            continue
        for branch in case.args.get("ifs") or []:
            test = branch.this
            if _non_condition(test) is not None:
                problems.append(f"'{_user_sql(test)}' after 'when' {CONDITION_HINT}")
    return problems
