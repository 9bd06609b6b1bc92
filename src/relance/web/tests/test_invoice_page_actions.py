"""The invoice page's actions: dispute and lift it, download the imported PDF, call or write about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from relance.activity.models import Event, Task
from relance.dunning.services import dispute_open
from relance.ledger.models import Dispute, Invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(late_customer):
    return Invoice.objects.get(number="FA-LATE")


@pytest.fixture
def disputed(org, invoice, today):
    return dispute_open(org=org, invoice=invoice, reason="Livraison incomplète", reason_code="goods_or_service",
                        today=today - timedelta(days=3))


def _dispute(c, invoice, **data):
    payload = {"invoice": invoice.pk, "reason_code": "amount_wrong", "reason": "Pièces défectueuses", **data}
    return c.post(reverse("invoice_dispute_open", args=[invoice.pk]), payload, follow=True)


def test_a_collector_puts_an_invoice_in_dispute_from_its_page(invoice, bob, client_for, today):
    response = _dispute(client_for(bob), invoice)
    assert response.redirect_chain[-1][0] == reverse("invoice_detail", args=[invoice.pk])
    html = response.content.decode()
    assert "Litige ouvert sur la facture FA-LATE" in html
    dispute = Dispute.objects.get(invoice=invoice, status=Dispute.Status.OPEN)
    assert (dispute.reason_code, dispute.reason, dispute.opened_on) == ("amount_wrong", "Pièces défectueuses", today)
    assert Event.objects.filter(type="dispute_opened", invoice=invoice, actor=bob).exists()
    # the page now says so and offers to lift it instead
    assert response.context["open_dispute"] == dispute and response.context["dispute_form"] is None
    assert "Lever le litige" in html and "Marquer en litige" not in html


def test_a_dispute_needs_a_reason(invoice, bob, client_for):
    response = _dispute(client_for(bob), invoice, reason="")
    assert "Litige non enregistré." in response.content.decode()
    assert not Dispute.objects.filter(invoice=invoice).exists()


def test_a_paid_invoice_cannot_be_put_in_dispute(invoice, bob, client_for):
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID)
    response = _dispute(client_for(bob), invoice)
    assert "Seule une facture ouverte peut être mise en litige." in response.content.decode()
    assert not Dispute.objects.filter(invoice=invoice).exists()


def test_a_collector_lifts_the_dispute_and_its_task_closes(disputed, invoice, bob, client_for, today):
    assert Task.objects.filter(kind=Task.Kind.DISPUTE, status=Task.Status.OPEN).count() == 1
    response = client_for(bob).post(reverse("invoice_dispute_resolve", args=[invoice.pk]),
                                    {"resolution": "Avoir promis"}, follow=True)
    assert "Litige résolu sur la facture FA-LATE." in response.content.decode()
    disputed.refresh_from_db()
    assert (disputed.status, disputed.resolved_on, disputed.resolution) == (Dispute.Status.RESOLVED, today,
                                                                           "Avoir promis")
    assert not Task.objects.filter(kind=Task.Kind.DISPUTE, status=Task.Status.OPEN).exists()
    assert response.context["open_dispute"] is None and response.context["dispute_form"] is not None


def test_lifting_without_an_open_dispute_says_why(invoice, bob, client_for):
    response = client_for(bob).post(reverse("invoice_dispute_resolve", args=[invoice.pk]), follow=True)
    assert "La facture FA-LATE n&#x27;a pas de litige ouvert." in response.content.decode()


def test_a_viewer_sees_no_action_and_cannot_post_one(disputed, invoice, victor, client_for):
    c = client_for(victor)
    html = c.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert "Lever le litige" not in html and "Noter un appel" not in html
    assert c.post(reverse("invoice_dispute_resolve", args=[invoice.pk])).status_code == 403
    Dispute.objects.all().delete()
    assert _dispute(c, invoice).status_code == 403
    assert not Dispute.objects.exists()


def test_another_organisation_s_invoice_is_not_found(invoice, charlie, client_for):
    c = client_for(charlie)  # an owner, of another organisation
    for name in ("invoice_dispute_open", "invoice_dispute_resolve"):
        assert c.post(reverse(name, args=[invoice.pk]), {"reason": "x", "reason_code": "other"}).status_code == 404
    assert c.get(reverse("invoice_document", args=[invoice.pk])).status_code == 404
    assert not Dispute.objects.exists()


def test_dispute_actions_need_post_and_the_csrf_token(invoice, bob):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    url = reverse("invoice_dispute_open", args=[invoice.pk])
    assert strict.get(url).status_code == 405
    assert strict.post(url, {"invoice": invoice.pk, "reason_code": "other", "reason": "x"}).status_code == 403
    assert not Dispute.objects.exists()


def test_the_imported_pdf_is_linked_and_downloaded(invoice, victor, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = client_for(victor)
    page = reverse("invoice_detail", args=[invoice.pk])
    assert "Aucun PDF de cette facture" in c.get(page).content.decode()
    assert c.get(reverse("invoice_document", args=[invoice.pk])).status_code == 404
    invoice.document.save("fa-late.pdf", ContentFile(b"%PDF-1.7 la facture d'origine"), save=True)
    assert reverse("invoice_document", args=[invoice.pk]) in c.get(page).content.decode()
    response = c.get(reverse("invoice_document", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="FA-LATE.pdf"'
    assert response.content == b"%PDF-1.7 la facture d'origine"


def test_a_missing_stored_file_is_not_found(invoice, victor, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Invoice.objects.filter(pk=invoice.pk).update(document="invoices/2026/01/gone.pdf")
    assert client_for(victor).get(reverse("invoice_document", args=[invoice.pk])).status_code == 404


def test_the_page_links_to_the_customer_s_call_log_and_send_now(invoice, late_customer, bob, client_for):
    html = client_for(bob).get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    customer_url = reverse("customer_detail", args=[late_customer.pk])
    assert f'{customer_url}?facture={invoice.pk}#log-call' in html and f"{customer_url}#send-now" in html
    # the customer page's call form then starts its notes with the invoice's number
    page = client_for(bob).get(customer_url, {"facture": invoice.pk})
    assert page.context["call_form"].initial == {"note": "Au sujet de la facture FA-LATE : "}
    assert client_for(bob).get(customer_url, {"facture": "999999"}).context["call_form"].initial == {}


def test_the_dispute_form_posts_with_the_token_and_the_reason_fields(invoice, bob, client_for):
    html = client_for(bob).get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    form = html[html.index(reverse("invoice_dispute_open", args=[invoice.pk])):]
    form = form[: form.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form and f'name="invoice" value="{invoice.pk}"' in form
    assert 'name="reason_code"' in form and 'name="reason"' in form and "Contester / marquer en litige" in html
