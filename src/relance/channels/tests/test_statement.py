"""The account statement: disputed invoices marked and totalled apart, promises and payment plans marked,
English for an English reader, and the faster rendering drawing the very same PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from relance.channels import statement
from relance.channels.builders import context_for_customer
from relance.channels.context import InvoiceLine
from relance.channels.email import email_build
from relance.channels.pdf import html_to_pdf
from relance.channels.statement import StatementLine, statement_html, statement_pdf, statement_totals
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.dunning.services import dispute_open, promise_record
from relance.portal.models import PaymentPlan

TODAY = date(2025, 3, 17)


def _text(pdf: bytes) -> str:
    raw = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(raw.replace("\u202f", " ").replace("\xa0", " ").split())


def _line(number: str, due: date, outstanding: str, disputed: bool = False) -> StatementLine:
    amount = Decimal(outstanding)
    return StatementLine(invoice=InvoiceLine(number=number, issue_date=date(2025, 1, 1), due_date=due, amount=amount,
                                             outstanding=amount, days_late=0), disputed=disputed)


def test_disputed_invoices_are_totalled_apart_and_left_out_of_what_is_overdue():
    lines = (_line("A", date(2025, 2, 1), "100.10"), _line("B", date(2025, 2, 16), "200.20", disputed=True),
             _line("C", date(2025, 4, 1), "0.33", disputed=True), _line("D", TODAY, "300.30"),
             _line("E", date(2025, 3, 16), "0.01"))
    totals = statement_totals(lines, today=TODAY)
    assert totals.outstanding == Decimal("600.94")
    assert totals.overdue == Decimal("100.11")  # A and E: due before today and not disputed (D is due today)
    assert totals.disputed == Decimal("200.53")  # B, overdue, and C, not yet due


@pytest.fixture
def debtor(org):
    customer = CustomerFactory(org=org, name="Garage Martin", ref="C100")
    ContactFactory(customer=customer, email="compta@garage-martin.fr")
    for number, amount, due in (("FA-1", "100.10", date(2025, 2, 1)), ("FA-2", "200.20", date(2025, 2, 16)),
                                ("FA-3", "300.30", date(2025, 3, 3)), ("FA-4", "400.40", date(2025, 4, 2))):
        InvoiceFactory(customer=customer, number=number, total_incl_tax=Decimal(amount),
                       issue_date=date(2025, 1, 2), due_date=due)
    return customer


def _dispute(org, customer, number):
    dispute_open(org=org, invoice=customer.invoices.get(number=number), reason="Livraison incomplète", today=TODAY)


@pytest.mark.django_db
def test_a_disputed_invoice_is_marked_out_of_what_is_overdue_and_on_its_own_line(org, debtor):
    _dispute(org, debtor, "FA-2")
    text = _text(statement_pdf(org=org, customer=debtor, today=TODAY)[0])
    assert "FA-2 En litige" in text and "FA-1 En litige" not in text and text.count("En litige") == 1
    assert "Total restant dû 1 001,00 €" in text
    assert "dont échu 400,40 €" in text  # FA-1 and FA-3; FA-2 disputed, FA-4 not yet due
    assert "dont en litige 200,20 €" in text


@pytest.mark.django_db
def test_a_statement_without_dispute_has_no_dispute_line(org, debtor):
    text = _text(statement_pdf(org=org, customer=debtor, today=TODAY)[0])
    assert "dont échu 600,60 €" in text
    assert "litige" not in text


@pytest.mark.django_db
def test_a_resolved_dispute_counts_as_overdue_again(org, debtor):
    from relance.dunning.services import dispute_resolve

    _dispute(org, debtor, "FA-2")
    dispute_resolve(org=org, invoice=debtor.invoices.get(number="FA-2"), today=TODAY)
    text = _text(statement_pdf(org=org, customer=debtor, today=TODAY)[0])
    assert "dont échu 600,60 €" in text and "litige" not in text


@pytest.mark.django_db
def test_promised_and_planned_invoices_are_marked(org, debtor):
    promise_record(org=org, customer=debtor, until=date(2025, 3, 25), today=TODAY,
                   invoices=[debtor.invoices.get(number="FA-1")])
    plan = PaymentPlan.objects.create(org=org, customer=debtor, instalments_requested=3, first_date=TODAY,
                                      total=Decimal("300.30"), status=PaymentPlan.Status.APPROVED,
                                      requested_on=TODAY)
    plan.invoices.set([debtor.invoices.get(number="FA-3")])
    text = _text(statement_pdf(org=org, customer=debtor, today=TODAY)[0])
    assert "FA-1 Paiement promis au 25/03/2025" in text
    assert "FA-3 Échéancier en cours" in text
    assert text.count("Paiement promis") == 1 and text.count("Échéancier en cours") == 1
    assert "dont échu 600,60 €" in text  # still overdue: only a dispute takes an invoice out


@pytest.mark.django_db
def test_a_cancelled_plan_and_a_broken_promise_mark_nothing(org, debtor):
    promise = promise_record(org=org, customer=debtor, until=date(2025, 3, 25), today=TODAY,
                             invoices=[debtor.invoices.get(number="FA-1")])
    promise.status = "broken"
    promise.save()
    plan = PaymentPlan.objects.create(org=org, customer=debtor, instalments_requested=3, first_date=TODAY,
                                      total=Decimal("300.30"), status=PaymentPlan.Status.CANCELLED,
                                      requested_on=TODAY)
    plan.invoices.set([debtor.invoices.get(number="FA-3")])
    text = _text(statement_pdf(org=org, customer=debtor, today=TODAY)[0])
    assert "Paiement promis" not in text and "Échéancier" not in text


@pytest.mark.django_db
def test_an_english_statement_says_disputed(org, debtor):
    _dispute(org, debtor, "FA-2")
    text = _text(statement_pdf(org=org, customer=debtor, today=TODAY, language="en")[0])
    assert "Statement of account as at 2025-03-17" in text
    assert "FA-2 Disputed" in text
    assert "Total outstanding 1 001,00 €" in text
    assert "of which overdue 400,40 €" in text and "of which disputed 200,20 €" in text
    assert "Relevé" not in text and "litige" not in text


@pytest.mark.django_db
def test_the_qr_code_does_not_ask_for_the_disputed_invoice(org, debtor, monkeypatch):
    _dispute(org, debtor, "FA-2")
    asked = []
    monkeypatch.setattr(statement, "letter_qr", lambda ctx: asked.append(ctx) or "")
    statement_html(org=org, customer=debtor, today=TODAY)
    assert [i.number for i in asked[0].invoices] == ["FA-1", "FA-3", "FA-4"]
    assert asked[0].total_outstanding == Decimal("800.80")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_faster_rendering_draws_the_same_pdf_as_the_plain_one(org, debtor, language):
    """The stylesheet parsed once and the font configuration kept change nothing in the file."""
    _dispute(org, debtor, "FA-2")
    statement._render.cache_clear()
    fast, pages = statement_pdf(org=org, customer=debtor, today=TODAY, language=language)
    plain = html_to_pdf(statement_html(org=org, customer=debtor, today=TODAY, language=language, inline_css=True))
    assert (fast, pages) == plain


@pytest.mark.django_db
def test_two_messages_to_one_customer_on_one_day_share_one_rendering(org, debtor):
    statement._render.cache_clear()
    ctx = context_for_customer(org=org, customer=debtor, today=TODAY, step="reminder_1", channel="email")
    first = email_build(org=org, customer=debtor, ctx=ctx, today=TODAY, with_statement=True)
    second = email_build(org=org, customer=debtor, ctx=ctx, today=TODAY, with_statement=True)
    assert statement._render.cache_info().misses == 1 and statement._render.cache_info().hits == 1
    assert first.attachments[-1] == second.attachments[-1]
    _dispute(org, debtor, "FA-2")  # the ledger changed: a new statement, never the stale one
    third = email_build(org=org, customer=debtor, ctx=ctx, today=TODAY, with_statement=True)
    assert statement._render.cache_info().misses == 2
    assert "En litige" in _text(third.attachments[-1][1])


@pytest.mark.django_db
def test_an_english_customer_gets_an_english_statement_in_the_e_mail(org, debtor):
    debtor.language = "en"
    debtor.save()
    ctx = context_for_customer(org=org, customer=debtor, today=TODAY, step="reminder_1", channel="email")
    name, data, mimetype = email_build(org=org, customer=debtor, ctx=ctx, today=TODAY,
                                       with_statement=True).attachments[-1]
    assert name == "Statement-of-account-C100-2025-03-17.pdf" and mimetype == "application/pdf"
    assert "Statement of account as at 2025-03-17" in _text(data)


def test_every_word_of_the_statement_exists_in_each_language():
    keys = {language: set(words) for language, words in statement.LABELS.items()}
    assert keys["en"] == keys["fr"]
    assert all(word.strip() for words in statement.LABELS.values() for word in words.values())
