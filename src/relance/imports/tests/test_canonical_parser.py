"""The canonical CSV / XLSX layout: encodings, separators, dates, amounts, and every error kind."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from relance.core.errors import InputError
from relance.imports.parsers import detect_format, parse_bytes
from relance.imports.parsers.canonical import parse_csv, parse_xlsx

HEADER_FR = "numero_facture;code_client;nom_client;date_facture;montant_ttc"
HEADER_EN = "invoice_number,customer_ref,customer_name,issue_date,total_incl_tax"


def one(data: bytes, file: str = "f.csv"):
    records = parse_csv(data, file=file).records
    assert len(records) == 1
    return records[0]


@pytest.mark.parametrize("data, encoding", [
    (f"{HEADER_FR}\nFA-1;C1;Crêperie Éole;01/03/2025;1 200,50\n", "utf-8"),
    (f"{HEADER_FR}\nFA-1;C1;Crêperie Éole;01/03/2025;1 200,50\n", "utf-8-sig"),
    (f"{HEADER_FR}\nFA-1;C1;Crêperie Éole;01/03/2025;1 200,50\n", "cp1252"),
    (f"{HEADER_FR}\r\nFA-1;C1;Crêperie Éole;01/03/2025;1 200,50\r\n", "cp1252"),
])
def test_it_reads_utf8_with_or_without_bom_and_windows_1252(data, encoding):
    record = one(data.encode(encoding))
    assert record.customer.name == "Crêperie Éole"
    assert record.total_incl_tax == Decimal("1200.50")


@pytest.mark.parametrize("header, line", [
    (HEADER_EN, "FA-1,C1,Martin,2025-03-01,1200.50"),
    (HEADER_FR, "FA-1;C1;Martin;01/03/2025;1200,50"),
    (HEADER_FR.replace(";", "\t"), "FA-1\tC1\tMartin\t01/03/2025\t1 200,50"),
    ("N° Facture;Code client;Nom client;Date facture;Montant TTC", "FA-1;C1;Martin;1/3/2025;1.200,50"),
    (HEADER_EN, 'FA-1,C1,Martin,2025-03-01,"1,200.50"'),
])
def test_it_accepts_french_or_english_headers_and_any_separator(header, line):
    record = one(f"{header}\n{line}\n".encode())
    assert (record.number, record.customer.ref, record.issue_date) == ("FA-1", "C1", date(2025, 3, 1))
    assert record.total_incl_tax == Decimal("1200.50")
    assert record.due_date is None  # the service applies the payment terms


def test_it_reads_every_optional_column():
    data = (b"numero_facture;code_client;nom_client;type_client;email;telephone;siren;adresse;date_facture;"
            b"date_echeance;devise;montant_ttc;montant_ht;montant_regle;date_reglement;date_envoi;bon_commande\n"
            b"FA-9;C7;Mairie de Lyon;public;Compta@Lyon.fr;04 72 10 30 30;732829320;1 place;02/01/2025;"
            b"01/02/2025;eur;120,00;100,00;20;15/01/2025;03/01/2025;BC-1\n")
    r = one(data)
    assert r.customer.kind == "public" and r.customer.email == "compta@lyon.fr"
    assert r.customer.siren == "732829320" and r.customer.phone == "04 72 10 30 30"
    assert (r.due_date, r.currency, r.total_excl_tax, r.amount_paid) == (date(2025, 2, 1), "EUR", Decimal("100.00"),
                                                                        Decimal("20.00"))
    assert (r.paid_date, r.sent_date, r.po_number) == (date(2025, 1, 15), date(2025, 1, 3), "BC-1")


def test_a_credit_note_may_be_written_negative():
    r = one(f"{HEADER_FR};type_piece\nAV-1;C1;Martin;01/03/2025;-50,00;avoir\n".encode())
    assert (r.kind, r.total_incl_tax) == ("credit_note", Decimal("50.00"))


def test_identical_duplicate_lines_are_read_once():
    data = f"{HEADER_FR}\nFA-1;C1;Martin;01/03/2025;10\nFA-1;C1;Martin;01/03/2025;10\n".encode()
    assert len(parse_csv(data, file="f.csv").records) == 1


@pytest.mark.parametrize("line, field, words", [
    ("FA-1;C1;Martin;31/02/2025;10", "issue_date", "date illisible"),
    ("FA-1;C1;Martin;01/03/2025;dix euros", "total_incl_tax", "montant illisible"),
    ("FA-1;C1;Martin;01/03/2025;-10,00", "total_incl_tax", "négatif"),
    ("FA-1;C1;Martin;01/03/2025;10;01/02/2025", "due_date", "antérieure"),
    ("FA-1;C1;Martin;01/03/2025;10;;martien", "customer_kind", "type de client inconnu"),
    ("FA-1;C1;Martin;01/03/2025;10;;;pas-un-email", "customer_email", "e-mail invalide"),
    ("FA-1;C1;Martin;01/03/2025;10;;;;123", "customer_siren", "SIREN"),
    ("FA-1;C1;Martin;01/03/2025;10;;;;;20", "amount_paid", "montant réglé"),
    (";C1;Martin;01/03/2025;10", "invoice_number", "obligatoire"),
    ("FA-1;C1;;01/03/2025;10", "customer_name", "obligatoire"),
])
def test_each_bad_cell_is_reported_with_its_line_and_column(line, field, words):
    header = f"{HEADER_FR};date_echeance;type_client;email;siren;montant_regle"
    with pytest.raises(InputError) as exc:
        parse_csv(f"{header}\nFA-0;C1;Martin;01/03/2025;10\n{line}\n".encode(), file="factures.csv")
    (problem,) = exc.value.problems
    assert (problem.file, problem.line, problem.field) == ("factures.csv", 3, field)
    assert words in problem.message


def test_every_problem_of_the_file_is_listed_not_only_the_first():
    data = f"{HEADER_FR}\nFA-1;C1;M;xx;10\nFA-2;C1;M;01/03/2025;yy\nFA-3;C1;M;01/03/2025;-1\n".encode()
    with pytest.raises(InputError) as exc:
        parse_csv(data, file="f.csv")
    assert [(p.line, p.field) for p in exc.value.problems] == [
        (2, "issue_date"), (3, "total_incl_tax"), (4, "total_incl_tax")]


def test_a_missing_required_column_is_named_in_both_languages():
    with pytest.raises(InputError) as exc:
        parse_csv(b"numero_facture;code_client;nom_client;date_facture\nFA-1;C1;M;01/03/2025\n", file="f.csv")
    (problem,) = exc.value.problems
    assert problem.line == 1 and problem.field == "total_incl_tax"
    assert "total_incl_tax / montant_ttc" in problem.message


def test_the_same_number_twice_with_different_data_is_refused():
    data = f"{HEADER_FR}\nFA-1;C1;Martin;01/03/2025;10\nFA-1;C1;Martin;01/03/2025;11\n".encode()
    with pytest.raises(InputError) as exc:
        parse_csv(data, file="f.csv")
    (problem,) = exc.value.problems
    assert (problem.line, problem.field) == (3, "invoice_number")
    assert "ligne 2" in problem.message


def test_undecodable_bytes_are_refused_as_an_unknown_encoding():
    data = HEADER_FR.encode() + b"\nFA-1;C1;\x81\x8d\x00\x01;01/03/2025;10\n"
    with pytest.raises(InputError) as exc:
        parse_csv(data, file="f.csv")
    assert "encodage inconnu" in exc.value.problems[0].message


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_excel_workbook_in_the_same_layout_is_read_with_native_dates_and_numbers():
    data = _xlsx([["Numéro facture", "Code client", "Nom client", "Date facture", "Montant TTC", "Montant réglé"],
                  ["FA-1", "C1", "Martin", date(2025, 3, 1), 1200.5, 200],
                  [None, None, None, None, None, None],
                  ["FA-2", 42, "Durand", "05/03/2025", "99,90", None]])
    assert detect_format(data, "export.xlsx") == "xlsx"
    first, second = parse_xlsx(data, file="export.xlsx").records
    assert (first.issue_date, first.total_incl_tax, first.amount_paid) == (date(2025, 3, 1), Decimal("1200.50"),
                                                                         Decimal("200.00"))
    assert (second.customer.ref, second.total_incl_tax) == ("42", Decimal("99.90"))


def test_excel_errors_point_at_the_sheet_row():
    data = _xlsx([["invoice_number", "customer_ref", "customer_name", "issue_date", "total_incl_tax"],
                  ["FA-1", "C1", "Martin", "hier", 10]])
    with pytest.raises(InputError) as exc:
        parse_bytes(data, file="x.xlsx")
    assert (exc.value.problems[0].line, exc.value.problems[0].field) == (2, "issue_date")


@pytest.mark.parametrize("data, fmt", [
    (b"%PDF-1.7 ...", "facturx"),
    (b"JournalCode\tJournalLib\n", "fec"),
    (b"\xef\xbb\xbfJournalCode|JournalLib\n", "fec"),
    (HEADER_FR.encode(), "csv"),
])
def test_the_format_is_detected_from_the_content(data, fmt):
    assert detect_format(data, "whatever.txt") == fmt


def test_an_explicit_xml_format_that_does_not_match_the_file_is_refused():
    from pathlib import Path

    ubl = Path("/work/shared/corpus/einvoice/ubl/EN16931_Einfach.ubl.xml").read_bytes()
    with pytest.raises(InputError) as exc:
        parse_bytes(ubl, file="f.xml", fmt="cii")
    assert "UBL, pas CII" in exc.value.problems[0].message
    assert parse_bytes(ubl, file="f.xml", fmt="ubl").records[0].number == "471102"
