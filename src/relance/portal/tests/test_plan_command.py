"""relance plan create | list | cancel — the command-line face of the customer page's payment plans: output,
JSON shape, exit code 2 with a French message and nothing changed on bad input, roles (the personas of
STYLE.md: Alice owner, Bob collector, Victor viewer, Charlie outsider)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relance.activity.models import Event
from relance.core.dates import add_months
from relance.core.errors import ApplicationError
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.core.money import format_eur
from relance.dunning.services import dispute_open
from relance.ledger.models import Allocation
from relance.portal.models import Instalment, PaymentPlan
from relance.portal.plans import payment_plan_create, plan_list

pytestmark = pytest.mark.django_db
M = Decimal


def relance(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> tuple:
    """Everything a plan command may write."""
    return (list(PaymentPlan.objects.order_by("pk").values_list("pk", "status", "ended_on")),
            list(Instalment.objects.order_by("pk").values_list("plan_id", "seq", "due_date", "amount")),
            Event.objects.count())


def refused(*args: str) -> str:
    """Runs a command that must be refused: exit code 2, nothing written on stdout, nothing changed."""
    before, out = snapshot(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=out, stderr=StringIO())
    assert info.value.returncode == 2
    assert out.getvalue() == ""
    assert snapshot() == before
    return str(info.value)


@pytest.fixture
def day(today):
    return today.isoformat()


@pytest.fixture
def plan(org, customer, invoices, today, alice):
    return payment_plan_create(org=org, customer=customer, invoices=invoices, today=today, actor=alice,
                               instalments=[(today + timedelta(days=10), M("750.25")),
                                            (today + timedelta(days=40), M("750.25"))])


@pytest.fixture
def foreign_plan(other_org, today):
    stranger = CustomerFactory(org=other_org, ref="C-MARTIN", name="Homonyme SA")
    inv = InvoiceFactory(customer=stranger, number="FA-101", total_incl_tax=M("90.00"))
    return payment_plan_create(org=other_org, customer=stranger, invoices=[inv], today=today,
                               instalments=[(today + timedelta(days=5), M("90.00"))])


# --- create ----------------------------------------------------------------------------------------------


def test_create_splits_every_open_invoice_into_equal_monthly_instalments(org, customer, invoices, bob, today, day):
    first = today + timedelta(days=15)
    out = relance("plan", "create", "C-MARTIN", "--instalments", "3", "--first", first.isoformat(),
                  "--date", day, "--user", "bob@durand.fr")
    plan = PaymentPlan.objects.get()
    assert plan.status == PaymentPlan.Status.APPROVED and plan.total == M("1500.50")
    assert plan.decided_by == bob and plan.source == PaymentPlan.Source.STAFF
    assert sorted(plan.invoices.values_list("number", flat=True)) == ["FA-101", "FA-102"]
    assert list(plan.instalments.order_by("seq").values_list("due_date", "amount")) == [
        (first, M("500.16")), (add_months(first, 1), M("500.16")), (add_months(first, 2), M("500.18"))]
    assert out.startswith(f"Échéancier n°{plan.pk} mis en place pour C-MARTIN : 3 échéance(s) pour "
                          f"{format_eur(M('1500.50'))} (500,16\xa0€ le {first:%d/%m/%Y}; ")
    assert "factures FA-101, FA-102" in out
    event = Event.objects.get(type="payment_plan_created")
    assert event.customer == customer and event.data["plan_id"] == plan.pk


def test_create_starts_one_month_after_the_recording_day_by_default(org, customer, invoices, today, day):
    relance("plan", "create", "C-MARTIN", "--instalments", "2", "--date", day)
    assert list(Instalment.objects.order_by("seq").values_list("due_date", flat=True)) == [
        add_months(today, 1), add_months(today, 2)]


def test_create_takes_its_own_dates_and_amounts_for_chosen_invoices(org, customer, invoices, today, day):
    d1, d2 = today + timedelta(days=3), today + timedelta(days=20)
    out = relance("plan", "create", "C-MARTIN", "--invoices", "FA-102", "--due", d1.isoformat(), "100",
                  "--due", d2.strftime("%d/%m/%Y"), "200,50", "--note", "accord au téléphone", "--date", day,
                  "--json")
    plan = PaymentPlan.objects.get()
    assert list(plan.invoices.values_list("number", flat=True)) == ["FA-102"]
    assert plan.decision_note == "accord au téléphone"
    assert json.loads(out) == {
        "id": plan.pk, "customer": "C-MARTIN", "customer_name": "Boulangerie Martin", "status": "approved",
        "source": "staff", "invoices": ["FA-102"], "total": "300.50", "paid": "0.00", "remaining": "300.50",
        "instalments": 2, "instalments_paid": 0,
        "next_due": {"seq": 1, "due_date": d1.isoformat(), "amount": "100.00", "remaining": "100.00",
                     "status": "due", "paid_on": None},
        "schedule": [
            {"seq": 1, "due_date": d1.isoformat(), "amount": "100.00", "remaining": "100.00", "status": "due",
             "paid_on": None},
            {"seq": 2, "due_date": d2.isoformat(), "amount": "200.50", "remaining": "200.50", "status": "due",
             "paid_on": None}],
        "requested_on": day, "ended_on": None}


def test_an_invoice_named_twice_counts_once(org, customer, invoices, day):
    relance("plan", "create", "C-MARTIN", "--invoices", "FA-102, FA-102", "--instalments", "1", "--date", day)
    assert PaymentPlan.objects.get().total == M("300.50")


# --- list ------------------------------------------------------------------------------------------------


def test_list_shows_status_amounts_and_next_instalment(org, customer, invoices, plan, today, day):
    Allocation.objects.create(org=org, invoice=invoices[0], source="accounting", amount=M("800.00"), date=today)
    out = relance("plan", "list", "--date", day)
    second = today + timedelta(days=40)
    assert out == (f"n°{plan.pk}  C-MARTIN (Boulangerie Martin) — en cours — 1/2 échéance(s) payée(s) — total "
                   f"1\u202f500,50\xa0€, payé 800,00\xa0€, reste dû 700,50\xa0€ — prochaine : n°2 le "
                   f"{second:%d/%m/%Y}, 700,50\xa0€ (à venir) — factures FA-101, FA-102\n")


def test_list_json_gives_each_plan_with_its_schedule(org, customer, invoices, plan, today, day):
    Allocation.objects.create(org=org, invoice=invoices[0], source="accounting", amount=M("800.00"), date=today)
    data = json.loads(relance("plan", "list", "C-MARTIN", "--date", day, "--json"))
    assert data["date"] == day and len(data["plans"]) == 1
    row = data["plans"][0]
    assert {k: row[k] for k in ("id", "customer", "status", "total", "paid", "remaining", "instalments",
                                "instalments_paid")} == {
        "id": plan.pk, "customer": "C-MARTIN", "status": "approved", "total": "1500.50", "paid": "800.00",
        "remaining": "700.50", "instalments": 2, "instalments_paid": 1}
    assert row["next_due"]["seq"] == 2 and row["next_due"]["remaining"] == "700.50"
    assert [(s["status"], s["paid_on"]) for s in row["schedule"]] == [("paid", day), ("due", None)]


def test_list_shows_ended_plans_without_a_next_instalment_and_portal_requests(org, customer, invoices, plan,
                                                                               today, day):
    relance("plan", "cancel", str(plan.pk), "--date", day)
    request = PaymentPlan.objects.create(org=org, customer=customer, instalments_requested=4, total=M("300.50"),
                                         first_date=today + timedelta(days=30), requested_on=today)
    request.invoices.set([invoices[1]])
    lines = relance("plan", "list", "--date", day).splitlines()
    assert lines[0].startswith(f"n°{plan.pk}  C-MARTIN (Boulangerie Martin) — annulé le {today:%d/%m/%Y} — "
                               f"0/2 échéance(s) payée(s)")
    assert "prochaine" not in lines[0]
    assert lines[1] == (f"n°{request.pk}  C-MARTIN (Boulangerie Martin) — demandé — demande de 4 mensualité(s) à "
                        f"partir du {today + timedelta(days=30):%d/%m/%Y} pour 300,50\xa0€ — factures FA-102")
    data = json.loads(relance("plan", "list", "--date", day, "--json"))
    assert [(p["status"], p["next_due"], p["ended_on"]) for p in data["plans"]] == [
        ("cancelled", None, day), ("requested", None, None)]


def test_list_sees_only_the_organisation_and_the_customer_asked(org, customer, invoices, plan, foreign_plan, day):
    other = CustomerFactory(org=org, ref="C-DUPONT")
    assert [p["id"] for p in json.loads(relance("plan", "list", "--org", "durand", "--json"))["plans"]] == [
        plan.pk]
    assert relance("plan", "list", "C-DUPONT", "--org", "durand") == "Aucun échéancier pour C-DUPONT.\n"
    assert json.loads(relance("plan", "list", other.ref, "--org", "durand", "--json"))["plans"] == []


# --- cancel ----------------------------------------------------------------------------------------------


def test_cancel_ends_the_plan_and_the_ladder_resumes(org, customer, invoices, plan, bob, today):
    later = today + timedelta(days=2)
    out = relance("plan", "cancel", str(plan.pk), "--date", later.isoformat(), "--reason", "client injoignable",
                  "--user", "bob@durand.fr")
    assert out == f"Échéancier n°{plan.pk} de C-MARTIN annulé : la relance reprend pour ses factures impayées.\n"
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.CANCELLED and plan.ended_on == later
    event = Event.objects.get(type="payment_plan_cancelled")
    assert event.actor == bob and "client injoignable" in event.message


def test_cancel_json(org, plan, day):
    assert json.loads(relance("plan", "cancel", str(plan.pk), "--date", day, "--json")) == {
        "id": plan.pk, "customer": "C-MARTIN", "status": "cancelled", "ended_on": day}


# --- bad input: exit 2, a French message, nothing changed --------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["UNKNOWN", "--instalments", "3"], "Client inconnu : UNKNOWN"),
    (["C-MARTIN", "--instalments", "3", "--invoices", "FA-999"], "Facture inconnue : FA-999"),
    (["C-MARTIN", "--instalments", "37"], "Un échéancier compte de 1 à 36 échéances."),
    (["C-MARTIN", "--instalments", "0"], "Un échéancier compte de 1 à 36 échéances."),
    (["C-MARTIN", "--due", "2020-01-15", "1500.50"], "la date du 15/01/2020 est déjà passée"),
    (["C-MARTIN", "--due", "2099-02-30", "1500.50"], "--due : date illisible"),
    (["C-MARTIN", "--due", "2099-01-15", "douze"], "--due : montant illisible"),
    (["C-MARTIN", "--due", "2099-01-15", "1500.505"], "au centime près"),
    (["C-MARTIN", "--due", "2099-01-15", "1000"], "doit être égale au reste dû"),
    (["C-MARTIN", "--due", "2099-02-15", "500", "--due", "2099-01-15", "1000.50"], "les dates doivent se suivre"),
    (["C-MARTIN", "--due", "2099-01-15", "1500.50", "--first", "2099-01-15"], "--first ne s'emploie qu'avec"),
])
def test_create_refuses_bad_input(org, customer, invoices, day, args, message):
    assert message in refused("plan", "create", *args, "--date", day)


def test_create_refuses_a_first_instalment_before_the_recording_day(org, customer, invoices, today):
    message = refused("plan", "create", "C-MARTIN", "--instalments", "2", "--first",
                      (today - timedelta(days=1)).isoformat(), "--date", today.isoformat())
    assert "est déjà passée" in message


def test_create_refuses_a_second_plan_a_disputed_or_foreign_invoice(org, other_org, customer, invoices, plan,
                                                                    foreign_plan, today, day):
    assert "a déjà un échéancier en cours" in refused("plan", "create", "C-MARTIN", "--instalments", "2",
                                                        "--org", "durand", "--date", day)
    relance("plan", "cancel", str(plan.pk), "--org", "durand", "--date", day)
    dispute_open(org=org, invoice=invoices[1], reason="montant erroné", today=today)
    assert "La facture FA-102 ne peut pas entrer dans l'échéancier" in refused(
        "plan", "create", "C-MARTIN", "--invoices", "FA-102", "--instalments", "1", "--org", "durand", "--date", day)
    neighbour = CustomerFactory(org=org, ref="C-DUPONT")
    InvoiceFactory(customer=neighbour, number="FA-201")
    assert "La facture FA-201 ne peut pas entrer" in refused(
        "plan", "create", "C-MARTIN", "--invoices", "FA-201", "--instalments", "1", "--org", "durand", "--date", day)
    # the other organisation's customer and invoice of the same names are never reached
    assert "Facture inconnue : FA-999" in refused("plan", "create", "C-MARTIN", "--invoices", "FA-999",
                                                   "--instalments", "1", "--org", "durand", "--date", day)


def test_create_refuses_when_nothing_is_left_to_plan(org, customer, invoices, plan, day):
    relance("plan", "cancel", str(plan.pk), "--date", day)
    for inv in invoices:
        Allocation.objects.create(org=org, invoice=inv, source="accounting", amount=inv.total_incl_tax,
                                  date=plan.requested_on)
    assert "Choisissez au moins une facture." in refused("plan", "create", "C-MARTIN", "--instalments", "2",
                                                         "--date", day)


def test_cancel_refuses_unknown_foreign_and_already_ended_plans(org, plan, foreign_plan, day):
    assert "Échéancier introuvable." in refused("plan", "cancel", "999999", "--org", "durand", "--date", day)
    assert "Échéancier introuvable." in refused("plan", "cancel", str(foreign_plan.pk), "--org", "durand",
                                                "--date", day)
    relance("plan", "cancel", str(plan.pk), "--org", "durand", "--date", day)
    assert "n'est pas en cours (statut : annulé)" in refused("plan", "cancel", str(plan.pk), "--org", "durand",
                                                             "--date", day)
    foreign_plan.refresh_from_db()
    assert foreign_plan.status == PaymentPlan.Status.APPROVED


def test_list_refuses_an_unknown_customer(org, plan, foreign_plan):
    assert "Client inconnu : C-NOBODY" in refused("plan", "list", "C-NOBODY", "--org", "durand")


def test_several_organisations_need_org(org, plan, foreign_plan):
    assert "précisez --org" in refused("plan", "list")


def test_the_real_script_exits_2_on_an_unreadable_date(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relance.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}"}
    done = subprocess.run([sys.executable, "-m", "relance.cli", "plan", "create", "C-MARTIN", "--instalments", "3",
                           "--first", "2026-13-01"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "date illisible" in done.stderr and done.stdout == ""


def test_the_date_option_is_checked_in_process_too(org, customer, invoices):
    before = snapshot()
    with pytest.raises(CommandError, match="date illisible"):
        relance("plan", "cancel", "1", "--date", "31/02/2026")
    assert snapshot() == before


# --- roles ------------------------------------------------------------------------------------------------


def test_a_viewer_may_list_but_neither_create_nor_cancel(org, customer, invoices, plan, victor, day):
    assert "n'a pas le droit" in refused("plan", "create", "C-MARTIN", "--instalments", "2", "--date", day,
                                         "--user", "victor@durand.fr")
    assert "n'a pas le droit" in refused("plan", "cancel", str(plan.pk), "--date", day,
                                         "--user", "victor@durand.fr")
    assert f"n°{plan.pk}  C-MARTIN" in relance("plan", "list", "--user", "victor@durand.fr")


def test_an_outsider_may_not_even_list(org, plan, charlie):
    assert "charlie@concurrent.fr n'a pas le droit" in refused("plan", "list", "--org", "durand",
                                                               "--user", "charlie@concurrent.fr")


def test_listing_costs_the_same_few_queries_for_one_plan_or_many(org, customer, invoices, plan, today,
                                                                 django_assert_num_queries):
    with django_assert_num_queries(4):
        assert len(plan_list(org=org, today=today)) == 1
    for n in range(3):
        other = CustomerFactory(org=org, ref=f"C-{n}")
        inv = InvoiceFactory(customer=other, number=f"FA-9{n}", total_incl_tax=M("100.00"))
        payment_plan_create(org=org, customer=other, invoices=[inv], today=today,
                            instalments=[(today + timedelta(days=5), M("100.00"))])
        Allocation.objects.create(org=org, invoice=inv, source="accounting", amount=M("40.00"), date=today)
    with django_assert_num_queries(4):
        rows = plan_list(org=org, today=today)
    assert [(r.plan.customer.ref, r.paid) for r in rows] == [
        ("C-0", M("40.00")), ("C-1", M("40.00")), ("C-2", M("40.00")), ("C-MARTIN", M("0.00"))]


def test_an_invoice_named_twice_counts_once_in_the_service(org, customer, invoices, today, alice):
    """The service itself (not only the command) takes an invoice named twice once: the instalments must sum to
    what it owes, not twice that."""
    fa101 = invoices[0]
    with pytest.raises(ApplicationError) as twice:
        payment_plan_create(org=org, customer=customer, invoices=[fa101, fa101], today=today, actor=alice,
                            instalments=[(today + timedelta(days=10), M("2400.00"))])
    assert f"choisies ({format_eur(M('1200.00'))})" in str(twice.value)
    plan = payment_plan_create(org=org, customer=customer, invoices=[fa101, fa101], today=today, actor=alice,
                               instalments=[(today + timedelta(days=10), M("1200.00"))])
    assert list(plan.invoices.values_list("number", flat=True)) == ["FA-101"]
    assert sum(i.amount for i in plan.instalments.all()) == M("1200.00")
