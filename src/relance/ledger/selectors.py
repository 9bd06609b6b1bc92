"""Organisation-scoped reads of the ledger. Every domain query starts from `scoped()`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.core.db import Money
from relance.core.errors import ApplicationError
from relance.ledger.models import Allocation, Customer, Invoice, Payment

M = TypeVar("M", bound=Model)
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def scoped(model: type[M], org: Organisation) -> QuerySet[M]:
    """The one way to read domain rows: always filtered by organisation."""
    return model._default_manager.filter(org=org)


def _allocated_subquery() -> Subquery:
    allocated = (
        Allocation.objects.filter(invoice=OuterRef("pk")).order_by().values("invoice")
        .annotate(s=Sum("amount")).values("s")
    )
    return Subquery(allocated, output_field=DecimalField(max_digits=14, decimal_places=2))


def invoices_with_outstanding(org: Organisation) -> QuerySet[Invoice]:
    """Invoices annotated with `allocated` and `outstanding` = max(total − allocations, 0).

    A credit note's outstanding is its unapplied part (total − what it settled).
    """
    used_credit = (
        Allocation.objects.filter(credit_note=OuterRef("pk")).order_by().values("credit_note")
        .annotate(s=Sum("amount")).values("s")
    )
    allocated = Case(
        When(kind=Invoice.Kind.CREDIT_NOTE,
             then=Coalesce(Subquery(used_credit, output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO)),
        default=Coalesce(_allocated_subquery(), ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    return scoped(Invoice, org).annotate(allocated=Money(allocated)).annotate(
        outstanding=Money(Greatest(
            ExpressionWrapper(F("total_incl_tax") - F("allocated"), output_field=DecimalField(max_digits=14, decimal_places=2)),
            ZERO,
        ))
    )


def open_invoices(org: Organisation) -> QuerySet[Invoice]:
    return invoices_with_outstanding(org).filter(
        kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN, outstanding__gt=0  # type: ignore[misc]
    )


def customers_with_balances(org: Organisation, *, today: date) -> QuerySet[Customer]:
    """Customers with `outstanding` and `overdue` totals over their open invoices (one query)."""
    open_inv = open_invoices(org).filter(customer=OuterRef("pk"))
    dec = DecimalField(max_digits=14, decimal_places=2)
    outstanding = open_inv.order_by().values("customer").annotate(s=Sum("outstanding")).values("s")
    overdue = (
        open_inv.filter(due_date__lt=today).order_by().values("customer").annotate(s=Sum("outstanding")).values("s")
    )
    return scoped(Customer, org).annotate(
        outstanding=Money(Coalesce(Subquery(outstanding, output_field=dec), ZERO)),
        overdue=Money(Coalesce(Subquery(overdue, output_field=dec), ZERO)),
    )


def customer_get(*, org: Organisation, ref: str | None = None, pk: int | None = None) -> Customer:
    qs = scoped(Customer, org)
    customer = qs.filter(ref=ref).first() if ref is not None else qs.filter(pk=pk or 0).first()
    if customer is None:
        raise ApplicationError(_("Client inconnu : %(ref)s") % {"ref": ref if ref is not None else pk})
    return customer


def invoice_get(*, org: Organisation, number: str) -> Invoice:
    invoice = scoped(Invoice, org).filter(number=number).first()
    if invoice is None:
        raise ApplicationError(_("Facture inconnue : %(number)s") % {"number": number})
    return invoice


def invoice_outstanding(invoice: Invoice) -> Decimal:
    """Outstanding of one invoice (for detail pages and services; lists use the annotation)."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        used = Allocation.objects.filter(credit_note=invoice).aggregate(s=Money(Sum("amount")))["s"] or Decimal("0")
    else:
        used = invoice.allocations.aggregate(s=Money(Sum("amount")))["s"] or Decimal("0")
    return max(invoice.total_incl_tax - used, Decimal("0.00"))


def customer_unapplied_credit(*, org: Organisation, customer: Customer) -> Decimal:
    """Over-payments kept on the customer: payments not fully allocated."""
    total = Decimal("0.00")
    payments = scoped(Payment, org).filter(customer=customer).exclude(status=Payment.Status.REVERSED)
    for p in payments.annotate(used=Money(Coalesce(Sum("allocations__amount"), ZERO))):
        total += max(p.amount - p.used, Decimal("0"))  # type: ignore[attr-defined]
    return total


__all__ = ["Q", "scoped"]
