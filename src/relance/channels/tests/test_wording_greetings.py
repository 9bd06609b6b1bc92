"""Greetings, "À l'attention de" lines and printed phone numbers: a department is not greeted by name, a consumer
with a known title is "Madame" or "Monsieur", and French numbers are printed the French way."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest

from relance.channels.context import ContactInfo, Party, greetings, phone_display
from relance.channels.phone import call_script_text
from relance.channels.rendering import render_part
from relance.channels.samples import sample_context


def plain(html: str) -> str:
    body = re.sub(r"<head>.*?</head>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def recipient(html: str) -> str:
    return plain(re.search(r'<div class="recipient">(.*?)</div>', html, flags=re.S).group(1))


def with_contact(name: str, *, step: str = "reminder_1", language: str = "fr", kind: str = "b2b",
                 customer: str = "Client Exemple"):
    ctx = sample_context(step=step, language=language, kind=kind)
    return replace(ctx, customer=replace(ctx.customer, name=customer),
                   contacts=(ContactInfo(name=name, email="x@client.fr", phone="+33465713340"),))


@pytest.mark.parametrize(("name", "attention"), [
    ("Service comptabilité", "À l'attention du service comptabilité"),
    ("Comptabilité fournisseurs", "À l'attention de la comptabilité fournisseurs"),
    ("Direction financière", "À l'attention de la direction financière"),
    ("Équipe achats", "À l'attention de l'équipe achats"),
])
def test_a_department_is_greeted_without_its_name_and_addressed_with_its_article(name, attention):
    ctx = with_contact(name)
    for part in ("email_text", "email_html"):
        text = plain(render_part(ctx, part))
        assert text.startswith("Bonjour, ") and name not in text
    letter = render_part(ctx, "letter")
    assert recipient(letter) == f"Client Exemple {attention} 2 avenue du Client 69003 LYON"
    assert "Madame, Monsieur," in plain(letter) and "Bonjour" not in plain(letter)


def test_a_department_is_greeted_in_english_too():
    ctx = with_contact("Service comptabilité", language="en")
    assert render_part(ctx, "email_text").startswith("Dear Sir or Madam,")
    assert "For the attention of the service comptabilité" in recipient(render_part(ctx, "letter"))


def test_a_person_is_still_greeted_by_name_and_named_on_the_letter():
    ctx = with_contact("Jean Martin")
    assert render_part(ctx, "email_text").startswith("Bonjour Jean Martin,")
    assert recipient(render_part(ctx, "letter")).startswith("Client Exemple À l'attention de Jean Martin ")


@pytest.mark.parametrize(("customer", "contact", "email", "letter"), [
    ("Mme Hélène Dubois", "Hélène Dubois", "Bonjour Madame Dubois,", "Madame,"),
    ("M. Jean-Pierre Le Gall", "Jean-Pierre Le Gall", "Bonjour Monsieur Le Gall,", "Monsieur,"),
    ("Mme LEFÈVRE Hélène", "", "Bonjour Madame Lefèvre,", "Madame,"),
])
def test_a_consumer_with_a_known_title_is_madame_or_monsieur(customer, contact, email, letter):
    ctx = with_contact(contact, kind="b2c", customer=customer, step="reminder_1")
    assert render_part(ctx, "email_text").startswith(email)
    text = plain(render_part(ctx, "letter"))
    assert f" {letter} " in text and "Madame, Monsieur" not in text and "Bonjour" not in text
    assert f"Veuillez agréer, {letter[:-1]}, l'expression" in text
    formal = plain(render_part(replace(ctx, step="formal_notice"), "letter"))
    assert f"Veuillez agréer, {letter[:-1]}, l'expression" in formal


def test_a_consumer_title_in_english():
    ctx = with_contact("Hélène Dubois", kind="b2c", customer="Mme Hélène Dubois", language="en")
    assert render_part(ctx, "email_text").startswith("Dear Ms Dubois,")
    assert greetings(ctx, ctx.contacts[0])["salutation"] == "Dear Ms Dubois"


def test_another_member_of_the_household_does_not_take_the_consumer_title():
    ctx = with_contact("Paul Martin", kind="b2c", customer="Mme Hélène Dubois")
    assert render_part(ctx, "email_text").startswith("Bonjour Paul Martin,")
    assert "Madame, Monsieur," in plain(render_part(ctx, "letter"))


def test_a_company_without_any_contact_name_is_not_greeted_by_its_company_name():
    ctx = replace(sample_context(step="reminder_1"), contacts=())
    assert render_part(ctx, "email_text").startswith("Bonjour,")


def test_the_call_script_asks_for_the_department_once():
    script = call_script_text(with_contact("Service comptabilité"), phones=["+33465713340"])
    assert "demander le service comptabilité." in script and "Service comptabilité" not in script
    person = call_script_text(with_contact("Jean Martin"), phones=[])
    assert "demander Jean Martin ou, à défaut, le service comptabilité." in person
    consumer = call_script_text(with_contact("Hélène Dubois", kind="b2c", customer="Mme Hélène Dubois"), phones=[])
    assert "demander Hélène Dubois." in consumer


@pytest.mark.parametrize(("number", "printed"), [
    ("+33465713340", "04 65 71 33 40"),
    ("+33612345678", "06 12 34 56 78"),
    ("0465713340", "04 65 71 33 40"),
    ("+3225551234", "+32 2 555 12 34"),
    ("+41446681800", "+41 44 668 18 00"),
    ("standard", "standard"),
])
def test_phone_numbers_are_printed_nationally_for_france_internationally_otherwise(number, printed):
    assert phone_display(number) == printed


def test_letters_and_call_tasks_print_the_french_national_format():
    ctx = with_contact("Jean Martin")
    ctx = replace(ctx, organisation=replace(ctx.organisation, phone="+33465713340"))
    letter = plain(render_part(ctx, "letter"))
    assert "04 65 71 33 40" in letter and "+33465713340" not in letter
    assert "par téléphone au 04 65 71 33 40" in letter
    email = plain(render_part(ctx, "email_html"))
    assert "04 65 71 33 40" in email and "+33465713340" not in email
    script = call_script_text(ctx, phones=["+33465713340", "+3225551234"])
    assert "- 04 65 71 33 40\n- +32 2 555 12 34" in script
    foreign = replace(ctx, organisation=replace(ctx.organisation, phone="+3225551234"))
    assert "+32 2 555 12 34" in plain(render_part(foreign, "letter"))


def test_party_stays_raw_data():
    # the context keeps E.164 (what transports dial); only the printed variables are formatted
    assert Party(name="x", phone="+33465713340").phone == "+33465713340"


def test_a_printed_number_is_never_cut_across_two_lines():
    ctx = replace(with_contact("Jean Martin"), organisation=replace(sample_context().organisation,
                                                                     phone="+33465713340"))
    html = render_part(ctx, "letter")
    assert "04\u00a065\u00a071\u00a033\u00a040" in html and "04 65 71 33 40" not in html


def test_an_english_letter_to_a_named_consumer_closes_yours_sincerely():
    named = with_contact("Hélène Dubois", kind="b2c", customer="Mme Hélène Dubois", language="en")
    assert "Yours sincerely," in plain(render_part(named, "letter"))
    anonymous = with_contact("Service comptabilité", language="en")
    letter = plain(render_part(anonymous, "letter"))
    assert "Dear Sir or Madam," in letter and "Yours faithfully," in letter
