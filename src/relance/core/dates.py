"""The one date helper: French business days, explicit `today` everywhere."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

NATIONAL = "national"
ALSACE_MOSELLE = "alsace_moselle"


@lru_cache(maxsize=64)
def _holidays(year: int, region: str) -> frozenset[date]:
    # Alsace-Moselle adds Good Friday and St Stephen's day (26 December) to the national list.
    subdiv = "57" if region == ALSACE_MOSELLE else None
    return frozenset(holidays.France(years=year, subdiv=subdiv).keys())


def is_holiday(day: date, region: str = NATIONAL) -> bool:
    return day in _holidays(day.year, region)


def is_business_day(day: date, region: str = NATIONAL) -> bool:
    return day.weekday() < 5 and not is_holiday(day, region)


def next_business_day(day: date, region: str = NATIONAL) -> date:
    """The first business day on or after `day`."""
    while not is_business_day(day, region):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(text: str) -> date:
    """ISO (2025-03-01), French (01/03/2025, 1.3.2025) or compact (20250301) dates."""
    text = text.strip()
    if " " in text or "T" in text:
        text = re.split(r"[ T]", text)[0]
    for pattern, order in ((_YMD, "ymd"), (_DMY, "dmy"), (_COMPACT, "ymd")):
        if m := pattern.match(text):
            parts = [int(g) for g in m.groups()]
            y, mo, d = parts if order == "ymd" else (parts[2], parts[1], parts[0])
            try:
                return date(y, mo, d)
            except ValueError:
                break
    raise ValueError(f"date illisible : {text!r} (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def local_today() -> date:
    """Today in Europe/Paris; only entry points (CLI, views, worker) call this."""
    from django.utils import timezone

    return timezone.localdate()


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
