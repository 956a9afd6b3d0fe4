"""Every name a rule can use carries its meaning in both languages, and every metric and score its Chinese name, in
its one record; a name added without a language fails here."""

from __future__ import annotations

import re

import pytest

from tiercli.messages import Said
from tiercli.vocabulary.metrics import HELPERS, MEMBER_ATTRIBUTES, METRICS, NAME_OF_ZH, SCORES, ZH_NAMES

HAN = re.compile(r"[\u4e00-\u9fff]")
RECORDS = [*METRICS, *SCORES, *HELPERS, *MEMBER_ATTRIBUTES]


@pytest.mark.parametrize("record", RECORDS, ids=[r.name for r in RECORDS])
def test_every_name_says_what_it_means_in_english_and_chinese(record: object) -> None:
    description = record.description  # type: ignore[attr-defined]
    assert isinstance(description, Said), "give the description as Said(English, Chinese)"
    assert str(description).strip(), f"{record.name}: no English meaning"  # type: ignore[attr-defined]
    assert HAN.search(description.zh), f"{record.name}: its Chinese meaning has no Chinese"  # type: ignore[attr-defined]


@pytest.mark.parametrize("record", [*METRICS, *SCORES], ids=[r.name for r in [*METRICS, *SCORES]])
def test_every_metric_and_score_has_a_chinese_name_in_its_record(record: object) -> None:
    zh = record.zh  # type: ignore[attr-defined]
    assert HAN.search(zh), f"{record.name}: set zh= to its Chinese name"  # type: ignore[attr-defined]
    assert ZH_NAMES[record.name] == zh and NAME_OF_ZH[zh] == record.name  # type: ignore[attr-defined]


def test_chinese_names_are_unique() -> None:
    assert len(set(ZH_NAMES.values())) == len(ZH_NAMES)
