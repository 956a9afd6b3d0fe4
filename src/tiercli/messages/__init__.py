"""Everything tiercli says to its users, in English and Chinese, from one catalogue.

`say("rules.unknown_key", name=…)` gives a `Said`: the English with the Chinese beside it. Errors carry one,
notes and warnings are one, and labels are looked up with `text(key, lang)` or a `Catalogue` of one area. Adding a
message is one entry in the area's module; a test fails when an entry lacks a language or a placeholder.
"""

from tiercli.messages.catalogue import CATALOGUE, Catalogue, listed, say, text
from tiercli.messages.said import Said, as_is, in_lang, placeholders

__all__ = ["CATALOGUE", "Catalogue", "Said", "as_is", "in_lang", "listed", "placeholders", "say", "text"]
