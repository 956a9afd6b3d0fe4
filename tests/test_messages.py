"""The catalogue of what tiercli says: every entry in both languages with the same placeholders, every key the
source says something by is in it, and every entry is said somewhere."""

from __future__ import annotations

import ast
import re
from types import ModuleType

import pytest

from conftest import REPO
from tiercli.messages import CATALOGUE, Catalogue, Said, in_lang, listed, say
from tiercli.messages.catalogue import merge_areas

SRC = REPO / "src" / "tiercli"


def _area(name: str, entries: dict[str, tuple[str, str]]) -> ModuleType:
    module = ModuleType(f"tiercli.messages.{name}")
    module.ENTRIES = entries  # type: ignore[attr-defined]
    return module


def test_an_entry_needs_both_languages_with_the_same_placeholders() -> None:
    with pytest.raises(ValueError, match=r"'x\.rows': both languages"):
        merge_areas((_area("x", {"rows": ("{n} rows", "行")}),))
    with pytest.raises(ValueError, match=r"'x\.rows': both languages"):
        merge_areas((_area("x", {"rows": ("{n} rows", "")}),))
    assert merge_areas((_area("x", {"rows": ("{n} rows", "{n} 行")}),)) == {"x.rows": ("{n} rows", "{n} 行")}


def test_every_entry_of_the_catalogue_is_written_in_both_languages() -> None:
    for key, (en, zh) in CATALOGUE.items():
        assert en and zh, key


def test_say_fills_each_language_and_a_said_value_in_its_own_language() -> None:
    said = say("common.did_you_mean", choice="tier")
    assert (str(said), said.zh) == (" (did you mean 'tier'?)", "（是否想写 'tier'？）")
    nested = say("common.did_you_mean", choice=Said("level", "等级"))
    assert in_lang(nested, "zh") == "（是否想写 '等级'？）" and in_lang(nested, "en") == " (did you mean 'level'?)"
    joined = Said("a", "甲") + " " + Said("b", "乙")
    assert (str(joined), joined.zh) == ("a b", "甲 乙")


def test_a_catalogue_of_one_area_looks_up_its_keys_then_the_areas_it_shares_words_with() -> None:
    sheets = Catalogue("outputs.sheet")
    assert sheets("Customers", "zh") == "客户" and sheets("Customers", "en") == "Customers"
    with pytest.raises(ValueError, match="no entries under 'nowhere'"):
        Catalogue("nowhere")
    with pytest.raises(KeyError):
        sheets("comma", "en")
    shared = Catalogue("outputs.sheet", also=("common",))
    assert shared("comma", "zh") == "、" and shared.said("Customers").zh == "客户"


def test_no_two_entries_say_the_same_in_both_languages() -> None:
    seen: dict[tuple[str, str], list[str]] = {}
    for key, value in CATALOGUE.items():
        seen.setdefault(value, []).append(key)
    assert [keys for keys in seen.values() if len(keys) > 1] == []


def test_listed_joins_in_each_language() -> None:
    joined = listed(["a", Said("b", "乙")], quoted=True)
    assert (str(joined), joined.zh) == ("'a', 'b'", "'a'、'乙'")
    joined = listed(["x", "y"], separator="common.and")
    assert (str(joined), joined.zh) == ("x and y", "x和y")


def _catalogues(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """name → prefixes of each `NAME = Catalogue("prefix", also=(…))` of a module, in the order looked in."""
    prefixes = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "Catalogue" and node.value.args
                and isinstance(node.value.args[0], ast.Constant)):
            also = next((ast.literal_eval(k.value) for k in node.value.keywords if k.arg == "also"), ())
            for target in node.targets:
                if isinstance(target, ast.Name):
                    prefixes[target.id] = (node.value.args[0].value, *also)
    return prefixes


def _resolved(prefixes: tuple[str, ...], key: str) -> str:
    """The catalogue key a `Catalogue` of `prefixes` finds for `key`: the first prefix that has it."""
    return next((f"{p}.{key}" for p in prefixes if f"{p}.{key}" in CATALOGUE), f"{prefixes[0]}.{key}")


def _said_keys() -> dict[str, str]:
    """Every literal key the source passes to `say`/`text`, or to a `Catalogue(prefix)` by its prefix, with where."""
    found: dict[str, str] = {}
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SRC.rglob("*.py"))}
    defined = {path: _catalogues(tree) for path, tree in trees.items()}
    everywhere = {name: prefix for names in defined.values() for name, prefix in names.items()}
    for path, tree in trees.items():
        prefixes = {**everywhere, **defined[path]}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            key = node.args[0].value
            if not isinstance(key, str):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else None
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            if name in {"say", "text"} and isinstance(func, ast.Name):
                found[key] = where
            elif name in prefixes:
                found[_resolved(prefixes[name], key)] = where
            elif name == "said" and owner in prefixes:
                found[_resolved(prefixes[owner], key)] = where
    return found


def test_every_key_the_source_says_is_in_the_catalogue() -> None:
    missing = {key: where for key, where in _said_keys().items() if key not in CATALOGUE}
    assert missing == {}


def test_the_source_check_reads_keys_through_an_area_catalogue() -> None:
    keys = _said_keys()
    assert "common.did_you_mean" in keys
    assert any(re.match(r"outputs\.sheet\.", key) for key in keys)
