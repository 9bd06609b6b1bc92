from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.services import allocation_add

pytestmark = pytest.mark.django_db
DAY = date(2025, 6, 30)


@pytest.fixture
def ledger(org):
    """The hand-computed ledger of test_kpi_core, in the database."""
    a, c, d = (CustomerFactory(org=org, ref=ref) for ref in ("C010", "C020", "C030"))
    inv_a = InvoiceFactory(customer=a, issue_date=date(2025, 5, 1), due_date=date(2025, 5, 31), total_incl_tax=Decimal("1000"))
    InvoiceFactory(customer=a, issue_date=date(2025, 6, 15), due_date=date(2025, 7, 15), total_incl_tax=Decimal("500"))
    inv_c = InvoiceFactory(customer=c, issue_date=date(2025, 3, 1), due_date=date(2025, 3, 31), total_incl_tax=Decimal("300"))
    InvoiceFactory(customer=d, issue_date=date(2025, 1, 10), due_date=date(2025, 2, 9), total_incl_tax=Decimal("200"))
    InvoiceFactory(customer=d, issue_date=date(2025, 6, 1), total_incl_tax=Decimal("999"), status="cancelled")
    InvoiceFactory(customer=d, issue_date=date(2025, 6, 1), total_incl_tax=Decimal("50"), kind="credit_note")
    allocation_add(org=org, invoice=inv_a, amount=Decimal("400"), day=date(2025, 6, 10))
    allocation_add(org=org, invoice=inv_c, amount=Decimal("300"), day=date(2025, 4, 20))
    return org


def run_kpi(*args: str) -> str:
    out = io.StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_documented_json(ledger):
    doc = json.loads(run_kpi("--date", "2025-06-30", "--json", "--org", "durand"))
    assert doc["receivables"] == "1300.00"
    assert doc["dso"] == "78.0" and doc["dso_countback"] == "55.0" and doc["cei"] == "46.7"
    assert doc["aging"]["over_90"] == "200.00"
    assert doc["payment_delay_by_customer"] == {"C020": "20.0"}


def test_the_command_prints_french_text_by_default(ledger):
    text = run_kpi("--date", "30/06/2025")
    assert "au 30/06/2025" in text
    assert "DSO (méthode comptable)" in text and "78,0 jours" in text
    assert "1\u202f300,00\u00a0€" in text


def test_the_command_refuses_a_bad_date_or_period(org):
    with pytest.raises(CommandError) as exc:
        run_kpi("--period", "0")
    assert exc.value.returncode == 2 and "--period" in str(exc.value)
    with pytest.raises(CommandError):
        run_kpi("--date", "31/02/2025")


def test_a_user_outside_the_organisation_cannot_read_its_figures(ledger, charlie):
    with pytest.raises(CommandError) as exc:
        run_kpi("--org", "durand", "--user", charlie.email)
    assert exc.value.returncode == 2


@pytest.mark.parametrize("persona", ["alice", "bob", "victor"])
def test_every_member_sees_the_kpi_page(ledger, persona, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(reverse("analytics:kpi"), {"date": "2025-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Efficacité du recouvrement (CEI)" in html and "46,7 %" in html


def test_an_outsider_gets_its_own_empty_figures(ledger, charlie, client_for):
    response = client_for(charlie).get(reverse("analytics:kpi"), {"date": "2025-06-30"})
    assert response.context["report"].receivables == 0


def test_a_bad_date_on_the_page_says_why(ledger, victor, client_for):
    response = client_for(victor).get(reverse("analytics:kpi"), {"date": "hier"})
    assert response.status_code == 200 and "date illisible" in response.content.decode()


def test_the_help_page_gives_the_formulas(victor, client_for):
    html = client_for(victor).get(reverse("analytics:help")).content.decode()
    assert "DSO = encours / CA facturé sur la période × P" in html and "variante standard" in html


def test_the_csv_export_opens_in_french_excel(ledger, victor, client_for):
    response = client_for(victor).get(reverse("analytics:csv"), {"date": "2025-06-30"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffIndicateur;Valeur")
    assert "DSO (méthode comptable);78,0;jours;2025-06-30;90" in text
    assert "C020;" in text


def test_the_xlsx_export_has_numbers_not_text(ledger, victor, client_for):
    response = client_for(victor).get(reverse("analytics:xlsx"), {"date": "2025-06-30"})
    wb = load_workbook(io.BytesIO(response.content))
    rows = {r[0]: r[1] for r in wb["Indicateurs"].iter_rows(values_only=True) if r and r[0]}
    assert rows["Encours clients"] == 1300 and rows["DSO (méthode comptable)"] == 78
    assert wb.sheetnames == ["Indicateurs", "Étapes", "Délais par client"]


def test_anonymous_visitors_must_log_in(client):
    assert client.get(reverse("analytics:csv")).status_code == 302


def test_reminders_and_steps_come_from_the_dunning_actions(ledger):
    from relance.dunning.models import Action, ActionInvoice
    from relance.ledger.models import Customer, Invoice

    inv_c = Invoice.objects.get(customer__ref="C020")
    customer = Customer.objects.get(ref="C020")
    for step, channel, day, status in [("reminder_1", "email", date(2025, 4, 8), "sent"),
                                       ("reminder_2", "email", date(2025, 4, 18), "sent"),
                                       ("reminder_2", "sms", date(2025, 4, 18), "sent"),
                                       ("call", "phone", date(2025, 4, 19), "task"),
                                       ("reminder_3", "letter", date(2025, 4, 19), "cancelled")]:
        action = Action.objects.create(org=ledger, customer=customer, step=step, channel=channel, date=day,
                                       status=status, carried_out_on=day, amount_due=Decimal("300"))
        ActionInvoice.objects.create(action=action, invoice=inv_c, amount=Decimal("300"))
    doc = json.loads(run_kpi("--date", "2025-06-30", "--json"))
    assert doc["reminders_before_payment"] == "3.0"  # the call is a task, the cancelled letter never went
    assert [(s["step"], s["invoices"], s["paid_within_7_days"]) for s in doc["steps"]] == [
        ("reminder_1", 1, 0), ("reminder_2", 1, 1), ("call", 1, 1)]


def test_the_command_speaks_french_even_after_an_english_request(ledger):
    from django.utils import translation

    translation.activate("en")
    try:
        assert "DSO (méthode comptable)" in run_kpi("--date", "2025-06-30")
    finally:
        translation.activate("fr")


def test_the_kpi_page_reads_the_ledger_in_a_few_queries(org, victor, client_for, django_assert_max_num_queries):
    for i in range(40):
        invoice = InvoiceFactory(customer=CustomerFactory(org=org), issue_date=date(2025, 4, 1 + i % 28),
                                 total_incl_tax=Decimal("100"))
        if i % 2:
            allocation_add(org=org, invoice=invoice, amount=Decimal("100"), day=date(2025, 6, 1))
    c = client_for(victor)
    with django_assert_max_num_queries(10):
        response = c.get(reverse("analytics:kpi"), {"date": "2025-06-30"})
    assert response.context["report"].receivables == Decimal("2000.00")
