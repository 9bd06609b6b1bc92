"""The pure KPI core, with figures computed by hand (see each test's comment) and properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.analytics import kpi
from relance.analytics.kpi import InvoiceRow, ReminderRow

D = Decimal
DAY = date(2025, 6, 30)  # period of 90 days: (2025-04-01, 2025-06-30]

# A: 1000 issued 1 May, due 31 May, 400 paid 10 June → 600 outstanding, 30 days late.
# B: 500 issued 15 June, due 15 July → not due.
# C: 300 issued 1 March, due 31 March, paid in full 20 April (20 days late).
# D: 200 issued 10 January, due 9 February → 141 days late.
ROWS = [
    InvoiceRow(1, 10, date(2025, 5, 1), date(2025, 5, 31), D("1000.00"), ((date(2025, 6, 10), D("400.00")),)),
    InvoiceRow(2, 10, date(2025, 6, 15), date(2025, 7, 15), D("500.00")),
    InvoiceRow(3, 20, date(2025, 3, 1), date(2025, 3, 31), D("300.00"), ((date(2025, 4, 20), D("300.00")),)),
    InvoiceRow(4, 30, date(2025, 1, 10), date(2025, 2, 9), D("200.00")),
]
REMINDERS = [
    ReminderRow(1, "reminder_1", "email", date(2025, 6, 7)),
    ReminderRow(3, "reminder_1", "email", date(2025, 4, 8)),
    ReminderRow(3, "reminder_2", "email", date(2025, 4, 18)),
    ReminderRow(3, "reminder_2", "sms", date(2025, 4, 18)),
    ReminderRow(3, "call", "phone", date(2025, 4, 19)),
]
ORDER = ["pre_due", "reminder_1", "reminder_2", "call", "reminder_3"]


@pytest.fixture
def report():
    return kpi.compute(ROWS, REMINDERS, DAY, step_order=ORDER)


@pytest.mark.parametrize(("field", "expected"), [
    ("receivables", D("1300.00")),           # 600 + 500 + 200
    ("overdue", D("800.00")),                # 600 + 200
    ("sales", D("1500.00")),                 # A + B issued in the period
    ("dso", D("78.0")),                      # 1300 / 1500 × 90
    ("best_possible_dso", D("30.0")),        # 500 / 1500 × 90
    ("average_days_delinquent", D("48.0")),  # 78 − 30
    ("cei", D("46.7")),                      # (500 + 1500 − 1300) / (500 + 1500 − 500) = 700 / 1500
    ("recovery_rate", D("40.0")),            # only A fell due in the period: 400 / 1000
    ("dso_countback", D("55.0")),            # 1300 − 500 (June, 31 d) = 800; 800 / 1000 × 30 d (May)
    ("average_delay", D("20.0")),            # C paid 20 days after its due date
    ("reminders_before_payment", D("3.0")),  # C: 3 messages (the call is a task) before being paid
])
def test_the_figures_match_the_hand_computation(report, field, expected):
    assert getattr(report, field) == expected


def test_the_aging_balance_puts_each_invoice_in_its_bucket(report):
    assert report.aging == {"not_due": D("500.00"), "1_30": D("600.00"), "31_60": D("0.00"),
                            "61_90": D("0.00"), "over_90": D("200.00")}


@pytest.mark.parametrize(("late", "bucket"), [
    (-10, "not_due"), (0, "not_due"), (1, "1_30"), (30, "1_30"), (31, "31_60"), (60, "31_60"),
    (61, "61_90"), (90, "61_90"), (91, "over_90"), (1000, "over_90"),
])
def test_bucket_boundaries(late, bucket):
    assert kpi.bucket_of(late) == bucket


def test_each_step_says_how_many_invoices_were_paid_within_seven_days(report):
    # reminder_1: A (not paid) and C (paid 12 days after) → 0 of 2; reminder_2 and call: C paid 2 and 1 day after.
    assert [(s.step, s.invoices, s.paid_within, s.share) for s in report.steps] == [
        ("reminder_1", 2, 0, D("0.0")), ("reminder_2", 1, 1, D("100.0")), ("call", 1, 1, D("100.0")),
    ]


def test_a_step_whose_window_is_not_over_is_not_counted_yet():
    steps = kpi.step_effectiveness(ROWS, [ReminderRow(2, "pre_due", "email", DAY - timedelta(days=3))], DAY)
    assert steps == []


def test_the_payment_delay_is_given_per_customer(report):
    assert report.delay_by_customer == {20: D("20.0")}


@pytest.mark.parametrize(("receivables", "months", "expected"), [
    (D("0"), [], D("0.0")),
    (D("100"), [], None),
    (D("100"), [(30, D("200"))], D("15.0")),
    (D("300"), [(31, D("100")), (30, D("400"))], D("46.0")),   # 31 + 200/400 × 30
    (D("900"), [(31, D("100")), (30, D("100"))], D("61.0")),   # history exhausted: lower bound
    (D("50"), [(31, D("0")), (30, D("100"))], D("46.0")),      # a month without sales counts whole
])
def test_count_back_dso(receivables, months, expected):
    assert kpi.dso_countback(receivables, months) == expected


def test_without_sales_dso_is_undefined_rather_than_infinite():
    assert kpi.dso_standard(D("100"), D("0"), 90) is None
    assert kpi.compute([], [], DAY).dso is None


def test_json_uses_strings_for_amounts_and_customer_references(report):
    doc = kpi.as_json(report, {20: "C020"})
    assert doc["dso"] == "78.0" and doc["receivables"] == "1300.00"
    assert doc["payment_delay_by_customer"] == {"C020": "20.0"}
    assert doc["steps"][1] == {"step": "reminder_2", "invoices": 1, "paid_within_7_days": 1, "share": "100.0"}


def test_dso_trend_has_one_point_per_month_oldest_first():
    points = kpi.dso_trend(ROWS, DAY, months=3)
    assert [d for d, _ in points] == [date(2025, 4, 30), date(2025, 5, 30), date(2025, 6, 30)]
    assert points[-1][1] == D("78.0")


# --- properties ---------------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=1_000_000).map(lambda c: D(c) / 100)


@st.composite
def invoice_rows(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    rows = []
    for i in range(n):
        issue = DAY - timedelta(days=draw(st.integers(min_value=-10, max_value=400)))
        total = draw(cents)
        settlements, left = [], total
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            part = min(left, draw(cents))
            if part <= 0:
                break
            settlements.append((issue + timedelta(days=draw(st.integers(min_value=0, max_value=200))), part))
            left -= part
        due = issue + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        rows.append(InvoiceRow(i, draw(st.integers(min_value=1, max_value=4)), issue, due, total, tuple(settlements)))
    return rows


@settings(max_examples=60, deadline=None)
@given(invoice_rows())
def test_aging_buckets_add_up_to_the_receivables_and_ratios_stay_in_range(rows):
    report = kpi.compute(rows, [], DAY)
    assert sum(report.aging.values()) == report.receivables
    assert report.receivables == sum(kpi.outstanding_at(r, DAY) for r in rows)
    assert report.overdue >= 0
    if report.dso is not None:
        assert report.dso >= 0
        assert report.best_possible_dso is not None and report.best_possible_dso <= report.dso
    if report.cei is not None:
        assert 0 <= report.cei <= 100
    if report.recovery_rate is not None:
        assert 0 <= report.recovery_rate <= 100
    if report.dso_countback is not None:
        assert report.dso_countback >= 0


@settings(max_examples=60, deadline=None)
@given(invoice_rows())
def test_an_invoice_is_paid_exactly_when_nothing_is_left_to_pay(rows):
    far = DAY + timedelta(days=1000)
    for row in rows:
        assert (kpi.paid_on(row) is not None) == (kpi.outstanding_at(row, far) == 0)


def daily(rows, attr):
    sums: dict[date, Decimal] = {}
    for r in rows:
        if attr == "issue":
            sums[r.issue_date] = sums.get(r.issue_date, D(0)) + r.total
        else:
            for d, a in r.settlements:
                sums[d] = sums.get(d, D(0)) + a
    return sums


@settings(max_examples=60, deadline=None)
@given(invoice_rows())
def test_rolling_receivables_back_from_daily_sums_matches_the_row_by_row_figure(rows):
    rows = [r for r in rows if r.issue_date <= DAY]
    receivables = sum((kpi.outstanding_at(r, DAY) for r in rows), D(0))
    settled_by_day = daily([InvoiceRow(r.id, r.customer_id, r.issue_date, r.due_date, r.total,
                                       tuple((d, a) for d, a in r.settlements if d <= DAY)) for r in rows], "settled")
    from_daily = kpi.dso_trend_from_daily(receivables, daily(rows, "issue"), settled_by_day, DAY, months=4)
    assert from_daily == kpi.dso_trend(rows, DAY, months=4)


def test_monthly_totals_group_days_into_calendar_months_oldest_first():
    sums = {date(2025, 6, 3): D("10"), date(2025, 6, 30): D("5"), date(2025, 4, 1): D("7"), date(2024, 1, 1): D("1")}
    assert kpi.monthly_totals(sums, DAY, 3) == [
        (date(2025, 4, 1), D("7")), (date(2025, 5, 1), D("0.00")), (date(2025, 6, 1), D("15")),
    ]
