"""Every error tiercli raises on purpose says it in Chinese too, and the Chinese says the same as the English.

The first test reads the source: no call of a `TiercliError` class writes its message in place (a string, an
f-string, `zh=`); each passes a `Said` from the catalogue (`say(key, …)`), which mypy checks by type. The others run
real failures through the library and compare the whole Chinese line users read, and check that the English line is
unchanged. The last one holds notes and warnings to the same rule: each is a `Said` with its Chinese.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import classify, write
from tiercli import errors
from tiercli.errors import Location, TiercliError
from tiercli.i18n import check_lang
from tiercli.messages import Said
from tiercli.rules.load import parse_rules

PACKAGE = Path(errors.__file__).resolve().parent

# RulesError takes the problems it bundles (each with its own message), not a message of its own.
BUNDLES = {"RulesError"}
ERROR_CLASSES = {
    name for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, TiercliError) and name not in BUNDLES
}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _written_in_place(node: ast.expr) -> bool:
    """Text written at the call instead of taken from the catalogue: a string, an f-string, or text joined to one."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _written_in_place(node.left) or _written_in_place(node.right)
    return False


def _without_catalogue(source: str) -> list[int]:
    """Lines of calls of an error class whose message is written in place, or that pass `zh=` beside it."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _called_name(node) not in ERROR_CLASSES:
            continue
        message = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "message"), None)
        if message is None or _written_in_place(message) or any(k.arg == "zh" for k in node.keywords):
            lines.append(node.lineno)
    return lines


def test_every_error_raised_in_the_package_takes_its_words_from_the_catalogue() -> None:
    assert {"InputError", "ColumnMappingError", "DataError", "OutputError", "UsageError"} <= ERROR_CLASSES
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "errors.py":
            continue
        found += [f"src/tiercli/{relative}:{line}" for line in _without_catalogue(path.read_text(encoding="utf-8"))]
    assert not found, "errors with words written in place (add an entry to src/tiercli/messages/<area>.py and " \
        "raise with say(key, ...)):\n" + "\n".join(found)


def test_the_source_check_finds_words_written_in_place() -> None:
    source = ('raise UsageError("no", slug="x")\nraise DataError(say("a.b"))\nraise errors.InputError(f"{x}")\n'
              'raise InputError(say("a.b"), zh="不")\nraise OutputError("a " + say("a.b"))\nraise InputError(message)\n')
    assert _without_catalogue(source) == [1, 3, 4, 5]


def test_a_missing_input_file(tmp_path: Path) -> None:
    missing = tmp_path / "orders.csv"
    with pytest.raises(TiercliError) as caught:
        classify(missing)
    assert caught.value.text("zh") == f"{missing}：找不到文件；请检查路径"
    assert str(caught.value) == f"{missing}: file not found; check the path"
    assert caught.value.text("en") == str(caught.value)


def test_a_missing_required_column(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", """
        customer_id,paid_at,sku
        A,2024-01-02,x
        """)
    with pytest.raises(TiercliError) as caught:
        classify(orders)
    assert caught.value.text("zh") == (
        f"{orders}：找不到实付金额的列（查找过：amount、revenue、total、sales、order_total、price_total、金额、实付金额）。"
        "找到的列：'customer_id'、'paid_at'、'sku'。请在规则文件中指定：input: {columns: {amount: <列名>}}")
    assert str(caught.value) == (
        f"{orders}: no column for the amount paid (looked for: amount, revenue, total, sales, order_total, "
        "price_total, 金额, 实付金额). Columns found: 'customer_id', 'paid_at', 'sku'. Map it in the rules file: "
        "input: {columns: {amount: <column name>}}")


def test_an_unknown_metric_in_a_rule_and_its_suggestion() -> None:
    with pytest.raises(TiercliError) as caught:
        parse_rules('version: 1\ntiers:\n  - {name: 大客户, when: "monetery >= 100"}\n  - {name: 普通}\n')
    assert caught.value.text("zh") == "rules.yaml:3 tiers[0] '大客户' → when：未知的名称 'monetery'（是否想写 'monetary'？）"
    assert str(caught.value) == "rules.yaml:3 tiers[0] '大客户' → when: unknown name 'monetery' (did you mean 'monetary'?)"


def test_a_rules_file_with_several_problems_has_one_chinese_line_each() -> None:
    text = "version: 1\ntiers:\n  - {name: big, when: \"monetary >= '100'\"}\n  - name: base\n    when: x\n"
    with pytest.raises(TiercliError) as caught:
        parse_rules(text)
    assert caught.value.text("zh").splitlines() == [
        "rules.yaml:2 tiers：没有默认等级：最后一个等级不能有 `when`；请在末尾添加，例如 - {name: 基础客户}",
        "rules.yaml:3 tiers[0] 'big' → when：无法比较 monetary（数字）和 '100'（文本）；数字请不要加引号：100",
        "rules.yaml:5 tiers[1] 'base' → when：未知的名称 'x'（`tiercli metrics` 列出了所有名称；文本值要用单引号）",
    ]
    assert str(caught.value).splitlines()[1] == (
        "rules.yaml:3 tiers[0] 'big' → when: can't compare monetary (a number) with '100' (text); write the number "
        "without quotes: 100")


def test_a_bad_date_in_a_members_file_names_row_and_column(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", """
        customer_id,paid_at,amount
        A,2024-01-02,5
        """)
    members = write(tmp_path, "members.csv", """
        customer_id,生日
        A,1990-01-01
        B,1990-13-45
        """)
    rules = 'version: 1\ntiers:\n  - {name: 熟客, when: "age >= 30"}\n  - {name: 其他}\n'
    with pytest.raises(TiercliError) as caught:
        classify(orders, rules=rules, members=str(members))
    assert caught.value.text("zh") == f"{members} 第 3 行 列 '生日'：'1990-13-45' 不是日期；日期请写成 YYYY-MM-DD"
    assert str(caught.value) == f"{members} row 3 column '生日': '1990-13-45' is not a date; write dates as YYYY-MM-DD"


def test_a_previous_run_with_a_level_the_rules_dont_know(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", """
        customer_id,paid_at,amount
        A,2024-01-02,5
        """)
    previous = write(tmp_path, "previous.csv", """
        customer_id,tier
        A,bigg
        """)
    with pytest.raises(TiercliError) as caught:
        classify(orders, previous=str(previous))
    assert caught.value.text("zh") == (
        f"{previous} 列 'tier'：分级 'tier' 中有 rules.yaml 里没有的等级：'bigg'（1 位客户，首次出现在第 2 行；"
        "是否想写 'big'？）；那里的等级是 big、repeat、base。请在文件中改名，或使用生成这份运行结果时的规则文件")
    assert str(caught.value).startswith(
        f"{previous} column 'tier': the grading 'tier' has a level that rules.yaml doesn't know: 'bigg' (1 customer, "
        "first at row 2; did you mean 'big'?)")


def test_overrides_that_cant_be_applied_list_each_row_in_chinese(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", """
        customer_id,paid_at,amount
        A,2024-01-02,5
        """)
    overrides = write(tmp_path, "overrides.csv", """
        customer,level,expires
        Z,big,
        A,big,2099-13-01
        """)
    with pytest.raises(TiercliError) as caught:
        classify(orders, overrides=str(overrides), strict=True)
    assert caught.value.text("zh").splitlines() == [
        f"{overrides}：有 2 行人工调整无法应用（--strict）：",
        f"  {overrides} 第 2 行 列 'customer'：本次运行中没有客户 'Z'",
        f"  {overrides} 第 3 行 列 'expires'：'2099-13-01' 不是日期；请写成 YYYY-MM-DD",
    ]
    assert str(caught.value).splitlines()[1] == f"  {overrides} row 2 column 'customer': no customer 'Z' in this run"


def test_an_unknown_language() -> None:
    with pytest.raises(TiercliError) as caught:
        check_lang("fr")
    assert caught.value.text("zh") == "--lang 'fr' 不是 tiercli 支持的语言；请用 en 或 zh"
    assert str(caught.value) == "--lang 'fr' is not a language tiercli speaks; use en or zh"


def test_an_error_is_shown_whole_in_each_language() -> None:
    error = TiercliError(Said("can't do that", "不行"), Location(file="a.csv", row=4, column="x"))
    assert error.text("zh") == "a.csv 第 4 行 列 'x'：不行"
    assert error.text("en") == str(error) == "a.csv row 4 column 'x': can't do that"


def test_the_breadcrumb_in_chinese_keeps_lines_and_rule_paths() -> None:
    where = Location(file="rules.yaml", line=7, path="tiers[2] '优质客户' → when")
    assert where.text("zh") == "rules.yaml:7 tiers[2] '优质客户' → when"
    assert Location(row=5, column="金额").text("zh") == "第 5 行 列 '金额'"


def _plain_notes(source: str) -> list[int]:
    """Lines where a bare string is appended to a list of notes or warnings, instead of a `Said(English, Chinese)`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"):
            continue
        target = node.func.value
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name.endswith(("notes", "warnings")) and node.args and isinstance(node.args[0], (ast.JoinedStr, ast.Constant)):
            lines.append(node.lineno)
    return lines


def test_every_note_and_warning_is_written_in_chinese_too() -> None:
    plain = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        plain += [f"src/tiercli/{relative}:{line}" for line in _plain_notes(path.read_text(encoding="utf-8"))]
    assert not plain, "notes or warnings without Chinese (append Said(english, chinese)):\n" + "\n".join(plain)
