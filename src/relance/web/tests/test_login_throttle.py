"""Password guessing on the sign-in page: attempts counted per minute, per account and per client address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from relance.core.factories import PASSWORD
from relance.web.views.account import LOGIN_ATTEMPTS_PER_ACCOUNT, LOGIN_ATTEMPTS_PER_IP

pytestmark = pytest.mark.django_db


def attempt(client: Client, email: str, password: str, address: str = "203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def test_past_the_limit_even_the_right_password_is_refused_until_the_next_minute(bob, monkeypatch):
    client = Client()
    for _ in range(LOGIN_ATTEMPTS_PER_ACCOUNT):
        assert attempt(client, bob.email, "mauvais").status_code == 200  # the form again, with its error
    refused = attempt(client, bob.email, PASSWORD)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    assert "Trop de tentatives de connexion" in refused.content.decode()
    later = timezone.now() + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    signed_in = attempt(client, bob.email, PASSWORD)
    assert signed_in.status_code == 302 and client.session["_auth_user_id"] == str(bob.pk)


def test_the_account_limit_holds_whatever_the_address_and_the_case(bob):
    for n in range(LOGIN_ATTEMPTS_PER_ACCOUNT):
        attempt(Client(), bob.email.upper() if n % 2 else bob.email, "mauvais", address=f"198.51.100.{n}")
    assert attempt(Client(), bob.email, PASSWORD, address="198.51.100.200").status_code == 429


def test_one_address_trying_many_accounts_is_stopped_but_another_address_is_not(bob):
    for n in range(LOGIN_ATTEMPTS_PER_IP):
        attempt(Client(), f"personne{n}@exemple.fr", "mauvais")
    assert attempt(Client(), bob.email, PASSWORD).status_code == 429
    assert attempt(Client(), bob.email, PASSWORD, address="192.0.2.1").status_code == 302


def test_the_refusal_reads_in_english_for_a_reader_who_chose_english(bob, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(LOGIN_ATTEMPTS_PER_ACCOUNT + 1):
        response = attempt(client, bob.email, "wrong")
    assert response.status_code == 429 and "Too many sign-in attempts" in response.content.decode()
