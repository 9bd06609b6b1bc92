"""Reads of the rate tables (global reference data) and of what the penalties need from the ledger."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from relance.accounts.models import Organisation
from relance.activity.models import Event
from relance.ledger.models import Invoice
from relance.ledger.selectors import scoped
from relance.legal.models import EcbDecision, RateHalfYear
from relance.legal.rates import HalfYear, HalfYearRates, RateTable

FORMAL_NOTICE_EVENT = "formal_notice"


def ecb_decision_list() -> QuerySet[EcbDecision]:
    return EcbDecision.objects.order_by("-effective_date")


def rate_half_year_list() -> QuerySet[RateHalfYear]:
    return RateHalfYear.objects.order_by("-year", "-half")


def ecb_decision_in_force(day: date) -> EcbDecision | None:
    """The latest decision whose date of effect is on or before `day`."""
    return EcbDecision.objects.filter(effective_date__lte=day).order_by("-effective_date").first()


def rate_table_from_db() -> RateTable:
    return RateTable.from_rows(
        HalfYearRates(HalfYear(row.year, row.half), ecb=row.ecb_rate, legal_pro=row.legal_rate_other,
                      legal_private=row.legal_rate_private, source=row.source)
        for row in RateHalfYear.objects.all()
    )


def formal_notice_date(*, org: Organisation, invoice: Invoice) -> date | None:
    """The first formal notice (mise en demeure) recorded for this invoice, from the timeline.

    Convention: an Event of type "formal_notice" linked to the invoice, or to its customer with the
    invoice number in `data["invoices"]`.
    """
    events = scoped(Event, org).filter(type=FORMAL_NOTICE_EVENT).filter(
        Q(invoice=invoice) | Q(invoice__isnull=True, customer_id=invoice.customer_id)
    ).order_by("date", "id")
    for event in events:
        if event.invoice_id == invoice.id or invoice.number in (event.data or {}).get("invoices", []):
            return event.date
    return None
