"""invoice_import: all or nothing, idempotent, corrections, allocations, contacts, FEC, conflicts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.activity.models import Event
from relance.core.errors import InputError
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.imports.plan import IMPORT_NOTE
from relance.imports.services import invoice_import
from relance.imports.sources import Upload
from relance.imports.tests.fec_samples import FILE, fec_bytes, ledger, payment, sale
from relance.ledger.models import Allocation, Contact, Customer, Invoice
from relance.ledger.selectors import invoice_outstanding, scoped

TODAY = date(2025, 4, 1)
HEADER = "numero_facture;code_client;nom_client;email;telephone;date_facture;date_echeance;montant_ttc;montant_regle"
ROWS = [
    "FA-1;C1;Boulangerie Martin;compta@martin.fr;06 12 34 56 78;01/03/2025;31/03/2025;1 200,00;200,00",
    "FA-2;C1;Boulangerie Martin;compta@martin.fr;;05/03/2025;;300,00;300,00",
    "FA-3;C2;Mairie de Lyon;;;10/03/2025;;90,00;",
]

pytestmark = pytest.mark.django_db


def csv(*rows: str, name: str = "factures.csv") -> Upload:
    return Upload(name, ("\n".join([HEADER, *rows]) + "\n").encode())


def run(org, *files, **kwargs):
    return invoice_import(org=org, paths_or_files=list(files), today=TODAY, **kwargs)


def test_it_creates_customers_contacts_invoices_and_accounting_allocations(org):
    report = run(org, csv(*ROWS))
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    fa1 = scoped(Invoice, org).get(number="FA-1")
    assert (fa1.customer.name, fa1.due_date, fa1.source) == ("Boulangerie Martin", date(2025, 3, 31), "csv")
    assert invoice_outstanding(fa1) == Decimal("1000.00") and fa1.status == "open"
    assert scoped(Invoice, org).get(number="FA-2").status == "paid"
    assert scoped(Invoice, org).get(number="FA-3").due_date == date(2025, 3, 10) + timedelta(days=30)
    contact = scoped(Contact, org).get(customer__ref="C1")
    assert (contact.email, contact.phone) == ("compta@martin.fr", "+33612345678")
    alloc = scoped(Allocation, org).get(invoice=fa1)
    assert (alloc.source, alloc.amount, alloc.note) == ("accounting", Decimal("200.00"), IMPORT_NOTE)
    assert scoped(Event, org).filter(type="import").count() == 2  # one per affected customer


def test_reimporting_the_same_file_changes_nothing(org):
    run(org, csv(*ROWS))
    report = run(org, csv(*ROWS))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert scoped(Invoice, org).count() == 3 and scoped(Customer, org).count() == 2
    assert scoped(Allocation, org).count() == 2 and scoped(Contact, org).count() == 1
    assert scoped(Event, org).filter(type="import").count() == 2


def test_a_corrected_file_updates_only_what_changed_and_adjusts_the_paid_amount(org):
    run(org, csv(*ROWS))
    corrected = [ROWS[0].replace("200,00", "700,00"), ROWS[1], ROWS[2].replace("90,00", "95,00")]
    report = run(org, csv(*corrected))
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    fa1 = scoped(Invoice, org).get(number="FA-1")
    assert [a.amount for a in fa1.allocations.all()] == [Decimal("700.00")]  # adjusted, never doubled
    assert scoped(Invoice, org).get(number="FA-3").total_incl_tax == Decimal("95.00")
    run(org, csv(ROWS[0].replace("200,00", "0"), ROWS[1], ROWS[2]))
    assert not fa1.allocations.exists()


def test_one_bad_line_in_any_file_means_nothing_is_written(org):
    good, bad = csv(*ROWS), csv("FA-9;C9;X;;;01/03/2025;;abc;", name="autre.csv")
    with pytest.raises(InputError) as exc:
        run(org, good, bad)
    assert [(p.file, p.line, p.field) for p in exc.value.problems] == [("autre.csv", 2, "total_incl_tax")]
    assert not scoped(Invoice, org).exists() and not scoped(Customer, org).exists()


def test_an_invalid_phone_is_reported_at_its_line_and_nothing_is_written(org):
    with pytest.raises(InputError) as exc:
        run(org, csv(ROWS[0].replace("06 12 34 56 78", "12")))
    assert [(p.line, p.field) for p in exc.value.problems] == [(2, "customer_phone")]
    assert not scoped(Customer, org).exists()


def test_a_dry_run_reports_the_counts_and_writes_nothing(org):
    report = run(org, csv(*ROWS), dry_run=True)
    assert (report.created, report.dry_run) == (3, True)
    assert not scoped(Invoice, org).exists()


def test_the_same_number_in_two_organisations_is_two_invoices(org, other_org):
    run(org, csv(*ROWS))
    report = run(other_org, csv(*ROWS))
    assert report.created == 3
    assert Invoice.objects.filter(number="FA-1").count() == 2


def test_payments_already_allocated_by_the_bank_cap_the_accounting_allocation(org):
    run(org, csv(ROWS[2]))
    fa3 = scoped(Invoice, org).get(number="FA-3")
    Allocation.objects.create(org=org, invoice=fa3, source="accounting", amount=Decimal("60.00"), date=TODAY)
    run(org, csv(ROWS[2].rstrip(";") + ";90,00"))
    assert invoice_outstanding(fa3) == Decimal("0.00")
    assert sum(a.amount for a in fa3.allocations.all()) == Decimal("90.00")


def test_terms_beyond_the_legal_maximum_are_flagged_not_refused(org):
    run(org, csv("FA-7;C1;Martin;;;01/03/2025;30/06/2025;100,00;", "FA-8;C1;Martin;;;01/03/2025;30/04/2025;100,00;"))
    assert scoped(Invoice, org).get(number="FA-7").terms_exceeded is True
    assert scoped(Invoice, org).get(number="FA-8").terms_exceeded is False


def test_a_customer_edited_by_hand_keeps_what_the_file_leaves_empty(org):
    CustomerFactory(org=org, ref="C2", name="Mairie", kind="public", siren="732829320", payment_terms_days=45)
    run(org, csv(ROWS[2]))
    customer = scoped(Customer, org).get(ref="C2")
    assert (customer.name, customer.kind, customer.siren) == ("Mairie de Lyon", "public", "732829320")
    assert scoped(Invoice, org).get(number="FA-3").due_date == date(2025, 3, 10) + timedelta(days=45)


def test_a_cancelled_invoice_stays_cancelled_when_reimported(org):
    InvoiceFactory(customer=CustomerFactory(org=org, ref="C2"), number="FA-3", status="cancelled")
    run(org, csv(ROWS[2]))
    assert scoped(Invoice, org).get(number="FA-3").status == "cancelled"


# --- FEC ---------------------------------------------------------------------------------------------

def test_a_fec_builds_the_ledger_with_terms_lettering_and_credit_notes(org):
    CustomerFactory(org=org, ref="C002", name="Crêperie", payment_terms_days=45)
    report = run(org, Upload(FILE, fec_bytes()))
    assert report.created == 6
    inv = {i.number: i for i in scoped(Invoice, org)}
    assert inv["FA-1"].due_date == date(2025, 1, 10) + timedelta(days=org.payment_terms_days)
    assert inv["FA-3"].due_date == date(2025, 1, 16) + timedelta(days=45)  # the customer's own terms
    assert (inv["FA-1"].status, invoice_outstanding(inv["FA-2"])) == ("paid", Decimal("300.00"))
    assert (inv["FA-3"].status, inv["AV-1"].status, inv["FA-4"].status) == ("paid", "paid", "open")
    assert inv["AV-2"].kind == "credit_note" and invoice_outstanding(inv["AV-2"]) == Decimal("60.00")
    credit = scoped(Allocation, org).get(invoice=inv["FA-3"])
    assert (credit.source, credit.credit_note, credit.amount) == ("credit_note", inv["AV-1"], Decimal("120.00"))


def test_a_fec_with_montant_and_sens_imports_like_debit_credit_and_reimports_unchanged(org):
    from relance.imports.tests.test_fec_parser import signed_bytes

    report = run(org, Upload(FILE, signed_bytes(ledger())))
    assert report.created == 6
    inv = {i.number: i for i in scoped(Invoice, org)}
    assert (inv["FA-1"].status, invoice_outstanding(inv["FA-2"])) == ("paid", Decimal("300.00"))
    assert inv["AV-2"].kind == "credit_note" and inv["AV-2"].total_incl_tax == Decimal("60.00")
    assert run(org, Upload(FILE, fec_bytes())).unchanged == 6  # the same ledger in Debit/Credit


def test_next_months_fec_updates_the_ledger_without_duplicating_anything(org):
    run(org, Upload(FILE, fec_bytes()))
    rows = ledger()
    rows += [*sale("10", "20250205", "FA-5", "C001", "50,00", "41,67", "8,33"),
             *payment("11", "20250220", "VIR-4", "C001", "300,00", "AB", "20250220")]
    for row in rows:  # the second half of FA-2 is lettered into the same group
        if row[8] in ("FA-2", "VIR-2") and row[4].startswith("411"):
            row[14] = "20250220"
    report = run(org, Upload("732829320FEC20250228.txt", fec_bytes(rows)))
    assert (report.created, report.updated) == (1, 2)  # FA-5; FA-2 now paid, FA-4 lettered before 28/02
    inv = {i.number: i for i in scoped(Invoice, org)}
    assert len(inv) == 7 and inv["FA-2"].status == "paid" and inv["FA-4"].status == "paid"
    assert scoped(Allocation, org).filter(invoice=inv["FA-2"]).count() == 1
    assert run(org, Upload("732829320FEC20250228.txt", fec_bytes(rows))).unchanged == 7


def test_a_corrected_invoice_keeps_the_unchanged_credit_note_set_against_it(org):
    run(org, Upload(FILE, fec_bytes()))
    rows = ledger()
    for row in rows:  # FA-3 corrected from 120 to 150; AV-1, lettered with it, unchanged
        if row[8] == "FA-3":
            row[11], row[12] = {"411": ("150,00", "0,00"), "706": ("0,00", "125,00"),
                                "445": ("0,00", "25,00")}[row[4][:3]]
    report = run(org, Upload(FILE, fec_bytes(rows)))
    assert (report.updated, report.unchanged) == (1, 5)
    inv = {i.number: i for i in scoped(Invoice, org)}
    assert invoice_outstanding(inv["FA-3"]) == Decimal("30.00") and inv["FA-3"].status == "open"
    credit = scoped(Allocation, org).get(invoice=inv["FA-3"])
    assert (credit.credit_note, credit.amount) == (inv["AV-1"], Decimal("120.00"))
    assert inv["AV-1"].status == "paid"
