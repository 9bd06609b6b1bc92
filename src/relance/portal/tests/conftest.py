"""Portal fixtures: a customer of Alice's organisation with overdue invoices, and a live link to them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.core.dates import local_today
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.portal.services import portal_link_create


@pytest.fixture
def today() -> date:
    return local_today()


@pytest.fixture
def customer(org):
    return CustomerFactory(org=org, ref="C-MARTIN", name="Boulangerie Martin", language="fr")


@pytest.fixture
def invoices(customer, today):
    return [
        InvoiceFactory(customer=customer, number="FA-101", issue_date=today - timedelta(days=70),
                       due_date=today - timedelta(days=40), total_incl_tax=Decimal("1200.00")),
        InvoiceFactory(customer=customer, number="FA-102", issue_date=today - timedelta(days=35),
                       due_date=today - timedelta(days=5), total_incl_tax=Decimal("300.50")),
    ]


@pytest.fixture
def token(customer, invoices, today) -> str:
    return portal_link_create(customer=customer, today=today)


@pytest.fixture
def url(token):
    def build(suffix: str = "") -> str:
        return f"/portail/{token}/{suffix}"

    return build
