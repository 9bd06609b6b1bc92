"""The values of the fact sheet (LEGAL-FR.md §3), as plain data.

The database tables are seeded with these values by migration 0002 (which keeps its own copy, so that a
later edit here never rewrites history); tests use them to build a `RateTable` without a database.
2026 H2 is absent on purpose: it is unknown until someone records it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from relance.legal.rates import HalfYear, HalfYearRates, RateTable

ECB_SOURCE = "BCE, taux des opérations principales de refinancement (LEGAL-FR.md §3)"
ECB_SOURCE_URL = "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.fr.html"
LEGAL_SOURCE = "Arrêté fixant le taux de l'intérêt légal, C. mon. fin. L313-2 (LEGAL-FR.md §3)"
LEGAL_SOURCE_URL = "https://www.banque-france.fr/fr/statistiques/taux-et-cours/taux-interet-legal"

#: ECB main refinancing rate by date of effect.
ECB_DECISIONS: tuple[tuple[date, D], ...] = (
    (date(2016, 3, 16), D("0.00")),
    (date(2022, 7, 27), D("0.50")),
    (date(2022, 9, 14), D("1.25")),
    (date(2022, 11, 2), D("2.00")),
    (date(2022, 12, 21), D("2.50")),
    (date(2023, 2, 8), D("3.00")),
    (date(2023, 3, 22), D("3.50")),
    (date(2023, 5, 10), D("3.75")),
    (date(2023, 6, 21), D("4.00")),
    (date(2023, 8, 2), D("4.25")),
    (date(2023, 9, 20), D("4.50")),
    (date(2024, 6, 12), D("4.25")),
    (date(2024, 9, 18), D("3.65")),
    (date(2024, 10, 23), D("3.40")),
    (date(2024, 12, 18), D("3.15")),
    (date(2025, 2, 5), D("2.90")),
    (date(2025, 3, 12), D("2.65")),
    (date(2025, 4, 23), D("2.40")),
    (date(2025, 6, 11), D("2.15")),
)

#: (year, half, ECB on the first day, legal rate "autres cas", legal rate creditor private person)
HALF_YEARS: tuple[tuple[int, int, D, D, D], ...] = (
    (2022, 1, D("0.00"), D("0.76"), D("3.13")),
    (2022, 2, D("0.00"), D("0.77"), D("3.15")),
    (2023, 1, D("2.50"), D("2.06"), D("4.47")),
    (2023, 2, D("4.00"), D("4.22"), D("6.82")),
    (2024, 1, D("4.50"), D("5.07"), D("8.01")),
    (2024, 2, D("4.25"), D("4.92"), D("8.16")),
    (2025, 1, D("3.15"), D("3.71"), D("7.21")),
    (2025, 2, D("2.15"), D("2.76"), D("6.65")),
    (2026, 1, D("2.15"), D("2.62"), D("6.67")),
)


def fact_sheet_table() -> RateTable:
    return RateTable.from_rows(
        HalfYearRates(HalfYear(y, h), ecb=ecb, legal_pro=pro, legal_private=private, source="LEGAL-FR.md")
        for y, h, ecb, pro, private in HALF_YEARS
    )
