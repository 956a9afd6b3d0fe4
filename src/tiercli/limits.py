"""Bounds on values that tiercli accepts from data: the dates a spreadsheet can show.

An order or member date outside them is a placeholder or a typo (0001-01-01, 10000-01-01, infinity): orders
with one are excluded as bad_date with its text, a members file with one stops naming the row.
"""

from __future__ import annotations

from datetime import datetime

from tiercli.messages import Said, say

FIRST_DATE = datetime(1900, 1, 1)
LAST_DATE = datetime(9999, 12, 31, 23, 59, 59, 999999)
DATE_RANGE: Said = say("sources.date_range", first=FIRST_DATE, last=LAST_DATE)  # as messages write it
