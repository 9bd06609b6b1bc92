"""`bank_import`: the corpus into an organisation, idempotence, all-or-nothing, matching and reversals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relance.activity.models import Event, Task
from relance.banking.api import bank_staleness_warning
from relance.banking.models import BankReversal, BankStatement
from relance.banking.services import bank_import
from relance.banking.tests.builders import camt053, credit, csv_statement
from relance.banking.tests.test_parsers import CORPUS
from relance.core.errors import InputError
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.models import Invoice, Payment
from relance.ledger.selectors import customer_unapplied_credit, invoice_outstanding, scoped

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 15)


def run(org, *files, **kw):
    return bank_import(org=org, paths=list(files), today=TODAY, **kw)


@pytest.mark.parametrize(("name", "created", "statements"), [
    ("test-camt053.xml", 1, 1), ("test-camt053-txdtls.xml", 2, 1), ("test-camt053-no-ntry.xml", 0, 1),
    ("test-camt054.xml", 1, 1), ("test_ofx.ofx", 0, 2), ("test_ofx_iban.ofx", 0, 2),
])
def test_each_corpus_file_imports_into_an_empty_organisation(org, name, created, statements):
    report = run(org, CORPUS / name)
    assert (report.created, report.unchanged, report.errors) == (created, 0, [])
    assert scoped(Payment, org).count() == created
    assert scoped(BankStatement, org).count() == statements


def test_the_corpus_payments_carry_payer_remittance_and_bank_reference(org):
    run(org, CORPUS / "test-camt053-txdtls.xml")
    payments = scoped(Payment, org).order_by("amount")
    assert [(p.amount, p.currency, p.payer_iban, p.status) for p in payments] == [
        (Decimal("1296.00"), "CHF", "CH3333000000123456789", "unmatched"),
        (Decimal("2187.00"), "CHF", "CH2222000000123456789", "unmatched"),
    ]
    assert payments[0].bank_transaction_id.endswith("#2")
    assert "302388292000022222222222222" in payments[0].remittance


def test_the_malformed_ofx_is_refused_and_nothing_of_the_batch_is_written(org):
    with pytest.raises(InputError) as exc:
        run(org, CORPUS / "test-camt054.xml", CORPUS / "test_ofx_wrong.ofx")
    assert {p.file for p in exc.value.problems} == {"test_ofx_wrong.ofx"}
    assert not scoped(Payment, org).exists() and not scoped(BankStatement, org).exists()


def test_paths_and_name_bytes_pairs_are_both_accepted(org, tmp_path):
    path = tmp_path / "releve.csv"
    path.write_bytes(csv_statement(("12/03/2025", "VIR A", "10,00")))
    report = run(org, path, ("autre.csv", csv_statement(("13/03/2025", "VIR B", "20,00"))))
    assert report.created == 2


def test_a_missing_file_is_an_input_error(org, tmp_path):
    with pytest.raises(InputError, match="illisible"):
        run(org, tmp_path / "absent.xml")


def test_reimporting_the_same_statement_counts_nothing_twice(org):
    first = run(org, CORPUS / "test-camt053-txdtls.xml")
    second = run(org, CORPUS / "test-camt053-txdtls.xml")
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    assert scoped(Payment, org).count() == 2 and scoped(BankStatement, org).count() == 1


def test_overlapping_statements_recognise_known_transactions_by_bank_reference(org):
    week1 = camt053(credit("100.00", ref="A1"), credit("200.00", ref="A2"), closing="2025-03-07")
    week2 = camt053(credit("200.00", ref="A2"), credit("300.00", ref="A3"), closing="2025-03-14")
    run(org, ("w1.xml", week1))
    report = run(org, ("w2.xml", week2))
    assert (report.created, report.unchanged) == (1, 1)
    assert sorted(scoped(Payment, org).values_list("amount", flat=True)) == [Decimal("100"), Decimal("200"), Decimal("300")]


def test_overlapping_files_in_one_import_count_a_transaction_once(org):
    one = csv_statement(("12/03/2025", "VIR A", "10,00"), ("13/03/2025", "VIR B", "20,00"))
    two = csv_statement(("13/03/2025", "VIR B", "20,00"), ("14/03/2025", "VIR C", "30,00"))
    report = run(org, ("a.csv", one), ("b.csv", two))
    assert (report.created, report.unchanged) == (3, 1)


def test_a_dry_run_reports_without_writing(org):
    report = run(org, CORPUS / "test-camt054.xml", dry_run=True)
    assert report.dry_run and report.created == 1
    assert not scoped(Payment, org).exists() and not scoped(BankStatement, org).exists()


def test_bank_references_are_per_organisation(org, other_org):
    run(other_org, CORPUS / "test-camt054.xml")
    assert run(org, CORPUS / "test-camt054.xml").created == 1


# --- Matching through the import ------------------------------------------------------------------

def test_a_payment_citing_the_invoice_number_settles_it_and_says_why_on_the_timeline(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), number="FA-2025-0012", total_incl_tax=Decimal("1200.00"))
    run(org, ("r.xml", camt053(credit("1200.00", ref="X1", remittance="FACTURE FA2025 0012", iban="FR7630001007941234567890185"))))
    payment = scoped(Payment, org).get()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert payment.status == Payment.Status.MATCHED and payment.customer == invoice.customer
    assert "FA-2025-0012" in payment.match_reason
    event = Event.objects.get(org=org, type="payment")
    assert event.customer == invoice.customer and "FA-2025-0012" in event.message
    invoice.customer.refresh_from_db()
    assert invoice.customer.payer_ibans == ["FR7630001007941234567890185"]  # learnt for next time


def test_a_partial_payment_leaves_the_rest_due(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), number="FA-2025-0012", total_incl_tax=Decimal("1200.00"))
    run(org, ("p.csv", csv_statement(("12/03/2025", "ACOMPTE FA-2025-0012", "400,00"))))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN and invoice_outstanding(invoice) == Decimal("800.00")


def test_a_surplus_is_kept_as_unapplied_credit_on_the_customer(org):
    customer = CustomerFactory(org=org)
    invoice = InvoiceFactory(customer=customer, number="FA-2025-0012", total_incl_tax=Decimal("1200.00"))
    run(org, ("s.csv", csv_statement(("12/03/2025", "FA-2025-0012", "1 250,00"))))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert customer_unapplied_credit(org=org, customer=customer) == Decimal("50.00")


def test_a_known_payer_iban_with_the_sum_of_two_invoices_settles_both(org):
    customer = CustomerFactory(org=org, payer_ibans=["FR7630001007941234567890185"])
    a = InvoiceFactory(customer=customer, total_incl_tax=Decimal("100.00"))
    b = InvoiceFactory(customer=customer, total_incl_tax=Decimal("250.00"))
    run(org, ("i.xml", camt053(credit("350.00", ref="X2", iban="FR76 3000 1007 9412 3456 7890 185"))))
    assert {i.status for i in Invoice.objects.filter(pk__in=[a.pk, b.pk])} == {Invoice.Status.PAID}
    assert "IBAN" in scoped(Payment, org).get().match_reason


def test_an_ambiguous_amount_goes_to_the_review_queue(org):
    InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("500.00"))
    InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("500.00"))
    report = run(org, ("a.csv", csv_statement(("12/03/2025", "VIREMENT", "500,00"))))
    payment = scoped(Payment, org).get()
    assert payment.status == Payment.Status.UNMATCHED and payment.customer is None
    assert "2 factures" in payment.match_reason
    assert any("1 à vérifier" in w for w in report.warnings)
    assert not Event.objects.filter(org=org, type="payment").exists()


def test_matching_never_reaches_another_organisations_invoices(org, other_org):
    InvoiceFactory(customer=CustomerFactory(org=other_org), number="FA-2025-0012", total_incl_tax=Decimal("10.00"))
    run(org, ("o.csv", csv_statement(("12/03/2025", "FA-2025-0012", "10,00"))))
    assert scoped(Payment, org).get().status == Payment.Status.UNMATCHED


def test_two_payments_of_one_import_do_not_settle_the_same_invoice_twice(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), number="FA-2025-0012", total_incl_tax=Decimal("100.00"))
    run(org, ("d.csv", csv_statement(("12/03/2025", "FA-2025-0012", "100,00"), ("13/03/2025", "FA-2025-0012 bis", "100,00"))))
    assert invoice_outstanding(invoice) == 0
    assert sorted(scoped(Payment, org).values_list("status", flat=True)) == ["matched", "unmatched"]


# --- Reversals -----------------------------------------------------------------------------------

ORIGINALS = camt053(
    credit("564.05", ref="O1", e2e="TESTBANK/NL/20141229/01206408", remittance="FA-2014-0001", day="2014-01-02"),
    credit("100.00", ref="O2", e2e="TESTBANK/NL/20141229/01206407", remittance="FA-2014-0002", day="2014-01-02"),
    closing="2014-01-02",
)


def test_the_corpus_reversal_undoes_the_allocations_of_the_payments_it_reverses(org):
    customer = CustomerFactory(org=org)
    first = InvoiceFactory(customer=customer, number="FA-2014-0001", total_incl_tax=Decimal("564.05"))
    second = InvoiceFactory(customer=customer, number="FA-2014-0002", total_incl_tax=Decimal("100.00"))
    run(org, ("originals.xml", ORIGINALS))
    assert {i.status for i in Invoice.objects.filter(pk__in=[first.pk, second.pk])} == {Invoice.Status.PAID}

    report = run(org, CORPUS / "test-camt053.xml")

    assert report.updated == 2 and report.created == 1  # two reversals, the 1405.31 credit
    assert set(scoped(Payment, org).filter(reference__startswith="TESTBANK").values_list("status", flat=True)) == {"reversed"}
    for invoice in (first, second):
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.OPEN and invoice_outstanding(invoice) == invoice.total_incl_tax
    assert Event.objects.filter(org=org, type="payment_reversed", customer=customer).count() == 2
    assert Task.objects.filter(org=org, kind=Task.Kind.CHECK_PAYMENT).count() == 2
    assert "AC06" in scoped(Payment, org).get(amount=Decimal("564.05")).match_reason

    again = run(org, CORPUS / "test-camt053.xml")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_reversal_without_a_known_original_is_recorded_and_reported(org):
    report = run(org, CORPUS / "test-camt053.xml")
    assert report.updated == 0
    assert scoped(BankReversal, org).filter(payment__isnull=True).count() == 2
    assert any("sans paiement d'origine connu" in w for w in report.warnings)


# --- Staleness -----------------------------------------------------------------------------------

def test_no_statement_at_all_is_a_staleness_warning(org):
    assert "Aucun relevé bancaire" in bank_staleness_warning(org=org, today=TODAY)


def test_a_recent_statement_gives_no_warning_and_an_old_one_does(org):
    run(org, ("r.xml", camt053(closing="2025-03-12")))  # an empty statement still dates the bank data
    assert bank_staleness_warning(org=org, today=date(2025, 3, 15)) is None
    warning = bank_staleness_warning(org=org, today=date(2025, 3, 16))
    assert "12/03/2025" in warning and "4 jours" in warning


def test_the_staleness_threshold_is_the_organisations_setting(org):
    org.bank_staleness_days = 10
    org.save()
    run(org, CORPUS / "test-camt053-no-ntry.xml")  # closing date 2014-01-05
    assert bank_staleness_warning(org=org, today=date(2014, 1, 15)) is None
    assert bank_staleness_warning(org=org, today=date(2014, 1, 16)) is not None


def test_a_reversal_imported_before_its_payment_cancels_it_when_the_payment_arrives(org):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), number="FA-2014-0001", total_incl_tax=Decimal("564.05"))
    run(org, CORPUS / "test-camt053.xml")
    report = run(org, ("originals.xml", ORIGINALS))
    assert report.updated == 2
    assert scoped(Payment, org).get(amount=Decimal("564.05")).status == Payment.Status.REVERSED
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN and not invoice.allocations.exists()
    assert not scoped(BankReversal, org).filter(payment__isnull=True).exists()


def test_a_200_mb_file_is_refused_unread(org, tmp_path):
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no disk used, and nothing is read
    with pytest.raises(InputError, match="trop volumineux"):
        run(org, huge)


def test_iban_learning_comes_only_from_strong_evidence(org):
    customer = CustomerFactory(org=org)
    InvoiceFactory(customer=customer, number="FA-2025-0100", total_incl_tax=Decimal("123.45"))
    InvoiceFactory(customer=customer, number="FA-2025-0101", total_incl_tax=Decimal("50.00"))
    run(org, ("a.xml", camt053(credit("123.45", ref="L1", iban="DE89370400440532013000"))))  # amount alone
    customer.refresh_from_db()
    assert customer.payer_ibans == []
    run(org, ("b.xml", camt053(credit("50.00", ref="L2", remittance="FA-2025-0101", iban="DE89370400440532013000"))))
    customer.refresh_from_db()
    assert customer.payer_ibans == ["DE89370400440532013000"]


def test_the_bulk_allocation_refuses_when_an_invoice_changed_since_matching(org):
    from relance.banking.matching import Decision, OpenInvoice
    from relance.banking.services import allocations_bulk_add
    from relance.core.errors import ApplicationError
    from relance.ledger.services import allocation_add

    invoice = InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("100.00"))
    payment = Payment.objects.create(org=org, date=TODAY, amount=Decimal("100.00"))
    decision = Decision("number", "test", [(OpenInvoice(invoice.pk, invoice.number, invoice.customer_id,
                                                        Decimal("100.00")), Decimal("100.00"))], invoice.customer_id)
    allocation_add(org=org, invoice=invoice, amount=Decimal("30.00"), day=TODAY)  # someone else, meanwhile
    with pytest.raises(ApplicationError, match="ont changé"):
        allocations_bulk_add(org=org, matched=[(payment, decision)])
    assert invoice.allocations.count() == 1


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(1, 99_999), min_size=1, max_size=8, unique=True), st.integers(0, 8), st.integers(0, 8),
       st.booleans())
def test_overlapping_statements_in_any_order_give_each_transaction_exactly_once(db, cents, cut_a, cut_b, reverse):
    from relance.core.factories import OrganisationFactory

    org = OrganisationFactory()
    entries = [credit(f"{c / 100:.2f}", ref=f"T{i}") for i, c in enumerate(cents)]
    first, second = entries[:max(cut_a, 1)], entries[min(cut_b, len(entries) - 1):]
    files = [("a.xml", camt053(*first)), ("b.xml", camt053(*second)), ("a-again.xml", camt053(*first))]
    for f in (reversed(files) if reverse else files):
        run(org, f)
    expected = sorted(set(cents[:max(cut_a, 1)]) | set(cents[min(cut_b, len(cents) - 1):]))
    got = sorted(int(a * 100) for a in scoped(Payment, org).values_list("amount", flat=True))
    assert got == expected
