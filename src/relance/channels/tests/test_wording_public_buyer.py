"""A public buyer cannot be served an injonction de payer: its formal notice, referral and reminders name the
administrative court (référé-provision) and the Code de la commande publique instead."""

from __future__ import annotations

import pytest

from relance.channels.rendering import render_part
from relance.channels.samples import sample_context

PARTS = ("email_text", "email_html", "letter")


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("step", ["reminder_2", "reminder_3", "formal_notice", "litigation"])
def test_a_public_buyer_is_never_threatened_with_an_injonction_de_payer(step, part):
    for language in ("fr", "en"):
        text = render_part(sample_context(step=step, kind="public", language=language), part)
        assert "injonction" not in text.casefold() and "order to pay" not in text
        assert "L441-10" not in text and "Code de commerce" not in text and "Commercial Code" not in text


@pytest.mark.parametrize("part", PARTS)
def test_the_formal_notice_to_a_public_buyer_announces_a_referé_provision(part):
    french = " ".join(render_part(sample_context(step="formal_notice", kind="public"), part).split())
    assert ("nous saisirons sans autre avis le juge des référés du tribunal administratif compétent d'une demande "
            "de provision (référé-provision, article R541-1 du Code de justice administrative)") in french
    english = " ".join(render_part(sample_context(step="formal_notice", kind="public", language="en"), part).split())
    assert "administrative court for an interim payment (référé-provision" in english


def test_the_referral_and_the_reminders_to_a_public_buyer_cite_public_procurement_law():
    litigation = render_part(sample_context(step="litigation", kind="public"), "email_text")
    assert "en vue de saisir le tribunal administratif d'une demande de provision (référé-provision)" in litigation
    reminder_3 = render_part(sample_context(step="reminder_3", kind="public"), "email_text")
    assert "En application de l'article L2192-13 du Code de la commande publique, des intérêts moratoires" in reminder_3
    reminder_2 = render_part(sample_context(step="reminder_2", kind="public"), "email_text")
    assert "(articles L2192-13 et D2192-35 du Code de la commande publique)" in reminder_2
    english = render_part(sample_context(step="reminder_2", kind="public", language="en"), "email_text")
    assert "(French Public Procurement Code, L2192-13 and D2192-35)" in english


@pytest.mark.parametrize("step", ["reminder_3", "formal_notice", "litigation"])
def test_a_company_still_gets_the_injonction_de_payer_and_the_commercial_code(step):
    text = render_part(sample_context(step=step), "email_text")
    assert "tribunal administratif" not in text
    if step != "reminder_3":
        assert "injonction de payer" in text
    else:
        assert "article L441-10 du Code de commerce" in text
