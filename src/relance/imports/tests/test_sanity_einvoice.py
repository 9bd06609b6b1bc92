"""E-invoices that import but deserve a word: a seller who is not the organisation (a purchase invoice?),
and errors that point at an EN 16931 term of the XML rather than at a line it does not have."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from relance.core.errors import InputError, InputProblem
from relance.imports.parsers.einvoice import Seller, parse_einvoice_xml
from relance.imports.services import _identity, invoice_import, seller_differs
from relance.ledger.models import Invoice
from relance.ledger.selectors import scoped

CORPUS = Path("/work/shared/corpus/einvoice")
GERMAN_UBL = CORPUS / "ubl/EN16931_Einfach.ubl.xml"  # seller Lieferant GmbH, VAT DE123456789, no SIREN
FRENCH_PDF = CORPUS / "facturx-fnfe/correct__Facture_FR_BASICWL.pdf"  # seller Au bon moulin, SIREN 999999998
TODAY = date(2025, 4, 1)
PURCHASE = "différent de l'organisation — facture d'achat ?"

# (organisation's SIREN, SIRET, VAT), (seller's SIREN, SIRET, VAT), differs?
IDENTITIES = [
    (("732829320", "", ""), ("", "", "DE123456789"), True),  # a French SIREN is never a German VAT number
    (("732829320", "", ""), ("999999998", "99999999800010", "FR11999999998"), True),
    (("999999998", "", ""), ("999999998", "99999999800010", "FR11999999998"), False),
    (("", "", "FR11999999998"), ("999999998", "", ""), False),  # the French VAT number holds the SIREN
    (("999999998", "", ""), ("", "", "fr 11 999 999 998"), False),  # and a SIREN gives the VAT number
    (("", "99999999800028", ""), ("", "99999999800010", ""), False),  # another establishment, same company
    (("", "", "DE123456789"), ("", "", "DE123456789"), False),
    (("", "", "DE123456789"), ("", "", "DE987654321"), True),
    (("", "", ""), ("999999998", "", "FR11999999998"), False),  # nothing to compare with: no warning
    (("732829320", "", ""), ("", "", ""), False),  # a seller without identifiers: nothing to compare
]


@pytest.mark.parametrize(("own", "seller", "differs"), IDENTITIES)
def test_a_seller_differs_only_when_comparable_identifiers_share_nothing(own, seller, differs):
    s_siren, s_siret, s_vat = seller
    own_sirens, own_vats = _identity(*own)
    assert seller_differs(Seller("X", s_siren, s_siret, s_vat), own_sirens, own_vats) is differs


@pytest.mark.parametrize(("path", "seller"), [
    (GERMAN_UBL, Seller("Lieferant GmbH", "", "", "DE123456789")),
    (CORPUS / "cii/EN16931_Einfach.cii.xml", Seller("Lieferant GmbH", "", "", "DE123456789")),
])
def test_the_parser_reads_the_seller_of_an_xml(path, seller):
    assert parse_einvoice_xml(path.read_bytes(), file=path.name).records[0].seller == seller  # type: ignore[attr-defined]


# organisation (SIREN, VAT), file, expected warning fragments (empty: no warning)
IMPORTS = [
    (("732829320", ""), GERMAN_UBL, ["EN16931_Einfach.ubl.xml", "vendeur Lieferant GmbH (TVA DE123456789)"]),
    (("732829320", ""), FRENCH_PDF, ["correct__Facture_FR_BASICWL.pdf",
                                     "vendeur Au bon moulin (TVA FR11999999998, SIREN 999999998)"]),
    (("", "FR39732829320"), GERMAN_UBL, ["vendeur Lieferant GmbH"]),
    (("999999998", ""), FRENCH_PDF, []),  # the organisation's own invoice
    (("", ""), GERMAN_UBL, []),  # an organisation without identifiers cannot tell
]


@pytest.mark.django_db
@pytest.mark.parametrize(("ids", "path", "fragments"), IMPORTS)
def test_an_invoice_from_another_seller_imports_with_a_warning(org, ids, path, fragments):
    org.siren, org.vat_number = ids
    org.save()
    report = invoice_import(org=org, paths_or_files=[path], today=TODAY)
    assert report.created == 1 and scoped(Invoice, org).count() == 1  # never refused: the user decides
    warned = [w for w in report.warnings if PURCHASE in w]
    if fragments:
        assert len(warned) == 1 and all(f in warned[0] for f in fragments), warned
    else:
        assert warned == []


@pytest.mark.django_db
def test_the_dry_run_says_it_too_and_the_command_prints_it(org):
    report = invoice_import(org=org, paths_or_files=[GERMAN_UBL], today=TODAY, dry_run=True)
    assert any(PURCHASE in w for w in report.warnings) and not scoped(Invoice, org).exists()
    out, err = StringIO(), StringIO()
    call_command("import", "invoices", str(GERMAN_UBL), "--date", "2025-04-01", stdout=out, stderr=err)
    assert "Lieferant GmbH" in err.getvalue() and PURCHASE in err.getvalue()


@pytest.mark.django_db
def test_the_import_page_shows_the_warning_before_confirmation(org, bob, client_for):
    response = client_for(bob).post("/imports/", {"file": SimpleUploadedFile(GERMAN_UBL.name, GERMAN_UBL.read_bytes()),
                                                  "fmt": "auto"})
    page = response.content.decode()
    assert "Lieferant GmbH" in page and "facture d&#x27;achat ?" in page


# --- XML errors name the EN 16931 term, never a line the XML does not have ---------------------------------

def conflict_in_one_batch() -> InputProblem:
    with pytest.raises(InputError) as exc:
        invoice_import(org=_org(), paths_or_files=[GERMAN_UBL, CORPUS / "ubl/EN16931_Gutschrift.ubl.xml"],
                       today=TODAY)
    return exc.value.problems[0]


def conflict_with_the_ledger() -> InputProblem:
    org = _org()
    invoice_import(org=org, paths_or_files=[CORPUS / "cii/EN16931_Einfach.cii.xml"], today=TODAY)
    with pytest.raises(InputError) as exc:
        invoice_import(org=org, paths_or_files=[CORPUS / "cii/EN16931_Rabatte.cii.xml"], today=TODAY)
    return exc.value.problems[0]


def due_before_issue() -> InputProblem:
    path = CORPUS / "ubl/EN16931_Einfach_DueDate.ubl.xml"
    data = path.read_bytes()
    assert b"<cbc:DueDate>" in data
    data = data.replace(data[data.index(b"<cbc:DueDate>"):data.index(b"</cbc:DueDate>")], b"<cbc:DueDate>2000-01-01")
    with pytest.raises(InputError) as exc:
        parse_einvoice_xml(data, file=path.name)
    return exc.value.problems[0]


def _org():
    from relance.core.factories import OrganisationFactory

    return OrganisationFactory()


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "field", "text"), [
    (conflict_in_one_batch, "BT-1 (numéro de facture)", "élément BT-1 (numéro de facture) : conflit"),
    (conflict_with_the_ledger, "BT-1 (numéro de facture)", "élément BT-1 (numéro de facture) : conflit"),
    (due_before_issue, "BT-9 (date d'échéance)", "élément BT-9 (date d'échéance) : échéance"),
])
def test_an_xml_error_names_the_term_and_no_line(make, field, text):
    problem = make()
    assert (problem.line, problem.field) == (None, field)
    assert text in str(problem) and "ligne" not in str(problem) and "champ" not in str(problem)


@pytest.mark.django_db
def test_the_first_document_of_a_conflict_is_named_without_a_line():
    problem = conflict_in_one_batch()
    assert "EN16931_Einfach.ubl.xml)" in problem.message and "ligne" not in problem.message


@pytest.mark.django_db
def test_a_csv_duplicate_still_names_its_line_and_column(org, tmp_path):
    path = tmp_path / "factures.csv"
    path.write_text("numero_facture;code_client;nom_client;date_facture;montant_ttc\n"
                    "FA-1;C1;Martin;01/03/2025;120,00\nFA-1;C1;Martin;01/03/2025;130,00\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        invoice_import(org=org, paths_or_files=[path], today=TODAY)
    problem = exc.value.problems[0]
    assert (problem.line, problem.field) == (3, "invoice_number")
    assert "ligne 3, champ « invoice_number »" in str(problem) and "ligne 2" in problem.message


@pytest.mark.django_db
def test_the_command_prints_the_xml_error_without_a_line(org):
    with pytest.raises(CommandError) as exc:
        call_command("import", "invoices", str(GERMAN_UBL), str(CORPUS / "ubl/EN16931_Gutschrift.ubl.xml"),
                     stdout=StringIO(), stderr=StringIO())
    assert "EN16931_Gutschrift.ubl.xml, élément BT-1 (numéro de facture) : conflit" in str(exc.value)
    assert "ligne 1" not in str(exc.value)


@pytest.mark.django_db
def test_the_import_page_shows_no_fake_line_for_an_xml(org, bob, client_for):
    client = client_for(bob)
    token = client.post("/imports/", {"file": SimpleUploadedFile("a.xml", (CORPUS / "cii/EN16931_Einfach.cii.xml")
                                                                 .read_bytes()), "fmt": "auto"}).context["token"]
    client.post("/imports/confirmer/", {"token": token})
    response = client.post("/imports/", {"file": SimpleUploadedFile(
        "b.xml", (CORPUS / "cii/EN16931_Rabatte.cii.xml").read_bytes()), "fmt": "auto"})
    errors = response.context["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(None, "BT-1 (numéro de facture)")]
    assert "<td>—</td><td>BT-1 (numéro de facture)</td>" in response.content.decode()
