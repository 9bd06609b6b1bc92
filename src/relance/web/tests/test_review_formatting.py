"""Product review: amounts the French way and ladder steps by their labels on the staff pages.

The timeline's dunning events, the dispute drop-down and the payment-plan rows read "4 323,36 €" (not
"4323.36 EUR"); "Prochaine étape" names the step ("rappel avant échéance", not "pre_due") and leaves the
rule numbers to the `dunning explain` command."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.activity.models import Event
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.dunning import services as dunning
from relance.ledger.models import Invoice
from relance.portal.models import PaymentPlan
from relance.web.selectors import staff_explanation

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 23)  # a business day in France
NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture
def big_late(org, plan):
    """A customer with one invoice of 4 323,36 € forty days late (a first reminder is due)."""
    customer = CustomerFactory(org=org, name="Garage Lefèvre", ref="C-LEF")
    ContactFactory(customer=customer, email="compta@lefevre.fr")
    InvoiceFactory(customer=customer, number="FA-BIG", issue_date=MONDAY - timedelta(days=70),
                   due_date=MONDAY - timedelta(days=40), total_incl_tax=Decimal("4323.36"))
    return customer


def _explanation(html: str) -> str:
    found = re.search(r'<p id="explanation">(.*?)</p>', html, re.S)
    assert found, "no explanation on the page"
    return found.group(1)


def test_the_timeline_shows_the_amount_of_a_dunning_action_in_french(org, big_late, victor, client_for):
    dunning.dunning_run(org=org, today=MONDAY)
    event = Event.objects.get(customer=big_late, type="dunning_action")
    assert event.message.endswith(f"— 4{NNBSP}323,36{NBSP}€")  # stored the French way
    html = client_for(victor).get(reverse("customer_detail", args=[big_late.pk])).content.decode()
    assert f"— 4{NNBSP}323,36{NBSP}€" in html
    # an event stored by an earlier version ("— 4323.36 EUR") is shown the French way too
    Event.objects.filter(pk=event.pk).update(message=event.message.replace(f"4{NNBSP}323,36{NBSP}€", "4323.36 EUR"))
    html = client_for(victor).get(reverse("customer_detail", args=[big_late.pk])).content.decode()
    assert f"— 4{NNBSP}323,36{NBSP}€" in html
    assert "4323.36 EUR" not in html


def test_a_timeline_message_that_does_not_end_with_the_action_amount_is_shown_as_stored(org, big_late, victor,
                                                                                          client_for):
    dunning.dunning_run(org=org, today=MONDAY)
    event = Event.objects.get(customer=big_late, type="dunning_action")
    Event.objects.filter(pk=event.pk).update(message="Relance — 99.00 EUR")  # not the action's amount
    html = client_for(victor).get(reverse("customer_detail", args=[big_late.pk])).content.decode()
    assert "Relance — 99.00 EUR" in html


def test_the_dispute_and_call_drop_downs_show_french_amounts(org, plan, bob, client_for):
    customer = CustomerFactory(org=org, name="Boulangerie", ref="C-BOU")
    InvoiceFactory(customer=customer, number="FA-1079", total_incl_tax=Decimal("1079.40"))
    html = client_for(bob).get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert html.count(f">FA-1079 — 1{NNBSP}079,40{NBSP}€</option>") == 2  # call form and dispute form
    assert "1079.40 €" not in html


def test_the_explanation_names_the_step_and_drops_the_rule_number(org, plan):
    customer = CustomerFactory(org=org, name="Soon", ref="C-SOON")
    ContactFactory(customer=customer, email="a@soon.fr")
    invoice = InvoiceFactory(customer=customer, number="FA-SOON", issue_date=MONDAY - timedelta(days=5),
                             due_date=MONDAY + timedelta(days=25), total_incl_tax=Decimal("300.00"))
    raw = dunning.dunning_explain(org=org, invoice=invoice, today=MONDAY).text
    assert "« pre_due »" in raw and "(règle 3)" in raw  # the CLI's words
    shown = staff_explanation(raw)
    assert "« rappel avant échéance »" in shown
    assert "pre_due" not in shown and "règle" not in shown
    assert shown.startswith("Facture FA-SOON, le 23/11/2026 : ne reçoit pas d'étape — prochaine étape")


def test_an_invoice_already_dunned_today_reads_without_rule_13(org, big_late):
    dunning.dunning_run(org=org, today=MONDAY)
    invoice = Invoice.objects.get(number="FA-BIG")
    raw = dunning.dunning_explain(org=org, invoice=invoice, today=MONDAY).text
    assert "(règle 13)" in raw
    assert staff_explanation(raw) == raw.replace(" (règle 13)", "")


def test_a_grouped_step_and_its_channels_are_named_in_french():
    raw = ("Facture F1, le 23/11/2026 : reçoit une étape (règle 3) — étape « reminder_1 » due : déclenchement le "
           "20/11/2026 (l'étape « pre_due » +5 j). Regroupée dans l'étape « formal_notice » du client (la plus "
           "avancée du jour, règle 5), via email, registered_letter ; elle avance d'une étape.")
    shown = staff_explanation(raw)
    assert shown == ("Facture F1, le 23/11/2026 : reçoit une étape — étape « première relance » due : "
                     "déclenchement le 20/11/2026 (l'étape « rappel avant échéance » +5 j). Regroupée dans "
                     "l'étape « mise en demeure » du client (la plus avancée du jour), via e-mail, lettre "
                     "recommandée ; elle avance d'une étape.")


def test_the_customer_and_invoice_pages_show_no_rule_number_nor_step_code(late_customer, victor, client_for):
    client = client_for(victor)
    customer_html = client.get(reverse("customer_detail", args=[late_customer.pk])).content.decode()
    invoice = Invoice.objects.get(number="FA-LATE")
    invoice_html = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    for text in (_explanation(customer_html), _explanation(invoice_html)):
        assert "FA-LATE" in text
        assert "règle" not in text
        assert not re.search(r"« [a-z0-9]+_[a-z0-9_]+ »", text), text


def test_the_payment_plan_rows_show_and_read_french_amounts(org, plan, bob, client_for):
    customer = CustomerFactory(org=org, name="Traiteur", ref="C-TRA")
    InvoiceFactory(customer=customer, number="FA-5131", total_incl_tax=Decimal("5131.02"))
    url = reverse("customer_plan_new", args=[customer.pk])
    html = client_for(bob).get(url).content.decode()
    values = re.findall(r'name="ech-\d+-amount" value="([^"]*)"', html) or \
        re.findall(r'value="([^"]*)"[^>]*name="ech-\d+-amount"', html)
    assert values == [f"1{NNBSP}710,34"] * 3
    assert "1710.34" not in html
    invoice = Invoice.objects.get(number="FA-5131")
    first = MONDAY + timedelta(days=30)
    data = {"invoices": [str(invoice.pk)], "count": "3", "first_date": first.isoformat(), "note": "",
            "do": "create", "ech-TOTAL_FORMS": "3", "ech-INITIAL_FORMS": "3", "ech-MIN_NUM_FORMS": "0",
            "ech-MAX_NUM_FORMS": "36"}
    for n, amount in enumerate([f"1{NNBSP}710,34", "1 710,34", "1710.34"]):
        data[f"ech-{n}-due_date"] = (first + timedelta(days=30 * n)).isoformat()
        data[f"ech-{n}-amount"] = amount
    response = client_for(bob).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan_made = PaymentPlan.objects.get(customer=customer)
    assert list(plan_made.instalments.values_list("amount", flat=True)) == [Decimal("1710.34")] * 3


def test_an_unreadable_plan_amount_is_refused(org, plan, bob, client_for):
    customer = CustomerFactory(org=org, name="Traiteur", ref="C-TRA")
    invoice = InvoiceFactory(customer=customer, number="FA-1", total_incl_tax=Decimal("100.00"))
    first = MONDAY + timedelta(days=30)
    data = {"invoices": [str(invoice.pk)], "count": "1", "first_date": first.isoformat(), "note": "",
            "do": "create", "ech-TOTAL_FORMS": "1", "ech-INITIAL_FORMS": "1", "ech-MIN_NUM_FORMS": "0",
            "ech-MAX_NUM_FORMS": "36", "ech-0-due_date": first.isoformat(), "ech-0-amount": "cent euros"}
    response = client_for(bob).post(reverse("customer_plan_new", args=[customer.pk]), data)
    assert response.status_code == 400 and not PaymentPlan.objects.filter(customer=customer).exists()
