from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(*, using: str = "default", plan: Any = None, **_: Any) -> None:
    if plan:  # something was migrated: a table rebuilt on SQLite has lost its statistics
        from relance.core.db import sqlite_statistics_refresh

        sqlite_statistics_refresh(using)


class CoreConfig(AppConfig):
    name = "relance.core"
    label = "core"

    def ready(self) -> None:
        # post_migrate is sent once per app and `plan` lists every migration of the run: one receiver, on core.
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="relance.sqlite_statistics")
