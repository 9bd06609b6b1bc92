"""SMS office hours decided by the `now` the caller passes (deliver_action, the dunning outbox), not the wall
clock: 09:00–19:00 Europe/Paris on business days, across weekends, holidays and daylight-saving changes."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from relance.channels.api import deliver_action
from relance.channels.models import SentMessage
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.SMS_URL = f"file://{tmp_path}"
    return tmp_path


def sms_action(org, day: date):
    from relance.dunning.models import Action, ActionInvoice

    customer = CustomerFactory(org=org, name="Garage Éric", ref="C123")
    ContactFactory(customer=customer, phone="+33612345678")
    invoice = InvoiceFactory(customer=customer, number="FA-123", total_incl_tax=Decimal("480.00"),
                             due_date=date(2025, 1, 10))
    action = Action.objects.create(org=org, customer=customer, step="reminder_2", channel="sms", date=day,
                                   amount_due=invoice.total_incl_tax)
    ActionInvoice.objects.create(action=action, invoice=invoice, amount=invoice.total_incl_tax, advanced=True)
    return action


@pytest.mark.parametrize(("now", "retry_at"), [
    # Monday 08:59 → the same day at 09:00.
    (datetime(2025, 3, 17, 8, 59, tzinfo=PARIS), datetime(2025, 3, 17, 9, 0, tzinfo=PARIS)),
    # Monday 19:00 (the end is excluded) → Tuesday 09:00.
    (datetime(2025, 3, 17, 19, 0, tzinfo=PARIS), datetime(2025, 3, 18, 9, 0, tzinfo=PARIS)),
    # Friday 19:00 → Monday 09:00.
    (datetime(2025, 3, 14, 19, 0, tzinfo=PARIS), datetime(2025, 3, 17, 9, 0, tzinfo=PARIS)),
    # Wednesday 7 May 2025 19:00; Thursday 8 May is Victoire 1945 → Friday 9 May 09:00.
    (datetime(2025, 5, 7, 19, 0, tzinfo=PARIS), datetime(2025, 5, 9, 9, 0, tzinfo=PARIS)),
    # Holiday itself at noon: Monday 21 April 2025 (Easter Monday) → Tuesday 09:00.
    (datetime(2025, 4, 21, 12, 0, tzinfo=PARIS), datetime(2025, 4, 22, 9, 0, tzinfo=PARIS)),
    # Spring forward on Sunday 30 March 2025: Saturday evening (UTC+1) → Monday 09:00 CEST = 07:00 UTC.
    (datetime(2025, 3, 29, 20, 0, tzinfo=PARIS), datetime(2025, 3, 31, 7, 0, tzinfo=UTC)),
    # Fall back on Sunday 26 October 2025: Friday 19:30 CEST → Monday 09:00 CET = 08:00 UTC.
    (datetime(2025, 10, 24, 19, 30, tzinfo=PARIS), datetime(2025, 10, 27, 8, 0, tzinfo=UTC)),
    # On the change days themselves (Sundays), during the skipped and the repeated hour.
    (datetime(2025, 3, 30, 1, 30, tzinfo=UTC), datetime(2025, 3, 31, 7, 0, tzinfo=UTC)),   # 03:30 CEST
    (datetime(2025, 10, 26, 0, 30, tzinfo=UTC), datetime(2025, 10, 27, 8, 0, tzinfo=UTC)),  # 02:30 CEST
    (datetime(2025, 10, 26, 1, 30, tzinfo=UTC), datetime(2025, 10, 27, 8, 0, tzinfo=UTC)),  # 02:30 CET
    # A UTC clock: 06:59 UTC on the first CEST Monday is 08:59 in Paris → 09:00 Paris = 07:00 UTC.
    (datetime(2025, 3, 31, 6, 59, tzinfo=UTC), datetime(2025, 3, 31, 7, 0, tzinfo=UTC)),
])
def test_an_sms_outside_office_hours_is_deferred_to_the_next_opening(org, sms_dir, now, retry_at):
    outcome = deliver_action(sms_action(org, now.date()), today=now.astimezone(PARIS).date(), now=now)
    assert (outcome.ok, outcome.permanent, outcome.retry_at) == (False, False, retry_at)
    assert outcome.retry_at.astimezone(PARIS).hour == 9
    assert f"reporté au {retry_at.astimezone(PARIS):%d/%m/%Y} à 09:00" in outcome.error
    assert list(sms_dir.iterdir()) == [] and not SentMessage.objects.exists()


@pytest.mark.parametrize("now", [
    datetime(2025, 3, 17, 9, 0, tzinfo=PARIS),
    datetime(2025, 3, 17, 18, 59, tzinfo=PARIS),
    datetime(2025, 3, 31, 7, 0, tzinfo=UTC),  # 09:00 CEST, the day after spring forward
])
def test_an_sms_inside_office_hours_goes(org, sms_dir, now):
    outcome = deliver_action(sms_action(org, now.date()), today=now.astimezone(PARIS).date(), now=now)
    assert outcome.ok and outcome.retry_at is None
    [written] = [json.loads(p.read_text()) for p in sms_dir.glob("*.json")]
    assert written["to"] == "+33612345678" and "FA-123" in written["text"]


def test_a_naive_now_is_refused(org, sms_dir):
    with pytest.raises(ValueError, match="aware"):
        deliver_action(sms_action(org, date(2025, 3, 17)), today=date(2025, 3, 17), now=datetime(2025, 3, 17, 10))


def test_the_outbox_passes_its_now_to_the_sms_check(org, sms_dir):
    """No wall clock involved: the outbox's explicit `now` alone decides (this test runs at any hour)."""
    from relance.dunning.models import Action
    from relance.dunning.outbox import action_deliver

    action = sms_action(org, date(2025, 3, 17))
    early = datetime(2025, 3, 17, 8, 59, tzinfo=PARIS)
    assert action_deliver(action_id=action.pk, today=early.date(), now=early) == Action.Status.QUEUED
    action.refresh_from_db()
    assert (action.attempts, action.next_attempt_at) == (0, datetime(2025, 3, 17, 9, 0, tzinfo=PARIS))
    assert list(sms_dir.iterdir()) == []
    opening = datetime(2025, 3, 17, 9, 0, tzinfo=PARIS)
    assert action_deliver(action_id=action.pk, today=opening.date(), now=opening) == Action.Status.SENT
    assert len(list(sms_dir.glob("*.json"))) == 1
