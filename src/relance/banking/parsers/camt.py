"""ISO 20022 cash-management statements: camt.053 (statement), camt.054 (notification), camt.052 (report).

Any version of the namespace is accepted: elements are looked up by local name.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree
from lxml.etree import _Element as Element

from relance.banking.parsers.common import (
    RefAllocator,
    check_no_dtd,
    clean,
    line_fingerprint,
    refuse,
)
from relance.banking.records import BankLine, ParsedStatement
from relance.core.errors import InputError, InputProblem
from relance.core.money import money

CONTAINERS = {"BkToCstmrStmt": ("Stmt", "camt053"), "BkToCstmrDbtCdtNtfctn": ("Ntfctn", "camt054"),
              "BkToCstmrAcctRpt": ("Rpt", "camt052")}
SKIPPED_STATUSES = {"PDNG", "INFO", "FUTR"}



def _parser() -> etree.XMLParser:
    # Entities are never resolved, no DTD is loaded, nothing is fetched from the network.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


def parse_xml(file: str, data: bytes) -> Element:
    check_no_dtd(file, data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise refuse(file, f"XML mal formé : {exc.msg}", line=exc.lineno)
    if root.getroottree().docinfo.internalDTD is not None:
        raise refuse(file, "fichier refusé : déclaration DOCTYPE interdite.")
    return root


def local(el: Element) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def child(el: Element | None, *path: str) -> Element | None:
    # Plain iteration over children beats lxml's path engine (written in Python) on big statements.
    for name in path:
        if el is None:
            return None
        el = next(el.iterchildren("{*}" + name), None)  # any namespace version; filtered in C
    return el


def children(el: Element | None, name: str) -> list[Element]:
    return [] if el is None else list(el.iterchildren("{*}" + name))


def text(el: Element | None, *path: str) -> str:
    found = child(el, *path)
    return clean(found.text) if found is not None else ""


def camt_kind(root: Element) -> str | None:
    for c in root if local(root) == "Document" else []:
        if local(c) in CONTAINERS:
            return CONTAINERS[local(c)][1]
    return None


def _date(el: Element | None) -> date | None:
    """<Dt>2014-01-05</Dt> or <DtTm>2014-01-05T10:00:00</DtTm> under `el`."""
    raw = text(el, "Dt") or text(el, "DtTm")[:10]
    if not raw and el is not None and el.text:
        raw = clean(el.text)[:10]
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_camt(file: str, data: bytes) -> list[ParsedStatement]:
    root = parse_xml(file, data)
    container = next((c for c in root if local(c) in CONTAINERS), None) if local(root) == "Document" else None
    if container is None:
        raise refuse(file, "ce fichier XML n'est pas un relevé camt.053, camt.054 ni camt.052.", line=root.sourceline)
    tag, kind = CONTAINERS[local(container)]
    statements, problems = [], []
    for stmt in children(container, tag):
        try:
            statements.append(_statement(file, kind, stmt))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return statements


def _statement(file: str, kind: str, stmt: Element) -> ParsedStatement:
    acct = child(stmt, "Acct")
    parsed = ParsedStatement(
        file=file, format=kind, statement_id=text(stmt, "Id"),
        account_iban=text(acct, "Id", "IBAN"), account_id=text(acct, "Id", "Othr", "Id"),
        currency=text(acct, "Ccy") or _balance_currency(stmt) or "EUR",
    )
    parsed.opening_date = _date(child(stmt, "FrToDt", "FrDtTm")) if child(stmt, "FrToDt") is not None else None
    parsed.closing_date = _closing_date(stmt)
    refs, problems = RefAllocator(), []
    for entry in children(stmt, "Ntry"):
        try:
            parsed.lines.extend(_entry_lines(file, parsed, entry, refs))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if parsed.closing_date is None and parsed.lines:
        parsed.closing_date = max(line.booking_date for line in parsed.lines)
    return parsed


def _balance_currency(stmt: Element) -> str:
    amount = child(child(stmt, "Bal"), "Amt")
    return (amount.get("Ccy") or "") if amount is not None else ""


def _closing_date(stmt: Element) -> date | None:
    to = child(stmt, "FrToDt", "ToDtTm")
    if to is not None and (day := _date(to)):
        return day
    for bal in children(stmt, "Bal"):
        if text(bal, "Tp", "CdOrPrtry", "Cd") in ("CLBD", "ITBD") and (day := _date(child(bal, "Dt"))):
            return day
    created = child(stmt, "CreDtTm")
    return _date(created) if created is not None else None


def _amount(file: str, el: Element | None, field: str) -> tuple[Decimal, str]:
    if el is None or not clean(el.text):
        raise refuse(file, "montant absent", line=getattr(el, "sourceline", None), field=field)
    try:
        value = Decimal(clean(el.text))
    except InvalidOperation:
        raise refuse(file, f"montant illisible : {el.text!r}", line=el.sourceline, field=field)
    if not value.is_finite() or value < 0:
        raise refuse(file, f"montant invalide : {el.text!r}", line=el.sourceline, field=field)
    return money(value), el.get("Ccy") or ""


def _entry_lines(file: str, stmt: ParsedStatement, entry: Element, refs: RefAllocator) -> list[BankLine]:
    status = text(entry, "Sts") or text(entry, "Sts", "Cd")
    if status in SKIPPED_STATUSES:
        return []
    amount, currency = _amount(file, child(entry, "Amt"), "Amt")
    booking = _date(child(entry, "BookgDt")) or _date(child(entry, "ValDt"))
    if booking is None:
        raise InputError([InputProblem(file, entry.sourceline, "BookgDt", "date de comptabilisation absente")])
    details = [tx for d in children(entry, "NtryDtls") for tx in children(d, "TxDtls")]
    base = {
        "credit": text(entry, "CdtDbtInd") == "CRDT",
        "reversal": text(entry, "RvslInd").lower() == "true",
        "currency": currency or stmt.currency, "booking_date": booking,
        "entry_ref": text(entry, "AcctSvcrRef") or text(entry, "NtryRef"),
        "entry_info": text(entry, "AddtlNtryInf"),
    }
    if not details:
        return [_line(stmt, refs, base, None, amount, entry.sourceline)]
    lines = []
    for tx in details:
        tx_amount = child(tx, "Amt") if child(tx, "Amt") is not None else child(tx, "AmtDtls", "TxAmt", "Amt")
        value, tx_currency = amount, ""
        if tx_amount is not None or len(details) > 1:
            value, tx_currency = _amount(file, tx_amount, "TxDtls/Amt")
        tx_base = {**base, "currency": tx_currency or base["currency"]}
        lines.append(_line(stmt, refs, tx_base, tx, value, tx.sourceline, single=len(details) == 1))
    return lines


def _party(tx: Element | None, role: str) -> tuple[str, str]:
    parties = child(tx, "RltdPties")
    name = text(parties, role, "Nm") or text(parties, role, "Pty", "Nm") or text(parties, f"Ultmt{role}", "Nm")
    iban = text(parties, f"{role}Acct", "Id", "IBAN")
    return name, iban


def _remittance(tx: Element | None) -> tuple[list[str], str]:
    rmt = child(tx, "RmtInf")
    parts = [clean(u.text) for u in children(rmt, "Ustrd") if clean(u.text)]
    creditor_ref = ""
    for strd in children(rmt, "Strd"):
        for doc in children(strd, "RfrdDocInf"):
            parts.append(text(doc, "Nb"))
        ref = text(strd, "CdtrRefInf", "Ref")
        creditor_ref = creditor_ref or ref
        parts.extend([ref, *(clean(a.text) for a in children(strd, "AddtlRmtInf"))])
    return [p for p in parts if p], creditor_ref


def _line(stmt: ParsedStatement, refs: RefAllocator, base: dict, tx: Element | None, amount: Decimal,
          sourceline: int | None, single: bool = True) -> BankLine:
    credit = base["credit"] if tx is None or not text(tx, "CdtDbtInd") else text(tx, "CdtDbtInd") == "CRDT"
    # The payer of a credit is the debtor; a reversed credit still names the original debtor or creditor.
    name, iban = _party(tx, "Dbtr") if credit or base["reversal"] else ("", "")
    if base["reversal"] and not name:
        name, iban = _party(tx, "Cdtr")
    parts, creditor_ref = _remittance(tx)
    parts += [text(tx, "AddtlTxInf")] + ([base["entry_info"]] if single else [])
    remittance = " ".join(p for p in parts if p)
    e2e = text(tx, "Refs", "EndToEndId")
    e2e = "" if e2e.upper() == "NOTPROVIDED" else e2e
    refs_el = child(tx, "Refs")
    tx_ref = (text(refs_el, "AcctSvcrRef") or text(refs_el, "TxId") or e2e
              or text(refs_el, "InstrId") or text(refs_el, "Prtry", "Ref"))
    ref = (base["entry_ref"] or tx_ref) if single else "/".join(p for p in (base["entry_ref"], tx_ref) if p)
    if not ref:
        ref = line_fingerprint(stmt.account, base["booking_date"], amount, iban, name, remittance)
    return BankLine(
        bank_ref=refs.unique(f"{stmt.account}:{ref}"), booking_date=base["booking_date"], amount=amount,
        currency=base["currency"], credit=credit, reversal=base["reversal"], end_to_end_id=e2e,
        payer_name=name, payer_iban=iban.replace(" ", "").upper(), remittance=remittance[:2000],
        creditor_reference=creditor_ref, return_reason=text(tx, "RtrInf", "Rsn", "Cd"), line=sourceline,
    )
