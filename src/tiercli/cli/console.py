"""The terminal tiercli prints to: rich's console, but every text shown is made visible first.

Names in the data and rules (levels, tags, customer ids, statuses, headers, file names) are the user's — or an
attacker's. A name holding an ANSI or OSC escape sequence would otherwise recolour the terminal, rewrite its title,
move the cursor or hide text; a bidirectional override would reorder what is shown. Each such character is shown
as its escape (`\\x1b`, `\\u202e`) instead; line breaks and tabs stay.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

from tiercli.names import readable_name

_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` with control characters (C0 but newline and tab, DEL, C1) and bidirectional controls written as
    escapes, and a file name's undecodable bytes as U+FFFD."""
    return _HIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", readable_name(text))


UNWRAPPED = 100_000  # columns of a console that is not a terminal: lines are never wrapped or cut


class TerminalConsole(Console):
    """A rich console that shows every text (printed, or a table cell) with `visible`. Printing to a file or a
    pipe rather than a terminal, it neither wraps nor cuts lines (rich would at 80 columns, or at COLUMNS) unless
    a width is given: what `diff` or `grep` reads is the whole line and every name in full."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("width") is None and not self.is_terminal:
            self.width = UNWRAPPED

    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Text:
        return super().render_str(visible(text), *args, **kwargs)
