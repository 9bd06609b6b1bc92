"""The "injonction de payer" court table: département from the postcode, courts per département, the choice
recorded for a customer, and what the litigation file says."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from relance.channels.courts import (
    TAE_SEATS,
    TC_PREFIX,
    PostcodeError,
    court_candidates,
    departement_code,
    departements,
)
from relance.channels.litigation import competent_court, litigation_file
from relance.channels.models import CourtChoice
from relance.channels.services import court_choice_record
from relance.core.errors import ApplicationError
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

BEFORE_TAE = date(2024, 6, 3)
DURING_TAE = date(2026, 11, 23)
AFTER_TAE = date(2029, 1, 2)


@pytest.mark.parametrize(("postcode", "departement"), [
    ("75008", "75"), ("01000", "01"), ("57000", "57"), ("69002", "69"), (" 13 001 ", "13"),
    ("20000", "2A"), ("20167", "2A"), ("20200", "2B"), ("20600", "2B"),
    ("97110", "971"), ("97200", "972"), ("97300", "973"), ("97400", "974"), ("97500", "975"), ("97600", "976"),
])
def test_the_departement_comes_from_the_postcode(postcode, departement):
    assert departement_code(postcode) == departement


@pytest.mark.parametrize(("postcode", "message"), [
    ("7500", "Code postal « 7500 » invalide : 5 chiffres attendus."),
    ("", "Code postal manquant dans l'adresse du client."),
    ("75OO8", "invalide : 5 chiffres attendus"),
    ("٧٥٠٠٨", "invalide : 5 chiffres attendus"),  # Arabic-Indic digits are digits to Python, not postcodes
    ("98000", "Monaco, hors des juridictions françaises"),
    ("98800", "collectivité du Pacifique"),
    ("96100", "aucun département « 96 »"),
    ("00100", "aucun département « 00 »"),
])
def test_an_invalid_postcode_is_refused_with_a_clear_message(postcode, message):
    with pytest.raises(PostcodeError, match=message):
        departement_code(postcode)


@pytest.mark.parametrize(("postcode", "commercial", "today", "names"), [
    ("75008", True, BEFORE_TAE, ("Tribunal de commerce de Paris",)),
    ("75008", True, DURING_TAE, ("Tribunal des activités économiques de Paris",)),
    ("75008", True, AFTER_TAE, ("Tribunal de commerce de Paris",)),
    ("75008", False, DURING_TAE, ("Tribunal judiciaire de Paris",)),
    ("57000", True, DURING_TAE, ("Chambre commerciale du tribunal judiciaire de Metz",
                                 "Chambre commerciale du tribunal judiciaire de Sarreguemines",
                                 "Chambre commerciale du tribunal judiciaire de Thionville")),
    ("20090", True, DURING_TAE, ("Tribunal de commerce d'Ajaccio",)),
    ("20090", False, DURING_TAE, ("Tribunal judiciaire d'Ajaccio",)),
    ("20200", True, DURING_TAE, ("Tribunal de commerce de Bastia",)),
    ("97200", True, DURING_TAE, ("Tribunal mixte de commerce de Fort-de-France",)),
    ("97200", False, DURING_TAE, ("Tribunal judiciaire de Fort-de-France",)),
    ("97600", True, DURING_TAE, ("Tribunal mixte de commerce de Mamoudzou",)),
    ("97110", True, DURING_TAE, ("Tribunal mixte de commerce de Basse-Terre",
                                 "Tribunal mixte de commerce de Pointe-à-Pitre")),
    ("72000", True, DURING_TAE, ("Tribunal des activités économiques du Mans",)),
    ("76600", True, DURING_TAE, ("Tribunal de commerce de Dieppe", "Tribunal des activités économiques du Havre",
                                 "Tribunal de commerce de Rouen")),
])
def test_the_courts_of_a_departement(postcode, commercial, today, names):
    assert court_candidates(postcode=postcode, commercial=commercial, today=today).names == names


def test_the_table_covers_every_departement_and_names_only_known_kinds_of_court():
    table = departements()
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert set(table) == metropolitan | {"971", "972", "973", "974", "975", "976"}
    civil_kinds = ("Tribunal judiciaire ", "Tribunal de première instance ")
    commercial_kinds = (TC_PREFIX, "Chambre commerciale du tribunal judiciaire ", "Tribunal mixte de commerce ")
    for dept in table.values():
        assert dept.civil and all(name.startswith(civil_kinds) for name in dept.civil), dept
        assert all(name.startswith(commercial_kinds) for name in dept.commercial), dept
    # Each TAE of the arrêté is a tribunal de commerce of the table (a typo would silently drop the new name).
    seats = {name.removeprefix(TC_PREFIX) for d in table.values() for name in d.commercial}
    assert seats >= TAE_SEATS
    # Droit local: no tribunal de commerce in Bas-Rhin, Haut-Rhin, Moselle; overseas: tribunaux mixtes.
    for code in ("57", "67", "68"):
        assert not any(name.startswith(TC_PREFIX) for name in table[code].commercial)
    for code in ("971", "972", "973", "974", "976"):
        assert all(name.startswith("Tribunal mixte de commerce ") for name in table[code].commercial)


def test_one_court_is_named_several_are_listed_with_where_to_check():
    paris = competent_court(kind="b2b", postcode="75011", city="Paris", today=BEFORE_TAE)
    assert (paris.cerfa, paris.court) == ("12946", "Tribunal de commerce de Paris")
    assert "Seule juridiction compétente du département Paris (75)" in paris.note
    moselle = competent_court(kind="b2c", postcode="57200", city="Sarreguemines", today=DURING_TAE)
    assert moselle.cerfa == "12948" and moselle.court.startswith("À déterminer")
    assert moselle.candidates == ("Tribunal judiciaire de Metz", "Tribunal judiciaire de Sarreguemines",
                                  "Tribunal judiciaire de Thionville")
    assert "Seule la commune du débiteur (Sarreguemines) décide" in moselle.note
    assert "https://www.justice.fr/recherche/annuaire" in moselle.note


def test_a_partial_departement_says_so_and_names_no_court():
    result = competent_court(kind="b2b", postcode="49400", city="Saumur", today=DURING_TAE)
    assert result.court.startswith("À déterminer") and result.candidates == ("Tribunal de commerce d'Angers",)
    assert "n'est couvert qu'en partie par la table livrée (qui donne : Tribunal de commerce d'Angers)" in result.note


def test_an_invalid_postcode_leaves_the_court_to_find_with_the_reason():
    result = competent_court(kind="b2b", postcode="98000", city="Monaco", today=DURING_TAE)
    assert (result.cerfa, result.court, result.candidates) == ("12946", "À déterminer", ())
    assert "Monaco" in result.note and "Corriger l'adresse du client" in result.note


# --- The court chosen for a customer -------------------------------------------------------------------------


@pytest.fixture
def moselle_debtor(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = CustomerFactory(org=org, name="Brasserie de Forbach", ref="C570", kind="b2b", address="1 rue Nationale",
                               postcode="57600", city="Forbach")
    ContactFactory(customer=customer)
    InvoiceFactory(customer=customer, number="FA-570", total_incl_tax=Decimal("900.00"), due_date=date(2026, 9, 1))
    return customer


def dossier_text(org, customer):
    archive = zipfile.ZipFile(io.BytesIO(litigation_file(org=org, customer=customer, today=DURING_TAE)))
    pdf = PdfReader(io.BytesIO(archive.read("01-dossier-contentieux.pdf")))
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


def test_the_chosen_court_is_kept_for_the_customer_and_printed_in_the_file(org, moselle_debtor):
    before = dossier_text(org, moselle_debtor)
    assert "À déterminer parmi les juridictions du département" in before
    assert "Chambre commerciale du tribunal judiciaire de Sarreguemines" in before  # listed as a candidate
    court_choice_record(org=org, customer=moselle_debtor, today=DURING_TAE,
                        court="chambre commerciale du tribunal  judiciaire de sarreguemines")
    choice = CourtChoice.objects.get(customer=moselle_debtor)
    assert (choice.court, choice.postcode, choice.commercial) == (
        "Chambre commerciale du tribunal judiciaire de Sarreguemines", "57600", True)
    after = dossier_text(org, moselle_debtor)
    assert "Juridiction : Chambre commerciale du tribunal judiciaire de Sarreguemines." in after
    assert "(choisie)" in after and "À déterminer" not in after


def test_a_court_outside_the_departement_is_refused_with_the_choices(org, moselle_debtor):
    with pytest.raises(ApplicationError, match="n'est pas une juridiction du département Moselle") as exc:
        court_choice_record(org=org, customer=moselle_debtor, court="Tribunal de commerce de Paris", today=DURING_TAE)
    assert "Chambre commerciale du tribunal judiciaire de Metz" in exc.value.message
    assert not CourtChoice.objects.exists()


def test_a_choice_no_longer_applies_once_the_customer_moves(org, moselle_debtor):
    court_choice_record(org=org, customer=moselle_debtor, today=DURING_TAE,
                        court="Chambre commerciale du tribunal judiciaire de Metz")
    moselle_debtor.postcode, moselle_debtor.city = "57100", "Thionville"
    moselle_debtor.save()
    assert "À déterminer parmi les juridictions du département" in dossier_text(org, moselle_debtor)


def test_another_organisations_customer_cannot_get_a_court(org, other_org, moselle_debtor):
    with pytest.raises(ApplicationError, match="Client introuvable"):
        court_choice_record(org=other_org, customer=moselle_debtor, today=DURING_TAE,
                            court="Chambre commerciale du tribunal judiciaire de Metz")


def test_the_litigation_command_records_the_court(org, moselle_debtor, tmp_path, capsys):
    output = tmp_path / "dossier.zip"
    call_command("documents", "litigation", "C570", "--date", "2026-11-23", "--output", str(output),
                 "--court", "Chambre commerciale du tribunal judiciaire de Metz")
    assert CourtChoice.objects.get(customer=moselle_debtor).court.endswith("de Metz")
    assert "Juridiction enregistrée pour C570" in capsys.readouterr().out and output.exists()


def test_the_litigation_command_refuses_an_unknown_court_with_exit_code_2(org, moselle_debtor, tmp_path):
    output = tmp_path / "dossier.zip"
    with pytest.raises(CommandError) as exc:
        call_command("documents", "litigation", "C570", "--date", "2026-11-23", "--output", str(output),
                     "--court", "Tribunal de Forbach")
    assert exc.value.returncode == 2 and "Choix possibles" in str(exc.value)
    assert not output.exists() and not CourtChoice.objects.exists()


def test_a_viewer_cannot_record_a_court(org, moselle_debtor, victor, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("documents", "--user", victor.email, "litigation", "C570", "--output",
                     str(tmp_path / "d.zip"), "--court", "Chambre commerciale du tribunal judiciaire de Metz")
    assert exc.value.returncode == 2 and not CourtChoice.objects.exists()


# --- The web page ----------------------------------------------------------------------------------------------


def test_a_collector_chooses_the_court_on_the_web_page(client_for, bob, moselle_debtor):
    client = client_for(bob)
    page = client.get(f"/documents/contentieux/{moselle_debtor.pk}/juridiction/").content.decode()
    assert 'value="Chambre commerciale du tribunal judiciaire de Sarreguemines"' in page and "Cerfa n° 12946" in page
    response = client.post(f"/documents/contentieux/{moselle_debtor.pk}/juridiction/",
                           {"court": "Chambre commerciale du tribunal judiciaire de Sarreguemines"})
    assert response.status_code == 302
    assert CourtChoice.objects.get(customer=moselle_debtor).chosen_by == bob
    page = client.get(response["Location"]).content.decode()
    assert "Juridiction enregistrée pour Brasserie de Forbach" in page
    assert "<strong>Juridiction : Chambre commerciale du tribunal judiciaire de Sarreguemines</strong>" in page


def test_a_forged_court_is_refused_on_the_web_page_with_the_choices(client_for, bob, moselle_debtor):
    client = client_for(bob)
    response = client.post(f"/documents/contentieux/{moselle_debtor.pk}/juridiction/",
                           {"court": "Tribunal de commerce de Paris"}, follow=True)
    assert "Choix possibles" in response.content.decode() and not CourtChoice.objects.exists()


def test_the_court_page_needs_a_collector_of_the_organisation(client_for, victor, charlie, moselle_debtor):
    url = f"/documents/contentieux/{moselle_debtor.pk}/juridiction/"
    court = {"court": "Chambre commerciale du tribunal judiciaire de Metz"}
    assert client_for(victor).post(url, court).status_code == 403
    assert client_for(charlie).post(url, court).status_code == 404
    assert client_for(charlie).get(url).status_code == 404
    assert not CourtChoice.objects.exists()


def test_a_partial_departement_lets_the_collector_confirm_its_only_listed_court(client_for, bob, org):
    customer = CustomerFactory(org=org, name="Caves de Saumur", kind="b2b", postcode="49400", city="Saumur")
    client = client_for(bob)
    page = client.get(f"/documents/contentieux/{customer.pk}/juridiction/").content.decode()
    assert "couvert qu&#x27;en partie par la table livrée" in page and 'type="radio"' in page
    client.post(f"/documents/contentieux/{customer.pk}/juridiction/", {"court": "Tribunal de commerce d'Angers"})
    assert CourtChoice.objects.get(customer=customer).court == "Tribunal de commerce d'Angers"


def test_a_choice_made_before_2025_shows_the_tae_name_during_the_experiment(org):
    customer = CustomerFactory(org=org, name="Soieries Lyonnaises", kind="b2b", postcode="69001", city="Lyon")
    court_choice_record(org=org, customer=customer, court="Tribunal de commerce de Lyon", today=BEFORE_TAE)
    court_choice_record(org=org, customer=customer, court="Tribunal des activités économiques de Lyon",
                        today=DURING_TAE)  # the same court under its 2025 name: one choice, kept by its lasting name
    assert CourtChoice.objects.get(customer=customer).court == "Tribunal de commerce de Lyon"
    for today, name in ((BEFORE_TAE, "Tribunal de commerce de Lyon"),
                        (DURING_TAE, "Tribunal des activités économiques de Lyon"),
                        (AFTER_TAE, "Tribunal de commerce de Lyon")):
        court = competent_court(kind="b2b", postcode="69001", city="Lyon", today=today,
                                chosen=CourtChoice.objects.get(customer=customer).court)
        assert court.court == name and "Juridiction choisie pour ce client" in court.note
