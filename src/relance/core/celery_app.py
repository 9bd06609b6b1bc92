"""The Celery application whose workers run Relance's Django tasks when TASKS_BACKEND=celery.

    TASKS_BACKEND=celery CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        celery -A relance.core.celery_app worker --queues default

`CeleryBackend` (relance.core.celery_backend) puts one message per Django task on the broker: the task's
import path and its JSON arguments. The worker imports the task and calls it, like `relance worker` does
with the database backend. Scheduling, retries and idempotency stay in Relance's own tables, so Celery is
only a transport: no result backend, no Celery retries.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")

RUN_TASK = "relance.run_django_task"
WORKER_ID = get_random_string(32)


def make_app(broker_url: str) -> Celery:
    celery = Celery("relance", broker=broker_url, set_as_current=False)
    celery.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue="default",
        # A message is acknowledged once the task ran: a worker killed mid-task leaves it for another.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        worker_hijack_root_logger=False,
    )
    celery.task(name=RUN_TASK)(run_django_task)
    return celery


def run_django_task(task_path: str, args: list, kwargs: dict, result_id: str, backend_alias: str) -> Any:
    """Run one Django task in the worker, sending django_tasks' started/finished signals."""
    from django_tasks.base import Task, TaskContext, TaskError, TaskResult, TaskResultStatus
    from django_tasks.signals import task_finished, task_started
    from django_tasks.utils import get_exception_traceback, get_module_path, normalize_json

    from relance.core.celery_backend import CeleryBackend

    task = import_string(task_path)
    if not isinstance(task, Task):
        raise TypeError(f"{task_path} n'est pas une tâche Django (décorateur @task manquant).")
    now = timezone.now()
    result: TaskResult = TaskResult(
        task=task, id=result_id, status=TaskResultStatus.RUNNING, enqueued_at=None, started_at=now,
        last_attempted_at=now, finished_at=None, args=args, kwargs=kwargs, backend=backend_alias,
        errors=[], worker_ids=[WORKER_ID],
    )
    task_started.send(sender=CeleryBackend, task_result=result)
    try:
        value = task.call(TaskContext(task_result=result), *args, **kwargs) if task.takes_context \
            else task.call(*args, **kwargs)
    except Exception as exc:
        result.errors.append(TaskError(exception_class_path=get_module_path(type(exc)),
                                       traceback=get_exception_traceback(exc)))
        _finish(result, TaskResultStatus.FAILED)
        task_finished.send(sender=CeleryBackend, task_result=result)
        raise
    _finish(result, TaskResultStatus.SUCCESSFUL)
    task_finished.send(sender=CeleryBackend, task_result=result)
    return normalize_json(value)


def _finish(result: Any, status: str) -> None:
    object.__setattr__(result, "finished_at", timezone.now())
    object.__setattr__(result, "status", status)


def _worker_app() -> Celery:
    from django.conf import settings

    return make_app(settings.CELERY_BROKER_URL)


#: `celery -A relance.core.celery_app worker` finds this
app = _worker_app()
