"""Ships every value of the fact sheet (LEGAL-FR.md §3). 2026 H2 is unknown and stays absent.

The values are copied here (not imported) so that the history of shipped data never changes.
"""

from datetime import date
from decimal import Decimal as D

from django.db import migrations

ECB_SOURCE = "BCE, taux des opérations principales de refinancement (LEGAL-FR.md §3)"
ECB_URL = "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.fr.html"
HALF_SOURCE = ("Taux BCE au premier jour du semestre ; taux de l'intérêt légal fixé par arrêté "
               "(C. mon. fin. L313-2) (LEGAL-FR.md §3)")
HALF_URL = "https://www.banque-france.fr/fr/statistiques/taux-et-cours/taux-interet-legal"

ECB_DECISIONS = [
    (date(2016, 3, 16), "0.00"), (date(2022, 7, 27), "0.50"), (date(2022, 9, 14), "1.25"),
    (date(2022, 11, 2), "2.00"), (date(2022, 12, 21), "2.50"), (date(2023, 2, 8), "3.00"),
    (date(2023, 3, 22), "3.50"), (date(2023, 5, 10), "3.75"), (date(2023, 6, 21), "4.00"),
    (date(2023, 8, 2), "4.25"), (date(2023, 9, 20), "4.50"), (date(2024, 6, 12), "4.25"),
    (date(2024, 9, 18), "3.65"), (date(2024, 10, 23), "3.40"), (date(2024, 12, 18), "3.15"),
    (date(2025, 2, 5), "2.90"), (date(2025, 3, 12), "2.65"), (date(2025, 4, 23), "2.40"),
    (date(2025, 6, 11), "2.15"),
]

# year, half, ECB on the first day, legal rate "autres cas", legal rate creditor private person
HALF_YEARS = [
    (2022, 1, "0.00", "0.76", "3.13"), (2022, 2, "0.00", "0.77", "3.15"),
    (2023, 1, "2.50", "2.06", "4.47"), (2023, 2, "4.00", "4.22", "6.82"),
    (2024, 1, "4.50", "5.07", "8.01"), (2024, 2, "4.25", "4.92", "8.16"),
    (2025, 1, "3.15", "3.71", "7.21"), (2025, 2, "2.15", "2.76", "6.65"),
    (2026, 1, "2.15", "2.62", "6.67"),
]


def ship(apps, schema_editor):
    EcbDecision = apps.get_model("legal", "EcbDecision")
    RateHalfYear = apps.get_model("legal", "RateHalfYear")
    for day, rate in ECB_DECISIONS:
        EcbDecision.objects.update_or_create(
            effective_date=day, defaults={"rate": D(rate), "source": ECB_SOURCE, "source_url": ECB_URL})
    for year, half, ecb, other, private in HALF_YEARS:
        RateHalfYear.objects.update_or_create(year=year, half=half, defaults={
            "ecb_rate": D(ecb), "legal_rate_other": D(other), "legal_rate_private": D(private),
            "source": HALF_SOURCE, "source_url": HALF_URL})


def unship(apps, schema_editor):
    apps.get_model("legal", "EcbDecision").objects.filter(effective_date__in=[d for d, _ in ECB_DECISIONS]).delete()
    for year, half, *_ in HALF_YEARS:
        apps.get_model("legal", "RateHalfYear").objects.filter(year=year, half=half).delete()


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
