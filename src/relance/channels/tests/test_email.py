from __future__ import annotations

import smtplib
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core.files.base import ContentFile
from pypdf import PdfReader

from relance.activity.models import Event
from relance.channels.builders import context_for_customer
from relance.channels.email import classify_error, email_send
from relance.channels.models import SentMessage
from relance.channels.tests.smtp import free_port, smtp_for
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)


@pytest.fixture
def smtp(settings):
    with smtp_for(settings) as server:
        yield server


@pytest.fixture
def customer(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RELANCE_EMAIL_STATEMENT = False  # one test below checks the statement; the others need no PDF
    org.sender_name, org.reply_to = "Service comptabilité Durand", "recouvrement@atelier-durand.fr"
    org.save()
    customer = CustomerFactory(org=org, name="Crêperie Hélène & Fils", ref="C042")
    ContactFactory(customer=customer, name="Hélène Lefèvre", email="helene@creperie.fr")
    first = InvoiceFactory(customer=customer, number="FA-2025-001", total_incl_tax=Decimal("1234.56"),
                           issue_date=date(2025, 1, 10), due_date=date(2025, 2, 9))
    first.document.save("fa1.pdf", ContentFile(b"%PDF-1.4 original invoice"), save=True)
    InvoiceFactory(customer=customer, number="FA-2025-002", total_incl_tax=Decimal("99.90"),
                   issue_date=date(2025, 1, 20), due_date=date(2025, 2, 19))
    return customer


def send(org, customer, step="reminder_1"):
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step=step, channel="email")
    return email_send(org=org, customer=customer, ctx=ctx, today=TODAY, action_id=7)


def test_a_reminder_reaches_the_smtp_server_with_both_parts_attachments_and_accents(org, customer, smtp, settings):
    settings.RELANCE_EMAIL_STATEMENT = True
    outcome = send(org, customer)
    assert outcome.ok and outcome.message_id.startswith("<") and outcome.message_id.endswith("@atelier-durand.fr>")
    [mail] = smtp.received
    msg = mail.message
    assert mail.rcpt_tos == ["helene@creperie.fr"]
    assert msg["From"] == "Service comptabilité Durand <compta@atelier-durand.fr>"
    assert msg["Reply-To"] == "recouvrement@atelier-durand.fr"
    assert msg["Message-ID"] == outcome.message_id
    assert msg["Subject"].strip() == "Rappel : factures en attente de règlement — Atelier Durand SARL"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert text.startswith("Bonjour Hélène Lefèvre,")
    for body in (text, html):
        assert "FA-2025-001" in body and "FA-2025-002" in body
        assert "1\u202f234,56\u00a0€" in body and "99,90\u00a0€" in body and "1\u202f334,46\u00a0€" in body
        assert "FR7630006000011234567890189" in body and "C042 FA-2025-001 FA-2025-002" in body
    assert "Crêperie Hélène &amp; Fils" not in html  # greeting uses the contact; the name is escaped elsewhere
    attachments = {part.get_filename(): part.get_content() for part in msg.iter_attachments()}
    assert attachments["Facture-FA-2025-001.pdf"] == b"%PDF-1.4 original invoice"
    statement = PdfReader(BytesIO(attachments["Releve-de-compte-C042-2025-03-17.pdf"]))
    statement_text = statement.pages[0].extract_text()
    assert "Relevé de compte au 17/03/2025" in statement_text and "Crêperie Hélène & Fils" in statement_text
    assert len(attachments) == 2


def test_a_sent_reminder_is_recorded_for_replies_and_on_the_timeline(org, customer, smtp):
    outcome = send(org, customer)
    sent = SentMessage.objects.get(org=org)
    assert (sent.message_id, sent.action_id, sent.customer) == (outcome.message_id, 7, customer)
    event = Event.objects.get(org=org, type="email_sent")
    assert event.data["invoices"] == ["FA-2025-001", "FA-2025-002"]


def test_a_refused_recipient_is_a_permanent_failure(org, customer, smtp):
    customer.contacts.update(email="refuse@creperie.fr")
    outcome = send(org, customer)
    assert not outcome.ok and outcome.permanent and "550" in outcome.error
    assert smtp.received == [] and not SentMessage.objects.exists()


def test_a_greylisted_recipient_is_retried_later(org, customer, smtp):
    customer.contacts.update(email="later@creperie.fr")
    outcome = send(org, customer)
    assert not outcome.ok and not outcome.permanent and "451" in outcome.error


def test_a_server_that_does_not_answer_is_a_temporary_failure(org, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    outcome = send(org, customer)
    assert not outcome.ok and not outcome.permanent and "injoignable" in outcome.error


def test_a_customer_without_a_usable_address_is_not_sent_anything(org, customer, smtp):
    customer.contacts.update(email_invalid=True)
    outcome = send(org, customer)
    assert not outcome.ok and outcome.permanent and smtp.received == []


@pytest.mark.parametrize(("exc", "permanent"), [
    (smtplib.SMTPRecipientsRefused({"a@b.fr": (550, b"no such user")}), True),
    (smtplib.SMTPRecipientsRefused({"a@b.fr": (452, b"mailbox full")}), False),
    (smtplib.SMTPRecipientsRefused({"a@b.fr": (550, b"x"), "c@d.fr": (421, b"y")}), False),
    (smtplib.SMTPSenderRefused(553, b"sender refused", "x@y.fr"), True),
    (smtplib.SMTPDataError(554, b"rejected as spam"), True),
    (smtplib.SMTPDataError(421, b"too many connections"), False),
    (smtplib.SMTPServerDisconnected("gone"), False),
    (ConnectionRefusedError(111, "Connection refused"), False),
    (TimeoutError("timed out"), False),
    (AnymailRecipientsRefused("all recipients rejected"), True),
    (AnymailAPIError("bad request", status_code=400), True),
    (AnymailAPIError("rate limited", status_code=429), False),
    (AnymailAPIError("server error", status_code=502), False),
])
def test_smtp_errors_are_classified_permanent_or_temporary(exc, permanent):
    message, is_permanent = classify_error(exc)
    assert is_permanent is permanent and message


def test_the_eml_file_backend_writes_one_file_per_message(org, customer, settings, tmp_path):
    settings.EMAIL_BACKEND = "relance.channels.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail" / "sub")
    assert send(org, customer).ok and send(org, customer, step="reminder_2").ok
    files = sorted((tmp_path / "mail" / "sub").glob("*.eml"))
    assert len(files) == 2
    assert b"Subject: =?utf-8?" in files[0].read_bytes() or b"Subject:" in files[0].read_bytes()
