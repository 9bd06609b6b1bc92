"""Dunning services: the daily run, approvals, promises, disputes and pauses. Keyword-only, org explicit."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.services import event_record, task_create
from relance.core.dates import next_business_day
from relance.core.errors import ApplicationError
from relance.core.money import format_eur
from relance.dunning import planner
from relance.dunning.models import Action, ActionInvoice, DunningRun, LadderMark
from relance.dunning.outbox import action_deliver, call_task_body
from relance.dunning.plans import PlanChooser
from relance.dunning.selectors import (
    CONTACT_STATUSES,
    DayState,
    day_state_batches,
    last_real_run,
    org_settings,
)
from relance.ledger.models import Customer, Dispute, Invoice, Promise
from relance.ledger.selectors import open_invoices, scoped


class TranslatedLabels(Mapping[str, str]):
    """Labels looked up in the active language (French unless a request or a portal visit chose English).

    Built at import time from the French names, translated on each access: a page shows them in its
    reader's language, while the timeline and tasks keep the French names (`*_FR`) as recorded evidence.
    """

    def __init__(self, french: dict[str, str]) -> None:
        self._french = french

    def __getitem__(self, code: str) -> str:
        return _(self._french[code])

    def __iter__(self) -> Iterator[str]:
        return iter(self._french)

    def __len__(self) -> int:
        return len(self._french)


STEP_LABELS_FR = {
    "pre_due": gettext_noop("rappel avant échéance"), "reminder_1": gettext_noop("première relance"),
    "reminder_2": gettext_noop("deuxième relance"), "call": gettext_noop("appel"),
    "reminder_3": gettext_noop("troisième relance"), "formal_notice": gettext_noop("mise en demeure"),
    "litigation": gettext_noop("passage au contentieux"), "complete_contact": gettext_noop("coordonnées à compléter"),
    "instalment_reminder": gettext_noop("rappel d'échéance"),
}
CHANNEL_LABELS_FR = {
    "email": gettext_noop("e-mail"), "sms": gettext_noop("SMS"), "letter": gettext_noop("courrier"),
    "registered_letter": gettext_noop("lettre recommandée"), "phone": gettext_noop("appel"),
    "task": gettext_noop("tâche"),
}
#: for pages: in the reader's language
STEP_LABELS: Mapping[str, str] = TranslatedLabels(STEP_LABELS_FR)
CHANNEL_LABELS: Mapping[str, str] = TranslatedLabels(CHANNEL_LABELS_FR)
#: "Action introuvable." and the like, by the kind of object looked for
NOT_FOUND = {"Action": gettext_noop("Action introuvable."), "Client": gettext_noop("Client introuvable."),
             "Facture": gettext_noop("Facture introuvable.")}
LIMITATION_WARNING_DAYS = 90
PLANNED_STATUS = {planner.SEND: Action.Status.QUEUED, planner.AWAITING_APPROVAL: Action.Status.AWAITING_APPROVAL,
                  planner.TASK: Action.Status.TASK}


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class RunResult:
    date: date
    dry_run: bool
    actions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "dry_run": self.dry_run, "actions": self.actions,
                "events": self.events, "warnings": self.warnings}


# --- The daily run -----------------------------------------------------------------------------------


def dunning_run(*, org: Organisation, today: date, dry_run: bool = False) -> RunResult:
    """Plan the day and, unless dry, carry it out: actions, tasks, events, then delivery (rules 1–14)."""
    last = last_real_run(org=org)
    if not dry_run and last is not None and today < last:
        raise ApplicationError(
            _("Un passage réel a déjà eu lieu le %(last)s : impossible de relancer pour le %(today)s, "
              "date antérieure (utilisez --dry-run pour simuler).") % {"last": _fr(last), "today": _fr(today)}
        )
    from relance.banking.api import bank_staleness_warning

    result = RunResult(today, dry_run)
    if warning := bank_staleness_warning(org=org, today=today):
        result.warnings.append(warning)
    run = DunningRun.objects.create(org=org, date=today, dry_run=dry_run)
    settings = org_settings(org)
    created: list[int] = []
    _payment_plans(org, today, dry_run, result, created)
    batches = day_state_batches(org=org, today=today, only_relevant=True)
    # A dry run keeps the collector paused from the first batch to the last: resuming it between batches
    # would make it walk the batch just planned, still alive, for nothing.
    with gc_paused() if dry_run else nullcontext():
        while True:
            with gc_paused():  # loading and planning build plain, acyclic data only
                state = next(batches, None)
                if state is None:
                    break
                plan = planner.plan_day(customers=state.customers, invoices=state.invoices,
                                        promises=state.promises, pending=state.pending, settings=settings,
                                        today=today)
                result.warnings.extend(_data_checks(plan, state, today))
                if dry_run:
                    _describe_dry(plan, state, result)
            if not dry_run:
                created.extend(_carry_out(org, plan, state, today, result))
    if not dry_run:
        for action_id in created:
            action_deliver(action_id=action_id, today=today)
        result.actions = _rows(Action.objects.filter(id__in=created).order_by("id"))
    run.finished_at, run.actions_created, run.warnings = timezone.now(), len(result.actions), result.warnings
    run.save(update_fields=["finished_at", "actions_created", "warnings"])
    return result


def _payment_plans(org: Organisation, today: date, dry_run: bool, result: RunResult, created: list[int]) -> None:
    """Before the day is planned: payment plans broken (their ladder resumes in this run), completed, and
    instalment reminders queued (portal/plans.py)."""
    from relance.portal.plans import payment_plans_evaluate

    evaluation = payment_plans_evaluate(org=org, today=today, dry_run=dry_run)
    result.events.extend(evaluation.events)
    result.actions.extend(evaluation.actions)
    created.extend(evaluation.action_ids)


def courtesy_action_queue(*, org: Organisation, customer: Customer, step: str, channel: str,
                          invoices: dict[int, Decimal], today: date, data: dict[str, Any],
                          message: str) -> Action | None:
    """A message outside the ladder (a payment plan's instalment reminder): an action carried out today and
    delivered by the outbox like any other, advancing no invoice; None if it already exists today (rule 13)."""
    try:
        with transaction.atomic():
            action = Action.objects.create(
                org=org, customer=customer, step=step, channel=channel, date=today, status=Action.Status.QUEUED,
                carried_out_on=today, amount_due=sum(invoices.values(), Decimal("0.00")), data=data)
    except IntegrityError:
        return None
    ActionInvoice.objects.bulk_create(ActionInvoice(action=action, invoice_id=i, amount=amount)
                                      for i, amount in invoices.items())
    event_record(org=org, type="dunning_action", day=today, customer=customer, message=message,
                 data={"action_id": action.id, "step": step, "channel": channel})
    return action


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch's plain records are built: they hold no reference
    cycles (reference counting frees them), and a collection pass every few thousand new objects over
    hundreds of thousands of live ones costs about a quarter of a busy day's planning."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rows(actions: Any) -> list[dict[str, Any]]:
    rows = []
    for a in actions.select_related("customer").prefetch_related("lines__invoice"):
        rows.append({"id": a.id, "customer": a.customer.ref, "step": a.step, "channel": a.channel,
                     "status": a.status, "invoices": [ln.invoice.number for ln in _ordered(a.lines.all())],
                     "amount_due": f"{a.amount_due:.2f}", "currency": a.currency})
    return rows


def _ordered(lines: Any) -> list[ActionInvoice]:
    return sorted(lines, key=lambda ln: (ln.invoice.due_date, ln.invoice.number))


def _describe_dry(plan: planner.DayPlan, state: DayState, result: RunResult) -> None:
    by_id, statuses = state.by_id, {k: str(v) for k, v in PLANNED_STATUS.items()}
    for pa in plan.actions:
        result.actions.append({
            "id": None, "customer": state.customer_info[pa.customer_id].ref, "step": pa.step, "channel": pa.channel,
            "status": statuses[pa.status], "invoices": [by_id[i].number for i in pa.listed],
            "amount_due": f"{pa.amount:.2f}", "currency": _currency(pa, state),
        })
    for ev in plan.events:
        result.events.append(_event_row(ev, state))


def _event_row(ev: planner.PlannedEvent, state: DayState) -> dict[str, Any]:
    numbers = [state.info(i).number for i in ev.invoice_ids if i in state.by_id]
    return {"customer": state.customer_info[ev.customer_id].ref, "type": ev.type, "invoices": numbers}


def _currency(pa: planner.PlannedAction, state: DayState) -> str:
    return state.info(pa.listed[0]).currency if pa.listed else "EUR"


def _data_checks(plan: planner.DayPlan, state: DayState, today: date) -> list[str]:
    """Check the data before sending: invoice really sent, a usable contact for the channel."""
    out: list[str] = []
    seen: set[tuple[int, str]] = set()
    dated = state.invoice_info  # only these invoices carry a sent date (or another currency)
    for pa in plan.actions:
        info = state.customer_info[pa.customer_id]
        for inv_id in pa.listed:
            if inv_id not in dated:
                continue
            sent = dated[inv_id].sent_date
            if sent is not None and sent > today and (inv_id, "sent") not in seen:
                seen.add((inv_id, "sent"))
                out.append(f"Facture {state.info(inv_id).number} : relancée alors qu'elle n'est envoyée "
                           f"que le {_fr(sent)} selon la source.")
        if pa.channel in ("letter", "registered_letter") and not info.has_address:
            out.append(f"Client {info.ref} : aucune adresse postale pour le {CHANNEL_LABELS_FR[pa.channel]}.")
        if pa.fallback:
            out.append(f"Client {info.ref} : pas d'adresse e-mail utilisable, la relance part par courrier.")
    return out + _limitation_warnings(state, today)


def _limitation_warnings(state: DayState, today: date) -> list[str]:
    """Warn 90 days before an open invoice becomes time-barred (legal.limitation)."""
    out = []
    for inv in state.invoices:
        barred = inv.limitation_on
        if barred is not None and barred - timedelta(days=LIMITATION_WARNING_DAYS) <= today < barred:
            last = barred - timedelta(days=1)
            out.append(f"Facture {inv.number} : prescrite après le {_fr(last)} ; agir avant (reconnaissance "
                       f"de dette, injonction de payer).")
    return out


def _carry_out(org: Organisation, plan: planner.DayPlan, state: DayState, today: date,
               result: RunResult) -> list[int]:
    owner = {i.id: i.customer_id for i in state.invoices}
    outstanding = {i.id: i.outstanding for i in state.invoices}
    by_customer: dict[int, list[planner.PlannedAction]] = defaultdict(list)
    marks: dict[int, list[planner.PlannedMark]] = defaultdict(list)
    for pa in plan.actions:
        by_customer[pa.customer_id].append(pa)
    for m in plan.marks:
        marks[owner[m.invoice_id]].append(m)
    ids = set(by_customer) | set(marks) | {e.customer_id for e in plan.events}
    customers = Customer.objects.filter(org=org).select_related("account_manager").in_bulk(ids)
    created: list[int] = []
    for cid in sorted(set(by_customer) | set(marks)):
        with transaction.atomic():
            created.extend(_carry_out_customer(org, customers[cid], by_customer[cid], marks[cid], outstanding,
                                               state, today))
    for ev in plan.events:
        _record_planned_event(org, customers[ev.customer_id], ev, state, today)
        result.events.append(_event_row(ev, state))
    for action_id in plan.cancellations:
        action = Action.objects.get(org=org, id=action_id)
        _cancel(org, action, today, None, "toutes les factures listées sont réglées")
    return created


def _carry_out_customer(org: Organisation, customer: Customer, planned: list[planner.PlannedAction],
                        marks: list[planner.PlannedMark], outstanding: dict[int, Decimal], state: DayState,
                        today: date) -> list[int]:
    created: list[int] = []
    first_action: dict[int, int] = {}
    for pa in planned:
        action = _create_action(org, customer, pa, outstanding, state, today)
        if action is None:
            continue  # already created by an earlier run of this day (rule 13)
        created.append(action.id)
        for inv_id in pa.advanced:
            first_action.setdefault(inv_id, action.id)
    # A step advances only with the action that carries it out; a skipped step needs none.
    LadderMark.objects.bulk_create([
        LadderMark(org=org, customer=customer, invoice_id=m.invoice_id, step=m.step, day=m.day, skipped=m.skipped,
                   action_id=first_action.get(m.invoice_id))
        for m in marks if m.skipped or m.invoice_id in first_action
    ], ignore_conflicts=True)
    return created


def _create_action(org: Organisation, customer: Customer, pa: planner.PlannedAction,
                   outstanding: dict[int, Decimal], state: DayState, today: date) -> Action | None:
    status = PLANNED_STATUS[pa.status]
    try:
        with transaction.atomic():
            action = Action.objects.create(
                org=org, customer=customer, step=pa.step, channel=pa.channel, date=today, status=status,
                carried_out_on=None if status == Action.Status.AWAITING_APPROVAL else today,
                amount_due=pa.amount, currency=_currency(pa, state), data={"fallback": True} if pa.fallback else {},
            )
    except IntegrityError:
        return None
    ActionInvoice.objects.bulk_create(
        ActionInvoice(action=action, invoice_id=i, amount=outstanding[i], advanced=i in pa.advanced)
        for i in pa.listed
    )
    _side_effects(org, customer, action, pa, state, today)
    return action


def _side_effects(org: Organisation, customer: Customer, action: Action, pa: planner.PlannedAction,
                  state: DayState, today: date) -> None:
    numbers = ", ".join(state.info(i).number for i in pa.listed)
    label = STEP_LABELS_FR.get(pa.step, pa.step)
    if pa.step == planner.CONTACT_TASK_STEP:
        task_create(org=org, kind=Task.Kind.CONTACT, title=f"Compléter l'adresse e-mail de {customer.name}",
                    due=today, customer=customer, action_id=action.id,
                    body="Aucune adresse e-mail utilisable : la relance est partie par courrier.")
    elif action.status == Action.Status.AWAITING_APPROVAL:
        task_create(org=org, kind=Task.Kind.APPROVAL, title=f"Valider : {label} pour {customer.name}", due=today,
                    customer=customer, action_id=action.id, body=f"Factures : {numbers}.")
    elif pa.channel == "phone":
        task_create(org=org, kind=Task.Kind.CALL, title=f"Appeler {customer.name} ({customer.ref})", due=today,
                    customer=customer, action_id=action.id, body=call_task_body(action))
    event_record(org=org, type="dunning_action", day=today, customer=customer,
                 message=f"{label.capitalize()} par {CHANNEL_LABELS_FR.get(pa.channel, pa.channel)} "
                         f"({action.get_status_display().lower()}) : {numbers} — {format_eur(pa.amount, action.currency)}",
                 data={"action_id": action.id, "step": pa.step, "channel": pa.channel})


def _record_planned_event(org: Organisation, customer: Customer, ev: planner.PlannedEvent, state: DayState,
                          today: date) -> None:
    numbers = ", ".join(state.info(i).number for i in ev.invoice_ids if i in state.by_id)
    if ev.type in ("promise_broken", "promise_kept") and ev.ref_id is not None:
        status = Promise.Status.BROKEN if ev.type == "promise_broken" else Promise.Status.KEPT
        Promise.objects.filter(org=org, id=ev.ref_id).update(status=status)
        text = ("Promesse de paiement non tenue : la relance reprend" if ev.type == "promise_broken"
                else "Promesse de paiement tenue")
        event_record(org=org, type=ev.type, day=today, customer=customer, message=f"{text} ({numbers}).",
                     data={"promise_id": ev.ref_id, "invoices": list(ev.invoice_ids)})
        return
    for inv_id in ev.invoice_ids:
        event_record(org=org, type=ev.type, day=today, customer=customer,
                     invoice=Invoice.objects.get(org=org, id=inv_id),
                     message="Créance prescrite : la relance s'arrête pour cette facture.")


# --- Explain -----------------------------------------------------------------------------------------


def dunning_explain(*, org: Organisation, invoice: Invoice, today: date) -> planner.Explanation:
    """Why `invoice` gets, or does not get, a step on `today` (the planner's reasons, in French)."""
    if invoice.org_id != org.id:
        raise ApplicationError(_("Facture inconnue : %(number)s") % {"number": invoice.number})
    state = next(day_state_batches(org=org, today=today, customer_ids=[invoice.customer_id]), None)
    numbers = {i.id for i in state.invoices} if state else set()
    if state is None or invoice.id not in numbers:
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            why = "c'est un avoir : un avoir n'est jamais relancé."
        else:
            why = (f"elle n'a plus de restant dû ou n'est pas ouverte "
                   f"(statut : {invoice.get_status_display().lower()}).")
        text = f"Facture {invoice.number}, le {_fr(today)} : ne reçoit pas d'étape (règle 9) — {why}"
        return planner.Explanation(invoice.number, today, 9, None, text)
    customer = next(c for c in state.customers if c.id == invoice.customer_id)
    return planner.explain(invoice_id=invoice.id, customer=customer, invoices=state.invoices,
                           promises=state.promises, pending=state.pending, settings=org_settings(org), today=today)


# --- Approvals ---------------------------------------------------------------------------------------


def _own(org: Organisation, obj: Any, what: str) -> None:
    if obj.org_id != org.id:
        raise ApplicationError(_(NOT_FOUND[what]))


def action_approve(*, org: Organisation, action: Action, today: date, actor: Any = None) -> Action:
    """Rule 12: carry out an action awaiting approval on the day it is approved (rule 9 if all is paid)."""
    _own(org, action, "Action")
    if action.status != Action.Status.AWAITING_APPROVAL:
        raise ApplicationError(
            _("L'action %(id)s n'attend pas de validation (statut : %(status)s).")
            % {"id": action.id, "status": action.get_status_display().lower()})
    if today < action.date:
        raise ApplicationError(_("L'action %(id)s date du %(date)s : validation le %(today)s impossible.")
                               % {"id": action.id, "date": _fr(action.date), "today": _fr(today)})
    state = next(day_state_batches(org=org, today=today, customer_ids=[action.customer_id]), None)
    listed = set(action.lines.values_list("invoice_id", flat=True))
    invoices = [i for i in (state.invoices if state else []) if i.id in listed and i.payable]
    if not invoices:
        return _cancel(org, action, today, actor, "toutes les factures listées sont réglées")
    if problem := approval_spacing_problem(org=org, action=action, today=today):
        raise ApplicationError(problem)
    assert state is not None
    customer = next(c for c in state.customers if c.id == action.customer_id)
    promised = {i for p in state.promises if planner.promise_blocks(p, today, org_settings(org))
                for i in p.invoice_ids}
    marks = planner.advance_on_approval(customer=customer, step_code=action.step, invoices=invoices,
                                        promised=promised, today=today)
    with transaction.atomic():
        _approve(org, action, invoices, marks, today, actor)
    if action.status == Action.Status.QUEUED:
        action_deliver(action_id=action.id, today=today)
        action.refresh_from_db()
    return action


def approval_spacing_problem(*, org: Organisation, action: Action, today: date) -> str:
    """Rule 6 at approval: a message (not a task) goes out only if the customer's last message is far enough.

    The approval is refused, in French and with the first possible day, rather than sent later: rule 12 counts
    the step on the day it is approved, and that day must be one on which the message really can go.
    """
    if action.channel not in planner.MESSAGE_CHANNELS:
        return ""
    last = (scoped(Action, org).filter(customer_id=action.customer_id, channel__in=planner.MESSAGE_CHANNELS,
                                       status__in=CONTACT_STATUSES, carried_out_on__lte=today)
            .exclude(id=action.id).aggregate(d=Max("carried_out_on"))["d"])
    gap = org.contact_spacing_days
    if last is None or (today - last).days >= gap:
        return ""
    first = next_business_day(last + timedelta(days=gap), org.holidays_region)
    return (_("L'action %(id)s ne peut pas être validée le %(today)s : le client %(ref)s a reçu un message le "
              "%(last)s et il faut %(gap)s jours d'écart entre deux messages. Validation possible à "
              "partir du %(first)s.")
            % {"id": action.id, "today": _fr(today), "ref": action.customer.ref, "last": _fr(last), "gap": gap,
               "first": _fr(first)})


def _approve(org: Organisation, action: Action, invoices: list[planner.Invoice],
             marks: list[planner.PlannedMark], today: date, actor: Any) -> None:
    # The message goes out now: list what is still due now, at today's amounts.
    advanced = {m.invoice_id for m in marks}
    action.lines.exclude(invoice_id__in=[i.id for i in invoices]).delete()
    for inv in invoices:
        action.lines.filter(invoice_id=inv.id).update(amount=inv.outstanding, advanced=inv.id in advanced)
    action.amount_due = sum((i.outstanding for i in invoices), Decimal("0.00"))
    action.status = Action.Status.TASK if action.channel in planner.TASK_CHANNELS else Action.Status.QUEUED
    action.approved_by, action.approved_on, action.carried_out_on = actor, today, today
    action.save()
    LadderMark.objects.bulk_create(
        [LadderMark(org=org, customer_id=action.customer_id, invoice_id=m.invoice_id, step=m.step, day=m.day,
                    action=action) for m in marks], ignore_conflicts=True)
    Task.objects.filter(org=org, action_id=action.id, kind=Task.Kind.APPROVAL, status=Task.Status.OPEN).update(
        status=Task.Status.DONE, done_on=today, outcome="Validée")
    label = STEP_LABELS_FR.get(action.step, action.step)
    if action.status == Action.Status.TASK:
        task_create(org=org, kind=Task.Kind.LITIGATION, title=f"Contentieux : {action.customer.name}", due=today,
                    customer=action.customer, action_id=action.id,
                    body=f"Montant : {format_eur(action.amount_due, action.currency)}. Préparer le dossier (injonction de "
                         f"payer ou procédure simplifiée).")
    event_record(org=org, type="action_approved", day=today, customer=action.customer, actor=actor,
                 message=f"{label.capitalize()} validée.", data={"action_id": action.id})


def action_cancel(*, org: Organisation, action: Action, today: date, actor: Any = None) -> Action:
    _own(org, action, "Action")
    if action.status not in (Action.Status.AWAITING_APPROVAL, Action.Status.QUEUED):
        raise ApplicationError(_("L'action %(id)s ne peut pas être annulée (statut : %(status)s).")
                               % {"id": action.id, "status": action.get_status_display().lower()})
    return _cancel(org, action, today, actor, "annulée par l'équipe")


def _cancel(org: Organisation, action: Action, today: date, actor: Any, why: str) -> Action:
    updated = Action.objects.filter(id=action.id, status__in=[Action.Status.AWAITING_APPROVAL, Action.Status.QUEUED]
                                    ).update(status=Action.Status.CANCELLED, updated_at=timezone.now())
    action.refresh_from_db()
    if updated:
        Task.objects.filter(org=org, action_id=action.id, status=Task.Status.OPEN).update(
            status=Task.Status.CANCELLED, done_on=today, outcome=why)
        event_record(org=org, type="action_cancelled", day=today, customer=action.customer, actor=actor,
                     message=f"{STEP_LABELS_FR.get(action.step, action.step).capitalize()} annulée : {why}.",
                     data={"action_id": action.id})
    return action


# --- Promises, disputes, pauses ----------------------------------------------------------------------


def promise_record(*, org: Organisation, customer: Customer, until: date, today: date,
                   invoices: list[Invoice] | None = None, source: str = "staff", actor: Any = None,
                   note: str = "") -> Promise:
    """Rule 7: a promise to pay by `until` (default: all the customer's overdue invoices)."""
    _own(org, customer, "Client")
    if until < today:
        raise ApplicationError(_("La date promise (%(until)s) est déjà passée (nous sommes le %(today)s).")
                               % {"until": _fr(until), "today": _fr(today)})
    if invoices is None:
        invoices = list(open_invoices(org).filter(customer=customer, due_date__lt=today))
        if not invoices:
            raise ApplicationError(_("%(customer)s n'a aucune facture échue à couvrir par une promesse.")
                                   % {"customer": customer.name})
    for inv in invoices:
        if inv.org_id != org.id or inv.customer_id != customer.id:
            raise ApplicationError(_("La facture %(number)s n'est pas une facture de %(customer)s.")
                                   % {"number": inv.number, "customer": customer.name})
    with transaction.atomic():
        promise = Promise.objects.create(org=org, customer=customer, until=until, recorded_on=today, source=source,
                                         note=note, created_by=actor)
        promise.invoices.set(invoices)
        numbers = ", ".join(i.number for i in invoices)
        event_record(org=org, type="promise_recorded", day=today, customer=customer, actor=actor,
                     message=f"Promesse de paiement au {_fr(until)} : {numbers}.",
                     data={"promise_id": promise.id, "until": until.isoformat(), "source": source})
        task_create(org=org, kind=Task.Kind.PROMISE, title=f"Vérifier le paiement promis par {customer.name}",
                    due=until + timedelta(days=1), customer=customer, data={"promise_id": promise.id},
                    body=f"Paiement promis au plus tard le {_fr(until)} pour {numbers}.")
    return promise


def dispute_open(*, org: Organisation, invoice: Invoice, reason: str, today: date, reason_code: str = "other",
                 source: str = "staff", actor: Any = None) -> Dispute:
    """Rule 8: a disputed invoice gets no step and is left out of messages."""
    _own(org, invoice, "Facture")
    if not reason.strip():
        raise ApplicationError(_("Le motif du litige est obligatoire."))
    if reason_code not in Dispute.Reason.values:
        raise ApplicationError(_("Motif de litige inconnu : %(code)s") % {"code": reason_code})
    if scoped(Dispute, org).filter(invoice=invoice, status=Dispute.Status.OPEN).exists():
        raise ApplicationError(_("La facture %(number)s est déjà en litige.") % {"number": invoice.number})
    with transaction.atomic():
        dispute = Dispute.objects.create(org=org, invoice=invoice, opened_on=today, reason=reason.strip(),
                                         reason_code=reason_code, source=source)
        event_record(org=org, type="dispute_opened", day=today, invoice=invoice, actor=actor,
                     message=f"Litige ouvert sur {invoice.number} : {reason.strip()}",
                     data={"dispute_id": dispute.id, "reason_code": reason_code, "source": source})
        task_create(org=org, kind=Task.Kind.DISPUTE, title=f"Traiter le litige sur {invoice.number}", due=today,
                    customer=invoice.customer, body=reason.strip(), data={"dispute_id": dispute.id})
    return dispute


def dispute_resolve(*, org: Organisation, invoice: Invoice, today: date, resolution: str = "",
                    actor: Any = None) -> Dispute:
    """Rule 8: the ladder resumes from the first business day after the resolution."""
    _own(org, invoice, "Facture")
    dispute = scoped(Dispute, org).filter(invoice=invoice, status=Dispute.Status.OPEN).first()
    if dispute is None:
        raise ApplicationError(_("La facture %(number)s n'a pas de litige ouvert.") % {"number": invoice.number})
    if today < dispute.opened_on:
        raise ApplicationError(_("Le litige a été ouvert le %(opened)s : résolution le %(today)s impossible.")
                               % {"opened": _fr(dispute.opened_on), "today": _fr(today)})
    with transaction.atomic():
        dispute.status, dispute.resolved_on, dispute.resolution = Dispute.Status.RESOLVED, today, resolution
        dispute.save(update_fields=["status", "resolved_on", "resolution"])
        Task.objects.filter(org=org, kind=Task.Kind.DISPUTE, status=Task.Status.OPEN,
                            data__dispute_id=dispute.id).update(status=Task.Status.DONE, done_on=today,
                                                                outcome=resolution or "Résolu")
        event_record(org=org, type="dispute_resolved", day=today, invoice=invoice, actor=actor,
                     message=f"Litige résolu sur {invoice.number}" + (f" : {resolution}" if resolution else "."),
                     data={"dispute_id": dispute.id})
    return dispute


def customer_pause(*, org: Organisation, customer: Customer, reason: str, today: date, actor: Any = None) -> Customer:
    _own(org, customer, "Client")
    if customer.paused:
        raise ApplicationError(_("Les relances de %(customer)s sont déjà suspendues.") % {"customer": customer.name})
    customer.paused, customer.pause_reason = True, reason.strip()
    customer.save(update_fields=["paused", "pause_reason", "updated_at"])
    event_record(org=org, type="customer_paused", day=today, customer=customer, actor=actor,
                 message=f"Relances suspendues : {reason.strip() or 'sans motif'}.")
    return customer


def customer_resume(*, org: Organisation, customer: Customer, today: date, actor: Any = None) -> Customer:
    _own(org, customer, "Client")
    if not customer.paused:
        raise ApplicationError(_("Les relances de %(customer)s ne sont pas suspendues.")
                               % {"customer": customer.name})
    customer.paused, customer.pause_reason = False, ""
    customer.save(update_fields=["paused", "pause_reason", "updated_at"])
    event_record(org=org, type="customer_resumed", day=today, customer=customer, actor=actor,
                 message="Relances reprises.")
    return customer


# --- A reminder chosen by a person and sent now (staff web app) ----------------------------------------

SEND_NOW_CHANNELS = ("email", "sms", "letter", "registered_letter")


@dataclass(frozen=True)
class SendNowPlan:
    """What `action_send_now` would do today; `problem` (French) says why nothing can go, `spacing` why it
    cannot go today (rule 6; it does not hold back a step that waits for approval)."""

    step: planner.Step
    channel: str
    listed: tuple[planner.Invoice, ...]
    amount: Decimal
    currency: str
    promised: frozenset[int]
    awaiting: frozenset[int]
    customer: planner.Customer | None
    problem: str = ""
    spacing: str = ""


def send_now_steps(*, org: Organisation, customer: Customer) -> list[planner.Step]:
    """The customer's plan steps a person may send now: the message steps after the due date."""
    steps = PlanChooser(org).for_customer(customer.id, customer.kind)
    return [s for s in steps if not s.is_pre_due and any(c in planner.MESSAGE_CHANNELS for c in s.channels)]


def send_now_plan(*, org: Organisation, customer: Customer, step: str, channel: str, today: date) -> SendNowPlan:
    """The customer's open, overdue invoices that are neither disputed nor promised (rules 5, 7, 8, 9), and
    the checks of rules 6, 10 and 11 and of rule 13 (one action per customer, step, channel and day)."""
    _own(org, customer, "Client")
    chosen = next((s for s in send_now_steps(org=org, customer=customer) if s.code == step), None)
    if chosen is None:
        raise ApplicationError(_("L'étape « %(step)s » ne peut pas être envoyée à %(customer)s.")
                               % {"step": step, "customer": customer.name})
    if channel not in SEND_NOW_CHANNELS:
        raise ApplicationError(_("Canal inconnu : %(channel)s") % {"channel": channel})
    s = org_settings(org)
    state = next(day_state_batches(org=org, today=today, customer_ids=[customer.id]), None) or DayState()
    promised = frozenset(i for p in state.promises if planner.promise_blocks(p, today, s) for i in p.invoice_ids)
    overdue = [i for i in state.invoices if i.payable and i.due_date < today]
    listed = tuple(i for i in overdue if not i.disputed and i.id not in promised
                   and (i.limitation_on is None or today < i.limitation_on))
    amount = sum((i.outstanding for i in listed), Decimal("0.00"))
    pc = next((c for c in state.customers if c.id == customer.id), None)
    plan = SendNowPlan(chosen, channel, listed, amount, state.info(listed[0].id).currency if listed else "EUR",
                       promised, frozenset(i for a in state.pending for i in a.invoice_ids), pc)
    return _send_now_checks(org, customer, plan, bool(overdue), s, today)


def _send_now_checks(org: Organisation, customer: Customer, plan: SendNowPlan, any_overdue: bool,
                     s: planner.Settings, today: date) -> SendNowPlan:
    pc, channel = plan.customer, plan.channel
    who = {"customer": customer.name}
    if not any_overdue:
        problem = _("%(customer)s n'a aucune facture échue : rien à relancer.") % who
    elif not plan.listed:
        problem = _("Les factures échues de %(customer)s sont en litige ou couvertes par une promesse de "
                    "paiement : aucune relance possible.") % who
    elif plan.amount < s.min_amount:
        problem = (_("Le total à relancer (%(total)s) est sous le montant minimum de relance (%(minimum)s) : "
                     "rien n'est envoyé.")
                   % {"total": format_eur(plan.amount, plan.currency), "minimum": format_eur(s.min_amount)})
    elif channel == "email" and pc is not None and not pc.has_email:
        problem = _("%(customer)s n'a aucune adresse e-mail utilisable : choisissez le courrier.") % who
    elif channel == "sms" and pc is not None and not pc.has_mobile:
        problem = _("%(customer)s n'a aucun numéro de mobile : pas de SMS possible.") % who
    elif channel in ("letter", "registered_letter") and not customer.address.strip():
        problem = _("%(customer)s n'a pas d'adresse postale : pas de courrier possible.") % who
    elif scoped(Action, org).filter(customer=customer, step=plan.step.code, channel=channel, date=today).exists():
        problem = (_("La %(step)s par %(channel)s a déjà été créée aujourd'hui pour %(customer)s.")
                   % {**who, "step": STEP_LABELS.get(plan.step.code, plan.step.code),
                      "channel": CHANNEL_LABELS[channel]})
    else:
        problem = ""
    spacing = ""
    if pc is not None and not planner.spacing_ok(pc, today, s):
        assert pc.last_contact is not None
        first = next_business_day(pc.last_contact + timedelta(days=s.spacing_days), s.holidays_region)
        spacing = (_("%(customer)s a reçu un message le %(last)s : il faut %(days)s jours d'écart entre deux "
                     "messages. Envoi possible à partir du %(first)s.")
                   % {**who, "last": _fr(pc.last_contact), "days": s.spacing_days, "first": _fr(first)})
    return replace(plan, problem=problem, spacing=spacing)


def action_send_now(*, org: Organisation, customer: Customer, step: str, channel: str, today: date,
                    actor: Any = None, approve: bool = False) -> Action:
    """Send the chosen step to the customer today through the outbox. A step that needs approval waits for
    it (rule 12) unless `approve` (a manager confirms). Listed invoices advance as under rule 5."""
    plan = send_now_plan(org=org, customer=customer, step=step, channel=channel, today=today)
    waits = plan.step.needs_approval and not approve
    if plan.problem or (plan.spacing and not waits):
        raise ApplicationError(plan.problem or plan.spacing)
    assert plan.customer is not None
    marks = [] if waits else planner.advance_on_approval(
        customer=plan.customer, step_code=step, promised=set(plan.promised), today=today,
        invoices=[i for i in plan.listed if i.id not in plan.awaiting])
    with transaction.atomic():
        action = _send_now_action(org, customer, plan, waits, {m.invoice_id for m in marks}, today, actor)
        LadderMark.objects.bulk_create([LadderMark(org=org, customer=customer, invoice_id=m.invoice_id, step=m.step,
                                                   day=m.day, action=action) for m in marks], ignore_conflicts=True)
    if not waits:
        action_deliver(action_id=action.id, today=today)
        action.refresh_from_db()
    return action


def _send_now_action(org: Organisation, customer: Customer, plan: SendNowPlan, waits: bool, advanced: set[int],
                     today: date, actor: Any) -> Action:
    try:
        with transaction.atomic():
            action = Action.objects.create(
                org=org, customer=customer, step=plan.step.code, channel=plan.channel, date=today,
                status=Action.Status.AWAITING_APPROVAL if waits else Action.Status.QUEUED,
                carried_out_on=None if waits else today, amount_due=plan.amount, currency=plan.currency,
                approved_by=actor if plan.step.needs_approval and not waits else None,
                approved_on=today if plan.step.needs_approval and not waits else None, data={"sent_now": True})
    except IntegrityError:
        raise ApplicationError(_("Cette relance a déjà été créée aujourd'hui pour ce client.")) from None
    ActionInvoice.objects.bulk_create(ActionInvoice(action=action, invoice_id=i.id, amount=i.outstanding,
                                                    advanced=i.id in advanced) for i in plan.listed)
    numbers = ", ".join(i.number for i in plan.listed)
    label = STEP_LABELS_FR.get(plan.step.code, plan.step.code)
    if waits:
        task_create(org=org, kind=Task.Kind.APPROVAL, title=f"Valider : {label} pour {customer.name}", due=today,
                    customer=customer, action_id=action.id, body=f"Factures : {numbers}.")
    how = "à valider" if waits else "envoi immédiat"
    event_record(org=org, type="dunning_action", day=today, customer=customer, actor=actor,
                 message=f"{label.capitalize()} par {CHANNEL_LABELS_FR[plan.channel]} demandée par l'équipe ({how}) : "
                         f"{numbers} — {format_eur(plan.amount, plan.currency)}",
                 data={"action_id": action.id, "step": plan.step.code, "channel": plan.channel, "sent_now": True})
    return action
