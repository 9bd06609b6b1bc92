"""The outbox: compare-and-set claims, in-doubt actions, retries with backoff, permanent failures, fallback."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from relance.activity.models import Event, Task
from relance.channels import api as channels
from relance.dunning.models import Action, LadderMark
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
    def not_yet(action, *, today, now=None):
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


# --- An SMS outside office hours waits for them, without counting an attempt ------------------------------
PARIS = ZoneInfo("Europe/Paris")


def at(monkeypatch, moment: datetime) -> datetime:
    """The wall clock (the one thing not real here: the channel reads it, and tests cannot wait for 09:00)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def sms_run(org, settings, tmp_path, monkeypatch, moment: datetime) -> Action:
    settings.SMS_URL = f"file://{tmp_path}"  # the real channels SMS transport, writing one file per SMS
    customer = debtor(org, ref="C300")  # e-mail and a mobile
    fa = invoice(customer, number="FA-300", due="2025-02-10")
    LadderMark.objects.create(org=org, customer=customer, invoice=fa, step="reminder_1", day=D("2025-02-24"))
    at(monkeypatch, moment)
    dunning_run(org=org, today=DAY)  # reminder_2: e-mail + SMS, handed to the outbox at once
    return Action.objects.get(org=org, step="reminder_2", channel="sms")


def test_an_sms_at_the_0830_run_waits_for_0900_without_spending_an_attempt(org, settings, tmp_path, monkeypatch):
    sms = sms_run(org, settings, tmp_path, monkeypatch, datetime(2025, 3, 10, 8, 30, tzinfo=PARIS))
    assert (sms.status, sms.attempts) == ("queued", 0)
    assert sms.next_attempt_at == datetime(2025, 3, 10, 9, 0, tzinfo=PARIS)
    assert "reporté au 10/03/2025 à 09:00" in sms.last_error
    assert list(tmp_path.glob("*.json")) == []
    assert Action.objects.get(step="reminder_2", channel="email").status == "sent"
    for _ in range(MAX_ATTEMPTS + 2):  # however often it is tried before 09:00, no retry is used up
        action_deliver(action_id=sms.id, today=DAY, now=timezone.now())
    assert outbox_process(today=DAY, now=at(monkeypatch, datetime(2025, 3, 10, 8, 59, tzinfo=PARIS))) == 0
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("queued", 0)
    assert not Task.objects.filter(kind="contact").exists()
    assert not Event.objects.filter(type="delivery_failed").exists()
    assert outbox_process(today=DAY, now=at(monkeypatch, datetime(2025, 3, 10, 9, 0, tzinfo=PARIS))) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 1, "")
    [written] = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert written["to"] == "+33612345678" and "FA-300" in written["text"]


def test_an_sms_at_1000_goes_at_once(org, settings, tmp_path, monkeypatch):
    sms = sms_run(org, settings, tmp_path, monkeypatch, datetime(2025, 3, 10, 10, 0, tzinfo=PARIS))
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 1, "")
    assert len(list(tmp_path.glob("*.json"))) == 1
