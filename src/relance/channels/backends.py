"""E-mail backends selected by EMAIL_URL (see settings._email_settings)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class EmlFileBackend(BaseEmailBackend):
    """Writes one RFC 5322 .eml file per message into EMAIL_FILE_PATH (created if missing).

    Django's own file backend appends every message of a connection to one .log file; one file per
    message is easier to open in a mail client and to assert on.
    """

    def __init__(self, file_path: str | None = None, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(file_path or getattr(settings, "EMAIL_FILE_PATH", "") or settings.VAR_DIR / "mail")

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{secrets.token_hex(4)}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\r\n"))  # type: ignore[call-arg]
            sent += 1
        return sent
