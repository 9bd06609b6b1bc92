"""What the dunning engine calls to deliver an action. Owned by the channels app.

Contract: `deliver_action(action, today=…, now=…)` performs the transport for one claimed action and
returns a `DeliveryOutcome`; it never changes the action's status itself (the dunning outbox does, with
compare-and-set). `permanent=True` on a failure means retrying is useless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class DeliveryOutcome:
    ok: bool
    message_id: str = ""
    error: str = ""
    permanent: bool = False
    document_path: str = ""
    #: not a failure: the channel may not send now (SMS outside office hours); try again at this moment
    retry_at: datetime | None = None


def deliver_action(action: Any, *, today: date, now: datetime | None = None) -> DeliveryOutcome:
    """Send the e-mail or SMS, or produce the letter's PDF, for one dunning action.

    `now` (an aware datetime; the wall clock when omitted) decides whether an SMS may go: business days,
    within the organisation's sending hours, Europe/Paris. Phone and task actions need no transport (the
    dunning engine creates the task with `call_script`).
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("deliver_action: `now` must be an aware datetime (with its time zone)")
    from relance.channels.builders import action_parts, context_for_action

    org, customer, step, channel, _ = action_parts(action)
    if channel in ("phone", "task"):
        return DeliveryOutcome(ok=True)
    ctx = context_for_action(action, today=today)
    if not ctx.invoices:
        return DeliveryOutcome(ok=False, error="Plus aucune facture due dans cette relance.", permanent=True)
    if channel == "email":
        from relance.channels.email import email_send

        return email_send(org=org, customer=customer, ctx=ctx, today=today, action_id=action.pk)
    if channel == "sms":
        from relance.channels.sms import sms_deliver

        return sms_deliver(org=org, customer=customer, ctx=ctx, today=today, action_id=action.pk, now=now)
    if channel in ("letter", "registered_letter"):
        from relance.channels.letters import letter_produce

        document = letter_produce(org=org, customer=customer, ctx=ctx, registered=channel == "registered_letter",
                                  today=today, action_id=action.pk)
        return DeliveryOutcome(ok=True, document_path=document.path)
    return DeliveryOutcome(ok=False, error=f"Canal inconnu : {channel}", permanent=True)


def call_script(action: Any) -> str:
    """The text of the phone task for a `call` action (numbers, invoices, what to say)."""
    from relance.channels.phone import call_script_for_action

    return call_script_for_action(action)


def poll_mailbox(*, today: date) -> int:
    """Read the reply mailboxes (IMAP_URL and each organisation's own) once; returns how many messages were
    filed on a customer. 0 when none is configured."""
    from relance.channels.replies import mailboxes_poll

    return mailboxes_poll(today=today)
