"""Setting up a payment plan in Debian's Chromium (Playwright): the customer page, the split, edited
instalments, the plan listed and the ladder paused for its invoices."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import browser_login

from relance.core.dates import add_months
from relance.portal.models import PaymentPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"


def test_a_collector_sets_up_a_three_instalment_plan_and_the_ladder_pauses(page, org, bob, customer, invoices,
                                                                           today):
    browser_login(page, bob.email)
    page.goto(page.base_url + "/clients/")
    page.get_by_role("link", name="Boulangerie Martin").click()
    page.get_by_role("link", name="Mettre en place un échéancier").click()
    assert page.get_by_role("heading", name="Mettre en place un échéancier").is_visible()
    assert page.get_by_label("Nombre d'échéances").input_value() == "3"
    assert page.get_by_label("Montant de l'échéance 3").input_value() == "500,18"  # the last absorbs the cent
    second = add_months(today, 2).replace(day=15)  # the 2nd instalment moved to the 15th of its month
    page.get_by_label("Montant de l'échéance 1").fill("600,00")  # typed the French way
    page.get_by_label("Montant de l'échéance 2").fill("400.32")
    page.get_by_label("Date de l'échéance 2").fill(second.isoformat())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "payment-plan-setup.png"), full_page=True)
    page.get_by_role("button", name="Créer l'échéancier").click()
    page.wait_for_load_state()

    assert "Échéancier mis en place" in page.locator(".messages").inner_text()
    table = page.locator("#payment-plan-instalments")
    assert table.locator("tbody tr").count() == 3
    assert [t.strip() for t in table.locator("tbody td.num").all_inner_texts()] == [
        "600,00\u00a0€", "400,32\u00a0€", "500,18\u00a0€"]
    assert f"{second:%d/%m/%Y}" in table.inner_text()
    assert "FA-101" in page.locator("#payment-plan").inner_text()
    assert "échéancier" in page.locator("#explanation").inner_text()  # the ladder waits for the plan
    plan = PaymentPlan.objects.get(customer=customer)
    assert plan.status == "approved" and plan.total == Decimal("1500.50")
    page.locator("#payment-plan").screenshot(path=str(ARTIFACTS / "customer-payment-plan.png"))
