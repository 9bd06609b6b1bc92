from __future__ import annotations

import pytest
from conftest import browser_login

from relance.core.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_collector_logs_in_and_sees_the_customer_list(page, org, bob):
    CustomerFactory(org=org, name="Menuiserie Bérard")
    browser_login(page, bob.email)
    page.get_by_role("link", name="Clients").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Clients").is_visible()
    assert page.get_by_role("link", name="Menuiserie Bérard").is_visible()


def test_a_wrong_password_shows_a_french_error(page, bob):
    browser_login(page, bob.email, "not-the-password")
    assert page.get_by_role("alert").inner_text() == "E-mail ou mot de passe incorrect."
