"""SEPA credit-transfer QR code (EPC069-12 "GiroCode"): a pure payload builder, drawn as SVG by segno."""

from __future__ import annotations

from decimal import Decimal

import segno
from stdnum import iso11649

EPC_MIN_AMOUNT = Decimal("0.01")
EPC_MAX_AMOUNT = Decimal("999999999.99")
EPC_MAX_NAME = 70
EPC_MAX_TEXT = 140


def epc_payload(*, name: str, iban: str, bic: str, amount: Decimal, reference: str) -> str:
    """The EPC text: version 002 (BIC optional), UTF-8, SEPA credit transfer.

    A valid ISO 11649 creditor reference (RF…) goes in the structured field, anything else in the
    140-character free text; exactly one of the two is filled, as the standard requires.
    """
    if not EPC_MIN_AMOUNT <= amount <= EPC_MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"amount outside the EPC range: {amount}")
    compact_ref = reference.replace(" ", "").upper()
    structured = compact_ref if compact_ref.startswith("RF") and iso11649.is_valid(compact_ref) else ""
    text = "" if structured else " ".join(reference.split())[:EPC_MAX_TEXT]
    lines = ["BCD", "002", "1", "SCT", bic.replace(" ", "").upper(), " ".join(name.split())[:EPC_MAX_NAME],
             iban.replace(" ", "").upper(), f"EUR{amount:.2f}", "", structured, text]
    return "\n".join(lines).rstrip("\n")


def epc_qr_svg(*, name: str, iban: str, bic: str, amount: Decimal, reference: str, title: str) -> str:
    """Inline SVG (no script, no style attribute: fine under the portal's CSP). Error level M as EPC says."""
    payload = epc_payload(name=name, iban=iban, bic=bic, amount=amount, reference=reference)
    qr = segno.make(payload, error="m", boost_error=False, micro=False, encoding="utf-8")
    return str(qr.svg_inline(scale=4, border=4, title=title, svgclass="epc-qr"))
