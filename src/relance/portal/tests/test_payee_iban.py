"""The pay screen asks to pay into the invoices' own payee account (BT-84) when they agree on one — in the
text and in the SEPA QR code — as the reminders and letters do."""

from __future__ import annotations

import re
import subprocess

import pytest
from weasyprint import HTML

from relance.ledger.models import Invoice

pytestmark = pytest.mark.django_db
ORG_IBAN, ORG_BIC = "FR7630006000011234567890189", "AGRIFRPP"
FACTORING = "DE89370400440532013000"  # a factor's account printed on the e-invoices


def qr_text(page: str, tmp_path) -> list[str]:
    """Decode the page's inline SVG QR code for real: SVG → PDF → PNG → zbarimg."""
    tmp_path = tmp_path / str(len(list(tmp_path.iterdir())))
    tmp_path.mkdir()
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    HTML(string=f'<html><body><div style="width:8cm">{svg}</div></body></html>').write_pdf(tmp_path / "qr.pdf")
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "qr.pdf"), str(tmp_path / "qr")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", *sorted(str(p) for p in tmp_path.glob("qr*.png"))],
                             capture_output=True, text=True).stdout
    return decoded.strip().split("\n")


def iban_shown(page: str) -> str:
    return re.search(r'id="iban">([^<]*)<', page).group(1)


def test_invoices_carrying_their_own_payee_iban_are_paid_there(client, url, invoices, tmp_path):
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(payee_iban=FACTORING)
    page = client.get(url("payer/")).content.decode()
    assert iban_shown(page) == FACTORING and ORG_IBAN not in page
    assert 'id="bic"' not in page and ORG_BIC not in page  # the organisation's BIC is not the factor's
    assert qr_text(page, tmp_path) == ["BCD", "002", "1", "SCT", "", "Atelier Durand SARL", FACTORING,
                                       "EUR1500.50", "", "", "C-MARTIN FA-101 FA-102"]


def test_one_invoice_with_its_own_iban_is_paid_there_and_the_others_to_the_organisation(client, url, invoices,
                                                                                           tmp_path):
    Invoice.objects.filter(pk=invoices[0].pk).update(payee_iban=FACTORING)
    one = client.get(url(f"payer/?facture={invoices[0].pk}")).content.decode()
    assert iban_shown(one) == FACTORING
    assert qr_text(one, tmp_path)[4:8] == ["", "Atelier Durand SARL", FACTORING, "EUR1200.00"]

    other = client.get(url(f"payer/?facture={invoices[1].pk}")).content.decode()
    assert iban_shown(other) == ORG_IBAN and f'id="bic">{ORG_BIC}<' in other
    # Both together disagree on the account: the organisation's, never a mix.
    both = client.get(url("payer/")).content.decode()
    assert iban_shown(both) == ORG_IBAN
    assert qr_text(both, tmp_path)[4:9] == [ORG_BIC, "Atelier Durand SARL", ORG_IBAN, "EUR1500.50", ""]


def test_without_any_account_the_page_says_so(client, url, invoices, org):
    org.iban, org.bic = "", ""
    org.save()
    page = client.get(url("payer/")).content.decode()
    assert "Les coordonnées bancaires ne sont pas disponibles" in page and "<svg" not in page
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(payee_iban=FACTORING)
    page = client.get(url("payer/")).content.decode()
    assert iban_shown(page) == FACTORING and "<svg" in page
