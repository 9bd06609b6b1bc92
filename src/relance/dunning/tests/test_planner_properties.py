"""Property tests: simulate weeks of daily runs over random ledgers and check the ladder's promises."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from relance.dunning import planner as p

START = date(2025, 2, 3)
DAYS = 75


@st.composite
def ledgers(draw: st.DrawFn) -> dict:
    n_customers = draw(st.integers(1, 3))
    customers, invoices, events = [], [], []
    for c in range(1, n_customers + 1):
        customers.append(p.Customer(c, f"C{c}", has_email=draw(st.booleans()), has_mobile=draw(st.booleans()),
                                    last_contact=draw(st.sampled_from([None, START - timedelta(days=1)]))))
        for _ in range(draw(st.integers(1, 6))):
            i = len(invoices) + 1
            due = START + timedelta(days=draw(st.integers(-20, 20)) * draw(st.sampled_from([1, 3])))
            amount = Decimal(draw(st.sampled_from(["5.00", "8.00", "120.00", "2400.50"])))
            invoices.append(p.Invoice(i, c, due, amount, number=f"FA-{i}"))
            if draw(st.booleans()):  # paid on some day
                events.append((START + timedelta(days=draw(st.integers(0, DAYS))), "pay", i))
            if draw(st.integers(0, 4)) == 0:
                opened = START + timedelta(days=draw(st.integers(0, DAYS)))
                events.append((opened, "dispute", i))
                events.append((opened + timedelta(days=draw(st.integers(1, 20))), "resolve", i))
    promises = []
    if draw(st.booleans()):
        c = draw(st.integers(1, n_customers))
        ids = frozenset(i.id for i in invoices if i.customer_id == c)
        promises.append(p.Promise(1, c, ids, START + timedelta(days=draw(st.integers(0, 40)))))
    approve_after = draw(st.sampled_from([0, 1, 3, None]))
    return {"customers": customers, "invoices": invoices, "events": events, "promises": promises,
            "approve_after": approve_after}


def simulate(ledger: dict) -> dict:
    customers = {c.id: c for c in ledger["customers"]}
    invoices = {i.id: i for i in ledger["invoices"]}
    promises = {pr.id: pr for pr in ledger["promises"]}
    pending: dict[int, tuple[p.PendingApproval, date]] = {}
    history: dict[str, list] = {"contacts": defaultdict(list), "marks": defaultdict(list), "violations": []}
    for offset in range(DAYS):
        today = START + timedelta(days=offset)
        _ledger_events(ledger["events"], today, invoices)
        _approve(pending, ledger["approve_after"], today, customers, invoices, promises, history)
        plan = _plan(customers, invoices, promises, pending, today)
        _check_plan(plan, invoices, history)
        _apply(plan, today, customers, invoices, promises, pending, history)
        again = _plan(customers, invoices, promises, pending, today)
        if again.actions or again.marks:
            history["violations"].append(("rerun", today, again.actions, again.marks))
    return history


def _plan(customers, invoices, promises, pending, today) -> p.DayPlan:
    return p.plan_day(customers=customers.values(), invoices=invoices.values(), promises=promises.values(),
                      pending=[a for a, _ in pending.values()], today=today)


def _ledger_events(events, today, invoices) -> None:
    for day, kind, i in events:
        if day != today:
            continue
        inv = invoices[i]
        if kind == "pay":
            invoices[i] = replace(inv, outstanding=Decimal("0.00"))
        elif kind == "dispute":
            invoices[i] = replace(inv, disputed=True)
        elif kind == "resolve":
            invoices[i] = replace(inv, disputed=False, dispute_resolved_on=today)


def _approve(pending, after, today, customers, invoices, promises, history) -> None:
    if after is None:
        return
    for action_id, (a, created) in list(pending.items()):
        if (today - created).days >= after and p.is_business_day(today):
            marks = p.advance_on_approval(customer=customers[a.customer_id], step_code=a.step,
                                          invoices=[invoices[i] for i in a.invoice_ids], promised=set(), today=today)
            _apply_marks(marks, invoices, history)
            if a.step == "formal_notice":
                _contact(customers, a.customer_id, today, history)
            del pending[action_id]


def _check_plan(plan, invoices, history) -> None:
    for a in plan.actions:
        for i in a.listed:
            if not invoices[i].payable:
                history["violations"].append(("paid invoice listed", a))
    for m in plan.marks:
        if not invoices[m.invoice_id].payable:
            history["violations"].append(("paid invoice advanced", m))


def _apply(plan, today, customers, invoices, promises, pending, history) -> None:
    _apply_marks(plan.marks, invoices, history)
    contacted = set()
    for a in plan.actions:
        if a.status == p.AWAITING_APPROVAL:
            aid = len(history["marks"]) * 1000 + len(pending) + hash((a.customer_id, a.step, today)) % 997
            pending[aid] = (p.PendingApproval(aid, a.customer_id, a.step, frozenset(a.listed)), today)
        elif a.is_contact and a.customer_id not in contacted:
            contacted.add(a.customer_id)
            _contact(customers, a.customer_id, today, history)
    for e in plan.events:
        if e.ref_id in promises:
            promises[e.ref_id] = replace(promises[e.ref_id], active=False)
    for aid in plan.cancellations:
        pending.pop(aid, None)


def _contact(customers, cid, today, history) -> None:
    customers[cid] = replace(customers[cid], last_contact=today)
    history["contacts"][cid].append(today)


def _apply_marks(marks, invoices, history) -> None:
    for m in marks:
        inv = invoices[m.invoice_id]
        invoices[m.invoice_id] = replace(inv, marks={**inv.marks, m.step: p.Mark(m.day, m.skipped)})
        history["marks"][m.invoice_id].append((m.day, m.step))


@settings(max_examples=60, deadline=None)
@given(ledgers())
def test_the_ladder_keeps_its_promises_over_weeks_of_daily_runs(ledger):
    history = simulate(ledger)
    # Re-running a day never produces a second action; a paid invoice never gets a step.
    assert history["violations"] == []
    # No customer is contacted twice within the spacing window.
    for days in history["contacts"].values():
        for a, b in zip(days, days[1:], strict=False):
            assert (b - a).days >= 3, days
    # An invoice's steps go strictly in order, one per day at most.
    order = {s.code: s.order for s in p.STANDARD_PLAN}
    for marks in history["marks"].values():
        assert [order[s] for _, s in marks] == sorted(order[s] for _, s in marks)
        assert len({s for _, s in marks}) == len(marks)
        assert len({d for d, _ in marks}) == len(marks)
        assert all(p.is_business_day(d) for d, _ in marks)
