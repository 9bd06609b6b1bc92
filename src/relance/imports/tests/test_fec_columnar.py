"""The columnar FEC reader (polars) gives exactly what the line-by-line reader gives, or steps aside.

Random ledgers cover what the fast path computes itself (multi-line pieces, partial and late lettering,
payments spread over several invoices, refunds) and what it hands back to `settle` (groups with credit notes).
"""

from __future__ import annotations

import random

import pytest

from relance.imports.parsers.fec import COLUMNS, SIGNED_COLUMNS, parse_fec, parse_fec_lines
from relance.imports.parsers.fec_columnar import read_columnar
from relance.imports.tests.fec_samples import FILE, fec_bytes, ledger, line


def cents(value: int) -> str:
    return f"{value // 100},{value % 100:02d}"


def random_ledger(seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    rows: list[list[str]] = []
    entry, open_pieces = 0, []
    for n in range(60):
        entry += 1
        day = f"202501{rng.randrange(1, 29):02d}"
        aux = rng.choice(["C001", "C002", "C003", ""])
        piece = f"FA-{rng.randrange(40)}"  # pieces reused: several lines, even several entries, per piece
        letter = rng.choice(["", "AA", "AB", "AC", f"L{n}"])
        letter_date = rng.choice(["", "20250120", "20250215"]) if letter else ""
        ht = rng.randrange(100, 50000)
        credit_note = rng.random() < 0.2
        amount = cents(ht * 6 // 5)
        if credit_note:
            rows.append(line("VT", str(entry), day, "41100000", piece, credit=amount, aux=aux, letter=letter,
                             letter_date=letter_date))
            rows.append(line("VT", str(entry), day, "70600000", piece, debit=cents(ht)))
        else:
            rows.append(line("VT", str(entry), day, "41100000", piece, debit=amount, aux=aux, letter=letter,
                             letter_date=letter_date))
            rows.append(line("VT", str(entry), day, "70600000", piece, credit=cents(ht)))
        rows.append(line("VT", str(entry), day, "44571000", piece, **{"debit" if credit_note else "credit":
                                                                       cents(ht * 6 // 5 - ht)}))
        open_pieces.append((aux, letter, ht * 6 // 5))
        if rng.random() < 0.6:
            entry += 1
            aux, letter, owed = rng.choice(open_pieces)
            paid = rng.choice([owed, owed // 2, owed * 2, -owed // 3])
            debit, credit = (cents(paid), "0,00") if paid >= 0 else ("0,00", cents(-paid))
            rows.append(line("BQ", str(entry), "20250130", "51200000", f"VIR{n}", debit=debit, credit=credit))
            rows.append(line("BQ", str(entry), "20250130", "41100000", f"VIR{n}", debit=credit, credit=debit,
                             aux=aux, letter=letter or "AA", letter_date=rng.choice(["20250131", "20250301", ""])))
    return rows


def signed(rows: list[list[str]]) -> list[list[str]]:
    """The same ledger written with Montant and Sens instead of Debit and Credit."""
    out = []
    for r in rows:
        debit, credit = r[11], r[12]
        amount, sign = (debit, "D") if debit not in ("0,00", "") else (credit, "C")
        out.append([*r[:11], amount, sign, *r[13:]])
    return out


def both(data: bytes, *, file: str = FILE, sign: bool = False, sep: str = "\t", encoding: str = "utf-8"):
    fast = read_columnar(data, encoding=encoding, sep=sep, signed=sign, file=file)
    slow = parse_fec_lines(data, encoding=encoding, sep=sep, signed=sign, file=file)
    return fast, slow


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("file", [FILE, "732829320FEC20250228.txt", "export.txt"])
def test_on_random_ledgers_it_gives_the_records_and_links_of_the_line_reader(seed, file):
    fast, slow = both(fec_bytes(random_ledger(seed)), file=file)
    assert fast is not None
    assert fast.records == slow.records and fast.records
    assert fast.credit_links == slow.credit_links


@pytest.mark.parametrize("seed", range(4))
def test_the_montant_sens_variant_reads_as_debit_credit(seed):
    rows = random_ledger(seed)
    header = "\t".join(SIGNED_COLUMNS)
    data = (header + "\r\n" + "".join("\t".join(r) + "\r\n" for r in signed(rows))).encode()
    fast, slow = both(data, sign=True)
    plain = parse_fec(fec_bytes(rows), file=FILE)
    assert fast is not None
    assert fast.records == slow.records == plain.records
    assert fast.credit_links == slow.credit_links == plain.credit_links


@pytest.mark.parametrize("sep, encoding", [("\t", "utf-8"), ("|", "iso-8859-15"), ("|", "cp1252")])
def test_the_sample_ledger_reads_the_same_in_every_encoding(sep, encoding):
    fast, slow = both(fec_bytes(sep=sep, encoding=encoding), sep=sep, encoding=encoding)
    assert fast is not None and fast.records == slow.records and fast.credit_links == slow.credit_links
    assert {r.customer.name for r in fast.records} == {"Boulangerie Martin", "Crêperie Éole"}


def mutated(change) -> bytes:
    rows = ledger()
    change(rows)
    return fec_bytes(rows)


@pytest.mark.parametrize("data", [
    pytest.param(fec_bytes() + b"\r\n", id="blank line"),
    pytest.param(fec_bytes().replace(b"\r\n", b"\r"), id="lone carriage returns"),
    pytest.param(mutated(lambda rows: rows[3].pop()), id="17 columns"),
    pytest.param(mutated(lambda rows: rows[3].append("x")), id="19 columns"),
    pytest.param(mutated(lambda rows: rows[3].__setitem__(3, "10/01/2025")), id="date not AAAAMMJJ"),
    pytest.param(mutated(lambda rows: rows[3].__setitem__(11, "1 200,00")), id="amount with a space"),
    pytest.param(mutated(lambda rows: rows[3].__setitem__(11, "12,005")), id="three decimals"),
    pytest.param(mutated(lambda rows: rows[0].__setitem__(8, "")), id="no PieceRef"),
    pytest.param(mutated(lambda rows: rows[0].__setitem__(14, "2025013")), id="bad DateLet"),
])
def test_anything_not_plainly_well_formed_goes_to_the_line_reader(data):
    assert read_columnar(data, encoding="utf-8", sep="\t", signed=False, file=FILE) is None


def test_columns_constant_is_the_header_of_the_samples():
    assert fec_bytes().split(b"\r\n", 1)[0].decode().split("\t") == list(COLUMNS)


@pytest.mark.parametrize("data", [
    pytest.param(b"\xef\xbb\xbf" + fec_bytes(), id="UTF-8 with BOM"),
    pytest.param(fec_bytes().rstrip(b"\r\n"), id="no line end after the last row"),
    pytest.param(fec_bytes().replace(b"\r\n", b"\n"), id="LF line ends"),
])
def test_byte_order_mark_and_line_ends_read_the_same(data):
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    fast, slow = both(data, encoding=encoding)
    assert fast is not None and fast.records == slow.records and len(fast.records) == 6
    assert parse_fec(data, file=FILE).records == slow.records
