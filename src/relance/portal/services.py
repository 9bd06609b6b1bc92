"""Writes of the debtor portal: links, and what debtors do through them.

Every debtor action leaves an Event on the customer's timeline and notifies the team (a Task, and an
e-mail to the account manager when there is one).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Event, Task
from relance.activity.services import event_record, task_complete, task_create
from relance.core.errors import ApplicationError
from relance.core.money import format_eur
from relance.dunning import services as dunning
from relance.ledger.models import Customer, Dispute, Invoice, Promise
from relance.ledger.selectors import open_invoices, scoped
from relance.portal import plans, schedule
from relance.portal.models import PaymentClaim, PaymentIntent, PaymentPlan, PortalToken, RateCounter
from relance.portal.ratelimit import minute_window
from relance.portal.references import creditor_reference_new, numbers_reference
from relance.portal.tokens import token_hash, token_new
from relance.portal.uploads import MAX_PROOF_BYTES, sniff_file

log = logging.getLogger(__name__)
SOURCE = "portal"
MAX_CLAIM_AGE_DAYS = 366


@dataclass(frozen=True)
class Visit:
    """Who acted through which link: kept in each event as evidence."""

    token: PortalToken
    raw: str  # the secret from the URL, only to build the debtor's own links; never stored
    ip: str = ""

    @property
    def org(self) -> Organisation:
        return self.token.org

    @property
    def customer(self) -> Customer:
        return self.token.customer

    def evidence(self, **extra: Any) -> dict[str, Any]:
        return {"source": SOURCE, "token_id": self.token.pk, "ip": self.ip, **extra}


# --- Links ------------------------------------------------------------------------------------------

def portal_link_create(*, customer: Customer, today: date) -> str:
    """A new private token for this customer; every live link of the customer now lasts until
    today + org.portal_token_days (the issue's "90 days after the last reminder"). Returns the raw token."""
    org = customer.org
    expires = today + timedelta(days=org.portal_token_days)
    raw = token_new()
    with transaction.atomic():
        PortalToken.objects.create(org=org, customer=customer, token_hash=token_hash(raw), created_on=today,
                                   expires_on=expires)
        scoped(PortalToken, org).filter(customer=customer, revoked_at__isnull=True, expires_on__gte=today,
                                        expires_on__lt=expires).update(expires_on=expires)
    return raw


def portal_revoke(*, org: Organisation, customer: Customer, actor: Any, today: date) -> int:
    """Revoke every link of one customer; returns how many were live."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client introuvable."))
    count = scoped(PortalToken, org).filter(customer=customer, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor)
    event_record(org=org, customer=customer, type="portal_links_revoked", day=today, actor=actor,
                 message=f"Liens du portail révoqués ({count}).", data={"count": count})
    return count


PURGE_AFTER_DAYS = 90  # default of settings.PORTAL_TOKEN_PURGE_DAYS


@dataclass(frozen=True)
class PurgeResult:
    day: date
    cutoff: date  # links whose last valid day or revocation day is before this one were deleted
    days: int
    tokens: int
    rate_counters: int

    def as_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "cutoff": self.cutoff.isoformat(), "days": self.days,
                "tokens": self.tokens, "rate_counters": self.rate_counters}


def portal_purge_days() -> int:
    days = getattr(settings, "PORTAL_TOKEN_PURGE_DAYS", PURGE_AFTER_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ApplicationError(_("PORTAL_TOKEN_PURGE_DAYS doit être un nombre de jours positif, pas %(days)s.")
                               % {"days": repr(days)})
    return days


@transaction.atomic
def portal_tokens_purge(*, org: Organisation | None = None, today: date) -> PurgeResult:
    """Delete the links dead for more than N days (settings.PORTAL_TOKEN_PURGE_DAYS, 90 by default): expired
    (last valid day `expires_on`) or revoked (local day of `revoked_at`) before today − N. A dead link opens
    nothing, so only its hash would be kept; the evidence is the timeline, whose events stay (they name the
    link by id only). Without `org`, every organisation, and the rate-limit windows older than yesterday."""
    days = portal_purge_days()
    cutoff = today - timedelta(days=days)
    revoked_before = timezone.make_aware(datetime.combine(cutoff, time.min))  # local midnight
    tokens = PortalToken.objects.all() if org is None else scoped(PortalToken, org)
    dead = tokens.filter(Q(expires_on__lt=cutoff) | Q(revoked_at__lt=revoked_before))
    count, _by_model = dead.delete()
    counters = 0
    if org is None:  # windows are not per organisation; a minute window matters for a minute
        since = minute_window(timezone.make_aware(datetime.combine(today - timedelta(days=1), time.min)))
        counters, _by_model = RateCounter.objects.filter(window__lt=since).delete()
    log.info("portal purge %s: %d link(s), %d rate window(s) before %s", org.slug if org else "*", count,
             counters, cutoff)
    return PurgeResult(day=today, cutoff=cutoff, days=days, tokens=count, rate_counters=counters)


def portal_token_resolve(*, raw: str, today: date) -> PortalToken | None:
    """The live token for a raw value; None for unknown, expired and revoked alike."""
    return (PortalToken.objects.select_related("org", "customer", "customer__account_manager")
            .filter(token_hash=token_hash(raw), revoked_at__isnull=True, expires_on__gte=today).first())


def portal_visit_record(*, visit: Visit, today: date, what: str, invoice: Invoice | None = None) -> None:
    """Evidence that the debtor opened the portal or downloaded a document (once per day and thing)."""
    token = visit.token
    if token.last_used_on != today:
        PortalToken.objects.filter(pk=token.pk).update(last_used_on=today)
        token.last_used_on = today
    seen = scoped(Event, visit.org).filter(customer=visit.customer, type=f"portal_{what}", date=today,
                                           invoice=invoice)
    if seen.exists():
        return
    messages = {"visit": "Le client a consulté le portail.",
                "download": f"Le client a téléchargé la facture {invoice}." if invoice else "",
                "statement": "Le client a téléchargé son relevé de compte."}
    event_record(org=visit.org, customer=visit.customer, invoice=invoice, type=f"portal_{what}", day=today,
                 message=messages[what], data=visit.evidence())


# --- Team notification ------------------------------------------------------------------------------

def _notify(*, visit: Visit, kind: str, title: str, body: str, today: date, data: dict[str, Any]) -> Task:
    task = task_create(org=visit.org, kind=kind, title=title, body=body, due=today, customer=visit.customer,
                       data={**data, "source": SOURCE})
    _email_manager(visit=visit, title=title, body=body)
    return task


def _email_manager(*, visit: Visit, title: str, body: str) -> None:
    """Tell the customer's account manager, once the debtor's action is committed."""
    customer, manager = visit.customer, visit.customer.account_manager
    if manager is None or not manager.email:
        return
    link = settings.SITE_URL + reverse("customer_detail", args=[customer.pk])
    text = f"{title}\n\n{body}\n\nFiche client : {link}\n"
    subject = f"[Relance] {customer.name} : {title}"
    transaction.on_commit(lambda: _send_quietly(subject, text, manager.email))


def _send_quietly(subject: str, text: str, to: str) -> None:
    # The debtor's action is recorded and the task exists; a mail failure must not undo or hide that.
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # noqa: BLE001 - any transport error is logged, never shown to the debtor
        log.exception("portal notification to %s failed", to)


# --- Debtor actions ---------------------------------------------------------------------------------

@transaction.atomic
def payment_claim_record(*, visit: Visit, paid_on: date, today: date, amount: Decimal | None = None,
                         comment: str = "", proof: UploadedFile | None = None) -> PaymentClaim:
    """"I have paid": keep the claim (and proof), pause the ladder, ask the team to check the bank."""
    if paid_on > today or paid_on < today - timedelta(days=MAX_CLAIM_AGE_DAYS):
        raise ApplicationError(_("Date de paiement invalide."))
    claim = PaymentClaim(org=visit.org, customer=visit.customer, paid_on=paid_on, amount=amount,
                         comment=comment, recorded_on=today)
    if proof is not None:
        _attach_proof(claim, proof)
    claim.save()
    amount_text = f" de {format_eur(amount)}" if amount else ""
    message = f"Le client déclare avoir payé{amount_text} le {paid_on:%d/%m/%Y} (portail)."
    if not visit.customer.paused:
        dunning.customer_pause(org=visit.org, customer=visit.customer, today=today,
                               reason=f"Paiement déclaré sur le portail le {today:%d/%m/%Y}")
    event_record(org=visit.org, customer=visit.customer, type="portal_payment_claimed", day=today,
                 message=message + (f" Commentaire : {comment}" if comment else ""),
                 data=visit.evidence(claim_id=claim.pk, paid_on=paid_on.isoformat(),
                                     amount=str(amount) if amount else None, proof=bool(claim.proof)))
    body = message + (f"\nCommentaire : {comment}" if comment else "")
    proof_url = settings.SITE_URL + reverse("portal:proof", args=[claim.pk]) if claim.proof else ""
    _notify(visit=visit, kind=Task.Kind.CHECK_PAYMENT, title="Vérifier le paiement déclaré sur le portail",
            body=body + (f"\nJustificatif : {proof_url}" if proof_url else ""), today=today,
            data={"claim_id": claim.pk, "url": proof_url})
    return claim


def transfer_reference(*, visit: Visit, invoices: Sequence[Invoice], amount: Decimal, today: date) -> str:
    """What the debtor writes on the transfer: the invoice's own payment reference for one invoice that has
    one; the customer code and the invoice numbers when they fit the 140-character remittance; otherwise
    one creditor reference (RF…) recorded for exactly these invoices, which the bank matcher resolves to
    all of them, so the reference always names everything the amount pays."""
    if len(invoices) == 1 and invoices[0].payment_reference:
        return str(invoices[0].payment_reference)
    reference = numbers_reference(visit.customer.ref, [i.number for i in invoices])
    if reference is not None:
        return reference
    return payment_intent_record(visit=visit, invoices=invoices, amount=amount, today=today).reference


def payment_intent_record(*, visit: Visit, invoices: Sequence[Invoice], amount: Decimal,
                          today: date) -> PaymentIntent:
    """The customer's intent for this very selection of invoices, else a new one under a fresh RF reference
    (the same selection keeps its reference, however often the pay screen is opened)."""
    org, customer = visit.org, visit.customer
    if not invoices or any(i.org_id != org.pk or i.customer_id != customer.pk for i in invoices):
        raise ApplicationError(_("Facture introuvable."))
    ids = sorted(i.pk for i in invoices)
    selection = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    found = scoped(PaymentIntent, org).filter(customer=customer, selection=selection).order_by("-pk").first()
    if found is not None:
        return found
    for _attempt in range(5):  # a clash of two random 60-bit bodies is unlikely; never fatal
        try:
            with transaction.atomic():
                intent = PaymentIntent.objects.create(org=org, customer=customer, reference=creditor_reference_new(),
                                                      selection=selection, amount=amount, created_on=today)
                intent.invoices.set(ids)
        except IntegrityError:
            continue
        numbers = ", ".join(i.number for i in sorted(invoices, key=lambda i: (i.due_date, i.pk)))
        event_record(org=org, customer=customer, type="portal_payment_intent", day=today,
                     message=f"Le client a préparé sur le portail un virement de {format_eur(amount)} sous la "
                             f"référence {intent.reference}, pour les factures {numbers}.",
                     data=visit.evidence(intent_id=intent.pk, reference=intent.reference, amount=str(amount)))
        return intent
    raise RuntimeError("five random creditor references in a row were already taken")


def _attach_proof(claim: PaymentClaim, proof: UploadedFile) -> None:
    if proof.size is None or proof.size > MAX_PROOF_BYTES:
        raise ApplicationError(_("Le justificatif dépasse 5 Mo."))
    found = sniff_file(proof.file) if proof.file is not None else None
    if found is None:
        raise ApplicationError(_("Le justificatif doit être un PDF, un PNG ou un JPEG."))
    content_type, ext = found
    claim.proof_type, claim.proof_name = content_type, (proof.name or "")[:200]
    # The stored name is ours: nothing the debtor typed reaches the file system.
    claim.proof.save(f"{secrets.token_hex(16)}.{ext}", proof, save=False)


def promisable_invoices(*, org: Organisation, customer: Customer, today: date) -> list[Invoice]:
    """What a debtor's promise covers: their overdue open invoices that are not disputed."""
    disputed = scoped(Dispute, org).filter(status=Dispute.Status.OPEN).values("invoice_id")
    return list(open_invoices(org).filter(customer=customer, due_date__lt=today).exclude(pk__in=disputed)
                .order_by("due_date", "number"))


@transaction.atomic
def portal_promise(*, visit: Visit, until: date, today: date) -> Promise:
    """Recorded exactly as if the team had (engine rule 7); the engine also files the follow-up task."""
    org = visit.org
    if not today <= until <= today + timedelta(days=org.portal_max_promise_days):
        raise ApplicationError(_("La date promise doit être dans les %(days)s jours.") % {"days": org.portal_max_promise_days})
    invoices = promisable_invoices(org=org, customer=visit.customer, today=today)
    if not invoices:
        raise ApplicationError(_("Aucune facture échue à couvrir par une promesse."))
    promise = dunning.promise_record(org=org, customer=visit.customer, until=until, today=today, invoices=invoices,
                                     source=SOURCE, note="Promesse saisie par le client sur le portail")
    numbers = ", ".join(i.number for i in invoices)
    message = f"Le client a promis sur le portail de payer au plus tard le {until:%d/%m/%Y} : {numbers}."
    event_record(org=org, customer=visit.customer, type="portal_promise", day=today, message=message,
                 data=visit.evidence(promise_id=promise.pk, until=until.isoformat()))
    _email_manager(visit=visit, title=f"Promesse de paiement au {until:%d/%m/%Y} (portail)", body=message)
    return promise


@transaction.atomic
def portal_dispute(*, visit: Visit, invoice: Invoice, reason_code: str, comment: str, today: date) -> Dispute:
    """The invoice leaves the ladder (engine rule 8); the engine files the dispute task for the account
    manager, whom we also e-mail."""
    if invoice.customer_id != visit.customer.pk or invoice.org_id != visit.org.pk:
        raise ApplicationError(_("Facture introuvable."))
    reason_label = str(Dispute.Reason(reason_code).label)
    dispute = dunning.dispute_open(org=visit.org, invoice=invoice, reason=comment.strip() or reason_label,
                                   reason_code=reason_code, today=today, source=SOURCE)
    message = f"Le client a contesté la facture {invoice.number} sur le portail ({reason_label})."
    event_record(org=visit.org, customer=visit.customer, invoice=invoice, type="portal_dispute", day=today,
                 message=message, data=visit.evidence(dispute_id=dispute.pk, reason_code=reason_code))
    _email_manager(visit=visit, title=f"Litige sur la facture {invoice.number} (portail)",
                   body=message + (f"\nCommentaire du client : {comment}" if comment else ""))
    return dispute


@transaction.atomic
def payment_plan_request(*, visit: Visit, instalments: int, first_date: date, comment: str,
                         today: date) -> PaymentPlan:
    org, customer = visit.org, visit.customer
    if not 2 <= instalments <= org.portal_max_instalments:
        raise ApplicationError(_("Nombre d'échéances entre 2 et %(max)s.") % {"max": org.portal_max_instalments})
    if not today <= first_date <= today + timedelta(days=org.portal_max_promise_days):
        raise ApplicationError(_("Date de première échéance invalide."))
    if scoped(PaymentPlan, org).filter(customer=customer, status=PaymentPlan.Status.REQUESTED).exists():
        raise ApplicationError(_("Une demande d'échéancier est déjà en cours d'examen."))
    invoices = list(open_invoices(org).filter(customer=customer))
    total = sum((i.outstanding for i in invoices), Decimal("0.00"))  # type: ignore[attr-defined]
    if total <= 0:
        raise ApplicationError(_("Aucune facture à échelonner."))
    plan = PaymentPlan.objects.create(org=org, customer=customer, instalments_requested=instalments,
                                      first_date=first_date, comment=comment, total=total, requested_on=today)
    plan.invoices.set(invoices)
    message = (f"Le client demande un échéancier de {instalments} mensualités pour {format_eur(total)}, "
               f"à partir du {first_date:%d/%m/%Y} (portail).")
    event_record(org=org, customer=customer, type="portal_plan_requested", day=today,
                 message=message + (f" Commentaire : {comment}" if comment else ""),
                 data=visit.evidence(plan_id=plan.pk, instalments=instalments))
    url = settings.SITE_URL + reverse("portal:staff_plan", args=[plan.pk])
    task = _notify(visit=visit, kind=Task.Kind.PAYMENT_PLAN, title="Échéancier demandé sur le portail à valider",
                   body=f"{message}\nÀ valider : {url}", today=today, data={"plan_id": plan.pk, "url": url})
    plan.task_id = task.pk
    plan.save(update_fields=["task_id"])
    return plan


instalments_split = schedule.split  # monthly, equal to the cent, the last one absorbing the remainder


def _plan_pending(org: Organisation, plan: PaymentPlan) -> None:
    if plan.org_id != org.id:
        raise ApplicationError(_("Échéancier introuvable."))
    if plan.status != PaymentPlan.Status.REQUESTED:
        raise ApplicationError(_("Cet échéancier est déjà %(status)s.") % {"status": plan.get_status_display().lower()})


def _plan_task_close(org: Organisation, plan: PaymentPlan, today: date, outcome: str) -> None:
    if plan.task_id is None:
        return
    task = Task.objects.filter(org=org, pk=plan.task_id, status=Task.Status.OPEN).first()
    if task is not None:
        task_complete(org=org, task=task, day=today, outcome=outcome)


@transaction.atomic
def payment_plan_approve(*, org: Organisation, plan: PaymentPlan, actor: Any, today: date,
                         instalments: int | None = None, first_date: date | None = None,
                         note: str = "") -> PaymentPlan:
    """Grant the plan: monthly instalments over what is still due on its invoices. From today the plan
    itself holds their ladder while it is kept, and a missed instalment resumes it (portal/plans.py)."""
    _plan_pending(org, plan)
    count, first = instalments or plan.instalments_requested, first_date or plan.first_date
    if first < today:
        raise ApplicationError(_("La première échéance (%(first)s) est déjà passée.") % {"first": f"{first:%d/%m/%Y}"})
    agreed = plans.plan_approve_schedule(org=org, plan=plan, count=count, first=first, today=today)
    plan.status, plan.decided_on, plan.decided_by, plan.decision_note = (
        PaymentPlan.Status.APPROVED, today, actor, note)
    plan.save(update_fields=["status", "decided_on", "decided_by", "decision_note", "total", "started_at"])
    last = agreed[-1][0]
    event_record(org=org, customer=plan.customer, type="portal_plan_approved", day=today, actor=actor,
                 message=f"Échéancier accordé : {count} mensualités de {format_eur(agreed[0][1])} "
                         f"du {first:%d/%m/%Y} au {last:%d/%m/%Y} ; relances suspendues tant qu'il est "
                         f"respecté.", data={"plan_id": plan.pk})
    _plan_task_close(org, plan, today, "Échéancier accordé")
    return plan


@transaction.atomic
def payment_plan_reject(*, org: Organisation, plan: PaymentPlan, actor: Any, today: date,
                        note: str = "") -> PaymentPlan:
    _plan_pending(org, plan)
    plan.status, plan.decided_on, plan.decided_by, plan.decision_note = (
        PaymentPlan.Status.REJECTED, today, actor, note)
    plan.save(update_fields=["status", "decided_on", "decided_by", "decision_note"])
    event_record(org=org, customer=plan.customer, type="portal_plan_rejected", day=today, actor=actor,
                 message="Échéancier refusé." + (f" {note}" if note else ""), data={"plan_id": plan.pk})
    _plan_task_close(org, plan, today, "Échéancier refusé")
    return plan
