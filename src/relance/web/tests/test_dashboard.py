from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.ledger.models import Promise
from relance.ledger.services import allocation_add

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_outstanding_and_overdue_totals_and_the_aging(late_customer, victor, client_for):
    response = client_for(victor).get(reverse("dashboard"))
    assert response.status_code == 200
    f = response.context["f"]
    assert (f.receivables, f.overdue) == (Decimal("1500.00"), Decimal("1200.00"))
    assert f.aging["31_60"] == Decimal("1200.00") and f.aging["not_due"] == Decimal("300.00")
    html = response.content.decode()
    assert "1\u202f500,00\u00a0€" in html and "31 à 60 jours" in html


def test_the_chart_data_is_json_read_by_a_static_script_without_inline_code(late_customer, org, victor, client_for,
                                                                             today):
    paid = InvoiceFactory(customer=late_customer, issue_date=today.replace(day=1), total_incl_tax=Decimal("100"))
    allocation_add(org=org, invoice=paid, amount=Decimal("100"), day=today)
    html = client_for(victor).get(reverse("dashboard")).content.decode()
    data = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["aging"]["values"][2] == 1200.0
    assert data["flows"]["collected"][-1] == 100.0 and len(data["flows"]["labels"]) == 12
    assert len(data["dso"]["values"]) == 6
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert "relance/vendor/chart.umd.js" in html and "relance/js/dashboard.js" in html


def test_the_chart_library_is_served_as_a_static_file(client):
    from django.contrib.staticfiles import finders

    assert finders.find("relance/vendor/chart.umd.js") and finders.find("relance/vendor/htmx.min.js")
    assert finders.find("relance/vendor/chart.js-LICENSE.md")


def test_screen_readers_get_the_figures_as_tables(late_customer, victor, client_for):
    html = client_for(victor).get(reverse("dashboard")).content.decode()
    assert 'canvas id="chart-aging" aria-hidden="true"' in html
    assert "<caption>Encours par retard</caption>" in html


def test_promises_due_this_week_and_bounced_emails_are_shown(late_customer, org, victor, client_for, today):
    Promise.objects.create(org=org, customer=late_customer, until=today + timedelta(days=3), recorded_on=today)
    Promise.objects.create(org=org, customer=late_customer, until=today + timedelta(days=30), recorded_on=today)
    ContactFactory(customer=late_customer, email="bounce@x.fr", email_invalid=True)
    response = client_for(victor).get(reverse("dashboard"))
    assert len(response.context["promises"]) == 1
    assert "1 adresse e-mail en échec" in response.content.decode()


def test_actions_awaiting_approval_are_counted(late_customer, org, alice, client_for, today):
    from relance.dunning.models import Action

    Action.objects.create(org=org, customer=late_customer, step="formal_notice", channel="registered_letter",
                          date=today, status="awaiting_approval", amount_due=Decimal("1200.00"))
    response = client_for(alice).get(reverse("dashboard"))
    assert response.context["approvals_count"] == 1
    assert "Tout voir et valider" in response.content.decode()


def test_an_outsider_sees_only_its_own_empty_dashboard(late_customer, charlie, client_for):
    response = client_for(charlie).get(reverse("dashboard"))
    assert response.context["f"].receivables == 0
    assert "Garage Lefèvre" not in response.content.decode()


def test_the_dashboard_query_count_does_not_grow_with_the_ledger(org, plan, alice, client_for, today,
                                                                  django_assert_max_num_queries):
    for i in range(40):
        customer = CustomerFactory(org=org)
        inv = InvoiceFactory(customer=customer, issue_date=today - timedelta(days=3 * i), total_incl_tax=Decimal(100 + i))
        if i % 3 == 0:
            allocation_add(org=org, invoice=inv, amount=Decimal("50"), day=today - timedelta(days=i))
        Promise.objects.create(org=org, customer=customer, until=today + timedelta(days=i % 7), recorded_on=today)
    c = client_for(alice)
    with django_assert_max_num_queries(16):
        assert c.get(reverse("dashboard")).status_code == 200


def test_stale_bank_data_and_missing_rates_are_warned_about(late_customer, victor, client_for, today):
    from relance.legal.models import EcbDecision, RateHalfYear
    from relance.legal.rates import HalfYear
    from relance.legal.services import ecb_decision_add, legal_rate_set

    EcbDecision.objects.all().delete()
    RateHalfYear.objects.all().delete()
    warnings = client_for(victor).get(reverse("dashboard")).context["warnings"]
    assert any("relevé bancaire" in w for w in warnings)
    assert any("taux BCE du" in w and "inconnu" in w for w in warnings)
    ecb_decision_add(effective_date=HalfYear.of(today).first_day, rate=Decimal("2.15"))
    legal_rate_set(kind="legal_pro", start=HalfYear.of(today).first_day, rate=Decimal("3.16"))
    warnings = client_for(victor).get(reverse("dashboard")).context["warnings"]
    assert not any("taux" in w for w in warnings)
