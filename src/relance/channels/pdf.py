"""PDF production: WeasyPrint from HTML, the SEPA QR code, and where documents are stored."""

from __future__ import annotations

import base64
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import segno
from django.conf import settings

from relance.core.money import money

EPC_MAX_BYTES = 331
EPC_NAME_MAX = 70
EPC_REMITTANCE_MAX = 140
EPC_AMOUNT_MAX = Decimal("999999999.99")


class EpcError(ValueError):
    pass


def _rf_reference(reference: str) -> bool:
    """ISO 11649 creditor reference (RFxx…), valid checksum: goes in the structured field."""
    ref = reference.replace(" ", "").upper()
    if not (ref.isascii() and ref.startswith("RF") and 5 <= len(ref) <= 25 and ref[2:4].isdigit() and ref[4:].isalnum()):
        return False
    digits = "".join(str(int(c, 36)) for c in ref[4:] + ref[:4])
    return int(digits) % 97 == 1


def epc_payload(*, name: str, iban: str, amount: Decimal, reference: str = "", bic: str = "") -> str:
    """The EPC069-12 (version 002) payload of a SEPA credit-transfer QR code ("GiroCode").

    Lines: service tag, version, character set (1 = UTF-8), identification, BIC, beneficiary name,
    IBAN, amount "EUR123.45", purpose, structured reference (RF…) or unstructured remittance.
    """
    iban = iban.replace(" ", "").upper()
    if not iban:
        raise EpcError("IBAN manquant : impossible de produire le QR code de paiement.")
    amount = money(amount)
    if not Decimal("0.01") <= amount <= EPC_AMOUNT_MAX:
        raise EpcError(f"Montant hors des limites du QR code SEPA : {amount}")
    name = " ".join(name.split())[:EPC_NAME_MAX]
    reference = " ".join(reference.split())
    structured = reference.replace(" ", "").upper() if _rf_reference(reference) else ""
    remittance = "" if structured else reference[:EPC_REMITTANCE_MAX]
    lines = ["BCD", "002", "1", "SCT", bic.replace(" ", "").upper(), name, iban, f"EUR{amount}", "",
             structured, remittance]
    payload = "\n".join(lines).rstrip("\n")
    while len(payload.encode("utf-8")) > EPC_MAX_BYTES and remittance:
        remittance = remittance[:-1]
        payload = "\n".join([*lines[:10], remittance]).rstrip("\n")
    return payload


def qr_data_uri(payload: str, *, scale: int = 6) -> str:
    """A PNG data URI; EPC requires error correction level M and a QR version ≤ 13."""
    qr = segno.make_qr(payload, error="m", encoding="utf-8", boost_error=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _url_fetcher(allowed: set[str]) -> Any:
    """Only data: URIs and the files we chose (the logo) — never a URL a template author typed."""
    from weasyprint.urls import URLFetcher

    class RestrictedFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or url in allowed:
                return super().fetch(url, headers)
            raise ValueError(f"ressource refusée dans un document : {url[:80]}")

    return RestrictedFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


def html_to_document(html: str, *, allowed: set[str] | None = None) -> Any:
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher(allowed or set())).render()


def html_to_pdf(html: str, *, allowed: set[str] | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count)."""
    document = html_to_document(html, allowed=allowed)
    return document.write_pdf(), len(document.pages)


def logo_uri(path: str) -> str:
    return Path(path).as_uri() if path and Path(path).exists() else ""


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def safe_filename(name: str) -> str:
    """A file name made of debtor data (customer code, invoice number) that stays in its folder and on one line."""
    return " ".join(name.replace("/", "-").replace("\\", "-").split()).lstrip(".") or "document"


def output_write(path: Path, data: bytes) -> None:
    """Write a command's output file; a path that cannot be written is bad input (exit 2), not a crash."""
    from django.utils.translation import gettext as _

    from relance.core.errors import ApplicationError

    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ApplicationError(_("Impossible d'écrire « %(path)s » : %(error)s.") % {"path": path, "error": exc.strerror or exc})


def store_pdf(*, folder: str, name: str, day: date, data: bytes) -> str:
    """Write under MEDIA_ROOT/<folder>/YYYY/MM/DD/<name> and return the path relative to MEDIA_ROOT."""
    relative = f"{folder}/{day:%Y/%m/%d}/{name}"
    path = media_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative
