"""The outbox: compare-and-set claims, in-doubt actions, retries with backoff, permanent failures, fallback."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from relance.activity.models import Task
from relance.channels import api as channels
from relance.dunning.models import Action
from relance.dunning.outbox import MAX_ATTEMPTS, action_deliver, outbox_process
from relance.dunning.services import dunning_run
from relance.dunning.tests.test_run import debtor, invoice

D = date.fromisoformat
pytestmark = pytest.mark.django_db
DAY = D("2025-03-10")
UNREACHABLE_SMTP = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": 9, "EMAIL_TIMEOUT": 2}


def queued_action(org) -> Action:
    invoice(debtor(org))
    dunning_run(org=org, today=DAY, dry_run=True)
    result = dunning_run(org=org, today=DAY)
    return Action.objects.get(id=result.actions[0]["id"])


def test_an_action_claimed_by_another_worker_is_not_sent_again(org):
    action = queued_action(org)  # sent by the run
    assert action.status == "sent" and len(mail.outbox) == 1
    Action.objects.filter(id=action.id).update(status="queued")
    assert Action.objects.filter(id=action.id, status="queued").update(status="sending") == 1  # worker A
    assert action_deliver(action_id=action.id, today=DAY) == ""  # worker B loses the claim
    assert len(mail.outbox) == 1


def test_a_crash_between_sending_and_sent_leaves_the_action_in_doubt_never_resent(org):
    action = queued_action(org)
    Action.objects.filter(id=action.id).update(status="sending")  # the process died mid-send
    assert outbox_process(today=DAY) == 0
    assert dunning_run(org=org, today=DAY).actions == []
    assert Action.objects.get(id=action.id).status == "sending" and len(mail.outbox) == 1


def test_a_temporary_failure_is_retried_with_backoff_then_given_up(org, settings):
    for key, value in UNREACHABLE_SMTP.items():
        setattr(settings, key, value)
    invoice(debtor(org))
    result = dunning_run(org=org, today=DAY)
    action = Action.objects.get(id=result.actions[0]["id"])
    assert action.status == "queued" and action.attempts == 1 and action.last_error
    first_wait = action.next_attempt_at - timezone.now()
    assert timedelta(minutes=4) < first_wait <= timedelta(minutes=5)
    assert outbox_process(today=DAY) == 0  # not before its time
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS - 1):
        now += timedelta(days=1)
        outbox_process(today=DAY, now=now)
    action.refresh_from_db()
    assert action.status == "failed" and action.attempts == MAX_ATTEMPTS
    assert Task.objects.filter(kind="contact", action_id=action.id).exists()


def test_a_permanent_failure_fails_at_once_and_asks_to_fix_the_contact(org):
    customer = debtor(org)
    invoice(customer)
    dunning_run(org=org, today=DAY, dry_run=True)
    customer.contacts.update(email_invalid=True, email="x@invalid.example")
    # The planner saw an e-mail a moment ago; now the address is known bad: the channel refuses for good.
    action = Action.objects.create(org=org, customer=customer, step="reminder_1", channel="email", date=DAY,
                                   carried_out_on=DAY, amount_due=0)
    action.lines.create(invoice=customer.invoices.get(), amount=customer.invoices.get().total_incl_tax)
    assert action_deliver(action_id=action.id, today=DAY) == "failed"
    assert Task.objects.filter(kind="contact", action_id=action.id).exists()


def test_until_channels_delivers_an_email_goes_as_plain_french_text(org, monkeypatch):
    def not_yet(action, *, today):
        raise NotImplementedError

    monkeypatch.setattr(channels, "deliver_action", not_yet)
    customer = debtor(org, ref="C9")
    invoice(customer, number="FA-900")
    letter_only = debtor(org, ref="C10", email=False)
    invoice(letter_only, number="FA-901")
    result = dunning_run(org=org, today=DAY)
    by_channel = {a["channel"]: a["status"] for a in result.actions}
    assert by_channel["email"] == "sent" and by_channel["letter"] == "queued"
    message = mail.outbox[0]
    assert "FA-900" in message.body and "Bonjour" in message.body and "Relance" in message.subject
    letter = Action.objects.get(channel="letter")
    assert letter.attempts == 0 and "pas encore disponible" in letter.last_error
