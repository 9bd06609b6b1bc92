"""Bank imports that go through but deserve a word: a statement of an account that is not the organisation's,
and credits in another currency than the books', which are never set against EUR invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from relance.accounts.models import Organisation
from relance.banking.matching import OpenBook, OpenInvoice, PaymentFacts, match_payment
from relance.banking.records import ParsedStatement
from relance.banking.services import bank_import, foreign_account_warning
from relance.banking.tests.builders import camt053, credit
from relance.banking.tests.test_parsers import CORPUS
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.models import Payment
from relance.ledger.selectors import scoped

TODAY = date(2025, 3, 15)
FOREIGN = "n'est pas l'IBAN de l'organisation"
BY_HAND = "devise CHF : à rapprocher à la main"

# organisation's IBAN, statement's IBAN, warned?
ACCOUNTS = [
    ("FR7630006000011234567890189", "NL77ABNA0574908765", True),
    ("FR7630006000011234567890189", "FR7630006000011234567890189", False),
    ("fr76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189", False),  # as typed in the settings
    ("", "NL77ABNA0574908765", False),  # no IBAN set: nothing to compare with
    ("FR7630006000011234567890189", "", False),  # a statement without IBAN (a CSV, an OFX account number)
]


@pytest.mark.parametrize(("own", "theirs", "warned"), ACCOUNTS)
def test_a_statement_of_another_account_is_said(own, theirs, warned):
    warning = foreign_account_warning(Organisation(iban=own), ParsedStatement(file="r.xml", format="camt053",
                                                                              account_iban=theirs))
    assert bool(warning) is warned
    if warned:
        assert warning.startswith("r.xml : ") and theirs in warning and FOREIGN in warning


@pytest.mark.django_db
@pytest.mark.parametrize(("iban", "warned"), [("FR7630006000011234567890189", True), ("", False),
                                              ("NL77ABNA0574908765", False)])
def test_the_import_report_names_the_foreign_account(org, iban, warned):
    org.iban = iban
    org.save()
    report = bank_import(org=org, paths=[CORPUS / "test-camt053.xml"], today=TODAY)
    assert report.created == 1  # imported all the same
    found = [w for w in report.warnings if FOREIGN in w]
    assert len(found) == int(warned)
    if warned:
        assert "test-camt053.xml" in found[0] and "NL77ABNA0574908765" in found[0]


@pytest.mark.django_db
def test_the_command_and_the_browser_show_the_foreign_account(org, bob, client_for):
    err = StringIO()
    call_command("import", "bank", str(CORPUS / "test-camt054.xml"), "--dry-run", stdout=StringIO(), stderr=err)
    assert FOREIGN in err.getvalue()
    response = client_for(bob).post(reverse("banking:upload"), {
        "files": [SimpleUploadedFile("test-camt054.xml", (CORPUS / "test-camt054.xml").read_bytes())],
        "dry_run": "1"})
    assert "pas l&#x27;IBAN de l&#x27;organisation" in response.content.decode()


# --- Foreign currencies ------------------------------------------------------------------------------------

EUR_BOOK = [OpenInvoice(1, "FA-2025-0012", 7, Decimal("2187.00"), payment_reference="RF18FA20250012")]
CHF_BOOK = [*EUR_BOOK, OpenInvoice(2, "FA-2025-0013", 8, Decimal("2187.00"), currency="CHF")]


def facts(currency: str, remittance: str = "", iban: str = "", cref: str = "") -> PaymentFacts:
    return PaymentFacts(Decimal("2187.00"), currency, remittance, "", iban, cref)


@pytest.mark.parametrize(("payment", "invoices", "matched"), [
    (facts("CHF", "FA-2025-0012"), EUR_BOOK, []),  # the number of an EUR invoice: not in francs
    (facts("CHF", cref="RF18FA20250012"), EUR_BOOK, []),
    (facts("CHF", iban="CH2222000000123456789"), EUR_BOOK, []),  # a known payer, an EUR invoice of that amount
    (facts("CHF"), EUR_BOOK, []),  # the amount of exactly one EUR invoice
    (facts("CHF"), CHF_BOOK, ["FA-2025-0013"]),  # an invoice in francs may take it
    (facts("EUR"), EUR_BOOK, ["FA-2025-0012"]),
])
def test_a_credit_is_only_set_against_invoices_in_its_currency(payment, invoices, matched):
    book = OpenBook([OpenInvoice(i.id, i.number, i.customer_id, i.outstanding, i.currency, i.due_date,
                                 i.payment_reference) for i in invoices], [])
    book.learn_iban("CH2222000000123456789", 7)
    decision = match_payment(payment, book)
    assert [inv.number for inv, _ in decision.allocations] == matched
    if not matched:
        assert decision.rule == "review" and BY_HAND in decision.reason


def test_a_foreign_credit_keeps_what_the_rules_found_for_the_reviewer():
    book = OpenBook(EUR_BOOK, [])
    book.learn_iban("CH2222000000123456789", 7)
    decision = match_payment(facts("CHF", iban="CH2222000000123456789"), book)
    assert decision.customer_id == 7 and decision.identified_by == "iban"
    assert decision.reason.startswith("À vérifier, devise CHF : à rapprocher à la main — IBAN du payeur")


@pytest.mark.django_db
def test_the_chf_corpus_goes_to_the_review_queue_and_the_summary_counts_it(org):
    customer = CustomerFactory(org=org, payer_ibans=["CH2222000000123456789"])
    invoice = InvoiceFactory(customer=customer, total_incl_tax=Decimal("2187.00"), number="FA-2025-0012")
    report = bank_import(org=org, paths=[CORPUS / "test-camt053-txdtls.xml"], today=TODAY)
    payments = scoped(Payment, org).order_by("amount")
    assert [(p.currency, p.status) for p in payments] == [("CHF", "unmatched"), ("CHF", "unmatched")]
    assert all(BY_HAND in p.match_reason for p in payments)
    assert payments.get(amount=Decimal("2187.00")).customer == customer  # the payer is named for the reviewer
    assert not invoice.allocations.exists()
    summary = next(w for w in report.warnings if w.startswith("Rapprochement"))
    assert "2 à vérifier" in summary and "dont 2 en devise étrangère à rapprocher à la main (2 en CHF)" in summary


@pytest.mark.django_db
def test_an_eur_import_says_nothing_of_currencies(org):
    InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("120.00"), number="FA-2025-0012")
    report = bank_import(org=org, paths=[("r.xml", camt053(credit("120.00", ref="B1", remittance="FA-2025-0012"),
                                                           credit("99.00", ref="B2")))], today=TODAY)
    summary = next(w for w in report.warnings if w.startswith("Rapprochement"))
    assert summary == ("Rapprochement : 1 paiement(s) affecté(s) automatiquement, 1 à vérifier dans la file "
                       "« Paiements à rapprocher ».")
