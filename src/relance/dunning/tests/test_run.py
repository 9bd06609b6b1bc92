"""The daily run against the database: actions, ladder marks, events, tasks, idempotence, set-based loading."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relance.accounts.services import organisation_create
from relance.activity.models import Event, Task
from relance.core.errors import ApplicationError
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.dunning.models import Action, DunningRun, LadderMark, Plan
from relance.dunning.services import dunning_explain, dunning_run
from relance.ledger.models import Allocation

D = date.fromisoformat
pytestmark = pytest.mark.django_db


def debtor(org, *, email=True, phone="+33612345678", **kw):
    customer = CustomerFactory(org=org, **kw)
    if email or phone:
        ContactFactory(customer=customer, email=f"compta-{customer.ref.lower()}@client.fr" if email else "",
                       phone=phone)
    return customer


def invoice(customer, due="2025-03-03", amount="1200.00", **kw):
    return InvoiceFactory(customer=customer, due_date=D(due), issue_date=D("2025-02-01"),
                          total_incl_tax=Decimal(amount), **kw)


def test_a_run_sends_the_first_reminder_and_records_the_ladder(org):
    customer = debtor(org, ref="C001")
    fa = invoice(customer, number="FA-001")
    result = dunning_run(org=org, today=D("2025-03-10"))
    assert [(a["customer"], a["step"], a["channel"], a["status"], a["invoices"], a["amount_due"])
            for a in result.actions] == [("C001", "reminder_1", "email", "sent", ["FA-001"], "1200.00")]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.contacts.get().email]
    assert "FA-001" in message.body and "1\u202f200,00\u00a0€" in message.body
    assert LadderMark.objects.get(invoice=fa).step == "reminder_1"
    assert Event.objects.filter(customer=customer, type="dunning_action").count() == 1


def test_rerunning_the_same_day_changes_nothing_and_sends_nothing(org):
    invoice(debtor(org))
    dunning_run(org=org, today=D("2025-03-10"))
    again = dunning_run(org=org, today=D("2025-03-10"))
    assert again.actions == [] and len(mail.outbox) == 1
    assert Action.objects.count() == 1 and LadderMark.objects.count() == 1


def test_a_run_before_the_last_real_run_is_refused_and_a_dry_run_changes_nothing(org):
    invoice(debtor(org))
    dunning_run(org=org, today=D("2025-03-10"))
    with pytest.raises(ApplicationError, match="10/03/2025"):
        dunning_run(org=org, today=D("2025-03-07"))
    dry = dunning_run(org=org, today=D("2025-03-24"), dry_run=True)
    assert [(a["step"], a["status"], a["id"]) for a in dry.actions] == [("reminder_2", "queued", None),
                                                                      ("reminder_2", "queued", None)]
    assert Action.objects.count() == 1 and DunningRun.objects.filter(dry_run=False).count() == 1


def test_a_dry_run_writes_and_sends_nothing(org):
    invoice(debtor(org))
    result = dunning_run(org=org, today=D("2025-03-10"), dry_run=True)
    assert [a["step"] for a in result.actions] == ["reminder_1"]
    assert Action.objects.count() == 0 and LadderMark.objects.count() == 0 and mail.outbox == []


def test_a_paid_invoice_gets_nothing(org):
    fa = invoice(debtor(org))
    Allocation.objects.create(org=org, invoice=fa, source="accounting", amount=fa.total_incl_tax,
                              date=D("2025-03-05"))
    assert dunning_run(org=org, today=D("2025-03-10")).actions == []


def test_the_call_step_creates_a_phone_task_with_a_script(org, alice):
    customer = debtor(org, ref="C002", account_manager=alice)
    fa = invoice(customer, number="FA-002")
    for step, day in (("reminder_1", "2025-03-10"), ("reminder_2", "2025-03-24")):
        LadderMark.objects.create(org=org, customer=customer, invoice=fa, step=step, day=D(day))
    result = dunning_run(org=org, today=D("2025-03-31"))
    assert [(a["step"], a["channel"], a["status"]) for a in result.actions] == [("call", "phone", "task")]
    task = Task.objects.get(kind="call")
    assert task.assignee == alice and "FA-002" in task.body and "06 12 34 56 78" in task.body  # printed nationally


def test_without_email_the_reminder_becomes_a_letter_and_a_contact_task(org):
    customer = debtor(org, ref="C003", email=False)
    invoice(customer)
    result = dunning_run(org=org, today=D("2025-03-10"))
    assert [(a["step"], a["channel"], a["status"]) for a in result.actions] == [
        ("reminder_1", "letter", "sent"), ("complete_contact", "task", "task")]
    assert Task.objects.filter(customer=customer, kind="contact").count() == 1
    assert any("C003" in w and "courrier" in w for w in result.warnings)


def test_grouping_lists_every_overdue_invoice_in_one_email(org):
    customer = debtor(org, ref="C004")
    invoice(customer, number="FA-10", due="2025-03-03")
    invoice(customer, number="FA-11", due="2025-03-06", amount="300.00")
    invoice(customer, number="FA-12", due="2025-04-30")  # not yet due: not listed
    result = dunning_run(org=org, today=D("2025-03-10"))
    assert [(a["step"], a["invoices"], a["amount_due"]) for a in result.actions] == [
        ("reminder_1", ["FA-10", "FA-11"], "1500.00")]
    assert set(LadderMark.objects.values_list("invoice__number", "step")) == {("FA-10", "reminder_1"),
                                                                              ("FA-11", "reminder_1")}


def test_another_organisation_is_never_touched(org, other_org):
    invoice(debtor(org))
    theirs = invoice(debtor(other_org))
    dunning_run(org=org, today=D("2025-03-10"))
    assert not Action.objects.filter(org=other_org).exists()
    assert not LadderMark.objects.filter(invoice=theirs).exists()


def test_loading_the_day_is_set_based_not_a_query_per_invoice(org):
    def queries(n_customers: int) -> int:
        for _ in range(n_customers):
            customer = debtor(org)
            for _ in range(3):
                invoice(customer)
        with CaptureQueriesContext(connection) as ctx:
            dunning_run(org=org, today=D("2025-03-10"), dry_run=True)
        return len(ctx.captured_queries)

    assert queries(2) == queries(20)


def test_explain_says_why_in_french_with_the_rule_and_dates(org):
    fa = invoice(debtor(org), number="FA-20")
    text = dunning_explain(org=org, invoice=fa, today=D("2025-03-07")).text
    assert "FA-20" in text and "10/03/2025" in text and "règle 3" in text
    assert "samedi" not in text
    assert "n'est pas un jour ouvré" in dunning_explain(org=org, invoice=fa, today=D("2025-03-08")).text


def test_a_new_organisation_gets_the_standard_plan_of_seven_steps(db):
    org = organisation_create(name="Nouvelle SARL")
    plan = Plan.objects.get(org=org)
    assert plan.name == "Plan standard" and plan.is_default
    assert list(plan.steps.values_list("code", "anchor", "days", "needs_approval")) == [
        ("pre_due", "due_date", -3, False), ("reminder_1", "due_date", 7, False),
        ("reminder_2", "reminder_1", 14, False), ("call", "reminder_2", 7, False),
        ("reminder_3", "reminder_2", 30, False), ("formal_notice", "reminder_3", 15, True),
        ("litigation", "formal_notice", 15, True)]


def test_a_plan_for_consumers_changes_their_ladder(org):
    plan = Plan.objects.create(org=org, name="Particuliers", customer_kinds=["b2c"])
    plan.steps.create(code="reminder_1", order=1, anchor="due_date", days=2, channels=["email"])
    invoice(debtor(org, kind="b2c", ref="P1"), number="FA-30")
    invoice(debtor(org, kind="b2b", ref="B1"), number="FA-31")
    result = dunning_run(org=org, today=D("2025-03-05"))
    assert [(a["customer"], a["step"]) for a in result.actions] == [("P1", "reminder_1")]


def test_limitation_warns_ninety_days_before_then_stops_the_ladder_with_one_event(org):
    customer = debtor(org, kind="b2c", ref="P9")
    fa = invoice(customer, number="FA-OLD", due="2023-03-10")  # consumer: 2 years, last day 10/03/2025
    LadderMark.objects.create(org=org, customer=customer, invoice=fa, step="reminder_1", day=D("2023-03-17"))
    warned = dunning_run(org=org, today=D("2025-01-06"), dry_run=True)
    assert any("FA-OLD" in w and "10/03/2025" in w for w in warned.warnings)
    assert dunning_run(org=org, today=D("2025-03-10"), dry_run=True).actions != []  # still actionable
    barred = dunning_run(org=org, today=D("2025-03-11"))
    assert barred.actions == []
    assert barred.events == [{"customer": "P9", "type": "limitation_reached", "invoices": ["FA-OLD"]}]
    assert dunning_run(org=org, today=D("2025-03-12")).events == []
    assert Event.objects.filter(type="limitation_reached", invoice=fa).count() == 1


def test_the_data_migration_gives_existing_organisations_the_standard_plan(org):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("relance.dunning.migrations.0002_standard_plan_for_existing_orgs")
    assert not Plan.objects.filter(org=org).exists()  # built by a factory, before any hook
    migration.create_standard_plans(apps, None)
    migration.create_standard_plans(apps, None)  # idempotent
    plan = Plan.objects.get(org=org)
    assert plan.steps.count() == 7 and plan.is_default
