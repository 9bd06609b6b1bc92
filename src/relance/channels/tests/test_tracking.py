"""Provider webhooks, through django-anymail's test backend and its real tracking signal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from anymail.signals import AnymailTrackingEvent, tracking

from relance.activity.models import Event, Task
from relance.channels.builders import context_for_customer
from relance.channels.email import email_send
from relance.channels.models import SentMessage
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)


@pytest.fixture
def sent(org, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.RELANCE_EMAIL_STATEMENT = False
    customer = CustomerFactory(org=org)
    ContactFactory(customer=customer, email="compta@client.fr")
    InvoiceFactory(customer=customer, total_incl_tax=Decimal("300.00"), due_date=date(2025, 2, 1))
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="reminder_1", channel="email",
                               portal_link="")
    assert email_send(org=org, customer=customer, ctx=ctx, today=TODAY).ok
    return SentMessage.objects.get(org=org)


def webhook(sent, event_type, event_id="evt-1"):
    event = AnymailTrackingEvent(event_type=event_type, message_id=sent.provider_id, recipient="compta@client.fr",
                                 event_id=event_id, timestamp=datetime(2025, 3, 17, 10, tzinfo=UTC))
    tracking.send(sender=object, event=event, esp_name="Brevo")


def test_the_providers_message_id_is_kept(sent):
    assert sent.provider_id and sent.provider_id != sent.message_id


def test_a_bounce_webhook_fails_the_message_and_asks_to_fix_the_contact(sent):
    webhook(sent, "bounced")
    webhook(sent, "bounced")  # providers retry their webhooks
    sent.refresh_from_db()
    assert sent.failed and sent.customer.contacts.get().email_invalid
    assert Task.objects.filter(kind=Task.Kind.CONTACT).count() == 1
    assert Event.objects.filter(type="email_bounced").count() == 1


def test_a_delivered_webhook_is_noted_on_the_timeline(sent):
    webhook(sent, "delivered")
    assert Event.objects.get(type="email_delivered").customer == sent.customer
    assert not sent.customer.contacts.get().email_invalid


def test_a_webhook_for_an_unknown_message_changes_nothing(sent):
    sent.provider_id = "other"
    webhook(sent, "bounced")
    assert not Event.objects.filter(type="email_bounced").exists()
