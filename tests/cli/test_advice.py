"""Advice that leads to a run: a message that proposes a command option or a rules snippet is followed here, on
the same file, and the run must then work or stop with a different, more specific message. Every message says
what to do."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from conftest import REPO, SHARED_DATA, write
from tiercli.cli.app import app

runner = CliRunner()
FIXTURES = REPO / "tests" / "fixtures" / "platforms"
BASE: dict[str, Any] = {"tiers": [{"name": "all"}]}

# Words that tell the user what to do; every message that stops a run has one.
ACTIONS = re.compile(r"\b(map|give|say so|set|use|export|save|add|rename|remove|check|choose|write|run|read|"
                     r"convert|fix|pass|put|delete|install|make)\b", re.IGNORECASE)

HAND_MADE = {
    "ambiguous_dates.csv": "customer_id,order_id,order_date,amount\na,1,03/04/2024,10\nb,2,05/06/2024,20\n",
    "cash_on_delivery.csv": ("Name,Email,Financial Status,Paid at,Total,Created at,Lineitem quantity,Lineitem name,"
                             "Lineitem price,Currency,Subtotal,Fulfillment Status,Lineitem sku,Refunded Amount\n"
                             "#1,a@x.org,pending,,10.00,2024-01-01 10:00:00 +0000,1,A,10.00,USD,10.00,unfulfilled,"
                             "S1,0.00\n"),
    "shopify_part.csv": ("Name,Email,Financial Status,Paid at,Total,Notes\n#1,a@x.org,paid,2024-01-01 10:00:00,"
                         "10.00,\n"),
    "invoice_totals.csv": "InvoiceNo,InvoiceDate,CustomerID,TotalPrice\n1,2024-01-01,c1,9.5\n2,2024-01-02,c2,3\n",
    "unit_price_only.csv": "customer_id,order_id,order_date,unit_price,CDs\na,1,2024-01-01,10,2\n",
    "no_customer.csv": "kunde,datum,betrag\nk1,2024-01-01,5\n",
}


def _cases() -> list[pytest.param]:
    cases = [pytest.param(FIXTURES / p.name, id=f"fixture:{p.name}") for p in sorted(FIXTURES.iterdir())
             if p.suffix in {".csv", ".txt", ".xlsx"}]
    cases += [pytest.param(name, id=f"hand:{name}") for name in HAND_MADE]
    if SHARED_DATA.exists():
        cases += [pytest.param(p, id=f"real:{p.relative_to(SHARED_DATA)}") for p in sorted(SHARED_DATA.rglob("*"))
                  if p.suffix in {".csv", ".tsv", ".xlsx"}]
    return cases


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(into)
    for key, value in extra.items():
        merged[key] = _merge(merged.get(key, {}), value) if isinstance(value, dict) else value
    return merged


def _run(tmp_path: Path, path: Path, rules: dict[str, Any], *options: str) -> tuple[int, str]:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["classify", str(path), "-r", str(tmp_path / "rules.yaml"),
                                 "-o", str(tmp_path / "out.parquet"), "-q", *options])
    return result.exit_code, " ".join(result.output.split())


def _snippets(message: str) -> list[dict[str, Any]]:
    """Each `input: {…}` of the message with real values (not a `<column name>` placeholder), as rules data."""
    found = []
    for start in (m.start() for m in re.finditer(r"input: \{", message)):
        depth, end = 0, start
        for end in range(message.index("{", start), len(message)):
            depth += {"{": 1, "}": -1}.get(message[end], 0)
            if depth == 0:
                break
        text = message[start:end + 1]
        if "<" not in text:
            found.append(yaml.safe_load(text))
    return found


def _proposals(message: str) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    proposals: list[tuple[dict[str, Any], tuple[str, ...]]] = [
        ({}, ("--platform", name)) for name in dict.fromkeys(re.findall(r"--platform ([a-z0-9-]+)", message))]
    proposals += [(snippet, ()) for snippet in _snippets(message)]
    if "input: {dayfirst: true} (or false)" in message:
        proposals.append(({"input": {"dayfirst": False}}, ()))
    return proposals


@pytest.mark.parametrize("source", _cases())
def test_a_proposal_in_a_message_leads_to_a_run_or_a_more_specific_message(tmp_path: Path,
                                                                           source: Path | str) -> None:
    path = source if isinstance(source, Path) else write(tmp_path, source, HAND_MADE[source])
    code, message = _run(tmp_path, path, BASE)
    if code == 0:
        return
    assert code == 2, message
    said = message.replace(str(tmp_path), "").replace(str(path), "").replace(path.name, "")
    assert ACTIONS.search(said), f"the message says nothing to do: {message}"
    for extra, options in _proposals(message):
        again, second = _run(tmp_path, path, _merge(BASE, extra), *options)
        assert again == 0 or (again == 2 and second != message), (
            f"following {extra or ' '.join(options)} gives the same error: {second}")


def test_proposals_are_read_from_messages() -> None:
    assert _proposals("If it is that export, say so with --platform shopify-orders.") == [
        ({}, ("--platform", "shopify-orders"))]
    assert _proposals('map it as the amount: input: {columns: {amount: "Price"}}. If it is the price of one item, '
                      "map the quantity: input: {columns: {quantity: <column name>}}") == [
        ({"input": {"columns": {"amount": "Price"}}}, ())]
    assert _proposals('say so in the rules file: input: {statuses: {"pending": paid_in_progress}}') == [
        ({"input": {"statuses": {"pending": "paid_in_progress"}}}, ())]
