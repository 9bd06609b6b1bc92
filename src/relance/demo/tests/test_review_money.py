"""The demo's random shares of an amount are computed in Decimal (no float arithmetic on money)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.demo.generator import share_of


@pytest.mark.parametrize(("amount", "fraction", "expected"), [
    ("2.01", 0.5, "1.01"),          # exactly half a cent rounds up
    ("99999.79", 0.25, "24999.95"),  # 24999.9475
    ("999999999.99", 0.3, "300000000.00"),  # 299999999.997 — beyond float's exact cents at this size
    ("0.01", 0.2, "0.00"),
])
def test_a_share_of_an_amount_is_exact_to_the_cent(amount, fraction, expected):
    assert share_of(Decimal(amount), fraction) == Decimal(expected)


@settings(max_examples=200, deadline=None)
@given(cents=st.integers(min_value=1, max_value=99_999_999_999), fraction=st.floats(min_value=0.05, max_value=0.5))
def test_a_share_is_the_decimal_product_rounded_half_up(cents, fraction):
    amount = Decimal(cents) / 100
    result = share_of(amount, fraction)
    assert result == (amount * Decimal(repr(fraction))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert result.as_tuple().exponent == -2
