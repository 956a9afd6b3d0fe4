"""The words of the workbook besides its headers, in English and Chinese: labels of its small sheets and chart
titles (the HTML report's charts share them; headers and sheet names: `tiercli.vocabulary.headers`), and lists of
names as a sentence of the outputs says them."""

from __future__ import annotations

from tiercli.messages import Catalogue

LABELS = Catalogue("outputs.label", also=("common",))
CHARTS = Catalogue("outputs.chart")
CLV_TEXT = Catalogue("outputs.clv", also=("common",))


# the Behaviour sheet's and section's words; "customers with events" is the Run sheet's (engine.run)
BEHAVIOUR_TEXT = Catalogue("outputs.behaviour", also=("outputs.label", "common"))
