from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.channels.context import STEPS
from relance.channels.models import Template
from relance.channels.rendering import PARTS, render_part, render_source, template_validate
from relance.channels.samples import sample_context
from relance.core.factories import CustomerFactory, InvoiceFactory


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("part", list(PARTS))
def test_every_step_channel_and_language_has_a_default_that_lists_the_invoices(step, part, language):
    ctx = sample_context(step=step, language=language)
    text = render_part(ctx, part)
    assert text
    if part in ("email_text", "email_html", "letter"):
        for number in ("FA-0001", "FA-0002"):
            assert number in text
        assert "1\u202f430,00" in text  # the total outstanding
        assert "FR7630006000011234567890189" in text and "C0001 FA-0001 FA-0002" in text
        assert "https://relance.example/portail/exemple/" in text


def test_the_tone_rises_from_courtesy_to_formal_notice():
    text = {step: render_part(sample_context(step=step), "email_text") for step in STEPS}
    assert "merci de ne pas tenir compte" in text["pre_due"]
    assert "simple oubli" in text["reminder_1"]
    assert "pénalités de retard" in text["reminder_2"] and "40 €" in text["reminder_2"]
    assert "Pénalités de retard à ce jour" in text["reminder_3"] and "80,00" in text["reminder_3"]
    notice = text["formal_notice"]
    assert "MISE EN DEMEURE DE PAYER" in notice and "8 jours" in notice and "25 mars 2025" in notice
    assert "L441-10" in notice and "injonction de payer" in notice and "1\u202f527,71" in notice


def test_consumers_never_see_an_indemnity_or_recovery_fee():
    for step in ("reminder_2", "reminder_3", "formal_notice"):
        ctx = sample_context(step=step, kind="b2c")
        for part in ("email_text", "letter"):
            text = render_part(ctx, part)
            assert "indemnité" not in text.lower() and "40 €" not in text and "€40" not in text
    notice = render_part(sample_context(step="formal_notice", kind="b2c"), "email_text")
    assert "1231-6" in notice  # interest at the legal rate runs from the notice


def test_english_templates_are_in_english():
    text = render_part(sample_context(step="reminder_1", language="en"), "email_text")
    assert text.startswith("Dear Claire Exemple,") and "Total outstanding" in text


@pytest.mark.parametrize("source", [
    "{{ settings.SECRET_KEY }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ customer.name.__class__.__base__.__subclasses__() }}",
    "{{ invoices.__class__ }}",
    "{{ customer.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ lipsum.__globals__ }}",
    "{{ request.user }}",
    "{{ range(10) }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../settings.py' %}",
    "{% extends customer.name %}",
    "{{ invoices.append(1) }}",
    "{{ customer.name.format.__globals__ }}",
])
def test_sandbox_escape_attempts_are_refused(source):
    problems = template_validate(source)
    assert problems, source


def test_an_unknown_variable_is_refused_with_a_french_message():
    assert template_validate("Bonjour {{ client_nom }}") == [
        "Variable inconnue : « client_nom ». Variables disponibles : attention, attention_line, channel, contact, "
        "currency, customer, deadline, greeting, invoices, invoices_overdue, invoices_upcoming, language, "
        "legal_mentions, logo_uri, organisation, payment, penalties, portal_link, previous_reminder, qr_code, "
        "salutation, step, today, total_amount, total_outstanding."
    ]
    assert template_validate("{{ customer.name }") == ["Erreur de syntaxe ligne 1 : unexpected '}'"]


def test_a_template_walking_to_a_missing_attribute_is_refused():
    assert template_validate("{{ customer.nmae }}")[0].startswith("Le modèle ne peut pas être affiché")


def test_debtor_supplied_text_is_escaped_in_html_but_not_in_text():
    ctx = sample_context()
    hostile = '<script>alert("x")</script> & Cie'
    ctx = type(ctx)(**{**ctx.__dict__, "contacts": (), "customer": type(ctx.customer)(**{**ctx.customer.__dict__,
                                                                         "name": hostile, "kind": "b2c"})})
    # a consumer without a contact is greeted by the customer's name (a company is greeted "Bonjour,")
    html = render_part(ctx, "letter")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; Cie" in html
    assert hostile in render_part(ctx, "email_text")


@given(name=st.text(max_size=40))
@settings(max_examples=40, deadline=None)
def test_any_name_renders_escaped_in_html(name):
    out = render_source("<p>{{ customer.name }}</p>", {"customer": {"name": name}}, html=True)
    assert "<" not in out[3:-4] and ">" not in out[3:-4]


def test_an_organisation_override_replaces_the_default_and_others_keep_theirs(org, other_org):
    Template.objects.create(org=org, step="reminder_1", part="email_subject", language="fr",
                            source="Facture {{ invoices[0].number }} : {{ total_outstanding|eur }}")
    ctx = sample_context(step="reminder_1")
    assert render_part(ctx, "email_subject", org=org) == "Facture FA-0001 : 1 430,00 €"  # one line, plain spaces
    assert render_part(ctx, "email_subject", org=other_org).startswith("Rappel : factures en attente")


def test_saving_an_invalid_template_in_the_admin_is_refused(org):
    template = Template(org=org, step="reminder_1", part="email_text", language="fr",
                        source="{{ settings.SECRET_KEY }}")
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert "Variable inconnue : « settings »" in str(exc.value)


def test_the_preview_renders_a_real_customer_without_leaking_other_organisations(org):
    from datetime import date

    from relance.channels.rendering import template_render_preview

    customer = CustomerFactory(org=org, name="Boulangerie Ange & Fils")
    InvoiceFactory(customer=customer, number="FA-777", total_incl_tax=Decimal("99.90"))
    html = template_render_preview(org=org, template_source="<b>{{ customer.name }}</b> {{ invoices[0].number }} "
                                   "{{ total_outstanding|eur }}", customer=customer, today=date(2025, 3, 1))
    assert html == "<b>Boulangerie Ange &amp; Fils</b> FA-777 99,90\u00a0€"
    link = template_render_preview(org=org, template_source="{{ portal_link }}", customer=customer,
                                   today=date(2025, 3, 1))
    assert link.endswith("/portail/apercu/")  # no real token minted by a preview
    assert template_render_preview(org=org, template_source="{{ nope }}", customer=customer,
                                   today=date(2025, 3, 1)).startswith("Variable inconnue")


def test_template_save_refuses_an_unknown_variable_and_keeps_a_valid_one(org, alice):
    from relance.channels.services import template_reset, template_save
    from relance.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="Variable inconnue : « secret »"):
        template_save(org=org, step="reminder_1", part="sms", language="fr", source="{{ secret }}")
    template_save(org=org, step="reminder_1", part="sms", language="fr", source="Payez {{ total_outstanding|eur }}",
                  user=alice)
    assert render_part(sample_context(step="reminder_1"), "sms", org=org) == "Payez 1\u202f430,00\u00a0€"
    template_reset(org=org, step="reminder_1", part="sms", language="fr")
    assert "sauf erreur" in render_part(sample_context(step="reminder_1"), "sms", org=org)


def test_the_admin_template_page_refuses_an_unknown_variable(client, org):
    from relance.accounts.models import User

    admin_user = User.objects.create_superuser("root@durand.fr", "x" * 12)
    client.force_login(admin_user)
    response = client.post("/admin/channels/template/add/", {
        "org": org.pk, "step": "reminder_1", "part": "email_text", "language": "fr",
        "source": "{{ settings.SECRET_KEY }}"})
    assert response.status_code == 200 and "Variable inconnue : « settings »" in response.content.decode()
    assert not Template.objects.exists()
