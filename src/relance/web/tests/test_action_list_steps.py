"""The action list's step filter: a select showing the French step labels, the code as its value."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.dunning.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(org, late_customer, today):
    def make(step: str) -> Action:
        return Action.objects.create(org=org, customer=late_customer, step=step, channel="email", status="sent",
                                     date=today, amount_due=Decimal("1200.00"))

    return {step: make(step) for step in ("reminder_1", "formal_notice")}


def _step_select(html: str) -> str:
    return re.search(r'<select id="f-step" name="step">(.*?)</select>', html, re.S).group(1)


def test_the_step_filter_offers_the_french_labels_with_the_codes_as_values(actions, victor, client_for):
    select = _step_select(client_for(victor).get(reverse("action_list")).content.decode())
    assert '<option value="">Toutes</option>' in select
    assert '<option value="formal_notice">Mise en demeure</option>' in select
    assert '<option value="reminder_1">Première relance</option>' in select
    values = re.findall(r'<option value="([^"]*)"', select)
    assert values.index("pre_due") < values.index("reminder_1") < values.index("formal_notice")  # ladder order


def test_choosing_a_label_filters_on_its_code_and_stays_selected(actions, victor, client_for):
    response = client_for(victor).get(reverse("action_list"), {"step": "formal_notice"})
    assert [a.pk for a in response.context["page"]] == [actions["formal_notice"].pk]
    assert '<option value="formal_notice" selected>Mise en demeure</option>' in _step_select(response.content.decode())


def test_the_labels_follow_the_reader_s_language(actions, victor, client_for):
    victor.language = "en"
    victor.save(update_fields=["language"])
    c = client_for(victor)
    response = c.get(reverse("action_list"), HTTP_ACCEPT_LANGUAGE="en")
    select = _step_select(response.content.decode())
    assert '<option value="formal_notice">Formal notice</option>' in select  # translated, the code kept


def test_an_unknown_step_code_from_an_old_link_still_filters(actions, victor, client_for):
    response = client_for(victor).get(reverse("action_list"), {"step": "custom_step"})
    assert list(response.context["page"]) == []
    assert '<option value="custom_step" selected>custom_step</option>' in _step_select(response.content.decode())


def test_another_organisation_sees_none_of_these_actions(actions, charlie, client_for):
    assert list(client_for(charlie).get(reverse("action_list"), {"step": "formal_notice"}).context["page"]) == []
