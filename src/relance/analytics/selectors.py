"""Set-based reads feeding the KPI core: a few queries, raw values, never a query per row."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from relance.accounts.models import Organisation
from relance.analytics.kpi import InvoiceRow, KpiReport, ReminderRow, compute
from relance.ledger.models import Allocation, Customer, Invoice
from relance.ledger.selectors import scoped

#: Paid invoices older than this (and not settled recently) cannot change any KPI.
HISTORY_DAYS = 800
STEP_ORDER = ("pre_due", "reminder_1", "reminder_2", "call", "reminder_3", "formal_notice", "litigation")


def _relevant_invoices(org: Organisation, day: date) -> Q:
    recent_settlement = Exists(
        Allocation.objects.filter(invoice=OuterRef("pk"), date__gt=day - timedelta(days=HISTORY_DAYS // 2))
    )
    return (
        Q(kind=Invoice.Kind.INVOICE, issue_date__lte=day) & ~Q(status=Invoice.Status.CANCELLED)
        & (Q(status=Invoice.Status.OPEN) | Q(issue_date__gt=day - timedelta(days=HISTORY_DAYS)) | recent_settlement)
    )


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


def kpi_reminder_rows(*, org: Organisation, day: date) -> list[ReminderRow]:
    """Ladder steps carried out per invoice, from the dunning engine's actions (empty before it exists)."""
    try:
        action_invoice = apps.get_model("dunning", "ActionInvoice")
    except LookupError:
        return []
    done = {"sent", "task", "done", "delivered"}
    qs = action_invoice.objects.filter(
        action__org=org, action__status__in=done, action__day__lte=day,
        action__day__gt=day - timedelta(days=HISTORY_DAYS),
    ).values_list("invoice_id", "action__step__code", "action__channel", "action__day")
    return [ReminderRow(inv, step, channel, d) for inv, step, channel, d in qs.iterator(chunk_size=20000)]


def kpi_report(*, org: Organisation, day: date, period_days: int = 90) -> KpiReport:
    rows = kpi_invoice_rows(org=org, day=day)
    return compute(rows, kpi_reminder_rows(org=org, day=day), day, period_days=period_days, step_order=STEP_ORDER)


def customer_refs(*, org: Organisation, ids: list[int]) -> dict[int, tuple[str, str]]:
    """{customer id: (ref, name)} in one query."""
    return {pk: (ref, name) for pk, ref, name in scoped(Customer, org).filter(pk__in=ids).values_list("pk", "ref", "name")}
