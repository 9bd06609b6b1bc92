"""Reading files to import, with the size cap applied before anything is read whole."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from relance.imports.parsers.safety import DEFAULT_MAX_BYTES, check_size, refuse


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def max_import_bytes() -> int:
    """RELANCE_IMPORT_MAX_MB (environment or setting), default 50 MB."""
    configured = os.environ.get("RELANCE_IMPORT_MAX_MB") or getattr(settings, "RELANCE_IMPORT_MAX_MB", None)
    return int(float(configured) * 1024 * 1024) if configured else DEFAULT_MAX_BYTES


def read_sources(items: Iterable[Any], *, max_bytes: int | None = None) -> list[Upload]:
    """Paths, uploaded files (name/size/read) or Upload objects → Uploads; oversize files are refused unread."""
    limit = max_bytes or max_import_bytes()
    return [_read_one(item, limit) for item in items]


def _read_one(item: Any, limit: int) -> Upload:
    if isinstance(item, Upload):
        check_size(item.name, len(item.data), limit)
        return item
    if isinstance(item, (str, Path)):
        path = Path(item)
        try:
            check_size(str(path), path.stat().st_size, limit)
            return Upload(str(path), path.read_bytes())
        except FileNotFoundError:
            raise refuse(str(path), "fichier introuvable.")
        except IsADirectoryError:
            raise refuse(str(path), "c'est un dossier, pas un fichier.")
    name = getattr(item, "name", "fichier")
    size = getattr(item, "size", None)
    if size is not None:
        check_size(name, size, limit)
    data = item.read(limit + 1)
    check_size(name, len(data), limit)
    return Upload(name, data)
