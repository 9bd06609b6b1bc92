"""A django_tasks backend that hands tasks to Celery (Redis or RabbitMQ) — TASKS_BACKEND=celery.

Settings (see relance.settings): CELERY_BROKER_URL, e.g. `redis://127.0.0.1:6379/0` or
`amqp://guest:guest@127.0.0.1:5672//`. A task's `queue_name` is its Celery queue; start workers with
`celery -A relance.core.celery_app worker --queues default`.

Like the database backend, a task enqueued inside a transaction is only sent once the transaction
commits (and never if it rolls back), so a worker never runs ahead of the data it needs.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from typing_extensions import ParamSpec

T = TypeVar("T")
P = ParamSpec("P")


class CeleryBackend(BaseTaskBackend):
    supports_defer = True  # run_after becomes the Celery message's ETA
    supports_async_task = True  # coroutines run through Task.call (async_to_sync) in the worker
    supports_get_result = False  # results and retries live in Relance's own tables
    # Priorities are accepted so tasks declared with one can be enqueued; the order is the broker's.
    supports_priority = True

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.broker_url: str = self.options.get("BROKER_URL") or settings.CELERY_BROKER_URL
        self.on_commit: bool = self.options.get("ENQUEUE_ON_COMMIT", True)
        self._celery: Any = None

    @property
    def celery(self) -> Any:
        if self._celery is None:
            from relance.core.celery_app import make_app

            self._celery = make_app(self.broker_url)
        return self._celery

    def enqueue(self, task: Task[P, T], args: P.args, kwargs: P.kwargs) -> TaskResult[T]:  # type: ignore[valid-type]
        self.validate_task(task)
        result: TaskResult[T] = TaskResult(
            task=task, id=str(uuid4()), status=TaskResultStatus.READY, enqueued_at=None, started_at=None,
            finished_at=None, last_attempted_at=None, args=args, kwargs=kwargs, backend=self.alias,
            errors=[], worker_ids=[],
        )

        def send() -> None:
            self.send(result)

        if self.on_commit:
            transaction.on_commit(send)
        else:
            send()
        return result

    def send(self, result: TaskResult) -> None:
        from relance.core.celery_app import RUN_TASK

        task = result.task
        self.celery.send_task(
            RUN_TASK, args=[task.module_path, result.args, result.kwargs, result.id, self.alias],
            task_id=result.id, queue=task.queue_name, eta=task.run_after,
        )
        object.__setattr__(result, "enqueued_at", timezone.now())
        task_enqueued.send(type(self), task_result=result)
