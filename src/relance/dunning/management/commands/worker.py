"""relance worker — the embedded background process (daily runs, outbox, mailbox). SIGTERM-safe."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from argparse import SUPPRESS, ArgumentParser
from datetime import datetime
from types import FrameType
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from relance.accounts.models import Organisation
from relance.core.commands import RelanceCommand
from relance.core.errors import ApplicationError
from relance.dunning.worker import Scheduler

log = logging.getLogger(__name__)


class Command(RelanceCommand):
    help = "Processus de fond : relances quotidiennes à l'heure configurée, envois, lecture des réponses."
    needs_org = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="un seul passage, puis s'arrêter")
        parser.add_argument("--interval", type=float, default=30.0, help="secondes entre deux passages")
        parser.add_argument("--now", default=None, help=SUPPRESS)  # tests: a fixed Europe/Paris time

    def run(self, organisation: Organisation | None, **options: Any) -> None:  # type: ignore[override]
        scheduler = Scheduler(worker_id=f"{socket.gethostname()}-{os.getpid()}")

        def stop(signum: int, frame: FrameType | None) -> None:
            # Finish the message in hand, then leave: nothing is half-done, nothing is lost.
            scheduler.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("relance worker : démarré.")
        while not scheduler.stopping:
            try:
                scheduler.tick(self._now(options["now"]))
            except Exception:
                if options["once"]:
                    raise
                # A database hiccup must not kill the embedded worker: log it and try again next tick.
                log.exception("relance worker: tick failed")
            for line in scheduler.log:
                self.stdout.write(f"relances planifiées : {line}")
            scheduler.log.clear()
            if options["once"]:
                break
            self._sleep(scheduler, options["interval"])
            close_old_connections()  # like a request: drop a dead or expired connection after idling
        self.stdout.write("relance worker : arrêté.")

    def _now(self, text: str | None) -> datetime:
        if not text:
            return timezone.now()
        try:
            naive = datetime.fromisoformat(text)
        except ValueError:
            raise ApplicationError(f"--now illisible : {text!r} (attendu AAAA-MM-JJTHH:MM)")
        return timezone.make_aware(naive) if timezone.is_naive(naive) else naive

    def _sleep(self, scheduler: Scheduler, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not scheduler.stopping and time.monotonic() < end:
            time.sleep(min(1.0, end - time.monotonic()))
