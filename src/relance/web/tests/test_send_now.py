"""Sending a chosen reminder now from the customer page: preview, confirm, real delivery, the rules that protect
the customer, and the personas."""

from __future__ import annotations

import html as htmllib
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from relance.activity.models import Event, Task
from relance.channels.tests.smtp import smtp_for
from relance.core.factories import InvoiceFactory
from relance.dunning import services as dunning
from relance.dunning.models import Action, LadderMark
from relance.ledger.models import Dispute, Invoice

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def smtp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RELANCE_EMAIL_STATEMENT = False
    with smtp_for(settings) as server:
        yield server


@pytest.fixture
def disputed(late_customer, today):
    """A third invoice, 20 days late but disputed: it must never be reminded."""
    invoice = InvoiceFactory(customer=late_customer, number="FA-DISP", issue_date=today - timedelta(days=50),
                             due_date=today - timedelta(days=20), total_incl_tax=Decimal("450.00"))
    Dispute.objects.create(org=late_customer.org, invoice=invoice, opened_on=today, reason="Livraison incomplète")
    return invoice


def page(response) -> str:
    return htmllib.unescape(response.content.decode())


def addressed(customer):
    customer.address, customer.postcode, customer.city = "3 rue du Port", "13002", "Marseille"
    customer.save()
    return customer


def preview(client, customer, step="reminder_1", channel="email"):
    return client.post(reverse("customer_send_now_preview", args=[customer.pk]),
                       {"step": step, "channel": channel}, **HX)


def send(client, customer, step="reminder_1", channel="email", **extra):
    return client.post(reverse("customer_send_now", args=[customer.pk]),
                       {"step": step, "channel": channel, **extra}, follow=True)


def test_the_customer_page_offers_the_plan_s_message_steps_to_collectors_only(late_customer, bob, victor,
                                                                              client_for):
    html = client_for(bob).get(reverse("customer_detail", args=[late_customer.pk])).content.decode()
    assert "Envoyer une relance maintenant" in html
    steps = [code for code, _label, _channel in
             client_for(bob).get(reverse("customer_detail", args=[late_customer.pk])).context["send_now_steps"]]
    assert steps == ["reminder_1", "reminder_2", "reminder_3", "formal_notice"]  # no pre_due, call, litigation
    html = client_for(victor).get(reverse("customer_detail", args=[late_customer.pk])).content.decode()
    assert "Envoyer une relance maintenant" not in html


def test_the_preview_renders_the_channels_message_with_the_overdue_undisputed_invoices(late_customer, disputed,
                                                                                      bob, client_for):
    response = preview(client_for(bob), late_customer)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert response.context["numbers"] == ["FA-LATE"] and plan.amount == Decimal("1200.00")
    subject, body = response.context["parts"]
    assert subject["text"] == "Rappel : facture en attente de règlement — Atelier Durand SARL"
    assert "FA-LATE" in body["text"] and "1\u202f200,00\u00a0€" in body["text"]
    assert "FA-SOON" not in body["text"] and "FA-DISP" not in body["text"]  # not yet due; disputed
    html = page(response)
    assert "Confirmer l'envoi" in html
    assert "<main" not in html  # an HTMX fragment, not a page


def test_the_sms_preview_is_the_sms_template(late_customer, bob, client_for):
    response = preview(client_for(bob), late_customer, step="reminder_2", channel="sms")
    [sms] = response.context["parts"]
    assert sms["label"] == "SMS" and "1\u202f200,00\u00a0€" in sms["text"] and not sms["html"]


def test_without_javascript_the_preview_is_a_page_of_its_own(late_customer, bob, client_for):
    response = client_for(bob).post(reverse("customer_send_now_preview", args=[late_customer.pk]),
                                    {"step": "reminder_1", "channel": "email"})
    html = response.content.decode()
    assert "<html" in html and "Aperçu de la relance" in html and "FA-LATE" in html


def test_confirming_sends_the_email_over_smtp_with_the_right_invoices_and_records_it(late_customer, disputed, bob,
                                                                                     client_for, smtp, today):
    response = send(client_for(bob), late_customer)
    assert "Première relance envoyée par e-mail." in page(response)
    [mail] = smtp.received
    assert mail.rcpt_tos == ["compta@lefevre.fr"]
    text = mail.message.get_body(("plain",)).get_content()
    assert "FA-LATE" in text and "FA-SOON" not in text and "FA-DISP" not in text
    action = Action.objects.get(customer=late_customer)
    assert (action.step, action.channel, action.status, action.amount_due) == ("reminder_1", "email", "sent",
                                                                               Decimal("1200.00"))
    assert action.message_id == mail.message["Message-ID"]
    assert [ln.invoice.number for ln in action.lines.all()] == ["FA-LATE"]
    # Rule 5: the listed invoice advanced one step, so the daily run will not send reminder_1 again.
    mark = LadderMark.objects.get(invoice__number="FA-LATE")
    assert (mark.step, mark.day, mark.action_id) == ("reminder_1", today, action.id)
    event = Event.objects.get(customer=late_customer, type="dunning_action")
    assert event.actor == bob and "FA-LATE" in event.message and "demandée par l'équipe" in event.message
    assert "Première relance par e-mail demandée par l'équipe (envoi immédiat) : FA-LATE" in page(response)


def test_the_same_reminder_twice_in_a_day_is_refused(late_customer, bob, client_for, smtp):
    c = client_for(bob)
    send(c, late_customer)
    response = send(c, late_customer)
    assert "déjà été créée aujourd'hui" in page(response)
    assert Action.objects.count() == 1 and len(smtp.received) == 1


def test_spacing_protects_the_customer_from_a_second_message_too_soon(late_customer, bob, client_for, smtp):
    c = client_for(bob)
    send(c, late_customer)
    response = send(c, late_customer, step="reminder_2")
    assert "d&#x27;écart entre deux messages. Envoi possible à partir du" in response.content.decode()
    assert Action.objects.count() == 1 and len(smtp.received) == 1
    assert "d'écart entre deux messages. Envoi possible à partir du" in preview(
        c, late_customer, step="reminder_2").context["plan"].spacing


def test_nothing_overdue_says_so_and_sends_nothing(org, plan, bob, client_for, smtp, today):
    from relance.core.factories import ContactFactory, CustomerFactory

    customer = CustomerFactory(org=org, name="Client à jour")
    ContactFactory(customer=customer)
    InvoiceFactory(customer=customer, issue_date=today, due_date=today + timedelta(days=30))
    assert "aucune facture échue" in preview(client_for(bob), customer).context["problem"]
    response = send(client_for(bob), customer)
    assert "Client à jour n'a aucune facture échue : rien à relancer." in page(response)
    assert not Action.objects.exists() and smtp.received == []


def test_disputed_or_promised_invoices_are_never_reminded(late_customer, bob, client_for, smtp, today):
    c = client_for(bob)
    dunning.promise_record(org=late_customer.org, customer=late_customer, until=today + timedelta(days=5),
                           today=today)
    response = send(c, late_customer)
    assert "litige ou couvertes par une promesse" in response.content.decode()
    assert not Action.objects.exists() and smtp.received == []


def test_a_collector_s_formal_notice_waits_for_approval(late_customer, bob, client_for, smtp):
    response = send(client_for(bob), addressed(late_customer), step="formal_notice", channel="registered_letter",
                    approve="1")  # a collector cannot approve, whatever the form says
    assert "attend la validation d'un responsable" in page(response)
    action = Action.objects.get()
    assert (action.status, action.carried_out_on, action.approved_by) == ("awaiting_approval", None, None)
    assert Task.objects.get(kind="approval", action_id=action.id).status == "open"
    assert not LadderMark.objects.exists()  # rule 12: the step counts on the day it is approved


def test_an_owner_who_confirms_sends_the_formal_notice_as_a_registered_letter_pdf(late_customer, alice,
                                                                                  client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    addressed(late_customer)
    c = client_for(alice)
    assert "cochez la case" in preview(c, late_customer, "formal_notice", "registered_letter").content.decode()
    response = send(c, late_customer, step="formal_notice", channel="registered_letter", approve="1")
    assert "le PDF est produit" in response.content.decode()
    action = Action.objects.get()
    assert (action.status, action.approved_by) == ("sent", alice)
    pdf = Path(settings.MEDIA_ROOT) / action.document
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "FA-LATE" in text and "FA-SOON" not in text and "MISE EN DEMEURE" in text.upper()


def test_a_viewer_can_neither_preview_nor_send(late_customer, victor, client_for, smtp):
    c = client_for(victor)
    assert preview(c, late_customer).status_code == 403
    assert c.post(reverse("customer_send_now", args=[late_customer.pk]),
                  {"step": "reminder_1", "channel": "email"}).status_code == 403
    assert not Action.objects.exists() and smtp.received == []


def test_an_outsider_gets_not_found(late_customer, charlie, client_for, smtp):
    c = client_for(charlie)
    assert preview(c, late_customer).status_code == 404
    assert c.post(reverse("customer_send_now", args=[late_customer.pk]),
                  {"step": "reminder_1", "channel": "email"}).status_code == 404
    assert not Action.objects.exists() and smtp.received == []


def test_an_unknown_step_or_channel_is_refused_in_french(late_customer, bob, client_for):
    c = client_for(bob)
    assert "ne peut pas être envoyée" in preview(c, late_customer, step="call").context["problem"]
    assert "Canal inconnu" in preview(c, late_customer, channel="pigeon").context["problem"]
    assert "ne peut pas être envoyée" in send(c, late_customer, step="pre_due").content.decode()
    assert not Action.objects.exists()


def test_the_service_leaves_an_invoice_in_a_pending_approval_unadvanced(late_customer, org, today, smtp):
    waiting = dunning.action_send_now(org=org, customer=addressed(late_customer), step="formal_notice",
                                      channel="registered_letter", today=today)
    assert waiting.status == "awaiting_approval"
    sent = dunning.action_send_now(org=org, customer=late_customer, step="reminder_1", channel="email", today=today)
    assert sent.status == "sent" and list(sent.lines.values_list("advanced", flat=True)) == [False]
    assert not LadderMark.objects.filter(invoice=Invoice.objects.get(number="FA-LATE")).exists()
