"""The DB-facing API other apps call: invoices, customers and limitation, always within one organisation."""

from datetime import date
from decimal import Decimal as D

import pytest

from relance.activity.services import event_record
from relance.core.errors import ApplicationError
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.services import allocation_add
from relance.legal.api import customer_penalties, invoice_penalties, limitation_alerts
from relance.legal.rates import MissingRateError

pytestmark = pytest.mark.django_db


def invoice(org, kind="b2b", due=date(2025, 3, 1), total="1000.00", **kw):
    customer = kw.pop("customer", None) or CustomerFactory(org=org, kind=kind)
    return InvoiceFactory(customer=customer, issue_date=due.replace(day=1) if due.day > 1 else due, due_date=due,
                          total_incl_tax=D(total), **kw)


def test_partial_payments_run_interest_on_the_balance_from_their_allocation_dates(org):
    inv = invoice(org)
    allocation_add(org=org, invoice=inv, amount=D("400.00"), day=date(2025, 3, 20))
    allocation_add(org=org, invoice=inv, amount=D("600.00"), day=date(2025, 4, 15))
    # Same hand computation as the pure example: 19 days on 1000 + 26 days on 600 at 13.15 % → 12.47.
    result = invoice_penalties(org=org, invoice=inv, today=date(2025, 6, 1))
    assert (result.interest, result.indemnity, result.paid_on, result.days_late) == (
        D("12.47"), D("40.00"), date(2025, 4, 15), 45)


def test_a_payment_after_today_is_not_known_yet(org):
    inv = invoice(org)
    allocation_add(org=org, invoice=inv, amount=D("1000.00"), day=date(2025, 4, 15))
    # Computed on 20 March: 19 days on 1000 at 13.15 → 249850 / 36500 = 6.845… → 6.85, still unpaid that day.
    result = invoice_penalties(org=org, invoice=inv, today=date(2025, 3, 20))
    assert (result.interest, result.paid_on) == (D("6.85"), None)


def test_the_organisation_contract_rate_applies_and_is_checked_against_the_floor(org):
    org.contract_rate = D("10.00")
    org.save()
    result = invoice_penalties(org=org, invoice=invoice(org), today=date(2025, 4, 15))
    assert result.contract_rate_unlawful and result.interest == D("13.72")


def test_a_consumer_interest_starts_after_the_formal_notice_on_the_timeline(org):
    inv = invoice(org, kind="b2c")
    assert invoice_penalties(org=org, invoice=inv, today=date(2025, 7, 10)).interest == D("0.00")
    event_record(org=org, type="formal_notice", day=date(2025, 5, 15), customer=inv.customer,
                 data={"invoices": [inv.number]})
    # Hand computation of the pure example "consumer with notice": 5.43, no indemnity.
    result = invoice_penalties(org=org, invoice=inv, today=date(2025, 7, 10))
    assert (result.interest, result.indemnity) == (D("5.43"), D("0.00"))


def test_another_customers_formal_notice_does_not_count(org):
    inv = invoice(org, kind="b2c")
    other = invoice(org, kind="b2c")
    event_record(org=org, type="formal_notice", day=date(2025, 5, 15), invoice=other)
    assert invoice_penalties(org=org, invoice=inv, today=date(2025, 7, 10)).interest == D("0.00")


def test_a_missing_rate_raises_the_named_error(org):
    with pytest.raises(MissingRateError, match="2e semestre 2026"):
        invoice_penalties(org=org, invoice=invoice(org, due=date(2026, 6, 1)), today=date(2026, 11, 23))


def test_another_organisations_invoice_is_refused(org, other_org):
    with pytest.raises(ApplicationError):
        invoice_penalties(org=org, invoice=invoice(other_org), today=date(2025, 4, 15))
    with pytest.raises(ApplicationError):
        customer_penalties(org=org, customer=CustomerFactory(org=other_org), today=date(2025, 4, 15))


def test_customer_penalties_sum_the_open_overdue_invoices(org):
    customer = CustomerFactory(org=org, kind="b2b")
    late = invoice(org, customer=customer)  # 45 days at 13.15 → 16.21
    partly = invoice(org, customer=customer, total="2000.00")
    allocation_add(org=org, invoice=partly, amount=D("1000.00"), day=date(2025, 3, 1))  # on time: 1000 left → 16.21
    invoice(org, customer=customer, due=date(2025, 5, 1))  # not yet due on 15 April
    paid = invoice(org, customer=customer)
    allocation_add(org=org, invoice=paid, amount=D("1000.00"), day=date(2025, 3, 10))  # settled: not listed
    summary = customer_penalties(org=org, customer=customer, today=date(2025, 4, 15))
    assert [inv for inv, _ in summary.lines] == sorted([late, partly], key=lambda i: i.number)
    assert (summary.interest, summary.indemnities, summary.total) == (D("32.42"), D("80.00"), D("112.42"))


def test_limitation_alerts_warn_90_days_before_and_after_limitation(org, other_org):
    soon = invoice(org, kind="b2c", due=date(2023, 1, 10))  # last day 10 Jan 2025, warning from 12 Oct 2024
    barred = invoice(org, kind="b2c", due=date(2022, 6, 1))  # last day 1 June 2024
    invoice(org, kind="b2b", due=date(2023, 1, 10))  # 5 years: nothing to say yet
    invoice(other_org, kind="b2c", due=date(2022, 6, 1))  # not ours
    paid = invoice(org, kind="b2c", due=date(2022, 6, 1))
    allocation_add(org=org, invoice=paid, amount=D("1000.00"), day=date(2022, 7, 1))
    alerts = limitation_alerts(org=org, today=date(2024, 11, 1))
    assert [(a.invoice, a.limitation_date, a.time_barred) for a in alerts] == [
        (barred, date(2024, 6, 1), True), (soon, date(2025, 1, 10), False)]
    assert "prescrite depuis le 2 juin 2024" in alerts[0].message
    assert "dernier jour pour agir le 10 janvier 2025" in alerts[1].message
    assert limitation_alerts(org=org, today=date(2024, 10, 11)) == [alerts[0]]


def test_customer_penalties_take_a_fixed_number_of_queries_for_businesses(org, django_assert_max_num_queries):
    customer = CustomerFactory(org=org, kind="b2b")
    for _ in range(6):
        inv = invoice(org, customer=customer)
        allocation_add(org=org, invoice=inv, amount=D("100.00"), day=date(2025, 3, 20))
    with django_assert_max_num_queries(3):  # rate table, invoices, their allocations
        summary = customer_penalties(org=org, customer=customer, today=date(2025, 4, 15))
    assert len(summary.lines) == 6


def test_customer_indemnities_match_the_penalties_and_need_no_rate(org, other_org):
    from relance.legal.api import customer_indemnities

    customer = CustomerFactory(org=org, kind="b2b")
    invoice(org, customer=customer)
    partly = invoice(org, customer=customer, total="2000.00")
    allocation_add(org=org, invoice=partly, amount=D("1000.00"), day=date(2025, 3, 1))
    invoice(org, customer=customer, due=date(2025, 5, 1))  # not yet due on 15 April
    paid = invoice(org, customer=customer)
    allocation_add(org=org, invoice=paid, amount=D("1000.00"), day=date(2025, 3, 10))
    today = date(2025, 4, 15)
    assert customer_indemnities(org=org, customer=customer, today=today) == D("80.00") == \
        customer_penalties(org=org, customer=customer, today=today).indemnities
    consumer = CustomerFactory(org=org, kind="b2c")
    invoice(org, customer=consumer)
    assert customer_indemnities(org=org, customer=consumer, today=today) == D("0.00")
    # a day whose half-year has no rate: the interest is refused, the indemnities are still known
    with pytest.raises(MissingRateError):
        customer_penalties(org=org, customer=customer, today=date(2026, 11, 23))
    assert customer_indemnities(org=org, customer=customer, today=date(2026, 11, 23)) == D("120.00")
    with pytest.raises(ApplicationError):
        customer_indemnities(org=other_org, customer=customer, today=today)
