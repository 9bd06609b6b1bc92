from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import browser_login

from relance.banking.services import bank_import
from relance.banking.tests.builders import camt053, credit
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.models import Invoice, Payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_collector_finds_the_customer_and_assigns_the_payment(page, org, bob):
    customer = CustomerFactory(org=org, ref="GAR01", name="Garage Lefèvre")
    InvoiceFactory(customer=customer, number="FA-10", total_incl_tax=Decimal("90.00"), issue_date=date(2025, 1, 1))
    InvoiceFactory(customer=customer, number="FA-11", total_incl_tax=Decimal("60.00"), issue_date=date(2025, 2, 1))
    InvoiceFactory(customer=customer, number="FA-12", total_incl_tax=Decimal("75.00"), issue_date=date(2025, 3, 1))
    # An unknown payer, no invoice number, no single invoice of 150.00: it waits for a person.
    bank_import(org=org, paths=[("r.xml", camt053(credit("150.00", ref="B1", name="M. DUPONT",
                                                        remittance="reglement")))], today=date(2025, 3, 15))
    assert Payment.objects.get(org=org).status == Payment.Status.UNMATCHED

    browser_login(page, bob.email)
    page.goto(page.base_url + "/banque/")
    assert page.get_by_text("Aucun client reconnu").is_visible()
    page.get_by_label("Code client").fill("GAR01")
    page.get_by_role("button", name="Voir ses factures").click()
    page.wait_for_load_state()
    # The invoices whose outstanding adds up to the payment are ticked already.
    assert page.get_by_label("FA-10").is_checked() and page.get_by_label("FA-11").is_checked()
    assert not page.get_by_label("FA-12").is_checked()
    page.get_by_role("button", name="Affecter le paiement").click()
    page.wait_for_load_state()

    assert "affecté à FA-10, FA-11" in page.locator(".messages").inner_text()
    assert set(Invoice.objects.filter(number__in=["FA-10", "FA-11"]).values_list("status", flat=True)) == {"paid"}
    assert Invoice.objects.get(number="FA-12").status == "open"
    assert page.get_by_text("Aucun paiement à rapprocher.").is_visible()
