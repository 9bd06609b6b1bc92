"""Hostile names in mail headers: CR/LF from an organisation or debtor never forges a header nor blocks sending."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from relance.channels.builders import context_for_customer
from relance.channels.email import email_build
from relance.channels.tests.test_tracking import sent  # noqa: F401 - the sent-message fixture
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 17)


def test_line_breaks_in_names_and_numbers_never_become_headers(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org.sender_name = "Durand\r\nBcc: victime@example.com"
    org.save()
    customer = CustomerFactory(org=org, name="Garage\r\nBcc: pirate@example.com", ref="C\n1")
    ContactFactory(customer=customer, name="Hélène\r\nX-Evil: 1", email="helene@creperie.fr")
    invoice = InvoiceFactory(customer=customer, number="FA\r\nX-Evil: 2", total_incl_tax=Decimal("10.00"),
                             issue_date=date(2025, 1, 10), due_date=date(2025, 2, 9))
    invoice.document.save("fa.pdf", ContentFile(b"%PDF-1.4"), save=True)
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="reminder_1", channel="email")
    raw = email_build(org=org, customer=customer, ctx=ctx, today=TODAY).message().as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert "Durand Bcc: victime@example.com" in str(parsed["From"])
    for part in parsed.walk():
        assert part["X-Evil"] is None and part["Bcc"] is None
    names = [p.get_filename() for p in parsed.iter_attachments()]
    assert "Facture-FA X-Evil: 2.pdf" in names and any(n.startswith("Releve-de-compte-C 1-") for n in names)


@pytest.mark.parametrize("ref", ['C"1; filename=evil.exe', "C\r\nSet-Cookie: x=1", "Café/é"])
def test_a_statement_download_quotes_the_customer_code_in_its_file_name(org, victor, client_for, ref):
    customer = CustomerFactory(org=org, ref=ref)
    response = client_for(victor).get(reverse("channels:statement", args=[customer.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert response.cookies.get("x") is None
    header = EmailMessage()
    header["Content-Disposition"] = disposition
    name = header.get_filename()
    assert name.startswith(f"releve-{' '.join(ref.replace('/', '-').split())}-") and name.endswith(".pdf")



def test_a_provider_event_just_after_midnight_in_paris_counts_on_the_paris_day(org, request):
    sent_message = request.getfixturevalue("sent")  # test_tracking's fixture: a reminder sent through anymail
    from datetime import UTC, datetime

    from anymail.signals import AnymailTrackingEvent, tracking

    from relance.activity.models import Event

    event = AnymailTrackingEvent(event_type="delivered", message_id=sent_message.provider_id,
                                 recipient="compta@client.fr", event_id="evt-midnight", timestamp=datetime(2025, 3, 17, 23, 30, tzinfo=UTC))
    tracking.send(sender=object, event=event, esp_name="Brevo")
    assert Event.objects.get(org=org, type="email_delivered").date == date(2025, 3, 18)  # 00:30 in Paris
