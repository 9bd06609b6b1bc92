"""/banque/encaissements/: the period inputs carry ISO dates, which <input type="date"> requires."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.banking.forms import PeriodForm
from relance.banking.services import bank_import
from relance.banking.tests.builders import camt053, credit
from relance.core.dates import local_today
from relance.core.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def _input_value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input named {name}"
    assert 'type="date"' in tag.group(0)
    value = re.search(r'value="([^"]*)"', tag.group(0))
    assert value, f"input {name} has no value"
    return value.group(1)


def test_the_default_period_is_rendered_as_iso_dates(victor, client_for):
    html = client_for(victor).get(reverse("banking:report")).content.decode()
    today = local_today()
    assert _input_value(html, "start") == today.replace(day=1).isoformat()
    assert _input_value(html, "end") == today.isoformat()


def test_a_chosen_period_is_rendered_back_as_iso_dates(victor, client_for):
    html = client_for(victor).get(reverse("banking:report"),
                                  {"start": "2026-11-01", "end": "2026-11-30"}).content.decode()
    assert _input_value(html, "start") == "2026-11-01"
    assert _input_value(html, "end") == "2026-11-30"
    assert "01/11/2026" not in html


def test_the_form_widget_formats_a_date_object_in_iso():
    form = PeriodForm(initial={"start": date(2026, 11, 1), "end": date(2026, 11, 5)})
    assert 'value="2026-11-01"' in str(form["start"]) and 'value="2026-11-05"' in str(form["end"])


def test_the_report_shows_french_amounts_and_a_total(org, victor, client_for):
    customer = CustomerFactory(org=org, ref="C1", name="Garage")
    InvoiceFactory(customer=customer, number="FA-2025-0001", total_incl_tax=Decimal("4323.36"))
    bank_import(org=org, paths=[("r.xml", camt053(credit("4323.36", ref="R1", remittance="FA-2025-0001",
                                                         day="2025-03-03")))], today=date(2025, 3, 15))
    html = client_for(victor).get(reverse("banking:report"),
                                  {"start": "2025-03-01", "end": "2025-03-31"}).content.decode()
    assert "4\u202f323,36\u00a0€" in html and "4323.36" not in html
    assert "<tfoot>" in html
