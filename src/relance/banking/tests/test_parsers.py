"""Every file of the shared bank corpus, the bank CSV layouts, and hostile input."""

from __future__ import annotations

import contextlib
import gzip
import io
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.banking.parsers import detect_format, parse_statement_file
from relance.banking.parsers.common import MAX_BYTES
from relance.core.errors import InputError

CORPUS = Path("/work/shared/corpus/bank")
if not CORPUS.exists():  # the corpus is also reachable relative to the checkout
    CORPUS = Path(__file__).resolve().parents[5] / "shared" / "corpus" / "bank"


def parse(name: str, fmt: str = "auto"):
    return parse_statement_file(name, (CORPUS / name).read_bytes(), fmt)


def test_every_corpus_file_is_either_parsed_or_refused_with_a_located_message():
    for path in sorted(CORPUS.iterdir()):
        try:
            statements = parse_statement_file(path.name, path.read_bytes())
        except InputError as exc:
            assert path.name == "test_ofx_wrong.ofx"
            assert all(p.file == path.name and p.line for p in exc.problems)
        else:
            assert statements, path.name


def test_camt053_gives_one_payment_one_ignored_debit_and_a_reversal_of_two_transactions():
    [stmt] = parse("test-camt053.xml")
    assert (stmt.format, stmt.account_iban, stmt.closing_date) == ("camt053", "NL77ABNA0574908765", date(2014, 1, 5))
    payments = [ln for ln in stmt.lines if ln.is_payment]
    reversals = [ln for ln in stmt.lines if ln.reverses_payment]
    debits = [ln for ln in stmt.lines if not ln.credit and not ln.reversal]
    assert len(payments) == len(debits) == 1
    [p] = payments
    assert (p.amount, p.currency, p.payer_name, p.payer_iban) == (
        Decimal("1405.31"), "EUR", "3rd party Media", "NL69ABNA0522123643")
    assert p.end_to_end_id == "115" and p.booking_date == date(2014, 1, 5)
    assert "CUSNO 90782" in p.remittance
    assert [(r.amount, r.end_to_end_id, r.return_reason) for r in reversals] == [
        (Decimal("564.05"), "TESTBANK/NL/20141229/01206408", "AC06"),
        (Decimal("100.00"), "TESTBANK/NL/20141229/01206407", "AC06"),
    ]
    assert sum(r.amount for r in reversals) == Decimal("664.05")


def test_camt053_batch_entry_gives_one_payment_per_transaction_with_distinct_references():
    [stmt] = parse("test-camt053-txdtls.xml")
    assert stmt.currency == "CHF" and stmt.account_iban == "CH1111000000123456789"
    assert [(ln.amount, ln.currency, ln.payer_iban) for ln in stmt.lines] == [
        (Decimal("2187.00"), "CHF", "CH2222000000123456789"),
        (Decimal("1296.00"), "CHF", "CH3333000000123456789"),
    ]
    assert all(ln.is_payment for ln in stmt.lines)
    assert len({ln.bank_ref for ln in stmt.lines}) == 2
    assert stmt.lines[0].creditor_reference == "302388292000011111111111111"
    assert sum(ln.amount for ln in stmt.lines) == Decimal("3483.00")  # the entry's total


def test_an_empty_camt053_statement_still_has_its_account_and_closing_date():
    [stmt] = parse("test-camt053-no-ntry.xml")
    assert stmt.lines == []
    assert (stmt.account_iban, stmt.closing_date, stmt.currency) == ("NL77ABNA0574908765", date(2014, 1, 5), "CHF")


def test_camt054_notification_gives_the_credit_with_its_structured_reference():
    [stmt] = parse("test-camt054.xml")
    assert stmt.format == "camt054"
    [line] = stmt.lines
    assert line.is_payment and line.amount == Decimal("5.00")
    assert (line.payer_name, line.payer_iban, line.end_to_end_id) == ("Test Customer", "NL46ABNA0499998748", "ENDTOENDID-01")
    assert line.bank_ref == "NL77ABNA0574908765:98888208N8"
    assert line.creditor_reference == "000000000000000000000000003"


@pytest.mark.parametrize("name", ["test_ofx.ofx", "test_ofx_iban.ofx"])
def test_ofx_statements_hold_four_debits_and_no_payment(name):
    statements = parse(name)
    bank = statements[0]
    assert bank.currency == "USD" and bank.closing_date == date(2013, 8, 31)
    assert [ln.amount for ln in bank.lines] == [Decimal("80.00"), Decimal("90.00"), Decimal("100.00"), Decimal("90.00")]
    assert not any(ln.credit for ln in bank.lines)
    assert [s.lines for s in statements[1:]] == [[]]  # the credit-card statement is empty


def test_a_french_rib_in_ofx_gives_the_account_iban():
    assert parse("test_ofx_iban.ofx")[0].account_iban == "FR7630001007941234567890185"
    assert parse("test_ofx.ofx")[0].account_iban == ""


def test_the_malformed_ofx_is_refused_with_each_missing_field_located():
    with pytest.raises(InputError) as exc:
        parse("test_ofx_wrong.ofx")
    found = {(p.line, p.field) for p in exc.value.problems}
    assert {(21, "CURDEF"), (21, "BANKACCTFROM"), (42, "DTPOSTED"), (42, "TRNAMT"), (42, "FITID")} == found
    assert "obligatoire" in str(exc.value)


@pytest.mark.parametrize(("name", "fmt"), [
    ("test-camt053.xml", "camt053"), ("test-camt054.xml", "camt054"), ("test_ofx.ofx", "ofx"),
])
def test_the_format_is_detected(name, fmt):
    assert detect_format(name, (CORPUS / name).read_bytes()) == fmt


SGML_OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
ENCODING:USASCII
CHARSET:1252

<OFX>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS>
<CURDEF>EUR
<BANKACCTFROM><BANKID>30004<BRANCHID>00001<ACCTID>00012345678<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250301<DTEND>20250331
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250312<TRNAMT>1200,50<FITID>F-1<NAME>VIR SEPA GARAGE L\xc9FEVRE<MEMO>FACT FA-2025-0012
</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250313<TRNAMT>-45.00<FITID>F-2<NAME>PRLV URSSAF
</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>100<DTASOF>20250331
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def test_sgml_ofx_with_unclosed_tags_decimal_comma_and_windows_1252():
    [stmt] = parse_statement_file("releve.ofx", SGML_OFX)
    credit, debit = stmt.lines
    assert credit.is_payment and credit.amount == Decimal("1200.50") and credit.booking_date == date(2025, 3, 12)
    assert credit.payer_name == "VIR SEPA GARAGE LÉFEVRE" and "FA-2025-0012" in credit.remittance
    assert not debit.credit
    assert stmt.account_iban.startswith("FR76") and stmt.closing_date == date(2025, 3, 31)


CA_CSV = """Téléchargement du 02/04/2025;;;;
Compte courant n° FR76 3000 6000 0112 3456 7890 189;;;;
Solde au 31/03/2025;12 345,67 €;;;

Date;Libellé;Débit euros;Crédit euros;
12/03/2025;"VIR SEPA GARAGE LEFEVRE
FACT FA-2025-0012";;1 200,50;
13/03/2025;PRLV URSSAF;45,00;;
14/03/2025;VIR BOULANGERIE MARTIN fa20250013;;99,90;
""".encode("cp1252")

BOURSO_CSV = b"""dateOp;dateVal;label;category;amount;accountNum
2025-03-12;2025-03-12;"VIR FA2025 0012";Virements;1200,50;00040123456
2025-03-13;2025-03-13;"CB CARREFOUR";Courses;-12,30;00040123456
"""

QONTO_CSV = b"""Status,Settlement date (UTC),Total amount (incl. VAT),Currency,Counterparty name,Transaction ID,IBAN,Reference
settled,12-03-2025 10:00:00,1200.50,EUR,Garage Lefevre,tx-1,FR7630001007941234567890185,FA-2025-0012
settled,13-03-2025 10:00:00,-45.00,EUR,URSSAF,tx-2,,
"""


def test_french_bank_csv_with_preamble_debit_credit_columns_and_multiline_label():
    [stmt] = parse_statement_file("ca.csv", CA_CSV)
    assert stmt.account_iban == "FR7630006000011234567890189"
    assert [(ln.booking_date, ln.amount, ln.credit) for ln in stmt.lines] == [
        (date(2025, 3, 12), Decimal("1200.50"), True), (date(2025, 3, 13), Decimal("45.00"), False),
        (date(2025, 3, 14), Decimal("99.90"), True),
    ]
    assert "FA-2025-0012" in stmt.lines[0].remittance and stmt.lines[0].line == 6
    assert stmt.closing_date == date(2025, 3, 14)


def test_bank_csv_with_one_signed_amount_column():
    [stmt] = parse_statement_file("bourso.csv", BOURSO_CSV)
    assert [(ln.amount, ln.credit) for ln in stmt.lines] == [(Decimal("1200.50"), True), (Decimal("12.30"), False)]


def test_bank_csv_with_reference_counterparty_and_iban_columns():
    [stmt] = parse_statement_file("qonto.csv", QONTO_CSV)
    first = stmt.lines[0]
    assert (first.payer_name, first.payer_iban, first.booking_date) == (
        "Garage Lefevre", "FR7630001007941234567890185", date(2025, 3, 12))
    assert first.bank_ref == "csv:tx-1"
    assert "FA-2025-0012" in first.remittance  # the payer's reference is searched for invoice numbers


def test_bank_csv_problems_are_reported_with_line_and_field():
    bad = b"Date;Libell\xe9;Montant\n12/03/2025;OK;10,00\n32/13/2025;KO;10,00\n14/03/2025;KO;dix euros\n"
    with pytest.raises(InputError) as exc:
        parse_statement_file("bad.csv", bad)
    assert [(p.line, p.field) for p in exc.value.problems] == [(3, "date"), (4, "amount")]


def test_a_csv_without_a_recognisable_header_is_refused():
    with pytest.raises(InputError, match="en-tête introuvable"):
        parse_statement_file("x.csv", b"a;b;c\n1;2;3\n")


def test_the_same_csv_lines_get_the_same_references_in_overlapping_exports():
    first = parse_statement_file("a.csv", CA_CSV)[0].lines
    shorter = CA_CSV.replace("14/03/2025;VIR BOULANGERIE MARTIN fa20250013;;99,90;\n".encode("cp1252"), b"")
    second = parse_statement_file("b.csv", shorter)[0].lines
    assert [ln.bank_ref for ln in second] == [ln.bank_ref for ln in first[:2]]


# --- Hostile input -------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&lol9;</Id>
</Stmt></BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&xxe;</Id>
</Stmt></BkToCstmrStmt></Document>"""

OFX_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE OFX [<!ENTITY x SYSTEM "http://example.com/">]>
<?OFX OFXHEADER="200" VERSION="211"?><OFX><BANKMSGSRSV1></BANKMSGSRSV1></OFX>"""


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("releve.xml", b"0" * 5_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "message"), [
    (BILLION_LAUGHS, "DOCTYPE ou ENTITY"),
    (EXTERNAL_ENTITY, "DOCTYPE ou ENTITY"),
    (OFX_ENTITY, "DOCTYPE ou ENTITY"),
    (BILLION_LAUGHS.replace(b"<?xml", b"   <?xml").upper().replace(b"<!DOCTYPE", b"<!doctype"), "DOCTYPE ou ENTITY"),
    (_zip_bomb(), "archives"),
    (gzip.compress(b"0" * 1_000_000), "archives"),
    (b"<Document><BkToCstmrStmt><Stmt>", "XML mal formé"),
    (b"<Document xmlns='urn:x'><Other/></Document>", "XML non reconnu"),
])
def test_hostile_files_are_refused_quickly_with_a_clear_message(data, message):
    started = time.perf_counter()
    with pytest.raises(InputError, match=message):
        parse_statement_file("hostile.xml", data)
    assert time.perf_counter() - started < 2  # bounded: nothing was expanded or fetched


def test_an_oversized_file_is_refused_before_parsing():
    with pytest.raises(InputError, match="trop volumineux"):
        parse_statement_file("huge.xml", b" " * (MAX_BYTES + 1))


def test_utf16_xml_with_a_doctype_is_refused_too():
    data = EXTERNAL_ENTITY.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")
    with pytest.raises(InputError):
        parse_statement_file("utf16.xml", data, "camt053")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_parsers(data):
    for fmt in ("auto", "camt053", "ofx", "csv"):
        with contextlib.suppress(InputError):
            parse_statement_file("fuzz", data, fmt)


@settings(max_examples=50, deadline=None)
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_any_french_formatted_csv_amount_and_date_reads_back(amount, day):
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    data = f"Date;Libellé;Montant\n{day:%d/%m/%Y};VIR;{text}\n".encode()
    [line] = parse_statement_file("p.csv", data)[0].lines
    assert (line.amount, line.booking_date, line.credit) == (amount, day, True)


def test_camt052_reports_and_documents_without_namespace_are_read_too():
    from relance.banking.tests.builders import camt053, credit

    data = camt053(credit("12.50", ref="K1", remittance="FA-1"))
    report = data.replace(b"BkToCstmrStmt", b"BkToCstmrAcctRpt").replace(b"<Stmt>", b"<Rpt>").replace(b"</Stmt>", b"</Rpt>")
    [stmt] = parse_statement_file("report.xml", report)
    assert stmt.format == "camt052" and stmt.lines[0].amount == Decimal("12.50")
    bare = data.replace(b' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"', b"")
    [stmt] = parse_statement_file("bare.xml", bare)
    assert stmt.lines[0].bank_ref == "NL77ABNA0574908765:K1"
