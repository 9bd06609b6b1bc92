"""Every e-invoice of the shared corpus imports, with the values its XML states, into an empty organisation.

Expected values are read here from the XML with plain XPath (independently of the importer, which goes
through the factur-x library's EN 16931 mapping). `fail__` samples fail the Factur-X schematron (a 380
with negative amounts, a 381 in a profile that forbids it…) but still carry readable invoice XML:
decision — they are imported (a negative 380 as a credit note, with a warning), not refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from facturx import get_xml_from_pdf
from lxml import etree
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from relance.core.errors import InputError
from relance.imports.services import invoice_import
from relance.ledger.models import Invoice
from relance.ledger.selectors import invoice_outstanding, scoped

CORPUS = Path("/work/shared/corpus/einvoice")
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file())
TODAY = date(2025, 4, 1)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
CII = {
    "number": "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID)",
    "type": "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode)",
    "issue": "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString)",
    "total": "string(//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount)",
    "due_amount": "string(//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount)",
    "due": "string(//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString)",
    "buyer": "string(//ram:BuyerTradeParty/ram:Name)",
    "currency": "string(//ram:InvoiceCurrencyCode)",
    "iban": "string(//ram:PayeePartyCreditorFinancialAccount/ram:IBANID)",
}
UBL = {
    "number": "string(/*/cbc:ID)",
    "type": "string(/*/cbc:InvoiceTypeCode | /*/cbc:CreditNoteTypeCode)",
    "issue": "string(/*/cbc:IssueDate)",
    "total": "string(/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount)",
    "due_amount": "string(/*/cac:LegalMonetaryTotal/cbc:PayableAmount)",
    "due": "string(/*/cbc:DueDate)",
    "buyer": "string(/*/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName)",
    "currency": "string(/*/cbc:DocumentCurrencyCode)",
    "iban": "string(/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID)",
}


def stated(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        _, data = get_xml_from_pdf(data, check_xsd=False)
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    paths = UBL if "ubl" in root.tag else CII
    return {key: str(root.xpath(xp, namespaces=NS)).strip() for key, xp in paths.items()}


def as_date(text: str) -> date | None:
    text = text.replace("-", "")
    return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if text else None


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_corpus_file_imports_with_the_values_of_its_xml(org, path):
    xml = stated(path)
    report = invoice_import(org=org, paths_or_files=[path], today=TODAY)
    assert report.created == 1
    invoice = scoped(Invoice, org).get()
    total = Decimal(xml["total"])
    assert invoice.number == xml["number"]
    assert invoice.issue_date == as_date(xml["issue"])
    assert invoice.total_incl_tax == abs(total)
    assert invoice.currency == xml["currency"]
    assert invoice.customer.name == xml["buyer"]
    expected_kind = "credit_note" if xml["type"] == "381" or total < 0 else "invoice"
    assert invoice.kind == expected_kind
    if stated_due := as_date(xml["due"]):
        assert invoice.due_date == stated_due
    else:  # MINIMUM profile and others without a due date: the organisation's payment terms
        assert (invoice.due_date - invoice.issue_date).days == org.payment_terms_days
    if expected_kind == "invoice" and xml["due_amount"]:
        expected_outstanding = max(min(Decimal(xml["due_amount"]), total), Decimal("0"))
        assert invoice_outstanding(invoice) == expected_outstanding
    assert invoice.source == ("facturx" if path.suffix == ".pdf" else path.parent.name)
    if path.suffix == ".pdf":
        assert invoice.document.name and invoice.document.read() == path.read_bytes()
    stated_iban = xml["iban"].replace(" ", "").upper()
    if stated_iban and iban_is_valid(stated_iban):
        assert invoice.payee_iban == stated_iban
    else:  # none stated, or one schwifty refuses (a German sample's is 18 characters): stored blank
        assert invoice.payee_iban == ""
        assert not stated_iban or any("IBAN du bénéficiaire invalide" in w for w in report.warnings)


def iban_is_valid(text: str) -> bool:
    try:
        IBAN(text)
    except SchwiftyException:
        return False
    return True


IBAN_SAMPLES = [
    ("facturx-fnfe/correct__Facture_FR_BASICWL.pdf", "FR2012421242124212421242124"),
    ("facturx-fnfe/fail__Facture_UE_EN16931.pdf", "FR2012421242124212421242124"),
    ("cii/EN16931_Innergemeinschaftliche_Lieferungen.cii.xml", ""),  # DE12 1234 4321 9876 00: wrong length
    ("ubl/EN16931_Innergemeinschaftliche_Lieferungen.ubl.xml", ""),
    ("cii/EN16931_Einfach.cii.xml", ""),  # no payee account stated
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "expected"), IBAN_SAMPLES, ids=[n for n, _ in IBAN_SAMPLES])
def test_the_payee_iban_is_stored_when_valid_and_dropped_with_a_warning_otherwise(org, name, expected):
    report = invoice_import(org=org, paths_or_files=[CORPUS / name], today=TODAY)
    assert scoped(Invoice, org).get().payee_iban == expected
    warned = [w for w in report.warnings if "IBAN du bénéficiaire invalide" in w]
    assert bool(warned) == ("Innergemeinschaftliche" in name)


@pytest.mark.django_db
def test_the_payee_iban_field_refuses_an_invalid_iban_and_accepts_blank(org):
    invoice_import(org=org, paths_or_files=[CORPUS / "cii/EN16931_Einfach.cii.xml"], today=TODAY)
    invoice = scoped(Invoice, org).get()
    invoice.full_clean()  # blank is allowed
    invoice.payee_iban = "DE1212344321987600"
    with pytest.raises(ValidationError):
        invoice.full_clean()
    invoice.payee_iban = "FR2012421242124212421242124"
    invoice.full_clean()


@pytest.mark.django_db
def test_a_pdf_keeps_buyer_identifiers_payment_reference_and_iban(org):
    invoice_import(org=org, paths_or_files=[CORPUS / "facturx-fnfe/correct__Facture_FR_BASICWL.pdf"], today=TODAY)
    invoice = scoped(Invoice, org).get()
    customer = invoice.customer
    assert (customer.siren, customer.siret, customer.vat_number) == ("787878784", "78787878400035", "FR19787878784")
    assert (customer.city, customer.postcode, customer.country) == ("Lyon", "69001", "FR")
    assert invoice.payment_reference == "FA-2017-0010" and invoice.po_number == "PO445"
    assert invoice.due_date == date(2017, 12, 13)


@pytest.mark.django_db
def test_an_en16931_pdf_brings_the_buyer_contact(org):
    invoice_import(org=org, paths_or_files=[CORPUS / "facturx-fnfe/fail__Facture_FR_EN16931.pdf"], today=TODAY)
    contact = scoped(Invoice, org).get().customer.contacts.get()
    assert (contact.email, contact.phone) == ("alexandre.payet@majolieboutique.net", "+33472070867")


@pytest.mark.django_db
def test_a_second_different_document_under_a_used_number_is_a_conflict_never_merged(org):
    invoice_import(org=org, paths_or_files=[CORPUS / "cii/EN16931_Einfach.cii.xml"], today=TODAY)
    with pytest.raises(InputError) as exc:
        invoice_import(org=org, paths_or_files=[CORPUS / "cii/EN16931_Rabatte.cii.xml"], today=TODAY)
    assert "conflit" in exc.value.problems[0].message and "471102" in exc.value.problems[0].message
    assert scoped(Invoice, org).get().total_incl_tax == Decimal("529.87")


@pytest.mark.django_db
def test_the_same_invoice_in_cii_then_ubl_is_recognised_as_unchanged(org):
    invoice_import(org=org, paths_or_files=[CORPUS / "cii/EN16931_Einfach.cii.xml"], today=TODAY)
    report = invoice_import(org=org, paths_or_files=[CORPUS / "ubl/EN16931_Einfach.ubl.xml"], today=TODAY)
    assert (report.created, report.unchanged) == (0, 1)


@pytest.mark.django_db
def test_two_different_documents_with_one_number_in_one_batch_are_a_conflict(org):
    with pytest.raises(InputError) as exc:
        invoice_import(org=org, paths_or_files=[CORPUS / "ubl/EN16931_Einfach.ubl.xml",
                                                CORPUS / "ubl/EN16931_Gutschrift.ubl.xml"], today=TODAY)
    assert exc.value.problems[0].file.endswith("EN16931_Gutschrift.ubl.xml")
    assert not scoped(Invoice, org).exists()
