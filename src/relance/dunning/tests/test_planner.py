"""The ladder rules of DESIGN.md, one table row or scenario per rule and interaction (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from relance.dunning import planner as p
from relance.dunning.planner import Customer, Invoice, Mark, PendingApproval, Promise, Settings

D = date.fromisoformat
DUE = D("2025-03-03")  # a Monday


def inv(id: int = 1, *, due: date = DUE, amount: str = "100.00", marks: dict[str, str] | None = None,
        customer: int = 1, **kw: object) -> Invoice:
    m = {code: Mark(D(day)) for code, day in (marks or {}).items()}
    return Invoice(id=id, customer_id=customer, due_date=due, outstanding=Decimal(amount), number=f"FA-{id}",
                   marks=m, **kw)  # type: ignore[arg-type]


def run(invoices: list[Invoice], today: str, customer: Customer | None = None, **kw: object) -> p.DayPlan:
    c = customer or Customer(1, "C1")
    return p.plan_day(customers=[c], invoices=invoices, today=D(today), keep_reasons=True, **kw)  # type: ignore[arg-type]


def steps_of(plan: p.DayPlan) -> list[tuple[str, str, str]]:
    return [(a.step, a.channel, a.status) for a in plan.actions]


# --- Rule 1, 2, 3, 4: one invoice, the standard plan ---------------------------------------------------
ONE_INVOICE = [
    # (today, marks, expected step or None, expected rule, why)
    ("2025-02-27", {}, None, 3, "before pre_due's trigger (due − 3 = 28/02)"),
    ("2025-02-28", {}, "pre_due", 3, "pre_due on its trigger day"),
    ("2025-03-01", {}, None, 1, "Saturday is not a business day"),
    ("2025-03-03", {}, None, 3, "on the due date pre_due is skipped for good, reminder_1 not yet"),
    ("2025-03-07", {"pre_due": "2025-02-28"}, None, 3, "reminder_1 triggers on due + 7"),
    ("2025-03-10", {"pre_due": "2025-02-28"}, "reminder_1", 3, "reminder_1 on due + 7"),
    ("2025-03-10", {}, "reminder_1", 3, "pre_due never sent (imported late): reminder_1 anyway"),
    ("2025-03-24", {"reminder_1": "2025-03-12"}, None, 3, "reminder_2 anchors on the day reminder_1 was done"),
    ("2025-03-26", {"reminder_1": "2025-03-12"}, "reminder_2", 3, "reminder_1 done 12/03 + 14 = 26/03"),
    ("2025-04-02", {"reminder_1": "2025-03-12", "reminder_2": "2025-03-26"}, "call", 3, "call = reminder_2 + 7"),
    ("2025-04-25", {"reminder_1": "2025-03-12", "reminder_2": "2025-03-26", "call": "2025-04-02"}, "reminder_3", 3,
     "reminder_3 = reminder_2 + 30"),
    ("2025-04-21", {"reminder_1": "2025-03-12", "reminder_2": "2025-03-20", "call": "2025-04-02"}, None, 1,
     "Easter Monday is a holiday"),
    ("2025-04-22", {"reminder_1": "2025-03-12", "reminder_2": "2025-03-20", "call": "2025-04-02"}, "reminder_3", 3,
     "first business day after the trigger (19/04, a Saturday, then Easter Monday)"),
    ("2025-03-12", {"reminder_1": "2025-03-12"}, None, 13, "a step already done today for this invoice"),
    ("2025-09-01", dict.fromkeys(("reminder_1", "reminder_2", "call", "reminder_3", "formal_notice", "litigation"), "2025-04-01"), None, 3, "the ladder is finished"),
]


@pytest.mark.parametrize(("today", "marks", "step", "rule", "why"), ONE_INVOICE)
def test_one_invoice_gets_the_step_the_rules_say(today, marks, step, rule, why):
    plan = run([inv(marks=marks)], today)
    reason = plan.reasons[1]
    assert reason.step == step, why
    assert reason.rule == rule, why
    assert [a.step for a in plan.actions if a.channel != "sms"] == ([step] if step else []), why


def test_pre_due_is_carried_out_when_an_invoice_is_imported_after_its_trigger_but_before_it_is_due():
    due = D("2025-03-05")  # trigger Sunday 02/03
    plan = run([inv(due=due)], "2025-03-04")
    assert steps_of(plan) == [("pre_due", "email", "send")]


def test_pre_due_is_skipped_for_good_when_the_invoice_is_imported_after_its_due_date():
    plan = run([inv(due=D("2025-03-05"))], "2025-03-05")
    assert plan.actions == [] and plan.marks == []
    assert p.next_step(inv(due=D("2025-03-05")), p.STANDARD_PLAN, D("2025-03-05")).code == "reminder_1"


@pytest.mark.parametrize(("region", "expected"), [("national", ["reminder_1"]), ("alsace_moselle", [])])
def test_good_friday_is_a_business_day_except_in_alsace_moselle(region, expected):
    due = D("2025-04-11")  # + 7 = Good Friday 18/04/2025
    plan = run([inv(due=due)], "2025-04-18", settings=Settings(holidays_region=region))
    assert [a.step for a in plan.actions] == expected


# --- Rule 3: what stops an invoice -------------------------------------------------------------------
BLOCKERS = [
    ({"open": False}, 9),
    ({"outstanding": Decimal("0.00")}, 9),
    ({"disputed": True}, 8),
    ({"limitation_on": D("2025-03-01")}, 3),
]


@pytest.mark.parametrize(("change", "rule"), BLOCKERS)
def test_a_closed_paid_disputed_or_time_barred_invoice_gets_no_step(change, rule):
    plan = run([replace(inv(), **change)], "2025-03-10")
    assert plan.actions == [] and plan.marks == []
    assert plan.reasons[1].rule == rule


def test_a_customer_in_manual_mode_or_paused_gets_nothing():
    plan = run([inv()], "2025-03-10", customer=Customer(1, manual=True))
    assert plan.actions == [] and plan.reasons[1].rule == 3
    assert "manuel" in plan.reasons[1].text


# --- Rule 5: grouping --------------------------------------------------------------------------------


def test_one_message_per_channel_at_the_highest_step_lists_every_due_and_overdue_invoice():
    a = inv(1, due=D("2025-02-01"), marks={"reminder_1": "2025-02-24"})  # reminder_2 due 10/03
    b = inv(2, due=D("2025-03-03"))  # reminder_1 due 10/03
    c = inv(3, due=D("2025-03-05"), marks={"reminder_1": "2025-03-07"})  # overdue, reminder_2 not yet due
    d = inv(4, due=D("2025-03-20"))  # not overdue: not listed
    e = inv(5, due=D("2025-01-02"), marks={"reminder_1": "2025-01-09", "reminder_2": "2025-02-20",
                                           "call": "2025-02-27"})  # ahead (reminder_3 next): listed, stays
    plan = run([a, b, c, d, e], "2025-03-10")
    assert steps_of(plan) == [("reminder_2", "email", "send"), ("reminder_2", "sms", "send")]
    email = plan.actions[0]
    assert email.listed == (5, 1, 2, 3)
    assert email.amount == Decimal("400.00")
    assert set(email.advanced) == {1, 2, 3}
    assert {(m.invoice_id, m.step) for m in plan.marks} == {(1, "reminder_2"), (2, "reminder_1"),
                                                             (3, "reminder_2")}


def test_a_disputed_or_promised_invoice_is_left_out_of_the_message():
    a, b, c = inv(1), inv(2, disputed=True), inv(3)
    promise = Promise(9, 1, frozenset({3}), until=D("2025-03-20"))
    plan = run([a, b, c], "2025-03-10", promises=[promise])
    assert [x.listed for x in plan.actions] == [(1,)]


# --- Rule 6: spacing ---------------------------------------------------------------------------------
SPACING = [
    ("2025-03-08", "2025-03-10", False, "two days after the last message"),
    ("2025-03-07", "2025-03-10", True, "three days after"),
    ("2025-07-11", "2025-07-14", False, "Monday 14 July is a holiday inside the window"),
    ("2025-07-11", "2025-07-15", True, "the first business day once the gap is met"),
]


@pytest.mark.parametrize(("last", "today", "sent", "why"), SPACING)
def test_no_message_less_than_three_days_after_the_previous_one(last, today, sent, why):
    plan = run([inv(due=D("2025-02-01"))], today, customer=Customer(1, last_contact=D(last)))
    assert bool(plan.actions) is sent, why
    if not sent:
        assert plan.marks == [] and plan.reasons[1].rule in (1, 6)


def test_the_spacing_setting_changes_the_gap():
    plan = run([inv()], "2025-03-10", customer=Customer(1, last_contact=D("2025-03-06")),
               settings=Settings(spacing_days=5))
    assert plan.actions == [] and plan.reasons[1].rule == 6


def test_the_call_is_a_task_not_a_contact_so_spacing_does_not_hold_it():
    marks = {"reminder_1": "2025-03-12", "reminder_2": "2025-03-26"}
    plan = run([inv(marks=marks)], "2025-04-02", customer=Customer(1, last_contact=D("2025-04-01")))
    assert steps_of(plan) == [("call", "phone", "task")]
    assert not plan.actions[0].is_contact
    assert [(m.invoice_id, m.step) for m in plan.marks] == [(1, "call")]


# --- Rule 7: promises --------------------------------------------------------------------------------
PROMISE = Promise(7, 1, frozenset({1}), until=D("2025-03-12"))
PROMISE_DAYS = [
    ("2025-03-12", [], []),
    ("2025-03-14", [], []),  # P + 2: still covered (grace)
    ("2025-03-17", ["promise_broken"], ["reminder_1"]),  # first business day after P + 2
]


@pytest.mark.parametrize(("today", "events", "steps"), PROMISE_DAYS)
def test_a_promise_holds_the_ladder_through_its_grace_then_breaks(today, events, steps):
    plan = run([inv()], today, promises=[PROMISE])
    assert [e.type for e in plan.events] == events
    assert [a.step for a in plan.actions] == steps


def test_a_promise_kept_records_no_broken_promise():
    paid = replace(inv(), outstanding=Decimal("0.00"))
    plan = run([paid], "2025-03-17", promises=[PROMISE])
    assert [e.type for e in plan.events] == ["promise_kept"] and plan.actions == []


def test_a_promise_then_a_dispute_keeps_the_invoice_out_after_the_promise_ends():
    plan = run([inv(disputed=True)], "2025-03-17", promises=[PROMISE])
    assert [e.type for e in plan.events] == ["promise_broken"]
    assert plan.actions == [] and plan.reasons[1].rule == 8


def test_a_promise_on_the_weekend_after_grace_resumes_on_the_next_business_day():
    promise = replace(PROMISE, until=D("2025-03-11"))  # grace ends Thursday 13, Friday 14 resumes
    assert [a.step for a in run([inv()], "2025-03-14", promises=[promise]).actions] == ["reminder_1"]


# --- Rule 8: disputes --------------------------------------------------------------------------------
@pytest.mark.parametrize(("today", "steps"), [("2025-03-14", []), ("2025-03-15", []), ("2025-03-17", ["reminder_1"])])
def test_after_a_dispute_is_resolved_the_ladder_resumes_the_next_business_day(today, steps):
    plan = run([inv(dispute_resolved_on=D("2025-03-14"))], today)  # resolved on a Friday
    assert [a.step for a in plan.actions] == steps


# --- Rule 9: payment, and approval then payment ------------------------------------------------------


def test_an_approval_whose_invoices_are_all_paid_is_cancelled():
    pending = PendingApproval(33, 1, "formal_notice", frozenset({1, 2}))
    paid = [replace(inv(1), outstanding=Decimal("0")), replace(inv(2), open=False)]
    assert run(paid, "2025-06-02", pending=[pending]).cancellations == [33]
    part = [paid[0], inv(2)]
    plan = run(part, "2025-06-02", pending=[pending])
    assert plan.cancellations == [] and plan.reasons[2].rule == 12


# --- Rule 10: minimum amount -------------------------------------------------------------------------
@pytest.mark.parametrize(("amounts", "sent"), [(["9.99"], False), (["10.00"], True), (["6.00", "6.00"], True)])
def test_a_message_under_the_minimum_amount_is_not_sent_and_nothing_advances(amounts, sent):
    invoices = [inv(i + 1, amount=a) for i, a in enumerate(amounts)]
    plan = run(invoices, "2025-03-10")
    assert bool(plan.actions) is sent and bool(plan.marks) is sent
    if not sent:
        assert plan.reasons[1].rule == 10


# --- Rule 11: channel fallback -----------------------------------------------------------------------


def test_without_email_the_reminder_goes_by_letter_and_a_task_asks_for_the_contact():
    plan = run([inv()], "2025-03-10", customer=Customer(1, has_email=False))
    assert steps_of(plan) == [("reminder_1", "letter", "send"), ("complete_contact", "task", "task")]
    assert plan.actions[0].fallback


def test_without_mobile_the_sms_is_dropped_and_the_email_still_goes():
    marks = {"reminder_1": "2025-03-12"}
    plan = run([inv(marks=marks)], "2025-03-26", customer=Customer(1, has_mobile=False))
    assert steps_of(plan) == [("reminder_2", "email", "send")]


def test_pre_due_without_email_is_skipped_without_fallback():
    plan = run([inv()], "2025-02-28", customer=Customer(1, has_email=False))
    assert plan.actions == [] and plan.reasons[1].rule == 11


def test_an_sms_only_step_without_mobile_is_skipped_and_the_ladder_goes_on():
    steps = (p.Step("reminder_1", 1, p.ANCHOR_DUE, 7, ("sms",)), p.Step("reminder_2", 2, "reminder_1", 7, ("email",)))
    plan = run([inv()], "2025-03-10", customer=Customer(1, has_mobile=False, steps=steps))
    assert plan.actions == [] and [(m.step, m.skipped) for m in plan.marks] == [("reminder_1", True)]
    after = inv(marks={"reminder_1": "2025-03-10"})
    after = replace(after, marks={"reminder_1": Mark(D("2025-03-10"), skipped=True)})
    # A skipped step anchors its followers on its own trigger date (10/03 + 7 = 17/03).
    plan = run([after], "2025-03-17", customer=Customer(1, has_mobile=False, steps=steps))
    assert [a.step for a in plan.actions] == ["reminder_2"]


# --- Rule 12: approval -------------------------------------------------------------------------------
NOTICE_MARKS = {"reminder_1": "2025-03-10", "reminder_2": "2025-03-24", "call": "2025-03-31",
                "reminder_3": "2025-04-23"}


def test_formal_notice_waits_for_approval_and_nothing_advances_meanwhile():
    assert run([inv(marks=NOTICE_MARKS)], "2025-05-08").reasons[1].rule == 1  # 8 May: a holiday
    plan = run([inv(marks=NOTICE_MARKS)], "2025-05-09")
    assert steps_of(plan) == [("formal_notice", "registered_letter", "awaiting_approval")]
    assert plan.marks == []
    pending = PendingApproval(5, 1, "formal_notice", frozenset({1}))
    later = run([inv(marks=NOTICE_MARKS)], "2025-05-20", pending=[pending])
    assert later.actions == [] and later.reasons[1].rule == 12


def test_an_approved_step_counts_on_the_approval_day_and_later_steps_anchor_on_it():
    marks = p.advance_on_approval(customer=Customer(1), step_code="formal_notice",
                                  invoices=[inv(marks=NOTICE_MARKS)], promised=set(), today=D("2025-05-20"))
    assert [(m.step, m.day) for m in marks] == [("formal_notice", D("2025-05-20"))]
    approved = inv(marks={**NOTICE_MARKS, "formal_notice": "2025-05-20"})
    assert run([approved], "2025-06-03").actions == []
    assert steps_of(run([approved], "2025-06-04")) == [("litigation", "task", "awaiting_approval")]


# --- Rule 13: idempotence ----------------------------------------------------------------------------


def test_rerunning_a_day_after_applying_it_plans_nothing():
    invoices = [inv(1), inv(2, due=D("2025-02-01"), marks={"reminder_1": "2025-02-24"})]
    first = run(invoices, "2025-03-10")
    assert first.actions
    applied = apply(invoices, first)
    again = run(applied, "2025-03-10", customer=Customer(1, last_contact=D("2025-03-10")))
    assert again.actions == [] and again.marks == []


def apply(invoices: list[Invoice], plan: p.DayPlan) -> list[Invoice]:
    out = []
    for i in invoices:
        new = dict(i.marks)
        for m in plan.marks:
            if m.invoice_id == i.id:
                new[m.step] = Mark(m.day, m.skipped)
        out.append(replace(i, marks=new))
    return out


# --- Explain -----------------------------------------------------------------------------------------


def test_explain_names_the_rule_and_the_dates_in_french():
    e = p.explain(invoice_id=1, customer=Customer(1), invoices=[inv()], today=D("2025-03-07"))
    assert e.step is None and e.rule == 3
    assert "reminder_1" in e.text and "10/03/2025" in e.text and "pas encore atteint" in e.text
    e = p.explain(invoice_id=1, customer=Customer(1, last_contact=D("2025-03-09")), invoices=[inv()],
                  today=D("2025-03-10"))
    assert e.rule == 6 and "09/03/2025" in e.text and "ne reçoit pas" in e.text
    e = p.explain(invoice_id=1, customer=Customer(1), invoices=[inv()], today=D("2025-03-10"))
    assert e.step == "reminder_1" and "reçoit une étape" in e.text and "email" in e.text


def test_the_trigger_of_a_step_after_a_skipped_pre_due_still_uses_the_due_date():
    assert p.trigger_date(inv(), p.STANDARD_PLAN[1], p.STANDARD_PLAN) == DUE + timedelta(days=7)
