"""E-invoices: Factur-X / ZUGFeRD 2 PDFs, CII and UBL 2.1 XML, read into EN 16931 terms.

The `factur-x` library maps both syntaxes onto EN 16931 business terms (BT-1 number, BT-3 type…); we
extract and parse the XML ourselves so that every byte goes through the hardened parser of `safety`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree
from stdnum.fr import siren as stdnum_siren

from relance.core.money import format_eur, money
from relance.imports.parsers.base import ParseResult
from relance.imports.parsers.fields import siren_siret
from relance.imports.parsers.safety import MAX_EMBEDDED_XML_BYTES, parse_xml, refuse
from relance.ledger.records import CustomerRecord, InvoiceRecord

#: UNTDID 1001 codes of credit notes; every other document type is read as an invoice
CREDIT_NOTE_TYPES = {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
XML_ATTACHMENTS = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
PDF_LIMITS = {
    "zlib_maximum_output_length": MAX_EMBEDDED_XML_BYTES * 5,
    "lzw_maximum_output_length": MAX_EMBEDDED_XML_BYTES * 5,
    "run_length_maximum_output_length": MAX_EMBEDDED_XML_BYTES * 5,
    "maximum_declared_stream_length": MAX_EMBEDDED_XML_BYTES * 5,
}


#: EN 16931 terms named in error messages, as a finance assistant reads them
TERM_NAMES = {
    "BT-1": "BT-1 (numéro de facture)",
    "BT-9": "BT-9 (date d'échéance)",
    "BT-44": "BT-44 (nom de l'acheteur)",
}


@dataclass(frozen=True)
class Seller:
    """The seller (BG-4) as the document names it: who issued the invoice."""

    name: str = ""
    siren: str = ""
    siret: str = ""
    vat_number: str = ""


@dataclass(frozen=True)
class EInvoiceRecord(InvoiceRecord):
    """An e-invoice also carries its document type and buyer identity, so that two different documents
    under one number are told apart (see `invoice_fingerprint`), and its seller, so that an invoice
    the organisation did not issue (a purchase invoice) can be pointed out."""

    type_code: str = "380"
    buyer_identity: str = ""
    seller: Seller = field(default_factory=Seller, compare=False)


def xml_from_pdf(data: bytes, file: str) -> bytes:
    """The invoice XML embedded in a Factur-X / ZUGFeRD PDF, with decompression bounded."""
    from pypdf import PdfReader, apply_configuration

    try:
        with apply_configuration(**PDF_LIMITS):  # type: ignore[arg-type]
            reader = PdfReader(io.BytesIO(data), strict=False)
            for attachment in reader.attachment_list:
                if attachment.name.lower() in XML_ATTACHMENTS:
                    content = attachment.content
                    if len(content) > MAX_EMBEDDED_XML_BYTES:
                        raise refuse(file, "XML embarqué dans le PDF trop volumineux : refusé par sécurité.")
                    return content
    except Exception as exc:
        if hasattr(exc, "problems"):
            raise
        raise refuse(file, f"PDF illisible ou corrompu ({type(exc).__name__}) : impossible d'en extraire la "
                           "facture électronique. Demandez à l'émetteur un nouveau fichier.")
    raise refuse(file, "ce PDF ne contient pas de facture électronique (aucun fichier factur-x.xml ou "
                       "zugferd-invoice.xml embarqué) : importez-le avec son XML, ou saisissez la facture.")


def parse_facturx(data: bytes, *, file: str) -> ParseResult:
    result = parse_einvoice_xml(xml_from_pdf(data, file), file=file, source="facturx")
    records = [_with_document(r, data, file) for r in result.records]
    return ParseResult(records=records, warnings=result.warnings)


def _with_document(record: InvoiceRecord, data: bytes, file: str) -> InvoiceRecord:
    from dataclasses import replace

    name = re.sub(r"[^\w.-]+", "_", file.rsplit("/", 1)[-1]) or "facture.pdf"
    return replace(record, document=data, document_name=name)


def parse_einvoice_xml(data: bytes, *, file: str, source: str = "") -> ParseResult:
    root = parse_xml(data, file)
    terms = _en16931_terms(root, file)
    flavor = terms.pop("_flavor")
    return _to_result(terms, file, source or ("cii" if flavor == "factur-x" else "ubl"))


def _en16931_terms(root: etree._Element, file: str) -> dict[str, Any]:
    from facturx import get_flavor
    from facturx.parse_xml import parse_ubl_cii_xml

    try:
        flavor = get_flavor(root)
        terms = parse_ubl_cii_xml(root, flavor=flavor, check_xsd=False, date_as="date", float_as="string")
    except Exception as exc:  # the library raises bare Exceptions on unknown documents
        raise refuse(file, f"ce XML n'est pas une facture électronique CII, UBL ou Factur-X lisible ({exc}).")
    terms["_flavor"] = flavor
    return terms


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return money(Decimal(str(value)))


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _to_result(t: dict[str, Any], file: str, source: str) -> ParseResult:
    number, issue = str(t.get("BT-1", "")).strip(), _day(t.get("BT-2"))
    total, due_amount = _decimal(t.get("BT-112")), _decimal(t.get("BT-115"))
    if not number or issue is None or total is None:
        missing = [n for n, v in (("BT-1 numéro", number), ("BT-2 date", issue), ("BT-112 total TTC", total)) if not v]
        raise refuse(file, f"facture électronique incomplète : {', '.join(missing)} manquant(s).")
    type_code, warnings = str(t.get("BT-3", "380")), []
    kind = "credit_note" if type_code in CREDIT_NOTE_TYPES or total < 0 else "invoice"
    if type_code not in CREDIT_NOTE_TYPES and total < 0:
        warnings.append(f"{file} : facture {number} (type {type_code}) au montant négatif, importée comme avoir.")
    excl = _decimal(t.get("BT-109"))
    total, excl = abs(total), (abs(excl) if excl is not None else None)
    paid = _paid(kind, total, due_amount, number, file, warnings, currency=str(t.get("BT-5") or "EUR").upper())
    due = _day(t.get("BT-9"))
    if due is not None and due < issue:
        raise refuse(file, f"échéance ({due:%d/%m/%Y}) antérieure à la date de facture ({issue:%d/%m/%Y}).",
                     field=TERM_NAMES["BT-9"])
    buyer = _buyer(t.get("BG-7") or {}, file)
    record = EInvoiceRecord(
        file=file, line=1, number=number, customer=buyer, issue_date=issue,
        due_date=due, total_incl_tax=total, kind=kind, currency=str(t.get("BT-5") or "EUR").upper(),
        total_excl_tax=excl, amount_paid=paid, po_number=str(t.get("BT-13") or "")[:64],
        payment_reference=str(t.get("BT-83") or "")[:64], payee_iban=re.sub(r"\s", "", str(t.get("BT-84") or "")),
        source=source, source_ref=file.rsplit("/", 1)[-1][:200], type_code=type_code,
        buyer_identity="|".join((buyer.name, buyer.siren, buyer.siret, buyer.vat_number)),
        seller=_seller(t.get("BG-4") or {}),
    )
    return ParseResult(records=[record], warnings=warnings)


def _paid(kind: str, total: Decimal, due_amount: Decimal | None, number: str, file: str,
          warnings: list[str], *, currency: str = "EUR") -> Decimal:
    """What the document says is already paid: total − amount due (BT-115), within 0 … total."""
    if kind != "invoice" or due_amount is None:
        return Decimal("0.00")
    paid = total - due_amount
    if paid > total:
        warnings.append(f"{file} : facture {number} déjà réglée d'avance au-delà de son montant "
                        f"(reste dû {format_eur(due_amount, currency)}) : l'excédent n'est pas reporté.")
    return money(min(max(paid, Decimal("0")), total))


def _buyer(party: dict[str, Any], file: str) -> CustomerRecord:
    name = str(party.get("name") or party.get("biz_name") or "").strip()
    if not name:
        raise refuse(file, "facture électronique sans nom d'acheteur (BT-44).", field=TERM_NAMES["BT-44"])
    siren, siret = _legal_ids(party)
    vat = str(party.get("vat_identifier") or "").replace(" ", "")
    contact = (party.get("contacts") or [{}])[0]
    address = "\n".join(str(party[k]) for k in ("addr_l1", "addr_l2", "addr_l3") if party.get(k))
    return CustomerRecord(
        ref=_customer_ref(party, siren, vat, name), name=name[:200], email=str(party.get("email") or
                                                                        contact.get("email") or "").strip(),
        phone=str(contact.get("phone") or "").strip(), siren=siren, siret=siret, vat_number=vat[:20],
        address=address, postcode=str(party.get("postcode") or "")[:10], city=str(party.get("city") or "")[:100],
        country=str(party.get("country_code") or "FR")[:2].upper(),
    )


def _seller(party: dict[str, Any]) -> Seller:
    """BT-27 name, BT-30 legal identifier (else a BT-29 identifier under the SIRENE scheme), BT-31 VAT."""
    siren, siret = _legal_ids(party)
    if not siren and (sirene := (party.get("identifiers") or {}).get("0002")):
        siren, siret = _legal_ids({"legal_identifier": sirene})
    return Seller(name=str(party.get("name") or party.get("biz_name") or "").strip()[:200], siren=siren,
                  siret=siret, vat_number=re.sub(r"[\s.-]", "", str(party.get("vat_identifier") or "")).upper()[:20])


def _legal_ids(party: dict[str, Any]) -> tuple[str, str]:
    """SIREN/SIRET from the legal identifier (scheme 0002 = SIRENE) when it is a valid one."""
    value = str(party.get("legal_identifier") or "")
    scheme = str(party.get("legal_identifier_schemeid") or "0002")
    if not value or scheme != "0002":
        return "", ""
    try:
        return siren_siret(value)
    except ValueError:
        pass
    # Sample and test documents often carry a SIRET whose last digit fails the Luhn key; the SIREN
    # (its first nine digits) still identifies the company, and the SIRET is kept as written.
    digits = re.sub(r"\D", "", value)
    if len(digits) == 14 and stdnum_siren.is_valid(digits[:9]):
        return digits[:9], digits
    return "", ""


def _customer_ref(party: dict[str, Any], siren: str, vat: str, name: str) -> str:
    """The buyer identifier (BT-46, the seller's customer code), else SIREN, else VAT, else the name."""
    identifiers = party.get("identifiers") or {}
    if identifiers:
        return str(next(iter(identifiers.values())))[:64]
    if siren:
        return siren
    if vat:
        return vat
    from relance.imports.parsers.fields import slug

    return slug(name)[:64].upper() or "ACHETEUR"
