"""The README's samples of output, made by running their commands.

A fenced block in README.md right after a line `<!-- sample: COMMAND -->` shows what COMMAND prints (stdout and
stderr, as a terminal would show them). The commands run in order, with bash, in one scratch folder holding the
repository's `sample_data/` and `rules.example.yaml`, so that a later command can read what an earlier one
wrote (e.g. `--previous june.xlsx`).

    python scripts/readme_samples.py          # rewrite the samples in README.md
    python scripts/readme_samples.py --check  # exit 1 and show the first difference when one has drifted

tests/test_readme.py runs the check, so a sample can't drift from what tiercli prints.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
MARKER = re.compile(r"^<!-- sample: (?P<command>.+?) -->\n```(?P<info>[^\n]*)\n(?P<shown>.*?)^```$",
                    re.MULTILINE | re.DOTALL)
LINKED = ("sample_data", "rules.example.yaml")


@dataclass(frozen=True)
class Sample:
    command: str
    shown: str  # the block's text, ending with a newline
    start: int  # where the block's text starts and ends in the README
    end: int


def samples(text: str) -> list[Sample]:
    return [Sample(m["command"], m["shown"], m.start("shown"), m.end("shown")) for m in MARKER.finditer(text)]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE"}}
    env.update(NO_COLOR="1", LANG="C.UTF-8", LC_ALL="C.UTF-8", PYTHONUNBUFFERED="1", TERM="dumb")
    env.pop("LANGUAGE", None)
    return env


def produce(found: list[Sample]) -> list[str]:
    """What each sample's command prints, run in order in one scratch folder."""
    outputs = []
    with tempfile.TemporaryDirectory(prefix="readme-samples-") as scratch:
        for name in LINKED:
            os.symlink(REPO / name, Path(scratch) / name)
        for sample in found:
            done = subprocess.run(["bash", "-o", "pipefail", "-c", sample.command], cwd=scratch, env=_environment(),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                                  timeout=300)
            if done.returncode != 0:
                raise SystemExit(f"the README sample `{sample.command}` failed ({done.returncode}):\n{done.stdout}")
            outputs.append(done.stdout if done.stdout.endswith("\n") else done.stdout + "\n")
    return outputs


def drift(text: str) -> list[str]:
    """The differences between the README's samples and what their commands print now (empty: none)."""
    found = samples(text)
    problems = []
    for sample, output in zip(found, produce(found), strict=True):
        if sample.shown != output:
            diff = difflib.unified_diff(sample.shown.splitlines(), output.splitlines(), "README", "tiercli",
                                        lineterm="", n=1)
            problems.append(f"`{sample.command}`:\n" + "\n".join(list(diff)[:30]))
    return problems


def rewrite(text: str) -> str:
    found = samples(text)
    for sample, output in reversed(list(zip(found, produce(found), strict=True))):
        text = text[:sample.start] + output + text[sample.end:]
    return text


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    if "--check" in argv:
        problems = drift(text)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    README.write_text(rewrite(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
