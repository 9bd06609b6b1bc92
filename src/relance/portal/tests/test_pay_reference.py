"""The transfer reference always names everything its amount pays: invoice numbers when they fit the 140
characters of a SEPA remittance, else one RF creditor reference that the bank import resolves to them all."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from stdnum import iso11649

from relance.activity.models import Event
from relance.banking.services import bank_import
from relance.banking.tests.builders import camt053, credit
from relance.channels.pdf import epc_payload
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.models import Invoice, Payment
from relance.portal.api import payment_intent_references
from relance.portal.models import PaymentIntent
from relance.portal.references import (
    REMITTANCE_MAX,
    creditor_reference,
    creditor_reference_new,
    numbers_reference,
)
from relance.portal.services import portal_link_create

pytestmark = pytest.mark.django_db
MANY = 30


def reference_on(page: str) -> str:
    found = re.search(r'<dd class="mono" id="reference">([^<]*)</dd>', page)
    assert found, "no reference on the pay screen"
    return html.unescape(found.group(1))


def amount_on(page: str) -> str:
    found = re.search(r'<dd class="amount" id="amount">([^<]*)</dd>', page)
    assert found
    return html.unescape(found.group(1))


@pytest.fixture
def many(customer, today):
    """Thirty overdue invoices with long numbers: "C-MARTIN FA-2026-000100 …" would be 458 characters."""
    return [InvoiceFactory(customer=customer, number=f"FA-2026-{100 + n:06d}", issue_date=today - timedelta(days=90),
                           due_date=today - timedelta(days=60 - n), total_incl_tax=Decimal("100.00") + n)
            for n in range(MANY)]


@pytest.fixture
def many_url(customer, many, today):
    token = portal_link_create(customer=customer, today=today)
    return f"/portail/{token}/payer/"


# --- Pure -----------------------------------------------------------------------------------------------


def test_numbers_are_kept_while_they_fit_and_never_cut():
    assert numbers_reference("C-MARTIN", ["FA-101", "FA-102"]) == "C-MARTIN FA-101 FA-102"
    fits = ["FA-" + "9" * 12] * 8  # 8 × 16 characters with the spaces, and "C1 ": 130
    assert numbers_reference("C1", fits) is not None
    assert numbers_reference("C1", [*fits, "FA-00000012"]) is None  # 142: one invoice would go unnamed


def test_creditor_references_follow_iso_11649():
    assert creditor_reference("539007547034") == "RF18539007547034"  # the standard's own example
    fresh = {creditor_reference_new() for _ in range(50)}
    assert len(fresh) == 50
    assert all(iso11649.is_valid(r) and len(r) == 16 and not set(r[4:]) & set("01IO") for r in fresh)


# --- The pay screen -------------------------------------------------------------------------------------


def test_a_few_invoices_keep_the_customer_code_and_their_numbers(client, url):
    page = client.get(url("payer/")).content.decode()
    assert reference_on(page) == "C-MARTIN FA-101 FA-102"
    assert not PaymentIntent.objects.exists()


def test_many_invoices_get_one_rf_reference_standing_for_all_of_them(client, many_url, customer, many, invoices):
    page = client.get(many_url).content.decode()
    reference = reference_on(page)
    assert len(reference) <= REMITTANCE_MAX and iso11649.is_valid(reference)
    assert amount_on(page) == "4\u202f935,50\u00a0€"  # 1 200 + 300,50 + 30 × 100 + (0 + 1 + … + 29)
    intent = PaymentIntent.objects.get(reference=reference)
    assert intent.customer == customer
    assert set(intent.invoices.all()) == {*many, *invoices}
    assert "Cette référence désigne toutes les factures" in page
    for invoice in many:
        assert invoice.number in page


def test_the_same_selection_keeps_its_reference_and_is_recorded_once(client, many_url, customer):
    first = reference_on(client.get(many_url).content.decode())
    again = reference_on(client.get(many_url).content.decode())
    assert first == again and PaymentIntent.objects.count() == 1
    events = Event.objects.filter(customer=customer, type="portal_payment_intent")
    assert events.count() == 1 and first in events.get().message


def test_a_different_selection_gets_another_reference(client, many_url, many):
    all_of_them = reference_on(client.get(many_url).content.decode())
    ticked = "&".join(f"factures={i.pk}" for i in many[1:])
    fewer = reference_on(client.get(f"{many_url}?choix=1&{ticked}").content.decode())
    assert fewer != all_of_them and iso11649.is_valid(fewer)
    assert PaymentIntent.objects.get(reference=fewer).invoices.count() == MANY - 1


def test_the_bank_import_allocates_every_invoice_the_reference_stands_for(client, many_url, org, many, invoices,
                                                                           today):
    page = client.get(many_url).content.decode()
    reference = reference_on(page)
    total = sum((i.total_incl_tax for i in [*many, *invoices]), Decimal("0.00"))
    statement = camt053(credit(f"{total + Decimal('25.00')}", ref="BANK-RF-1", remittance=reference,
                               name="BOULANGERIE MARTIN", day=today.isoformat()), closing=today.isoformat())
    bank_import(org=org, paths=[("releve.xml", statement)], today=today)
    payment = Payment.objects.get(bank_transaction_id__endswith=":BANK-RF-1")
    assert payment.status == Payment.Status.MATCHED
    assert payment.match_reason == f"Référence de paiement {reference} donnée sur l'espace client pour 32 factures."
    paid = Invoice.objects.filter(pk__in=[i.pk for i in [*many, *invoices]], status=Invoice.Status.PAID)
    assert paid.count() == MANY + 2
    assert sum(a.amount for a in payment.allocations.all()) == total  # the 25.00 more stays unapplied


def test_a_structured_reference_paying_part_settles_the_oldest_invoices_first(client, many_url, org, many,
                                                                              invoices, today):
    reference = reference_on(client.get(many_url).content.decode())
    oldest = sorted([*many, *invoices], key=lambda i: (i.due_date, i.pk))
    part = oldest[0].total_incl_tax + oldest[1].total_incl_tax + Decimal("10.00")
    statement = camt053(credit(f"{part}", ref="BANK-RF-2", cref=reference, day=today.isoformat()),
                        closing=today.isoformat())
    bank_import(org=org, paths=[("releve.xml", statement)], today=today)
    allocations = Payment.objects.get(bank_transaction_id__endswith=":BANK-RF-2").allocations.order_by("invoice__due_date")
    assert [(a.invoice.number, a.amount) for a in allocations] == [
        (oldest[0].number, oldest[0].total_incl_tax), (oldest[1].number, oldest[1].total_incl_tax),
        (oldest[2].number, Decimal("10.00"))]


def test_another_organisation_s_reference_matches_nothing_here(client, many_url, other_org, today):
    reference = reference_on(client.get(many_url).content.decode())
    stranger = CustomerFactory(org=other_org)
    InvoiceFactory(customer=stranger, number="AUTRE-0001", total_incl_tax=Decimal("12.34"))
    statement = camt053(credit("999.99", ref="BANK-RF-3", remittance=reference, day=today.isoformat()),
                        closing=today.isoformat())
    bank_import(org=other_org, paths=[("releve.xml", statement)], today=today)
    assert Payment.objects.get(bank_transaction_id__endswith=":BANK-RF-3").status == Payment.Status.UNMATCHED


def test_the_qr_code_carries_the_rf_reference_and_the_whole_amount(client, many_url, invoices, monkeypatch):
    drawn = {}

    def capture(**kwargs):
        drawn.update(kwargs)
        return "<svg></svg>"

    monkeypatch.setattr("relance.portal.views.epc_qr_svg", capture)
    page = client.get(many_url).content.decode()
    assert drawn["reference"] == reference_on(page) and drawn["amount"] == Decimal("4935.50")
    assert epc_payload(name="x", iban="FR7630006000011234567890189", amount=drawn["amount"],
                       reference=drawn["reference"]).split("\n")[9] == drawn["reference"]  # the structured field


def test_the_matcher_is_given_only_the_organisation_s_own_references_with_their_open_invoices(
        client, many_url, org, other_org, many):
    reference = reference_on(client.get(many_url).content.decode())
    Invoice.objects.filter(pk=many[0].pk).update(status=Invoice.Status.PAID)
    assert sorted(payment_intent_references(org=org)[reference]) == sorted(i.pk for i in many[1:])
    assert payment_intent_references(org=other_org) == {}
