from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_login_page_is_french_even_for_an_english_browser(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Se connecter" in page


def test_a_person_who_chose_english_gets_english(client):
    client.cookies["django_language"] = "en"
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_a_signed_in_user_gets_the_language_of_their_profile(client, org, bob):
    bob.language = "en"
    bob.save()
    client.force_login(bob)
    response = client.get(reverse("customer_list"))
    assert response.headers["Content-Language"] == "en"
    assert "Customers" in response.content.decode()
