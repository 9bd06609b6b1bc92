"""TASKS_BACKEND=celery for real: a Celery worker subprocess (solo pool) on the local Redis and RabbitMQ
runs a Django task that the app enqueued through django_tasks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from django.db import transaction
from django_tasks import task_backends
from kombu import Connection

from relance.core.celery_backend import CeleryBackend
from relance.core.tests.celery_tasks import write_file

# Redis database 13 keeps the tests away from a real worker on database 0.
BROKERS = {"redis": "redis://127.0.0.1:6379/13", "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//"}
WAIT_SECONDS = 20


def wait_for(path: Path, log: Path) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"the worker did not run the task within {WAIT_SECONDS} s:\n{log.read_text()[-3000:]}")


def delete_queues(broker: str, queues: list[str]) -> None:
    with Connection(broker, connect_timeout=5) as conn:
        channel = conn.default_channel
        for queue in queues:
            with contextlib.suppress(Exception):  # already gone
                channel.queue_purge(queue)
                channel.queue_delete(queue)
    if broker.startswith("redis:"):  # kombu leaves its binding sets behind on Redis
        import redis

        client = redis.Redis.from_url(broker)
        for queue in queues:
            client.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def queue_length(broker: str, queue: str) -> int:
    with Connection(broker, connect_timeout=5) as conn:
        return conn.default_channel.queue_declare(queue, passive=True).message_count


class Worker:
    def __init__(self, broker: str, queues: list[str], log: Path) -> None:
        self.broker, self.queues, self.log = broker, queues, log
        env = {**os.environ, "CELERY_BROKER_URL": broker, "TASKS_BACKEND": "celery",
               "DJANGO_SETTINGS_MODULE": "relance.settings"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "relance.core.celery_app", "worker", "--pool", "solo",
             "--queues", ",".join(queues), "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel", "INFO"],
            env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.fixture(params=sorted(BROKERS))
def broker(request) -> str:
    return BROKERS[request.param]


@pytest.fixture
def queue(broker) -> Iterator[str]:
    name = f"relance-test-{uuid4().hex[:10]}"
    try:
        yield name
    finally:
        delete_queues(broker, [name])


@pytest.fixture
def celery_backend(settings, broker, queue) -> CeleryBackend:
    settings.CELERY_BROKER_URL = broker
    settings.TASKS = {"default": {"BACKEND": "relance.core.celery_backend.CeleryBackend", "QUEUES": [queue]}}
    return task_backends["default"]


@pytest.fixture
def worker(broker, queue, tmp_path) -> Iterator[Worker]:
    worker = Worker(broker, [queue], tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_through_django_tasks_runs_on_a_celery_worker(celery_backend, worker, queue, tmp_path):
    target = tmp_path / "ran.txt"
    result = write_file.using(queue_name=queue).enqueue(str(target), "bonjour")
    assert isinstance(celery_backend, CeleryBackend)
    assert result.enqueued_at is not None and result.args == [str(target), "bonjour"]
    assert wait_for(target, worker.log) == "bonjour"


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_is_never_sent(celery_backend, broker, queue):
    unattended = write_file.using(queue_name=queue)  # no worker listens: messages stay countable
    with pytest.raises(RuntimeError), transaction.atomic():
        unattended.enqueue("/nonexistent/never", "x")
        raise RuntimeError("rollback")
    unattended.enqueue("/nonexistent/later", "x")  # outside a transaction: sent at once
    assert queue_length(broker, queue) == 1


def test_tasks_backend_celery_in_the_environment_selects_the_celery_backend():
    code = ("import django; django.setup(); from django_tasks import task_backends; "
            "b = task_backends['default']; print(type(b).__name__, b.broker_url)")
    env = {**os.environ, "TASKS_BACKEND": "celery", "CELERY_BROKER_URL": BROKERS["rabbitmq"],
           "DJANGO_SETTINGS_MODULE": "relance.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["CeleryBackend", BROKERS["rabbitmq"]]
