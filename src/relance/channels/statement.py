"""Account statement (relevé de compte): every open item of a customer on one PDF.

Each open invoice says what the reader should know about it: in dispute (left out of "dont échu" and
totalled on its own line, and out of the amount the payment QR code asks for), covered by a promise to pay,
or under a payment plan.

The PDF is most of what an e-mail reminder costs (it goes with each one, see bench/channels_documents.py),
so its rendering keeps what can be kept: the stylesheet (channels/statement.css) is parsed once, the font
configuration is kept per thread (WeasyPrint's Pango font map then keeps its caches warm), and the same
statement asked twice in a process (several messages to one customer on one day) is laid out once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.template.loader import render_to_string

from relance.accounts.models import Organisation
from relance.channels.builders import context_for_customer
from relance.channels.context import InvoiceLine
from relance.channels.letters import letter_qr
from relance.channels.pdf import _url_fetcher, logo_uri
from relance.core.money import ZERO, money
from relance.ledger.models import Customer, Dispute, Invoice, Promise
from relance.ledger.selectors import customer_unapplied_credit, invoices_with_outstanding, scoped

STYLESHEET = Path(__file__).resolve().parent / "templates" / "channels" / "statement.css"
#: as in the reminders (rendering._short_date): French dates in French, ISO dates otherwise
DATE_FORMATS = {"fr": "d/m/Y", "en": "Y-m-d"}
#: The statement speaks the customer's language, like the reminders it goes with (message_templates/<language>/),
#: whoever asks for it: its words live here, not in a reader-language gettext catalogue.
LABELS = {
    "fr": {
        "title": "Relevé de compte", "footer": "relevé de compte au", "heading": "Relevé de compte au",
        "customer": "Client :", "open_invoices": "Factures ouvertes", "invoice": "Facture", "date": "Date",
        "due": "Échéance", "amount": "Montant TTC", "outstanding": "Reste dû", "days_late": "Jours de retard",
        "disputed": "En litige", "promised": "Paiement promis au", "plan": "Échéancier en cours",
        "total": "Total restant dû", "overdue": "dont échu", "of_which_disputed": "dont en litige",
        "none": "Aucune facture ouverte : votre compte est à jour. Merci !",
        "credits": "Avoirs et règlements non affectés", "credit_note": "Avoir", "of": "du",
        "unapplied": "Règlements non affectés", "balance": "Solde du compte", "qr": "QR code SEPA",
        "transfer": "Règlement par virement", "to": "au bénéfice de", "iban": "IBAN :", "bic": "BIC :",
        "reference": "Référence à indiquer :",
    },
    "en": {
        "title": "Statement of account", "footer": "statement of account as at",
        "heading": "Statement of account as at", "customer": "Customer:", "open_invoices": "Open invoices",
        "invoice": "Invoice", "date": "Date", "due": "Due date", "amount": "Amount incl. VAT",
        "outstanding": "Outstanding", "days_late": "Days late", "disputed": "Disputed",
        "promised": "Payment promised by", "plan": "Payment plan in progress", "total": "Total outstanding",
        "overdue": "of which overdue", "of_which_disputed": "of which disputed",
        "none": "No open invoice: your account is up to date. Thank you!",
        "credits": "Credit notes and unallocated payments", "credit_note": "Credit note", "of": "of",
        "unapplied": "Unallocated payments", "balance": "Account balance", "qr": "SEPA QR code",
        "transfer": "Payment by bank transfer", "to": "to", "iban": "IBAN:", "bic": "BIC:",
        "reference": "Reference to quote:",
    },
}
LANGUAGES = tuple(LABELS)


@dataclass(frozen=True)
class StatementLine:
    invoice: InvoiceLine
    disputed: bool = False
    promised_until: date | None = None
    payment_plan: bool = False


@dataclass(frozen=True)
class StatementTotals:
    outstanding: Decimal
    #: "dont échu": what is past its due date, disputed invoices left out
    overdue: Decimal
    #: "dont en litige", whatever the due date
    disputed: Decimal


def statement_totals(lines: tuple[StatementLine, ...], *, today: date) -> StatementTotals:
    def total(chosen: list[StatementLine]) -> Decimal:
        return money(sum((line.invoice.outstanding for line in chosen), ZERO))

    return StatementTotals(
        outstanding=total(list(lines)),
        overdue=total([line for line in lines if line.invoice.due_date < today and not line.disputed]),
        disputed=total([line for line in lines if line.disputed]),
    )


def statement_lines(*, org: Organisation, customer: Customer, invoices: tuple[InvoiceLine, ...],
                    today: date) -> tuple[StatementLine, ...]:
    """The open invoices with their open dispute, active promise (as the portal shows it: until today or
    later) and approved payment plan."""
    disputed = set(scoped(Dispute, org).filter(invoice__customer=customer, status=Dispute.Status.OPEN)
                   .values_list("invoice__number", flat=True))
    promised: dict[str, date] = {}
    for number, until in (scoped(Promise, org).filter(customer=customer, status=Promise.Status.ACTIVE,
                                                      until__gte=today).values_list("invoices__number", "until")):
        if number:
            promised[number] = max(promised.get(number, until), until)
    planned = _planned_numbers(org, customer)
    return tuple(StatementLine(invoice=i, disputed=i.number in disputed, promised_until=promised.get(i.number),
                               payment_plan=i.number in planned) for i in invoices)


def _planned_numbers(org: Organisation, customer: Customer) -> set[str]:
    try:  # the portal app owns payment plans; a statement without it simply shows none
        plan = apps.get_model("portal", "PaymentPlan")
    except LookupError:
        return set()
    return set(plan.objects.filter(org=org, customer=customer, status="approved")
               .values_list("invoices__number", flat=True)) - {None}


def statement_html(*, org: Organisation, customer: Customer, today: date, language: str = "fr",
                   inline_css: bool = False) -> str:
    """The statement's HTML; with `inline_css` it carries its whole stylesheet (a standalone page, and the
    bench's baseline), else statement_pdf adds the stylesheet parsed once."""
    language = language if language in LANGUAGES else "fr"
    ctx = context_for_customer(org=org, customer=customer, today=today, step="reminder_1", channel="letter",
                               portal_link="")
    lines = statement_lines(org=org, customer=customer, invoices=ctx.invoices, today=today)
    credits = [c for c in invoices_with_outstanding(org).filter(customer=customer, kind=Invoice.Kind.CREDIT_NOTE)
               .order_by("issue_date") if c.outstanding > 0]  # type: ignore[attr-defined]
    unapplied = customer_unapplied_credit(org=org, customer=customer)
    credit_total = money(sum((c.outstanding for c in credits), ZERO) + unapplied)  # type: ignore[attr-defined]
    totals = statement_totals(lines, today=today)
    # The QR code asks for what is not disputed: scanning it must not pay a contested invoice.
    payable = replace(ctx, invoices=tuple(line.invoice for line in lines if not line.disputed))
    return render_to_string("channels/statement.html", {
        "ctx": ctx, "org": org, "customer": customer, "today": today, "lines": lines, "totals": totals,
        "credits": credits, "unapplied": unapplied, "balance": money(totals.outstanding - credit_total),
        "qr_code": letter_qr(payable), "logo_uri": logo_uri(ctx.logo_path), "language": language,
        "t": LABELS[language], "date_format": DATE_FORMATS[language],
        "inline_css": _css_text() if inline_css else "",
    })


def statement_pdf(*, org: Organisation, customer: Customer, today: date,
                  language: str = "fr") -> tuple[bytes, int]:
    """(PDF bytes, pages). Open invoices with what is left to pay, unapplied credit notes and payments."""
    html = statement_html(org=org, customer=customer, today=today, language=language)
    logo = logo_uri(org.logo.path) if org.logo else ""
    # The logo's modification time is part of the key: a file replaced in place is not served stale.
    return _render(html, logo, Path(org.logo.path).stat().st_mtime_ns if logo else 0)


@lru_cache(maxsize=128)  # a day's run may put many customers between two messages to one customer
def _render(html: str, logo: str, logo_mtime: int) -> tuple[bytes, int]:
    from weasyprint import HTML

    document = HTML(string=html, base_url=None, url_fetcher=_url_fetcher({logo} - {""})).render(
        font_config=_thread.fonts(), stylesheets=[_thread.stylesheet()])
    return document.write_pdf(), len(document.pages)


@lru_cache(maxsize=1)
def _css_text() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


class _PerThread(threading.local):
    """WeasyPrint's font configuration (a Pango font map) is not shared across threads: one per thread."""

    font_config: Any = None
    css: Any = None

    def fonts(self) -> Any:
        if self.font_config is None:
            from weasyprint.text.fonts import FontConfiguration

            self.font_config = FontConfiguration()
        return self.font_config

    def stylesheet(self) -> Any:
        if self.css is None:
            from weasyprint import CSS

            self.css = CSS(string=_css_text(), font_config=self.fonts())
        return self.css


_thread = _PerThread()
