"""Runs over time: movement between runs, upgrade-only gradings with keep_rule and grace, overrides."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlsxwriter

from conftest import classify, rows_by_customer, write
from tiercli.engine.movement import movement_sql
from tiercli.errors import DataError
from tiercli.outputs.writers import write_result
from tiercli.result import Result

HEAT = """
tiers:
  - {name: hot, when: "monetary >= 1000"}
  - {name: warm, when: "monetary >= 100"}
  - {name: cold}
"""

VIP = """
tiers:
  - {name: hot, when: "monetary >= 1000"}
  - {name: cold}
gradings:
  - name: vip
    sticky: true%s
    levels:
      - {name: gold, when: "monetary >= 1000", discount: 9}
      - {name: silver, when: "monetary >= 100"}
      - {name: member}
tags:
  - {name: loyal, when: "frequency >= 2"}
  - {name: big_spender, when: "monetary >= 1000"}
"""


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(day + " 23:59:59")


def orders(tmp_path: Path, name: str, *lines: str) -> Path:
    body = "\n".join(f"{line},2024-01-01" if line.count(",") == 2 else line for line in lines)
    return write(tmp_path, name, "customer_id,order_id,amount,order_date\n" + body + "\n")


def saved(result: Result, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    write_result(result, str(path))
    return str(path)


def levels(result: Result, grading: str) -> dict[str, tuple[object, object, object]]:
    """customer -> (previous level, level, movement) of a grading."""
    move = "movement" if grading == result.gradings[0] else f"movement_{grading}"
    return {c: (r[f"previous_{grading}"], r[grading], r[move]) for c, r in rows_by_customer(result).items()}


# --- movement ---------------------------------------------------------------------------------------------------

MOVEMENT_CASES = [
    # in previous run, in this data, previous run had kept it (lapsed), previous level, level now -> movement
    (False, True, False, None, "hot", "new"),
    (False, True, False, None, "cold", "new"),
    (True, True, False, "warm", "hot", "up"),
    (True, True, False, "cold", "warm", "up"),
    (True, True, False, "hot", "cold", "down"),
    (True, True, False, "warm", "warm", "same"),
    (True, True, True, "warm", "cold", "returned"),
    (True, True, True, "cold", "hot", "returned"),
    (True, False, False, "warm", "warm", "lapsed"),
    (True, False, True, "hot", "hot", "lapsed"),
]


@pytest.mark.parametrize(("in_previous", "in_data", "was_lapsed", "before", "now", "expected"), MOVEMENT_CASES)
def test_movement_semantics(in_previous: bool, in_data: bool, was_lapsed: bool, before: str | None, now: str,
                            expected: str) -> None:
    sql = movement_sql("now", "before", "in_data", "in_previous", "was_lapsed", ["hot", "warm", "cold"])
    got = duckdb.execute(f"SELECT {sql} FROM (SELECT ?::BOOLEAN AS in_previous, ?::BOOLEAN AS in_data, "
                         "?::BOOLEAN AS was_lapsed, ?::VARCHAR AS before, ?::VARCHAR AS now)",
                         [in_previous, in_data, was_lapsed, before, now]).fetchone()
    assert got == (expected,)


def test_three_monthly_runs_give_every_movement(tmp_path: Path) -> None:
    q1 = orders(tmp_path, "q1.csv", "up,1,150", "down,2,2000", "same,3,150", "gone,4,150", "back,5,2000")
    q2 = orders(tmp_path, "q2.csv", "up,11,2000", "down,12,150", "same,13,150", "new,14,50")
    q3 = orders(tmp_path, "q3.csv", "up,21,2000", "back,25,50", "new,24,50")
    first = classify(q1, rules=HEAT, as_of=end_of("2024-03-31"))
    second = classify(q2, rules=HEAT, as_of=end_of("2024-06-30"), previous=saved(first, tmp_path, "q1.xlsx"))
    assert levels(second, "tier") == {
        "up": ("warm", "hot", "up"), "down": ("hot", "warm", "down"), "same": ("warm", "warm", "same"),
        "new": (None, "cold", "new"), "gone": ("warm", "warm", "lapsed"), "back": ("hot", "hot", "lapsed")}
    kept = rows_by_customer(second)["gone"]
    assert (kept["tier_why"], kept["monetary"], kept["segment"]) == (
        "warm: kept from the previous run (not in this data)", None, None)
    assert "2 customers of the previous run are not in this data: kept with their previous level, movement " \
           "'lapsed'" in second.notes

    third = classify(q3, rules=HEAT, as_of=end_of("2024-09-30"), previous=saved(second, tmp_path, "q2.xlsx"))
    assert levels(third, "tier") == {
        "up": ("hot", "hot", "same"), "back": ("hot", "cold", "returned"), "new": ("cold", "cold", "same"),
        "gone": ("warm", "warm", "lapsed"), "down": ("warm", "warm", "lapsed"), "same": ("warm", "warm", "lapsed")}

    report = third.movement
    assert report is not None and report.previous == str(tmp_path / "q2.xlsx")
    counts = report.gradings[0].counts
    assert counts[["movement", "customers", "revenue"]].values.tolist() == [
        ["new", 0, 0.0], ["up", 0, 0.0], ["down", 0, 0.0], ["same", 2, 2050.0], ["returned", 1, 50.0],
        ["lapsed", 3, 0.0]]
    matrix = report.gradings[0].customers
    assert matrix.loc["hot"].tolist() == [1, 0, 1, 0, 2]  # hot, warm, cold, (not in this data), total
    assert matrix.loc["warm"].tolist() == [0, 0, 0, 3, 3]
    assert report.movers.to_pylist() == [
        {"customer_id": "back", "grading": "tier", "previous": "hot", "current": "cold", "movement": "returned",
         "monetary": 50, "why": "cold: no rule above matched"}]
    assert report.lapsed.to_pylist() == [{"customer_id": "down", "tier": "warm"}, {"customer_id": "gone",
                                                                                     "tier": "warm"},
                                         {"customer_id": "same", "tier": "warm"}]


def test_the_movement_sheet_shows_counts_matrices_and_lists(tmp_path: Path) -> None:
    q1 = orders(tmp_path, "q1.csv", "up,1,150", "gone,2,150")
    q2 = orders(tmp_path, "q2.csv", "up,11,2000", "new,12,50")
    first = classify(q1, rules=HEAT, as_of=end_of("2024-03-31"))
    second = classify(q2, rules=HEAT, as_of=end_of("2024-06-30"), previous=saved(first, tmp_path, "q1.xlsx"))
    book = openpyxl.load_workbook(saved(second, tmp_path, "q2.xlsx"), read_only=True)
    assert book.sheetnames == ["Customers", "Summary", "Segments", "Lifecycle", "Thresholds", "Movement", "Excluded", "Run",
                               "ChartData"]
    rows = [[c for c in row if c is not None] for row in book["Movement"].iter_rows(values_only=True)]
    assert rows[0] == ["previous run", str(tmp_path / "q1.xlsx")]
    assert ["new", 1, 50, "not in the previous run"] in rows
    assert ["up", 1, 2000, "in both runs' data, now at a higher level (one listed earlier in the rules)"] in rows
    start = rows.index(["tier: customers, previous level (rows) × level now (columns)"])
    assert rows[start + 1:start + 7] == [
        ["previous \\ current", "hot", "warm", "cold", "(not in this data)", "total"],
        ["(new)", 0, 0, 1, 0, 1], ["hot", 0, 0, 0, 0, 0], ["warm", 1, 0, 0, 1, 2], ["cold", 0, 0, 0, 0, 0],
        ["total", 1, 0, 1, 1, 3]]
    start = rows.index(["Movers: up, down, returned"])
    assert rows[start + 1:start + 3] == [
        ["customer_id", "grading", "previous", "current", "movement", "monetary", "why"],
        ["up", "tier", "warm", "hot", "up", 2000, "hot: monetary >= 1000"]]
    start = rows.index(["In the previous run, not in this data (kept with their previous level)"])
    assert rows[start + 1:] == [["customer_id", "tier"], ["gone", "warm"]]
    run = {r[0]: r[1] for r in book["Run"].iter_rows(values_only=True) if r[0]}
    assert run["previous run"] == str(tmp_path / "q1.xlsx")
    assert len(run["previous run sha256"]) == 64
    assert run["kept from the previous run (not in this data)"] == "1"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet"])
def test_an_output_round_trips_as_the_previous_run(tmp_path: Path, suffix: str) -> None:
    data = orders(tmp_path, "o.csv", "000123,1,2000", "-5,2,150", "=x,3,5", "1234567890123456789,4,150")
    rules = VIP % ""
    first = classify(data, rules=rules)
    again = classify(data, rules=rules, previous=saved(first, tmp_path, "first" + suffix))
    assert levels(again, "vip") == {
        "000123": ("gold", "gold", "same"), "-5": ("silver", "silver", "same"), "=x": ("member", "member", "same"),
        "1234567890123456789": ("silver", "silver", "same")}
    assert {c: r["movement"] for c, r in rows_by_customer(again).items()} == dict.fromkeys(levels(again, "vip"),
                                                                                              "same")
    assert "vip: upgrade-only: 0 held at their previous level" in again.notes


# --- upgrade-only ------------------------------------------------------------------------------------------------


def test_an_upgrade_only_grading_holds_the_previous_level(tmp_path: Path) -> None:
    q1 = orders(tmp_path, "q1.csv", "a,1,2000", "b,2,150", "c,3,50")
    q2 = orders(tmp_path, "q2.csv", "a,11,50", "b,12,2000", "c,13,20")
    first = classify(q1, rules=VIP % "")
    second = classify(q2, rules=VIP % "", previous=saved(first, tmp_path, "q1.xlsx"))
    assert levels(second, "vip") == {"a": ("gold", "gold", "same"), "b": ("silver", "gold", "up"),
                                     "c": ("member", "member", "same")}
    assert levels(second, "tier")["a"] == ("hot", "cold", "down")  # not upgrade-only: goes down
    rows = rows_by_customer(second)
    assert rows["a"]["vip_why"] == "gold (9折): held (upgrade-only); this data gives member: no rule above matched"
    assert dict(second.run)["vip"] == "upgrade-only: 1 held at their previous level"
    assert "vip: upgrade-only: 1 held at their previous level" in second.notes


def test_without_a_previous_run_an_upgrade_only_grading_says_so(tmp_path: Path) -> None:
    result = classify(orders(tmp_path, "o.csv", "a,1,2000"), rules=VIP % "")
    assert dict(result.run)["vip"] == "upgrade-only: no previous run given; levels come from this data alone"
    assert result.notes[-1] == ("vip is upgrade-only (sticky: true), but no previous run was given (--previous): "
                                "levels here come from this data alone")
    assert "previous_vip" not in result.customers.column_names and result.movement is None


def test_keep_rule_lets_a_held_customer_drop(tmp_path: Path) -> None:
    rules = VIP % '\n    keep_rule: "frequency >= 2"'
    q1 = orders(tmp_path, "q1.csv", "keeps,1,2000", "drops,2,2000")
    q2 = orders(tmp_path, "q2.csv", "keeps,11,20", "keeps,12,20", "drops,13,50")
    first = classify(q1, rules=rules)
    second = classify(q2, rules=rules, previous=saved(first, tmp_path, "q1.xlsx"))
    assert levels(second, "vip") == {"keeps": ("gold", "gold", "same"), "drops": ("gold", "member", "down")}
    rows = rows_by_customer(second)
    assert rows["keeps"]["vip_why"] == ("gold (9折): held (upgrade-only, keep_rule met: frequency >= 2); this data "
                                        "gives member: no rule above matched")
    assert rows["drops"]["vip_why"] == ("member: no rule above matched (dropped from gold: keep_rule not met: "
                                        "frequency >= 2)")
    assert dict(second.run)["vip"] == ("upgrade-only: 1 held at their previous level; 1 dropped (keep_rule not "
                                       "met: frequency >= 2)")


def test_a_grace_period_holds_until_it_ends(tmp_path: Path) -> None:
    rules = VIP % '\n    keep_rule: "frequency >= 2"\n    grace_days: 30'
    start = orders(tmp_path, "q1.csv", "slips,1,2000", "recovers,2,2000")
    first = classify(start, rules=rules, as_of=end_of("2024-03-31"))
    slipping = orders(tmp_path, "q2.csv", "slips,11,50", "recovers,12,50")
    second = classify(slipping, rules=rules, as_of=end_of("2024-06-30"), previous=saved(first, tmp_path, "1.xlsx"))
    assert levels(second, "vip") == {"slips": ("gold", "gold", "same"), "recovers": ("gold", "gold", "same")}
    rows = rows_by_customer(second)
    assert rows["slips"]["vip_grace_until"].isoformat() == "2024-07-30"
    assert rows["slips"]["vip_why"] == ("gold (9折): held in a grace period until 2024-07-30 (keep_rule not met: "
                                        "frequency >= 2); this data gives member: no rule above matched")
    assert dict(second.run)["vip"] == ("upgrade-only: 2 held at their previous level; 2 of them in a grace period "
                                       "of 30 days; 0 dropped (keep_rule not met: frequency >= 2)")

    within = orders(tmp_path, "q3.csv", "slips,21,50", "recovers,22,50", "recovers,23,50")
    third = classify(within, rules=rules, as_of=end_of("2024-07-30"), previous=saved(second, tmp_path, "2.xlsx"))
    rows = rows_by_customer(third)
    assert levels(third, "vip") == {"slips": ("gold", "gold", "same"), "recovers": ("gold", "gold", "same")}
    assert rows["slips"]["vip_grace_until"].isoformat() == "2024-07-30"  # the grace period doesn't restart
    assert rows["recovers"]["vip_grace_until"] is None  # meets the keep_rule again: held, no grace period
    assert rows["recovers"]["vip_why"].startswith("gold (9折): held (upgrade-only, keep_rule met: frequency >= 2)")

    after = orders(tmp_path, "q4.csv", "slips,31,50", "recovers,32,50")
    fourth = classify(after, rules=rules, as_of=end_of("2024-07-31"), previous=saved(third, tmp_path, "3.csv"))
    rows = rows_by_customer(fourth)
    assert levels(fourth, "vip") == {"slips": ("gold", "member", "down"), "recovers": ("gold", "gold", "same")}
    assert rows["slips"]["vip_why"] == ("member: no rule above matched (dropped from gold: keep_rule not met: "
                                        "frequency >= 2 and the grace period ended on 2024-07-30)")
    assert rows["recovers"]["vip_grace_until"].isoformat() == "2024-08-30"  # a grace period of its own starts


def test_a_grace_period_without_a_keep_rule_holds_for_that_long(tmp_path: Path) -> None:
    rules = VIP % "\n    grace_days: 10"
    first = classify(orders(tmp_path, "q1.csv", "a,1,2000"), rules=rules, as_of=end_of("2024-03-31"))
    second = classify(orders(tmp_path, "q2.csv", "a,2,5"), rules=rules, as_of=end_of("2024-04-05"),
                      previous=saved(first, tmp_path, "1.parquet"))
    assert rows_by_customer(second)["a"]["vip_why"] == (
        "gold (9折): held in a grace period until 2024-04-15 (upgrade-only); this data gives member: no rule above "
        "matched")
    third = classify(orders(tmp_path, "q3.csv", "a,3,5"), rules=rules, as_of=end_of("2024-04-16"),
                     previous=saved(second, tmp_path, "2.parquet"))
    assert rows_by_customer(third)["a"]["vip_why"] == (
        "member: no rule above matched (dropped from gold: the grace period ended on 2024-04-15)")


# --- overrides ---------------------------------------------------------------------------------------------------

OVERRIDES = """
customer,grading,level,add_tags,remove_tags,reason,expires
b,vip,gold,loyal,,大客户经理确认,2024-12-31
a,,,,big_spender,退货纠纷,
zz,tier,hot,,,typo,
a,vip,platinum,,,,
c,vip,silver,,,old promise,2024-05-31
c,,,missing,,,
c,rank,x,,,,
b,vip,silver,,,second thoughts,
"""


def test_overrides_apply_after_the_rules_and_expired_rows_are_ignored(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = orders(tmp_path, "o.csv", "a,1,2000", "a,2,10", "b,3,150", "c,4,5")
    write(tmp_path, "ov.csv", OVERRIDES)
    result = classify(data, rules=VIP % "", as_of=end_of("2024-06-30"), overrides="ov.csv")
    rows = rows_by_customer(result)
    assert {c: (r["vip"], r["tags"], r["loyal"], r["big_spender"], r["missing"]) for c, r in rows.items()} == {
        "a": ("gold", "loyal", 1, 0, 0), "b": ("silver", "loyal", 1, 0, 0),
        "c": ("member", "missing", 0, 0, 1)}  # 'missing' is no rule's tag: a tag set by hand (人工标签)
    assert result.manual_tags == ["missing"] and result.tags == ["loyal", "big_spender", "missing"]
    assert rows["b"]["vip_why"] == ("silver: override, second thoughts (ov.csv row 9); without it: silver: "
                                    "monetary >= 100")
    assert rows["b"]["overrides"] == ("ov.csv row 2: vip → gold, +loyal (大客户经理确认, until 2024-12-31); "
                                      "ov.csv row 9: vip → silver (second thoughts)")
    assert rows["a"]["overrides"] == "ov.csv row 3: −big_spender (退货纠纷)"
    assert rows["c"]["overrides"] == "ov.csv row 7: +missing"
    first = result.notes.index("overrides: 4 applied from ov.csv, 1 expired, 4 left out")
    assert result.notes[first:first + 6] == [
        "overrides: 4 applied from ov.csv, 1 expired, 4 left out",
        "ov.csv row 6: expired on 2024-05-31 (as_of is 2024-06-30); ignored",
        "ov.csv row 4 column 'customer': no customer 'zz' in this run; the row is left out",
        "ov.csv row 5 column 'level': unknown level 'platinum' of the grading 'vip'; its levels are gold, silver, "
        "member; the row is left out",
        "ov.csv row 8 column 'grading': unknown grading 'rank' (the gradings are tier, vip); the row is left out",
        "ov.csv row 9 column 'level': sets vip of 'b' again (row 2 does too); the later row wins"]
    run = dict(result.run)
    assert (run["overrides applied"], run["overrides expired"], run["overrides left out"]) == ("4", "1", "4")
    assert len(run["overrides sha256"]) == 64


def test_strict_stops_on_an_override_that_cant_be_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = orders(tmp_path, "o.csv", "a,1,2000")
    write(tmp_path, "ov.csv", "customer,level,reason\na,hot,ok\nzz,hot,typo\na,HOT,\n")
    with pytest.raises(DataError) as raised:
        classify(data, rules=HEAT, overrides="ov.csv", strict=True)
    assert str(raised.value) == (
        "ov.csv: 2 override rows can't be applied (--strict):\n"
        "  ov.csv row 3 column 'customer': no customer 'zz' in this run\n"
        "  ov.csv row 4 column 'level': unknown level 'HOT' of the grading 'tier' (did you mean 'hot'?); its levels "
        "are hot, warm, cold")


def test_an_overrides_workbook_with_a_date_cell_and_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "ov.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("改级")
    sheet.write_row(0, 0, ["客户", "等级", "原因", "到期日"])
    sheet.write_row(1, 0, ["a", "hot", "VIP 补偿"])
    sheet.write_datetime(1, 3, datetime(2024, 12, 31), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_row(2, 0, ["b", "cold", "expired"])
    sheet.write_datetime(2, 3, datetime(2024, 1, 31), book.add_format({"num_format": "yyyy/m/d"}))
    book.close()
    result = classify(orders(tmp_path, "o.csv", "a,1,5", "b,2,5000"), rules=HEAT, as_of=end_of("2024-06-30"),
                      overrides=str(path))
    assert {c: r["tier"] for c, r in rows_by_customer(result).items()} == {"a": "hot", "b": "hot"}
    assert f"{path} [改级] row 3: expired on 2024-01-31 (as_of is 2024-06-30); ignored" in result.notes
    assert rows_by_customer(result)["a"]["tier_why"] == (
        f"hot: override, VIP 补偿 ({path} [改级] row 2, until 2024-12-31); without it: cold: no rule above matched")


def test_an_override_can_lower_an_upgrade_only_level_and_the_next_run_keeps_it(tmp_path: Path) -> None:
    q1 = orders(tmp_path, "q1.csv", "a,1,2000")
    first = classify(q1, rules=VIP % "")
    lowered = classify(q1, rules=VIP % "", previous=saved(first, tmp_path, "1.xlsx"),
                       overrides=str(write(tmp_path, "ov.csv", "customer,grading,level\na,vip,silver\n")))
    assert levels(lowered, "vip") == {"a": ("gold", "silver", "down")}
    assert dict(lowered.run)["vip"] == "upgrade-only: 0 held at their previous level"
    later = classify(orders(tmp_path, "q2.csv", "a,2,150"), rules=VIP % "",
                     previous=saved(lowered, tmp_path, "2.xlsx"))
    assert levels(later, "vip") == {"a": ("silver", "silver", "same")}


def split_run(path: Path, second: list[list[str]]) -> str:
    """A run written over two Customers sheets, with a Summary sheet between them."""
    book = xlsxwriter.Workbook(str(path))
    for name, rows in (("Customers", [["a", "hot"]]), ("Summary", [["x", "y"]]), ("Customers (2)", second)):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, ["customer_id", "tier"])
        for i, row in enumerate(rows, 1):
            sheet.write_row(i, 0, row)
    book.close()
    return str(path)


def test_a_previous_run_split_over_several_sheets_is_read_whole(tmp_path: Path) -> None:
    data = orders(tmp_path, "o.csv", "a,1,2000", "b,2,2000")
    previous = split_run(tmp_path / "big.xlsx", [["b", "warm"], ["c", "cold"]])
    result = classify(data, rules=HEAT, previous=previous)
    assert levels(result, "tier") == {"a": ("hot", "hot", "same"), "b": ("warm", "hot", "up"),
                                      "c": ("cold", "cold", "lapsed")}
    wrong = split_run(tmp_path / "wrong.xlsx", [["b", "warm"], ["c", "Warm"]])
    with pytest.raises(DataError) as raised:
        classify(data, rules=HEAT, previous=wrong)
    assert str(raised.value) == (
        f"{wrong} column 'tier': the grading 'tier' has a level that rules.yaml doesn't know: 'Warm' (1 customer, "
        f"first at {wrong} [Customers (2)] row 3; did you mean 'warm'?); the levels there are hot, warm, cold. "
        "Rename them in the file, or use the rules the run was made with")
