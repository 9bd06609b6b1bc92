"""Properties: writing then parsing gives the records back; importing twice changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relance.core.factories import OrganisationFactory
from relance.imports.parsers.canonical import parse_csv, write_csv
from relance.imports.services import invoice_import
from relance.imports.sources import Upload
from relance.ledger.models import Allocation, Invoice
from relance.ledger.records import CustomerRecord, InvoiceRecord
from relance.ledger.selectors import invoices_with_outstanding, scoped

WORD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdeéèçàô0123456789-/ ;,\"'", min_size=1, max_size=20).map(
    str.strip).filter(bool)
CODE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=12)
CENTS = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def records(draw) -> list[InvoiceRecord]:
    numbers = draw(st.lists(CODE, min_size=1, max_size=8, unique=True))
    customers = [CustomerRecord(ref=draw(CODE), name=draw(WORD), kind=draw(st.sampled_from(["b2b", "b2c", "public"])),
                                siren=draw(st.sampled_from(["", "732829320"]))) for _ in range(3)]
    out = []
    for number in numbers:
        issue = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))
        total = draw(CENTS)
        out.append(InvoiceRecord(
            file="x.csv", line=0, number=number, customer=draw(st.sampled_from(customers)), issue_date=issue,
            due_date=draw(st.one_of(st.none(), st.integers(0, 90).map(lambda d, i=issue: i + timedelta(days=d)))),
            total_incl_tax=total, kind=draw(st.sampled_from(["invoice", "credit_note"])),
            amount_paid=(total * draw(st.sampled_from([0, 1, Decimal("0.5")]))).quantize(Decimal("0.01")),
            total_excl_tax=draw(st.one_of(st.none(), CENTS)), po_number=draw(st.one_of(st.just(""), CODE)),
        ))
    # one customer ref, one set of customer data (as a real export)
    by_ref = {r.customer.ref: r.customer for r in out}
    return [replace(r, customer=by_ref[r.customer.ref]) for r in out]


def comparable(r: InvoiceRecord) -> InvoiceRecord:
    return replace(r, file="", line=0, source="")


@settings(max_examples=60, deadline=None)
@given(records(), st.sampled_from([";", ",", "\t"]), st.booleans())
def test_parse_of_write_gives_the_records_back(recs, delimiter, french):
    parsed = parse_csv(write_csv(recs, delimiter=delimiter, french=french), file="x.csv").records
    assert [comparable(r) for r in parsed] == [comparable(r) for r in recs]


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(records())
def test_importing_the_same_file_twice_changes_nothing(recs):
    org = OrganisationFactory()
    upload = Upload("x.csv", write_csv(recs))
    first = invoice_import(org=org, paths_or_files=[upload], today=date(2025, 1, 1))
    snapshot = sorted(invoices_with_outstanding(org).values_list("number", "status", "outstanding", "content_hash"))
    allocations = scoped(Allocation, org).count()
    second = invoice_import(org=org, paths_or_files=[upload], today=date(2025, 1, 2))
    assert (first.created, second.created, second.updated, second.unchanged) == (len(recs), 0, 0, len(recs))
    assert sorted(invoices_with_outstanding(org).values_list("number", "status", "outstanding",
                                                             "content_hash")) == snapshot
    assert scoped(Allocation, org).count() == allocations
    assert scoped(Invoice, org).count() == len(recs)
