from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.activity.models import Event, Task
from relance.activity.services import task_create
from relance.core.factories import CustomerFactory, InvoiceFactory, UserFactory
from relance.ledger.models import Dispute, Invoice, Promise

pytestmark = pytest.mark.django_db


def late_invoice(customer):
    return Invoice.objects.get(customer=customer, number="FA-LATE")


def test_the_360_page_shows_balances_interest_and_the_next_step_in_plain_words(late_customer, victor, client_for,
                                                                             today):
    from relance.legal.rates import HalfYear
    from relance.legal.services import ecb_decision_add

    for day in (today - timedelta(days=190), today):  # the delay may span two half-years
        ecb_decision_add(effective_date=HalfYear.of(day).first_day, rate=Decimal("2.15"))
    response = client_for(victor).get(reverse("customer_detail", args=[late_customer.pk]))
    assert response.status_code == 200
    assert (response.context["outstanding"], response.context["overdue"]) == (Decimal("1500.00"), Decimal("1200.00"))
    assert response.context["penalties"]["interest"] > 0  # B2B: ECB + 10 points over 40 days
    assert response.context["penalties"]["indemnities"] == Decimal("40.00")
    explanation = response.context["explanation"]
    assert explanation.invoice == "FA-LATE" and "FA-LATE" in response.content.decode()


def test_a_missing_rate_is_named_instead_of_guessing_the_interest(late_customer, victor, client_for):
    from relance.legal.models import EcbDecision

    EcbDecision.objects.all().delete()
    response = client_for(victor).get(reverse("customer_detail", args=[late_customer.pk]))
    assert response.context["penalties"] is None
    assert "taux BCE du" in response.context["penalties_error"] and "inconnu" in response.content.decode()
    # the 40 € indemnity needs no rate: still shown
    assert response.context["indemnities"] == Decimal("40.00")
    assert 'id="customer-indemnities"' in response.content.decode()


def test_a_viewer_sees_no_action_forms(late_customer, victor, client_for):
    html = client_for(victor).get(reverse("customer_detail", args=[late_customer.pk])).content.decode()
    assert "Noter un appel" not in html and "Suspendre les relances" not in html


def test_logging_a_call_with_a_promise_records_both_and_pauses_the_ladder(late_customer, org, bob, client_for,
                                                                          today):
    task = task_create(org=org, kind="call", title="Appeler", due=today, customer=late_customer)
    c = client_for(bob)
    until = today + timedelta(days=10)
    response = c.post(reverse("customer_call", args=[late_customer.pk]), {
        "outcome": "reached", "reason": "payment_in_progress", "note": "Virement la semaine prochaine",
        "promise_until": until.isoformat(), "promise_amount": "1200.00",
    }, follow=True)
    assert "Appel enregistré. Promesse enregistrée" in response.content.decode()
    promise = Promise.objects.get(customer=late_customer)
    assert (promise.until, promise.amount, promise.status) == (until, Decimal("1200.00"), "active")
    call = Event.objects.get(customer=late_customer, type="call_logged")
    assert call.data["reason"] == "payment_in_progress" and call.actor == bob
    assert Task.objects.get(pk=task.pk).status == "done"
    explanation = response.context["explanation"]
    assert "promesse" in explanation.text.lower()


def test_logging_a_call_can_open_a_dispute_in_the_same_form(late_customer, bob, client_for):
    invoice = late_invoice(late_customer)
    client_for(bob).post(reverse("customer_call", args=[late_customer.pk]), {
        "outcome": "reached", "reason": "not_received", "dispute_invoice": str(invoice.pk),
        "dispute_reason": "Jamais reçue",
    })
    dispute = Dispute.objects.get(invoice=invoice)
    assert (dispute.status, dispute.reason_code, dispute.reason) == ("open", "not_received", "Jamais reçue")


def test_a_dispute_without_a_reason_is_refused_and_nothing_is_recorded(late_customer, bob, client_for):
    invoice = late_invoice(late_customer)
    response = client_for(bob).post(reverse("customer_call", args=[late_customer.pk]), {
        "outcome": "reached", "dispute_invoice": str(invoice.pk), "promise_until": "2099-01-01",
    }, follow=True)
    assert "Indiquez le motif du litige." in response.content.decode()
    assert not Dispute.objects.exists() and not Promise.objects.exists() and not Event.objects.exists()


def test_a_promise_in_the_past_is_refused_with_the_engine_s_message(late_customer, bob, client_for, today):
    response = client_for(bob).post(reverse("customer_promise", args=[late_customer.pk]),
                                    {"until": (today - timedelta(days=1)).isoformat()}, follow=True)
    assert "est déjà passée" in response.content.decode()
    assert not Promise.objects.exists()


def test_a_dispute_is_opened_then_resolved_from_the_page(late_customer, bob, client_for):
    invoice, c = late_invoice(late_customer), client_for(bob)
    c.post(reverse("customer_dispute_open", args=[late_customer.pk]),
           {"invoice": invoice.pk, "reason_code": "amount_wrong", "reason": "Remise oubliée"})
    assert Dispute.objects.get(invoice=invoice).status == "open"
    html = c.get(reverse("customer_detail", args=[late_customer.pk])).content.decode()
    assert "en litige" in html
    c.post(reverse("customer_dispute_resolve", args=[late_customer.pk]), {"invoice": invoice.pk})
    assert Dispute.objects.get(invoice=invoice).status == "resolved"


def test_pausing_and_resuming_the_ladder(late_customer, bob, client_for):
    c = client_for(bob)
    c.post(reverse("customer_pause", args=[late_customer.pk]), {"reason": "Redressement judiciaire"})
    late_customer.refresh_from_db()
    assert late_customer.paused and late_customer.pause_reason == "Redressement judiciaire"
    assert "Relances suspendues" in c.get(reverse("customer_detail", args=[late_customer.pk])).content.decode()
    c.post(reverse("customer_pause", args=[late_customer.pk]))
    late_customer.refresh_from_db()
    assert not late_customer.paused


def test_manual_mode_is_switched_and_recorded_on_the_timeline(late_customer, bob, client_for):
    c = client_for(bob)
    c.post(reverse("customer_manual", args=[late_customer.pk]), {"manual": "1"})
    late_customer.refresh_from_db()
    assert late_customer.manual_mode
    assert Event.objects.filter(customer=late_customer, type="manual_mode_on").exists()
    response = c.post(reverse("customer_manual", args=[late_customer.pk]), {"manual": "1"}, follow=True)
    assert "déjà en mode manuel" in response.content.decode()


@pytest.mark.parametrize("name", ["customer_call", "customer_promise", "customer_dispute_open", "customer_pause",
                                  "customer_manual", "customer_portal_revoke", "customer_dispute_resolve"])
def test_a_viewer_changes_nothing(late_customer, victor, client_for, name, today):
    response = client_for(victor).post(reverse(name, args=[late_customer.pk]), {
        "outcome": "reached", "until": (today + timedelta(days=5)).isoformat(), "manual": "1", "reason": "x",
    })
    assert response.status_code == 403
    late_customer.refresh_from_db()
    assert not (late_customer.paused or late_customer.manual_mode)
    assert not Promise.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize("name", ["customer_detail", "customer_pause", "customer_manual"])
def test_an_outsider_gets_not_found(late_customer, charlie, client_for, name):
    c = client_for(charlie)
    response = c.get(reverse(name, args=[late_customer.pk])) if name == "customer_detail" else \
        c.post(reverse(name, args=[late_customer.pk]), {"manual": "1"})
    assert response.status_code == 404


def test_the_customer_list_filters_and_sorts(org, bob, client_for, today, plan):
    manager = UserFactory(email="sophie@durand.fr")
    from relance.core.factories import MembershipFactory

    MembershipFactory(org=org, user=manager)
    big = CustomerFactory(org=org, name="Alpha", kind="public", account_manager=manager)
    small = CustomerFactory(org=org, name="Bravo", paused=True)
    CustomerFactory(org=org, name="Charlie Paid")
    InvoiceFactory(customer=big, issue_date=today - timedelta(days=90), total_incl_tax=Decimal("5000"))
    InvoiceFactory(customer=small, issue_date=today - timedelta(days=60), total_incl_tax=Decimal("50"))
    c = client_for(bob)

    def names(**params):
        return [x.name for x in c.get(reverse("customer_list"), params).context["page"]]

    assert names() == ["Alpha", "Bravo", "Charlie Paid"]
    assert names(sort="name", overdue="on") == ["Alpha", "Bravo"]
    assert names(min_amount="100") == ["Alpha"]
    assert names(kind="public") == ["Alpha"]
    assert names(manager=str(manager.pk)) == ["Alpha"]
    assert names(manager="none", sort="name") == ["Bravo", "Charlie Paid"]
    assert names(state="paused") == ["Bravo"]
    assert names(q="brav") == ["Bravo"]
    assert names(sort="-outstanding")[0] == "Alpha"


def test_the_customer_list_runs_the_same_queries_for_fifty_rows(org, bob, client_for, today,
                                                                 django_assert_max_num_queries):
    for _ in range(60):
        InvoiceFactory(customer=CustomerFactory(org=org), issue_date=today - timedelta(days=45))
    c = client_for(bob)
    with django_assert_max_num_queries(11):  # the page, its count, its members, and 4 grouped risk queries
        response = c.get(reverse("customer_list"))
    assert len(response.context["page"]) == 50 and "Page 1 sur 2" in response.content.decode()


def test_the_customer_page_runs_a_bounded_number_of_queries(late_customer, bob, client_for, today,
                                                             django_assert_max_num_queries):
    url = reverse("customer_detail", args=[late_customer.pk])
    for i in range(30):
        InvoiceFactory(customer=late_customer, issue_date=today - timedelta(days=i * 5))
    c = client_for(bob)
    with django_assert_max_num_queries(50):
        assert c.get(url).status_code == 200
    for i in range(30):  # twice the invoices, the same bound: no query per row
        InvoiceFactory(customer=late_customer, issue_date=today - timedelta(days=i * 5 + 2))
    with django_assert_max_num_queries(50):
        assert c.get(url).status_code == 200


def test_adding_a_missing_rate_shows_the_interest_at_once(late_customer, victor, client_for, today):
    from relance.legal.models import EcbDecision
    from relance.legal.rates import HalfYear
    from relance.legal.services import ecb_decision_add

    EcbDecision.objects.all().delete()
    c = client_for(victor)
    assert c.get(reverse("customer_detail", args=[late_customer.pk])).context["penalties"] is None
    for day in (today - timedelta(days=190), today):
        ecb_decision_add(effective_date=HalfYear.of(day).first_day, rate=Decimal("2.15"))
    assert c.get(reverse("customer_detail", args=[late_customer.pk])).context["penalties"]["interest"] > 0


def test_the_timeline_shows_the_latest_events_and_all_on_request(late_customer, org, victor, client_for, today):
    from relance.activity.services import event_record

    for i in range(55):
        event_record(org=org, type="note", day=today - timedelta(days=i), customer=late_customer, message=f"Note {i}")
    c = client_for(victor)
    response = c.get(reverse("customer_detail", args=[late_customer.pk]))
    assert len(response.context["timeline"]) == 50 and "Voir tout l'historique" in response.content.decode()
    assert len(c.get(reverse("customer_detail", args=[late_customer.pk]), {"historique": "tout"}).context["timeline"]) == 55


def test_fixing_a_bounced_address_closes_the_contact_task(late_customer, org, bob, client_for, today):
    contact = late_customer.contacts.get()
    contact.email_invalid = True
    contact.save()
    task = task_create(org=org, kind="contact", title="Compléter les coordonnées", due=today, customer=late_customer)
    response = client_for(bob).post(reverse("customer_contact", args=[late_customer.pk]), {
        "contact": contact.pk, "name": "Claire Martin", "email": "claire@lefevre.fr", "phone": "06 12 34 56 78",
    }, follow=True)
    assert "Contact enregistré." in response.content.decode()
    contact.refresh_from_db()
    assert (contact.email, contact.phone, contact.email_invalid) == ("claire@lefevre.fr", "+33612345678", False)
    assert Task.objects.get(pk=task.pk).status == "done"


def test_a_contact_needs_an_address_or_a_valid_phone(late_customer, bob, client_for):
    c = client_for(bob)
    response = c.post(reverse("customer_contact", args=[late_customer.pk]), {"name": "Personne"}, follow=True)
    assert "Indiquez au moins un e-mail ou un téléphone." in response.content.decode()
    response = c.post(reverse("customer_contact", args=[late_customer.pk]), {"phone": "12"}, follow=True)
    assert "Numéro de téléphone" in response.content.decode()
    assert late_customer.contacts.count() == 1


def test_a_viewer_cannot_edit_contacts(late_customer, victor, client_for):
    response = client_for(victor).post(reverse("customer_contact", args=[late_customer.pk]), {"email": "x@y.fr"})
    assert response.status_code == 403 and late_customer.contacts.count() == 1
