"""What other apps call for penalties and limitation (the customer page, letters, the dunning run).

Every function that needs a rate raises `MissingRateError` (an ApplicationError with a French message
naming the half-year and how to add the rate) when the table lacks it: callers show it as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.core.errors import ApplicationError
from relance.ledger.models import Customer, Invoice
from relance.ledger.selectors import open_invoices
from relance.legal.limitation import is_time_barred, limitation_date, limitation_warning_date
from relance.legal.penalties import PenaltyResult, Settlement, compute_penalties, indemnity_owed
from relance.legal.rates import MissingRateError, RateTable, french_date
from relance.legal.selectors import formal_notice_date, rate_table_from_db

__all__ = [
    "CustomerPenalties", "LimitationAlert", "MissingRateError", "PenaltyResult", "customer_indemnities",
    "customer_penalties",
    "invoice_indemnity", "invoice_penalties", "limitation_alerts", "rate_table", "split_half_years",
]


def rate_table() -> RateTable:
    return rate_table_from_db()


def split_half_years() -> bool:
    """Setting RELANCE_PENALTY_SPLIT_HALF_YEARS (default True): a B2B delay spanning half-years uses each
    half-year's rate for its own days; False freezes the rate of the half-year in which the delay started."""
    return bool(getattr(settings, "RELANCE_PENALTY_SPLIT_HALF_YEARS", True))


def invoice_penalties(*, org: Organisation, invoice: Invoice, today: date, notice_date: date | None = None,
                      table: RateTable | None = None) -> PenaltyResult:
    """Interest and indemnity owed on one invoice as of `today` (or the day it was fully settled).

    Uses the customer's kind, the organisation's contractual rate, and the invoice's allocations with their
    dates (partial payments). For a consumer, `notice_date` defaults to the formal notice on the timeline.
    """
    if invoice.org_id != org.id:
        raise ApplicationError(_("Facture d'une autre organisation."))
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status == Invoice.Status.CANCELLED:
        raise ApplicationError(_("Pas de pénalités de retard sur %(number)s : avoir ou facture annulée.")
                               % {"number": invoice.number})
    kind = invoice.customer.kind
    if kind == "b2c" and notice_date is None:
        notice_date = formal_notice_date(org=org, invoice=invoice)
    settlements = [Settlement(a.date, a.amount) for a in invoice.allocations.all() if a.date <= today]
    return compute_penalties(
        table=table or rate_table(), kind=kind, principal=invoice.total_incl_tax, due_date=invoice.due_date,
        as_of=today, settlements=settlements, notice_date=notice_date, contract_rate=org.contract_rate,
        split_half_years=split_half_years(),
    )


@dataclass(frozen=True)
class CustomerPenalties:
    """Penalties accrued so far on a customer's open overdue invoices."""

    lines: tuple[tuple[Invoice, PenaltyResult], ...]

    @property
    def interest(self) -> Decimal:
        return sum((r.interest for _, r in self.lines), Decimal("0.00"))

    @property
    def indemnities(self) -> Decimal:
        return sum((r.indemnity for _, r in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnities

    @property
    def warnings(self) -> list[str]:
        return sorted({w for _, r in self.lines for w in r.warnings})

    def as_json(self) -> dict[str, object]:
        return {
            "interest": f"{self.interest:.2f}", "indemnities": f"{self.indemnities:.2f}", "total": f"{self.total:.2f}",
            "invoices": [{"number": inv.number, **r.as_json()} for inv, r in self.lines],
        }


def customer_penalties(*, org: Organisation, customer: Customer, today: date) -> CustomerPenalties:
    """Interest accrued so far and indemnities due, per open invoice past its due date."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client d'une autre organisation."))
    invoices = (open_invoices(org).filter(customer=customer, due_date__lt=today)
                .select_related("customer").prefetch_related("allocations").order_by("due_date", "number"))
    table = rate_table()
    return CustomerPenalties(tuple(
        (invoice, invoice_penalties(org=org, invoice=invoice, today=today, table=table)) for invoice in invoices
    ))


def customer_indemnities(*, org: Organisation, customer: Customer, today: date) -> Decimal:
    """The fixed recovery indemnities due on the open overdue invoices (40 € each, professionals and public
    buyers only): they need no rate, so they are known even when a half-year's rate is missing and
    `customer_penalties` refuses to guess the interest."""
    if customer.org_id != org.id:
        raise ApplicationError(_("Client d'une autre organisation."))
    invoices = open_invoices(org).filter(customer=customer, due_date__lt=today).select_related("customer")
    return sum((invoice_indemnity(org=org, invoice=invoice, today=today) for invoice in invoices), Decimal("0.00"))


def invoice_indemnity(*, org: Organisation, invoice: Invoice, today: date) -> Decimal:
    """The fixed recovery indemnity owed on one open invoice on `today`, by the same rule as
    `invoice_penalties` but without a rate: what a document claims when the interest must wait for a rate."""
    if invoice.org_id != org.id:
        raise ApplicationError(_("Facture d'une autre organisation."))
    return indemnity_owed(invoice.customer.kind, max((today - invoice.due_date).days, 0))


@dataclass(frozen=True)
class LimitationAlert:
    invoice: Invoice
    limitation_date: date
    time_barred: bool

    @property
    def message(self) -> str:
        """In the reader's language (the customer page); French by default."""
        years = 2 if self.invoice.customer.kind == "b2c" else 5
        if self.time_barred:
            return (_("Facture %(number)s prescrite depuis le %(date)s (%(years)s ans après l'échéance) : plus aucune "
                      "relance.")
                    % {"number": self.invoice.number, "date": _long_date(self.limitation_date + timedelta(days=1)),
                       "years": years})
        return (_("Facture %(number)s bientôt prescrite : dernier jour pour agir le %(date)s (%(years)s ans après "
                  "l'échéance).")
                % {"number": self.invoice.number, "date": _long_date(self.limitation_date), "years": years})


def _long_date(day: date) -> str:
    """« 1er juin 2024 », or "1 June 2024" for a reader in English."""
    return date_format(day, "j F Y") if (get_language() or "").startswith("en") else french_date(day)


def limitation_alerts(*, org: Organisation, today: date, customer: Customer | None = None) -> list[LimitationAlert]:
    """Open invoices within 90 days of limitation, or already time-barred, oldest first."""
    # Nothing younger than 2 years − 90 days can be near limitation (a cheap pre-filter in SQL).
    horizon = today - timedelta(days=2 * 365 - 90 - 2)
    invoices = open_invoices(org).filter(due_date__lte=horizon).select_related("customer").order_by("due_date")
    if customer is not None:
        invoices = invoices.filter(customer=customer)
    alerts = []
    for invoice in invoices:
        kind = invoice.customer.kind
        if today >= limitation_warning_date(kind=kind, due_date=invoice.due_date):
            alerts.append(LimitationAlert(
                invoice, limitation_date(kind=kind, due_date=invoice.due_date),
                is_time_barred(kind=kind, due_date=invoice.due_date, today=today),
            ))
    return alerts
