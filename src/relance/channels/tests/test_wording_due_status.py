"""A message that lists invoices not yet due next to overdue ones (DESIGN.md rule 5) tells them apart: a pre-due
message names the overdue ones as already due, and a reminder never calls a not-yet-due invoice due."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from html import unescape

import pytest

from relance.channels.context import InvoiceLine
from relance.channels.rendering import render_part
from relance.channels.samples import sample_context

TODAY = date(2025, 3, 17)  # sample_context's day


def plain(html: str) -> str:
    body = re.sub(r"<head>.*?</head>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def upcoming(number: str = "FA-0003", days: int = 3) -> InvoiceLine:
    return InvoiceLine(number=number, issue_date=TODAY - timedelta(days=27), due_date=TODAY + timedelta(days=days),
                       amount=sample_context().invoices[0].amount, outstanding=sample_context().invoices[0].amount,
                       days_late=0)


def mixed(step: str, language: str = "fr", extra: tuple[InvoiceLine, ...] = ()):
    ctx = sample_context(step=step, language=language)
    return replace(ctx, invoices=(*ctx.invoices, upcoming(), *extra))


def test_a_pre_due_message_alone_keeps_its_courtesy_wording():
    ctx = sample_context(step="pre_due")
    ctx = replace(ctx, invoices=(upcoming("FA-0003"), upcoming("FA-0004", 2)))
    text = render_part(ctx, "email_text")
    assert "les factures ci-dessous arrivent bientôt à échéance." in text
    assert "déjà échue" not in text and text.count("(à échoir)") == 2
    assert render_part(ctx, "email_subject").startswith("Échéance prochaine de 2 factures —")


@pytest.mark.parametrize("part", ["email_text", "email_html", "letter"])
def test_a_pre_due_message_that_lists_overdue_invoices_says_they_are_already_due(part):
    text = plain(render_part(mixed("pre_due"), part))
    assert "la facture FA-0003 arrive bientôt à échéance (« à échoir » ci-dessous)." in text
    assert "Les factures FA-0001, FA-0002 sont quant à elles déjà échues et restent à régler." in text
    assert "les factures ci-dessous arrivent bientôt" not in text
    if part == "email_text":
        assert "reste dû 1 200,00 € (échue, 36 jours de retard)" in text.replace("\u202f", " ").replace("\xa0", " ")
        assert "FA-0003 du 18/02/2025, échéance le 20/03/2025 : montant 1 200,00 €, reste dû 1 200,00 € (à échoir)" \
            in text.replace("\u202f", " ").replace("\xa0", " ")
    else:
        assert "Statut" in text and "échue, 36 j de retard" in text and "à échoir" in text


def test_the_pre_due_subject_and_english_text_count_both():
    ctx = mixed("pre_due")
    assert render_part(ctx, "email_subject") == ("Échéance prochaine de la facture FA-0003, 2 factures déjà échues "
                                                 "— Atelier Exemple SARL")
    english = mixed("pre_due", "en")
    text = render_part(english, "email_text")
    assert "invoice FA-0003 falls due soon" in text and "Invoices FA-0001, FA-0002 are already past due" in text
    assert "(not yet due)" in text and "(past due, 36 days late)" in text
    assert render_part(english, "email_subject").startswith("Upcoming due date for invoice FA-0003, 2 already past due")


@pytest.mark.parametrize("part", ["email_text", "letter"])
def test_a_first_reminder_does_not_call_a_not_yet_due_invoice_due(part):
    text = plain(render_part(mixed("reminder_1"), part))
    assert ("le règlement des factures FA-0001, FA-0002, arrivées à échéance ; la facture FA-0003, pas encore échue "
            "(échéance le 20/03/2025), figure aussi ci-dessous pour information :") in text
    assert "des factures suivantes, arrivées à échéance" not in text
    english = plain(render_part(mixed("reminder_1", "en"), part))
    assert ("payment of invoices FA-0001, FA-0002, now past due; invoice FA-0003, not yet due (due 2025-03-20), is "
            "also listed below for information:") in english


@pytest.mark.parametrize(("step", "phrase"), [
    ("reminder_2", "les factures FA-0001, FA-0002 restent impayées à ce jour ; les factures FA-0003, FA-0005, pas "
                   "encore échues, figurent aussi ci-dessous pour information :"),
    ("reminder_3", "les factures FA-0001, FA-0002 demeurent impayées ; les factures FA-0003, FA-0005, pas encore "
                   "échues, figurent aussi ci-dessous pour information :"),
])
def test_later_reminders_set_the_not_yet_due_invoices_apart(step, phrase):
    ctx = mixed(step, extra=(upcoming("FA-0005", 0),))
    text = plain(render_part(ctx, "email_text"))
    assert phrase in text
    assert "(échéance ce jour)" in text and "(à échoir)" in text
    english = plain(render_part(mixed(step, "en"), "email_text"))
    assert "invoices FA-0001, FA-0002 remain unpaid; invoice FA-0003, not yet due" in english


def test_a_reminder_with_only_overdue_invoices_is_unchanged():
    text = render_part(sample_context(step="reminder_1"), "email_text")
    assert "des factures suivantes, arrivées à échéance :" in text
    assert "à échoir" not in text and "(36 jours de retard)" in text
    html = plain(render_part(sample_context(step="reminder_1"), "email_html"))
    assert "Jours de retard" in html and "Statut" not in html


def test_the_call_script_does_not_call_a_not_yet_due_invoice_late():
    from relance.channels.phone import call_script_text

    script = call_script_text(mixed("reminder_2", extra=(upcoming("FA-0005", 0),)), phones=[])
    assert "(36 j de retard)" in script and "FA-0003 du 18/02/2025, échéance 20/03/2025" in script
    assert "(à échoir)" in script and "(échéance ce jour)" in script and "(0 j de retard)" not in script
