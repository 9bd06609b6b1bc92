from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from relance.analytics.selectors import dashboard_figures_cached
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.services import allocation_add

pytestmark = pytest.mark.django_db
DAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_the_dashboard_figures_are_reused_until_the_ledger_changes(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), issue_date=date(2025, 5, 1),
                             total_incl_tax=Decimal("100.00"))
    first = dashboard_figures_cached(org=org, day=DAY)
    assert dashboard_figures_cached(org=org, day=DAY) is not first  # a new object from the cache…
    assert dashboard_figures_cached(org=org, day=DAY).computed_at == first.computed_at  # …with the same figures
    allocation_add(org=org, invoice=invoice, amount=Decimal("40.00"), day=DAY)
    after = dashboard_figures_cached(org=org, day=DAY)
    assert after.figures.receivables == Decimal("60.00") and after.computed_at > first.computed_at


def test_a_refresh_recomputes_and_organisations_never_share_figures(org, other_org):
    InvoiceFactory(customer=CustomerFactory(org=org), issue_date=date(2025, 5, 1), total_incl_tax=Decimal("100"))
    ours = dashboard_figures_cached(org=org, day=DAY)
    assert dashboard_figures_cached(org=other_org, day=DAY).figures.receivables == 0
    assert dashboard_figures_cached(org=org, day=DAY, refresh=True).computed_at > ours.computed_at
