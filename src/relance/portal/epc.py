"""The SEPA transfer QR code on the pay screen: the channels app's EPC069-12 payload (one implementation
for letters and portal), drawn here as inline SVG because the portal's CSP allows no data: images."""

from __future__ import annotations

from decimal import Decimal

import segno

from relance.channels.pdf import EPC_AMOUNT_MAX, epc_payload

EPC_MIN_AMOUNT = Decimal("0.01")
EPC_MAX_AMOUNT = EPC_AMOUNT_MAX


def epc_qr_svg(*, name: str, iban: str, bic: str, amount: Decimal, reference: str, title: str) -> str:
    """Inline SVG (no script, no style attribute). Error level M, no boost, as the EPC standard says."""
    payload = epc_payload(name=name, iban=iban, bic=bic, amount=amount, reference=reference)
    qr = segno.make_qr(payload, error="m", boost_error=False, encoding="utf-8")
    svg = str(qr.svg_inline(scale=4, border=4, title=title, svgclass="epc-qr", omitsize=True))
    # A viewBox (omitsize) lets CSS size it to the phone; role="img" + <title> give it an accessible name.
    return svg.replace("<svg ", '<svg role="img" ', 1)
