"""Instalments falling due soon (the Today list): unpaid ones of plans in progress, what is left of each."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.core.dates import local_today
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.ledger.models import Allocation
from relance.portal.plans import instalments_falling_due, payment_plan_create

D, M = date.fromisoformat, Decimal
pytestmark = pytest.mark.django_db
SET_UP = D("2026-03-02")
INSTALMENTS = [(D("2026-03-12"), M("300.00")), (D("2026-04-13"), M("300.00")), (D("2026-05-12"), M("300.00"))]


@pytest.fixture
def plan(org, alice):
    customer = CustomerFactory(org=org, ref="C-ROUX", name="Atelier Roux", account_manager=alice)
    ContactFactory(customer=customer, email="compta@roux.fr")
    fa1 = InvoiceFactory(customer=customer, number="FA-1", issue_date=D("2026-01-01"), due_date=D("2026-01-20"),
                         total_incl_tax=M("900.00"))
    return payment_plan_create(org=org, customer=customer, invoices=[fa1], instalments=INSTALMENTS, today=SET_UP,
                               actor=alice), fa1


def rows(org, day):
    return [(d.customer.ref, d.seq, d.count, d.due_date, d.remaining, d.status)
            for d in instalments_falling_due(org=org, today=day)]


@pytest.mark.parametrize(("day", "payments", "expected"), [
    ("2026-03-04", [], []),  # 8 days ahead: not yet
    ("2026-03-05", [], [("C-ROUX", 1, 3, D("2026-03-12"), M("300.00"), "due")]),
    ("2026-03-09", [("2026-03-06", "100.00")], [("C-ROUX", 1, 3, D("2026-03-12"), M("200.00"), "due")]),
    ("2026-03-13", [], [("C-ROUX", 1, 3, D("2026-03-12"), M("300.00"), "late")]),  # within the grace days
    ("2026-03-10", [("2026-03-09", "300.00")], []),  # paid
    ("2026-03-20", [], []),  # missed: the plan is broken, its call task is the follow-up
])
def test_unpaid_instalments_of_the_coming_week_are_listed_with_what_is_left(org, plan, day, payments, expected):
    _plan, fa1 = plan
    for when, amount in payments:
        Allocation.objects.create(org=org, invoice=fa1, source="accounting", amount=M(amount), date=D(when))
    assert rows(org, D(day)) == expected


def test_another_organisations_plans_are_not_listed(other_org, plan):
    assert instalments_falling_due(org=other_org, today=D("2026-03-10")) == []


def test_the_today_page_lists_the_account_managers_instalments_only(org, alice, bob, client_for):
    today = local_today()
    customer = CustomerFactory(org=org, ref="C-TODAY", name="Boulangerie Martin", account_manager=alice)
    inv = InvoiceFactory(customer=customer, number="FA-T", issue_date=today - timedelta(days=60),
                         due_date=today - timedelta(days=30), total_incl_tax=M("500.00"))
    payment_plan_create(org=org, customer=customer, invoices=[inv], today=today, actor=alice,
                        instalments=[(today + timedelta(days=3), M("250.00")),
                                     (today + timedelta(days=33), M("250.00"))])
    html = client_for(alice).get(reverse("today")).content.decode()
    assert "Boulangerie Martin" in html and "1 / 2" in html and "250,00" in html
    assert "Boulangerie Martin" not in client_for(bob).get(reverse("today")).content.decode()
    assert "Boulangerie Martin" in client_for(bob).get(reverse("today"), {"equipe": "1"}).content.decode()
