"""The demo generator as pure data: deterministic, realistic proportions, consistent settlements."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN
from stdnum.eu import vat
from stdnum.fr import siren, siret

from relance.demo.generator import HISTORY_DAYS, CustomerPlan, DemoParams, customer_plans, invoice_counts

TODAY = date(2025, 6, 16)
DEFAULT = DemoParams(today=TODAY, seed=7)


@cache
def default_plans() -> tuple[CustomerPlan, ...]:
    return tuple(customer_plans(DEFAULT))


def invoices_of(plans: tuple[CustomerPlan, ...], kind: str = "invoice") -> list:
    return [inv for plan in plans for inv in plan.invoices if inv.kind == kind]


def settled(plan: CustomerPlan, index: int) -> Decimal:
    return sum((a.amount for a in plan.allocations if a.invoice == index), Decimal("0"))


def assert_consistent(plan: CustomerPlan, today: date) -> None:
    """Status follows allocations; nothing is over-allocated; nothing happens after today."""
    for index, invoice in enumerate(plan.invoices):
        assert invoice.issue_date <= today
        if invoice.kind == "credit_note":
            used = sum((a.amount for a in plan.allocations if a.credit_note == index), Decimal("0"))
            assert used <= invoice.total_incl_tax
            assert invoice.status == ("paid" if used == invoice.total_incl_tax else "open")
            continue
        paid = settled(plan, index)
        assert Decimal("0") <= paid <= invoice.total_incl_tax, invoice.number
        if invoice.status == "cancelled":
            assert paid == 0
        else:
            assert invoice.status == ("paid" if paid == invoice.total_incl_tax else "open"), invoice.number
    for payment_index, payment in enumerate(plan.payments):
        allocated = sum((a.amount for a in plan.allocations if a.payment == payment_index), Decimal("0"))
        assert 0 < allocated <= payment.amount
        assert payment.date <= today
    for allocation in plan.allocations:
        assert allocation.amount > 0 and allocation.date <= today
        assert (allocation.payment is None) != (allocation.credit_note is None)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    again = tuple(customer_plans(DEFAULT))
    other = tuple(customer_plans(DemoParams(today=TODAY, seed=8)))
    assert again == default_plans()
    assert [p.name for p in other] != [p.name for p in default_plans()]


def test_it_makes_exactly_the_requested_customers_and_invoices():
    plans = default_plans()
    assert len(plans) == 200
    assert len(invoices_of(plans)) == 3000
    assert len({inv.number for plan in plans for inv in plan.invoices}) == sum(len(p.invoices) for p in plans)
    assert len({p.ref for p in plans}) == 200


def test_invoice_counts_always_sum_to_the_request():
    for customers, invoices in ((1, 0), (3, 10), (200, 3000), (1000, 999), (7, 1_000_003)):
        counts = invoice_counts(DemoParams(today=TODAY, customers=customers, invoices=invoices))
        assert len(counts) == customers and sum(counts) == invoices and min(counts) >= 0


def test_customers_are_mostly_companies_with_some_consumers_and_public_bodies():
    kinds = Counter(p.kind for p in default_plans())
    assert kinds["b2b"] > 150
    assert 10 <= kinds["b2c"] <= 32  # about 10 %
    names = [p.name for p in default_plans() if p.kind == "public"]
    assert any(n.startswith("Ville de") or n.startswith("Ville d'") for n in names)
    assert any(n.startswith("Centre hospitalier") for n in names)
    assert any(n.startswith("Lycée") for n in names)


def test_identifiers_are_valid_french_ones():
    for plan in default_plans():
        if plan.kind != "b2c":
            assert siren.is_valid(plan.siren) and siret.is_valid(plan.siret) and plan.siret.startswith(plan.siren)
            IBAN(plan.payer_ibans[0], validate_bban=True)  # the French RIB key too
        if plan.kind == "b2b":
            assert vat.is_valid(plan.vat_number)
        assert plan.postcode.isdigit() and len(plan.postcode) == 5
        for contact in plan.contacts:
            number = phonenumbers.parse(contact.phone)
            assert contact.phone.startswith("+33") and phonenumbers.is_valid_number(number)
            assert contact.email == "" or contact.email.endswith(".example")


def test_a_few_customers_have_no_email_address():
    without = [p for p in default_plans() if not any(c.email for c in p.contacts)]
    assert 2 <= len(without) <= 30


def test_behaviours_cover_prompt_and_late_payers_partial_payments_credit_notes_and_overpayments():
    plans = default_plans()
    assert {"prompt", "late", "chronic", "partial", "bad", "overpayer", "public"} <= {p.profile for p in plans}
    assert len(invoices_of(plans, "credit_note")) > 30
    partly_paid = [inv for p in plans for i, inv in enumerate(p.invoices)
                   if inv.status == "open" and inv.kind == "invoice" and settled(p, i) > 0]
    assert partly_paid
    overpaid = [pay for p in plans for k, pay in enumerate(p.payments)
                if pay.amount > sum((a.amount for a in p.allocations if a.payment == k), Decimal("0"))]
    assert overpaid
    assert {pay.method for p in plans for pay in p.payments} >= {"transfer", "cheque", "direct_debit", "card"}


def test_disputes_and_promises_are_present_and_consistent():
    plans = default_plans()
    open_disputes = [(p, d) for p in plans for d in p.disputes if d.resolved_on is None]
    assert open_disputes and any(d.resolved_on for p in plans for d in p.disputes)
    for plan, dispute in open_disputes:
        assert plan.invoices[dispute.invoice].status == "open"
        assert dispute.opened_on <= TODAY
    statuses = Counter(pr.status for p in plans for pr in p.promises)
    assert statuses["active"] >= 1 and statuses["kept"] >= 1
    for plan in plans:
        for promise in plan.promises:
            assert promise.invoices and promise.recorded_on <= TODAY
            if promise.status == "active":
                assert promise.until > TODAY
                assert all(plan.invoices[i].status == "open" for i in promise.invoices)


def test_the_dunning_ladder_has_work_on_today():
    overdue = [inv for inv in invoices_of(default_plans()) if inv.status == "open" and inv.due_date < TODAY]
    ages = {(TODAY - inv.due_date).days // 30 for inv in overdue}
    assert len(overdue) > 100
    assert {0, 1, 2, 3} <= ages  # at various ages
    assert any(TODAY < inv.due_date <= TODAY + timedelta(days=3) for inv in invoices_of(default_plans()))


def test_history_covers_the_last_eighteen_months():
    days = [inv.issue_date for inv in invoices_of(default_plans())]
    assert max(days) <= TODAY
    assert min(days) >= TODAY - timedelta(days=HISTORY_DAYS)
    assert min(days) <= TODAY - timedelta(days=500)


def test_every_plan_is_consistent():
    for plan in default_plans():
        assert_consistent(plan, TODAY)


def test_open_heavy_mode_leaves_most_invoices_open():
    plans = tuple(customer_plans(DemoParams(today=TODAY, customers=50, invoices=2000, open_heavy=True)))
    statuses = Counter(inv.status for inv in invoices_of(plans))
    assert statuses["open"] > 0.8 * 2000


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), customers=st.integers(1, 12), invoices=st.integers(0, 120),
       today=st.dates(date(2020, 1, 1), date(2030, 12, 31)), open_heavy=st.booleans())
def test_any_generation_is_consistent(seed, customers, invoices, today, open_heavy):
    params = DemoParams(today=today, seed=seed, customers=customers, invoices=invoices, open_heavy=open_heavy)
    plans = list(customer_plans(params))
    assert len(plans) == customers
    assert sum(1 for p in plans for inv in p.invoices if inv.kind == "invoice") == invoices
    for plan in plans:
        assert_consistent(plan, today)
