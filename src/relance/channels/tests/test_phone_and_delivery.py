from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from relance.channels.api import call_script, deliver_action
from relance.channels.models import Document
from relance.channels.phone import CALL_OUTCOMES
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)


@pytest.fixture
def customer(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RELANCE_EMAIL_STATEMENT = False
    customer = CustomerFactory(org=org, name="Menuiserie Noël")
    ContactFactory(customer=customer, name="Paul Noël", phone="+33612345678", email="paul@menuiserie.fr")
    ContactFactory(customer=customer, name="Standard", phone="+33478000000", email="")
    return customer


def action(org, customer, step, channel, invoices):
    return SimpleNamespace(pk=41, org=org, customer=customer, step=step, channel=channel, date=TODAY,
                           invoices=invoices)


def test_the_call_script_has_the_numbers_the_invoices_the_script_and_the_outcome_codes(org, customer):
    invoices = [InvoiceFactory(customer=customer, number="FA-1", total_incl_tax=Decimal("800.00"),
                               issue_date=date(2025, 1, 2), due_date=date(2025, 2, 1))]
    text = call_script(action(org, customer, "call", "phone", invoices))
    assert "06 12 34 56 78" in text and "04 78 00 00 00" in text
    assert "FA-1 du 02/01/2025, échéance 01/02/2025" in text and "44 j de retard" in text
    assert "Écouter d'abord" in text and "empathie" in text and "engagement" in text
    assert "800,00" in text and "Paul Noël" in text
    for _, label in CALL_OUTCOMES:
        assert label in text


def test_the_outcome_codes_cover_the_issue_list():
    assert [code for code, _ in CALL_OUTCOMES] == [
        "not_received", "dispute", "financial_difficulty", "administrative_error", "payment_in_progress",
        "no_answer"]


def test_deliver_action_sends_an_email_for_an_email_action(org, customer):
    from django.core import mail

    invoices = [InvoiceFactory(customer=customer, total_incl_tax=Decimal("250.00"), due_date=date(2025, 2, 1))]
    outcome = deliver_action(action(org, customer, "reminder_1", "email", invoices), today=TODAY)
    assert outcome.ok and outcome.message_id
    assert mail.outbox[0].extra_headers["Message-ID"] == outcome.message_id


def test_deliver_action_produces_the_pdf_of_a_registered_letter(org, customer):
    invoices = [InvoiceFactory(customer=customer, total_incl_tax=Decimal("250.00"), due_date=date(2025, 1, 2))]
    outcome = deliver_action(action(org, customer, "formal_notice", "registered_letter", invoices), today=TODAY)
    document = Document.objects.get(org=org)
    assert outcome.ok and outcome.document_path == document.path and document.action_id == 41
    assert document.kind == Document.Kind.REGISTERED_LETTER


def test_deliver_action_refuses_when_every_listed_invoice_was_paid_meanwhile(org, customer):
    from relance.ledger.services import allocation_add

    invoice = InvoiceFactory(customer=customer, total_incl_tax=Decimal("250.00"))
    allocation_add(org=org, invoice=invoice, amount=Decimal("250.00"), day=TODAY)
    outcome = deliver_action(action(org, customer, "reminder_1", "email", [invoice]), today=TODAY)
    assert not outcome.ok and outcome.permanent
