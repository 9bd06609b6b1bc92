"""Reading one cell: amounts, dates, kinds, identifiers — each raises ValueError with a French reason."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from relance.core.dates import parse_date
from relance.core.money import money, parse_amount

Cell = str | int | float | Decimal | date | datetime | None

KINDS = {
    "b2b": "b2b", "entreprise": "b2b", "professionnel": "b2b", "pro": "b2b", "societe": "b2b",
    "b2c": "b2c", "particulier": "b2c", "consommateur": "b2c",
    "public": "public", "b2g": "public", "administration": "public", "acheteur_public": "public",
}
DOCUMENT_KINDS = {
    "invoice": "invoice", "facture": "invoice", "f": "invoice", "380": "invoice",
    "credit_note": "credit_note", "avoir": "credit_note", "a": "credit_note", "381": "credit_note",
}


def slug(text: str) -> str:
    """'N° Facture' → 'n_facture'; 'Date d'échéance' → 'date_d_echeance'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def amount(cell: Cell) -> Decimal:
    if isinstance(cell, (int, Decimal)):
        return money(cell)
    if isinstance(cell, float):
        return money(repr(cell))
    return money(parse_amount(text(cell)))


def day(cell: Cell) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    return parse_date(text(cell))


def customer_kind(cell: Cell) -> str:
    value = slug(text(cell)) or "b2b"
    if value not in KINDS:
        raise ValueError(f"type de client inconnu : {text(cell)!r} (attendu b2b, b2c ou public)")
    return KINDS[value]


def document_kind(cell: Cell) -> str:
    value = slug(text(cell)) or "invoice"
    if value not in DOCUMENT_KINDS:
        raise ValueError(f"type de pièce inconnu : {text(cell)!r} (attendu facture ou avoir)")
    return DOCUMENT_KINDS[value]


def currency(cell: Cell) -> str:
    value = text(cell).upper() or "EUR"
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(f"devise illisible : {text(cell)!r} (code ISO à trois lettres, ex. EUR)")
    return value


def email(cell: Cell) -> str:
    value = text(cell)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(f"adresse e-mail invalide : {value!r}")
    return value.lower()


def siren_siret(cell: Cell) -> tuple[str, str]:
    """A SIREN (9 digits) or a SIRET (14 digits) → (siren, siret)."""
    value = re.sub(r"\s", "", text(cell))
    if not value:
        return "", ""
    if len(value) == 14 and stdnum_siret.is_valid(value):
        return value[:9], value
    if len(value) == 9 and stdnum_siren.is_valid(value):
        return value, ""
    raise ValueError(f"SIREN ou SIRET invalide : {value!r}")
