"""Replies and bounces read from the reply mailboxes: the install's IMAP_URL and each organisation's own.

`mail_parse` is pure (bytes of an .eml → ParsedMail); `mail_file` puts one parsed mail on the right
customer's timeline, or keeps it in UnfiledReply when that cannot be done safely across organisations;
`mailboxes_poll` reads every mailbox once for the worker. `unfiled_file` / `unfiled_ignore` are the install
operator's decisions on a kept mail (administration).
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote, urlparse

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Event, Task
from relance.activity.services import event_record, task_create
from relance.channels.models import Mailbox, SentMessage, UnfiledReply
from relance.core.errors import ApplicationError
from relance.ledger.models import Contact, Customer

log = logging.getLogger(__name__)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Where the quoted original starts, in French and English mail clients.
QUOTE_MARKERS = [
    re.compile(r"^\s*Le .{0,200}a écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*On .{0,200}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Message d'origine|Message original)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*(De|From)\s*:\s.+$"),
    re.compile(r"^_{10,}\s*$"),
]
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    text: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    is_bounce: bool = False
    bounced_recipients: tuple[str, ...] = ()
    permanent_failure: bool = False
    original_message_id: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        ids = [self.original_message_id] if self.is_bounce else []
        return [i for i in [*ids, self.in_reply_to, *reversed(self.references)] if i]


def strip_quoted(text: str) -> str:
    """The new part of a reply: stops at the quoted original or the signature separator."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(">") or line.rstrip() == "--" or any(m.match(line) for m in QUOTE_MARKERS):
            if line.startswith(">") and not kept:
                continue
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _body_text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = re.sub(r"(?s)<(script|style).*?</\1>", "", content)
        content = re.sub(r"<br\s*/?>|</p>|</div>", "\n", content, flags=re.IGNORECASE)
        content = html.unescape(re.sub(r"<[^>]+>", "", content))
    return str(content)


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(MESSAGE_ID.findall(str(value or "")))


def _bounce_details(msg: EmailMessage) -> tuple[list[str], bool, str]:
    """(failed recipients, permanent?, Message-ID of the message that bounced) from a DSN (RFC 3464).

    Permanent only when some recipient failed with a 5.x.x status; "delayed" reports are not failures.
    """
    recipients: list[str] = []
    statuses: list[str] = []
    original = ""
    for part in msg.walk():
        ctype = part.get_content_type()
        payload: Any = part.get_payload()
        if ctype == "message/delivery-status":
            for block in payload:
                final = str(block.get("Final-Recipient", ""))
                if final and str(block.get("Action", "failed")).lower() == "failed":
                    recipients.append(final.split(";", 1)[-1].strip().lower())
                    statuses.append(str(block.get("Status", "5.0.0")))
        elif ctype in ("message/rfc822", "text/rfc822-headers") and not original:
            inner: Any = payload[0] if ctype == "message/rfc822" else message_from_bytes(
                part.get_payload(decode=True) or b"", policy=policy.default)  # type: ignore[arg-type]
            original = next(iter(_ids(inner.get("Message-ID"))), "")
    permanent = bool(statuses) and all(status.startswith("5") for status in statuses)
    return recipients, permanent, original


def mail_parse(raw: bytes) -> ParsedMail:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    name, address = parseaddr(str(msg.get("From", "")))
    is_report = msg.get_content_type() == "multipart/report" and msg.get_param("report-type") == "delivery-status"
    is_bounce = is_report or address.lower().startswith(BOUNCE_SENDERS)
    recipients, permanent, original = _bounce_details(msg) if is_bounce else ([], False, "")
    return ParsedMail(
        message_id=next(iter(_ids(msg.get("Message-ID"))), ""), from_address=address.lower(), from_name=name,
        subject=str(msg.get("Subject", "")).strip(), text="" if is_bounce else strip_quoted(_body_text(msg)),
        in_reply_to=next(iter(_ids(msg.get("In-Reply-To"))), ""), references=_ids(msg.get("References")),
        is_bounce=is_bounce, bounced_recipients=tuple(recipients), permanent_failure=permanent,
        original_message_id=original,
    )


def _by_thread(mail: ParsedMail, org: Organisation | None) -> SentMessage | None:
    """The message this mail answers. From an organisation's own mailbox, its own sends are looked up first."""
    sent = SentMessage.objects.select_related("org", "customer")
    for scope in ([sent.filter(org=org)] if org is not None else []) + [sent]:
        for message_id in mail.thread_ids:
            found = scope.filter(message_id=message_id).first()
            if found is not None:
                return found
    return None


def _sender_customers(mail: ParsedMail, org: Organisation | None) -> dict[int, list[Customer]]:
    """The customers whose contacts have the sender's address, by organisation (only `org`'s when given)."""
    if not mail.from_address:
        return {}  # a blank address would match every contact without e-mail
    contacts = Contact.objects.filter(email__iexact=mail.from_address).select_related("customer", "customer__org")
    if org is not None:
        contacts = contacts.filter(org=org)
    found: dict[int, list[Customer]] = {}
    for contact in contacts.order_by("customer__name", "customer_id"):
        customers = found.setdefault(contact.org_id, [])
        if contact.customer not in customers:
            customers.append(contact.customer)
    return found


def _already_filed(org: Organisation, mail: ParsedMail) -> bool:
    return bool(mail.message_id) and Event.objects.filter(
        org=org, type__in=("reply_received", "email_bounced", "email_delayed"), data__message_id=mail.message_id).exists()


def _keep_unfiled(mail: ParsedMail, *, mailbox_org: Organisation | None, reason: str, today: date,
                  candidate_orgs: list[int] | None = None) -> bool:
    """Keep the mail for the install operator, on no customer's timeline and pausing nothing. Always False."""
    if mail.message_id and UnfiledReply.objects.filter(mailbox_org=mailbox_org, message_id=mail.message_id).exists():
        return False
    UnfiledReply.objects.create(
        mailbox_org=mailbox_org, reason=reason, day=today, message_id=mail.message_id[:300],
        from_address=mail.from_address[:300], from_name=mail.from_name[:300], subject=mail.subject[:500],
        text=mail.text[:5000], candidate_orgs=sorted(candidate_orgs or []), details=_mail_details(mail))
    log.warning("reply %s from %s not filed: %s", mail.message_id, mail.from_address, reason)
    _ask_to_read_unfiled(mail, mailbox_org=mailbox_org, reason=reason, today=today)
    return False


def _ask_to_read_unfiled(mail: ParsedMail, *, mailbox_org: Organisation | None, reason: str, today: date) -> None:
    """A reply nobody could file is still somebody's mail: when it safely belongs to one organisation (read
    from its own mailbox, or the install has a single organisation) a person there is asked to read it — on
    no customer's timeline, pausing nothing. Bounces of unknown messages stay with the install operator."""
    if reason == UnfiledReply.Reason.UNMATCHED_BOUNCE:
        return
    owner = mailbox_org
    if owner is None:
        only = list(Organisation.objects.order_by("pk")[:2])
        owner = only[0] if len(only) == 1 else None
    if owner is None:
        return
    sender = f"{mail.from_name} <{mail.from_address}>" if mail.from_name else (mail.from_address or "expéditeur inconnu")
    task_create(org=owner, kind=Task.Kind.REPLY, due=today,
                title=f"Réponse de {mail.from_name or mail.from_address or 'expéditeur inconnu'} à lire (client non reconnu)",
                body=(f"Message reçu de {sender}, qui n'a pu être rattaché à aucun client : retrouvez le bon client "
                      f"ou corrigez ses coordonnées.\n\n{mail.subject}\n\n{mail.text}")[:5000],
                data={"message_id": mail.message_id, "unfiled": reason})


@transaction.atomic
def mail_file(mail: ParsedMail, *, today: date, org: Organisation | None = None) -> bool:
    """File one reply or bounce; True only when it was put on one customer's timeline.

    `org` is the organisation whose own mailbox the mail was read from (None: the install's IMAP_URL).
    Threading headers win over the sender address, but from an organisation's mailbox only a thread of
    that organisation counts. What cannot be filed safely is kept in UnfiledReply.
    """
    sent = _by_thread(mail, org)
    if sent is not None and org is not None and sent.org_id != org.id:
        return _keep_unfiled(mail, mailbox_org=org, reason=UnfiledReply.Reason.FOREIGN_THREAD, today=today,
                             candidate_orgs=[sent.org_id])
    if sent is not None:
        customer = sent.customer
    elif mail.is_bounce:
        return _keep_unfiled(mail, mailbox_org=org, reason=UnfiledReply.Reason.UNMATCHED_BOUNCE, today=today)
    else:
        found = _sender_customers(mail, org)
        if len(found) != 1:
            reason = UnfiledReply.Reason.SEVERAL_ORGANISATIONS if found else UnfiledReply.Reason.UNKNOWN_SENDER
            return _keep_unfiled(mail, mailbox_org=org, reason=reason, today=today, candidate_orgs=list(found))
        customers = next(iter(found.values()))
        if len(customers) > 1:
            return _ask_which_customer(mail, customers, today=today)
        customer = customers[0]
    return mail_file_on(mail, customer=customer, sent=sent, today=today)


def mail_file_on(mail: ParsedMail, *, customer: Customer, sent: SentMessage | None, today: date,
                 actor: Any = None) -> bool:
    """Put a reply or bounce on `customer`'s timeline (False when it already is there).

    What `mail_file` does once it knows the customer, and what the install operator's filing does.
    `actor`: the person who filed it by hand (the event's author), None when it was filed automatically.
    """
    if _already_filed(customer.org, mail):
        return False
    if mail.is_bounce:
        return bounce_file(mail, org=customer.org, customer=customer, sent=sent, today=today, actor=actor)
    return _reply_record(mail, customer=customer, sent=sent, today=today, actor=actor)


def _reply_record(mail: ParsedMail, *, customer: Customer, sent: SentMessage | None, today: date,
                  actor: Any = None) -> bool:
    org = customer.org
    event_record(org=org, customer=customer, type="reply_received", day=today, actor=actor,
                 message=f"Réponse de {mail.from_name or mail.from_address} : {mail.subject}",
                 data={"message_id": mail.message_id, "from": mail.from_address, "subject": mail.subject,
                       "text": mail.text[:5000], "in_reply_to": sent.message_id if sent else "",
                       "action_id": sent.action_id if sent else None})
    if org.pause_on_reply:
        customer.paused, customer.pause_reason = True, f"Réponse reçue le {today:%d/%m/%Y} : à lire"
        customer.save(update_fields=["paused", "pause_reason", "updated_at"])
    task_create(org=org, kind=Task.Kind.REPLY, customer=customer, due=today,
                title=f"Réponse de {customer.name} à lire", body=f"{mail.subject}\n\n{mail.text}"[:5000],
                action_id=sent.action_id if sent else None, data={"message_id": mail.message_id})
    return True


def _ask_which_customer(mail: ParsedMail, customers: list[Customer], *, today: date) -> bool:
    """The address belongs to several customers of one organisation: a person picks; nothing is paused."""
    org = customers[0].org
    if mail.message_id and Task.objects.filter(
            org=org, kind=Task.Kind.REPLY, data__message_id=mail.message_id).exists():
        return False
    names = "\n".join(f"- {c.name} ({c.ref})" for c in customers)
    task_create(org=org, kind=Task.Kind.REPLY, due=today,
                title=f"Réponse de {mail.from_name or mail.from_address} à lire (plusieurs clients possibles)",
                body=(f"L'adresse {mail.from_address} appartient à plusieurs clients :\n{names}\n\n"
                      f"{mail.subject}\n\n{mail.text}")[:5000],
                data={"message_id": mail.message_id, "candidates": [c.pk for c in customers]})
    return False


def bounce_file(mail: ParsedMail, *, org: Organisation, customer: Customer, sent: SentMessage | None,
                today: date, actor: Any = None) -> bool:
    addresses = list(mail.bounced_recipients) or (sent.recipients if sent else [])
    if not mail.permanent_failure:
        event_record(org=org, customer=customer, type="email_delayed", day=today, actor=actor,
                     message="Distribution de l'e-mail retardée : le serveur réessaie.",
                     data={"message_id": mail.message_id, "original_message_id": mail.original_message_id})
        return True
    for contact in Contact.objects.filter(org=org, customer=customer):
        if contact.email.lower() in addresses:
            contact.email_invalid = True
            contact.save(update_fields=["email_invalid"])
    if sent is not None:
        SentMessage.objects.filter(pk=sent.pk).update(failed=True)
        _action_failed(org, sent.action_id, f"Adresse en échec : {', '.join(addresses)}")
    event_record(org=org, customer=customer, type="email_bounced", day=today, actor=actor,
                 message=f"E-mail non distribué : {', '.join(addresses) or 'destinataire inconnu'}",
                 data={"message_id": mail.message_id, "original_message_id": mail.original_message_id,
                       "recipients": addresses, "permanent": mail.permanent_failure})
    task_create(org=org, kind=Task.Kind.CONTACT, customer=customer, due=today,
                title=f"Adresse e-mail à corriger pour {customer.name}",
                body=f"Le message n'a pas pu être distribué à {', '.join(addresses)}.",
                action_id=sent.action_id if sent else None)
    return True


def _mail_details(mail: ParsedMail) -> dict[str, Any]:
    return {"in_reply_to": mail.in_reply_to, "references": list(mail.references), "is_bounce": mail.is_bounce,
            "bounced_recipients": list(mail.bounced_recipients), "permanent_failure": mail.permanent_failure,
            "original_message_id": mail.original_message_id}


def unfiled_mail(unfiled: UnfiledReply) -> ParsedMail:
    """The mail as it was read, rebuilt from what UnfiledReply kept of it."""
    details = unfiled.details or {}
    if unfiled.reason == UnfiledReply.Reason.UNMATCHED_BOUNCE and not details:
        raise ApplicationError(_("Cet avis de non-distribution a été enregistré sans ses détails (adresses en échec) : "
                                 "il ne peut pas être classé. Ignorez-le et corrigez l'adresse du client à la main."))
    return ParsedMail(
        message_id=unfiled.message_id, from_address=unfiled.from_address, from_name=unfiled.from_name,
        subject=unfiled.subject, text=unfiled.text, in_reply_to=details.get("in_reply_to", ""),
        references=tuple(details.get("references", [])), is_bounce=bool(details.get("is_bounce", False)),
        bounced_recipients=tuple(details.get("bounced_recipients", [])),
        permanent_failure=bool(details.get("permanent_failure", False)),
        original_message_id=details.get("original_message_id", ""))


def _unfiled_claim(unfiled: UnfiledReply, *, status: str, by: Any, customer: Customer | None = None) -> None:
    """Compare-and-set: only a pending mail is decided on, once, whoever clicks at the same time."""
    claimed = UnfiledReply.objects.filter(pk=unfiled.pk, status=UnfiledReply.Status.PENDING).update(
        status=status, customer=customer, handled_by=by, handled_at=timezone.now())
    unfiled.refresh_from_db()
    if not claimed:
        status = unfiled.get_status_display()
        raise ApplicationError(_("Cette réponse est déjà %(status)s (sur %(customer)s).")
                               % {"status": status, "customer": unfiled.customer} if unfiled.customer
                               else _("Cette réponse est déjà %(status)s.") % {"status": status})


def _unfiled_tasks_settle(unfiled: UnfiledReply, *, status: str, outcome: str, today: date) -> None:
    """The "client non reconnu" task an organisation got for this mail is settled by the operator's decision."""
    if not unfiled.message_id:
        return
    tasks = Task.objects.filter(kind=Task.Kind.REPLY, status=Task.Status.OPEN, customer=None,
                                data__message_id=unfiled.message_id, data__unfiled=unfiled.reason)
    if unfiled.mailbox_org_id is not None:
        tasks = tasks.filter(org_id=unfiled.mailbox_org_id)
    tasks.update(status=status, done_on=today, outcome=outcome)


@transaction.atomic
def unfiled_file(*, unfiled: UnfiledReply, customer: Customer, by: Any, today: date) -> None:
    """The install operator files a kept mail on one customer, exactly as `mail_file` would have filed it there.

    Refused for a customer outside the organisations the mail pointed to, for a mail already decided on, and
    for a mail already on that organisation's timeline.
    """
    if unfiled.candidate_orgs and customer.org_id not in unfiled.candidate_orgs:
        raise ApplicationError(_("%(org)s ne fait pas partie des organisations possibles pour cette réponse.")
                               % {"org": customer.org})
    mail = unfiled_mail(unfiled)
    _unfiled_claim(unfiled, status=UnfiledReply.Status.FILED, by=by, customer=customer)
    sent = _by_thread(mail, customer.org)
    if not mail_file_on(mail, customer=customer, sent=sent if sent and sent.customer_id == customer.pk else None,
                        today=today, actor=by):
        raise ApplicationError(_("Cette réponse est déjà sur la chronologie de %(org)s : ignorez-la.")
                               % {"org": customer.org})
    _unfiled_tasks_settle(unfiled, status=Task.Status.DONE, today=today,
                          outcome="Réponse classée sur un client par l'exploitant de l'installation.")


@transaction.atomic
def unfiled_ignore(*, unfiled: UnfiledReply, by: Any, today: date) -> None:
    """The install operator sets a kept mail aside (spam): on no timeline, the row stays as a trace."""
    _unfiled_claim(unfiled, status=UnfiledReply.Status.IGNORED, by=by)
    _unfiled_tasks_settle(unfiled, status=Task.Status.CANCELLED, today=today,
                          outcome="Courriel ignoré par l'exploitant de l'installation (indésirable).")


def _action_failed(org: Organisation, action_id: int | None, error: str) -> None:
    """The dunning engine's action, when there is one, is marked failed (it was reported sent)."""
    if action_id is None:
        return
    try:
        action_model = apps.get_model("dunning", "Action")
    except LookupError:
        return
    action_model.objects.filter(org=org, pk=action_id).exclude(status="cancelled").update(
        status="failed", last_error=error)


def imap_settings(url: str, name: str = "IMAP_URL") -> dict[str, Any]:
    parsed = urlparse(url)
    if parsed.scheme not in ("imap", "imaps"):
        raise ValueError(f"{name} : schéma non pris en charge {parsed.scheme!r} (imaps:// ou imap://)")
    return {"ssl": parsed.scheme == "imaps", "host": parsed.hostname or "localhost",
            "port": parsed.port or (993 if parsed.scheme == "imaps" else 143),
            "user": unquote(parsed.username or ""), "password": unquote(parsed.password or ""),
            "folder": unquote(parsed.path.lstrip("/")) or "INBOX"}


def mailbox_poll(*, today: date, url: str | None = None, org: Organisation | None = None,
                 name: str = "IMAP_URL") -> int:
    """Read unseen messages once and file them; returns how many were filed on a customer.

    `org`: the mailbox is that organisation's own, so its mail is filed only within it.
    """
    from imap_tools import AND, MailBox, MailBoxUnencrypted

    url = settings.IMAP_URL if url is None else url
    if not url:
        return 0
    conf = imap_settings(url, name)
    box_class = MailBox if conf["ssl"] else MailBoxUnencrypted
    filed = 0
    with box_class(conf["host"], port=conf["port"]).login(conf["user"], conf["password"], conf["folder"]) as box:
        for message in box.fetch(AND(seen=False), mark_seen=True, bulk=True):
            try:
                filed += mail_file(mail_parse(message.obj.as_bytes()), today=today, org=org)
            except Exception:  # one unreadable mail must not stop the others
                log.exception("could not file mail %s", message.uid)
    return filed


def mailboxes_poll(*, today: date) -> int:
    """The install's IMAP_URL, then each organisation's own mailbox; one failing box does not stop the others."""
    filed = 0
    boxes: list[tuple[Organisation | None, str, str]] = [(None, "IMAP_URL", settings.IMAP_URL)]
    for box in Mailbox.objects.filter(active=True).select_related("org").order_by("org_id"):
        url = os.environ.get(box.url_env, "")
        if not url:
            log.error("mailbox of %s: environment variable %s is not set", box.org.slug, box.url_env)
        boxes.append((box.org, box.url_env, url))
    for org, name, url in boxes:
        try:
            filed += mailbox_poll(today=today, url=url, org=org, name=name)
        except Exception:  # the URL itself is never logged: it holds the password
            log.exception("could not read the mailbox %s", name)
    return filed


__all__ = ["ParsedMail", "mail_file", "mail_file_on", "mail_parse", "mailbox_poll", "mailboxes_poll", "strip_quoted",
           "unfiled_file", "unfiled_ignore", "unfiled_mail"]
