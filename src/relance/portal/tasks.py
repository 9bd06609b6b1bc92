"""Background work of the portal (Django Tasks, like relance.dunning.tasks): thin, calls a service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tasks import task


@task()
def portal_purge_task(day: str) -> dict[str, Any]:
    from relance.portal.services import portal_tokens_purge

    return portal_tokens_purge(today=date.fromisoformat(day)).as_json()
