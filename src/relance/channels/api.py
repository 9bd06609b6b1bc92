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


def deliver_action(action: Any, *, today: date) -> DeliveryOutcome:  # pragma: no cover - replaced by channels
    raise NotImplementedError("channels.deliver_action is implemented by the channels app")
