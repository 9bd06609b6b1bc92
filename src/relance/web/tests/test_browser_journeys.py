"""The main staff journeys in Debian's Chromium (Playwright), with screenshots kept in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import browser_login

from relance.activity.services import task_create
from relance.dunning.models import Action, ActionInvoice
from relance.ledger.models import Invoice, Promise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_dashboard_draws_its_charts_and_is_saved_as_a_screenshot(page, late_customer, alice):
    browser_login(page, alice.email)
    page.goto(page.base_url + "/")
    assert page.get_by_role("heading", name="Tableau de bord").is_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-aging') !== undefined")
    assert page.evaluate("Chart.getChart('chart-aging').data.datasets[0].data[2]") == 1200
    assert "1\u202f500,00\u00a0€" in page.locator("#total-outstanding").inner_text()
    shoot(page, "dashboard")


def test_the_dashboard_fits_a_phone(phone_page, late_customer, alice):
    browser_login(phone_page, alice.email)
    phone_page.goto(phone_page.base_url + "/")
    wide = phone_page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391 || e.scrollWidth > 391)
        .map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right))""")
    assert wide == []
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone_page, "dashboard-phone")


def test_working_the_today_list_done_items_leave_it(page, org, bob, late_customer, today):
    task_create(org=org, kind="call", title="Appeler Garage Lefèvre", due=today, customer=late_customer,
                body="Bonjour, je vous appelle au sujet de FA-LATE.")
    task_create(org=org, kind="letter", title="Courrier à poster", due=today)
    browser_login(page, bob.email)
    page.get_by_role("link", name="Aujourd'hui").click()
    assert page.get_by_role("heading", name="Appels à passer (1)").is_visible()
    assert page.get_by_text("Bonjour, je vous appelle au sujet de FA-LATE.").is_visible()
    item = page.locator("li.task", has_text="Courrier à poster")
    item.get_by_label("Résultat (facultatif)").fill("Posté à 10 h")
    item.get_by_role("button", name="Fait").click()
    item.wait_for(state="detached")
    assert page.locator("li.task").count() == 1
    assert page.locator("#today-total").inner_text() == "1 tâche à faire"


def test_logging_a_call_with_a_promise_pauses_the_ladder(page, bob, late_customer, today):
    browser_login(page, bob.email)
    page.goto(page.base_url + "/clients/")
    page.get_by_role("link", name="Garage Lefèvre").click()
    page.get_by_label("Résultat de l'appel").select_option("reached")
    page.get_by_label("Motif du retard").select_option("payment_in_progress")
    page.get_by_label("Compte rendu").fill("Virement lancé vendredi")
    page.get_by_label("Promesse de paiement au plus tard le").fill((today + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Enregistrer l'appel").click()
    page.wait_for_load_state()
    assert "Appel enregistré" in page.locator(".messages").inner_text()
    assert "promesse" in page.locator("#explanation").inner_text().lower()
    assert "Appel : Joint — Paiement en cours" in page.locator(".timeline").inner_text()
    assert Promise.objects.get(customer=late_customer).until == today + timedelta(days=10)
    shoot(page, "customer")


def test_a_manager_approves_a_formal_notice(page, org, alice, late_customer, today):
    action = Action.objects.create(org=org, customer=late_customer, step="formal_notice",
                                   channel="registered_letter", date=today, status="awaiting_approval",
                                   amount_due=Decimal("1200.00"))
    ActionInvoice.objects.create(action=action, invoice=Invoice.objects.get(number="FA-LATE"),
                                 amount=Decimal("1200.00"))
    browser_login(page, alice.email)
    page.get_by_role("link", name="Actions", exact=True).click()
    page.get_by_label("Statut").select_option("awaiting_approval")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("checkbox", name="Sélectionner mise en demeure pour Garage Lefèvre").check()
    page.get_by_role("button", name="Valider la sélection").click()
    page.wait_for_load_state()
    assert "1 action validée." in page.locator(".messages").inner_text()
    action.refresh_from_db()
    assert action.approved_by == alice and action.status != "awaiting_approval"


def test_editing_a_template_shows_the_live_preview(page, alice, late_customer):
    browser_login(page, alice.email)
    page.goto(page.base_url + "/modeles/reminder_1/email_text/fr/")
    page.get_by_label("Texte du modèle (Jinja2, bac à sable)").fill("Bonjour {{ customer.name }} !")
    page.locator("#preview pre", has_text="Bonjour Garage Lefèvre !").wait_for()
    page.get_by_label("Texte du modèle (Jinja2, bac à sable)").fill("Bonjour {{ inconnu }}")
    page.locator("#preview [role=alert]").wait_for()
    assert "inconnu" in page.locator("#preview").inner_text()


def test_importing_a_file_with_an_error_shows_the_french_message_and_imports_nothing(page, org, bob, tmp_path,
                                                                                    settings):
    settings.MEDIA_ROOT = tmp_path
    csv = tmp_path / "factures-mars.csv"
    csv.write_text("numero_facture;code_client;nom_client;date_facture;montant_ttc\n"
                   "FA-101;C1;Martin;01/03/2025;120,00\n"
                   "FA-102;C1;Martin;31/02/2025;80,00\n", encoding="utf-8")
    browser_login(page, bob.email)
    page.goto(page.base_url + "/imports/")
    page.get_by_label("Fichier de factures").set_input_files(str(csv))
    page.get_by_role("button", name="Contrôler le fichier").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="1 problème : rien n'a été importé").is_visible()
    cells = page.locator("section.errors tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["factures-mars.csv", "3", "date_facture"]
    assert "date illisible" in cells[3] and "31/02/2025" in cells[3]
    assert page.get_by_role("button", name="Confirmer l'import").count() == 0
    assert not Invoice.objects.filter(org=org).exists()
    shoot(page, "import-error")


def test_sending_a_chosen_reminder_now_after_its_preview(page, bob, late_customer, settings, tmp_path):
    from relance.channels.tests.smtp import smtp_for

    settings.MEDIA_ROOT, settings.RELANCE_EMAIL_STATEMENT = tmp_path, False
    with smtp_for(settings) as smtp:
        browser_login(page, bob.email)
        page.goto(page.base_url + f"/clients/{late_customer.pk}/")
        section = page.locator("#send-now")
        section.get_by_label("Étape").select_option("formal_notice")
        assert section.get_by_label("Canal").input_value() == "registered_letter"  # the step's own channel
        section.get_by_label("Étape").select_option("reminder_1")
        section.get_by_label("Canal").select_option("email")
        section.get_by_role("button", name="Voir l'aperçu").click()
        summary = page.locator("#send-now-summary")
        summary.wait_for()
        assert "FA-LATE" in summary.inner_text() and "FA-SOON" not in summary.inner_text()
        assert "FA-LATE" in page.frame_locator("#send-now-preview iframe").locator("body").inner_text()
        shoot(page, "send-now-preview")
        page.get_by_role("button", name="Confirmer l'envoi").click()
        page.wait_for_load_state()
        assert "Première relance envoyée par e-mail." in page.locator(".messages").inner_text()
        assert "demandée par l'équipe" in page.locator(".timeline").inner_text()
        [mail] = smtp.received
        assert "FA-LATE" in mail.message.get_body(("plain",)).get_content()
    assert Action.objects.get(customer=late_customer).status == "sent"


def test_the_customer_page_and_its_send_now_preview_fit_a_phone(phone_page, bob, late_customer):
    browser_login(phone_page, bob.email)
    phone_page.goto(phone_page.base_url + f"/clients/{late_customer.pk}/")
    phone_page.locator("#send-now").get_by_role("button", name="Voir l'aperçu").click()
    phone_page.locator("#send-now-summary").wait_for()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone_page, "customer-phone")
