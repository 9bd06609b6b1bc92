"""What the dunning engine calls to deliver an action. Owned by the channels app.

Contract: `deliver_action(action, today=…)` performs the transport for one claimed action and returns a
`DeliveryOutcome`; it never changes the action's status itself (the dunning outbox does, with
compare-and-set). `permanent=True` on a failure means retrying is useless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DeliveryOutcome:
    ok: bool
    message_id: str = ""
    error: str = ""
    permanent: bool = False
    document_path: str = ""


def deliver_action(action: Any, *, today: date) -> DeliveryOutcome:  # replaced by the channels app
    raise NotImplementedError("channels.deliver_action is implemented by the channels app")


def call_script(action: Any) -> str:  # replaced by channels: the call script for that stage
    """The text of the phone task for a `call` action (numbers, invoices, what to say)."""
    return ""


def poll_mailbox(*, today: date) -> int:  # replaced by channels: IMAP replies and bounces
    """Read the reply mailbox (IMAP_URL) once; returns how many messages were filed. 0 when not configured."""
    return 0
