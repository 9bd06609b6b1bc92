"""Set-based loading of a day's dunning state: a few queries per batch of customers, raw rows, no ORM objects.

The planner never sees a model instance; these functions turn `values_list()` rows into its dataclasses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min, TextField
from django.db.models.functions import Cast

from relance.accounts.models import Organisation
from relance.activity.models import Event
from relance.dunning import planner
from relance.dunning.models import Action, ActionInvoice, DunningRun, LadderMark
from relance.dunning.plans import PlanChooser
from relance.ledger.models import Allocation, Contact, Customer, Dispute, Invoice, Promise
from relance.ledger.selectors import scoped

CONTACT_STATUSES = (Action.Status.SENT, Action.Status.QUEUED, Action.Status.SENDING)
BATCH = 20_000


@dataclass(frozen=True, slots=True)
class InvoiceInfo:
    number: str
    currency: str
    sent_date: date | None


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    ref: str
    name: str
    email: str
    has_address: bool


NO_MARKS: dict[str, planner.Mark] = {}  # shared by the many invoices without any step yet (never mutated)


def _open_invoices_sql(org: Organisation, lo: int, hi: int, only: list[int] | None = None,
                       horizon: date | None = None) -> tuple[str, list[Any]]:
    """Open invoices of customers lo ≤ id < hi with something outstanding, computed and filtered in SQL.

    Same arithmetic as ledger.selectors.open_invoices (total − allocations rounded to the cent). With a
    `horizon`, only the invoices that can matter on the day: due on or before the horizon (the earliest a
    step can trigger, or the invoice be listed), or already on the ladder, or named by an active promise or
    an action awaiting approval (rules 7, 9 and 12 look at them whatever their due date).
    """
    invoice, allocation = Invoice._meta.db_table, Allocation._meta.db_table
    extra = f" AND i.customer_id IN ({', '.join(['%s'] * len(only))})" if only else ""
    params: list[Any] = []
    # Table names come from the models, values are parameters. What was allocated to each invoice: SQLite
    # is fastest with a correlated lookup on the allocation index, PostgreSQL with one hash-joined aggregate.
    if connection.vendor == "postgresql":
        outstanding = "i.total_incl_tax - COALESCE(a.s, 0)"
        # Only the allocations of the invoices asked for: a hash join over the batch's customers, and an
        # index lookup per invoice for a few customers (the customer page) rather than the whole ledger.
        mine = (f"SELECT id FROM {invoice} WHERE org_id = %s AND customer_id >= %s AND customer_id < %s"  # noqa: S608
                + (f" AND customer_id IN ({', '.join(['%s'] * len(only))})" if only else ""))
        join = (f"LEFT JOIN (SELECT invoice_id, ROUND(SUM(amount), 2) AS s FROM {allocation} WHERE org_id = %s "  # noqa: S608
                f"AND invoice_id IN ({mine}) GROUP BY invoice_id) a ON a.invoice_id = i.id ")
        params += [org.id, org.id, lo, hi, *(only or [])]
    else:
        # SQLite's numbers are binary floats: both terms have two decimals, so rounding the difference to
        # the cent gives the exact amount, printed with two places as the exact decimal.
        outstanding = (f"printf('%%.2f', i.total_incl_tax - COALESCE((SELECT SUM(a.amount) FROM {allocation} a "  # noqa: S608
                       f"WHERE a.invoice_id = i.id), 0))")
        join = ""
    params += [org.id, lo, hi, *(only or [])]
    near = ""
    if horizon is not None:
        promised, pending = Promise.invoices.through._meta.db_table, ActionInvoice._meta.db_table
        near = (
            f" AND (i.due_date <= %s"  # noqa: S608
            f" OR EXISTS (SELECT 1 FROM {LadderMark._meta.db_table} m WHERE m.invoice_id = i.id)"
            f" OR EXISTS (SELECT 1 FROM {promised} pi JOIN {Promise._meta.db_table} p ON p.id = pi.promise_id"
            f" WHERE pi.invoice_id = i.id AND p.status = %s)"
            f" OR EXISTS (SELECT 1 FROM {pending} ai JOIN {Action._meta.db_table} x ON x.id = ai.action_id"
            f" WHERE ai.invoice_id = i.id AND x.status = %s))"
        )
        params += [horizon if connection.vendor == "postgresql" else horizon.isoformat(),
                   str(Promise.Status.ACTIVE), str(Action.Status.AWAITING_APPROVAL)]
    # Filtered on `o > 0` by the caller (in SQL, SQLite would compute the correlated sum twice); the
    # currency only when it is not the euro and the sent date only when known (most rows carry neither).
    sql = (
        f"SELECT i.id, i.customer_id, i.number, CAST(i.due_date AS TEXT), {outstanding}, "  # noqa: S608
        f"CASE WHEN i.currency <> 'EUR' THEN i.currency END, CAST(i.sent_date AS TEXT) FROM {invoice} i {join}"
        f"WHERE i.org_id = %s AND i.status = 'open' AND i.kind = 'invoice' "
        f"AND i.customer_id >= %s AND i.customer_id < %s{extra}{near}"
    )
    return sql, params


def _amount(o: Any) -> Decimal:
    """The outstanding amount as the database gives it: a Decimal (PostgreSQL) or its 2-place text (SQLite)."""
    return o if type(o) is Decimal else Decimal(o)


def open_invoice_rows(org: Organisation, lo: int, hi: int, only: list[int] | None = None
                      ) -> Iterator[tuple[int, int, str, date, Decimal, str, date | None]]:
    """The open invoices with what is outstanding, as plain tuples (raw SQL, no ORM rows)."""
    sql, params = _open_invoices_sql(org, lo, hi, only)
    fromiso = date.fromisoformat
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            for inv_id, cid, number, due, o, currency, sent in rows:
                amount = _amount(o)
                if amount > 0:
                    yield (inv_id, cid, number, fromiso(due), amount, currency or "EUR",
                           fromiso(sent) if sent else None)


@dataclass
class DayState:
    customers: list[planner.Customer] = field(default_factory=list)
    invoices: list[planner.Invoice] = field(default_factory=list)
    promises: list[planner.Promise] = field(default_factory=list)
    pending: list[planner.PendingApproval] = field(default_factory=list)
    #: only the invoices that are not in euros or carry a sent date (most carry neither)
    invoice_info: dict[int, InvoiceInfo] = field(default_factory=dict)
    customer_info: dict[int, CustomerInfo] = field(default_factory=dict)

    @cached_property
    def by_id(self) -> dict[int, planner.Invoice]:
        return {i.id: i for i in self.invoices}

    def info(self, invoice_id: int) -> InvoiceInfo:
        return self.invoice_info.get(invoice_id) or InvoiceInfo(self.by_id[invoice_id].number, "EUR", None)


def org_settings(org: Organisation) -> planner.Settings:
    return planner.Settings(min_amount=org.min_reminder_amount, spacing_days=org.contact_spacing_days,
                            holidays_region=org.holidays_region, promise_grace_days=org.promise_grace_days)


def last_real_run(*, org: Organisation) -> date | None:
    return scoped(DunningRun, org).filter(dry_run=False).aggregate(d=Max("date"))["d"]


@lru_cache(maxsize=100_000)
def _is_mobile(phone: str) -> bool:
    if phone.startswith(("+336", "+337")):
        return True
    if phone.startswith("+33"):
        return False
    from relance.ledger.services import is_mobile

    return is_mobile(phone)


@lru_cache(maxsize=20_000)
def _time_barred_from(kind: str, due: date) -> date | None:
    """The first day the claim is time-barred (legal.limitation: the day after its last day)."""
    from relance.legal.limitation import limitation_date

    return limitation_date(kind=kind, due_date=due) + timedelta(days=1)


def day_state_batches(*, org: Organisation, today: date, batch: int = BATCH,
                      customer_ids: list[int] | None = None, only_relevant: bool = False) -> Iterator[DayState]:
    """The day's state, one batch of customers (by id range) at a time.

    `only_relevant` (the daily run) leaves out, in SQL, the invoices that cannot get a step nor be listed
    today (see `_open_invoices_sql`); explain and approvals load everything for the customer.
    """
    chooser = PlanChooser(org)
    horizon = today - timedelta(days=chooser.earliest_offset()) if only_relevant else None
    customers = scoped(Customer, org)
    if customer_ids is not None:
        customers = customers.filter(id__in=customer_ids)
    bounds = customers.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return
    for lo in range(bounds["lo"], bounds["hi"] + 1, batch):
        with _batch_settings() if customer_ids is None else nullcontext():  # a few customers: no need
            state = load_batch(org, today, chooser, lo, lo + batch, customer_ids, horizon)
        if state.invoices or state.pending:
            yield state


@contextmanager
def _batch_settings() -> Iterator[None]:
    """PostgreSQL compiles a query whose estimated cost is high (a batch's is) just in time: a second or two
    of compiling, on a busy day, for a query that runs in half a second. A batch loads without it, and with
    room to sort and hash its ladder histories in memory rather than on disk (for this transaction only)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def load_batch(org: Organisation, today: date, chooser: PlanChooser, lo: int, hi: int,
               only: list[int] | None = None, horizon: date | None = None) -> DayState:
    def rng(qs: Any, key: str = "customer_id") -> Any:
        qs = qs.filter(**{f"{key}__gte": lo, f"{key}__lt": hi})
        return qs.filter(**{f"{key}__in": only}) if only is not None else qs

    state = DayState()
    marks = _marks(org, lo, hi, only)
    disputes = _disputes(rng(scoped(Dispute, org), "invoice__customer_id"))
    barred = set(rng(scoped(Event, org).filter(type="limitation_reached")).values_list("invoice_id", flat=True))
    kinds = _load_customers(org, state, rng, chooser, today)
    _load_invoices(org, state, lo, hi, only, horizon, today, marks, disputes, barred, kinds)
    state.promises = _promises(rng(scoped(Promise, org).filter(status=Promise.Status.ACTIVE)))
    state.promises += _plan_covers(org, today, lo, hi, only)
    state.pending = _pending(rng(scoped(Action, org).filter(status=Action.Status.AWAITING_APPROVAL)))
    return state


def _load_invoices(org: Organisation, state: DayState, lo: int, hi: int, only: list[int] | None,
                   horizon: date | None, today: date, marks: dict[int, dict[str, planner.Mark]],
                   disputes: dict[int, tuple[bool, date | None]], barred: set[int], kinds: dict[int, str]) -> None:
    """The hot path: one pass over the raw rows straight into the planner's invoices."""
    old = (today - timedelta(days=600)).isoformat()  # limitation is years away for anything younger
    append, Invoice, fromiso, info = state.invoices.append, planner.Invoice, date.fromisoformat, state.invoice_info
    sql, params = _open_invoices_sql(org, lo, hi, only, horizon)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            for inv_id, cid, number, due_text, o, currency, sent in rows:
                amount = o if type(o) is Decimal else Decimal(o)
                if amount <= 0:
                    continue
                due = fromiso(due_text)
                barred_from = _time_barred_from(kinds.get(cid, "b2b"), due) if due_text <= old else None
                if disputes and inv_id in disputes:
                    disputed, resolved = disputes[inv_id]
                else:
                    disputed, resolved = False, None
                append(Invoice(inv_id, cid, due, amount, number, True, marks.get(inv_id, NO_MARKS), disputed,
                               resolved, barred_from, inv_id in barred))
                if sent is not None or currency is not None:
                    info[inv_id] = InvoiceInfo(number, currency or "EUR", fromiso(sent) if sent else None)


def _marks(org: Organisation, lo: int, hi: int, only: list[int] | None) -> dict[int, dict[str, planner.Mark]]:
    """The ladder marks of the open invoices of customers lo ≤ id < hi (only those in `only` if given), by invoice.

    One row per invoice: its history as text ("step@day[@1 if skipped],…"), aggregated by the database.
    Invoices with the same history share one marks dict (and equal marks one Mark): a busy ledger has a few
    thousand distinct histories for hundreds of thousands of invoices, and the planner decides each shared
    history once per due date. Nothing mutates them.
    """
    mark, invoice = LadderMark._meta.db_table, Invoice._meta.db_table
    entry = "m.step || '@' || CAST(m.day AS TEXT) || CASE WHEN m.skipped THEN '@1' ELSE '' END"
    extra = f" AND i.customer_id IN ({', '.join(['%s'] * len(only))})" if only else ""
    params: list[Any] = [org.id, lo, hi, *(only or [])]
    if connection.vendor == "postgresql":
        extra = extra.replace("i.customer_id", "m.customer_id")
        sql = (f"SELECT m.invoice_id, STRING_AGG({entry}, ',' ORDER BY m.step) FROM {mark} m "  # noqa: S608
               f"JOIN {invoice} i ON i.id = m.invoice_id WHERE m.org_id = %s AND m.customer_id >= %s "
               f"AND m.customer_id < %s{extra} AND i.status = 'open' AND i.customer_id >= %s AND i.customer_id < %s "
               f"GROUP BY m.invoice_id")  # the batch's invoices only, on both sides
        params += [lo, hi]
    else:
        # From each open invoice of the batch, its marks through the covering index (customer, invoice, step,
        # day, skipped): read in the index's order, grouped without sorting (a GROUP BY over the marks table
        # instead sorted millions of rows in a temporary B-tree: four times the work).
        sql = (f"SELECT i.id, GROUP_CONCAT({entry}, ',') FROM {invoice} i JOIN {mark} m "  # noqa: S608
               f"ON m.customer_id = i.customer_id AND m.invoice_id = i.id WHERE i.org_id = %s AND i.status = 'open' "
               f"AND i.customer_id >= %s AND i.customer_id < %s{extra} GROUP BY i.customer_id, i.id")
    shared: dict[str, dict[str, planner.Mark]] = {}
    made: dict[str, planner.Mark] = {}
    out: dict[int, dict[str, planner.Mark]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while fetched := cursor.fetchmany(10_000):
            for inv_id, history in fetched:
                marks = shared.get(history)
                if marks is None:
                    marks = shared[history] = {}
                    for text in history.split(","):
                        step, _, day = text.partition("@")
                        m = made.get(day)
                        if m is None:
                            m = made[day] = planner.Mark(date.fromisoformat(day[:10]), skipped=day.endswith("@1"))
                        marks[step] = m
                out[inv_id] = marks
    return out


def _disputes(qs: Any) -> dict[int, tuple[bool, date | None]]:
    out: dict[int, tuple[bool, date | None]] = {}
    for inv_id, status, resolved in qs.values_list("invoice_id", "status", "resolved_on").order_by("id"):
        open_, last = out.get(inv_id, (False, None))
        if status == Dispute.Status.OPEN:
            open_ = True
        elif resolved and (last is None or resolved > last):
            last = resolved
        out[inv_id] = (open_, last)
    return out


def _load_customers(org: Organisation, state: DayState, rng: Any, chooser: PlanChooser,
                    today: date) -> dict[int, str]:
    emails: dict[int, str] = {}
    mobiles: set[int] = set()
    # The refused channels as their JSON text (a list of channel codes): no JSON decoding per contact.
    contacts = rng(scoped(Contact, org)).order_by("-is_billing", "id").annotate(
        refused_text=Cast("refused_channels", TextField()))
    for cid, email, phone, invalid, refused in contacts.values_list("customer_id", "email", "phone",
                                                                    "email_invalid", "refused_text"):
        refused = refused or ""
        if email and not invalid and '"email"' not in refused and cid not in emails:
            emails[cid] = email
        if phone and '"sms"' not in refused and _is_mobile(phone):
            mobiles.add(cid)
    last = dict(rng(scoped(Action, org).filter(channel__in=planner.MESSAGE_CHANNELS, status__in=CONTACT_STATUSES,
                                                carried_out_on__isnull=False))
                .values("customer_id").annotate(d=Max("carried_out_on")).values_list("customer_id", "d"))
    kinds: dict[int, str] = {}
    rows = rng(scoped(Customer, org), "id").values_list("id", "ref", "name", "kind", "manual_mode", "paused",
                                                        "address")
    for cid, ref, name, kind, manual, paused, address in rows:
        kinds[cid] = kind
        state.customers.append(planner.Customer(
            cid, ref, kind, manual or paused, cid in emails, cid in mobiles, last.get(cid),
            chooser.for_customer(cid, kind),
        ))
        state.customer_info[cid] = CustomerInfo(ref, name, emails.get(cid, ""), bool(address.strip()))
    return kinds


def _promises(qs: Any) -> list[planner.Promise]:
    rows = list(qs.values_list("id", "customer_id", "until"))
    covered: dict[int, set[int]] = defaultdict(set)
    through = Promise.invoices.through
    for pid, inv_id in through.objects.filter(promise_id__in=[r[0] for r in rows]).values_list("promise_id",
                                                                                               "invoice_id"):
        covered[pid].add(inv_id)
    return [planner.Promise(pid, cid, frozenset(covered[pid]), until) for pid, cid, until in rows]


def _plan_covers(org: Organisation, today: date, lo: int, hi: int, only: list[int] | None) -> list[planner.Promise]:
    """Payment plans on track cover their invoices like a promise (a few queries per batch, one when the
    organisation has no plan); a broken or completed plan covers nothing (portal/plans.py decides)."""
    from relance.portal.plans import plan_covers

    return [planner.Promise(pid, cid, ids, until, plan=True)
            for pid, cid, ids, until in plan_covers(org=org, today=today, lo=lo, hi=hi, only=only)]


def _pending(qs: Any) -> list[planner.PendingApproval]:
    rows = list(qs.values_list("id", "customer_id", "step"))
    listed: dict[int, set[int]] = defaultdict(set)
    for aid, inv_id in ActionInvoice.objects.filter(action_id__in=[r[0] for r in rows]).values_list("action_id",
                                                                                                   "invoice_id"):
        listed[aid].add(inv_id)
    return [planner.PendingApproval(aid, cid, step, frozenset(listed[aid])) for aid, cid, step in rows]


def actions_awaiting_approval(*, org: Organisation) -> Any:
    return (scoped(Action, org).filter(status=Action.Status.AWAITING_APPROVAL)
            .select_related("customer").prefetch_related("lines__invoice").order_by("date", "id"))


def action_get(*, org: Organisation, pk: int) -> Action:
    from relance.core.errors import ApplicationError

    action = scoped(Action, org).filter(pk=pk).first()
    if action is None:
        raise ApplicationError(f"Action inconnue : {pk}")
    return action


__all__ = ["Decimal", "day_state_batches", "last_real_run", "org_settings"]
