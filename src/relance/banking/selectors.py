"""Organisation-scoped reads for bank data: the open book for matching, the review queue, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, QuerySet, Sum

from relance.accounts.models import Organisation
from relance.banking.matching import KnownCustomer, OpenBook, OpenInvoice, PaymentFacts, identify_payer
from relance.banking.models import BankStatement
from relance.core.db import Money
from relance.ledger.models import Allocation, Customer, Invoice, Payment
from relance.ledger.selectors import open_invoices, scoped
from relance.portal.api import payment_intent_references


def allocated_by_invoice(org: Organisation, invoice_ids: list[int] | None = None) -> dict[int, Decimal]:
    """What already settles each invoice (payments, credit notes, accounting), in one grouped query."""
    qs = scoped(Allocation, org)
    if invoice_ids is not None:
        qs = qs.filter(invoice_id__in=invoice_ids)
    return dict(qs.order_by().values("invoice_id").annotate(s=Money(Sum("amount"))).values_list("invoice_id", "s"))


def open_book(org: Organisation) -> OpenBook:
    """Every open invoice and known payer of the organisation, and the creditor references the portal gave for
    several invoices, in five plain queries (not one per payment).

    Same figures as ledger.selectors.open_invoices, computed without a correlated subquery per invoice.
    """
    allocated = allocated_by_invoice(org)
    rows = scoped(Invoice, org).filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN).values_list(
        "id", "number", "customer_id", "total_incl_tax", "currency", "due_date", "payment_reference")
    invoices = []
    for pk, number, customer_id, total, currency, due, reference in rows.iterator(chunk_size=5000):
        outstanding = total - allocated.get(pk, Decimal("0"))
        if outstanding > 0:
            invoices.append(OpenInvoice(pk, number, customer_id, outstanding, currency, due, reference))
    customers = [KnownCustomer(pk, name, list(ibans or []))
                 for pk, name, ibans in scoped(Customer, org).values_list("id", "name", "payer_ibans")]
    closed = scoped(Invoice, org).exclude(status=Invoice.Status.OPEN).values_list("number", flat=True)
    return OpenBook(invoices, customers, closed, intents=payment_intent_references(org=org))


def payer_book(org: Organisation) -> OpenBook:
    """Known payers only (IBANs and names), to suggest a customer in the review queue."""
    customers = [KnownCustomer(pk, name, list(ibans or []))
                 for pk, name, ibans in scoped(Customer, org).values_list("id", "name", "payer_ibans")]
    return OpenBook([], customers)


def latest_statement_date(org: Organisation) -> date | None:
    agg = scoped(BankStatement, org).aggregate(closing=Max("closing_date"), imported=Max("imported_on"))
    return agg["closing"] or agg["imported"]


def statement_list(org: Organisation) -> QuerySet[BankStatement]:
    return scoped(BankStatement, org).order_by("-closing_date", "-id")


def review_queue(org: Organisation) -> QuerySet[Payment]:
    return scoped(Payment, org).filter(status=Payment.Status.UNMATCHED).select_related("customer").order_by("date", "id")


def payment_facts(payment: Payment) -> PaymentFacts:
    return PaymentFacts(amount=payment.amount, currency=payment.currency, remittance=payment.remittance,
                        payer_name=payment.payer_name, payer_iban=payment.payer_iban)


def suggested_customer(*, org: Organisation, payment: Payment, book: OpenBook) -> int | None:
    """For the review queue: the payment's customer if known, else the payer identified by IBAN or name."""
    return payment.customer_id or identify_payer(payment_facts(payment), book)[0]


def customer_open_invoices(*, org: Organisation, customer_id: int) -> QuerySet[Invoice]:
    return open_invoices(org).filter(customer_id=customer_id).order_by("due_date", "id")


@dataclass
class ReportRow:
    invoice_number: str
    customer_ref: str
    customer_name: str
    issue_date: date
    total: Decimal
    currency: str
    received: Decimal = Decimal("0.00")
    payments: list[tuple[date, Decimal, str]] = field(default_factory=list)
    fully_paid: bool = False

    @property
    def last_payment_date(self) -> date:
        return max(d for d, _, _ in self.payments)

    def as_dict(self) -> dict[str, object]:
        return {
            "invoice": self.invoice_number, "customer": self.customer_ref, "customer_name": self.customer_name,
            "issue_date": self.issue_date.isoformat(), "total": f"{self.total:.2f}", "currency": self.currency,
            "received": f"{self.received:.2f}", "fully_paid": self.fully_paid,
            "payments": [{"date": d.isoformat(), "amount": f"{a:.2f}", "reference": r} for d, a, r in self.payments],
        }


def payment_report(*, org: Organisation, start: date, end: date) -> list[ReportRow]:
    """Money received per invoice between two dates (inclusive), for the e-invoicing « Encaissée » status."""
    allocations = (
        scoped(Allocation, org).filter(source=Allocation.Source.PAYMENT, date__range=(start, end))
        .exclude(payment__status=Payment.Status.REVERSED)
        .select_related("invoice__customer", "payment").order_by("invoice__number", "date", "id")
    )
    rows: dict[int, ReportRow] = {}
    for a in allocations:
        inv = a.invoice
        row = rows.get(inv.id) or rows.setdefault(inv.id, ReportRow(
            inv.number, inv.customer.ref, inv.customer.name, inv.issue_date, inv.total_incl_tax, inv.currency,
            fully_paid=inv.status == Invoice.Status.PAID))
        row.received += a.amount
        payment = a.payment
        assert payment is not None  # source=payment
        row.payments.append((a.date, a.amount, payment.bank_transaction_id or payment.reference or ""))
    return list(rows.values())
