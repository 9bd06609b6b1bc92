from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.services import allocation_add

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("customer_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_health_check_needs_no_login(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_it_lists_customers_with_outstanding_and_overdue_totals(org, bob, client_for):
    customer = CustomerFactory(org=org, name="Garage Lefèvre")
    overdue = InvoiceFactory(customer=customer, total_incl_tax=Decimal("1000.00"),
                             issue_date=date.today() - timedelta(days=60))
    InvoiceFactory(customer=customer, total_incl_tax=Decimal("250.00"), issue_date=date.today())
    allocation_add(org=org, invoice=overdue, amount=Decimal("400.00"), day=date.today())

    response = client_for(bob).get(reverse("customer_list"))

    assert response.status_code == 200
    row = next(c for c in response.context["page"] if c.pk == customer.pk)
    assert row.outstanding == Decimal("850.00")
    assert row.overdue == Decimal("600.00")
    assert "Garage Lefèvre" in response.content.decode()


def test_an_outsider_never_sees_another_organisations_customers(org, charlie, client_for):
    customer = CustomerFactory(org=org, name="Secret Client")
    c = client_for(charlie)
    assert "Secret Client" not in c.get(reverse("customer_list")).content.decode()
    assert c.get(reverse("customer_detail", args=[customer.pk])).status_code == 404


def test_a_signed_in_user_without_membership_is_refused(db, client):
    from relance.core.factories import UserFactory

    client.force_login(UserFactory(email="nobody@example.fr"))
    assert client.get(reverse("customer_list")).status_code == 403


def test_the_customer_page_shows_the_invoices(org, victor, client_for):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org))
    response = client_for(victor).get(reverse("customer_detail", args=[invoice.customer.pk]))
    assert invoice.number in response.content.decode()
