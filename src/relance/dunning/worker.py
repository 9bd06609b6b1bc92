"""The embedded scheduler behind `relance worker`.

Each tick: schedule each organisation's daily run once its `dunning_time` has passed on a business day
(Europe/Paris), hand due queued messages to the outbox, poll the reply mailbox every few minutes, purge the
portal's dead links once a local day, then run whatever the database task backend holds. A day is claimed in
ScheduledRun, so restarts and a second worker never run it twice. After downtime only today is run: each
invoice then moves at most one step a day, so the ladder catches up one step at a time, never in a burst.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from relance.accounts.models import Organisation
from relance.core.dates import is_business_day
from relance.dunning.models import Action, ScheduledRun
from relance.dunning.selectors import last_real_run
from relance.dunning.tasks import dunning_run_task, mailbox_task, outbox_task
from relance.portal.tasks import portal_purge_task

log = logging.getLogger(__name__)
MAILBOX_EVERY = timedelta(minutes=5)


@dataclass
class Scheduler:
    worker_id: str = "relance-worker"
    last_poll: datetime | None = None
    #: the local day the portal's dead links were last purged (idempotent: a restart purging again is harmless)
    last_purge: date | None = None
    stopping: bool = False
    log: list[str] = field(default_factory=list)

    def tick(self, now: datetime) -> None:
        local = timezone.localtime(now)
        for org in Organisation.objects.order_by("id"):
            if self.stopping:
                return
            if self.run_is_due(org, local):
                self.schedule(org, local)
        today = local.date().isoformat()
        if self.outbox_has_work(now):
            outbox_task.enqueue(today, now.isoformat())
        if self.last_poll is None or now - self.last_poll >= MAILBOX_EVERY:
            self.last_poll = now
            mailbox_task.enqueue(today)
        if self.last_purge != local.date():
            self.last_purge = local.date()
            portal_purge_task.enqueue(today)
        self.drain()

    def run_is_due(self, org: Organisation, local: datetime) -> bool:
        today = local.date()
        if not is_business_day(today, org.holidays_region) or local.time() < org.dunning_time:
            return False
        last = last_real_run(org=org)
        return (last is None or last < today) and not ScheduledRun.objects.filter(org=org, date=today).exists()

    def schedule(self, org: Organisation, local: datetime) -> None:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(org=org, date=local.date())
                dunning_run_task.enqueue(org.id, local.date().isoformat())
        except IntegrityError:
            return  # another worker claimed this day first
        self.log.append(f"{org.slug} {local.date().isoformat()}")

    def outbox_has_work(self, now: datetime) -> bool:
        return Action.objects.filter(status=Action.Status.QUEUED).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).exists()

    def drain(self) -> int:
        """Run the tasks the database backend holds (other backends run them in their own workers)."""
        from django_tasks import task_backends
        from django_tasks_db.backend import DatabaseBackend

        default_task_backend = task_backends["default"]
        if not isinstance(default_task_backend, DatabaseBackend):
            return 0
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction

        runner = Worker(queue_names=["*"], interval=0, batch=True, backend_name=default_task_backend.alias,
                        startup_delay=False, max_tasks=None, worker_id=self.worker_id, excluded_queue_names=[])
        done = 0
        while not self.stopping:
            with exclusive_transaction():
                result = DBTaskResult.objects.ready().filter(backend_name=default_task_backend.alias).get_locked()
                if result is not None:
                    result.claim(self.worker_id)
            if result is None:
                return done
            runner.run_task(result)
            done += 1
        return done
