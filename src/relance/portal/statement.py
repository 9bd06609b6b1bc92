"""Account statement PDF (WeasyPrint) for the debtor: open invoices, amounts due, how to pay."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string

from relance.accounts.models import Organisation
from relance.ledger.models import Customer
from relance.portal.selectors import Overview


def statement_pdf(*, org: Organisation, customer: Customer, overview: Overview, today: date) -> bytes:
    from weasyprint import HTML

    html = render_to_string("portal/statement.html", {"org": org, "customer": customer, "overview": overview,
                                                      "today": today})
    # No base_url: the statement loads nothing from outside the string.
    return bytes(HTML(string=html).write_pdf())
