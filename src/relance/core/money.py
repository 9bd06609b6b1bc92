"""The one money type: Decimal with two places, currency code kept beside it."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up (French accounting practice)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal:
    """Parse '1 234,56', '1234.56', '-12,5', '000000001234,50' into a Decimal.

    Raises ValueError with a French message when the text is not an amount.
    """
    cleaned = _SPACES.sub("", text.strip())
    if not cleaned:
        raise ValueError("montant vide")
    if "," in cleaned and "." in cleaned:
        # The last separator is the decimal one: 1.234,56 or 1,234.56
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    if cleaned.endswith("€"):
        cleaned = cleaned[:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"montant illisible : {text!r}")
    if not value.is_finite():
        raise ValueError(f"montant illisible : {text!r}")
    return value


def format_eur(value: Decimal, currency: str = "EUR") -> str:
    """French display: 1 234,56 € (narrow no-break space for thousands)."""
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(money(value)):.2f}".split(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    symbol = "€" if currency == "EUR" else currency
    thousands = NARROW_NBSP.join(groups)
    return f"{sign}{thousands},{cents}{NBSP}{symbol}"
