"""Payment plans on the customer page: who may set one up or cancel it, the default split, edited instalments,
and each instalment's state (the personas of STYLE.md: Alice owner, Bob collector, Victor viewer, Charlie
outsider)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.core.dates import add_months
from relance.ledger.models import Allocation
from relance.portal.models import Instalment, PaymentPlan
from relance.portal.plans import payment_plan_create

pytestmark = pytest.mark.django_db
M = Decimal


def new_url(customer):
    return reverse("customer_plan_new", args=[customer.pk])


def rows_post(invoices, rows, do="create", count=None, first=None):
    data = {"invoices": [str(i.pk) for i in invoices], "count": str(count or len(rows)),
            "first_date": (first or rows[0][0]).isoformat(), "note": "", "do": do,
            "ech-TOTAL_FORMS": str(len(rows)), "ech-INITIAL_FORMS": str(len(rows)),
            "ech-MIN_NUM_FORMS": "0", "ech-MAX_NUM_FORMS": "36"}
    for n, (day, amount) in enumerate(rows):
        data[f"ech-{n}-due_date"], data[f"ech-{n}-amount"] = day.isoformat(), amount
    return data


@pytest.fixture
def active_plan(org, customer, invoices, today, alice):
    return payment_plan_create(org=org, customer=customer, invoices=invoices, today=today, actor=alice,
                               instalments=[(today + timedelta(days=10), M("750.25")),
                                            (today + timedelta(days=40), M("750.25"))])


def test_the_setup_page_offers_the_equal_monthly_split_of_every_open_invoice(customer, invoices, bob, client_for,
                                                                              today):
    response = client_for(bob).get(new_url(customer))
    assert response.status_code == 200
    rows = response.context["rows"]
    first = add_months(today, 1)
    assert [(f.initial["due_date"], f.initial["amount"]) for f in rows] == [
        (first, M("500.16")), (add_months(first, 1), M("500.16")), (add_months(first, 2), M("500.18"))]
    html = response.content.decode()
    assert "FA-101" in html and "FA-102" in html and "Créer l'échéancier" in html


def test_computing_again_splits_only_the_chosen_invoices(customer, invoices, bob, client_for, today):
    first = today + timedelta(days=15)
    response = client_for(bob).post(new_url(customer), rows_post([invoices[1]], [], do="compute", count=2,
                                                                 first=first))
    assert response.status_code == 200 and not PaymentPlan.objects.exists()
    assert [f.initial["amount"] for f in response.context["rows"]] == [M("150.25"), M("150.25")]


def test_a_collector_sets_up_a_plan_with_edited_dates_and_amounts(org, customer, invoices, bob, client_for, today):
    rows = [(today + timedelta(days=3), "1000.00"), (today + timedelta(days=20), "300.00"),
            (today + timedelta(days=50), "200.50")]
    response = client_for(bob).post(new_url(customer), rows_post(invoices, rows))
    assert response.status_code == 302 and response["Location"].endswith("#payment-plan")
    plan = PaymentPlan.objects.get(customer=customer)
    assert (plan.status, plan.source, plan.created_by, plan.total) == ("approved", "staff", bob, M("1500.50"))
    assert list(plan.instalments.values_list("seq", "due_date", "amount")) == [
        (n + 1, d, M(a)) for n, (d, a) in enumerate(rows)]
    page = client_for(bob).get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'id="payment-plan-instalments"' in page and "1\u202f000,00\u00a0€" in page
    assert "à venir" in page and "Annuler l'échéancier" in page and "Mettre en place un échéancier" not in page


def test_amounts_that_do_not_add_up_are_refused_with_the_difference_and_nothing_is_created(
        customer, invoices, bob, client_for, today):
    rows = [(today + timedelta(days=3), "1000.00"), (today + timedelta(days=20), "500.00")]
    response = client_for(bob).post(new_url(customer), rows_post(invoices, rows))
    assert response.status_code == 400 and not PaymentPlan.objects.exists()
    assert "écart : +0,50\u00a0€" in response.content.decode()


def test_the_page_shows_each_instalment_paid_due_or_missed(org, customer, invoices, active_plan, victor,
                                                           client_for, today):
    Allocation.objects.create(org=org, invoice=invoices[0], source="accounting", amount=M("800.00"), date=today)
    Instalment.objects.filter(plan=active_plan, seq=1).update(reminded_on=today)
    page = client_for(victor).get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert f"payée le {today:%d/%m/%Y}" in page and f"envoyé le {today:%d/%m/%Y}" in page
    assert "reste 700,50" in page  # the 2nd instalment is partly covered by the overpayment
    PaymentPlan.objects.filter(pk=active_plan.pk).update(status="broken", ended_on=today, missed_seq=2)
    page = client_for(victor).get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "Non respecté" in page and "échéance n°2 manquée" in page


def test_a_viewer_sees_the_plan_but_can_neither_set_one_up_nor_cancel_it(customer, invoices, active_plan, victor,
                                                                         client_for):
    c = client_for(victor)
    page = c.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'id="payment-plan-instalments"' in page and "Annuler l'échéancier" not in page
    assert c.get(new_url(customer)).status_code == 403
    rows = [(active_plan.first_date, "1500.50")]
    assert c.post(new_url(customer), rows_post(invoices, rows)).status_code == 403
    cancel = reverse("customer_plan_cancel", args=[customer.pk, active_plan.pk])
    assert c.post(cancel).status_code == 403
    active_plan.refresh_from_db()
    assert active_plan.status == "approved" and PaymentPlan.objects.count() == 1


def test_an_outsider_gets_404_everywhere(customer, invoices, active_plan, charlie, client_for):
    c = client_for(charlie)
    assert c.get(new_url(customer)).status_code == 404
    assert c.post(reverse("customer_plan_cancel", args=[customer.pk, active_plan.pk])).status_code == 404
    active_plan.refresh_from_db()
    assert active_plan.status == "approved"


def test_the_owner_cancels_a_plan_and_may_then_set_up_another(org, customer, invoices, active_plan, alice,
                                                              client_for):
    c = client_for(alice)
    response = c.post(reverse("customer_plan_cancel", args=[customer.pk, active_plan.pk]), {"reason": "Accord"},
                      follow=True)
    active_plan.refresh_from_db()
    assert active_plan.status == "cancelled" and "Échéancier annulé" in response.content.decode()
    assert "Mettre en place un échéancier" in response.content.decode()


def test_a_plan_of_another_customer_cannot_be_cancelled_through_this_one(org, customer, invoices, active_plan, bob,
                                                                         client_for):
    from relance.core.factories import CustomerFactory

    other = CustomerFactory(org=org, ref="C-AUTRE")
    assert client_for(bob).post(reverse("customer_plan_cancel", args=[other.pk, active_plan.pk])).status_code == 404


def test_the_plan_section_is_in_english_for_an_english_speaker(customer, invoices, active_plan, bob, client_for):
    c = client_for(bob)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = c.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "In progress" in page and "Reminders paused for its invoices as long as the instalments are paid." in page


def test_the_debtor_sees_which_instalments_are_paid_on_the_portal(client, url, org, invoices, active_plan, today):
    Allocation.objects.create(org=org, invoice=invoices[0], source="accounting", amount=M("750.25"), date=today)
    page = client.get(url()).content.decode()
    assert "Votre échéancier" in page
    assert page.count("<td>payée</td>") == 1 and page.count("<td>à venir</td>") == 1


def test_the_plan_section_costs_one_query_for_a_customer_who_never_had_a_plan(org, customer, invoices, bob,
                                                                             client_for, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from relance.portal.plans import customer_plan_panel

    with CaptureQueriesContext(connection) as ctx:
        panel = customer_plan_panel(org=org, customer=customer, today=today)
    assert panel == {"view": None, "pending": None} and len(ctx.captured_queries) == 1
    page = client_for(bob).get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "Aucun échéancier." in page and "Mettre en place un échéancier" in page
