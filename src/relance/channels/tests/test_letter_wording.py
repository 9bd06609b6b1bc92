"""What letters and formal notices say: earlier reminders only when there were some, a deadline counted from the
letter's date, postal wording on paper, and a consumer's name printed once."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest

from relance.channels.builders import context_for_customer
from relance.channels.context import STEPS, ContactInfo, Party
from relance.channels.rendering import render_part
from relance.channels.samples import sample_context
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)


def plain(html: str) -> str:
    """The visible text of a page (no <head>, no tags)."""
    body = re.sub(r"<head>.*?</head>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def recipient(html: str) -> str:
    """The address block of a letter (what shows in the envelope window)."""
    return plain(re.search(r'<div class="recipient">(.*?)</div>', html, flags=re.S).group(1))


@pytest.fixture
def debt(org):
    customer = CustomerFactory(org=org, name="Imprimerie Zoé", ref="C777")
    ContactFactory(customer=customer, name="Service comptabilité", email="compta@imprimerie.fr")
    invoice = InvoiceFactory(customer=customer, number="FA-777", total_incl_tax=Decimal("640.00"),
                             due_date=date(2025, 1, 15))
    other = InvoiceFactory(customer=customer, number="FA-778", total_incl_tax=Decimal("100.00"),
                           due_date=date(2025, 1, 20))
    return customer, invoice, other


def earlier_action(org, customer, invoice, *, step="reminder_1", channel="email", status="sent",
                   day=TODAY - timedelta(days=20)):
    from relance.dunning.models import Action, ActionInvoice

    action = Action.objects.create(org=org, customer=customer, step=step, channel=channel, date=day, status=status,
                                   carried_out_on=day, amount_due=invoice.total_incl_tax)
    ActionInvoice.objects.create(action=action, invoice=invoice, amount=invoice.total_incl_tax, advanced=True)
    return action


def notice(org, customer, invoices, part="letter"):
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="formal_notice", channel="letter",
                               invoices=invoices, portal_link="")
    text = render_part(ctx, part, org=org)
    return plain(text) if part == "letter" else " ".join(text.split())


def test_a_first_ever_formal_notice_does_not_claim_earlier_reminders(org, debt):
    customer, invoice, _ = debt
    for part in ("letter", "email_text"):
        text = notice(org, customer, [invoice], part)
        assert "relances successives" not in text
        assert ("Sauf erreur de notre part, la facture suivante reste impayée à ce jour ; vous restez redevable "
                "envers nous de la somme de 640,00 € en principal") in text.replace("\u202f", " ")


def test_a_formal_notice_after_a_reminder_recalls_the_reminders(org, debt):
    customer, invoice, _ = debt
    earlier_action(org, customer, invoice, channel="letter")
    for part in ("letter", "email_text"):
        text = notice(org, customer, [invoice], part)
        assert "Malgré nos relances successives, vous restez redevable" in text
        assert "Sauf erreur de notre part" not in text


@pytest.mark.parametrize("kwargs", [
    {"status": "failed"},                      # never reached the customer
    {"status": "cancelled"},
    {"step": "pre_due"},                       # a courtesy notice is no reminder
    {"channel": "phone"},                      # a call task, not a message
    {"day": TODAY},                            # the same day: not "before"
])
def test_what_does_not_count_as_an_earlier_reminder(org, debt, kwargs):
    customer, invoice, _ = debt
    earlier_action(org, customer, invoice, **kwargs)
    assert "relances successives" not in notice(org, customer, [invoice])


def test_a_reminder_about_other_invoices_does_not_count(org, debt, other_org):
    customer, invoice, other = debt
    earlier_action(org, customer, other)
    assert "relances successives" not in notice(org, customer, [invoice])
    # ...but it does when the notice lists that invoice too
    assert "relances successives" in notice(org, customer, [invoice, other])


def test_the_deadline_runs_from_the_date_of_the_letter(org, debt):
    customer, invoice, _ = debt
    for part in ("letter", "email_text"):
        text = notice(org, customer, [invoice], part)
        assert "à compter de la réception" not in text
        assert ("dans un délai de 8 jours à compter de la date du présent courrier, soit au plus tard le "
                "25 mars 2025.") in text
        # the mentions a formal notice needs stay: a clear demand to pay and what follows without payment
        assert "nous vous mettons en demeure de nous régler la somme de" in text
        assert "injonction de payer" in text
    assert "le 17 mars 2025" in notice(org, customer, [invoice])  # the letter's own date, 8 days earlier
    english = render_part(sample_context(step="formal_notice", language="en"), "letter")
    assert "within 8 days of the date of this letter, that is by 25 March 2025" in english
    assert "receipt" not in english


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("step", [*STEPS, "instalment_reminder"])
def test_a_letter_never_uses_email_wording(step, language):
    # The part decides: even rendered from an e-mail context, the letter part is postal.
    ctx = sample_context(step=step, language=language, channel="email")
    text = plain(render_part(ctx, "letter"))
    for email_wording in ("répondez simplement", "ce message", "Bonjour", "Claire Exemple,",
                          "reply to this message", "this message", "Dear Claire"):
        assert email_wording not in text, (step, email_wording)
    assert ("Madame, Monsieur," if language == "fr" else "Dear Sir or Madam,") in text


def test_a_first_reminder_letter_says_how_to_answer_by_post_phone_or_portal():
    text = plain(render_part(sample_context(step="reminder_1", channel="letter"), "letter"))
    assert "contactez-nous par téléphone au 01 40 00 00 00, par courrier à l'adresse ci-dessus ou depuis votre " \
           "espace client" in text
    assert "Si votre règlement a croisé ce courrier" in text
    assert "Veuillez agréer, Madame, Monsieur" in text and "Bien cordialement" not in text


def test_the_emails_keep_their_email_wording():
    ctx = sample_context(step="reminder_1")
    html, text = plain(render_part(ctx, "email_html")), render_part(ctx, "email_text")
    for body in (html, text):
        assert body.startswith("Bonjour Claire Exemple,")
        assert "répondez simplement à ce message" in body and "Bien cordialement" in body
    assert "dès réception de ce message" in render_part(sample_context(step="reminder_3"), "email_text")


def test_reminders_two_and_three_do_not_invent_a_previous_reminder():
    for step, claim in (("reminder_2", "Malgré notre précédent rappel"),
                        ("reminder_3", "Nos précédentes relances étant restées sans effet")):
        ctx = sample_context(step=step)
        assert claim in render_part(ctx, "email_text")
        first = replace(ctx, previous_reminder=False)
        for part in ("email_text", "letter"):
            text = render_part(first, part)
            assert claim not in text and "Sauf erreur de notre part" in text


@pytest.mark.parametrize("contact_name", ["Hélène Lefèvre", "LEFEVRE Hélène", "Mme Hélène LEFÈVRE", "Hélène"])
def test_a_consumer_letter_names_the_consumer_once(contact_name):
    ctx = replace(sample_context(step="formal_notice", kind="b2c"),
                  customer=Party(name="Mme LEFÈVRE Hélène", address="3 rue des Lilas", postcode="69003",
                                 city="Lyon", ref="P0001", kind="b2c"),
                  contacts=(ContactInfo(name=contact_name),))
    html = render_part(ctx, "letter")
    assert recipient(html) == "Lettre recommandée avec AR Mme LEFÈVRE Hélène 3 rue des Lilas 69003 LYON"
    assert "À l'attention de" not in html and plain(html).count("Hélène") == 1
    # her title is known (stored in the customer's name): "Madame," rather than "Madame, Monsieur,"
    assert "<p>Madame,</p>" in html and "Madame, Monsieur" not in html


def test_a_company_letter_still_names_the_contact():
    html = render_part(sample_context(step="formal_notice"), "letter")
    assert recipient(html).startswith("Lettre recommandée avec AR Client Exemple À l'attention de Claire Exemple")
    # someone else in a consumer's household is named too
    ctx = replace(sample_context(step="formal_notice", kind="b2c"),
                  customer=Party(name="Hélène Lefèvre", ref="P0001", kind="b2c"),
                  contacts=(ContactInfo(name="Paul Martin"),))
    assert recipient(render_part(ctx, "letter")).endswith("Hélène Lefèvre À l'attention de Paul Martin")
