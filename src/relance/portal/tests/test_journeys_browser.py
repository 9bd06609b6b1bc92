"""Every debtor journey in Debian's Chromium on a phone-sized viewport."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from relance.activity.models import Task
from relance.ledger.models import Dispute, Promise
from relance.portal.models import PaymentClaim, PaymentPlan
from relance.portal.services import payment_plan_approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_portal(page, url):
    page.set_default_timeout(30000)  # CI machines run several browser suites at once
    page.goto(page.base_url + url())
    page.wait_for_load_state()


def test_the_debtor_views_invoices_and_downloads_an_invoice_and_the_statement(phone_page, url, invoices):
    invoices[0].document.save("fa-101.pdf", ContentFile(PDF))
    open_portal(phone_page, url)

    assert phone_page.get_by_role("heading", name="Vos factures").is_visible()
    assert phone_page.get_by_role("heading", name="Facture FA-101").is_visible()
    assert "1\u202f500,50\u00a0€" in phone_page.locator(".total").inner_text()
    # Mobile first: nothing overflows the 390 px screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    with phone_page.expect_download() as download:
        phone_page.get_by_role("link", name="Télécharger la facture FA-101").click(no_wait_after=True)
    assert download.value.suggested_filename == "FA-101.pdf"
    with open(download.value.path(), "rb") as f:
        assert f.read() == PDF

    # WeasyPrint's first document in a process is slow on a loaded CI machine.
    with phone_page.expect_download(timeout=60000) as statement:
        phone_page.get_by_role("link", name="Télécharger le relevé de compte").click(no_wait_after=True)
    with open(statement.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


def test_the_pay_screen_shows_the_transfer_details_and_a_qr_code(phone_page, url):
    open_portal(phone_page, url)
    phone_page.get_by_role("link", name="Payer par virement").click()
    phone_page.wait_for_load_state()

    assert phone_page.locator("#iban").inner_text() == "FR7630006000011234567890189"
    assert phone_page.locator("#bic").inner_text() == "AGRIFRPP"
    assert phone_page.locator("#amount").inner_text() == "1\u202f500,50\u00a0€"
    assert phone_page.locator("#reference").inner_text() == "C-MARTIN FA-101 FA-102"
    qr = phone_page.get_by_role("img", name="QR code de virement SEPA")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["width"] <= 390


def test_i_have_paid_with_a_proof(phone_page, url, customer, today, tmp_path):
    proof = tmp_path / "avis-de-virement.pdf"
    proof.write_bytes(PDF)
    open_portal(phone_page, url)
    phone_page.get_by_role("link", name="J'ai payé").click()
    phone_page.get_by_label("Date du paiement").fill((today - timedelta(days=1)).isoformat())
    phone_page.get_by_label("Montant payé (facultatif)").fill("1500,50")
    phone_page.get_by_label("Justificatif (facultatif)").set_input_files(str(proof))
    phone_page.get_by_role("button", name="Envoyer").click()
    phone_page.wait_for_load_state()

    assert "nous avons bien noté votre paiement" in phone_page.get_by_role("status").inner_text()
    claim = PaymentClaim.objects.get(customer=customer)
    assert claim.amount == Decimal("1500.50") and claim.proof_type == "application/pdf"
    customer.refresh_from_db()
    assert customer.paused
    assert Task.objects.filter(customer=customer, kind=Task.Kind.CHECK_PAYMENT).exists()


def test_a_mislabelled_proof_shows_an_error_tied_to_the_field(phone_page, url, today, tmp_path):
    fake = tmp_path / "avis.pdf"
    fake.write_bytes(b"<html><body>not a pdf</body></html>")
    open_portal(phone_page, url)
    phone_page.get_by_role("link", name="J'ai payé").click()
    phone_page.get_by_label("Date du paiement").fill(today.isoformat())
    phone_page.get_by_label("Justificatif (facultatif)").set_input_files(str(fake))
    phone_page.get_by_role("button", name="Envoyer").click()
    phone_page.wait_for_load_state()

    field = phone_page.get_by_label("Justificatif (facultatif)")
    assert field.get_attribute("aria-invalid") == "true"
    described = " ".join(phone_page.locator(f"#{i}").inner_text()
                         for i in field.get_attribute("aria-describedby").split())
    assert "Le fichier doit être un PDF, un PNG ou un JPEG." in described
    assert not PaymentClaim.objects.exists()


def test_promise_to_pay(phone_page, url, customer, today):
    until = today + timedelta(days=12)
    open_portal(phone_page, url)
    phone_page.get_by_role("link", name="Promettre un paiement").click()
    phone_page.get_by_label("Je paierai au plus tard le").fill(until.isoformat())
    phone_page.get_by_role("button", name="Envoyer").click()
    phone_page.wait_for_load_state()

    assert "promesse de paiement est enregistrée" in phone_page.get_by_role("status").inner_text()
    promise = Promise.objects.get(customer=customer)
    assert promise.source == "portal" and promise.until == until
    assert phone_page.get_by_text(f"Paiement promis au {until:%d/%m/%Y}").first.is_visible()


def test_dispute_an_invoice(phone_page, url, invoices):
    open_portal(phone_page, url)
    phone_page.get_by_role("link", name="Contester la facture FA-102").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_label("Facture", exact=True).input_value() == str(invoices[1].pk)
    phone_page.get_by_label("Le montant est erroné").check()
    phone_page.get_by_label("Commentaire").fill("<script>alert('x')</script> remise oubliée")
    phone_page.get_by_role("button", name="Envoyer").click()
    phone_page.wait_for_load_state()

    assert "contestation est transmise" in phone_page.get_by_role("status").inner_text()
    dispute = Dispute.objects.get(invoice=invoices[1])
    assert dispute.reason_code == "amount_wrong" and dispute.source == "portal"
    assert phone_page.get_by_text("Contestée : en cours d'examen").is_visible()
    assert not phone_page.get_by_role("link", name="Payer la facture FA-102").count()


def test_ask_for_a_payment_plan_and_see_it_once_approved(phone_page, url, org, customer, today, alice):
    first = today + timedelta(days=10)
    open_portal(phone_page, url)
    phone_page.get_by_role("link", name="Demander un échéancier").click()
    phone_page.get_by_label("Nombre de mensualités").select_option("3")
    phone_page.get_by_label("Première échéance").fill(first.isoformat())
    phone_page.get_by_label("Commentaire (facultatif)").fill("Saison creuse")
    phone_page.get_by_role("button", name="Envoyer").click()
    phone_page.wait_for_load_state()

    assert "demande d'échéancier est transmise" in phone_page.get_by_role("status").inner_text()
    plan = PaymentPlan.objects.get(customer=customer)
    assert Task.objects.get(pk=plan.task_id).kind == Task.Kind.PAYMENT_PLAN

    payment_plan_approve(org=org, plan=plan, actor=alice, today=today)
    phone_page.reload()
    table = phone_page.get_by_role("table")
    assert phone_page.get_by_role("heading", name="Votre échéancier").is_visible()
    assert re.search(r"500,1\d", table.inner_text()) and first.strftime("%d/%m/%Y") in table.inner_text()


def test_an_english_speaking_customer_gets_the_portal_in_english(phone_page, url, customer):
    customer.language = "en"
    customer.save()
    open_portal(phone_page, url)
    assert phone_page.get_by_role("heading", name="Your invoices").is_visible()
    phone_page.get_by_role("link", name="I have paid").click()
    phone_page.wait_for_url(re.compile(r"/jai-paye/$"))  # is_visible() does not wait for the new page
    assert phone_page.get_by_label("Payment date").is_visible()


def test_the_csp_blocks_nothing_the_portal_needs(phone_page, url):
    problems: list[str] = []
    phone_page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    open_portal(phone_page, url)
    phone_page.get_by_role("link", name="Payer par virement").click()
    phone_page.wait_for_load_state()
    assert phone_page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert problems == []
