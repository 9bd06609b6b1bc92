"""Set-based reads feeding the KPI core: a few queries, raw values, never a query per row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from relance.accounts.models import Organisation
from relance.analytics import kpi
from relance.analytics.kpi import ZERO, InvoiceRow, KpiReport, ReminderRow, compute
from relance.core.dates import add_months
from relance.core.db import Money
from relance.ledger.models import Allocation, Customer, Invoice
from relance.ledger.selectors import scoped

#: Paid invoices older than this (and not settled recently) cannot change any KPI.
HISTORY_DAYS = 800
STEP_ORDER = ("pre_due", "reminder_1", "reminder_2", "call", "reminder_3", "formal_notice", "litigation")


def _relevant_invoices(org: Organisation, day: date) -> Q:
    recent_settlement = Exists(
        Allocation.objects.filter(invoice=OuterRef("pk"), date__gt=day - timedelta(days=HISTORY_DAYS // 2))
    )
    live = Q(kind=Invoice.Kind.INVOICE, issue_date__lte=day) & ~Q(status=Invoice.Status.CANCELLED)
    return live & Q(Q(status=Invoice.Status.OPEN) | Q(issue_date__gt=day - timedelta(days=HISTORY_DAYS))
                    | Q(recent_settlement))


def kpi_invoice_rows(*, org: Organisation, day: date) -> list[InvoiceRow]:
    """Every invoice that can weigh on the KPIs of `day`, with its settlements (two queries)."""
    invoices = scoped(Invoice, org).filter(_relevant_invoices(org, day))
    settlements: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    allocs = scoped(Allocation, org).filter(invoice__in=invoices.values("pk")).values_list("invoice_id", "date", "amount")
    for invoice_id, d, amount in allocs.iterator(chunk_size=20000):
        settlements[invoice_id].append((d, amount))
    fields = ("id", "customer_id", "issue_date", "due_date", "total_incl_tax")
    return [
        InvoiceRow(pk, cid, issue, due, total, tuple(settlements.get(pk, ())))
        for pk, cid, issue, due, total in invoices.values_list(*fields).iterator(chunk_size=20000)
    ]


def dunning_model(name: str) -> Any:
    """A dunning model once its table exists (the engine lands in parallel; the KPIs work without it)."""
    try:
        model = apps.get_model("dunning", name)
    except LookupError:
        return None
    return model if model._meta.db_table in _tables() else None


@lru_cache(maxsize=1)
def _known_tables() -> frozenset[str]:
    return frozenset(connection.introspection.table_names())


def _tables() -> frozenset[str]:
    tables = _known_tables()
    if "dunning_actioninvoice" not in tables:  # migrations may have run since: look again
        _known_tables.cache_clear()
        tables = _known_tables()
    return tables


def kpi_reminder_rows(*, org: Organisation, day: date) -> list[ReminderRow]:
    """Ladder steps carried out per invoice (the dunning actions and the invoices they listed)."""
    lines = dunning_model("ActionInvoice")
    if lines is None:
        return []
    qs = lines.objects.filter(
        action__org=org, action__status__in=("sent", "task"), action__date__lte=day,
        action__date__gt=day - timedelta(days=HISTORY_DAYS),
    ).values_list("invoice_id", "action__step", "action__channel", "action__carried_out_on", "action__date")
    return [ReminderRow(inv, step, channel, done or d) for inv, step, channel, done, d in qs.iterator(chunk_size=20000)]


def kpi_report(*, org: Organisation, day: date, period_days: int = 90) -> KpiReport:
    rows = kpi_invoice_rows(org=org, day=day)
    return compute(rows, kpi_reminder_rows(org=org, day=day), day, period_days=period_days, step_order=STEP_ORDER)


def customer_refs(*, org: Organisation, ids: list[int]) -> dict[int, tuple[str, str]]:
    """{customer id: (ref, name)} in one query."""
    return {pk: (ref, name) for pk, ref, name in scoped(Customer, org).filter(pk__in=ids).values_list("pk", "ref", "name")}


# --- the dashboard: grouped sums, then the pure formulas -----------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    day: date
    receivables: Decimal
    overdue: Decimal
    aging: dict[str, Decimal]
    dso: Decimal | None
    best_possible_dso: Decimal | None
    dso_trend: list[tuple[date, Decimal | None]]
    invoiced_by_month: list[tuple[date, Decimal]]
    collected_by_month: list[tuple[date, Decimal]]


def _open_items(org: Organisation) -> list[tuple[date, Decimal]]:
    """(due date, outstanding) of open invoices, summed per due date (two grouped queries)."""
    open_inv = Q(kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN)
    totals = dict(scoped(Invoice, org).filter(open_inv).order_by().values("due_date")
                  .annotate(s=Money(Sum("total_incl_tax"))).values_list("due_date", "s"))
    settled = (scoped(Allocation, org).filter(invoice__kind=Invoice.Kind.INVOICE, invoice__status=Invoice.Status.OPEN)
               .order_by().values("invoice__due_date").annotate(s=Money(Sum("amount")))
               .values_list("invoice__due_date", "s"))
    for due, amount in settled:
        totals[due] = totals.get(due, ZERO) - amount
    return [(due, amount) for due, amount in totals.items() if amount > 0]


def _daily(org: Organisation, since: date, day: date) -> tuple[dict[date, Decimal], dict[date, Decimal], dict[date, Decimal]]:
    """Invoiced per issue day, settled per day (everything that settles) and cash per day, in (since, day]."""
    live = Q(invoice__kind=Invoice.Kind.INVOICE) & ~Q(invoice__status=Invoice.Status.CANCELLED)
    invoiced = dict(
        scoped(Invoice, org).filter(kind=Invoice.Kind.INVOICE, issue_date__gt=since, issue_date__lte=day)
        .exclude(status=Invoice.Status.CANCELLED).order_by().values("issue_date")
        .annotate(s=Money(Sum("total_incl_tax"))).values_list("issue_date", "s")
    )
    settled: dict[date, Decimal] = defaultdict(lambda: ZERO)
    cash: dict[date, Decimal] = defaultdict(lambda: ZERO)
    rows = (scoped(Allocation, org).filter(live, date__gt=since, date__lte=day).order_by()
            .values("date", "source").annotate(s=Money(Sum("amount"))).values_list("date", "source", "s"))
    for d, source, amount in rows:
        settled[d] += amount
        if source != Allocation.Source.CREDIT_NOTE:
            cash[d] += amount
    return invoiced, dict(settled), dict(cash)


def dashboard_figures(*, org: Organisation, day: date, months: int = 12, period_days: int = 90) -> DashboardFigures:
    items = _open_items(org)
    buckets = kpi.aging(items, day)
    receivables = sum(buckets.values(), ZERO)
    since = add_months(day.replace(day=1), -months)
    invoiced, settled, cash = _daily(org, min(since, day - timedelta(days=period_days + 190)), day)
    sales = kpi.sales_between(invoiced, kpi.period_start(day, period_days), day)
    return DashboardFigures(
        day=day, receivables=receivables, overdue=receivables - buckets["not_due"], aging=buckets,
        dso=kpi.dso_standard(receivables, sales, period_days),
        best_possible_dso=kpi.dso_standard(buckets["not_due"], sales, period_days),
        dso_trend=kpi.dso_trend_from_daily(receivables, invoiced, settled, day, period_days=period_days),
        invoiced_by_month=kpi.monthly_totals(invoiced, day, months),
        collected_by_month=kpi.monthly_totals(cash, day, months),
    )


# --- the dashboard's cache: grouped sums over a million invoices take seconds; the page must not -----

#: Figures older than this are recomputed even when nothing signalled a change (bulk imports send none).
DASHBOARD_CACHE_SECONDS = 300


def _version_key(org_id: int) -> str:
    return f"relance:analytics:version:{org_id}"


def ledger_changed(org_id: int) -> None:
    """Forget an organisation's cached dashboard (called when a ledger row is saved or deleted)."""
    try:
        cache.incr(_version_key(org_id))
    except ValueError:  # no version yet: nothing cached under it either
        cache.set(_version_key(org_id), 1, None)


@dataclass(frozen=True)
class CachedFigures:
    figures: DashboardFigures
    computed_at: datetime


def dashboard_figures_cached(*, org: Organisation, day: date, refresh: bool = False) -> CachedFigures:
    """The dashboard's figures, computed at most every DASHBOARD_CACHE_SECONDS or after a ledger change."""
    version = cache.get_or_set(_version_key(org.pk), 1, None)
    key = f"relance:analytics:dashboard:{org.pk}:{day.isoformat()}:{version}"
    cached = None if refresh else cache.get(key)
    if cached is None:
        cached = CachedFigures(dashboard_figures(org=org, day=day), timezone.now())
        cache.set(key, cached, DASHBOARD_CACHE_SECONDS)
    return cached


def cached_per_ledger_version(org: Organisation, name: str, compute: Any, *, seconds: int = DASHBOARD_CACHE_SECONDS) -> Any:
    """`compute()` cached until the organisation's ledger changes (or `seconds` pass), under `name`."""
    version = cache.get_or_set(_version_key(org.pk), 1, None)
    key = f"relance:analytics:{name}:{org.pk}:{version}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
