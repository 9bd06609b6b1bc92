"""Small statement builders for tests (the real corpus files are used wherever they fit)."""

from __future__ import annotations


def camt053(*entries: str, iban: str = "NL77ABNA0574908765", closing: str = "2025-03-14",
            version: str = "001.08") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{version}"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>{closing}T20:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-{closing}</Id><CreDtTm>{closing}T20:00:00</CreDtTm>
<FrToDt><FrDtTm>{closing}T00:00:00</FrDtTm><ToDtTm>{closing}T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
{"".join(entries)}
</Stmt></BkToCstmrStmt></Document>""".encode()


def credit(amount: str, *, ref: str, remittance: str = "", name: str = "", iban: str = "", e2e: str = "",
           day: str = "2025-03-12", cref: str = "") -> str:
    strd = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{cref}</Ref></CdtrRefInf></Strd>"
            if cref else "")
    return f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>{e2e or "NOTPROVIDED"}</EndToEndId></Refs>
<RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>{remittance}</Ustrd>{strd}</RmtInf></TxDtls></NtryDtls></Ntry>"""


def csv_statement(*rows: tuple[str, str, str]) -> bytes:
    """rows of (dd/mm/yyyy, label, signed amount with decimal comma)."""
    lines = ["Date;Libellé;Montant"] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("cp1252")
