"""The FEC as a receivables ledger: customers, invoices, credit notes, lettering, closing date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relance.core.errors import InputError
from relance.imports.parsers import detect_format
from relance.imports.parsers.fec import COLUMNS, SIGNED_COLUMNS, parse_fec
from relance.imports.tests.fec_samples import FILE, fec_bytes, ledger, line


def by_number(data: bytes, file: str = FILE):
    result = parse_fec(data, file=file)
    return {r.number: r for r in result.records}, result.credit_links


@pytest.mark.parametrize("sep, encoding", [("\t", "utf-8"), ("|", "utf-8"), ("\t", "iso-8859-15"),
                                            ("|", "cp1252")])
def test_it_reads_tab_or_pipe_in_utf8_latin9_or_windows_1252(sep, encoding):
    data = fec_bytes(sep=sep, encoding=encoding)
    assert detect_format(data, FILE) == "fec"
    records, _ = by_number(data)
    assert records["FA-3"].customer.name == "Crêperie Éole"
    assert records["FA-1"].total_incl_tax == Decimal("1200.00")  # zero-padded amount


def test_sales_entries_become_invoices_and_credit_notes_with_customers_from_411_accounts():
    records, _ = by_number(fec_bytes())
    assert sorted(records) == ["AV-1", "AV-2", "FA-1", "FA-2", "FA-3", "FA-4"]
    fa1 = records["FA-1"]
    assert (fa1.kind, fa1.customer.ref, fa1.customer.name) == ("invoice", "C001", "Boulangerie Martin")
    assert (fa1.issue_date, fa1.due_date, fa1.total_excl_tax) == (date(2025, 1, 10), None, Decimal("1000.00"))
    assert (records["AV-2"].kind, records["AV-2"].total_incl_tax) == ("credit_note", Decimal("60.00"))
    assert records["FA-1"].source == "fec"


def test_an_invoice_lettered_in_a_balanced_group_before_closing_is_settled():
    records, _ = by_number(fec_bytes())
    assert (records["FA-1"].amount_paid, records["FA-1"].paid_date) == (Decimal("1200.00"), date(2025, 1, 31))


def test_partial_lettering_leaves_the_balance_open():
    records, _ = by_number(fec_bytes())
    assert records["FA-2"].amount_paid == Decimal("300.00")


def test_lettering_after_the_closing_date_does_not_count():
    records, _ = by_number(fec_bytes())
    assert records["FA-4"].amount_paid == Decimal("0.00")
    later, _ = by_number(fec_bytes(), file="732829320FEC20250228.txt")
    assert later["FA-4"].amount_paid == Decimal("240.00")


def test_a_credit_note_lettered_with_an_invoice_is_set_against_it():
    records, links = by_number(fec_bytes())
    assert records["FA-3"].amount_paid == Decimal("0.00")
    (link,) = links
    assert (link.credit_note, link.invoice, link.amount) == ("AV-1", "FA-3", Decimal("120.00"))


def test_without_a_dated_file_name_the_last_entry_date_closes_the_file():
    records, _ = by_number(fec_bytes(), file="export.txt")
    assert records["FA-1"].amount_paid == Decimal("1200.00")  # lettered 31/01, before the last entry (10/02)
    assert records["FA-4"].amount_paid == Decimal("0.00")  # lettered 15/02, after it


@pytest.mark.parametrize("mutate, field, words", [
    (lambda r: r.__setitem__(3, "20251301"), "EcritureDate", "date illisible"),
    (lambda r: r.__setitem__(3, "00000101"), "EcritureDate", "date illisible"),  # year 0: polars reads it, not Python
    (lambda r: r.__setitem__(11, "douze"), "Debit/Credit", "montant illisible"),
    (lambda r: r.pop(), None, "17 colonnes"),
])
def test_bad_lines_are_reported_with_line_and_field(mutate, field, words):
    rows = ledger()
    mutate(rows[4])
    with pytest.raises(InputError) as exc:
        parse_fec(fec_bytes(rows), file=FILE)
    (problem,) = exc.value.problems
    assert (problem.line, problem.field) == (6, field)
    assert words in problem.message


def test_a_header_out_of_order_is_refused_with_the_column_expected():
    header = list(COLUMNS)
    header[3], header[4] = header[4], header[3]
    data = ("\t".join(header) + "\n" + "\t".join(line("VT", "1", "20250101", "41100000", "X")) + "\n").encode()
    with pytest.raises(InputError) as exc:
        parse_fec(data, file=FILE)
    assert exc.value.problems[0].field == "EcritureDate"


def signed_bytes(rows: list[list[str]], sep: str = "\t") -> bytes:
    """The sample ledger written with Montant and Sens (D/C) instead of Debit and Credit."""
    out = []
    for r in rows:
        amount, sign = (r[11], "D") if r[11] not in ("0,00", "") else (r[12], "C")
        out.append([*r[:11], amount, sign, *r[13:]])
    return "\r\n".join(sep.join(r) for r in [list(SIGNED_COLUMNS), *out]).encode() + b"\r\n"


@pytest.mark.parametrize("sep", ["\t", "|"])
def test_the_montant_sens_variant_gives_the_same_ledger_as_debit_credit(sep):
    records, links = by_number(signed_bytes(ledger(), sep))
    plain, plain_links = by_number(fec_bytes())
    assert records == plain and links == plain_links
    assert (records["FA-1"].total_incl_tax, records["FA-1"].amount_paid) == (Decimal("1200.00"), Decimal("1200.00"))
    assert (records["AV-2"].kind, records["AV-2"].total_incl_tax) == ("credit_note", Decimal("60.00"))
    assert records["FA-2"].amount_paid == Decimal("300.00")


@pytest.mark.parametrize("sign, opposite, kind", [("d", "c", "invoice"), (" C ", "D", "credit_note"),
                                                   ("+1", "-1", "invoice"), ("-1", "+1", "credit_note")])
def test_sens_is_read_in_either_case_and_as_plus_or_minus_one(sign, opposite, kind):
    customer = line("VT", "1", "20250110", "41100000", "FA-9", aux="C001")
    sales = line("VT", "1", "20250110", "70600000", "FA-9")
    rows = [[*customer[:11], "50,00", sign, *customer[13:]], [*sales[:11], "50,00", opposite, *sales[13:]]]
    data = "\r\n".join("\t".join(r) for r in [list(SIGNED_COLUMNS), *rows]).encode()
    (record,) = parse_fec(data, file=FILE).records
    assert (record.number, record.kind, record.total_incl_tax) == ("FA-9", kind, Decimal("50.00"))
    assert record.total_excl_tax == Decimal("50.00")


@pytest.mark.parametrize("column, value, field, words", [
    (12, "X", "Sens", "sens inconnu"),
    (12, "", "Sens", "sens inconnu"),
    (11, "douze", "Montant", "montant illisible"),
    (3, "20250231", "EcritureDate", "date illisible"),
])
def test_a_bad_montant_or_sens_names_its_file_line_and_field(column, value, field, words):
    data = signed_bytes(ledger()).split(b"\r\n")
    cells = data[5].split(b"\t")
    cells[column] = value.encode()
    data[5] = b"\t".join(cells)
    with pytest.raises(InputError) as exc:
        parse_fec(b"\r\n".join(data), file=FILE)
    (problem,) = exc.value.problems
    assert (problem.file, problem.line, problem.field) == (FILE, 6, field)
    assert words in problem.message


def test_a_header_with_montant_but_no_sens_is_refused_naming_the_column():
    header = list(SIGNED_COLUMNS)
    header[12] = "Credit"
    data = ("\t".join(header) + "\n" + "\t".join(line("VT", "1", "20250101", "41100000", "X")) + "\n").encode()
    with pytest.raises(InputError) as exc:
        parse_fec(data, file=FILE)
    assert (exc.value.problems[0].line, exc.value.problems[0].field) == (1, "Debit")


def test_a_sales_piece_dated_year_0000_is_refused_naming_its_line_and_field():
    """Polars reads 00000101 as a date, Python cannot: the columnar reader hands the file to the line reader."""
    rows = [("VT", "Ventes", "1", "20250101", "41100000", "Clients", "C1", "Client 1", "FA1", "00000101", "Facture",
             "120,00", "0,00", "", "", "20250101", "", ""),
            ("VT", "Ventes", "1", "20250101", "70600000", "Presta", "", "", "FA1", "20250101", "Facture", "0,00",
             "100,00", "", "", "20250101", "", ""),
            ("VT", "Ventes", "1", "20250101", "44571000", "TVA", "", "", "FA1", "20250101", "Facture", "0,00",
             "20,00", "", "", "20250101", "", "")]
    data = "\r\n".join("\t".join(r) for r in [COLUMNS, *rows]).encode() + b"\r\n"
    with pytest.raises(InputError) as exc:
        parse_fec(data, file=FILE)
    (problem,) = exc.value.problems
    assert (problem.line, problem.field) == (2, "PieceDate") and "date illisible" in problem.message
