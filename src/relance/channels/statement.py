"""Account statement (relevé de compte): every open item of a customer on one PDF."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string

from relance.accounts.models import Organisation
from relance.channels.builders import context_for_customer
from relance.channels.letters import letter_qr
from relance.channels.pdf import html_to_document, logo_uri
from relance.core.money import ZERO, money
from relance.ledger.models import Customer, Invoice
from relance.ledger.selectors import customer_unapplied_credit, invoices_with_outstanding


def statement_pdf(*, org: Organisation, customer: Customer, today: date) -> tuple[bytes, int]:
    """(PDF bytes, pages). Open invoices with what is left to pay, unapplied credit notes and payments."""
    ctx = context_for_customer(org=org, customer=customer, today=today, step="reminder_1", channel="letter",
                               portal_link="")
    credits = [c for c in invoices_with_outstanding(org).filter(customer=customer, kind=Invoice.Kind.CREDIT_NOTE)
               .order_by("issue_date") if c.outstanding > 0]  # type: ignore[attr-defined]
    unapplied = customer_unapplied_credit(org=org, customer=customer)
    credit_total = money(sum((c.outstanding for c in credits), ZERO) + unapplied)  # type: ignore[attr-defined]
    overdue = money(sum((i.outstanding for i in ctx.invoices if i.due_date < today), ZERO))
    html = render_to_string("channels/statement.html", {
        "ctx": ctx, "org": org, "customer": customer, "today": today, "credits": credits,
        "unapplied": unapplied, "credit_total": credit_total, "overdue": overdue,
        "balance": money(ctx.total_outstanding - credit_total), "qr_code": letter_qr(ctx),
        "logo_uri": logo_uri(ctx.logo_path),
    })
    document = html_to_document(html, allowed={logo_uri(ctx.logo_path)} - {""})
    return document.write_pdf(), len(document.pages)
