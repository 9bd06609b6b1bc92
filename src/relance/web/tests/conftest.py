from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from relance.core.dates import local_today
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.dunning.plans import plan_create_standard


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def plan(org):
    return plan_create_standard(org=org)


@pytest.fixture
def late_customer(org, plan, today):
    """A company with one invoice 40 days late (1 200 €) and one not yet due (300 €)."""
    customer = CustomerFactory(org=org, name="Garage Lefèvre", ref="C-LEF")
    ContactFactory(customer=customer, email="compta@lefevre.fr")
    InvoiceFactory(customer=customer, number="FA-LATE", issue_date=today - timedelta(days=70),
                   due_date=today - timedelta(days=40), total_incl_tax=Decimal("1200.00"))
    InvoiceFactory(customer=customer, number="FA-SOON", issue_date=today - timedelta(days=5),
                   due_date=today + timedelta(days=25), total_incl_tax=Decimal("300.00"))
    return customer


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests are about pages, not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def french_afterwards():
    """A request in English leaves English active in this thread: put French back for the next tests."""
    yield
    from django.utils import translation

    translation.activate("fr")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Primary keys restart in each test database transaction: never read another test's cached figures."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
