"""OFX bank statements: SGML 1.x (unclosed leaf tags) and XML 2.x, read by one tolerant tokenizer.

No XML library is involved: entities are not expanded (only the five predefined ones and numeric
character references are decoded) and any DOCTYPE/ENTITY declaration is refused up front.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from relance.banking.parsers.common import RefAllocator, check_no_dtd, clean, decode_text, refuse
from relance.banking.records import BankLine, ParsedStatement
from relance.core.errors import InputError, InputProblem
from relance.core.money import money, parse_amount

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PI = re.compile(r"<\?.*?\?>", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z0-9._]+)>([^<]*)")
_CHARSET = re.compile(r"^CHARSET:\s*(\S+)", re.MULTILINE)
_XML_ENCODING = re.compile(rb"encoding=[\"']([A-Za-z0-9._-]+)[\"']")


@dataclass
class Node:
    tag: str
    line: int
    value: str | None = None
    kids: list[Node] = field(default_factory=list)

    def get(self, *path: str) -> Node | None:
        node: Node | None = self
        for name in path:
            node = next((k for k in node.kids if k.tag == name), None) if node else None
        return node

    def val(self, *path: str) -> str:
        node = self.get(*path)
        return node.value or "" if node else ""

    def all(self, name: str) -> list[Node]:
        return [k for k in self.kids if k.tag == name]

    def walk(self, name: str) -> list[Node]:
        found = [self] if self.tag == name else []
        for k in self.kids:
            found.extend(k.walk(name))
        return found


def looks_like_ofx(head: bytes) -> bool:
    upper = head.upper()
    return b"OFXHEADER" in upper or b"<OFX>" in upper


def _decode(data: bytes) -> str:
    head = data[:400]
    if found := _XML_ENCODING.search(head):
        enc = found.group(1).decode().lower()
        return decode_text(data, "ascii" if enc in ("ascii", "usascii") else enc)
    m = _CHARSET.search(head.decode("latin-1"))
    charset = m.group(1) if m else ""
    return decode_text(data, f"cp{charset}" if charset.isdigit() else None)


def tokenize(file: str, text: str) -> Node:
    """Build the tree. A tag followed by text is a leaf (its closing tag optional, as in SGML)."""
    # Blank out comments and processing instructions but keep their newlines, so line numbers stay true.
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    text = _PI.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    start = text.find("<OFX>")
    if start < 0:
        raise refuse(file, "balise <OFX> introuvable : ce n'est pas un relevé OFX.")
    root = Node("ROOT", 1)
    stack, line, pos = [root], text.count("\n", 0, start) + 1, start
    for m in _TAG.finditer(text, start):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        closing, tag, tail = m.group(1), m.group(2).upper(), m.group(3)
        if closing:
            if any(n.tag == tag for n in stack[1:]):
                while stack[-1].tag != tag:
                    stack.pop()
                stack.pop()
            continue  # the closing tag of a leaf: nothing to do
        value = clean(tail)
        node = Node(tag, line, html.unescape(value) if value else None)
        stack[-1].kids.append(node)
        if not value:
            stack.append(node)
    return root


def _date(raw: str) -> date | None:
    digits = raw[:8]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if len(digits) == 8 and digits.isdigit() else None
    except ValueError:
        return None


def _account(file: str, node: Node) -> tuple[str, str]:
    acct = node.get("BANKACCTFROM") or node.get("CCACCTFROM")
    if acct is None or not acct.val("ACCTID"):
        raise refuse(file, "compte du relevé absent (BANKACCTFROM/ACCTID)", line=node.line, field="BANKACCTFROM")
    bank, branch, number = acct.val("BANKID"), acct.val("BRANCHID"), acct.val("ACCTID")
    iban = ""
    if len(bank) == 5 and len(branch) == 5 and len(number) == 11:
        # A French RIB: the IBAN (and its RIB key) follows from bank, branch and account number.
        try:
            iban = str(IBAN.generate("FR", bank_code=bank + branch, account_code=number))
        except SchwiftyException:
            iban = ""
    return iban, " ".join(p for p in (bank, branch, number) if p)


def parse_ofx(file: str, data: bytes) -> list[ParsedStatement]:
    check_no_dtd(file, data)
    root = tokenize(file, _decode(data))
    statements, problems = [], []
    for node in root.walk("STMTRS") + root.walk("CCSTMTRS"):
        try:
            statements.append(_statement(file, node))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if not statements:
        raise refuse(file, "aucun relevé (STMTRS) dans ce fichier OFX.")
    return statements


def _statement(file: str, node: Node) -> ParsedStatement:
    problems = []
    currency = node.val("CURDEF")
    if not currency:
        problems.append(InputProblem(file, node.line, "CURDEF", "devise du relevé absente"))
    try:
        iban, account_id = _account(file, node)
    except InputError as exc:
        problems.extend(exc.problems)
        iban, account_id = "", ""
    parsed = ParsedStatement(file=file, format="ofx", account_iban=iban, account_id=account_id,
                             currency=currency or "EUR")
    lists = node.all("BANKTRANLIST")
    parsed.opening_date = min((d for t in lists if (d := _date(t.val("DTSTART")))), default=None)
    ends = [d for t in lists if (d := _date(t.val("DTEND")))]
    parsed.closing_date = _date(node.val("LEDGERBAL", "DTASOF")) or max(ends, default=None)
    refs = RefAllocator()
    for trn in (t for lst in lists for t in lst.all("STMTTRN")):
        try:
            parsed.lines.append(_transaction(file, parsed, trn, refs))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    parsed.statement_id = f"{parsed.account}:{parsed.closing_date or ''}"
    return parsed


def _transaction(file: str, stmt: ParsedStatement, trn: Node, refs: RefAllocator) -> BankLine:
    missing = [f for f in ("DTPOSTED", "TRNAMT", "FITID") if not trn.val(f)]
    if missing:
        raise InputError([InputProblem(file, trn.line, f, "champ obligatoire absent de la transaction (STMTTRN)")
                          for f in missing])
    posted = _date(trn.val("DTPOSTED"))
    if posted is None:
        raise refuse(file, f"date illisible : {trn.val('DTPOSTED')!r}", line=(trn.get("DTPOSTED") or trn).line, field="DTPOSTED")
    try:
        amount = parse_amount(trn.val("TRNAMT"))
    except ValueError as exc:
        raise refuse(file, str(exc), line=(trn.get("TRNAMT") or trn).line, field="TRNAMT")
    name = trn.val("NAME") or trn.val("PAYEE", "NAME")
    remittance = " ".join(p for p in (name, trn.val("MEMO")) if p)
    return BankLine(
        bank_ref=refs.unique(f"{stmt.account}:{trn.val('FITID')}"), booking_date=posted, amount=money(abs(amount)),
        currency=trn.val("CURRENCY", "CURSYM") or stmt.currency, credit=amount > 0, payer_name=name,
        remittance=remittance, end_to_end_id=trn.val("REFNUM"), line=trn.line,
    )
