"""/imports/: upload, dry-run report in French, confirmation; roles enforced."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relance.ledger.models import Invoice
from relance.ledger.selectors import scoped

pytestmark = pytest.mark.django_db
GOOD = b"numero_facture;code_client;nom_client;date_facture;montant_ttc\nFA-1;C1;Martin;01/03/2025;120,00\n"
BAD = GOOD + b"FA-2;C1;Martin;01/03/2025;-5\n"


def post_file(client, data: bytes, name: str = "factures.csv", fmt: str = "auto"):
    return client.post("/imports/", {"file": SimpleUploadedFile(name, data), "fmt": fmt})


def test_a_collector_checks_then_confirms_an_import(org, bob, client_for):
    client = client_for(bob)
    page = client.get("/imports/")
    assert page.status_code == 200 and "/banque/importer/" in page.content.decode()
    response = post_file(client, GOOD)
    assert "1 facture(s) à créer" in response.content.decode()
    assert not scoped(Invoice, org).exists()  # nothing before confirmation
    token = response.context["token"]
    response = client.post("/imports/confirmer/", {"token": token}, follow=True)
    assert "Import de factures.csv terminé : 1 facture(s) créée(s)" in response.content.decode()
    assert scoped(Invoice, org).get().number == "FA-1"
    again = client.post("/imports/confirmer/", {"token": token}, follow=True)  # a token is used once
    assert "expiré" in again.content.decode()


def test_every_error_is_shown_in_plain_french_and_nothing_is_kept(org, bob, client_for):
    response = post_file(client_for(bob), BAD)
    page = response.content.decode()
    assert "1 problème : rien n'a été importé" in page
    assert "montant_ttc" in page and "montant TTC négatif sur une facture" in page
    assert "token" not in response.context and not scoped(Invoice, org).exists()


def test_a_viewer_gets_403(org, victor, client_for):
    client = client_for(victor)
    assert client.get("/imports/").status_code == 403
    assert post_file(client, GOOD).status_code == 403
    assert client.post("/imports/confirmer/", {"token": "x"}).status_code == 403


def test_a_token_from_another_organisation_is_useless(org, other_org, bob, charlie, client_for, client):
    token = post_file(client_for(bob), GOOD).context["token"]
    client.force_login(charlie)
    response = client.post("/imports/confirmer/", {"token": token}, follow=True)
    assert "expiré" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_pdf_einvoice_can_be_uploaded(org, alice, client_for):
    pdf = Path("/work/shared/corpus/einvoice/facturx-fnfe/correct__Facture_FR_BASICWL.pdf").read_bytes()
    client = client_for(alice)
    token = post_file(client, pdf, name="facture.pdf").context["token"]
    client.post("/imports/confirmer/", {"token": token})
    invoice = scoped(Invoice, org).get()
    assert invoice.number == "FA-2017-0010" and invoice.document.read() == pdf


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get("/imports/").status_code == 302


def test_checked_files_nobody_confirmed_are_deleted_after_a_day(org, bob, client_for, settings):
    import os
    import time

    pending = Path(settings.MEDIA_ROOT) / "imports" / "pending"
    pending.mkdir(parents=True)
    old, recent = pending / "old-token", pending / "recent-token"
    old.write_bytes(GOOD)
    recent.write_bytes(GOOD)
    os.utime(old, (time.time() - 25 * 3600,) * 2)
    post_file(client_for(bob), GOOD)
    assert not old.exists() and recent.exists()
