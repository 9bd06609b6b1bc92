"""The busy day's shortcuts change nothing: decisions shared between invoices with the same due date and the
same (shared) ladder history, and the loader's shared histories, give the very plan computed one by one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.dunning import planner as p
from relance.dunning.models import LadderMark
from relance.dunning.selectors import day_state_batches
from relance.dunning.services import dunning_run
from relance.dunning.tests.test_run import debtor, invoice

START = date(2025, 3, 3)
D = date.fromisoformat
OTHER_PLAN = (
    p.Step("reminder_1", 20, "due_date", 2, ("email",)),
    p.Step("reminder_2", 30, "reminder_1", 5, ("letter",)),
    p.Step("formal_notice", 60, "reminder_2", 3, ("registered_letter",), needs_approval=True),
)


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, p.Mark]]:
    """A few ladder histories, each one dict object that several invoices will share (as the loader does)."""
    out: list[dict[str, p.Mark]] = [{}]
    for _ in range(draw(st.integers(0, 3))):
        marks: dict[str, p.Mark] = {}
        day = START - timedelta(days=draw(st.integers(0, 60)))
        for code in ("pre_due", "reminder_1", "reminder_2", "call")[:draw(st.integers(1, 4))]:
            marks[code] = p.Mark(day, skipped=draw(st.integers(0, 5)) == 0)
            day += timedelta(days=draw(st.integers(0, 20)))
        out.append(marks)
    return out


@st.composite
def busy_days(draw: st.DrawFn) -> dict:
    shared = draw(histories())
    today = START + timedelta(days=draw(st.integers(0, 6)))
    # due dates around today's triggers: pre_due (due − 3, rule 4), reminder_1 (+7), the other plan's (+2)
    dues = [today + timedelta(days=draw(st.sampled_from([3, 2, 1, 0, -2, -3, -7, -8, -30, -80])))
            for _ in range(draw(st.integers(1, 3)))]
    customers, invoices = [], []
    for c in range(1, draw(st.integers(2, 6)) + 1):
        customers.append(p.Customer(c, f"C{c}", has_email=draw(st.booleans()), has_mobile=draw(st.booleans()),
                                    steps=draw(st.sampled_from([p.STANDARD_PLAN, OTHER_PLAN]))))
        for _ in range(draw(st.integers(1, 5))):
            i = len(invoices) + 1
            invoices.append(p.Invoice(
                i, c, draw(st.sampled_from(dues)), Decimal(draw(st.sampled_from(["0.00", "4.00", "120.00"]))),
                f"FA-{i}", open=draw(st.integers(0, 9)) > 0, marks=draw(st.sampled_from(shared)),
                disputed=draw(st.integers(0, 5)) == 0,
                dispute_resolved_on=draw(st.sampled_from([None, None, today - timedelta(days=1), today])),
                limitation_on=draw(st.sampled_from([None, None, today, today + timedelta(days=5)]))))
    promises = [p.Promise(1, 1, frozenset(i.id for i in invoices[:2]), today + timedelta(days=1))]
    waiting = [i.id for i in invoices if i.customer_id == 2][draw(st.integers(0, 1))::2]  # every other one
    pending = [p.PendingApproval(7, 2, "formal_notice", frozenset(waiting))]
    return {"customers": customers, "invoices": invoices, "promises": promises, "today": today,
            "pending": draw(st.sampled_from([[], pending]))}


def _day(plan: p.DayPlan) -> tuple:
    return plan.actions, plan.marks, plan.events, plan.cancellations, plan.warnings


@settings(max_examples=200, deadline=None)
@given(busy_days())
def test_shared_decisions_plan_the_same_day_as_deciding_each_invoice_on_its_own(day):
    today = day["today"]
    together = p.plan_day(customers=day["customers"], invoices=day["invoices"], promises=day["promises"],
                          pending=day["pending"], today=today)
    # Each invoice with its own copy of its history, nothing shared: no decision can be reused.
    alone = [replace(i, marks={k: replace(m) for k, m in i.marks.items()}) for i in day["invoices"]]
    apart = p.plan_day(customers=day["customers"], invoices=alone, promises=day["promises"],
                       pending=day["pending"], today=today)
    explained = p.plan_day(customers=day["customers"], invoices=day["invoices"], promises=day["promises"],
                           pending=day["pending"], today=today, keep_reasons=True)
    assert _day(together) == _day(apart) == _day(explained)


@pytest.mark.django_db
def test_invoices_with_the_same_history_share_it_when_loaded(org):
    customer = debtor(org, ref="C500")
    same = [invoice(customer, number=f"FA-50{k}", due="2025-02-10") for k in range(3)]
    other = invoice(customer, number="FA-509", due="2025-02-10")
    for inv in same:
        LadderMark.objects.create(org=org, customer=customer, invoice=inv, step="reminder_1", day=D("2025-02-17"))
    LadderMark.objects.create(org=org, customer=customer, invoice=other, step="reminder_1", day=D("2025-02-18"))
    LadderMark.objects.create(org=org, customer=customer, invoice=other, step="reminder_2", day=D("2025-03-04"),
                              skipped=True)
    state = next(day_state_batches(org=org, today=D("2025-03-03"), only_relevant=True))
    marks = {i.number: i.marks for i in state.invoices}
    assert marks["FA-500"] is marks["FA-501"] is marks["FA-502"] == {"reminder_1": p.Mark(D("2025-02-17"))}
    assert marks["FA-509"] == {"reminder_1": p.Mark(D("2025-02-18")), "reminder_2": p.Mark(D("2025-03-04"), True)}
    # reminder_2 is due for the three shared histories (17/02 + 14 days), and lists the fourth invoice too
    result = dunning_run(org=org, today=D("2025-03-03"), dry_run=True)
    assert {(a["step"], tuple(a["invoices"])) for a in result.actions} == {
        ("reminder_2", ("FA-500", "FA-501", "FA-502", "FA-509"))}
