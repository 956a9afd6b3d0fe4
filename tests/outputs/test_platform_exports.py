"""--export-format: re-import files with each customer's levels and tags for Shopify, Youzan and Taobao."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SIMPLE_RULES, classify, write
from tiercli.errors import UsageError
from tiercli.outputs.platform_exports import EXPORT_FORMATS, check_export_format, write_platform_export
from tiercli.result import Result

BOM = b"\xef\xbb\xbf"

RULES = SIMPLE_RULES + '  - {name: 老客, when: "frequency >= 2"}\n'


def _run(tmp_path: Path, orders: str, rules: str = RULES) -> Result:
    return classify(write(tmp_path, "orders.csv", orders), rules=rules)


def _lines(path: Path, encoding: str) -> list[str]:
    return path.read_bytes().decode(encoding).split("\r\n")


def test_formats_are_named_in_order() -> None:
    assert EXPORT_FORMATS == ("shopify-tags", "youzan-tags", "taobao-groups")


def test_shopify_file_has_email_phone_and_one_tags_cell(tmp_path: Path) -> None:
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        ann@example.com,1,2024-01-01,1500
        bob@example.com,2,2024-01-01,10
        bob@example.com,3,2024-01-20,10
        nick_c,4,2023-06-01,5
        +16135551212,5,2024-01-19,3
        wang_d,6,2023-06-02,5
        """)
    path = tmp_path / "shopify.csv"
    export = write_platform_export(result, "shopify-tags", str(path))

    assert not path.read_bytes().startswith(BOM)
    lines = _lines(path, "utf-8")
    assert lines[0] == "Email,Phone,Tags"
    expected = {
        "ann@example.com": 'ann@example.com,,"big, recent"',
        "bob@example.com": 'bob@example.com,,"repeat, recent, 老客"',
        "+16135551212": ",+16135551212,\"base, recent\"",  # a phone number as Shopify matches it: no apostrophe
    }
    order = result.customers.column("customer_id").to_pylist()
    assert lines[1:] == [expected[i] for i in order if i in expected] + [""]
    assert export.path == str(path) and export.customers == 3 and export.rows == 3
    left_out = [i for i in order if i not in expected]
    assert export.warnings == [
        f"2 customers were left out: Shopify finds customers by e-mail address or phone number, and these ids are "
        f"not one: '{left_out[0]}', '{left_out[1]}'.",
    ]


def test_shopify_file_over_one_megabyte_is_warned_about(tmp_path: Path) -> None:
    orders = ["customer_id,order_id,order_date,amount"]
    orders += [f"customer{i:05d}@example.com,{i},2024-01-{1 + i % 28:02d},{i % 1500}" for i in range(30_000)]
    result = _run(tmp_path, "\n".join(orders))
    path = tmp_path / "shopify.csv"
    export = write_platform_export(result, "shopify-tags", str(path))
    size = path.stat().st_size
    assert size > 1_000_000 and export.customers == 30_000
    assert export.warnings == [
        f"{path} is {size / 1_000_000:.1f} MB, but Shopify imports customer CSV files of 1 MB or less; split it into "
        f"smaller files (keep the header row in each) before importing."]


def test_youzan_file_is_keyed_by_mainland_mobile_with_a_bom(tmp_path: Path) -> None:
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        13800138000,1,2024-01-01,1500
        +8613900139000,2,2024-01-01,10
        +8613900139000,3,2024-01-20,10
        wx_nick,4,2023-06-01,5
        """)
    path = tmp_path / "youzan.csv"
    export = write_platform_export(result, "youzan-tags", str(path))

    assert path.read_bytes().startswith(BOM)
    lines = _lines(path, "utf-8-sig")
    assert lines[0] == "手机号,tier,标签"
    expected = {"13800138000": "13800138000,big,recent", "+8613900139000": '13900139000,repeat,"recent,老客"'}
    order = result.customers.column("customer_id").to_pylist()
    assert lines[1:] == [expected[i] for i in order if i in expected] + [""]
    assert export.customers == 2 and export.rows == 2
    assert export.warnings == [
        "1 customer was left out: Youzan finds customers by mainland mobile number (11 digits, starting with 1), "
        "and this id is not one: 'wx_nick'."]


def test_taobao_file_has_a_row_per_nickname_and_group(tmp_path: Path) -> None:
    fifteen = "最近三十天内下过单的老客户群体"
    sixteen = fifteen + "们"
    rules = f"""
        version: 1
        name: test
        tiers:
          - {{name: 重要客户, when: "monetary >= 1000"}}
          - {{name: 普通客户}}
        tags:
          - {{name: {fifteen}, when: "recency_days <= 30"}}
          - {{name: {sixteen}, when: "frequency >= 2"}}
        """
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        小明,1,2024-01-01,1500
        tb_lily,2,2024-01-01,10
        tb_lily,3,2024-01-20,10
        老王,4,2023-06-01,5
        """, rules)
    path = tmp_path / "taobao.csv"
    export = write_platform_export(result, "taobao-groups", str(path))

    assert path.read_bytes().startswith(BOM)
    lines = _lines(path, "utf-8-sig")
    assert lines[0] == "买家会员名,分组名称"
    per_customer = {"小明": ["小明,重要客户", f"小明,{fifteen}"],
                    "tb_lily": ["tb_lily,普通客户", f"tb_lily,{fifteen}", f"tb_lily,{sixteen}"],
                    "老王": ["老王,普通客户"]}
    order = result.customers.column("customer_id").to_pylist()
    assert lines[1:-1] == [line for customer in order for line in per_customer[customer]]
    assert export.customers == 3 and export.rows == 6
    assert export.warnings == [
        f"Taobao group names can be at most 15 characters; these are longer: '{sixteen}' (16). Shorten them in the "
        f"rules before creating the groups."]


@pytest.mark.parametrize(("tags", "warned"), [(99, False), (100, True)])
def test_taobao_warns_beyond_one_hundred_groups(tmp_path: Path, tags: int, warned: bool) -> None:
    rules = "version: 1\nname: many\ntiers:\n  - {name: 全部}\ntags:\n"
    rules += "".join(f"  - {{name: t{i:03d}, when: \"monetary >= 0\"}}\n" for i in range(tags))
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        小明,1,2024-01-01,15
        """, rules)
    path = tmp_path / "taobao.csv"
    export = write_platform_export(result, "taobao-groups", str(path))
    assert export.rows == tags + 1
    expected = [f"Taobao allows at most 100 customer groups per shop, and this export uses {tags + 1}; leave some "
                f"out or merge them in the rules."]
    assert export.warnings == (expected if warned else [])


def test_level_sharing_a_tags_name_goes_out_with_its_grading(tmp_path: Path) -> None:
    rules = """
        version: 1
        name: test
        tiers:
          - {name: 新客, when: "monetary >= 1000"}
          - {name: 其他}
        tags:
          - {name: 新客, when: "tenure_days <= 30"}
        """
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        ann@example.com,1,2024-01-20,1500
        """, rules)
    path = tmp_path / "shopify.csv"
    write_platform_export(result, "shopify-tags", str(path))
    assert _lines(path, "utf-8")[1] == 'ann@example.com,,"tier:新客, 新客"'


def test_ids_that_look_like_formulas_get_an_apostrophe(tmp_path: Path) -> None:
    rules = """
        version: 1
        name: test
        tiers:
          - {name: VIP, when: "monetary >= 1000"}
          - {name: 其他}
        """
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        "=HYPERLINK(""http://x"",""y"")",1,2024-01-01,1500
        -dash,2,2024-01-02,5
        """, rules)
    path = tmp_path / "taobao.csv"
    export = write_platform_export(result, "taobao-groups", str(path))
    rows = set(_lines(path, "utf-8-sig")[1:-1])
    assert rows == {'"\'=HYPERLINK(""http://x"",""y"")",VIP', "'-dash,其他"}
    assert export.warnings == [
        f"Customer ids that start with =, +, -, @, a tab or a carriage return were written with a leading apostrophe "
        f"so that spreadsheets don't run them as formulas (2 in {path}); remove it if Taobao doesn't find these "
        f"customers."]


def test_an_existing_file_is_replaced_without_leftovers(tmp_path: Path) -> None:
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        小明,1,2024-01-01,15
        """)
    out = tmp_path / "out"
    out.mkdir()
    path = out / "taobao.csv"
    path.write_text("old")
    write_platform_export(result, "taobao-groups", str(path))
    assert [p.name for p in out.iterdir()] == ["taobao.csv"]
    assert _lines(path, "utf-8-sig")[:2] == ["买家会员名,分组名称", "小明,base"]


def test_an_unknown_format_is_a_usage_error_naming_the_formats(tmp_path: Path) -> None:
    message = ("--export-format must be shopify-tags, youzan-tags or taobao-groups, not 'shopify' "
               "(did you mean 'shopify-tags'?)")
    with pytest.raises(UsageError) as info:
        check_export_format("shopify")
    assert info.value.slug == "bad_export_format" and str(info.value) == message
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        小明,1,2024-01-01,15
        """)
    path = tmp_path / "x.csv"
    with pytest.raises(UsageError, match="not 'shopify'"):
        write_platform_export(result, "shopify", str(path))
    assert not path.exists()


@pytest.mark.parametrize(("name", "message"), [
    ("missing/x.csv", "the folder '{dir}/missing' does not exist; create it or give another path"),
    ("x.xlsx", "the platform export is a CSV file; give a path ending in .csv"),
])
def test_a_path_that_cant_take_the_file_is_a_usage_error(tmp_path: Path, name: str, message: str) -> None:
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        小明,1,2024-01-01,15
        """)
    path = tmp_path / name
    with pytest.raises(UsageError) as info:
        write_platform_export(result, "taobao-groups", str(path))
    assert info.value.slug == "bad_export_path"
    assert str(info.value) == f"{path}: {message.format(dir=tmp_path)}"
    assert not path.exists()


def test_a_long_list_of_unmatched_ids_is_cut_short(tmp_path: Path) -> None:
    result = _run(tmp_path, """
        customer_id,order_id,order_date,amount
        wx_b,1,2024-01-01,15
        wx_a,2,2024-01-02,15
        1380013800,3,2024-01-03,15
        23800138000,4,2024-01-04,15
        13800138000,5,2024-01-05,15
        """)
    export = write_platform_export(result, "youzan-tags", str(tmp_path / "youzan.csv"))
    order = [i for i in result.customers.column("customer_id").to_pylist() if i != "13800138000"]
    assert export.customers == 1
    assert export.warnings == [
        f"4 customers were left out: Youzan finds customers by mainland mobile number (11 digits, starting with 1), "
        f"and these ids are not one: '{order[0]}', '{order[1]}', '{order[2]}' and 1 more."]
