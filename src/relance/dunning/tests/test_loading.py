"""Loading less for the daily run: what may be left out in SQL, and the planner's fast path, change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.dunning import planner as p
from relance.dunning.models import Action, LadderMark
from relance.dunning.services import dunning_explain, dunning_run, promise_record
from relance.dunning.tests.test_planner_properties import START, ledgers
from relance.dunning.tests.test_run import debtor, invoice

D = date.fromisoformat


# --- The bound used to leave invoices out of the load -------------------------------------------------
@pytest.mark.parametrize(("steps", "offset"), [
    (p.STANDARD_PLAN, -3),  # pre_due: due date − 3
    (p.STANDARD_PLAN[1:], 1),  # no step before the due date: listed once overdue
    ((p.Step("a", 10, "due_date", 5, ("email",)), p.Step("b", 20, "a", -12, ("email",))), -7),
    ((p.Step("b", 10, "a", -4, ("email",)), p.Step("a", 20, "due_date", -2, ("email",))), -6),  # later anchor
])
def test_the_earliest_offset_of_a_plan(steps, offset):
    assert p.earliest_offset(steps) == offset


@st.composite
def plans(draw: st.DrawFn) -> tuple[p.Step, ...]:
    n = draw(st.integers(1, 6))
    codes = [f"s{k}" for k in range(n)]
    return tuple(p.Step(code, (k + 1) * 10, draw(st.sampled_from(["due_date", *codes[:k], "unknown"])),
                        draw(st.integers(-30, 30)), ("email",)) for k, code in enumerate(codes))


@settings(max_examples=60, deadline=None)
@given(plans(), st.integers(-400, 400))
def test_no_step_of_an_invoice_without_marks_triggers_before_the_bound(steps, shift):
    inv = p.Invoice(1, 1, START + timedelta(days=shift), p.Decimal("100.00"))
    bound = inv.due_date + timedelta(days=p.earliest_offset(steps))
    assert all(p.trigger_date(inv, step, steps) >= bound for step in steps)


# --- The planner's fast path (no reasons kept) decides exactly like explain's path ----------------------
@settings(max_examples=60, deadline=None)
@given(ledgers(), st.integers(0, 60), st.lists(st.booleans(), min_size=3, max_size=3))
def test_planning_without_reasons_gives_the_same_day(ledger, offset, manual):
    customers = [replace(c, manual=manual[k % 3]) for k, c in enumerate(ledger["customers"])]
    today = START + timedelta(days=offset)

    def day(keep: bool) -> tuple:
        plan = p.plan_day(customers=customers, invoices=ledger["invoices"], promises=ledger["promises"],
                          today=today, keep_reasons=keep)
        return plan.actions, plan.marks, plan.events, plan.cancellations, plan.warnings

    assert day(False) == day(True)


# --- The run loads only what can matter, yet misses nothing -------------------------------------------
@pytest.mark.django_db
def test_a_promised_invoice_due_long_after_the_run_still_counts_when_the_promise_breaks(org):
    customer = debtor(org, ref="C400")
    fa = invoice(customer, number="FA-400")
    later = invoice(customer, number="FA-401", due="2025-09-30")  # far beyond the run's horizon
    promise_record(org=org, customer=customer, until=D("2025-03-12"), today=D("2025-03-06"), invoices=[fa, later])
    result = dunning_run(org=org, today=D("2025-03-17"))
    assert result.events == [{"customer": "C400", "type": "promise_broken", "invoices": ["FA-400", "FA-401"]}]
    assert [(a["step"], a["invoices"]) for a in result.actions] == [("reminder_1", ["FA-400"])]


@pytest.mark.django_db
def test_an_invoice_on_the_ladder_is_loaded_whatever_its_due_date_and_explain_loads_everything(org):
    customer = debtor(org, ref="C401")
    moved = invoice(customer, number="FA-402", due="2025-06-30")  # its due date was pushed back after reminder_1
    for step, day in (("pre_due", "2025-02-28"), ("reminder_1", "2025-03-10")):
        LadderMark.objects.create(org=org, customer=customer, invoice=moved, step=step, day=D(day))
    result = dunning_run(org=org, today=D("2025-03-24"), dry_run=True)
    assert [(a["step"], a["invoices"]) for a in result.actions] == [("reminder_2", ["FA-402"])] * 2  # e-mail, SMS
    future = invoice(customer, number="FA-403", due="2025-09-30")
    text = dunning_explain(org=org, invoice=future, today=D("2025-03-24")).text
    assert "pas encore atteint" in text and "27/09/2025" in text  # pre_due: due date − 3 days
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_refused_channels_are_read_from_the_contact(org):
    no_sms = debtor(org, ref="C402")
    no_sms.contacts.update(refused_channels=["sms"])
    no_email = debtor(org, ref="C403")
    no_email.contacts.update(refused_channels=["email", "sms"])
    for customer in (no_sms, no_email):
        fa = invoice(customer, number=f"FA-{customer.ref}", due="2025-02-10")
        LadderMark.objects.create(org=org, customer=customer, invoice=fa, step="reminder_1", day=D("2025-02-24"))
    result = dunning_run(org=org, today=D("2025-03-10"), dry_run=True)
    assert sorted((a["customer"], a["step"], a["channel"]) for a in result.actions) == [
        ("C402", "reminder_2", "email"),
        ("C403", "complete_contact", "task"), ("C403", "reminder_2", "letter"),
    ]
