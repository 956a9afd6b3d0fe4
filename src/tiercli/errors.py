"""The one tree of errors tiercli raises on purpose.

Every error carries a slug (stable, for tests and scripts), a human message that says what to do (in English, and
in Chinese beside it), and where the problem is (file, line, row, column, rule path). The CLI turns any of them
into exit code 2 in one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from tiercli.messages import Said, in_lang, say, text


@dataclass(frozen=True)
class Location:
    """Where a problem is. Every part is optional; `str()` gives the breadcrumb users see."""

    file: str | None = None
    line: int | None = None
    path: str | None = None  # e.g. "tiers[2] '优质客户' → when"
    row: int | None = None  # row number as a spreadsheet shows it
    column: str | None = None

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """The breadcrumb in `lang`: "orders.csv row 5 column '金额'", in Chinese "orders.csv 第 5 行 列 '金额'"
        (rule paths stay as written)."""
        head = self.file or ""
        if self.line is not None:
            head = f"{head}:{self.line}"
        if self.row is not None:
            row = text("common.row", lang, row=self.row)
            head = f"{head} {row}" if head else row
        parts = [p for p in (head, self.path) if p]
        if self.column is not None:
            parts.append(text("common.column", lang, column=self.column))
        return " ".join(parts)


def located(where: Location, message: Said, lang: str) -> str:
    """`message` in `lang` after where it applies: "rules.yaml:3 tiers[0] 'a' → when: …" (zh: "…：…")."""
    place = where.text(lang)
    what = in_lang(message, lang)
    return text("common.located", lang, where=place, message=what) if place else what


class TiercliError(Exception):
    """Base of every expected error. `slug` names the kind; `str()` is the full one-line message in English.

    The message is a `Said` from the catalogue (`say(key, …)`), so it carries its Chinese; `text(lang)` gives the
    line users read in their language.
    """

    slug = "error"

    def __init__(self, message: Said, location: Location | None = None, slug: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.zh = message.zh
        self.location = location or Location()
        if slug is not None:
            self.slug = slug

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """The full one-line message in `lang` (en or zh): where, then what."""
        return located(self.location, Said(self.message, self.zh), lang)


class InputError(TiercliError):
    """A file that can't be read: missing, empty, not a spreadsheet, undecodable."""

    slug = "input"


class ColumnMappingError(TiercliError):
    """The columns tiercli needs can't be found or are unusable."""

    slug = "column_mapping"


class DataError(TiercliError):
    """The data as a whole can't be used (e.g. no order left, ambiguous dates)."""

    slug = "data"


class RulesError(TiercliError):
    """A rules file problem. `problems` holds every problem found (validate reports them all)."""

    slug = "rules"

    def __init__(self, problems: list[TiercliError]) -> None:
        self.problems = problems
        super().__init__(Said("\n".join(str(p) for p in problems), "\n".join(p.text("zh") for p in problems)),
                         slug="rules")

    def __str__(self) -> str:
        return self.message

    def text(self, lang: str) -> str:
        """Every problem's message in `lang`, one per line."""
        return "\n".join(p.text(lang) for p in self.problems)


class OutputError(TiercliError):
    """The output can't be written where asked."""

    slug = "output"


class ResourceError(TiercliError):
    """The run needs more of the machine (memory, disk) than it was given."""

    slug = "resource"


class UsageError(TiercliError):
    """Options that don't fit together."""

    slug = "usage"


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C is SIGINT, a service manager's stop is SIGTERM); `signal` is its
    number. Raised by the CLI's signal handlers, so that every open file and temp folder is cleaned up on the way
    out, whichever of the two arrived."""

    last = 2  # the number of the last signal that stopped a run (SIGINT until one arrives)

    def __init__(self, signal: int) -> None:
        super().__init__(signal)
        self.signal = signal
        Interrupted.last = signal


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word`, or None when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def meant(choice: str | None, lang: str = "en") -> str:
    """' (did you mean 'x'?)' (zh: '（是否想写 'x'？）') for `choice`, or '' for None."""
    return "" if choice is None else in_lang(say("common.did_you_mean", choice=choice), lang)


def did_you_mean(word: str, choices: Iterable[str], lang: str = "en") -> str:
    """`meant` of the closest choice: ' (did you mean 'x'?)', or '' when nothing is close."""
    return meant(closest(word, choices), lang)


def suggestion(word: str, choices: Iterable[str]) -> Said:
    """' (did you mean 'x'?)' in both languages for the choice closest to `word`, or an empty `Said`."""
    choice = closest(word, choices)
    return Said("", "") if choice is None else say("common.did_you_mean", choice=choice)


def first_line(exc: BaseException) -> str:
    """The first line of a library's error message (or its type when it has none), for a one-line message."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
