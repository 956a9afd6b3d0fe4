"""Money as the outputs show it: the currency's sign before the amount (¥1,234.50, $1,234.50, CHF 1,234.50).
The code comes from the result (`Result.currency`: the data, else the platform, else `report.currency`); without
one, amounts are shown as plain numbers."""

from __future__ import annotations

SIGNS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$", "TWD": "NT$",
         "KRW": "₩", "INR": "₹", "AUD": "A$", "CAD": "CA$", "SGD": "S$", "NZD": "NZ$", "MXN": "MX$", "BRL": "R$"}


def sign(currency: str | None) -> str:
    """What goes before an amount: a sign (¥, $, €…), the code and a space for other currencies, or nothing."""
    if not currency:
        return ""
    return SIGNS.get(currency.upper(), currency.upper() + " ")


def money_text(value: float | None, currency: str | None, decimals: int = 2) -> str:
    """An amount as text: `¥1,234.50`, `-$12.00`; empty for None."""
    if value is None:
        return ""
    body = f"{abs(value):,.{decimals}f}"
    return f"{'-' if value < 0 else ''}{sign(currency)}{body}"


def excel_format(currency: str | None, decimals: int = 2) -> str:
    """The spreadsheet number format of money in `currency` (negative amounts with a minus sign)."""
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    prefix = sign(currency)
    if not prefix:
        return number
    quoted = '"' + prefix.replace('"', "") + '"'
    return f"{quoted}{number};-{quoted}{number}"
