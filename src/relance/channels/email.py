"""E-mail: multipart text + HTML through Django's mail (backend chosen by EMAIL_URL)."""

from __future__ import annotations

import mimetypes
import smtplib
import socket
from datetime import date
from email.utils import formataddr, make_msgid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from relance.accounts.models import Organisation
from relance.activity.services import event_record
from relance.channels.api import DeliveryOutcome
from relance.channels.context import MessageContext
from relance.channels.models import SentMessage
from relance.channels.rendering import render_part
from relance.channels.statement import statement_pdf
from relance.ledger.models import Customer, Invoice


def classify_error(exc: BaseException) -> tuple[str, bool]:
    """(French message, permanent?) for a sending failure.

    5xx replies are permanent (the address or the message is refused); 4xx replies, refused or lost
    connections and timeouts are temporary: the outbox retries later.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        detail = "; ".join(f"{rcpt} : {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                           for rcpt, (code, msg) in exc.recipients.items())
        return f"Destinataire refusé par le serveur ({detail})", permanent
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"Erreur SMTP {exc.smtp_code} : {text}", 500 <= exc.smtp_code < 600
    if isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout, TimeoutError, OSError)):
        return f"Serveur d'envoi injoignable : {exc}", False
    if type(exc).__name__ == "AnymailRecipientsRefused":  # every recipient invalid, bounced or unsubscribed
        return f"Destinataire refusé par le prestataire d'envoi : {_describe(exc)}", True
    status = getattr(exc, "status_code", None)  # anymail API errors
    if status is not None:
        return f"Erreur du prestataire d'envoi ({status}) : {_describe(exc)}", 400 <= status < 500 and status != 429
    return f"Échec de l'envoi : {exc}", False


def _describe(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # anymail's __str__ reads the HTTP response, which may be missing
        return str(exc.args[0]) if exc.args else type(exc).__name__


def one_line(text: str) -> str:
    """Header-safe text: CR, LF and other line breaks folded to single spaces (no forged header, no refusal)."""
    return " ".join(text.split())


def sender_address(org: Organisation) -> str:
    return formataddr((one_line(org.sender_name or org.name), one_line(org.sender_email or settings.DEFAULT_FROM_EMAIL)))


def _domain(org: Organisation) -> str:
    address = org.sender_email or settings.DEFAULT_FROM_EMAIL
    return address.rpartition("@")[2] or "localhost"


def email_build(*, org: Organisation, customer: Customer, ctx: MessageContext, today: date,
                with_statement: bool | None = None) -> EmailMultiAlternatives:
    recipients = [c.email for c in ctx.contacts if c.email]
    message = EmailMultiAlternatives(
        subject=render_part(ctx, "email_subject", org=org), body=render_part(ctx, "email_text", org=org),
        from_email=sender_address(org), to=recipients, reply_to=[one_line(org.reply_to)] if org.reply_to else None,
        headers={"Message-ID": make_msgid(domain=_domain(org)), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_part(ctx, "email_html", org=org), "text/html")
    numbers = [line.number for line in ctx.invoices]
    for invoice in Invoice.objects.filter(org=org, customer=customer, number__in=numbers).exclude(document=""):
        # The source's own file: a PDF (Factur-X) most of the time, sometimes UBL/CII XML.
        suffix = Path(invoice.document.name or "").suffix.lower() or ".pdf"
        mimetype = mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"
        with invoice.document.open("rb") as handle:
            message.attach(one_line(f"Facture-{invoice.number}{suffix}").replace("/", "-"), handle.read(), mimetype)
    if with_statement is None:
        with_statement = getattr(settings, "RELANCE_EMAIL_STATEMENT", True)
    if with_statement:
        # In the message's language; several messages to one customer on one day share one rendering.
        data, _ = statement_pdf(org=org, customer=customer, today=today, language=ctx.language)
        name = "Statement-of-account" if ctx.language == "en" else "Releve-de-compte"
        message.attach(one_line(f"{name}-{customer.ref}-{today:%Y-%m-%d}.pdf"), data, "application/pdf")
    return message


def email_send(*, org: Organisation, customer: Customer, ctx: MessageContext, today: date,
               action_id: int | None = None) -> DeliveryOutcome:
    """Send one reminder; the Message-ID is returned and kept so replies and bounces find their way back."""
    if not ctx.contacts:
        return DeliveryOutcome(ok=False, error="Aucune adresse e-mail utilisable pour ce client.", permanent=True)
    message = email_build(org=org, customer=customer, ctx=ctx, today=today)
    message_id = message.extra_headers["Message-ID"]
    try:
        with get_connection() as connection:
            connection.send_messages([message])
    except Exception as exc:  # noqa: BLE001 - every backend raises its own kind; classify_error sorts them
        error, permanent = classify_error(exc)
        return DeliveryOutcome(ok=False, error=error, permanent=permanent, message_id=message_id)
    # With an anymail backend, the provider's id is how its delivery webhooks name the message.
    status = getattr(message, "anymail_status", None)
    provider_message_id = getattr(status, "message_id", None)
    provider_id = "" if provider_message_id is None else str(provider_message_id)
    SentMessage.objects.create(org=org, customer=customer, action_id=action_id, channel="email", step=ctx.step,
                               message_id=message_id, provider_id=provider_id, recipients=list(message.to),
                               day=today)
    event_record(org=org, customer=customer, type="email_sent", day=today,
                 message=f"E-mail envoyé : {message.subject}",
                 data={"message_id": message_id, "to": list(message.to), "step": ctx.step, "action_id": action_id,
                       "invoices": [i.number for i in ctx.invoices]})
    return DeliveryOutcome(ok=True, message_id=message_id)
