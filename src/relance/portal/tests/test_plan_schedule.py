"""Payment plans as pure functions: the default split, the schedule checks, and where instalments stand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relance.portal.schedule import DUE, LATE, MISSED, PAID, Due, evaluate, schedule_problems, split

D = date.fromisoformat
M = Decimal
#: three instalments of 100 € on the 10th of January, February and March; the plan starts on 1 January
PLAN = [Due(1, D("2026-01-10"), M("100.00")), Due(2, D("2026-02-10"), M("100.00")),
        Due(3, D("2026-03-10"), M("100.00"))]
START = D("2026-01-01")


def pay(*pairs: tuple[str, str]) -> list[tuple[date, Decimal]]:
    return [(D(d), M(a)) for d, a in pairs]


CASES = [
    # (what, payments, today, statuses, paid_on, missed seq, completed)
    ("nothing due yet", [], "2026-01-05", [DUE, DUE, DUE], [None, None, None], None, False),
    ("paid on time", pay(("2026-01-09", "100.00")), "2026-01-20", [PAID, DUE, DUE],
     ["2026-01-09", None, None], None, False),
    ("partial payment, within grace", pay(("2026-01-09", "60.00")), "2026-01-12", [LATE, DUE, DUE],
     [None, None, None], None, False),
    ("partial payment, grace over", pay(("2026-01-09", "60.00")), "2026-01-13", [MISSED, DUE, DUE],
     [None, None, None], 1, False),
    ("missed middle instalment while the last is still to come",
     pay(("2026-01-09", "100.00")), "2026-02-13", [PAID, MISSED, DUE], ["2026-01-09", None, None], 2, False),
    ("two instalments in one payment, then on time", pay(("2026-01-09", "200.00"), ("2026-03-10", "100.00")),
     "2026-03-11", [PAID, PAID, PAID], ["2026-01-09", "2026-01-09", "2026-03-10"], None, True),
    ("overpayment covers the next instalments and completes", pay(("2026-01-09", "350.00")), "2026-01-10",
     [PAID, PAID, PAID], ["2026-01-09"] * 3, None, True),
    ("paid late but within the grace days", pay(("2026-01-12", "100.00")), "2026-01-13", [PAID, DUE, DUE],
     ["2026-01-12", None, None], None, False),
    ("a payment before the plan started does not count", pay(("2025-12-20", "100.00")), "2026-01-13",
     [MISSED, DUE, DUE], [None, None, None], 1, False),
    ("a payment after the day looked at does not count", pay(("2026-01-15", "100.00")), "2026-01-13",
     [MISSED, DUE, DUE], [None, None, None], 1, False),
    ("cumulative: the second payment completes the first instalment late",
     pay(("2026-01-09", "50.00"), ("2026-01-11", "50.00")), "2026-01-20", [PAID, DUE, DUE],
     ["2026-01-11", None, None], None, False),
]


@pytest.mark.parametrize(("what", "payments", "today", "statuses", "paid_on", "missed", "completed"), CASES,
                         ids=[c[0] for c in CASES])
def test_where_each_instalment_stands(what, payments, today, statuses, paid_on, missed, completed):
    state = evaluate(instalments=PLAN, payments=payments, start=START, today=D(today), grace_days=2)
    assert [i.status for i in state.instalments] == statuses
    assert [i.paid_on for i in state.instalments] == [D(d) if d else None for d in paid_on]
    assert (state.missed.seq if state.missed else None) == missed
    assert state.completed is completed
    assert state.on_track is (missed is None and not completed)


def test_what_is_left_of_a_partly_paid_instalment_and_the_current_one():
    state = evaluate(instalments=PLAN, payments=pay(("2026-01-09", "160.00")), start=START,
                     today=D("2026-01-20"), grace_days=2)
    second = state.instalments[1]
    assert (second.covered, second.remaining) == (M("60.00"), M("40.00"))
    assert state.current == second and state.paid == M("160.00") and state.total == M("300.00")


def test_no_grace_days_means_missed_the_day_after():
    state = evaluate(instalments=PLAN, payments=[], start=START, today=D("2026-01-11"), grace_days=0)
    assert state.missed is not None and state.missed.seq == 1


def test_the_equal_monthly_split_puts_the_odd_cent_on_the_last_instalment():
    assert split(total=M("1000.00"), count=3, first_date=D("2026-01-31")) == [
        (D("2026-01-31"), M("333.33")), (D("2026-02-28"), M("333.33")), (D("2026-03-31"), M("333.34"))]
    assert sum(a for _, a in split(total=M("0.05"), count=4, first_date=D("2026-01-01"))) == M("0.05")


@pytest.mark.parametrize(("schedule", "expected"), [
    ([("2026-02-01", "150.00"), ("2026-03-01", "150.00")], []),
    ([("2026-02-01", "150.00"), ("2026-03-01", "149.99")], ["écart : +0,01\u00a0€"]),
    ([("2026-02-01", "150.00"), ("2026-02-01", "150.00")], ["Échéance 2 : les dates doivent se suivre"]),
    ([("2026-01-14", "150.00"), ("2026-03-01", "150.00")], ["Échéance 1 : la date du 14/01/2026 est déjà passée"]),
    ([("2026-02-01", "300.00"), ("2026-03-01", "0.00")], ["Échéance 2 : le montant doit être positif"]),
    ([("2026-02-01", "150.005"), ("2026-03-01", "149.995")], ["Échéance 1 : le montant doit être positif, au centime",
                                                              "Échéance 2 : le montant doit être positif, au centime"]),
    ([], ["de 1 à 36 échéances"]),
])
def test_a_typed_schedule_is_checked_in_french(schedule, expected):
    rows = [(D(d), M(a)) for d, a in schedule]
    problems = schedule_problems(rows, total=M("300.00"), today=D("2026-01-15"))
    assert len(problems) == len(expected)
    for problem, text in zip(problems, expected, strict=True):
        assert text in problem
