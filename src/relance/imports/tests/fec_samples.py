"""A small FEC written line by line, shared by the FEC tests."""

from __future__ import annotations

from relance.imports.parsers.fec import COLUMNS

CUSTOMERS = {"C001": "Boulangerie Martin", "C002": "Crêperie Éole"}


def line(journal: str, num: str, day: str, account: str, piece: str, debit: str = "0,00", credit: str = "0,00",
         aux: str = "", letter: str = "", letter_date: str = "") -> list[str]:
    aux_name = CUSTOMERS.get(aux, "")
    account_name = {"411": "Clients", "706": "Prestations", "445": "TVA collectée", "512": "Banque"}[account[:3]]
    return [journal, "Ventes" if journal == "VT" else "Banque", num, day, account, account_name, aux, aux_name,
            piece, day, f"{piece} {aux_name}", debit, credit, letter, letter_date, day, "", ""]


def sale(num: str, day: str, piece: str, aux: str, ttc: str, ht: str, tva: str, letter: str = "",
         letter_date: str = "", credit_note: bool = False) -> list[list[str]]:
    if credit_note:
        return [line("VT", num, day, "41100000", piece, credit=ttc, aux=aux, letter=letter, letter_date=letter_date),
                line("VT", num, day, "70600000", piece, debit=ht), line("VT", num, day, "44571000", piece, debit=tva)]
    return [line("VT", num, day, "41100000", piece, debit=ttc, aux=aux, letter=letter, letter_date=letter_date),
            line("VT", num, day, "70600000", piece, credit=ht), line("VT", num, day, "44571000", piece, credit=tva)]


def payment(num: str, day: str, piece: str, aux: str, amount: str, letter: str = "", letter_date: str = "") -> list[list[str]]:
    return [line("BQ", num, day, "51200000", piece, debit=amount),
            line("BQ", num, day, "41100000", piece, credit=amount, aux=aux, letter=letter, letter_date=letter_date)]


def ledger() -> list[list[str]]:
    return [
        *sale("1", "20250110", "FA-1", "C001", "000000001200,00", "1000,00", "200,00", "AA", "20250131"),
        *sale("2", "20250115", "FA-2", "C001", "600,00", "500,00", "100,00", "AB", "20250130"),
        *sale("3", "20250116", "FA-3", "C002", "120,00", "100,00", "20,00", "AC", "20250125"),
        *sale("4", "20250120", "AV-1", "C002", "120,00", "100,00", "20,00", "AC", "20250125", credit_note=True),
        *sale("5", "20250121", "FA-4", "C002", "240,00", "200,00", "40,00", "AD", "20250215"),
        *sale("6", "20250122", "AV-2", "C001", "60,00", "50,00", "10,00", credit_note=True),
        *payment("7", "20250130", "VIR-1", "C001", "1200,00", "AA", "20250131"),
        *payment("8", "20250130", "VIR-2", "C001", "300,00", "AB", "20250130"),
        *payment("9", "20250210", "VIR-3", "C002", "240,00", "AD", "20250215"),
    ]


def fec_bytes(rows: list[list[str]] | None = None, sep: str = "\t", encoding: str = "utf-8") -> bytes:
    rows = ledger() if rows is None else rows
    return "\r\n".join(sep.join(r) for r in [list(COLUMNS), *rows]).encode(encoding) + b"\r\n"


FILE = "732829320FEC20250131.txt"
