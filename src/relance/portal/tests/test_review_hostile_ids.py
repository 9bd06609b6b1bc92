"""A debtor's hand-edited query string never crashes a portal page."""

from __future__ import annotations

import pytest

from relance.channels.pdf import epc_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "١", "1²"])
@pytest.mark.parametrize("page", ["payer/", "litige/"])
def test_a_non_ascii_digit_in_facture_is_ignored(client, url, page, value):
    response = client.get(url(page), {"facture": value})
    assert response.status_code == 200


@pytest.mark.parametrize("reference", ["RF²8é", "RF18ÉTÉ", "RF1٢ABC"])
def test_a_payment_reference_with_non_ascii_characters_still_gives_a_qr_payload(reference):
    from decimal import Decimal

    payload = epc_payload(name="Atelier", iban="FR7630006000011234567890189", amount=Decimal("10.00"),
                          reference=reference)
    assert payload.startswith("BCD\n") and reference in payload
