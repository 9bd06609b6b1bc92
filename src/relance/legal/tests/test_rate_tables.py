from datetime import date
from decimal import Decimal as D

import pytest

from relance.core.errors import ApplicationError
from relance.legal.api import rate_table
from relance.legal.data import ECB_DECISIONS, HALF_YEARS, fact_sheet_table
from relance.legal.models import EcbDecision, RateHalfYear
from relance.legal.rates import HalfYear, MissingRateError, RateKind
from relance.legal.services import ecb_decision_add, legal_rate_set

pytestmark = pytest.mark.django_db


def test_the_migration_ships_every_value_of_the_fact_sheet():
    shipped = [(d.effective_date, d.rate) for d in EcbDecision.objects.order_by("effective_date")]
    assert shipped == list(ECB_DECISIONS)
    rows = [(r.year, r.half, r.ecb_rate, r.legal_rate_other, r.legal_rate_private)
            for r in RateHalfYear.objects.order_by("year", "half")]
    assert rows == list(HALF_YEARS)
    assert {hy: (r.ecb, r.legal_pro, r.legal_private) for hy, r in rate_table().rows.items()} == {
        hy: (r.ecb, r.legal_pro, r.legal_private) for hy, r in fact_sheet_table().rows.items()}


def test_every_shipped_half_year_agrees_with_the_ecb_decisions():
    for row in RateHalfYear.objects.all():
        in_force = EcbDecision.objects.filter(effective_date__lte=row.first_day).order_by("-effective_date").first()
        assert in_force.rate == row.ecb_rate, row


def test_2026_h2_is_unknown_until_someone_records_it():
    with pytest.raises(MissingRateError, match="2e semestre 2026"):
        rate_table().ecb(HalfYear(2026, 2))


def test_an_ecb_decision_sets_the_next_half_year_it_is_in_force_on():
    decision, rows = ecb_decision_add(effective_date=date(2026, 6, 10), rate=D("2.00"), source="BCE")
    assert [(r.year, r.half, r.ecb_rate) for r in rows] == [(2026, 2, D("2.00"))]
    assert rate_table().ecb(HalfYear(2026, 2)) == D("2.00")
    with pytest.raises(MissingRateError, match="autres cas"):
        rate_table().legal_pro(HalfYear(2026, 2))
    # A later decision before 1 July replaces it; the earlier one no longer sets any half-year.
    ecb_decision_add(effective_date=date(2026, 6, 24), rate=D("1.90"))
    assert rate_table().ecb(HalfYear(2026, 2)) == D("1.90")
    assert rate_table().ecb(HalfYear(2026, 1)) == D("2.15")


def test_a_decision_on_a_first_day_sets_that_half_year():
    _, rows = ecb_decision_add(effective_date=date(2026, 7, 1), rate=D("1.75"))
    assert [(r.year, r.half) for r in rows] == [(2026, 2)]


def test_a_legal_rate_must_start_on_1_january_or_1_july():
    row = legal_rate_set(kind=RateKind.LEGAL_PRO, start=date(2026, 7, 1), rate=D("2.50"))
    assert (row.year, row.half, row.legal_rate_other, row.ecb_rate) == (2026, 2, D("2.50"), None)
    with pytest.raises(ApplicationError, match="début de semestre"):
        legal_rate_set(kind=RateKind.LEGAL_PRIVATE, start=date(2026, 7, 2), rate=D("6.00"))


@pytest.mark.parametrize("rate", [D("2.155"), D("500"), D("NaN")])
def test_a_rate_with_three_decimals_or_out_of_bounds_is_refused(rate):
    with pytest.raises(ApplicationError, match="Taux invalide"):
        ecb_decision_add(effective_date=date(2026, 6, 10), rate=rate)
