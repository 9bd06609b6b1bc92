"""A FEC written by columns (the table path) leaves the ledger exactly as the record path leaves it.

Each ledger is imported twice into two organisations: once as the product does (the FEC's new and
unchanged invoices planned and written by columns, the rest as records), once with every invoice as a
record. Invoices, statuses, fingerprints, allocations and events must be the same, after a first import,
after next month's FEC (lettering completed, corrections, new invoices, credit notes), and after a
customer's terms change.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relance.activity.models import Event
from relance.core.factories import OrganisationFactory
from relance.imports import services
from relance.imports.parsers.fec import parse_fec
from relance.imports.services import _content_hash, invoice_import
from relance.imports.sources import Upload
from relance.imports.table import _with_hashes
from relance.imports.tests.fec_samples import fec_bytes, line
from relance.ledger.models import Allocation, Customer, Invoice
from relance.ledger.selectors import scoped

pytestmark = pytest.mark.django_db
JANUARY, FEBRUARY = "732829320FEC20250131.txt", "732829320FEC20250228.txt"
TODAY = date(2025, 3, 3)


def cents(value: int) -> str:
    return f"{value // 100},{value % 100:02d}"


def varied_ledger(seed: int, invoices: int = 40) -> list[list[str]]:
    """Sales over two months, one customer per piece number: several lines and entries per piece, credit
    notes, lettering complete, partial, late (after January) or undated, payments over several invoices."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    entry, sold = 0, []
    for n in range(invoices):
        entry += 1
        day = f"2025{rng.choice(['01', '02'])}{rng.randrange(1, 29):02d}"
        aux = rng.choice(["C001", "C002", "C003", ""])
        piece = f"{aux or 'X'}-{rng.randrange(invoices // 2)}"  # reused: a piece of several entries
        letter = rng.choice(["", "", "AA", "AB", f"L{n}"])
        letter_date = rng.choice(["", "20250120", "20250215"]) if letter else ""
        ht = rng.randrange(100, 50000)
        credit_note = rng.random() < 0.15
        side = "credit" if credit_note else "debit"
        other = "debit" if credit_note else "credit"
        rows.append(line("VT", str(entry), day, "41100000", piece, **{side: cents(ht * 6 // 5)}, aux=aux,
                         letter=letter, letter_date=letter_date))
        rows.append(line("VT", str(entry), day, "70600000", piece, **{other: cents(ht)}))
        rows.append(line("VT", str(entry), day, "44571000", piece, **{other: cents(ht * 6 // 5 - ht)}))
        sold.append((aux, letter, ht * 6 // 5))
        if rng.random() < 0.6:
            entry += 1
            aux, letter, owed = rng.choice(sold)
            paid = rng.choice([owed, owed, owed // 2, owed * 2, -owed // 3])
            debit, credit = (cents(paid), "0,00") if paid >= 0 else ("0,00", cents(-paid))
            day = rng.choice(["20250130", "20250210"])
            rows.append(line("BQ", str(entry), day, "51200000", f"VIR{n}", debit=debit, credit=credit))
            rows.append(line("BQ", str(entry), day, "41100000", f"VIR{n}", debit=credit, credit=debit, aux=aux,
                             letter=letter or "AA", letter_date=rng.choice(["20250131", "20250220", ""])))
    return rows


def january(rows: list[list[str]]) -> list[list[str]]:
    """What January's FEC held of the ledger: its lines dated January, lettering made by then."""
    kept = [list(r) for r in rows if r[3] <= "20250131"]
    for r in kept:
        if r[14] > "20250131":
            r[13], r[14] = "", ""
    return kept


def state(org) -> dict[str, list]:
    invoices = scoped(Invoice, org).values_list(
        "number", "kind", "customer__ref", "issue_date", "due_date", "currency", "total_incl_tax", "total_excl_tax",
        "sent_date", "po_number", "payment_reference", "payee_iban", "source", "source_ref", "document", "status",
        "terms_exceeded", "einvoice_status", "content_hash")
    allocations = scoped(Allocation, org).values_list(
        "invoice__number", "credit_note__number", "payment_id", "source", "amount", "date", "note")
    customers = scoped(Customer, org).values_list("ref", "name", "kind", "payment_terms_days")
    events = [(e.customer.ref, e.type, e.date, e.message, e.data) for e in scoped(Event, org).filter(type="import")]
    return {"invoices": sorted(invoices), "allocations": sorted(allocations, key=repr),
            "customers": sorted(customers), "events": sorted(events, key=repr)}


@pytest.fixture
def orgs():
    return OrganisationFactory(slug="table"), OrganisationFactory(slug="records")


def import_both(orgs, monkeypatch, name: str, rows: list[list[str]]) -> list[tuple[int, int, int]]:
    """Import into the first organisation as the product does, into the second record by record."""
    by_table, by_records = orgs
    reports = []
    for org, whole in ((by_table, services._whole_table), (by_records, lambda parsed: False)):
        with monkeypatch.context() as patch:
            patch.setattr(services, "_whole_table", whole)
            report = invoice_import(org=org, paths_or_files=[Upload(name, fec_bytes(rows))], today=TODAY)
        reports.append((report.created, report.updated, report.unchanged))
    assert reports[0] == reports[1]
    assert state(by_table) == state(by_records)
    return reports


def check_months(orgs, monkeypatch, seed: int, invoices: int = 40) -> None:
    rows = varied_ledger(seed, invoices)
    import_both(orgs, monkeypatch, JANUARY, january(rows))
    import_both(orgs, monkeypatch, FEBRUARY, rows)
    for org in orgs:  # terms given to a customer by hand: its invoices' due dates and fingerprints change
        scoped(Customer, org).filter(ref="C002").update(payment_terms_days=45)
    import_both(orgs, monkeypatch, FEBRUARY, rows)
    ((*_, unchanged),) = {tuple(r) for r in import_both(orgs, monkeypatch, FEBRUARY, rows)}
    assert unchanged == scoped(Invoice, orgs[0]).count()


@pytest.mark.parametrize("seed", range(6))
def test_the_table_path_leaves_the_ledger_the_record_path_leaves(orgs, monkeypatch, seed):
    check_months(orgs, monkeypatch, seed)


def test_events_name_the_first_hundred_invoices_of_each_customer_alike(orgs, monkeypatch):
    check_months(orgs, monkeypatch, seed=99, invoices=900)  # more than a hundred per customer
    created = [e.data["created"] for e in scoped(Event, orgs[0]).filter(type="import")]
    assert max(len(numbers) for numbers in created) == 100


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=6, max_value=10**6))
def test_any_varied_ledger_imports_alike_by_table_and_by_records(monkeypatch, seed):
    orgs = OrganisationFactory(slug=f"t{seed}"), OrganisationFactory(slug=f"r{seed}")
    check_months(orgs, monkeypatch, seed)


def test_the_first_import_of_a_plain_fec_goes_by_the_table(org, monkeypatch):
    """Most invoices of a real FEC take the table path: nothing of it is handed back as records."""
    rows = [r for r in varied_ledger(3) if r[13] not in ("AA", "AB")]  # no shared lettering: no credit note set
    odd = 'FA "7", \\ bis'
    rows += [line("VT", "900", "20250203", "41100000", odd, debit="12,00", aux="C001"),
             line("VT", "900", "20250203", "70600000", odd, credit="10,00"),
             line("VT", "900", "20250203", "44571000", odd, credit="2,00")]
    parsed = []
    monkeypatch.setattr(services, "_plan_table", _spy(services._plan_table, parsed))
    began = timezone.now()
    report = invoice_import(org=org, paths_or_files=[Upload(FEBRUARY, fec_bytes(rows))], today=TODAY)
    ((table_plan, records),) = parsed
    assert records == [] and table_plan.table.new.height == report.created > 0
    invoice = scoped(Invoice, org).get(number=odd)  # quotes, commas and backslashes travel as they are
    assert (invoice.source_ref, invoice.total_excl_tax, invoice.sent_date) == (f"C001/{odd}", Decimal("10.00"), None)
    assert (invoice.document.name, invoice.einvoice_status, invoice.status) == ("", "", "open")
    assert began <= invoice.created_at <= invoice.updated_at <= timezone.now()


def _spy(function, calls):
    def spied(org, parsed, plan):
        records = function(org, parsed, plan)
        calls.append((plan, records))
        return records
    return spied


@pytest.mark.parametrize("seed", range(4))
def test_the_fingerprints_by_columns_are_those_of_the_records(seed):
    parsed = parse_fec(fec_bytes(varied_ledger(seed)), file=FEBRUARY)
    table = parsed.table
    assert table is not None
    terms = {ref: 30 + i for i, ref in enumerate(table.customers)}
    hashed = _with_hashes(table.frame, terms)
    records = {r.number: r for r in table.records()}
    for number, issued, due, content_hash in hashed.select("number", "issue_date", "due_date",
                                                           "content_hash").iter_rows():
        record = records[number]
        assert (due - issued).days == terms[record.customer.ref]
        assert content_hash == _content_hash(record, due, "0", {})
