"""The outbox: claim a queued action with compare-and-set, hand it to its channel, record the outcome.

A crash between "sending" and "sent" leaves the action in "sending" (shown as in doubt): it is never sent
again silently and never lost; a person decides (see `actions_in_doubt`).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from relance.activity.models import Task
from relance.activity.services import event_record, task_create
from relance.channels import api as channels
from relance.channels.api import DeliveryOutcome
from relance.core.money import format_eur
from relance.dunning.models import Action

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=5)
#: when the channels app cannot deliver this channel yet, look again later without counting an attempt
UNAVAILABLE_RETRY = timedelta(hours=1)


class ChannelUnavailable(Exception):
    pass


def action_deliver(*, action_id: int, today: date, now: datetime | None = None) -> str:
    """Deliver one queued action if (and only if) this process wins the claim; returns the new status."""
    now = now or timezone.now()
    claimed = Action.objects.filter(id=action_id, status=Action.Status.QUEUED).update(
        status=Action.Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if claimed != 1:
        return ""  # another worker has it, or it is no longer queued
    action = Action.objects.select_related("org", "customer").get(id=action_id)
    try:
        outcome = _deliver(action, today, now)
    except ChannelUnavailable as exc:
        Action.objects.filter(id=action.id).update(
            status=Action.Status.QUEUED, attempts=F("attempts") - 1, next_attempt_at=now + UNAVAILABLE_RETRY,
            last_error=str(exc))
        return Action.Status.QUEUED
    except Exception as exc:  # a transport bug must not stop the outbox; retry later
        log.exception("delivery of action %s failed", action.id)
        outcome = DeliveryOutcome(ok=False, error=f"{type(exc).__name__}: {exc}")
    return _record(action, outcome, today, now)


def _deliver(action: Action, today: date, now: datetime) -> DeliveryOutcome:
    try:
        return channels.deliver_action(action, today=today, now=now)
    except NotImplementedError:
        pass
    if action.channel != "email":
        raise ChannelUnavailable(f"Canal « {action.channel} » pas encore disponible : l'action reste en attente.")
    return _plain_email(action)


def _record(action: Action, outcome: DeliveryOutcome, today: date, now: datetime) -> str:
    if outcome.ok:
        Action.objects.filter(id=action.id).update(status=Action.Status.SENT, message_id=outcome.message_id,
                                                   document=outcome.document_path, last_error="", updated_at=now)
        return Action.Status.SENT
    if outcome.retry_at is not None and not outcome.permanent:
        # Not a failure: the channel may not send now (an SMS before 09:00). Back in the queue at that
        # moment, and the claim's attempt is given back, so an early dunning time never exhausts the retries.
        Action.objects.filter(id=action.id).update(status=Action.Status.QUEUED, attempts=F("attempts") - 1,
                                                   last_error=outcome.error, next_attempt_at=outcome.retry_at,
                                                   updated_at=now)
        return Action.Status.QUEUED
    if outcome.permanent or action.attempts >= MAX_ATTEMPTS:
        Action.objects.filter(id=action.id).update(status=Action.Status.FAILED, last_error=outcome.error,
                                                   updated_at=now)
        _failed(action, outcome, today)
        return Action.Status.FAILED
    delay = BACKOFF * (2 ** (action.attempts - 1))
    Action.objects.filter(id=action.id).update(status=Action.Status.QUEUED, last_error=outcome.error,
                                               next_attempt_at=now + delay, updated_at=now)
    return Action.Status.QUEUED


def _failed(action: Action, outcome: DeliveryOutcome, today: date) -> None:
    org, customer = action.org, action.customer
    task_create(org=org, kind=Task.Kind.CONTACT, title=f"Corriger les coordonnées de {customer.name}", due=today,
                customer=customer, action_id=action.id,
                body=f"L'envoi par {action.channel} a échoué : {outcome.error}")
    event_record(org=org, type="delivery_failed", day=today, customer=customer,
                 message=f"Échec de l'envoi ({action.channel}) : {outcome.error}", data={"action_id": action.id})


def outbox_process(*, today: date, now: datetime | None = None, org: Any = None, limit: int = 200) -> int:
    """Deliver the queued actions whose time has come; returns how many were attempted."""
    now = now or timezone.now()
    due = Action.objects.filter(status=Action.Status.QUEUED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    if org is not None:
        due = due.filter(org=org)
    ids = list(due.order_by("id").values_list("id", flat=True)[:limit])
    for action_id in ids:
        action_deliver(action_id=action_id, today=today, now=now)
    return len(ids)


def actions_in_doubt(*, org: Any) -> Any:
    """Actions left in "sending" by a crash: maybe sent, maybe not — a person checks before anything else."""
    return Action.objects.filter(org=org, status=Action.Status.SENDING)


# --- Until the channels app delivers: a plain French text e-mail -----------------------------------------


def _plain_email(action: Action) -> DeliveryOutcome:
    contact = action.customer.contacts.filter(email_invalid=False).exclude(email="").order_by(
        "-is_billing", "id").first()
    if contact is None:
        return DeliveryOutcome(ok=False, error="aucune adresse e-mail utilisable", permanent=True)
    org = action.org
    msgid = make_msgid(domain=(org.sender_email or settings.DEFAULT_FROM_EMAIL).split("@")[-1])
    message = EmailMessage(
        subject=email_subject(action), body=email_body(action, contact.name), to=[contact.email],
        from_email=org.sender_email or settings.DEFAULT_FROM_EMAIL,
        reply_to=[org.reply_to] if org.reply_to else None, headers={"Message-ID": msgid},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return DeliveryOutcome(ok=False, error=f"adresse refusée : {exc.recipients}", permanent=True)
    except (smtplib.SMTPException, OSError) as exc:
        return DeliveryOutcome(ok=False, error=f"{type(exc).__name__}: {exc}")
    return DeliveryOutcome(ok=True, message_id=msgid)


SUBJECTS = {
    "pre_due": "Rappel : échéance prochaine de vos factures",
    "reminder_1": "Relance : factures arrivées à échéance",
    "reminder_2": "Deuxième relance : factures impayées",
    "reminder_3": "Troisième relance : factures impayées",
    "formal_notice": "Mise en demeure de payer",
}


def email_subject(action: Action) -> str:
    return f"{SUBJECTS.get(action.step, 'Factures impayées')} — {action.org.name}"


def _lines(action: Action) -> list[str]:
    out = []
    for line in action.lines.select_related("invoice").order_by("invoice__due_date", "invoice__number"):
        inv = line.invoice
        out.append(f"  - facture {inv.number} du {inv.issue_date:%d/%m/%Y}, échue le {inv.due_date:%d/%m/%Y} : "
                   f"{format_eur(line.amount, inv.currency)} restant dus")
    return out


def email_body(action: Action, name: str = "") -> str:
    org = action.org
    intro = ("Sauf erreur de notre part, le règlement des factures suivantes ne nous est pas encore parvenu :"
             if action.step != "pre_due" else "Nous vous rappelons l'échéance prochaine des factures suivantes :")
    pay = f"\nPar virement : IBAN {org.iban}" + (f" (BIC {org.bic})" if org.bic else "") if org.iban else ""
    return "\n".join([
        f"Bonjour{' ' + name if name else ''},", "", intro, "", *_lines(action), "",
        f"Total : {format_eur(action.amount_due, action.currency)}.{pay}", "",
        "Si vous avez déjà procédé au règlement, merci de ne pas tenir compte de ce message.",
        "Pour toute question, il vous suffit de répondre à cet e-mail.", "", "Cordialement,",
        org.sender_name or org.name,
    ])


def call_task_body(action: Action) -> str:
    """The phone task: the channels app's call script, or a short one of our own until it lands."""
    try:
        script = channels.call_script(action)
    except Exception:  # a broken script must not stop the run: the task gets our short script instead
        log.exception("call script for action %s failed", action.id)
        script = ""
    if script:
        return script
    customer = action.customer
    phones = ", ".join(p for p in customer.contacts.exclude(phone="").values_list("phone", flat=True)) or "aucun"
    lines = "\n".join(_lines(action))
    return (f"Appeler {customer.name} (téléphone : {phones}).\n"
            f"Factures impayées :\n{lines}\nTotal : {format_eur(action.amount_due, action.currency)}.\n"
            "Demander la date de règlement ; noter toute promesse (relance promise) ou contestation "
            "(relance dispute open).")
