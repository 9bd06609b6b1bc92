"""Payment plans in the daily run: the ladder waits for plan invoices, one reminder per instalment, a missed
instalment (even a middle one) breaks the plan once and the ladder resumes in the same run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relance.activity.models import Event, Task
from relance.core.errors import ApplicationError
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.dunning.models import Action, LadderMark
from relance.dunning.selectors import day_state_batches
from relance.dunning.services import dunning_explain, dunning_run
from relance.ledger.models import Allocation
from relance.portal.models import Instalment, PaymentPlan
from relance.portal.plans import payment_plan_cancel, payment_plan_create

D = date.fromisoformat
M = Decimal
pytestmark = pytest.mark.django_db
SET_UP = D("2026-03-02")  # a Monday
#: 900 € in three instalments: Thursday 12 March, Monday 13 April, Tuesday 12 May 2026 (grace: 2 days)
INSTALMENTS = [(D("2026-03-12"), M("300.00")), (D("2026-04-13"), M("300.00")), (D("2026-05-12"), M("300.00"))]


@pytest.fixture
def customer(org, alice):
    customer = CustomerFactory(org=org, ref="C-ROUX", name="Atelier Roux", account_manager=alice, language="fr")
    ContactFactory(customer=customer, email="compta@roux.fr", phone="")
    return customer


def invoice(customer, number, amount="900.00", due="2026-01-20"):
    return InvoiceFactory(customer=customer, number=number, issue_date=D("2026-01-01"), due_date=D(due),
                          total_incl_tax=M(amount))


@pytest.fixture
def fa1(customer):
    return invoice(customer, "FA-1")


@pytest.fixture
def plan(org, customer, fa1, alice):
    return payment_plan_create(org=org, customer=customer, invoices=[fa1], instalments=INSTALMENTS, today=SET_UP,
                               actor=alice)


def paid(org, inv, amount, day):
    Allocation.objects.create(org=org, invoice=inv, source="accounting", amount=M(amount), date=D(day))


def steps(result, customer="C-ROUX"):
    return [(a["step"], a["channel"], a["invoices"]) for a in result.actions if a["customer"] == customer]


def test_plan_invoices_get_no_step_while_the_customers_other_invoices_do(org, customer, fa1, plan):
    invoice(customer, "FA-2", "300.00")
    result = dunning_run(org=org, today=SET_UP)
    assert steps(result) == [("reminder_1", "email", ["FA-2"])]
    assert not LadderMark.objects.filter(invoice=fa1).exists()
    explanation = dunning_explain(org=org, invoice=fa1, today=SET_UP)
    assert explanation.rule == 7 and "échéancier" in explanation.text and "12/03/2026" in explanation.text


def test_each_instalment_is_reminded_once_by_e_mail_a_few_days_before_its_date(org, customer, plan):
    assert steps(dunning_run(org=org, today=D("2026-03-06"))) == []  # six days before: not yet
    result = dunning_run(org=org, today=D("2026-03-09"))  # three days before (a Monday)
    assert [(a["step"], a["channel"], a["status"], a["invoices"], a["amount_due"]) for a in result.actions] == [
        ("instalment_reminder", "email", "sent", ["FA-1"], "900.00")]
    assert len(mail.outbox) == 1 and "prochaine échéance" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["compta@roux.fr"] and "FA-1" in mail.outbox[0].body
    assert "l'échéance n°1 de 300,00\u00a0€ arrive le 12/03/2026" in mail.outbox[0].body
    first = Instalment.objects.get(plan=plan, seq=1)
    assert first.reminded_on == D("2026-03-09") and first.reminder_action_id == result.actions[0]["id"]
    assert dunning_run(org=org, today=D("2026-03-09")).actions == []  # the same day again
    assert dunning_run(org=org, today=D("2026-03-10")).actions == []  # the next day of the window
    assert Action.objects.filter(step="instalment_reminder").count() == 1 and len(mail.outbox) == 1


def test_a_paid_instalment_is_not_reminded_and_the_next_one_is(org, customer, fa1, plan):
    paid(org, fa1, "300.00", "2026-03-05")
    assert dunning_run(org=org, today=D("2026-03-09")).actions == []
    result = dunning_run(org=org, today=D("2026-04-10"))  # Friday, three days before 13 April
    assert steps(result) == [("instalment_reminder", "email", ["FA-1"])]
    assert Instalment.objects.get(plan=plan, seq=2).reminded_on == D("2026-04-10")
    assert Action.objects.get(step="instalment_reminder").amount_due == M("600.00")


def test_a_missed_instalment_breaks_the_plan_once_and_the_ladder_resumes_the_same_day(org, customer, fa1, plan,
                                                                                      alice):
    dry = dunning_run(org=org, today=D("2026-03-16"), dry_run=True)
    assert {"customer": "C-ROUX", "type": "payment_plan_broken", "invoices": ["FA-1"]} in dry.events
    assert steps(dry) == [("reminder_1", "email", ["FA-1"])]
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.APPROVED  # a dry run writes nothing

    result = dunning_run(org=org, today=D("2026-03-16"))  # 12 March + 2 days of grace are over
    plan.refresh_from_db()
    assert (plan.status, plan.missed_seq, plan.ended_on) == (PaymentPlan.Status.BROKEN, 1, D("2026-03-16"))
    assert {"customer": "C-ROUX", "type": "payment_plan_broken", "invoices": ["FA-1"]} in result.events
    assert steps(result) == [("reminder_1", "email", ["FA-1"])]
    event = Event.objects.get(customer=customer, type="payment_plan_broken")
    assert "échéance n°1 du 12/03/2026" in event.message and "la relance reprend" in event.message
    task = Task.objects.get(customer=customer, data__plan_id=plan.pk)
    assert task.kind == Task.Kind.CALL and task.assignee == alice and task.due_date == D("2026-03-16")

    again = dunning_run(org=org, today=D("2026-03-16"))
    assert again.actions == [] and again.events == []
    assert Event.objects.filter(type="payment_plan_broken").count() == 1
    assert Task.objects.filter(data__plan_id=plan.pk).count() == 1


def test_a_missed_middle_instalment_breaks_the_plan_while_the_last_is_still_to_come(org, customer, fa1, plan):
    paid(org, fa1, "300.00", "2026-03-11")
    assert steps(dunning_run(org=org, today=D("2026-03-16"))) == []  # first instalment kept: still paused
    assert steps(dunning_run(org=org, today=D("2026-04-15"))) == []  # second one late, within grace
    result = dunning_run(org=org, today=D("2026-04-16"))
    plan.refresh_from_db()
    assert (plan.status, plan.missed_seq) == (PaymentPlan.Status.BROKEN, 2)
    assert steps(result) == [("reminder_1", "email", ["FA-1"])]
    assert [a["amount_due"] for a in result.actions] == ["600.00"]


def test_an_instalment_paid_late_within_the_grace_days_keeps_the_plan(org, customer, fa1, plan):
    paid(org, fa1, "300.00", "2026-03-13")
    result = dunning_run(org=org, today=D("2026-03-16"))
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.APPROVED and steps(result) == [] and result.events == []


def test_an_overpayment_covers_the_next_instalments(org, customer, fa1, plan):
    paid(org, fa1, "650.00", "2026-03-10")
    assert steps(dunning_run(org=org, today=D("2026-04-16"))) == []  # 2nd instalment covered by the 1st payment
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.APPROVED
    assert steps(dunning_run(org=org, today=D("2026-05-08"))) == []  # 8 May: a public holiday
    assert steps(dunning_run(org=org, today=D("2026-05-11"))) == [("instalment_reminder", "email", ["FA-1"])]
    assert "n°3 de 300,00\u00a0€ (reste à régler : 250,00\u00a0€) arrive le 12/05/2026" in mail.outbox[-1].body


def test_a_plan_paid_in_full_is_completed_once(org, customer, fa1, plan):
    paid(org, fa1, "900.00", "2026-03-11")
    result = dunning_run(org=org, today=D("2026-03-12"))
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.COMPLETED and plan.ended_on == D("2026-03-12")
    assert result.events == [{"customer": "C-ROUX", "type": "payment_plan_completed", "invoices": ["FA-1"]}]
    assert dunning_run(org=org, today=D("2026-03-12")).events == []
    assert Event.objects.filter(type="payment_plan_completed").count() == 1


def test_a_cancelled_plan_gives_its_invoices_back_to_the_ladder(org, customer, fa1, plan, bob):
    payment_plan_cancel(org=org, plan=plan, today=SET_UP, actor=bob, reason="Le client préfère payer en une fois")
    assert steps(dunning_run(org=org, today=SET_UP)) == [("reminder_1", "email", ["FA-1"])]
    assert Event.objects.filter(type="payment_plan_cancelled", actor=bob).exists()
    with pytest.raises(ApplicationError, match="pas en cours"):
        payment_plan_cancel(org=org, plan=plan, today=SET_UP, actor=bob)


def test_a_second_plan_and_foreign_or_disputed_invoices_are_refused(org, other_org, customer, fa1, plan, alice):
    fa2 = invoice(customer, "FA-2", "300.00")
    with pytest.raises(ApplicationError, match="déjà un échéancier en cours"):
        payment_plan_create(org=org, customer=customer, invoices=[fa2], instalments=[(D("2026-04-01"), M("300.00"))],
                            today=SET_UP, actor=alice)
    stranger = CustomerFactory(org=other_org, ref="C-X")
    with pytest.raises(ApplicationError, match="Client introuvable"):
        payment_plan_create(org=org, customer=stranger, invoices=[fa2], today=SET_UP, actor=alice,
                            instalments=[(D("2026-04-01"), M("300.00"))])
    assert PaymentPlan.objects.count() == 1


def test_amounts_must_sum_exactly_to_what_the_chosen_invoices_owe(org, customer, fa1, alice):
    paid(org, fa1, "0.01", "2026-02-01")
    with pytest.raises(ApplicationError, match="899,99\u00a0€.*écart : -0,01\u00a0€"):
        payment_plan_create(org=org, customer=customer, invoices=[fa1], instalments=INSTALMENTS, today=SET_UP,
                            actor=alice)
    assert not PaymentPlan.objects.exists() and not Event.objects.filter(type="payment_plan_created").exists()


def test_loading_the_plans_costs_the_same_queries_whatever_the_number_of_invoices(org, customer, fa1, alice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            list(day_state_batches(org=org, today=SET_UP, only_relevant=True))
        return len(ctx.captured_queries)

    others = [invoice(customer, f"FA-{n}", "100.00") for n in range(2, 7)]
    payment_plan_create(org=org, customer=customer, invoices=[fa1], today=SET_UP, actor=alice,
                        instalments=[(D("2026-04-01"), M("900.00"))])
    one = queries()
    PaymentPlan.objects.get().invoices.add(*others)
    assert queries() == one


def test_only_payments_recorded_after_the_plan_was_agreed_pay_its_instalments(org, customer, fa1, alice):
    paid(org, fa1, "300.00", "2026-03-02")  # paid the morning the plan is agreed: already out of its total
    plan = payment_plan_create(org=org, customer=customer, invoices=[fa1], today=SET_UP, actor=alice,
                               instalments=INSTALMENTS[1:])
    assert steps(dunning_run(org=org, today=D("2026-04-16"))) == [("reminder_1", "email", ["FA-1"])]
    plan.refresh_from_db()
    assert (plan.status, plan.missed_seq) == (PaymentPlan.Status.BROKEN, 1)


def test_a_payment_recorded_late_with_an_earlier_value_date_still_counts(org, customer, fa1, plan):
    paid(org, fa1, "300.00", "2026-02-27")  # a bank statement imported after the plan, dated before it
    assert steps(dunning_run(org=org, today=D("2026-03-16"))) == []
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.APPROVED
