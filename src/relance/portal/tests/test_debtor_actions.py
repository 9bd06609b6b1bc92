"""What the debtor does through the link, checked through the Django client (browser journeys are in
test_journeys_browser.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relance.activity.models import Event, Task
from relance.dunning.services import dunning_explain
from relance.ledger.models import Dispute, Promise
from relance.portal.models import PaymentClaim, PaymentPlan

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def managed(customer, alice):
    customer.account_manager = alice
    customer.save()
    return customer


def test_i_have_paid_pauses_the_ladder_files_a_check_task_and_mails_the_account_manager(
        client, url, managed, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("jai-paye/"), {"paid_on": (today - timedelta(days=2)).isoformat(),
                                                  "amount": "1500,50", "comment": "Virement BNP",
                                                  "proof": SimpleUploadedFile("avis.png", PNG, "image/png")})

    assert response.status_code == 302 and response["Location"] == url()
    managed.refresh_from_db()
    assert managed.paused
    claim = PaymentClaim.objects.get(customer=managed)
    assert claim.amount == Decimal("1500.50") and claim.proof_type == "image/png"
    assert claim.proof.name.startswith("portal/proofs/") and "avis" not in claim.proof.name
    task = Task.objects.get(customer=managed, kind=Task.Kind.CHECK_PAYMENT)
    assert task.assignee == managed.account_manager
    assert Event.objects.filter(customer=managed, type="portal_payment_claimed").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@durand.fr"]
    assert "Boulangerie Martin" in mail.outbox[0].subject
    assert "Vous nous avez signalé un paiement" in client.get(url()).content.decode()


def test_a_second_i_have_paid_on_a_paused_customer_still_files_a_task(client, url, customer, today):
    for _ in range(2):
        client.post(url("jai-paye/"), {"paid_on": today.isoformat()})
    assert Task.objects.filter(customer=customer, kind=Task.Kind.CHECK_PAYMENT).count() == 2


@pytest.mark.parametrize("days", [1, 400])
def test_a_payment_date_in_the_future_or_long_ago_is_refused(client, url, customer, today, days):
    when = today + timedelta(days=days) if days == 1 else today - timedelta(days=days)
    response = client.post(url("jai-paye/"), {"paid_on": when.isoformat()})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PaymentClaim.objects.exists()


def test_a_promise_is_recorded_by_the_engine_with_source_portal(client, url, managed, invoices, today,
                                                                 django_capture_on_commit_callbacks):
    until = today + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("promesse/"), {"until": until.isoformat()})

    assert response.status_code == 302
    promise = Promise.objects.get(customer=managed)
    assert promise.source == "portal" and promise.until == until
    assert set(promise.invoices.values_list("number", flat=True)) == {"FA-101", "FA-102"}
    assert Event.objects.filter(customer=managed, type="portal_promise", data__ip="127.0.0.1").exists()
    assert Task.objects.filter(customer=managed, kind=Task.Kind.PROMISE).exists()
    assert len(mail.outbox) == 1
    assert "Paiement promis au" in client.get(url()).content.decode()


def test_a_promise_beyond_the_organisations_limit_is_refused(client, url, org, customer, today):
    org.portal_max_promise_days = 15
    org.save()
    response = client.post(url("promesse/"), {"until": (today + timedelta(days=16)).isoformat()})
    assert response.status_code == 200
    assert "La date ne peut pas dépasser le" in response.content.decode()
    assert not Promise.objects.exists()


def test_nothing_overdue_means_nothing_to_promise(client, org, today):
    from relance.core.factories import CustomerFactory, InvoiceFactory
    from relance.portal.services import portal_link_create

    fresh = CustomerFactory(org=org)
    InvoiceFactory(customer=fresh, issue_date=today, due_date=today + timedelta(days=30))
    raw = portal_link_create(customer=fresh, today=today)
    response = client.post(f"/portail/{raw}/promesse/", {"until": (today + timedelta(days=5)).isoformat()})
    assert "rien à promettre" in response.content.decode()
    assert not Promise.objects.exists()


def test_a_dispute_takes_the_invoice_out_of_the_ladder_and_tasks_the_account_manager(
        client, url, managed, invoices, today):
    response = client.post(url("litige/"), {"invoice": invoices[1].pk, "reason_code": "amount_wrong",
                                            "comment": "Remise de 10 % oubliée"})

    assert response.status_code == 302
    dispute = Dispute.objects.get(invoice=invoices[1])
    assert dispute.source == "portal" and dispute.reason_code == "amount_wrong"
    assert dispute.reason == "Remise de 10 % oubliée"
    task = Task.objects.get(customer=managed, kind=Task.Kind.DISPUTE)
    assert task.assignee == managed.account_manager
    assert Event.objects.filter(customer=managed, type="portal_dispute", invoice=invoices[1]).exists()
    page = client.get(url()).content.decode()
    assert "Contestée : en cours d'examen" in page


def test_a_debtor_cannot_dispute_another_customers_invoice(client, url, org):
    from relance.core.factories import CustomerFactory, InvoiceFactory

    foreign = InvoiceFactory(customer=CustomerFactory(org=org))
    response = client.post(url("litige/"), {"invoice": foreign.pk, "reason_code": "other", "comment": "x"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert not Dispute.objects.exists()


def test_script_in_a_dispute_comment_is_escaped_for_the_debtor_and_for_the_team(
        client, url, customer, invoices, bob, client_for):
    evil = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    client.post(url("litige/"), {"invoice": invoices[0].pk, "reason_code": "other", "comment": evil})
    assert Dispute.objects.get(invoice=invoices[0]).reason == evil

    staff = client_for(bob).get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in staff
    assert "<script>alert" not in staff and "<img src=x" not in staff


def test_a_payment_plan_request_becomes_a_task_and_approved_instalments_appear(
        client, url, org, customer, invoices, today, alice, client_for):
    first = today + timedelta(days=7)
    response = client.post(url("echeancier/"), {"instalments": "3", "first_date": first.isoformat(),
                                                "comment": "Trésorerie tendue"})
    assert response.status_code == 302
    plan = PaymentPlan.objects.get(customer=customer)
    assert plan.status == "requested" and plan.total == Decimal("1500.50")
    task = Task.objects.get(pk=plan.task_id)
    assert task.kind == Task.Kind.PAYMENT_PLAN and task.data["plan_id"] == plan.pk
    assert "en cours d'examen" in client.get(url()).content.decode()

    staff = client_for(alice)
    assert "Trésorerie tendue" in staff.get(reverse("portal:staff_plan", args=[plan.pk])).content.decode()
    staff.post(reverse("portal:staff_plan", args=[plan.pk]), {"decision": "approve", "instalments": "3",
                                                                "first_date": first.isoformat(), "note": ""})
    plan.refresh_from_db()
    task.refresh_from_db()
    assert plan.status == "approved" and task.status == Task.Status.DONE
    amounts = list(plan.instalments.values_list("amount", flat=True))
    assert amounts == [Decimal("500.16"), Decimal("500.16"), Decimal("500.18")]
    # The plan itself holds the ladder (no promise row); its first instalment is what the engine waits for.
    assert not Promise.objects.filter(customer=customer).exists()
    explanation = dunning_explain(org=org, invoice=invoices[0], today=today)
    assert explanation.rule == 7 and "échéancier" in explanation.text and f"{first:%d/%m/%Y}" in explanation.text

    page = client.logout() or client.get(url()).content.decode()
    assert "Votre échéancier" in page and "500,18" in page


def test_instalments_beyond_the_organisations_limit_are_refused(client, url, org, customer, today):
    org.portal_max_instalments = 4
    org.save()
    response = client.post(url("echeancier/"), {"instalments": "5", "first_date": today.isoformat()})
    assert response.status_code == 200 and not PaymentPlan.objects.exists()


def test_only_a_manager_decides_a_plan_and_an_outsider_cannot_see_it(client, url, customer, today, bob,
                                                                       charlie, client_for):
    client.post(url("echeancier/"), {"instalments": "2", "first_date": today.isoformat()})
    plan = PaymentPlan.objects.get()
    address = reverse("portal:staff_plan", args=[plan.pk])
    decision = {"decision": "approve", "instalments": "2", "first_date": today.isoformat()}

    assert client_for(bob).post(address, decision).status_code == 403
    assert client_for(charlie).get(address).status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == "requested"


def test_proofs_are_served_to_the_organisations_staff_only(client, url, customer, today, bob, charlie,
                                                           client_for):
    client.post(url("jai-paye/"), {"paid_on": today.isoformat(),
                                   "proof": SimpleUploadedFile("a.pdf", b"%PDF-1.7\n...", "application/pdf")})
    claim = PaymentClaim.objects.get()
    address = reverse("portal:proof", args=[claim.pk])

    anonymous = client.get(address)
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"]
    assert client_for(charlie).get(address).status_code in (403, 404)
    response = client_for(bob).get(address)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.7")


def test_script_in_a_plan_comment_is_escaped_on_the_staff_approval_page(client, url, customer, today, bob,
                                                                         client_for):
    client.post(url("echeancier/"), {"instalments": "2", "first_date": today.isoformat(),
                                     "comment": "<script>alert(1)</script>"})
    plan = PaymentPlan.objects.get()
    page = client_for(bob).get(reverse("portal:staff_plan", args=[plan.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_a_rejected_plan_closes_its_task_and_lets_the_debtor_ask_again(client, url, customer, today, alice,
                                                                        client_for):
    client.post(url("echeancier/"), {"instalments": "2", "first_date": today.isoformat()})
    plan = PaymentPlan.objects.get()
    client_for(alice).post(reverse("portal:staff_plan", args=[plan.pk]), {
        "decision": "reject", "instalments": "2", "first_date": today.isoformat(), "note": "Montant trop faible"})
    plan.refresh_from_db()
    assert plan.status == "rejected" and Task.objects.get(pk=plan.task_id).status == Task.Status.DONE
    assert Event.objects.filter(customer=customer, type="portal_plan_rejected").exists()
    client.logout()
    assert "Demander un échéancier" in client.get(url()).content.decode()
