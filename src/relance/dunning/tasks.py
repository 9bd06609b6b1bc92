"""Background work, defined with Django's Tasks API: the TASKS setting selects where it runs
(the database backend and `relance worker` by default, Celery on Redis/RabbitMQ when configured).

Tasks are thin: they load rows and call services. Scheduling, retries and idempotence live in our own
tables (ScheduledRun, Action.status/next_attempt_at), so behaviour is the same on every backend.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django_tasks import task

from relance.accounts.models import Organisation


@task()
def dunning_run_task(org_id: int, day: str) -> dict[str, Any]:
    from relance.dunning.services import dunning_run

    org = Organisation.objects.get(id=org_id)
    result = dunning_run(org=org, today=date.fromisoformat(day))
    return {"org": org.slug, "date": day, "actions": len(result.actions), "warnings": len(result.warnings)}


@task()
def outbox_task(day: str, now: str) -> int:
    from relance.dunning.outbox import outbox_process

    return outbox_process(today=date.fromisoformat(day), now=datetime.fromisoformat(now))


@task()
def mailbox_task(day: str) -> int:
    from relance.channels.api import poll_mailbox

    return poll_mailbox(today=date.fromisoformat(day))
