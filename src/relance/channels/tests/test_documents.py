from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from relance.activity.models import Event
from relance.activity.services import event_record
from relance.channels.builders import context_for_customer
from relance.channels.letters import letter_produce
from relance.channels.litigation import competent_court, litigation_file
from relance.channels.models import Document
from relance.channels.services import registered_letter_track
from relance.core.errors import ApplicationError
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def debtor(org):
    customer = CustomerFactory(org=org, name="Transports Lemoine", ref="C900", siren="552100554",
                               address="8 quai Rambaud", postcode="69002", city="Lyon")
    ContactFactory(customer=customer)
    invoice = InvoiceFactory(customer=customer, number="FA-900", total_incl_tax=Decimal("2400.00"),
                             issue_date=date(2024, 12, 1), due_date=date(2024, 12, 31))
    invoice.document.save("fa900.pdf", ContentFile(b"%PDF-1.4 facture 900"), save=True)
    return customer


def notice(org, customer, day=TODAY):
    ctx = context_for_customer(org=org, customer=customer, today=day, step="formal_notice", channel="letter")
    return letter_produce(org=org, customer=customer, ctx=ctx, registered=True, today=day, action_id=None)


@pytest.mark.parametrize(("kind", "cerfa", "court"), [
    ("b2b", "12946", "À déterminer parmi les juridictions du département"),  # Lyon or Villefranche-sur-Saône
    ("b2c", "12948", "À déterminer parmi les juridictions du département"),
    ("public", "", "Tribunal administratif"),
])
def test_the_injonction_de_payer_goes_to_the_right_court(kind, cerfa, court):
    result = competent_court(kind=kind, postcode="69002", city="Lyon", today=TODAY)
    assert (result.cerfa, result.court) == (cerfa, court)


def test_the_litigation_file_has_the_claim_chronology_notice_and_originals(org, debtor):
    doc = notice(org, debtor, day=date(2025, 3, 3))
    registered_letter_track(org=org, document=doc, tracking_number="1A 234 567 8901 2", today=TODAY,
                            acknowledged_on=date(2025, 3, 5))
    event_record(org=org, customer=debtor, type="reply_received", day=date(2025, 3, 6),
                 message="Réponse de Lemoine : nous contestons")
    archive = zipfile.ZipFile(io.BytesIO(litigation_file(org=org, customer=debtor, today=TODAY)))
    names = set(archive.namelist())
    assert {"01-dossier-contentieux.pdf", "02-donnees-injonction-de-payer.json", "03-releve-de-compte.pdf",
            "04-mise-en-demeure-2025-03-03.pdf", "factures/Facture-FA-900.pdf"} == names
    assert archive.read("factures/Facture-FA-900.pdf") == b"%PDF-1.4 facture 900"
    pages = PdfReader(io.BytesIO(archive.read("01-dossier-contentieux.pdf"))).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    for expected in ("Transports Lemoine", "SIREN 552100554", "FA-900", "Cerfa n° 12946",
                     "Tribunal des activités économiques de Lyon", "Tribunal de commerce de Villefranche-sur-Saône",
                     "annuaire des juridictions", "n° 1A23456789012",
                     "accusé de réception signé le 05/03/2025", "nous contestons", "Mise en demeure"):
        assert expected in text, expected
    data = json.loads(archive.read("02-donnees-injonction-de-payer.json"))
    assert data["cerfa"] == "12946" and data["debtor"]["siren"] == "552100554"
    assert data["court"]["departement"] == "69" and len(data["court"]["candidates"]) == 2
    assert data["invoices"][0]["principal"] == "2400.00" and data["claim"]["principal"] == "2400.00"


def test_a_consumer_litigation_file_has_no_indemnity(org, debtor):
    debtor.kind = "b2c"
    debtor.save()
    archive = zipfile.ZipFile(io.BytesIO(litigation_file(org=org, customer=debtor, today=TODAY)))
    pages = PdfReader(io.BytesIO(archive.read("01-dossier-contentieux.pdf"))).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Cerfa n° 12948" in text and "Indemnité" not in text
    assert json.loads(archive.read("02-donnees-injonction-de-payer.json"))["claim"]["indemnity"] == "0.00"


def test_no_litigation_file_without_unpaid_invoices(org):
    with pytest.raises(ApplicationError, match="aucune facture impayée"):
        litigation_file(org=org, customer=CustomerFactory(org=org, name="Bon Payeur"), today=TODAY)


def test_tracking_a_registered_letter_is_recorded_and_checked(org, debtor):
    doc = notice(org, debtor)
    with pytest.raises(ApplicationError, match="entre l'envoi"):
        registered_letter_track(org=org, document=doc, tracking_number="", acknowledged_on=date(2025, 3, 1),
                                today=TODAY)
    registered_letter_track(org=org, document=doc, tracking_number="1a 234", acknowledged_on=None, today=TODAY)
    doc.refresh_from_db()
    assert doc.tracking_number == "1A234" and Event.objects.filter(type="registered_letter_tracked").count() == 1


def test_letters_batch_command_writes_the_days_pdf(org, debtor, media):
    notice(org, debtor)
    output = media / "lot.pdf"
    call_command("letters", "batch", "--date", "2025-03-17", "--output", str(output))
    assert len(PdfReader(str(output)).pages) >= 3


def test_letters_batch_command_refuses_an_empty_day_with_exit_code_2(org):
    with pytest.raises(CommandError) as exc:
        call_command("letters", "batch", "--date", "2025-03-18", "--output", "/dev/null")
    assert exc.value.returncode == 2 and "Aucun courrier à imprimer le 18/03/2025" in str(exc.value)


def test_letters_track_command_records_the_acknowledgement_on_the_action(org, debtor):
    doc = notice(org, debtor)
    Document.objects.filter(pk=doc.pk).update(action_id=555)
    call_command("letters", "track", "555", "--tracking", "1A2345", "--acknowledged", "2025-03-17",
                 "--date", "2025-03-17")
    doc.refresh_from_db()
    assert (doc.tracking_number, doc.acknowledged_on) == ("1A2345", date(2025, 3, 17))


def test_a_viewer_cannot_use_the_letters_command(org, debtor, victor):
    with pytest.raises(CommandError) as exc:
        call_command("letters", "--user", victor.email, "batch")
    assert exc.value.returncode == 2


def test_documents_command_writes_a_statement(org, debtor, media):
    output = media / "r.pdf"
    call_command("documents", "statement", "C900", "--date", "2025-03-17", "--output", str(output))
    assert "FA-900" in PdfReader(str(output)).pages[0].extract_text()


# --- Web pages ---------------------------------------------------------------------------------------------


def test_a_viewer_downloads_a_statement_of_a_customer_of_their_organisation(client_for, victor, debtor):
    response = client_for(victor).get(f"/documents/releve/{debtor.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Transports Lemoine" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_an_outsider_gets_404_for_another_organisations_documents(client_for, charlie, org, debtor):
    client = client_for(charlie)
    assert client.get(f"/documents/releve/{debtor.pk}/").status_code == 404
    assert client.get(f"/documents/contentieux/{debtor.pk}/").status_code == 404
    doc = notice(org, debtor)
    assert client.get(f"/documents/fichier/{doc.pk}/").status_code == 404
    assert client.get("/documents/lot/2025-03-17/").status_code == 404


def test_the_print_batch_page_needs_a_collector(client_for, victor, bob, org, debtor):
    notice(org, debtor)
    assert client_for(victor).get("/documents/lot/2025-03-17/").status_code == 403
    response = client_for(bob).get("/documents/lot/2025-03-17/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_collector_records_tracking_from_the_documents_page(client_for, bob, org, debtor):
    doc = notice(org, debtor)
    client = client_for(bob)
    page = client.get("/documents/")
    assert page.status_code == 200 and "Transports Lemoine" in page.content.decode()
    response = client.post(f"/documents/recommande/{doc.pk}/", {"tracking_number": "1A999",
                                                                 "acknowledged_on": ""})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.tracking_number == "1A999"


def test_a_collector_downloads_the_litigation_zip(client_for, bob, debtor):
    response = client_for(bob).get(f"/documents/contentieux/{debtor.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "01-dossier-contentieux.pdf" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_the_documents_page_and_the_batch_cover_name_the_step_in_french(org, debtor, client_for, bob, media):
    notice(org, debtor)
    page = client_for(bob).get("/documents/").content.decode()
    assert "Mise en demeure" in page and "formal_notice" not in page
    output = media / "lot.pdf"
    call_command("letters", "batch", "--date", "2025-03-17", "--output", str(output))
    cover = PdfReader(str(output)).pages[0].extract_text()
    assert "Mise en demeure" in cover and "formal_notice" not in cover
