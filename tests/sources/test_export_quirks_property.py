"""Generated exports with random quirks never crash and keep row accounting exact.

Each example writes the same orders the way some export might (encoding, BOM, delimiter, quoting, currency
format, title rows above the header, blank lines, a total row at the bottom, rows with no customer or no date)
and checks what a user would see: every data row is used or excluded with the right reason, and each customer's
spend is exactly the sum of their good rows.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import classify, rows_by_customer

CUSTOMERS = ["c1", "c2", "000123", "王五", "=cmd"]
BASE = datetime(2024, 1, 1, 9, 0)

order_rows = st.lists(
    st.tuples(
        st.sampled_from([*CUSTOMERS, ""]),  # "" → missing_customer
        st.integers(min_value=0, max_value=400),  # days after BASE
        st.integers(min_value=0, max_value=2_000_000),  # cents
        st.booleans(),  # a broken date → bad_date
    ),
    min_size=1, max_size=25)

export_style = st.fixed_dictionaries({
    "encoding": st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    "delimiter": st.sampled_from([",", ";", "\t"]),
    "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    "money": st.sampled_from(["{:.2f}", "¥{:,.2f}", "{:,.2f}元", "${:,.2f}"]),
    "dates": st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M:%S"]),
    "titles": st.integers(min_value=0, max_value=2),
    "blank_every": st.sampled_from([0, 2, 3]),
    "footer": st.booleans(),
    "crlf": st.booleans(),
})


def _render(rows: list[tuple[str, int, int, bool]], style: dict[str, object]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=str(style["delimiter"]), quoting=int(style["quoting"]),  # type: ignore[call-overload]
                        lineterminator="\r\n" if style["crlf"] else "\n")
    for i in range(int(style["titles"])):  # type: ignore[call-overload]
        writer.writerow([f"店铺订单导出 第{i + 1}行"])
    writer.writerow(["customer_id", "order_id", "order_date", "amount"])
    for n, (customer, days, cents, broken) in enumerate(rows, start=1):
        when = "not a date" if broken else (BASE + timedelta(days=days)).strftime(str(style["dates"]))
        writer.writerow([customer, f"A{n:05d}", when, str(style["money"]).format(cents / 100)])
        if style["blank_every"] and n % int(style["blank_every"]) == 0:  # type: ignore[call-overload]
            out.write("\r\n" if style["crlf"] else "\n")
    if style["footer"]:
        writer.writerow(["合计", "", "", str(style["money"]).format(sum(r[2] for r in rows) / 100)])
    return out.getvalue().encode(str(style["encoding"]))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=order_rows, style=export_style)
def test_quirky_exports_keep_every_row_accounted_for(rows: list[tuple[str, int, int, bool]],
                                                     style: dict[str, object], tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(_render(rows, style))
    good = [(c, cents) for c, _, cents, broken in rows if c and not broken]
    expected_reasons = Counter({"missing_customer": sum(1 for c, *_ in rows if not c),
                                "bad_date": sum(1 for c, _, _, broken in rows if c and broken),
                                "summary_row": 1 if style["footer"] else 0})
    if not good:
        return  # nothing to classify: that run stops with its own message, tested elsewhere
    result = classify(path)
    (info,) = result.inputs
    assert info.rows_read == len(rows) + (1 if style["footer"] else 0)
    assert info.rows_read == info.rows_used + info.rows_excluded
    assert info.rows_used == len(good)
    assert Counter(result.excluded_by_reason) == +expected_reasons
    spend: Counter[str] = Counter()
    for customer, cents in good:
        spend[customer] += cents
    customers = rows_by_customer(result)
    assert set(customers) == set(spend)
    assert {c: customers[c]["monetary"] for c in spend} == {c: Decimal(v) / 100 for c, v in spend.items()}
    excluded_rows = [r["row"] for r in result.excluded.to_pylist()]
    assert len(excluded_rows) == len(set(excluded_rows)) == info.rows_excluded
