"""Payment plans ("échéanciers"): set up by the team, evaluated each day within `dunning run`.

One architecture for plans requested on the portal and plans set up on the customer page:

- While a plan is approved and on track, its invoices get no ladder step: `plan_covers` gives the dunning
  selectors one promise-like cover per plan, lasting until the current instalment's due date plus the
  organisation's promise grace days (engine rule 7's calendar days). The planner never reports a plan cover
  as a broken promise: the plan's own evaluation below does that.
- `payment_plans_evaluate` (called by `dunning run` before the day is planned, `today` explicit, idempotent):
  a plan whose instalment is missed is broken once (timeline event, a call task for the account manager,
  and the ladder resumes for its unpaid invoices in that same run); a plan paid in full is completed; an
  instalment due within REMINDER_DAYS_BEFORE days gets one courtesy e-mail through the dunning outbox.
- Where each instalment stands is decided by the pure `portal.schedule.evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.services import event_record, task_create
from relance.core.dates import is_business_day
from relance.core.errors import ApplicationError
from relance.core.money import ZERO, format_eur, money
from relance.dunning import services as dunning
from relance.dunning.models import Action
from relance.dunning.planner import MESSAGE_CHANNELS
from relance.ledger.models import Allocation, Contact, Customer, Dispute, Invoice
from relance.ledger.selectors import invoices_with_outstanding, open_invoices, scoped
from relance.portal import schedule
from relance.portal.models import Instalment, PaymentPlan

REMINDER_STEP = "instalment_reminder"
#: the courtesy e-mail goes on the first possible business day from this many days before the due date
REMINDER_DAYS_BEFORE = 3
APPROVED = PaymentPlan.Status.APPROVED
ENDED = (PaymentPlan.Status.BROKEN, PaymentPlan.Status.COMPLETED, PaymentPlan.Status.CANCELLED)


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Loading the approved plans (a few queries for all of them, never one per invoice) ----------------


@dataclass
class LoadedPlan:
    id: int
    customer_id: int
    started_at: datetime
    instalments: list[schedule.Due] = field(default_factory=list)
    invoice_ids: set[int] = field(default_factory=set)
    payments: list[tuple[date, Decimal]] = field(default_factory=list)

    def state(self, today: date, grace_days: int) -> schedule.PlanState:
        return schedule.evaluate(instalments=self.instalments, payments=self.payments, today=today,
                                 grace_days=grace_days)


def _prefixed(prefix: str, where: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}{key}": value for key, value in where.items()}


def approved_plans(*, org: Organisation, where: dict[str, Any] | None = None) -> list[LoadedPlan]:
    """The approved plans (filtered on PaymentPlan fields by `where`) with instalments, invoices, payments."""
    where = where or {}
    rows = scoped(PaymentPlan, org).filter(status=APPROVED, **where).values_list(
        "id", "customer_id", "started_at", "created_at")
    plans = {pid: LoadedPlan(pid, cid, started or created) for pid, cid, started, created in rows}
    if not plans:
        return []
    for pid, seq, due, amount in Instalment.objects.filter(
            org=org, plan__status=APPROVED, **_prefixed("plan__", where)).values_list(
            "plan_id", "seq", "due_date", "amount"):
        plans[pid].instalments.append(schedule.Due(seq, due, amount))
    through = PaymentPlan.invoices.through
    for pid, inv_id in through.objects.filter(
            paymentplan__org=org, paymentplan__status=APPROVED, **_prefixed("paymentplan__", where)).values_list(
            "paymentplan_id", "invoice_id"):
        plans[pid].invoice_ids.add(inv_id)
    for pid, day, amount, recorded in Allocation.objects.filter(
            org=org, invoice__payment_plans__status=APPROVED,
            **_prefixed("invoice__payment_plans__", where)).values_list("invoice__payment_plans__id", "date",
                                                                        "amount", "created_at"):
        if pid in plans and recorded >= plans[pid].started_at:  # what was paid before is not in the plan
            plans[pid].payments.append((day, amount))
    return [plans[pid] for pid in sorted(plans)]


def plan_covers(*, org: Organisation, today: date, lo: int, hi: int,
                only: list[int] | None = None) -> list[tuple[int, int, frozenset[int], date]]:
    """(plan id, customer id, invoice ids, current instalment's due date) of each plan on track on `today`,
    for customers lo ≤ id < hi: what the dunning planner treats like a promise (rule 7, grace included)."""
    where: dict[str, Any] = {"customer_id__gte": lo, "customer_id__lt": hi}
    if only is not None:
        where["customer_id__in"] = only
    covers = []
    for lp in approved_plans(org=org, where=where):
        state = lp.state(today, org.promise_grace_days)
        if state.on_track and state.current is not None:
            covers.append((lp.id, lp.customer_id, frozenset(lp.invoice_ids), state.current.due_date))
    return covers


# --- Setting up, approving, cancelling -------------------------------------------------------------


def plannable_invoices(*, org: Organisation, customer: Customer) -> list[Invoice]:
    """What a plan may cover: the customer's open invoices that are neither disputed nor in an active plan."""
    disputed = scoped(Dispute, org).filter(status=Dispute.Status.OPEN).values("invoice_id")
    return list(open_invoices(org).filter(customer=customer).exclude(pk__in=disputed)
                .exclude(payment_plans__status=APPROVED).order_by("due_date", "number"))


def _refuse_second_plan(org: Organisation, customer: Customer) -> None:
    if scoped(PaymentPlan, org).filter(customer=customer, status=APPROVED).exists():
        raise ApplicationError(_("%(customer)s a déjà un échéancier en cours : annulez-le d'abord.")
                               % {"customer": customer.name})


@transaction.atomic
def payment_plan_create(*, org: Organisation, customer: Customer, invoices: Sequence[Invoice],
                        instalments: Sequence[tuple[date, Decimal]], today: date, actor: Any = None,
                        note: str = "") -> PaymentPlan:
    """The team agrees a plan: chosen invoices, instalments with their own dates and amounts summing exactly to
    what those invoices still owe. From today their ladder waits while the plan is kept."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client introuvable."))
    _refuse_second_plan(org, customer)
    if not invoices:
        raise ApplicationError(_("Choisissez au moins une facture."))
    allowed = {i.pk: i for i in plannable_invoices(org=org, customer=customer)}
    for inv in invoices:
        if inv.pk not in allowed:
            raise ApplicationError(_("La facture %(number)s ne peut pas entrer dans l'échéancier (réglée, en "
                                     "litige, d'un autre client ou déjà dans un échéancier).") % {"number": inv.number})
    chosen = list({i.pk: allowed[i.pk] for i in invoices}.values())  # an invoice named twice counts once
    total = money(sum((i.outstanding for i in chosen), ZERO))  # type: ignore[attr-defined]
    if problems := schedule.schedule_problems(instalments, total=total, today=today):
        raise ApplicationError(" ".join(problems), extra={"problems": problems})
    plan = _plan_save(org, customer, chosen, instalments, total, today, actor, note)
    numbers = ", ".join(i.number for i in chosen)
    lines = "; ".join(f"{format_eur(a)} le {_fr(d)}" for d, a in instalments)
    event_record(org=org, customer=customer, type="payment_plan_created", day=today, actor=actor,
                 message=f"Échéancier mis en place : {len(instalments)} échéance(s) pour {format_eur(total)} "
                         f"({lines}) ; factures {numbers} : relances suspendues tant qu'il est respecté.",
                 data={"plan_id": plan.pk, "invoices": [i.pk for i in chosen]})
    return plan


def _plan_save(org: Organisation, customer: Customer, invoices: list[Invoice],
               instalments: Sequence[tuple[date, Decimal]], total: Decimal, today: date, actor: Any,
               note: str) -> PaymentPlan:
    try:
        with transaction.atomic():
            plan = PaymentPlan.objects.create(
                org=org, customer=customer, instalments_requested=len(instalments), first_date=instalments[0][0],
                total=total, status=APPROVED, requested_on=today, decided_on=today, decided_by=actor,
                decision_note=note, source=PaymentPlan.Source.STAFF, created_by=actor, started_at=timezone.now())
    except IntegrityError:  # another person set one up at the same moment
        raise ApplicationError(_("%(customer)s a déjà un échéancier en cours.") % {"customer": customer.name}) from None
    plan.invoices.set(invoices)
    Instalment.objects.bulk_create(Instalment(org=org, plan=plan, seq=n, due_date=d, amount=a)
                                   for n, (d, a) in enumerate(instalments, start=1))
    return plan


def plan_approve_schedule(*, org: Organisation, plan: PaymentPlan, count: int, first: date,
                          today: date) -> list[tuple[date, Decimal]]:
    """A portal request becomes an approved plan: monthly instalments over what its invoices still owe."""
    _refuse_second_plan(org, plan.customer)
    invoices = list(open_invoices(org).filter(pk__in=plan.invoices.values("pk")))
    total = money(sum((i.outstanding for i in invoices), ZERO))  # type: ignore[attr-defined]
    if total <= 0:
        raise ApplicationError(_("Les factures de cette demande sont déjà réglées."))
    instalments = schedule.split(total=total, count=count, first_date=first)
    Instalment.objects.bulk_create(Instalment(org=org, plan=plan, seq=n, due_date=d, amount=a)
                                   for n, (d, a) in enumerate(instalments, start=1))
    plan.total, plan.started_at = total, timezone.now()
    return instalments


@transaction.atomic
def payment_plan_cancel(*, org: Organisation, plan: PaymentPlan, today: date, actor: Any = None,
                        reason: str = "") -> PaymentPlan:
    """The team ends a plan: its invoices are back on the ladder from today's run."""
    if plan.org_id != org.id:
        raise ApplicationError(_("Échéancier introuvable."))
    if not PaymentPlan.objects.filter(pk=plan.pk, status=APPROVED).update(
            status=PaymentPlan.Status.CANCELLED, ended_on=today):
        plan.refresh_from_db()
        raise ApplicationError(_("Cet échéancier n'est pas en cours (statut : %(status)s).")
                               % {"status": plan.get_status_display().lower()})
    plan.refresh_from_db()
    event_record(org=org, customer=plan.customer, type="payment_plan_cancelled", day=today, actor=actor,
                 message="Échéancier annulé : la relance reprend pour ses factures impayées."
                         + (f" Motif : {reason}" if reason else ""), data={"plan_id": plan.pk})
    return plan


# --- The daily evaluation ----------------------------------------------------------------------------


@dataclass
class Evaluation:
    """What the day's evaluation did (or, dry, would do), in `dunning run --json` terms."""

    events: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)  # dry run only (a real run lists by id)
    action_ids: list[int] = field(default_factory=list)


@dataclass
class _Day:
    org: Organisation
    today: date
    dry_run: bool
    customers: dict[int, Customer]
    open_left: dict[int, Decimal]  # plan invoices still owing something → outstanding
    numbers: dict[int, str]
    reminders: dict[int, int]  # plan id → seq of the instalment already reminded (latest)
    out: Evaluation

    @cached_property
    def business(self) -> bool:
        return is_business_day(self.today, self.org.holidays_region)


def payment_plans_evaluate(*, org: Organisation, today: date, dry_run: bool = False) -> Evaluation:
    """Break, complete or remind each approved plan on `today`; running a day twice changes nothing."""
    out = Evaluation()
    loaded = approved_plans(org=org)
    if not loaded:
        return out
    grace = org.promise_grace_days
    plan_invoices = invoices_with_outstanding(org).filter(payment_plans__status=APPROVED).distinct()
    rows = plan_invoices.values_list("pk", "number", "outstanding", "status")  # type: ignore[misc]
    day = _Day(org, today, dry_run,
               customers=Customer.objects.filter(org=org).select_related("account_manager").in_bulk(
                   {lp.customer_id for lp in loaded}),
               open_left={pk: o for pk, _, o, status in rows if status == Invoice.Status.OPEN and o > 0},
               numbers={pk: number for pk, number, _, _ in rows},
               reminders=dict(Instalment.objects.filter(org=org, plan__status=APPROVED, reminded_on__isnull=False)
                              .values("plan_id").annotate(s=Max("seq")).values_list("plan_id", "s")),
               out=out)
    due_reminders: list[tuple[LoadedPlan, schedule.InstalmentState]] = []
    for lp in loaded:
        state = lp.state(today, grace)
        left = sorted(i for i in lp.invoice_ids if i in day.open_left)
        if state.completed or not left:
            _complete(day, lp, left)
        elif (missed := state.missed) is not None:
            _break(day, lp, missed, left)
        elif (inst := _reminder_due(day, lp, state)) is not None:
            due_reminders.append((lp, inst))
    if due_reminders:
        _remind(day, due_reminders)
    return out


def _event(day: _Day, lp: LoadedPlan, type_: str, invoice_ids: Sequence[int]) -> None:
    day.out.events.append({"customer": day.customers[lp.customer_id].ref, "type": type_,
                           "invoices": sorted(day.numbers[i] for i in invoice_ids if i in day.numbers)})


def _end(lp: LoadedPlan, status: str, today: date, missed_seq: int | None = None) -> bool:
    """Compare-and-set: only the run that moves the plan out of "approved" records its end."""
    return PaymentPlan.objects.filter(pk=lp.id, status=APPROVED).update(
        status=status, ended_on=today, missed_seq=missed_seq) == 1


def _complete(day: _Day, lp: LoadedPlan, left: list[int]) -> None:
    _event(day, lp, "payment_plan_completed", sorted(lp.invoice_ids))
    if day.dry_run:
        return
    with transaction.atomic():
        if _end(lp, PaymentPlan.Status.COMPLETED, day.today):
            event_record(org=day.org, customer=day.customers[lp.customer_id], type="payment_plan_completed",
                         day=day.today, message="Échéancier soldé : plus rien n'est dû sur ses factures.",
                         data={"plan_id": lp.id})


def _break(day: _Day, lp: LoadedPlan, missed: schedule.InstalmentState, left: list[int]) -> None:
    _event(day, lp, "payment_plan_broken", left)
    if day.dry_run:
        return
    customer = day.customers[lp.customer_id]
    numbers = ", ".join(day.numbers[i] for i in left)
    what = (f"échéance n°{missed.seq} du {_fr(missed.due_date)} ({format_eur(missed.amount)}) impayée, "
            f"reste {format_eur(missed.remaining)}")
    with transaction.atomic():
        if not _end(lp, PaymentPlan.Status.BROKEN, day.today, missed.seq):
            return
        event_record(org=day.org, customer=customer, type="payment_plan_broken", day=day.today,
                     message=f"Échéancier non respecté : {what} ; la relance reprend ({numbers}).",
                     data={"plan_id": lp.id, "seq": missed.seq, "invoices": left})
        task_create(org=day.org, kind=Task.Kind.CALL, title=f"Appeler {customer.name} : échéancier non respecté",
                    due=day.today, customer=customer, data={"plan_id": lp.id, "seq": missed.seq},
                    body=f"{what.capitalize()}. Factures : {numbers}. La relance a repris ; convenir d'un "
                         f"règlement ou d'un nouvel échéancier.")


def _reminder_due(day: _Day, lp: LoadedPlan, state: schedule.PlanState) -> schedule.InstalmentState | None:
    """The unpaid instalment whose courtesy e-mail goes today, if any (once per instalment)."""
    if not day.business:
        return None
    customer = day.customers[lp.customer_id]
    if customer.paused or customer.manual_mode:
        return None
    done = day.reminders.get(lp.id, 0)
    for inst in state.instalments:
        if inst.status == schedule.PAID or inst.seq <= done:
            continue
        if inst.due_date - timedelta(days=REMINDER_DAYS_BEFORE) <= day.today <= inst.due_date:
            return inst
    return None


def _remind(day: _Day, due: list[tuple[LoadedPlan, schedule.InstalmentState]]) -> None:
    """One courtesy e-mail per instalment, by the outbox, if the customer has a usable address (no fallback,
    like pre_due) and the contact spacing allows it (rule 6: it is a message; it waits within its window)."""
    org, today = day.org, day.today
    ids = {lp.customer_id for lp, _ in due}
    last = dict(scoped(Action, org).filter(
        customer_id__in=ids, channel__in=MESSAGE_CHANNELS, status__in=dunning.CONTACT_STATUSES,
        carried_out_on__lte=today).values("customer_id").annotate(d=Max("carried_out_on")).values_list(
        "customer_id", "d"))
    emails = _with_email(org, ids)
    for lp, inst in due:
        previous = last.get(lp.customer_id)
        if lp.customer_id not in emails or (previous is not None
                                            and (today - previous).days < org.contact_spacing_days):
            continue
        left = {i: day.open_left[i] for i in sorted(lp.invoice_ids) if i in day.open_left}
        amount = money(sum(left.values(), ZERO))
        data = {"plan_id": lp.id, "instalment": {"seq": inst.seq, "due_date": inst.due_date.isoformat(),
                                                 "amount": str(inst.amount), "remaining": str(inst.remaining)}}
        if day.dry_run:
            day.out.actions.append({"id": None, "customer": day.customers[lp.customer_id].ref,
                                    "step": REMINDER_STEP, "channel": "email", "status": "queued",
                                    "invoices": [day.numbers[i] for i in left], "amount_due": f"{amount:.2f}",
                                    "currency": "EUR"})
            continue
        with transaction.atomic():
            action = dunning.courtesy_action_queue(
                org=org, customer=day.customers[lp.customer_id], step=REMINDER_STEP, channel="email",
                invoices=left, today=today, data=data,
                message=f"Rappel de l'échéance n°{inst.seq} de l'échéancier ({format_eur(inst.remaining)} au "
                        f"{_fr(inst.due_date)}) par e-mail")
            Instalment.objects.filter(plan_id=lp.id, seq=inst.seq, reminded_on__isnull=True).update(
                reminded_on=today, reminder_action_id=action.pk if action else None)
        if action is not None:
            day.out.action_ids.append(action.pk)


def _with_email(org: Organisation, customer_ids: set[int]) -> set[int]:
    found = set()
    for cid, refused in scoped(Contact, org).filter(customer_id__in=customer_ids, email_invalid=False).exclude(
            email="").values_list("customer_id", "refused_channels"):
        if "email" not in (refused or []):
            found.add(cid)
    return found


# --- Reads for the customer page ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    plan: PaymentPlan
    state: schedule.PlanState
    invoices: list[Invoice]
    reminded: dict[int, date]
    grace_days: int

    @property
    def active(self) -> bool:
        return self.plan.status == APPROVED

    @property
    def rows(self) -> list[tuple[schedule.InstalmentState, date | None]]:
        return [(i, self.reminded.get(i.seq)) for i in self.state.instalments]


def customer_plan(*, org: Organisation, customer: Customer, today: date,
                  plans: list[PaymentPlan] | None = None) -> PlanView | None:
    """The customer's current plan (else the last one that ended), with where each instalment stands."""
    if plans is None:
        plans = _customer_plans(org, customer)
    ended = sorted((p for p in plans if p.status in ENDED), key=lambda p: (p.ended_on or date.min, p.pk))
    plan = next((p for p in plans if p.status == APPROVED), None) or (ended[-1] if ended else None)
    if plan is None:
        return None
    instalments = list(plan.instalments.all())
    invoices = list(invoices_with_outstanding(org).filter(payment_plans=plan).order_by("due_date", "number"))
    payments = list(scoped(Allocation, org).filter(invoice__in=[i.pk for i in invoices],
                                                   created_at__gte=plan.started_at or plan.created_at)
                    .values_list("date", "amount"))
    when = min(today, plan.ended_on) if plan.ended_on and plan.status != APPROVED else today
    state = schedule.evaluate(instalments=[schedule.Due(i.seq, i.due_date, i.amount) for i in instalments],
                              payments=payments, today=when, grace_days=org.promise_grace_days)
    reminded = {i.seq: i.reminded_on for i in instalments if i.reminded_on}
    return PlanView(plan, state, invoices, reminded, org.promise_grace_days)


def _customer_plans(org: Organisation, customer: Customer) -> list[PaymentPlan]:
    return list(scoped(PaymentPlan, org).filter(customer=customer).select_related("decided_by").order_by("-pk"))


def customer_plan_panel(*, org: Organisation, customer: Customer, today: date) -> dict[str, Any]:
    """The customer page's section: the plan (one query when the customer never had one) and a pending
    request from the portal."""
    plans = _customer_plans(org, customer)
    return {"view": customer_plan(org=org, customer=customer, today=today, plans=plans),
            "pending": next((p for p in plans if p.status == PaymentPlan.Status.REQUESTED), None)}


def plan_get(*, org: Organisation, pk: int, customer: Customer | None = None) -> PaymentPlan:
    plans = scoped(PaymentPlan, org).select_related("customer")
    plan = (plans if customer is None else plans.filter(customer=customer)).filter(pk=pk).first()
    if plan is None:
        raise ApplicationError(_("Échéancier introuvable."))
    return plan


@dataclass(frozen=True, slots=True)
class InstalmentDue:
    """An unpaid instalment of a plan in progress falling due soon (the Today list)."""

    customer: Customer
    plan_id: int
    seq: int
    count: int
    due_date: date
    remaining: Decimal
    status: str

    @property
    def label(self) -> str:
        return schedule.STATUS_LABELS[self.status]


def instalments_falling_due(*, org: Organisation, today: date, days: int = 7,
                            customer_ids: set[int] | None = None) -> list[InstalmentDue]:
    """Unpaid instalments of plans in progress due between today and `days` days from now (late ones within
    their grace days too), soonest first; a few queries whatever the number of plans."""
    window = Instalment.objects.filter(org=org, plan__status=APPROVED, due_date__lte=today + timedelta(days=days),
                                       due_date__gte=today - timedelta(days=org.promise_grace_days))
    if customer_ids is not None:
        window = window.filter(plan__customer_id__in=customer_ids)
    plan_ids = set(window.values_list("plan_id", flat=True))
    if not plan_ids:
        return []
    loaded = approved_plans(org=org, where={"id__in": plan_ids})
    customers = Customer.objects.filter(org=org).in_bulk({lp.customer_id for lp in loaded})
    due: list[InstalmentDue] = []
    for lp in loaded:
        state = lp.state(today, org.promise_grace_days)
        if not state.on_track:
            continue  # completed, or broken by the day's run (its call task is on the list already)
        for inst in state.instalments:
            if inst.status != schedule.PAID and inst.due_date <= today + timedelta(days=days):
                due.append(InstalmentDue(customers[lp.customer_id], lp.id, inst.seq, len(state.instalments),
                                         inst.due_date, inst.remaining, inst.status))
    return sorted(due, key=lambda d: (d.due_date, d.customer.name, d.seq))


# --- Reads for the command line ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """One plan as `relance plan list` shows it, with where its instalments stand on the day."""

    plan: PaymentPlan
    invoice_numbers: list[str]
    state: schedule.PlanState | None  # None for a portal request not granted (no instalments)

    @property
    def total(self) -> Decimal:
        return self.plan.total if self.state is None else self.state.total

    @property
    def paid(self) -> Decimal:
        return ZERO if self.state is None else self.state.paid

    @property
    def remaining(self) -> Decimal:
        return max(money(self.total - self.paid), ZERO)

    @property
    def count(self) -> int:
        return self.plan.instalments_requested if self.state is None else len(self.state.instalments)

    @property
    def paid_count(self) -> int:
        return 0 if self.state is None else sum(i.status == schedule.PAID for i in self.state.instalments)

    @property
    def next_due(self) -> schedule.InstalmentState | None:
        """The instalment a plan in progress waits for (none once it has ended)."""
        return self.state.current if self.state is not None and self.plan.status == APPROVED else None


def plan_list(*, org: Organisation, today: date, customer: Customer | None = None) -> list[PlanRow]:
    """Every plan of the organisation (or of one customer), by customer reference then age, each evaluated
    like the customer page does (an ended plan on its last day): four queries whatever their number."""
    qs = scoped(PaymentPlan, org).select_related("customer")
    if customer is not None:
        qs = qs.filter(customer=customer)
    plans = list(qs.order_by("customer__ref", "pk"))
    if not plans:
        return []
    ids = qs.values("pk")
    dues: dict[int, list[schedule.Due]] = {p.pk: [] for p in plans}
    for pid, seq, due, amount in Instalment.objects.filter(org=org, plan__in=ids).values_list(
            "plan_id", "seq", "due_date", "amount"):
        dues[pid].append(schedule.Due(seq, due, amount))
    links = PaymentPlan.invoices.through.objects.filter(paymentplan__in=ids)
    numbers: dict[int, list[tuple[str, int]]] = {p.pk: [] for p in plans}
    for pid, inv_id, number in links.values_list("paymentplan_id", "invoice_id", "invoice__number"):
        numbers[pid].append((number, inv_id))
    paid: dict[int, list[tuple[date, Decimal, datetime]]] = {}
    for inv_id, day, amount, recorded in scoped(Allocation, org).filter(
            invoice__in=links.values("invoice_id")).values_list("invoice_id", "date", "amount", "created_at"):
        paid.setdefault(inv_id, []).append((day, amount, recorded))
    return [_plan_row(org, p, dues[p.pk], sorted(numbers[p.pk]), paid, today) for p in plans]


def _plan_row(org: Organisation, plan: PaymentPlan, dues: list[schedule.Due], invoices: list[tuple[str, int]],
              paid: dict[int, list[tuple[date, Decimal, datetime]]], today: date) -> PlanRow:
    if not dues:
        return PlanRow(plan, [n for n, _ in invoices], None)
    start = plan.started_at or plan.created_at  # what was paid before is not in the plan
    payments = [(day, amount) for _, inv_id in invoices for day, amount, recorded in paid.get(inv_id, [])
                if recorded >= start]
    when = min(today, plan.ended_on) if plan.ended_on and plan.status != APPROVED else today
    state = schedule.evaluate(instalments=dues, payments=payments, today=when, grace_days=org.promise_grace_days)
    return PlanRow(plan, [n for n, _ in invoices], state)
