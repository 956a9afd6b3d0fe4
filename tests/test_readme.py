"""The README's samples of output are what tiercli prints (scripts/readme_samples.py makes them)."""

from __future__ import annotations

import importlib.util
import sys

from conftest import REPO


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("readme_samples", REPO / "scripts" / "readme_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_samples"] = module
    spec.loader.exec_module(module)
    return module


def test_every_sample_in_the_readme_is_what_its_command_prints() -> None:
    script = _script()
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(script.samples(text)) >= 4
    problems = script.drift(text)
    assert not problems, "README samples have drifted; run `python scripts/readme_samples.py`:\n" + \
        "\n\n".join(problems)


def test_a_drifted_sample_is_found() -> None:
    script = _script()
    text = "<!-- sample: echo hello -->\n```\nhello\n```\n\n<!-- sample: printf 'a\\nb\\n' -->\n```\na\nc\n```\n"
    problems = script.drift(text)
    assert len(problems) == 1 and "printf" in problems[0] and "+b" in problems[0]
    assert script.rewrite(text).endswith("```\na\nb\n```\n")
