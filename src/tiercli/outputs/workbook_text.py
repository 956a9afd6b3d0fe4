"""The words of the workbook besides its headers, in English and Chinese: labels of its small sheets and chart
titles (the HTML report's charts share them; headers and sheet names: `tiercli.vocabulary.headers`), and lists of
names as a sentence of the outputs says them."""

from __future__ import annotations

from collections.abc import Iterable

from tiercli.messages import Catalogue, Said, as_is, say

LABELS = Catalogue("outputs.label")
CHARTS = Catalogue("outputs.chart")


def listed(names: Iterable[str]) -> Said:
    """`names` one after another as a list in a sentence: "a, b, c", in Chinese "a、b、c"."""
    joined = as_is("")
    for i, name in enumerate(names):
        if i:
            joined += say("outputs.list_separator")
        joined += name
    return joined
