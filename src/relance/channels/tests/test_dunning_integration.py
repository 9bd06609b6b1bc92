"""deliver_action and call_script on the dunning engine's real Action rows, through its outbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relance.activity.models import Event
from relance.channels.models import Document, SentMessage
from relance.channels.replies import mail_file, mail_parse
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)


@pytest.fixture
def setup(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RELANCE_EMAIL_STATEMENT = False
    customer = CustomerFactory(org=org, name="Imprimerie Zoé", ref="C777")
    ContactFactory(customer=customer, email="zoe@imprimerie.fr", phone="+33612345678")
    invoice = InvoiceFactory(customer=customer, number="FA-777", total_incl_tax=Decimal("640.00"),
                             due_date=date(2025, 2, 1))
    return customer, invoice


def make_action(org, customer, invoice, step, channel):
    from relance.dunning.models import Action, ActionInvoice

    action = Action.objects.create(org=org, customer=customer, step=step, channel=channel, date=TODAY,
                                   amount_due=invoice.total_incl_tax)
    ActionInvoice.objects.create(action=action, invoice=invoice, amount=invoice.total_incl_tax, advanced=True)
    return action


def test_the_outbox_sends_an_email_action_and_a_bounce_marks_it_failed(org, setup):
    from django.core import mail

    from relance.dunning.models import Action
    from relance.dunning.outbox import action_deliver

    customer, invoice = setup
    action = make_action(org, customer, invoice, "reminder_1", "email")
    assert action_deliver(action_id=action.pk, today=TODAY) == Action.Status.SENT
    action.refresh_from_db()
    [sent] = mail.outbox
    assert action.message_id == sent.extra_headers["Message-ID"] and "FA-777" in sent.body
    assert SentMessage.objects.get(action_id=action.pk).message_id == action.message_id
    bounce = (b"From: MAILER-DAEMON@mx.example\r\nMessage-ID: <b1@mx.example>\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n"
              b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
              b"Final-Recipient: rfc822; zoe@imprimerie.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--x\r\n"
              b"Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: " + action.message_id.encode() +
              b"\r\n\r\n--x--\r\n")
    assert mail_file(mail_parse(bounce), today=TODAY)
    action.refresh_from_db()
    assert action.status == Action.Status.FAILED and "zoe@imprimerie.fr" in action.last_error
    assert customer.contacts.get().email_invalid


def test_the_outbox_produces_a_registered_letter_and_tracking_lands_on_the_action(org, setup):
    from relance.channels.services import registered_letter_get, registered_letter_track
    from relance.dunning.models import Action
    from relance.dunning.outbox import action_deliver

    customer, invoice = setup
    action = make_action(org, customer, invoice, "formal_notice", "registered_letter")
    assert action_deliver(action_id=action.pk, today=TODAY) == Action.Status.SENT
    action.refresh_from_db()
    document = Document.objects.get(action_id=action.pk)
    assert action.document == document.path and document.kind == Document.Kind.REGISTERED_LETTER
    assert Event.objects.filter(type="formal_notice", customer=customer).exists()
    registered_letter_track(org=org, document=registered_letter_get(org=org, action_id=action.pk),
                            tracking_number="1A00042", acknowledged_on=TODAY, today=TODAY)
    action.refresh_from_db()
    assert (action.tracking_number, action.acknowledged_on) == ("1A00042", TODAY)


def test_the_call_task_of_a_real_action_carries_the_script(org, setup):
    from relance.channels.api import call_script

    customer, invoice = setup
    text = call_script(make_action(org, customer, invoice, "call", "phone"))
    assert "Appeler Imprimerie Zoé (C777)" in text and "FA-777" in text and "06 12 34 56 78" in text


def test_the_litigation_chronology_lists_the_dunning_actions_once(org, setup):
    from relance.channels.litigation import chronology
    from relance.dunning.outbox import action_deliver

    customer, invoice = setup
    action = make_action(org, customer, invoice, "reminder_1", "email")
    action_deliver(action_id=action.pk, today=TODAY)
    rows = chronology(org=org, customer=customer)
    assert [r["text"] for r in rows if r["kind"] == "Relance"] == ["relance 1 par e-mail (envoyée) — FA-777"]
    assert not any(r["kind"] == "E-mail envoyé" for r in rows)  # not listed twice


def test_a_logged_call_with_a_promise_appears_once_in_the_chronology_with_french_labels(org, setup):
    from relance.activity.models import Task
    from relance.activity.services import task_create
    from relance.channels.litigation import chronology
    from relance.web.services import call_log

    customer, invoice = setup
    task_create(org=org, customer=customer, kind=Task.Kind.CALL, title="Appeler", due=TODAY)
    call_log(org=org, customer=customer, outcome="reached", reason="financial_difficulty", note="Paiera fin du mois",
             today=TODAY, promise_until=date(2025, 4, 30))
    rows = chronology(org=org, customer=customer)
    calls = [r for r in rows if r["kind"] == "Appel"]
    assert len(calls) == 1 and "Paiera fin du mois" in calls[0]["text"]
    assert any(r["kind"] == "Promesse de paiement" for r in rows)
