from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from pypdf import PdfReader

from relance.activity.models import Event
from relance.core.factories import CustomerFactory, InvoiceFactory, OrganisationFactory
from relance.ledger.services import allocation_add
from relance.portal.services import portal_link_create

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_debtor_sees_their_open_invoices_total_and_days_late(client, url, invoices, today):
    allocation_add(org=invoices[0].org, invoice=invoices[0], amount=Decimal("200.00"), day=today)

    response = client.get(url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Atelier Durand SARL" in page and "Boulangerie Martin" in page
    assert "FA-101" in page and "FA-102" in page
    assert "1\u202f000,00\u00a0€" in page  # what is left on FA-101
    assert "1\u202f300,50\u00a0€" in page  # the total
    assert "40 jours" in page and "5 jours" in page


def test_paid_and_other_customers_invoices_are_not_listed(client, url, org, customer, invoices, today):
    InvoiceFactory(customer=CustomerFactory(org=org), number="FA-OTHER")
    paid = InvoiceFactory(customer=customer, number="FA-PAID", total_incl_tax=Decimal("50.00"))
    allocation_add(org=org, invoice=paid, amount=Decimal("50.00"), day=today)

    page = client.get(url()).content.decode()

    assert "FA-OTHER" not in page and "FA-PAID" not in page


def test_opening_the_portal_is_recorded_once_a_day_on_the_timeline(client, url, customer):
    client.get(url())
    client.get(url())
    events = Event.objects.filter(customer=customer, type="portal_visit")
    assert events.count() == 1
    assert events.get().data["source"] == "portal"


def test_the_debtor_downloads_their_invoice_pdf(client, url, invoices, customer):
    invoices[0].document.save("fa-101.pdf", ContentFile(PDF_BYTES))

    response = client.get(url(f"facture/{invoices[0].pk}/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="FA-101.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert Event.objects.filter(customer=customer, type="portal_download", invoice=invoices[0]).exists()


def test_the_account_statement_is_a_pdf_listing_the_open_invoices(client, url):
    response = client.get(url("releve/"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "FA-101" in text and "FA-102" in text and "Relevé de compte" in text


def test_the_pay_screen_shows_iban_bic_amount_reference_and_an_epc_qr(client, url, invoices):
    page = client.get(url("payer/")).content.decode()
    assert "FR7630006000011234567890189" in page and "AGRIFRPP" in page
    assert "1\u202f500,50\u00a0€" in page
    assert "C-MARTIN FA-101 FA-102" in page
    assert '<svg' in page and 'class="epc-qr"' in page

    one = client.get(url(f"payer/?facture={invoices[1].pk}")).content.decode()
    assert "300,50\u00a0€" in one and "C-MARTIN FA-102" in one
    assert '<span id="paid-invoices">FA-102</span>' in one


def test_the_pay_screen_cannot_be_pointed_at_another_customers_invoice(client, url, org):
    foreign = InvoiceFactory(customer=CustomerFactory(org=org), number="FA-FOREIGN")
    page = client.get(url(f"payer/?facture={foreign.pk}")).content.decode()
    assert "FA-FOREIGN" not in page and "Rien à payer" in page


def test_the_creditor_logo_is_served_through_the_link_only_when_it_is_a_raster_image(client, url, org):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    org.logo.save("logo.png", ContentFile(png))
    response = client.get(url("logo/"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert 'src="' + url("logo/") in client.get(url()).content.decode()

    org.logo.save("logo.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"))
    assert client.get(url("logo/")).status_code == 404


def test_a_customer_in_english_reads_the_portal_in_english(client, url, customer):
    customer.language = "en"
    customer.save()
    response = client.get(url())
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Your invoices" in page and "Vos factures" not in page
    assert "40 days" in page
    assert response["Content-Language"] == "en"


def test_a_customer_with_nothing_due_is_thanked(client, org, today):
    raw = portal_link_create(customer=CustomerFactory(org=org), today=today)
    assert "aucune facture en attente" in client.get(f"/portail/{raw}/").content.decode()


def test_an_organisations_other_customer_with_the_same_invoice_ids_sees_nothing_of_ours(client, today, invoices):
    stranger_org = OrganisationFactory(slug="ailleurs")
    stranger = CustomerFactory(org=stranger_org)
    raw = portal_link_create(customer=stranger, today=today)
    invoices[0].document.save("fa-101.pdf", ContentFile(PDF_BYTES))

    assert client.get(f"/portail/{raw}/facture/{invoices[0].pk}/").status_code == 404
    assert "FA-101" not in client.get(f"/portail/{raw}/").content.decode()


def test_an_invoice_without_document_has_no_download(client, url, invoices):
    assert client.get(url(f"facture/{invoices[0].pk}/")).status_code == 404
    assert f"facture/{invoices[0].pk}/" not in client.get(url()).content.decode()


def test_days_late_are_counted_from_the_due_date(client, url, customer, today):
    InvoiceFactory(customer=customer, number="FA-FUTURE", issue_date=today, due_date=today + timedelta(days=30))
    page = client.get(url()).content.decode()
    assert "FA-FUTURE" in page


def test_no_online_payment_button_by_default(client, url):
    assert "Payer en ligne" not in client.get(url("payer/")).content.decode()


@override_settings(PORTAL_PAYMENT_URL="https://pay.example/checkout?amount={amount}&ref={reference}&c={customer}")
def test_an_online_payment_link_can_be_configured_by_url(client, url):
    page = client.get(url("payer/")).content.decode()
    assert "Payer en ligne" in page
    assert 'href="https://pay.example/checkout?amount=1500.50&amp;ref=C-MARTIN%20FA-101%20FA-102&amp;c=C-MARTIN"' in page


def test_the_home_page_costs_a_bounded_number_of_queries(client, url, customer, today,
                                                         django_assert_max_num_queries):
    for n in range(30):
        InvoiceFactory(customer=customer, number=f"FA-MANY-{n:02d}", issue_date=today - timedelta(days=60),
                       due_date=today - timedelta(days=30))
    client.get(url())  # the first visit writes its timeline event
    with django_assert_max_num_queries(20):
        assert client.get(url()).status_code == 200


def test_a_customer_language_the_portal_does_not_speak_falls_back_to_french(client, url, customer):
    customer.language = "de"
    customer.save()
    assert '<html lang="fr">' in client.get(url()).content.decode()
