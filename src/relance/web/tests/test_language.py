from __future__ import annotations

import pytest
from django.urls import reverse

from relance.core.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_interface_is_french_by_default(late_customer, bob, client_for):
    html = client_for(bob).get(reverse("dashboard")).content.decode()
    assert "Tableau de bord" in html and '<html lang="fr">' in html


def test_switching_to_english_is_remembered_on_the_user(late_customer, bob, client_for):
    c = client_for(bob)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.get(reverse("dashboard")).content.decode()
    assert '<html lang="en">' in html and ">Dashboard<" in html and "Receivables" in html and "Aging" in html
    bob.refresh_from_db()
    assert bob.language == "en"


def test_signing_in_uses_the_user_s_language(org, bob, client):
    bob.language = "en"
    bob.save()
    response = client.post(reverse("login"), {"username": bob.email, "password": PASSWORD}, follow=True)
    assert ">Today<" in response.content.decode()


def test_the_kpi_exports_follow_the_language(late_customer, bob, client_for):
    c = client_for(bob)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = c.get(reverse("analytics:csv")).content.decode("utf-8")
    assert text.startswith("\ufeffIndicator;Value") and "Aging: Not due" in text


def test_the_send_now_and_risk_texts_are_in_english_too(late_customer, bob, client_for):
    c = client_for(bob)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.get(reverse("customer_detail", args=[late_customer.pk])).content.decode()
    assert "Send a reminder now" in html and "Low risk" in html and "See the preview" in html
    html = c.get(reverse("customer_list")).content.decode()
    assert "How is the risk computed?" in html and "Risk, highest first" in html
    preview = c.post(reverse("customer_send_now_preview", args=[late_customer.pk]),
                     {"step": "reminder_1", "channel": "email"}, HTTP_HX_REQUEST="true").content.decode()
    assert "invoice reminded" in preview and "Confirm sending" in preview


def test_the_messages_of_actions_follow_the_language(late_customer, bob, client_for):
    c = client_for(bob)
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = c.post(reverse("customer_pause", args=[late_customer.pk]), {"reason": "vacances"}, follow=True)
    assert "Reminders paused." in response.content.decode()
    c.post(reverse("set_language"), {"language": "fr", "next": "/"})
    response = c.post(reverse("customer_pause", args=[late_customer.pk]), follow=True)
    assert "Relances reprises." in response.content.decode()
