from datetime import date
from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from relance.core.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
PANEL = Template("{% load legal %}{% customer_penalties_panel customer %}")


def render(org, customer, today):
    request = RequestFactory().get("/")
    request.org = org
    return PANEL.render(Context({"request": request, "customer": customer, "today": today}))


def test_the_panel_lists_accrued_interest_and_indemnities(org):
    customer = CustomerFactory(org=org)
    InvoiceFactory(customer=customer, number="FA-1", issue_date=date(2025, 2, 1), due_date=date(2025, 3, 1),
                   total_incl_tax=D("1000.00"))
    html = render(org, customer, date(2025, 4, 15))
    assert "FA-1" in html and "16,21" in html and "40,00" in html  # the DESIGN.md example, still unpaid


def test_a_missing_rate_shows_as_a_warning_with_the_way_to_fix_it(org):
    customer = CustomerFactory(org=org)
    InvoiceFactory(customer=customer, issue_date=date(2026, 5, 1), due_date=date(2026, 6, 1))
    html = render(org, customer, date(2026, 11, 23))
    assert "taux BCE du 2e semestre 2026 inconnu" in html and "/parametres/taux/" in html


def test_the_panel_warns_before_limitation(org):
    customer = CustomerFactory(org=org, kind="b2c")
    InvoiceFactory(customer=customer, number="FA-OLD", issue_date=date(2023, 1, 1), due_date=date(2023, 1, 10))
    html = render(org, customer, date(2024, 11, 1))
    assert "FA-OLD bientôt prescrite" in html
