"""Limitation periods (prescription) of an unpaid invoice, counted from its due date.

- Professional against a consumer: 2 years (Code de la consommation L218-2).
- Every other case (B2B, public buyer): 5 years (Code de commerce L110-4, Code civil 2224).

Time is counted in days; the day the period starts is not counted and the period ends when its last day
has passed (Code civil 2228, 2229). `limitation_date` is therefore the LAST day on which the claim can
still be acted on (due date + N years, 28 February when the anniversary is a 29 February); from the next
day the claim is time-barred. A formal notice does not interrupt limitation; an acknowledgement of debt,
a court claim or an enforcement measure does — those interruptions are not modelled here.
"""

from __future__ import annotations

from datetime import date, timedelta

from relance.core.dates import add_months

CONSUMER_YEARS = 2
OTHER_YEARS = 5
WARNING_DAYS = 90


def limitation_years(kind: str) -> int:
    return CONSUMER_YEARS if kind == "b2c" else OTHER_YEARS


def limitation_date(*, kind: str, due_date: date) -> date:
    """The last day on which the claim is not yet time-barred."""
    return add_months(due_date, 12 * limitation_years(kind))


def limitation_warning_date(*, kind: str, due_date: date) -> date:
    """The day from which the customer page and the dunning run warn (90 days before limitation)."""
    return limitation_date(kind=kind, due_date=due_date) - timedelta(days=WARNING_DAYS)


def is_time_barred(*, kind: str, due_date: date, today: date) -> bool:
    """True from the day after `limitation_date`: the ladder stops for that invoice."""
    return today > limitation_date(kind=kind, due_date=due_date)
