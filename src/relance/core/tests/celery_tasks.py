"""Tiny Django tasks the Celery backend tests enqueue (module-level, as django_tasks requires)."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task


@task()
def write_file(path: str, text: str) -> str:
    Path(path).write_text(text)
    return text
