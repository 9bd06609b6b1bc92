"""The dunning ladder: DESIGN.md's fourteen rules as one pure function over plain data.

(The many small records below are plain, not frozen, slotted dataclasses: a busy day builds millions of
them and a frozen dataclass's __init__ is several times slower. Nothing here mutates them.)

No ORM here. `plan_day(...)` takes what the database says about a day (invoices with their ladder
marks, customers, promises, pending approvals, settings) and returns what should happen on that day;
`explain(...)` says in French why one invoice gets, or does not get, a step. The services load and
persist; this module decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter

from relance.core.dates import NATIONAL, is_business_day
from relance.core.money import format_eur

ANCHOR_DUE = "due_date"
PRE_DUE = "pre_due"
CALL = "call"

#: Outgoing messages: contacts for the spacing rule (rule 6).
MESSAGE_CHANNELS = frozenset({"email", "sms", "letter", "registered_letter"})
#: Work for people: not contacts (rules 6 and 14).
TASK_CHANNELS = frozenset({"phone", "task"})

SEND, AWAITING_APPROVAL, TASK = "send", "awaiting_approval", "task"
CONTACT_TASK_STEP = "complete_contact"


# --- Inputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    """Organisation settings with DESIGN.md's defaults."""

    min_amount: Decimal = Decimal("10.00")  # rule 10
    spacing_days: int = 3  # rule 6
    holidays_region: str = NATIONAL  # rule 1
    promise_grace_days: int = 2  # rule 7
    limitation_warning_days: int = 90


@dataclass(frozen=True, slots=True)
class Step:
    code: str
    order: int
    anchor: str  # ANCHOR_DUE or the code of an earlier step
    days: int  # may be negative (pre_due)
    channels: tuple[str, ...]
    needs_approval: bool = False
    #: rule 4 applies to steps triggered before the due date (pre_due in the standard plan)
    is_pre_due: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_pre_due",
                           self.code == PRE_DUE or (self.anchor == ANCHOR_DUE and self.days < 0))

    @property
    def anchor_label(self) -> str:
        return "l'échéance" if self.anchor == ANCHOR_DUE else f"l'étape « {self.anchor} »"


STANDARD_PLAN: tuple[Step, ...] = (
    Step(PRE_DUE, 10, ANCHOR_DUE, -3, ("email",)),
    Step("reminder_1", 20, ANCHOR_DUE, 7, ("email",)),
    Step("reminder_2", 30, "reminder_1", 14, ("email", "sms")),
    Step(CALL, 40, "reminder_2", 7, ("phone",)),
    Step("reminder_3", 50, "reminder_2", 30, ("letter",)),
    Step("formal_notice", 60, "reminder_3", 15, ("registered_letter",), needs_approval=True),
    Step("litigation", 70, "formal_notice", 15, ("task",), needs_approval=True),
)


@dataclass(slots=True)
class Mark:
    """A step carried out (or skipped) for one invoice on one day."""

    day: date
    skipped: bool = False


@dataclass(slots=True)
class Customer:
    id: int
    ref: str = ""
    kind: str = "b2b"
    manual: bool = False  # manual mode or paused
    has_email: bool = True
    has_mobile: bool = True
    last_contact: date | None = None  # day of the last outgoing message (rule 6)
    steps: tuple[Step, ...] = STANDARD_PLAN


@dataclass(slots=True)  # not frozen: a million of them are built on a busy day, plain __init__ is faster
class Invoice:
    id: int
    customer_id: int
    due_date: date
    outstanding: Decimal
    number: str = ""
    open: bool = True  # status open and not cancelled
    marks: dict[str, Mark] = field(default_factory=dict)
    disputed: bool = False
    dispute_resolved_on: date | None = None
    limitation_on: date | None = None
    limitation_recorded: bool = False

    @property
    def payable(self) -> bool:
        return self.open and self.outstanding > 0


@dataclass(frozen=True, slots=True)
class Promise:
    id: int
    customer_id: int
    invoice_ids: frozenset[int]
    until: date
    active: bool = True
    #: a payment plan on track (portal/plans.py): covers like a promise until its current instalment (plus
    #: grace); its own evaluation, not this planner, records when it is broken
    plan: bool = False


@dataclass(frozen=True, slots=True)
class PendingApproval:
    action_id: int
    customer_id: int
    step: str
    invoice_ids: frozenset[int]


# --- Outputs -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class PlannedAction:
    customer_id: int
    step: str
    channel: str
    status: str  # SEND, AWAITING_APPROVAL or TASK
    listed: tuple[int, ...]
    advanced: tuple[int, ...]
    amount: Decimal
    fallback: bool = False  # a letter standing in for an e-mail (rule 11)

    @property
    def is_contact(self) -> bool:
        return self.channel in MESSAGE_CHANNELS


@dataclass(slots=True)
class PlannedEvent:
    customer_id: int
    type: str  # promise_broken, promise_kept, limitation_reached
    invoice_ids: tuple[int, ...]
    ref_id: int | None = None  # the promise concerned


@dataclass(slots=True)
class PlannedMark:
    invoice_id: int
    step: str
    day: date
    skipped: bool = False


@dataclass
class DayPlan:
    actions: list[PlannedAction] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)
    cancellations: list[int] = field(default_factory=list)  # pending approvals to cancel (rule 9)
    warnings: list[str] = field(default_factory=list)
    #: why each invoice got, or did not get, a step (kept for explain, not on a busy day's run)
    reasons: dict[int, Reason] = field(default_factory=dict)
    keep_reasons: bool = False
    #: the ladder marks as groups (invoice ids, each invoice's next step, day, skipped), turned into
    #: PlannedMarks only when read: the real run reads them, a dry run (which writes nothing) does not
    mark_groups: list[tuple[tuple[int, ...], dict[int, Step | None], date, bool]] = field(
        default_factory=list, repr=False)

    @property
    def marks(self) -> list[PlannedMark]:
        return [m for ids, nxt, day, skipped in self.mark_groups for m in _marks(ids, nxt, day, skipped=skipped)]


@dataclass(slots=True)
class Reason:
    """Why an invoice gets, or does not get, a step; the French text is formatted only when asked for."""

    rule: int
    template: str
    args: tuple[object, ...] = ()
    step: str | None = None

    @property
    def text(self) -> str:
        return self.template.format(*self.args)


# --- The rules ---------------------------------------------------------------------------------------


def step_for_code(steps: Sequence[Step], code: str) -> Step | None:
    return next((s for s in steps if s.code == code), None)


def trigger_date(inv: Invoice, step: Step, steps: Sequence[Step]) -> date:
    """Rule 2: anchor date plus days; the anchor is the due date or the day an earlier step was carried out.

    A step that was skipped, never carried out, anchors its followers on its own trigger date.
    """
    if step.anchor == ANCHOR_DUE:
        return inv.due_date + timedelta(days=step.days)
    mark = inv.marks.get(step.anchor)
    if mark is not None and not mark.skipped:
        return mark.day + timedelta(days=step.days)
    anchor = step_for_code(steps, step.anchor)
    base = trigger_date(inv, anchor, steps) if anchor is not None else inv.due_date
    return base + timedelta(days=step.days)


def next_step(inv: Invoice, steps: Sequence[Step], today: date) -> Step | None:
    """The first step neither carried out nor skipped; rule 4 skips pre_due for good once D ≥ due date."""
    marks = inv.marks
    for step in steps:
        if marks and step.code in marks:
            continue
        if step.is_pre_due and today >= inv.due_date:
            continue
        return step
    return None


def earliest_offset(steps: Sequence[Step]) -> int:
    """The fewest days after its due date on which an invoice WITHOUT ladder marks can matter on a day.

    For loading less (the planner itself never relies on it): such an invoice is listed only once overdue
    (rule 5: due date + 1), and without marks each step triggers on its anchor's trigger plus its days
    (rule 2), down to the due date.
    """
    by_code = {s.code: s for s in steps}

    def offset(step: Step, seen: frozenset[str]) -> int:
        anchor = by_code.get(step.anchor)
        if step.anchor == ANCHOR_DUE or anchor is None or step.anchor in seen:
            return step.days
        return offset(anchor, seen | {step.code}) + step.days

    return min([1, *(offset(s, frozenset()) for s in steps)])


def promise_blocks(promise: Promise, today: date, s: Settings) -> bool:
    """Rule 7: no step through P + grace days."""
    return promise.active and today <= promise.until + timedelta(days=s.promise_grace_days)


def _f(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def decide(inv: Invoice, customer: Customer, today: date, s: Settings, *, promised: bool, awaiting: bool,
           business: bool | None = None, step: Step | None | bool = False) -> Reason:
    """Rule 3 for one invoice: the step due on `today`, or why there is none.

    `step` may carry the invoice's next step when the caller has already worked it out.
    """
    if not inv.open:
        return Reason(9, "la facture n'est pas ouverte (payée ou annulée) : plus aucune relance.")
    if inv.outstanding <= 0:
        return Reason(9, "la facture est entièrement réglée : plus aucune relance.")
    if customer.manual:
        return Reason(3, "le client est en mode manuel ou ses relances sont suspendues.")
    if inv.limitation_on is not None and today >= inv.limitation_on:
        return Reason(3, "la créance est prescrite depuis le {0:%d/%m/%Y} : la relance s'arrête.", (inv.limitation_on,))
    if inv.disputed:
        return Reason(8, "la facture est en litige : ni étape ni mention dans les messages.")
    if promised:
        return Reason(7, "une promesse de paiement couvre la facture (délai de grâce compris).")
    if awaiting:
        return Reason(12, "une étape attend une validation : le reste de la relance de cette facture attend.")
    if not (is_business_day(today, s.holidays_region) if business is None else business):
        return Reason(1, "le {0:%d/%m/%Y} n'est pas un jour ouvré.", (today,))
    if inv.marks and any(m.day == today for m in inv.marks.values()):
        return Reason(13, "une étape a déjà été effectuée aujourd'hui pour cette facture.")
    nxt = next_step(inv, customer.steps, today) if step is False else step
    if nxt is None:
        return Reason(3, "toutes les étapes de la relance ont été effectuées.")
    return _decide_step(inv, customer, nxt, today)  # type: ignore[arg-type]


WHEN = "déclenchement le {1:%d/%m/%Y} ({0.anchor_label} {0.days:+d} j)"


def _decide_step(inv: Invoice, customer: Customer, step: Step, today: date) -> Reason:
    trigger = trigger_date(inv, step, customer.steps)
    if today < trigger:
        return Reason(3, "prochaine étape « {0.code} » : " + WHEN + ", pas encore atteint.", (step, trigger))
    if inv.dispute_resolved_on is not None and today <= inv.dispute_resolved_on:
        return Reason(8, "litige résolu le {0:%d/%m/%Y} : reprise le jour ouvré suivant.", (inv.dispute_resolved_on,))
    if step.is_pre_due and not customer.has_email:
        return Reason(11, "étape « {0} » sans adresse e-mail : sautée (pas de repli).", (step.code,))
    return Reason(3, "étape « {0.code} » due : " + WHEN + ".", (step, trigger), step=step.code)


def channels_for(step: Step, customer: Customer) -> tuple[tuple[str, ...], bool]:
    """Rule 11: e-mail falls back to letter (and a contact task); SMS without a mobile is dropped."""
    out: list[str] = []
    fallback = False
    for channel in step.channels:
        if channel == "email" and not customer.has_email:
            if step.is_pre_due:
                continue
            channel, fallback = "letter", True
        if channel == "sms" and not customer.has_mobile:
            continue
        if channel not in out:
            out.append(channel)
    return tuple(out), fallback


def spacing_ok(customer: Customer, today: date, s: Settings) -> bool:
    """Rule 6: at least `spacing_days` calendar days since the previous outgoing message."""
    return customer.last_contact is None or (today - customer.last_contact).days >= s.spacing_days


# --- The day -----------------------------------------------------------------------------------------


def plan_day(*, customers: Iterable[Customer], invoices: Iterable[Invoice], promises: Iterable[Promise] = (),
             pending: Iterable[PendingApproval] = (), settings: Settings = Settings(), today: date,
             keep_reasons: bool = False) -> DayPlan:
    plan = DayPlan(keep_reasons=keep_reasons)
    by_customer: dict[int, list[Invoice]] = defaultdict(list)
    for inv in invoices:
        by_customer[inv.customer_id].append(inv)
    promised = _promises(promises, by_customer, settings, today, plan)
    awaiting = _pending(pending, by_customer, plan)
    business = is_business_day(today, settings.holidays_region)
    memo: Memo | None = None if keep_reasons else {}
    for customer in customers:
        invs = by_customer.get(customer.id)
        if invs:
            plan_customer(customer, invs, promised, awaiting, settings, today, plan, business, memo)
    return plan


#: Rule 3's answer for a "plain" invoice (open, unpaid, undisputed, unpromised, not awaiting, not time-barred)
#: depends only on its due date, its ladder marks, its customer's plan and e-mail, and the day: it is worked
#: out once per (plan, e-mail) and (due date, marks object) and shared. The memo holds the keyed objects,
#: so their ids stay unique while it lives; it lives for one plan_day.
Memo = dict[tuple[int, bool], tuple[tuple[Step, ...], dict[tuple[date, int], tuple[dict[str, Mark], Step | None, Reason]]]]


def _plain(inv: Invoice, today: date, promised: set[int], awaiting: set[int]) -> bool:
    return (inv.open and inv.outstanding > 0 and not inv.disputed and inv.dispute_resolved_on is None
            and (inv.limitation_on is None or today < inv.limitation_on)
            and inv.id not in promised and inv.id not in awaiting)


def _promises(promises: Iterable[Promise], by_customer: dict[int, list[Invoice]], s: Settings, today: date,
              plan: DayPlan) -> set[int]:
    """Rule 7: invoices covered today; a promise past its grace is broken (or kept) once."""
    covered: set[int] = set()
    for p in promises:
        if not p.active:
            continue
        if promise_blocks(p, today, s):
            covered |= p.invoice_ids
            continue
        if p.plan:
            continue
        unpaid = tuple(sorted(i.id for i in by_customer.get(p.customer_id, ()) if i.id in p.invoice_ids
                              and i.payable))
        kind = "promise_broken" if unpaid else "promise_kept"
        plan.events.append(PlannedEvent(p.customer_id, kind, unpaid or tuple(sorted(p.invoice_ids)), p.id))
    return covered


def _pending(pending: Iterable[PendingApproval], by_customer: dict[int, list[Invoice]],
             plan: DayPlan) -> set[int]:
    """Rule 12: the invoices whose ladder waits; rule 9: cancel an approval whose invoices are all paid."""
    waiting: set[int] = set()
    for a in pending:
        invs = [i for i in by_customer.get(a.customer_id, ()) if i.id in a.invoice_ids]
        if not any(i.payable for i in invs):
            plan.cancellations.append(a.action_id)
            continue
        waiting |= a.invoice_ids
    return waiting


#: the order of the invoices a message lists: by due date, then number
LISTING_ORDER = attrgetter("due_date", "number", "id")


def _listable(inv: Invoice, today: date, promised: set[int]) -> bool:
    """Rule 5: other invoices a message lists: open, overdue, undisputed, unpromised (and not time-barred)."""
    return (inv.payable and today > inv.due_date and not inv.disputed and inv.id not in promised
            and (inv.limitation_on is None or today < inv.limitation_on))


def plan_customer(customer: Customer, invs: list[Invoice], promised: set[int], awaiting: set[int],
                  s: Settings, today: date, plan: DayPlan, business: bool | None = None,
                  memo: Memo | None = None) -> None:
    _limitation(customer, invs, today, plan)
    keep = plan.keep_reasons
    if not keep and (customer.manual or business is False):
        return  # rules 3 and 1 hold every invoice of this customer today (explain still gets the reasons)
    steps = customer.steps
    nxt: dict[int, Step | None] = {}
    reasons: dict[int, Reason] = {}
    due_ids: set[int] = set()
    top: Step | None = None
    shared = None if memo is None or business is None else memo.setdefault(
        (id(steps), customer.has_email), (steps, {}))[1]
    for i in invs:  # one pass: each invoice's next step and decision (rule 3), and the day's top step
        known = shared.get((i.due_date, id(i.marks))) if shared is not None else None
        if known is not None and known[0] is i.marks and _plain(i, today, promised, awaiting):
            _, step, reason = known
            nxt[i.id], reasons[i.id] = step, reason
        else:
            step = nxt[i.id] = next_step(i, steps, today)
            reason = reasons[i.id] = decide(i, customer, today, s, promised=i.id in promised,
                                            awaiting=i.id in awaiting, business=business, step=step)
            if shared is not None and _plain(i, today, promised, awaiting):
                shared[(i.due_date, id(i.marks))] = (i.marks, step, reason)
        if reason.step is not None:
            due_ids.add(i.id)
            if top is None or step.order > top.order:  # type: ignore[union-attr]
                top = step
    if keep:
        plan.reasons.update(reasons)
    if top is None:
        return
    listed = sorted((i for i in invs if i.id in due_ids or _listable(i, today, promised)),
                    key=LISTING_ORDER)
    amount = sum((i.outstanding for i in listed), Decimal("0.00"))

    def note(rule: int, template: str, *args: object) -> None:
        if plan.keep_reasons:
            for i in invs:
                if i.id in due_ids:
                    plan.reasons[i.id] = Reason(rule, f"{reasons[i.id].text} Mais {template}", args)

    if amount < s.min_amount:
        return note(10, "le total des factures à relancer ({0}) est sous le minimum de {1} : rien n'est envoyé.",
                    format_eur(amount), format_eur(s.min_amount))
    channels, fallback = channels_for(top, customer)
    if any(c in MESSAGE_CHANNELS for c in channels) and not spacing_ok(customer, today, s):
        return note(6, "le client a été contacté le {0:%d/%m/%Y} : il faut {1} jours d'écart, le message attend.",
                    customer.last_contact, s.spacing_days)
    advanced = tuple(i.id for i in listed if _advances(i, nxt[i.id], top, today, awaiting))
    _emit(customer, top, channels, fallback, listed, advanced, nxt, amount, today, plan)
    if plan.keep_reasons:
        _explain_listed(listed, due_ids, reasons, top, channels, advanced, plan)


def _explain_listed(listed: list[Invoice], due_ids: set[int], reasons: dict[int, Reason], top: Step,
                    channels: tuple[str, ...], advanced: tuple[int, ...], plan: DayPlan) -> None:
    for i in listed:
        if i.id in due_ids:
            text = _outcome_text(reasons[i.id], top, channels, i.id, advanced)
            plan.reasons[i.id] = Reason(reasons[i.id].rule, "{0}", (text,), step=top.code)
        elif i.id in advanced:
            plan.reasons[i.id] = Reason(5, "listée dans le message « {0} » d'une autre facture du client ; son "
                                           "étape suivante étant au plus celle-là, elle avance d'une étape.",
                                        (top.code,), step=top.code)


def _advances(inv: Invoice, nxt: Step | None, top: Step, today: date, awaiting: set[int]) -> bool:
    """Rule 5: a listed invoice whose next step is at or below the message's step advances by one."""
    if inv.id in awaiting or (inv.marks and any(m.day == today for m in inv.marks.values())):
        return False
    return nxt is not None and nxt.order <= top.order


def _emit(customer: Customer, top: Step, channels: tuple[str, ...], fallback: bool, listed: list[Invoice],
          advanced: tuple[int, ...], nxt: dict[int, Step | None], amount: Decimal, today: date,
          plan: DayPlan) -> None:
    listed_ids = tuple(i.id for i in listed)
    if not channels:
        # A step with nothing deliverable (an SMS-only step without a mobile) is skipped, not blocked.
        if not top.is_pre_due:
            plan.mark_groups.append((advanced, nxt, today, True))
        return
    status = AWAITING_APPROVAL if top.needs_approval else None
    for channel in channels:
        st = status or (TASK if channel in TASK_CHANNELS else SEND)
        moved = () if top.needs_approval else advanced
        plan.actions.append(PlannedAction(customer.id, top.code, channel, st, listed_ids, moved, amount,
                                          fallback=fallback and channel == "letter"))
    if fallback:
        plan.actions.append(PlannedAction(customer.id, CONTACT_TASK_STEP, "task", TASK, listed_ids, (), amount))
    if not top.needs_approval:
        plan.mark_groups.append((advanced, nxt, today, False))


def _marks(ids: tuple[int, ...], nxt: dict[int, Step | None], today: date, *, skipped: bool) -> list[PlannedMark]:
    return [PlannedMark(inv_id, step.code, today, skipped) for inv_id in ids if (step := nxt[inv_id]) is not None]


def advance_on_approval(*, customer: Customer, step_code: str, invoices: Sequence[Invoice],
                        promised: set[int], today: date) -> list[PlannedMark]:
    """Rule 12: an approved step is carried out on the day of approval; listed invoices advance then."""
    step = step_for_code(customer.steps, step_code)
    if step is None:
        return []
    nxt = {i.id: next_step(i, customer.steps, today) for i in invoices}
    ids = tuple(i.id for i in invoices if i.payable and not i.disputed and i.id not in promised
                and _advances(i, nxt[i.id], step, today, set()))
    return _marks(ids, nxt, today, skipped=False)


def _limitation(customer: Customer, invs: list[Invoice], today: date, plan: DayPlan) -> None:
    """Limitation (prescription): the ladder stops for a time-barred invoice, with one event."""
    barred = tuple(i.id for i in invs if i.limitation_on is not None and today >= i.limitation_on
                   and i.payable and not i.limitation_recorded)
    if barred:
        plan.events.append(PlannedEvent(customer.id, "limitation_reached", barred))


def _outcome_text(reason: Reason, top: Step, channels: tuple[str, ...], inv_id: int,
                  advanced: tuple[int, ...]) -> str:
    via = ", ".join(channels) or "aucun canal"
    if reason.step != top.code:
        text = f"{reason.text} Regroupée dans l'étape « {top.code} » du client (la plus avancée du jour, règle 5)"
    else:
        text = f"{reason.text} Elle part aujourd'hui"
    if top.needs_approval:
        return f"{text} — action en attente de validation (règle 12), via {via}."
    moved = "elle avance d'une étape" if inv_id in advanced else "elle n'avance pas"
    return f"{text}, via {via} ; {moved}."


# --- Explain -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Explanation:
    invoice: str
    day: date
    rule: int
    step: str | None
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"invoice": self.invoice, "date": self.day.isoformat(), "rule": self.rule, "step": self.step,
                "text": self.text}


def explain(*, invoice_id: int, customer: Customer, invoices: Sequence[Invoice], promises: Iterable[Promise] = (),
            pending: Iterable[PendingApproval] = (), settings: Settings = Settings(), today: date) -> Explanation:
    """Why this invoice gets, or does not get, a step today — in plain French, with the rule and dates."""
    plan = plan_day(customers=[customer], invoices=invoices, promises=promises, pending=pending,
                    settings=settings, today=today, keep_reasons=True)
    inv = next(i for i in invoices if i.id == invoice_id)
    reason = plan.reasons.get(invoice_id) or Reason(3, "aucune information.")
    if reason.rule == 7 and (cover := next((p for p in promises if p.plan and invoice_id in p.invoice_ids
                                            and promise_blocks(p, today, settings)), None)):
        reason = Reason(7, "un échéancier de paiement en cours couvre la facture (échéance du {0:%d/%m/%Y}, délai "
                           "de grâce compris) : pas de relance tant qu'il est respecté.", (cover.until,))
    verdict = "reçoit une étape" if reason.step else "ne reçoit pas d'étape"
    text = f"Facture {inv.number or inv.id}, le {_f(today)} : {verdict} (règle {reason.rule}) — {reason.text}"
    return Explanation(inv.number, today, reason.rule, reason.step, text)
