"""Delivery status from e-mail providers' webhooks (django-anymail's `tracking` signal)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from relance.activity.models import Event
from relance.activity.services import event_record
from relance.channels.models import SentMessage
from relance.channels.replies import ParsedMail, bounce_file
from relance.core.dates import local_today

FAILURES = {"bounced", "rejected", "failed"}


@transaction.atomic
def tracking_receive(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """A bounce or rejection fails the message like a bounce read from the mailbox; delivery is noted."""
    if not getattr(event, "message_id", None):
        return
    sent = SentMessage.objects.filter(provider_id=str(event.message_id)).select_related("org", "customer").first()
    if sent is None:
        return
    # The business day where the organisation is (Europe/Paris), not the provider's UTC date.
    day = timezone.localtime(event.timestamp).date() if getattr(event, "timestamp", None) else local_today()
    recipient = (event.recipient or "").lower()
    if event.event_type in FAILURES or event.event_type == "deferred":
        mail = ParsedMail(message_id=f"<{esp_name}-{event.event_id or event.message_id}-{event.event_type}>",
                          from_address="", from_name=esp_name, subject="", text="", is_bounce=True,
                          bounced_recipients=(recipient,) if recipient else (),
                          permanent_failure=event.event_type in FAILURES, original_message_id=sent.message_id)
        if not Event.objects.filter(org=sent.org, data__message_id=mail.message_id).exists():  # webhooks retry
            bounce_file(mail, org=sent.org, customer=sent.customer, sent=sent, today=day)
    elif event.event_type == "delivered":
        event_record(org=sent.org, customer=sent.customer, type="email_delivered", day=day,
                     message=f"E-mail distribué à {recipient or ', '.join(sent.recipients)} ({esp_name})",
                     data={"message_id": sent.message_id, "action_id": sent.action_id})
