from __future__ import annotations

from decimal import Decimal

import pytest

from relance.core.money import format_eur
from relance.legal.api import customer_penalties
from relance.legal.models import RateHalfYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates_for_this_half_year(today):
    # The shipped table stops at the last published half-year; the tests run on the real today.
    for year in (today.year - 1, today.year):
        for half in (1, 2):
            RateHalfYear.objects.get_or_create(year=year, half=half, defaults={
                "ecb_rate": Decimal("2.15"), "legal_rate_other": Decimal("2.62"),
                "legal_rate_private": Decimal("6.67")})


def test_a_business_debtor_sees_interest_and_the_40_euro_indemnities(client, url, org, customer, today,
                                                                       rates_for_this_half_year):
    expected = customer_penalties(org=org, customer=customer, today=today)
    assert expected.indemnities == Decimal("80.00") and expected.interest > 0

    page = client.get(url()).content.decode()

    assert "Pénalités de retard" in page
    assert format_eur(expected.interest) in page
    assert format_eur(Decimal("80.00")) in page


def test_a_consumer_without_formal_notice_sees_no_penalties(client, url, customer, rates_for_this_half_year):
    customer.kind = "b2c"
    customer.save()
    assert "Pénalités de retard" not in client.get(url()).content.decode()


def test_a_missing_rate_shows_no_figure_rather_than_a_wrong_one(client, url, today):
    RateHalfYear.objects.filter(year=today.year, half=1 if today.month <= 6 else 2).delete()
    response = client.get(url())
    assert response.status_code == 200 and "Pénalités de retard" not in response.content.decode()
