"""Rule files with known problems, one per file in tests/rule_cases: each states its exact message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tiercli.errors import RulesError
from tiercli.rules.load import check_rules, parse_rules

CASES = sorted((Path(__file__).parent.parent / "rule_cases").glob("*.yml"))


def read_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict) and isinstance(case.get("rules"), str), f"{path.name}: needs a `rules:` text"
    assert ("expect_error" in case) != bool(case.get("expect_ok")), f"{path.name}: expect_error or expect_ok"
    return case


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rule_case(path: Path) -> None:
    case = read_case(path)
    if case.get("expect_ok"):
        assert check_rules(case["rules"]) == []
        parse_rules(case["rules"])
        return
    with pytest.raises(RulesError) as caught:
        parse_rules(case["rules"])
    assert str(caught.value) == case["expect_error"]
    assert "\n".join(str(p) for p in check_rules(case["rules"])) == case["expect_error"]
