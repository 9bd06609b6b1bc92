"""Disputed invoices are out of the ladder (rule 8): shown apart ("en litige"), never counted as overdue;
disputes left open too long come back on the Today list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.activity.models import Task
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.dunning.services import dispute_open, dispute_resolve
from relance.ledger.models import Invoice
from relance.web.selectors import DISPUTE_STALE_DAYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed(org, late_customer, today):
    """FA-LATE (1 200 €, 40 days late) in dispute: Garage Lefèvre then has nothing overdue, 300 € not yet due."""
    return dispute_open(org=org, invoice=Invoice.objects.get(number="FA-LATE"), reason="Montant contesté",
                        reason_code="amount_wrong", today=today - timedelta(days=2))


def _dispute(org, number, opened_on, customer=None, **kw):
    invoice = InvoiceFactory(customer=customer or CustomerFactory(org=org), number=number,
                             issue_date=opened_on - timedelta(days=60), due_date=opened_on - timedelta(days=30), **kw)
    return dispute_open(org=org, invoice=invoice, reason=f"Motif {number}", today=opened_on)


# --- the customer page, the customer list, the dashboard ------------------------------------------------


def test_the_customer_page_shows_the_disputed_amount_apart_from_the_overdue(disputed, late_customer, victor,
                                                                            client_for):
    response = client_for(victor).get(reverse("customer_detail", args=[late_customer.pk]))
    assert response.context["outstanding"] == Decimal("1500.00")
    assert (response.context["overdue"], response.context["disputed_amount"]) == (Decimal("0"), Decimal("1200.00"))
    html = response.content.decode()
    assert 'id="customer-disputed">1\u202f200,00\u00a0€' in html
    assert "hors factures en litige" in html


def test_once_resolved_the_invoice_is_overdue_again_on_the_customer_page(disputed, org, late_customer, victor,
                                                                        client_for, today):
    dispute_resolve(org=org, invoice=disputed.invoice, today=today)
    response = client_for(victor).get(reverse("customer_detail", args=[late_customer.pk]))
    assert (response.context["overdue"], response.context["disputed_amount"]) == (Decimal("1200.00"), 0)
    assert 'id="customer-disputed"' not in response.content.decode()


def test_the_customer_list_leaves_disputed_invoices_out_of_the_overdue(disputed, org, late_customer, victor,
                                                                      client_for, today):
    other = CustomerFactory(org=org, name="Boulangerie Martin")
    InvoiceFactory(customer=other, issue_date=today - timedelta(days=50), due_date=today - timedelta(days=20),
                   total_incl_tax=Decimal("500.00"))
    c = client_for(victor)
    rows = {r.name: r for r in c.get(reverse("customer_list")).context["page"]}
    lefevre, martin = rows["Garage Lefèvre"], rows["Boulangerie Martin"]
    assert (lefevre.outstanding, lefevre.overdue, lefevre.disputed) == (Decimal("1500.00"), 0, Decimal("1200.00"))
    assert (martin.overdue, martin.disputed) == (Decimal("500.00"), 0)
    assert "en litige" in c.get(reverse("customer_list")).content.decode()
    # "overdue only" and the sort by overdue read the same figure
    assert [r.name for r in c.get(reverse("customer_list"), {"overdue": "on"}).context["page"]] \
        == ["Boulangerie Martin"]
    assert [r.name for r in c.get(reverse("customer_list"), {"sort": "-overdue"}).context["page"]][0] \
        == "Boulangerie Martin"


def test_the_dashboard_shows_the_disputed_amount_apart_from_the_overdue(disputed, victor, client_for):
    response = client_for(victor).get(reverse("dashboard"))
    assert response.context["f"].overdue == Decimal("1200.00")  # the analytics' figure (aging) is unchanged
    assert (response.context["overdue"], response.context["disputed"]) == (Decimal("0.00"), Decimal("1200.00"))
    html = response.content.decode()
    assert 'id="total-disputed"' in html and "hors factures en litige" in html


def test_the_dashboard_reads_disputes_fresh_although_its_figures_are_cached(late_customer, org, victor,
                                                                           client_for, today):
    c = client_for(victor)
    assert c.get(reverse("dashboard")).context["overdue"] == Decimal("1200.00")
    dispute_open(org=org, invoice=Invoice.objects.get(number="FA-LATE"), reason="x", today=today)
    response = c.get(reverse("dashboard"))
    assert (response.context["overdue"], response.context["disputed"]) == (Decimal("0.00"), Decimal("1200.00"))


def test_another_organisation_s_disputes_count_nowhere(disputed, charlie, client_for):
    response = client_for(charlie).get(reverse("dashboard"))
    assert response.context["disputed"] == Decimal("0.00")
    assert not client_for(charlie).get(reverse("today")).context["stale_disputes"]


# --- Today: disputes open too long ---------------------------------------------------------------------


def test_today_lists_disputes_open_longer_than_the_threshold_oldest_first(org, plan, victor, client_for, today):
    recent = _dispute(org, "FA-RECENT", today - timedelta(days=DISPUTE_STALE_DAYS))  # exactly 30 days: not yet
    old = _dispute(org, "FA-OLD", today - timedelta(days=90))
    older = _dispute(org, "FA-OLDER", today - timedelta(days=120))
    resolved = _dispute(org, "FA-DONE", today - timedelta(days=200))
    dispute_resolve(org=org, invoice=resolved.invoice, today=today - timedelta(days=1))
    response = client_for(victor).get(reverse("today"))
    shown = response.context["stale_disputes"]
    assert [d.pk for d in shown] == [older.pk, old.pk] and recent.pk not in [d.pk for d in shown]
    assert [d.age for d in shown] == [120, 90]
    html = response.content.decode()
    assert "Litiges ouverts depuis plus de 30 jours" in html
    assert reverse("invoice_detail", args=[older.invoice_id]) in html
    assert html.index("FA-OLDER") < html.index("FA-OLD<")


def test_today_shows_the_disputes_of_my_customers_and_everyone_s_on_request(org, plan, bob, alice, client_for,
                                                                          today):
    mine = _dispute(org, "FA-MINE", today - timedelta(days=40), CustomerFactory(org=org, account_manager=bob))
    team = _dispute(org, "FA-TEAM", today - timedelta(days=50))
    theirs = _dispute(org, "FA-THEIRS", today - timedelta(days=60), CustomerFactory(org=org, account_manager=alice))
    c = client_for(bob)
    assert [d.pk for d in c.get(reverse("today")).context["stale_disputes"]] == [team.pk, mine.pk]
    assert [d.pk for d in c.get(reverse("today"), {"equipe": "1"}).context["stale_disputes"]] \
        == [theirs.pk, team.pk, mine.pk]


def test_a_long_dispute_whose_task_was_done_still_shows_and_today_is_not_empty(org, plan, victor, client_for,
                                                                              today):
    dispute = _dispute(org, "FA-OLD", today - timedelta(days=45))
    Task.objects.filter(kind=Task.Kind.DISPUTE).update(status=Task.Status.DONE)  # "Fait", yet still unresolved
    response = client_for(victor).get(reverse("today"))
    assert response.context["total"] == 0 and [d.pk for d in response.context["stale_disputes"]] == [dispute.pk]
    assert "Rien à faire aujourd&#x27;hui" not in response.content.decode()


def test_today_without_long_disputes_shows_no_such_section(disputed, victor, client_for):
    response = client_for(victor).get(reverse("today"))
    assert response.context["stale_disputes"] == []
    assert "Litiges ouverts depuis plus de" not in response.content.decode()


def test_the_invoice_list_marks_disputed_invoices(disputed, victor, client_for):
    response = client_for(victor).get(reverse("invoice_list"))
    flags = {i.number: i.in_dispute for i in response.context["page"]}
    assert flags == {"FA-LATE": True, "FA-SOON": False}
    row = response.content.decode().split("FA-LATE</a>")[1].split("</tr>")[0]
    assert "en litige" in row and 'class="late"' not in row
