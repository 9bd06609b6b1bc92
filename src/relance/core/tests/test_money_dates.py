from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance.core.dates import is_business_day, next_business_day, parse_date
from relance.core.money import format_eur, money, parse_amount


@pytest.mark.parametrize(("text", "expected"), [
    ("1234,56", "1234.56"), ("1 234,56", "1234.56"), ("1\u202f234,56", "1234.56"), ("1.234,56", "1234.56"),
    ("1,234.56", "1234.56"), ("-12,5", "-12.5"), ("000000001234,50", "1234.50"), ("42", "42"), ("12,00 €", "12.00"),
])
def test_it_parses_french_and_english_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3x", "NaN", "Infinity"])
def test_it_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2))
def test_formatting_then_parsing_gives_the_amount_back(value):
    assert parse_amount(format_eur(value).replace("\u00a0€", "")) == value


def test_money_rounds_half_up_to_the_cent():
    assert money(Decimal("16.205")) == Decimal("16.21")
    assert money(Decimal("-0.005")) == Decimal("-0.01")


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-01", date(2025, 3, 1)), ("01/03/2025", date(2025, 3, 1)), ("1.3.2025", date(2025, 3, 1)),
    ("20250301", date(2025, 3, 1)), ("2025-03-01T10:00:00", date(2025, 3, 1)),
])
def test_it_parses_iso_french_and_compact_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "2025-13-01", "hier", ""])
def test_it_refuses_impossible_dates_in_french(text):
    with pytest.raises(ValueError, match="date illisible"):
        parse_date(text)


@pytest.mark.parametrize(("day", "region", "expected"), [
    (date(2025, 7, 14), "national", False),       # Fête nationale
    (date(2025, 7, 15), "national", True),
    (date(2025, 7, 12), "national", False),       # Saturday
    (date(2025, 12, 26), "national", True),
    (date(2025, 12, 26), "alsace_moselle", False),  # Saint-Étienne
    (date(2025, 4, 18), "national", True),
    (date(2025, 4, 18), "alsace_moselle", False),   # Vendredi saint
    (date(2025, 6, 9), "national", False),          # Lundi de Pentecôte
])
def test_business_days_follow_the_french_calendar(day, region, expected):
    assert is_business_day(day, region) is expected


def test_next_business_day_skips_a_long_weekend():
    assert next_business_day(date(2025, 5, 31)) == date(2025, 6, 2)
    assert next_business_day(date(2025, 12, 25)) == date(2025, 12, 26)
