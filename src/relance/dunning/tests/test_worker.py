"""relance worker: the day's run at the organisation's time on business days, once; queued messages retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from relance.dunning.models import Action, DunningRun, ScheduledRun
from relance.dunning.tests.test_run import debtor, invoice

D = date.fromisoformat
pytestmark = pytest.mark.django_db


def worker(now: str) -> str:
    out = StringIO()
    call_command("worker", "--once", "--now", now, stdout=out)
    return out.getvalue()


def test_the_worker_runs_the_day_once_at_the_organisations_time(org):
    invoice(debtor(org))
    worker("2025-03-10T08:29")  # before 08:30 Europe/Paris: nothing yet
    assert not DunningRun.objects.exists()
    out = worker("2025-03-10T08:31")
    assert "durand 2025-03-10" in out
    run = DunningRun.objects.get()
    assert run.date == D("2025-03-10") and not run.dry_run
    assert Action.objects.get().status == "sent" and len(mail.outbox) == 1
    worker("2025-03-10T15:00")  # a restart later that day runs nothing again
    assert DunningRun.objects.count() == 1 and ScheduledRun.objects.count() == 1 and len(mail.outbox) == 1


def test_the_worker_does_not_run_on_weekends_or_holidays(org):
    invoice(debtor(org))
    worker("2025-03-08T10:00")  # Saturday
    worker("2025-07-14T10:00")  # Bastille Day
    assert not DunningRun.objects.exists()


def test_after_days_off_the_worker_runs_today_only_and_each_invoice_moves_one_step(org):
    customer = debtor(org)
    invoice(customer, number="FA-1", due="2025-01-06")  # reminder_1 and reminder_2 both long overdue
    worker("2025-03-10T09:00")
    assert DunningRun.objects.get().date == D("2025-03-10")
    assert list(Action.objects.values_list("step", flat=True)) == ["reminder_1"]


def test_the_worker_retries_queued_messages_when_their_time_has_come(org):
    invoice(debtor(org))
    worker("2025-03-10T09:00")
    action = Action.objects.get()
    retry_at = timezone.make_aware(datetime(2025, 3, 10, 9, 30))
    Action.objects.filter(id=action.id).update(status="queued", next_attempt_at=retry_at)
    worker("2025-03-10T09:29")
    assert Action.objects.get().status == "queued" and len(mail.outbox) == 1  # not yet
    worker("2025-03-10T09:31")
    assert Action.objects.get().status == "sent" and len(mail.outbox) == 2


def test_sigterm_stops_the_worker_cleanly(tmp_path: Path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}", "EMAIL_URL": "console://",
           "PYTHONUNBUFFERED": "1"}
    relance = [str(Path(sys.executable).parent / "relance")]
    # No migrations: each tick fails and is logged, the worker keeps going — and still stops on SIGTERM.
    proc = subprocess.Popen([*relance, "worker", "--interval", "30"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert "démarré" in proc.stdout.readline()
        time.sleep(2)
        assert proc.poll() is None  # still alive after a failed tick
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert "arrêté" in proc.stdout.read()
    finally:
        proc.kill()
