"""The few writes that belong to the staff app itself; everything else calls the owning app's services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.services import event_record, task_complete
from relance.core.errors import ApplicationError
from relance.dunning.services import dispute_open, promise_record
from relance.ledger.models import Customer, Dispute, Invoice
from relance.web.forms import CALL_OUTCOMES, CALL_REASONS

#: A reason given on the phone that is also a dispute reason.
DISPUTE_REASON_OF_CALL = {"not_received": Dispute.Reason.NOT_RECEIVED}


@transaction.atomic
def call_log(*, org: Organisation, customer: Customer, outcome: str, reason: str, note: str, today: date,
             actor: Any = None, promise_until: date | None = None, promise_amount: Decimal | None = None,
             dispute_invoice: Invoice | None = None, dispute_reason: str = "") -> None:
    """A call on the timeline, with an optional promise and dispute recorded in the same transaction;
    the customer's open call tasks are done."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client introuvable."))
    outcomes, reasons = dict(CALL_OUTCOMES), dict(CALL_REASONS)
    if outcome not in outcomes or reason not in reasons:
        raise ApplicationError(_("Résultat ou motif d'appel inconnu."))
    with translation.override("fr"):  # the timeline is evidence: French whoever logs the call
        summary = f"Appel : {outcomes[outcome]}" + (f" — {reasons[reason]}" if reason else "")
    event_record(org=org, type="call_logged", day=today, customer=customer, actor=actor,
                 message=summary + (f". {note}" if note else "."),
                 data={"outcome": outcome, "reason": reason, "note": note})
    if promise_until is not None:
        promise = promise_record(org=org, customer=customer, until=promise_until, today=today, actor=actor,
                                 note=note)
        if promise_amount:
            promise.amount = promise_amount
            promise.save(update_fields=["amount"])
    if dispute_invoice is not None:
        dispute_open(org=org, invoice=dispute_invoice, reason=dispute_reason, today=today, actor=actor,
                     reason_code=DISPUTE_REASON_OF_CALL.get(reason, Dispute.Reason.OTHER))
    for task in Task.objects.filter(org=org, customer=customer, kind=Task.Kind.CALL, status=Task.Status.OPEN):
        task_complete(org=org, task=task, day=today, outcome=summary)


def customer_manual_mode_set(*, org: Organisation, customer: Customer, manual: bool, today: date,
                             actor: Any = None) -> Customer:
    """Manual mode: the ladder sends nothing on its own for this customer (rule 3); people act by hand."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client introuvable."))
    if customer.manual_mode == manual:
        raise ApplicationError((_("%(customer)s est déjà en mode manuel.") if manual
                               else _("%(customer)s est déjà en mode automatique.")) % {"customer": customer.name})
    customer.manual_mode = manual
    customer.save(update_fields=["manual_mode", "updated_at"])
    event_record(org=org, type="manual_mode_on" if manual else "manual_mode_off", day=today, customer=customer,
                 actor=actor, message="Mode manuel activé." if manual else "Relances automatiques rétablies.")
    return customer


def member_role_set(*, org: Organisation, membership_id: int, role: str) -> Any:
    """Change a member's role; an organisation always keeps at least one owner."""
    from relance.accounts.models import Membership, Role

    membership = Membership.objects.filter(org=org, pk=membership_id).select_related("user").first()
    if membership is None:
        raise ApplicationError(_("Membre introuvable."))
    if role not in Role.values:
        raise ApplicationError(_("Rôle inconnu : %(role)s") % {"role": role})
    _keep_an_owner(org, membership, role)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def member_remove(*, org: Organisation, membership_id: int, actor: Any) -> None:
    from relance.accounts.models import Membership

    membership = Membership.objects.filter(org=org, pk=membership_id).first()
    if membership is None:
        raise ApplicationError(_("Membre introuvable."))
    if membership.user_id == getattr(actor, "pk", None):
        raise ApplicationError(_("Vous ne pouvez pas vous retirer vous-même."))
    _keep_an_owner(org, membership, None)
    membership.delete()


def _keep_an_owner(org: Organisation, membership: Any, new_role: str | None) -> None:
    from relance.accounts.models import Membership, Role

    others = Membership.objects.filter(org=org, role=Role.OWNER).exclude(pk=membership.pk)
    if membership.role == Role.OWNER and new_role != Role.OWNER and not others.exists():
        raise ApplicationError(_("L'organisation doit garder au moins un propriétaire."))


@dataclass(frozen=True)
class StepChange:
    step_id: int
    anchor: str
    days: int
    channels: tuple[str, ...]
    needs_approval: bool


@transaction.atomic
def plan_update(*, org: Organisation, plan: Any, changes: list[StepChange], kinds: list[str]) -> Any:
    """Edit a plan's steps (anchor, days, channels, approval) and the customer kinds it applies to.

    An anchor is the due date or an *earlier* step of the same plan, so the ladder stays a ladder."""
    from relance.dunning.models import Channel, Plan, Step

    if plan.org_id != org.id:
        raise ApplicationError(_("Plan introuvable."))
    steps = {s.pk: s for s in Step.objects.filter(plan=plan)}
    order = {s.code: s.order for s in steps.values()}
    for change in changes:
        step = steps.get(change.step_id)
        if step is None:
            raise ApplicationError(_("Étape introuvable dans ce plan."))
        if change.anchor != "due_date" and order.get(change.anchor, step.order) >= step.order:
            raise ApplicationError(_("Étape « %(step)s » : l'ancrage doit être l'échéance ou une étape précédente.")
                                   % {"step": step.code})
        if not change.channels or not set(change.channels) <= set(Channel.values):
            raise ApplicationError(_("Étape « %(step)s » : choisissez au moins un canal.") % {"step": step.code})
        step.anchor, step.days, step.channels = change.anchor, change.days, list(change.channels)
        step.needs_approval = change.needs_approval
        step.save(update_fields=["anchor", "days", "channels", "needs_approval"])
    taken = Plan.objects.filter(org=org).exclude(pk=plan.pk).values_list("customer_kinds", flat=True)
    clash = set(kinds) & {k for row in taken for k in (row or [])}
    if clash:
        raise ApplicationError(_("Type(s) de client déjà affecté(s) à un autre plan : %(kinds)s.")
                               % {"kinds": ", ".join(sorted(clash))})
    plan.customer_kinds = kinds
    plan.save(update_fields=["customer_kinds"])
    return plan


def contact_save(*, org: Organisation, customer: Customer, data: dict[str, Any], today: date, actor: Any = None,
                 contact_id: int | None = None) -> Any:
    """Add or correct a contact; a corrected e-mail address is usable again. Open "contact" tasks close."""
    from relance.ledger.models import Contact

    if customer.org_id != org.id:
        raise ApplicationError(_("Client introuvable."))
    contact = Contact(org=org, customer=customer) if contact_id is None else \
        Contact.objects.filter(org=org, customer=customer, pk=contact_id).first()
    if contact is None:
        raise ApplicationError(_("Contact introuvable."))
    if data["email"] != contact.email:
        contact.email_invalid = False
    for field in ("name", "role", "email", "phone"):
        setattr(contact, field, data[field])
    contact.save()
    event_record(org=org, type="contact_updated", day=today, customer=customer, actor=actor,
                 message=f"Contact {'ajouté' if contact_id is None else 'corrigé'} : {contact}.")
    for task in Task.objects.filter(org=org, customer=customer, kind=Task.Kind.CONTACT, status=Task.Status.OPEN):
        task_complete(org=org, task=task, day=today, outcome="Coordonnées complétées")
    return contact
