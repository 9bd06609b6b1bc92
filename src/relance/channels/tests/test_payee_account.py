"""The account a reminder asks to pay into: the invoices' own payee IBAN (BT-84) when they agree on one."""

from __future__ import annotations

from datetime import date

import pytest

from relance.channels.builders import context_for_customer
from relance.core.factories import CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)
FACTORING = "DE89370400440532013000"  # a factor's account printed on the e-invoices


@pytest.fixture
def customer(org):
    return CustomerFactory(org=org)


def payment_of(org, customer, invoices):
    return context_for_customer(org=org, customer=customer, today=TODAY, step="reminder_1", channel="email",
                                invoices=invoices, portal_link="").payment


def test_invoices_without_a_payee_iban_are_paid_to_the_organisation(org, customer):
    invoices = [InvoiceFactory(org=org, customer=customer, due_date=date(2025, 2, 1)) for _ in range(2)]
    payment = payment_of(org, customer, invoices)
    assert (payment.iban, payment.bic) == (org.iban, org.bic)


def test_invoices_agreeing_on_their_own_payee_iban_are_paid_there_without_the_organisations_bic(org, customer):
    invoices = [InvoiceFactory(org=org, customer=customer, due_date=date(2025, 2, 1), payee_iban=FACTORING)
                for _ in range(2)]
    payment = payment_of(org, customer, invoices)
    assert (payment.iban, payment.bic) == (FACTORING, "")


def test_invoices_with_different_payee_ibans_fall_back_to_the_organisation(org, customer):
    invoices = [InvoiceFactory(org=org, customer=customer, due_date=date(2025, 2, 1), payee_iban=FACTORING),
                InvoiceFactory(org=org, customer=customer, due_date=date(2025, 2, 1))]
    payment = payment_of(org, customer, invoices)
    assert (payment.iban, payment.bic) == (org.iban, org.bic)
