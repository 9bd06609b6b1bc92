"""/imports/: the import history (recorded by the views, scoped, for roles that can import), the sample files,
the legal payment-terms flag after an import, and the "in progress" state of the forms."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relance.imports.models import ImportRun
from relance.imports.parsers.canonical import FRENCH
from relance.imports.parsers.fields import slug
from relance.imports.services import invoice_import
from relance.imports.sources import Upload
from relance.ledger.models import Invoice, Payment
from relance.ledger.selectors import scoped

pytestmark = pytest.mark.django_db
GOOD = b"numero_facture;code_client;nom_client;date_facture;montant_ttc\nFA-1;C1;Martin;01/03/2025;120,00\n"
BAD = GOOD + b"FA-2;C1;Martin;01/03/2025;-5\n"
#: issued 02/01/2025, due 30/06/2025 (179 days): beyond 60 days and both readings of 45 days end of month
LONG_TERMS = (b"numero_facture;code_client;nom_client;date_facture;date_echeance;montant_ttc\n"
              b"FA-LONG;C1;Martin;02/01/2025;30/06/2025;500,00\nFA-OK;C1;Martin;02/01/2025;01/02/2025;80,00\n")


def check(client, data: bytes, name: str = "factures.csv"):
    return client.post("/imports/", {"file": SimpleUploadedFile(name, data), "fmt": "auto"})


def import_file(client, data: bytes, name: str = "factures.csv"):
    token = check(client, data, name).context["token"]
    return client.post("/imports/confirmer/", {"token": token}, follow=True)


def test_a_confirmed_import_is_in_the_history_with_who_what_and_the_result(org, bob, client_for):
    page = import_file(client_for(bob), GOOD).content.decode()
    run = ImportRun.objects.get()
    assert (run.org, run.user, run.kind, run.origin, run.outcome) == (org, bob, "invoices", "web", "ok")
    assert run.files == [{"name": "factures.csv", "size": len(GOOD), "sha256": hashlib.sha256(GOOD).hexdigest()}]
    assert (run.created, run.updated, run.unchanged, run.errors) == (1, 0, 0, 0)
    assert run.started_at <= run.finished_at
    assert "Historique des imports" in page and "bob@durand.fr" in page
    assert "1 créée(s), 0 mise(s) à jour, 0 inchangée(s)" in page
    assert hashlib.sha256(GOOD).hexdigest()[:12] in page


def test_the_check_before_confirmation_is_not_an_import(org, bob, client_for):
    check(client_for(bob), GOOD)
    assert not ImportRun.objects.exists()


def test_a_refused_file_is_in_the_history_with_its_errors(org, bob, client_for):
    page = check(client_for(bob), BAD).content.decode()
    run = ImportRun.objects.get()
    assert (run.user, run.outcome, run.errors, run.created) == (bob, "refused", 1, 0)
    assert "factures.csv, ligne 3, champ « montant_ttc » : montant TTC négatif" in run.error_summary
    assert "Refusé : 1 problème" in page  # shown on the very page that lists the errors
    assert not scoped(Invoice, org).exists()


def test_a_reimport_counts_unchanged_invoices(org, bob, client_for):
    client = client_for(bob)
    import_file(client, GOOD)
    import_file(client, GOOD)
    latest, first = ImportRun.objects.order_by("-id")
    assert (first.created, latest.created, latest.unchanged) == (1, 0, 1)


def test_another_organisation_s_history_is_not_visible(org, other_org, bob, charlie, client_for, client):
    import_file(client_for(charlie), GOOD, name="secret-concurrent.csv")
    client.force_login(bob)
    assert "secret-concurrent.csv" not in client.get("/imports/").content.decode()
    import_file(client_for(bob), GOOD, name="durand.csv")
    assert {r.org for r in ImportRun.objects.filter(files__0__name="durand.csv")} == {org}
    client.force_login(charlie)
    page = client.get("/imports/").content.decode()
    assert "secret-concurrent.csv" in page and "durand.csv" not in page


def test_a_viewer_sees_neither_the_history_nor_the_samples(org, victor, bob, client_for):
    import_file(client_for(bob), GOOD)
    client = client_for(victor)
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/?page=1").status_code == 403
    assert client.get("/imports/modeles/factures.csv").status_code == 403


def test_anonymous_visitors_cannot_download_a_sample(client):
    assert client.get("/imports/modeles/factures.csv").status_code == 302


def test_the_history_shows_the_latest_twenty_then_pages(org, bob, client_for):
    start = timezone.now() - timedelta(days=1)
    ImportRun.objects.bulk_create([
        ImportRun(org=org, kind="invoices", origin="cli", outcome="ok", files=[{"name": f"f{i:02}.csv"}],
                  started_at=start + timedelta(minutes=i), finished_at=start + timedelta(minutes=i))
        for i in range(25)])
    client = client_for(bob)
    first = client.get("/imports/").content.decode()
    assert "f24.csv" in first and "f05.csv" in first and "f04.csv" not in first
    assert first.index("f24.csv") < first.index("f23.csv")  # latest first
    assert "Page 1 sur 2" in first and "Ligne de commande" in first
    second = client.get("/imports/?page=2").content.decode()
    assert "f04.csv" in second and "f00.csv" in second and "f05.csv" not in second


def test_the_invoice_sample_has_every_canonical_column_and_imports_as_is(org, bob, client_for):
    response = client_for(bob).get("/imports/modeles/factures.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="modele-factures.csv"'
    data = response.content
    header = data.decode("utf-8-sig").splitlines()[0].split(";")
    assert [slug(h) for h in header] == list(FRENCH.values())  # one column per field the importer knows
    report = invoice_import(org=org, paths_or_files=[Upload("modele-factures.csv", data)], today=date(2026, 2, 1))
    assert (report.created, report.updated, report.errors) == (3, 0, [])
    paid = scoped(Invoice, org).get(number="FA-2026-0002")
    assert paid.customer.siren == "123456782" and paid.total_incl_tax == Decimal("480.00")


def test_the_sample_file_goes_through_the_page_too(org, bob, client_for):
    client = client_for(bob)
    data = client.get("/imports/modeles/factures.csv").content
    page = import_file(client, data, name="modele-factures.csv").content.decode()
    assert "Import de modele-factures.csv terminé : 3 facture(s) créée(s)" in page
    assert scoped(Invoice, org).count() == 3


def test_the_bank_sample_imports_and_its_payment_is_matched_and_counted(org, bob, client_for):
    client = client_for(bob)
    invoices = client.get("/imports/modeles/factures.csv").content
    invoice_import(org=org, paths_or_files=[Upload("f.csv", invoices)], today=date(2026, 2, 1))
    statement = client.get("/imports/modeles/releve.csv").content
    response = client.post("/banque/importer/", {"files": SimpleUploadedFile("releve.csv", statement),
                                                 "format": "auto"})
    assert response.status_code == 200 and response.context["report"].created == 1
    payment = scoped(Payment, org).get()
    assert payment.status == Payment.Status.MATCHED
    run = ImportRun.objects.get()
    assert (run.kind, run.user, run.created, run.payments_matched) == ("bank", bob, 1, 1)
    assert run.files[0]["sha256"] == hashlib.sha256(statement).hexdigest()
    assert "1 paiement(s) créé(s) dont 1 rapproché(s)" in client.get("/imports/").content.decode()


def test_a_refused_bank_statement_is_in_the_history_but_a_simulation_is_not(org, bob, client_for):
    client = client_for(bob)
    client.post("/banque/importer/", {"files": SimpleUploadedFile("r.csv", b"rien;de;lisible\n"), "format": "csv"})
    run = ImportRun.objects.get()
    assert (run.kind, run.outcome, run.user) == ("bank", "refused", bob) and run.error_summary
    statement = b"Date;Libell\xe9;Montant\n06/02/2026;VIR X;10,00\n"
    client.post("/banque/importer/", {"files": SimpleUploadedFile("s.csv", statement), "format": "auto",
                                      "dry_run": "1"})
    assert ImportRun.objects.count() == 1 and not scoped(Payment, org).exists()


def test_a_sample_that_does_not_exist_is_404(org, bob, client_for):
    assert client_for(bob).get("/imports/modeles/secrets.csv").status_code == 404


def test_invoices_beyond_the_legal_terms_are_named_after_the_import(org, bob, client_for):
    client = client_for(bob)
    page = import_file(client, LONG_TERMS).content.decode()
    assert "1 facture a un délai de paiement au-delà du maximum légal" in page and "FA-LONG" in page
    assert "FA-OK" not in page.split("maximum légal")[1].split("</li>")[0]
    assert ImportRun.objects.get().terms_exceeded == 1
    again = import_file(client, LONG_TERMS).content.decode()  # unchanged: nothing new to flag
    assert "1 facture a un délai" not in again
    assert ImportRun.objects.order_by("-id").first().terms_exceeded == 0


def test_the_forms_say_an_import_is_in_progress_and_cannot_be_sent_twice(org, bob, client_for):
    client = client_for(bob)
    page = client.get("/imports/").content.decode()
    assert 'data-busy="Contrôle en cours…"' in page and "imports/busy.js" in page
    checked = check(client, GOOD).content.decode()
    assert 'data-busy="Import en cours…"' in checked and "data-busy-status hidden" in checked


def test_the_page_lists_the_accepted_formats_in_french(org, bob, client_for):
    page = client_for(bob).get("/imports/").content.decode()
    for fmt in ("FEC", "Factur-X", "UBL", "CII", "CSV", "CAMT.053", "CAMT.054", "OFX"):
        assert fmt in page
    assert "/imports/modeles/factures.csv" in page and "/imports/modeles/releve.csv" in page
