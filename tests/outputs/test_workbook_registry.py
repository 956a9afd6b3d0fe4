"""The workbook is its registry: each sheet is one module of `tiercli.outputs.workbook` with a `write(ctx)`, and its
line in `WORKBOOK_SHEETS` puts it in the workbook, in that order."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import openpyxl
import pytest

from conftest import classify, write
from tiercli.outputs import workbook
from tiercli.outputs.workbook import book
from tiercli.outputs.workbook.cells import write_grid
from tiercli.outputs.workbook.context import SheetContext
from tiercli.outputs.writers import write_result

ORDERS = """
    customer_id,order_id,order_date,amount
    a,1,2024-01-05,150
    a,2,2024-05-05,2000
    b,3,2024-01-10,20
"""


def test_every_sheet_module_is_in_the_registry_once() -> None:
    writers = []
    for module in pkgutil.iter_modules(workbook.__path__):
        loaded = importlib.import_module(f"{workbook.__name__}.{module.name}")
        if callable(getattr(loaded, "write", None)):
            writers.append(loaded.write)
    assert sorted(w.__module__ for w in writers) == sorted(w.__module__ for w in book.WORKBOOK_SHEETS)
    assert len(set(book.WORKBOOK_SHEETS)) == len(book.WORKBOOK_SHEETS)


def test_the_sheets_come_in_the_registry_order(tmp_path: Path) -> None:
    result = classify(write(tmp_path, "orders.csv", ORDERS))
    out = tmp_path / "out.xlsx"
    write_result(result, str(out))
    order = [w.__module__.rsplit(".", 1)[1] for w in book.WORKBOOK_SHEETS]
    shown = [name.lower() for name in openpyxl.load_workbook(out, read_only=True).sheetnames]
    assert shown == [name for name in order if name in shown]
    assert shown[:2] == ["customers", "summary"] and shown[-2:] == ["run", "chartdata"]


def test_a_sheet_added_to_the_registry_is_written_where_it_stands(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def vip_count(ctx: SheetContext) -> None:  # a new sheet: a function of the context, and its line below
        sheet = ctx.workbook.add_worksheet("VIP")
        write_grid(sheet, ctx.formats, [[("customers", "bold"), (ctx.result.customers.num_rows, None)]])

    sheets = list(book.WORKBOOK_SHEETS)
    monkeypatch.setattr(book, "WORKBOOK_SHEETS", (*sheets[:2], vip_count, *sheets[2:]))
    result = classify(write(tmp_path, "orders.csv", ORDERS))
    out = tmp_path / "out.xlsx"
    write_result(result, str(out))
    loaded = openpyxl.load_workbook(out)
    assert loaded.sheetnames[:3] == ["Customers", "Summary", "VIP"]
    assert [c.value for c in loaded["VIP"][1]] == ["customers", 2]
