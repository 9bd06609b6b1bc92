"""The import page in a real browser: the "in progress" state while the server works, and the file still sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import browser_login
from django.contrib.staticfiles import finders

from relance.imports.models import ImportRun
from relance.ledger.models import Invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_button_says_the_import_is_running_and_the_sample_is_imported(page, org, bob, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    sample = Path(str(finders.find("imports/modele-factures.csv")))
    browser_login(page, bob.email)
    page.goto(page.base_url + "/imports/")
    # A listener added after busy.js keeps this first submission from leaving: the page stays as the user sees
    # it while the server works.
    page.evaluate("document.addEventListener('submit', (e) => e.preventDefault(), {once: true})")
    page.get_by_label("Fichier de factures").set_input_files(str(sample))
    page.get_by_role("button", name="Contrôler le fichier").click()
    busy = page.get_by_role("button", name="Contrôle en cours…")
    assert busy.is_disabled() and page.get_by_text("Contrôle en cours… Un grand fichier").is_visible()
    assert page.locator("form[data-busy]").get_attribute("aria-busy") == "true"

    page.goto(page.base_url + "/imports/")  # a real submission: the file still goes with a disabled button
    page.get_by_label("Fichier de factures").set_input_files(str(sample))
    page.get_by_role("button", name="Contrôler le fichier").click()
    page.wait_for_load_state()
    page.get_by_text("3 facture(s) à créer").wait_for()

    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_load_state()
    assert "Import de modele-factures.csv terminé : 3 facture(s) créée(s)" in page.locator(".messages").inner_text()
    assert Invoice.objects.filter(org=org).count() == 3
    assert ImportRun.objects.get().user == bob
    assert "bob@durand.fr" in page.locator("#historique").inner_text()
