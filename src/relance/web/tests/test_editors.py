from __future__ import annotations

import pytest
from django.urls import reverse

from relance.dunning.models import Step

pytestmark = pytest.mark.django_db


def steps_post(plan, **overrides):
    data = {}
    for s in plan.steps.all():
        data[f"anchor-{s.pk}"] = s.anchor
        data[f"days-{s.pk}"] = str(s.days)
        data[f"channels-{s.pk}"] = list(s.channels)
        if s.needs_approval:
            data[f"approval-{s.pk}"] = "on"
    data.update(overrides)
    return data


def test_a_manager_changes_a_step_and_assigns_kinds(plan, alice, client_for):
    step = plan.steps.get(code="reminder_1")
    response = client_for(alice).post(reverse("plan_edit", args=[plan.pk]), {
        **steps_post(plan, **{f"days-{step.pk}": "10", f"channels-{step.pk}": ["email", "sms"]}),
        "kinds": ["b2b", "public"],
    }, follow=True)
    assert "Plan « Plan standard » enregistré." in response.content.decode()
    step.refresh_from_db()
    plan.refresh_from_db()
    assert (step.days, step.channels) == (10, ["email", "sms"])
    assert plan.customer_kinds == ["b2b", "public"]


def test_an_anchor_on_a_later_step_is_refused(plan, alice, client_for):
    step = plan.steps.get(code="reminder_1")
    response = client_for(alice).post(reverse("plan_edit", args=[plan.pk]),
                                      steps_post(plan, **{f"anchor-{step.pk}": "formal_notice"}), follow=True)
    assert "l&#x27;ancrage doit être l&#x27;échéance ou une étape précédente" in response.content.decode()
    assert Step.objects.get(pk=step.pk).anchor == "due_date"


def test_a_step_without_channel_is_refused(plan, alice, client_for):
    step = plan.steps.get(code="reminder_2")
    data = steps_post(plan)
    del data[f"channels-{step.pk}"]
    response = client_for(alice).post(reverse("plan_edit", args=[plan.pk]), data, follow=True)
    assert "choisissez au moins un canal" in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "victor"])
def test_collectors_and_viewers_cannot_edit_plans_or_templates(plan, persona, request, client_for, late_customer):
    c = client_for(request.getfixturevalue(persona))
    assert c.get(reverse("plan_list")).status_code == 403
    assert c.post(reverse("plan_edit", args=[plan.pk]), steps_post(plan)).status_code == 403
    assert c.get(reverse("template_edit", args=["reminder_1", "email_text", "fr"])).status_code == 403
    assert c.post(reverse("template_preview"), {"step": "reminder_1", "part": "email_text",
                                                "customer": late_customer.pk, "source": "x"}).status_code == 403


def test_an_outsider_cannot_reach_another_organisation_s_plan(plan, charlie, client_for):
    assert client_for(charlie).get(reverse("plan_edit", args=[plan.pk])).status_code == 404


def test_the_template_editor_shows_the_current_source(plan, alice, client_for):
    response = client_for(alice).get(reverse("template_edit", args=["reminder_1", "email_subject", "fr"]))
    assert response.status_code == 200 and response.context["source"]


def test_the_preview_renders_the_source_for_a_real_customer(late_customer, alice, client_for):
    response = client_for(alice).post(reverse("template_preview"), {
        "step": "reminder_1", "part": "email_text", "language": "fr", "customer": late_customer.pk,
        "source": "Bonjour {{ customer.name }}, reste dû : {{ total_outstanding }}",
    }, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Bonjour Garage Lefèvre, reste dû" in html and "<pre" in html


def test_the_preview_names_an_unknown_variable(late_customer, alice, client_for):
    response = client_for(alice).post(reverse("template_preview"), {
        "step": "reminder_1", "part": "email_html", "language": "fr", "customer": late_customer.pk,
        "source": "{{ settings.SECRET_KEY }}",
    })
    assert "settings" in response.content.decode() and 'role="alert"' in response.content.decode()


def test_saving_a_template_with_an_unknown_variable_is_refused(late_customer, alice, client_for):
    from relance.channels.models import Template

    url = reverse("template_edit", args=["reminder_1", "email_subject", "fr"])
    response = client_for(alice).post(url, {"source": "Facture {{ secret }}"}, follow=True)
    assert "secret" in response.content.decode() and not Template.objects.exists()
    client_for(alice).post(url, {"source": "Relance : {{ customer.name }}"})
    assert Template.objects.get().source == "Relance : {{ customer.name }}"


def test_an_html_preview_is_shown_in_a_sandboxed_frame(late_customer, alice, client_for):
    response = client_for(alice).post(reverse("template_preview"), {
        "step": "reminder_1", "part": "email_html", "language": "fr", "customer": late_customer.pk,
        "source": "<p>{{ customer.name }}</p>",
    })
    assert '<iframe class="preview" sandbox' in response.content.decode()
