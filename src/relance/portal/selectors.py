"""Reads for the debtor portal: always through the token's own customer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from relance.core.errors import ApplicationError
from relance.ledger.models import Dispute, Invoice, Promise
from relance.ledger.selectors import open_invoices, scoped
from relance.legal import api as legal
from relance.portal.models import PaymentClaim, PaymentPlan, PortalToken
from relance.portal.plans import customer_plan


@dataclass(frozen=True)
class InvoiceLine:
    invoice: Invoice
    outstanding: Decimal
    days_late: int
    disputed: bool
    promised_until: date | None
    #: in the payment plan in progress: paid by its instalments
    in_plan: bool = False

    def due_now(self, today: date) -> bool:
        """What the pay screen asks for by default: due (today included) and not held by a promise, a
        dispute or a payment plan."""
        return (self.invoice.due_date <= today and not self.disputed and self.promised_until is None
                and not self.in_plan)


@dataclass(frozen=True)
class Penalties:
    interest: Decimal
    indemnity: Decimal

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnity


@dataclass
class Overview:
    lines: list[InvoiceLine]
    total: Decimal
    overdue: Decimal
    penalties: Penalties | None
    plan: PaymentPlan | None
    pending_plan: PaymentPlan | None
    last_claim: PaymentClaim | None
    notes: list[str] = field(default_factory=list)
    #: where each instalment of the plan in progress stands (paid, to come, late)
    plan_view: Any = None

    @property
    def payable(self) -> list[InvoiceLine]:
        """What the debtor may choose to pay by transfer: everything but a disputed invoice."""
        return [line for line in self.lines if not line.disputed]

    def due_now(self, today: date) -> list[InvoiceLine]:
        return [line for line in self.lines if line.due_now(today)]


def customer_invoices(token: PortalToken) -> QuerySet[Invoice]:
    """The customer's open invoices: the only invoices a link can ever reach."""
    return open_invoices(token.org).filter(customer=token.customer).order_by("due_date", "number")


def customer_invoice(token: PortalToken, pk: int) -> Invoice | None:
    return scoped(Invoice, token.org).filter(customer=token.customer, pk=pk).first()


def _promised_until(token: PortalToken, today: date) -> dict[int, date]:
    promises = scoped(Promise, token.org).filter(customer=token.customer, status=Promise.Status.ACTIVE,
                                                 until__gte=today).prefetch_related("invoices")
    found: dict[int, date] = {}
    for p in promises:
        for inv in p.invoices.all():
            found[inv.pk] = max(found.get(inv.pk, p.until), p.until)
    return found


def customer_penalties(*, token: PortalToken, today: date) -> Penalties | None:
    """Interest and indemnities where the law applies (legal module); None when nothing is due or when a
    rate is missing (the team sees that warning on its side; the debtor never sees a wrong figure)."""
    try:
        result = legal.customer_penalties(org=token.org, customer=token.customer, today=today)
    except ApplicationError:
        return None
    penalties = Penalties(result.interest, result.indemnities)
    return penalties if penalties.total > 0 else None


def portal_overview(*, token: PortalToken, today: date) -> Overview:
    org, customer = token.org, token.customer
    disputed = set(scoped(Dispute, org).filter(invoice__customer=customer, status=Dispute.Status.OPEN)
                   .values_list("invoice_id", flat=True))
    promised = _promised_until(token, today)
    plans = scoped(PaymentPlan, org).filter(customer=customer).prefetch_related("instalments")
    planned = set(plans.filter(status=PaymentPlan.Status.APPROVED).values_list("invoices", flat=True))
    lines = [InvoiceLine(i, i.outstanding, max((today - i.due_date).days, 0), i.pk in disputed,  # type: ignore[attr-defined]
                         promised.get(i.pk), i.pk in planned) for i in customer_invoices(token)]
    plan_view = customer_plan(org=org, customer=customer, today=today)
    return Overview(
        lines=lines,
        total=sum((line.outstanding for line in lines), Decimal("0.00")),
        overdue=sum((line.outstanding for line in lines if line.days_late > 0), Decimal("0.00")),
        penalties=customer_penalties(token=token, today=today),
        plan=plans.filter(status=PaymentPlan.Status.APPROVED).order_by("-decided_on", "-pk").first(),
        pending_plan=plans.filter(status=PaymentPlan.Status.REQUESTED).first(),
        last_claim=scoped(PaymentClaim, org).filter(customer=customer).order_by("-pk").first(),
        plan_view=plan_view if plan_view is not None and plan_view.active else None,
    )
