"""A number with letters glued to it (`1OOO`, `2O0`, `5k`): `tiercli validate` names the rule, the token and its
place in the condition, proposes the number when the letters look like digits, and the proposal validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import invoke, write

RULES = """
    tiers:
      - {{name: 重要客户, when: "{condition}"}}
      - {{name: 基础客户}}
"""


@pytest.mark.parametrize(
    ("condition", "token", "number"),
    [
        ("monetary >= 1OOO and frequency >= 2", "1OOO", "1000"),
        ("frequency >= 2 and monetary >= 2O0", "2O0", "200"),
        ("monetary >= 1l0o", "1l0o", "1100"),
        ("monetary > 1.5OO or frequency > 3", "1.5OO", "1.500"),
        ("frequency >= 2 and monetary >= 1OOO", "1OOO", "1000"),
    ],
)
def test_letters_typed_for_digits_point_at_the_token_and_the_fix_validates(
    tmp_path: Path, condition: str, token: str, number: str
) -> None:
    rules = write(tmp_path, "rules.yaml", RULES.format(condition=condition))
    code, out, err = invoke("validate", str(rules), "--lang", "en")
    column = condition.index(token) + 1  # characters counted from 1, as a user counts them
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"error: {rules}:2 tiers[0] '重要客户' → when: '{token}' (at character {column}) is not a number: a letter "
        f"in place of a digit (O for 0, l or I for 1)? write {number}",
        f"1 problem in {rules}",
    ]
    assert "'and'" not in err  # the word after the token is not blamed

    proposed = re.search(r"write (\S+)$", err.splitlines()[0])
    assert proposed is not None
    fixed = write(tmp_path, "fixed.yaml", RULES.format(condition=condition.replace(token, proposed.group(1))))
    code, _, err = invoke("validate", str(fixed), "--lang", "en")
    assert code == 0, err


@pytest.mark.parametrize(
    ("condition", "token"),
    [
        ("monetary >= 5k", "5k"),
        ("monetary >= 3w and frequency >= 2", "3w"),
        ("recency_days < 30天", "30天"),
    ],
)
def test_a_number_with_other_letters_is_an_unknown_name_at_its_place(tmp_path: Path, condition: str,
                                                                     token: str) -> None:
    rules = write(tmp_path, "rules.yaml", RULES.format(condition=condition))
    code, _, err = invoke("validate", str(rules), "--lang", "en")
    column = condition.index(token) + 1
    assert code == 2
    assert err.splitlines()[0] == (
        f"error: {rules}:2 tiers[0] '重要客户' → when: unknown name '{token}' (at character {column}): a number is "
        "written in digits only (5000, not 5k) and a name does not start with a digit")
    assert len(err.splitlines()) == 2


def test_the_message_in_chinese_names_the_token_and_the_number(tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", RULES.format(condition="monetary >= 1OOO and frequency >= 2"))
    code, _, err = invoke("validate", str(rules), "--lang", "zh")
    assert code == 2
    assert "'1OOO'（第 13 个字符处）不是数字" in err and "请写成 1000" in err


@pytest.mark.parametrize("condition", ["monetary >= 1e3", "monetary >= 1000 and frequency >= 2",
                                       "monetary >= 1_000", "monetary*2 >= 1000"])
def test_numbers_written_right_are_not_taken_for_glued_letters(tmp_path: Path, condition: str) -> None:
    rules = write(tmp_path, "rules.yaml", RULES.format(condition=condition))
    code, _, err = invoke("validate", str(rules), "--lang", "en")
    assert code == 0, err
