"""The customer risk level (low / medium / high): its classification, computed in SQL, and the list's filter and
sort on it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.ledger.models import Customer, Dispute, Promise
from relance.ledger.selectors import open_invoices
from relance.ledger.services import allocation_add
from relance.web.selectors import RiskFigures, customer_risk, risk_levels

pytestmark = pytest.mark.django_db
LOW, MEDIUM, HIGH = 0, 1, 2


def make_customer(org, today, *, late_61=Decimal("0"), late_10=Decimal("0"), paid_61=False, broken=0,
                  broken_long_ago=0, dispute=False, resolved_dispute=False, bounced=False, kept=0):
    """A customer with invoices 61 days and 10 days late, promises, disputes and contacts as asked."""
    customer = CustomerFactory(org=org)
    ContactFactory(customer=customer, email_invalid=bounced)
    old = None
    if late_61:
        old = InvoiceFactory(customer=customer, total_incl_tax=late_61, issue_date=today - timedelta(days=91),
                             due_date=today - timedelta(days=61))
        if paid_61:
            allocation_add(org=org, invoice=old, amount=late_61, day=today)
    recent = InvoiceFactory(customer=customer, total_incl_tax=late_10 or Decimal("100.00"),
                            issue_date=today - timedelta(days=40), due_date=today - timedelta(days=10))
    if not late_10:
        allocation_add(org=org, invoice=recent, amount=Decimal("100.00"), day=today)
    for status, age in [("broken", 30)] * broken + [("broken", 400)] * broken_long_ago + [("kept", 30)] * kept:
        Promise.objects.create(org=org, customer=customer, until=today - timedelta(days=age),
                               recorded_on=today - timedelta(days=age + 5), status=status)
    if dispute or resolved_dispute:
        Dispute.objects.create(org=org, invoice=recent, opened_on=today, reason="Prix contesté",
                               status="open" if dispute else "resolved")
    return customer


CASES = [
    # (why, what the customer has, expected level)
    ("nothing wrong", {}, LOW),
    ("only recent lateness", {"late_10": Decimal("900.00")}, LOW),
    ("a late part over 60 days, under half", {"late_61": Decimal("100.00"), "late_10": Decimal("900.00")}, MEDIUM),
    ("exactly half over 60 days", {"late_61": Decimal("500.00"), "late_10": Decimal("500.00")}, HIGH),
    ("all over 60 days", {"late_61": Decimal("300.00")}, HIGH),
    ("over 60 days but paid since", {"late_61": Decimal("300.00"), "paid_61": True}, LOW),
    ("one broken promise", {"broken": 1}, MEDIUM),
    ("two broken promises", {"broken": 2}, HIGH),
    ("broken more than 12 months ago", {"broken_long_ago": 3}, LOW),
    ("kept promises", {"kept": 2}, LOW),
    ("an open dispute", {"late_10": Decimal("200.00"), "dispute": True}, MEDIUM),
    ("a resolved dispute", {"late_10": Decimal("200.00"), "resolved_dispute": True}, LOW),
    ("a bounced e-mail address", {"bounced": True}, MEDIUM),
    ("a dispute and a bounce", {"late_10": Decimal("200.00"), "dispute": True, "bounced": True}, HIGH),
    ("a little late and one broken promise", {"late_61": Decimal("10.00"), "late_10": Decimal("990.00"),
                                              "broken": 1}, HIGH),
    ("everything at once is still high", {"late_61": Decimal("300.00"), "broken": 3, "dispute": True,
                                          "bounced": True}, HIGH),
]


@pytest.mark.parametrize(("why", "has", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_risk_level_is_classified_from_set_based_figures(org, today, why, has, expected):
    customer = make_customer(org, today, **has)
    make_customer(org, today, late_61=Decimal("900.00"), broken=2)  # a neighbour must not leak into it
    # For a page of customers, and for the whole organisation (what filtering and sorting use).
    assert risk_levels(org=org, today=today, customer_ids=[customer.pk]).get(customer.pk, LOW) == expected, why
    assert risk_levels(org=org, today=today).get(customer.pk, LOW) == expected, why
    # The customer page passes the open invoices it already holds: same level, same reasons.
    held = list(open_invoices(org).filter(customer=customer))
    from_page = customer_risk(org=org, customer=customer, today=today, open_invoices=held)
    assert from_page == customer_risk(org=org, customer=customer, today=today), why
    assert from_page["risk"] == expected, why


@pytest.mark.parametrize(("figures", "expected"), [
    (RiskFigures(), LOW),
    (RiskFigures(late=Decimal("0.01"), outstanding=Decimal("100.00")), MEDIUM),
    (RiskFigures(late=Decimal("49.99"), outstanding=Decimal("100.00")), MEDIUM),
    (RiskFigures(late=Decimal("50.00"), outstanding=Decimal("100.00")), HIGH),
    (RiskFigures(broken=1), MEDIUM), (RiskFigures(broken=2), HIGH), (RiskFigures(broken=9), HIGH),
    (RiskFigures(disputed=True), MEDIUM), (RiskFigures(bounced=True), MEDIUM),
    (RiskFigures(disputed=True, bounced=True), HIGH),
    (RiskFigures(late=Decimal("1.00"), outstanding=Decimal("100.00"), broken=1), HIGH),
])
def test_the_classification_rule(figures, expected):
    assert figures.level == expected


def test_the_level_only_counts_the_organisation_s_own_rows(org, other_org, today):
    mine = make_customer(org, today)
    theirs = make_customer(other_org, today, late_61=Decimal("500.00"), broken=2, dispute=True, bounced=True)
    assert risk_levels(org=org, today=today) == {}
    assert risk_levels(org=org, today=today, customer_ids=[mine.pk, theirs.pk]) == {}


def test_the_list_shows_filters_and_sorts_by_risk(org, victor, client_for, today):
    low = make_customer(org, today)
    medium = make_customer(org, today, broken=1)
    high = make_customer(org, today, late_61=Decimal("300.00"), bounced=True)
    for c, name in ((low, "Alpha"), (medium, "Bravo"), (high, "Charlie")):
        Customer.objects.filter(pk=c.pk).update(name=name)
    c = client_for(victor)
    html = c.get(reverse("customer_list")).content.decode()
    assert "Risque faible" in html and "Risque moyen" in html and "Risque élevé" in html
    assert "Comment le risque est-il calculé" in html
    assert [x.name for x in c.get(reverse("customer_list"), {"risk": "high"}).context["page"]] == ["Charlie"]
    assert [x.name for x in c.get(reverse("customer_list"), {"risk": "medium"}).context["page"]] == ["Bravo"]
    assert [x.name for x in c.get(reverse("customer_list"), {"risk": "low"}).context["page"]] == ["Alpha"]
    by_risk = c.get(reverse("customer_list"), {"sort": "-risk"}).context["page"]
    assert [x.name for x in by_risk] == ["Charlie", "Bravo", "Alpha"]
    both = c.get(reverse("customer_list"), {"risk": "high", "q": "char"})
    assert [x.name for x in both.context["page"]] == ["Charlie"] and "Risque élevé" in both.content.decode()
    assert c.get(reverse("customer_list"), {"risk": "high", "q": "alpha"}).context["page"].object_list == []


def test_an_unknown_risk_filter_is_ignored_not_an_error(org, victor, client_for, today):
    make_customer(org, today)
    response = client_for(victor).get(reverse("customer_list"), {"risk": "énorme"})
    assert response.status_code == 200 and len(response.context["page"]) == 1


def test_the_customer_page_shows_the_level_and_why(org, victor, client_for, today):
    customer = make_customer(org, today, late_61=Decimal("300.00"), broken=1)
    response = client_for(victor).get(reverse("customer_detail", args=[customer.pk]))
    assert response.context["risk"] == HIGH
    html = response.content.decode()
    assert "Risque élevé" in html
    assert "plus de la moitié de l&#x27;encours a plus de 60 jours de retard" in html
    assert "1 promesse(s) non tenue(s) en 12 mois" in html


def test_an_outsider_cannot_filter_into_another_organisation(org, charlie, client_for, today):
    make_customer(org, today, broken=2)
    assert list(client_for(charlie).get(reverse("customer_list"), {"risk": "high"}).context["page"]) == []


def test_the_risk_filter_pages_through_every_match(org, victor, client_for, today, monkeypatch):
    from relance.web.views import customers

    monkeypatch.setattr(customers, "PER_PAGE", 2)
    for name in ("Delta", "Alpha", "Charlie"):
        Customer.objects.filter(pk=make_customer(org, today, broken=2).pk).update(name=name)
    make_customer(org, today)
    c = client_for(victor)
    first = c.get(reverse("customer_list"), {"risk": "high"}).context["page"]
    second = c.get(reverse("customer_list"), {"risk": "high", "page": "2"}).context["page"]
    assert first.paginator.count == 3
    assert [x.name for x in first] + [x.name for x in second] == ["Alpha", "Charlie", "Delta"]


def test_the_list_page_reads_the_risk_of_its_rows_in_a_fixed_number_of_queries(org, victor, client_for, today,
                                                                              django_assert_max_num_queries):
    for _ in range(3):
        make_customer(org, today, late_61=Decimal("300.00"), broken=1, bounced=True)
    c = client_for(victor)
    c.get(reverse("customer_list"))
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("customer_list"))
    assert 0 < len(few) <= 20
    for _ in range(6):
        make_customer(org, today, late_61=Decimal("300.00"), broken=1, bounced=True)
    with django_assert_max_num_queries(len(few)):
        c.get(reverse("customer_list"))
