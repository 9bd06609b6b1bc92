"""What the dunning run and the dashboard ask of the bank data. Owned by the banking app."""

from __future__ import annotations

from datetime import date
from typing import Any


def bank_staleness_warning(*, org: Any, today: date) -> str | None:
    """A French warning when the latest bank statement is older than the organisation's setting.

    No statement at all is a warning too: without bank data, customers who paid may be reminded.
    """
    from relance.banking.selectors import latest_statement_date

    latest = latest_statement_date(org)
    if latest is None:
        return ("Aucun relevé bancaire importé : des clients ayant déjà payé pourraient être relancés. "
                "Importez un relevé (relance import bank FICHIER).")
    age = (today - latest).days
    if age <= org.bank_staleness_days:
        return None
    return (f"Le dernier relevé bancaire date du {latest.strftime('%d/%m/%Y')} (il y a {age} jours, au-delà de "
            f"{org.bank_staleness_days} jours) : des clients ayant déjà payé pourraient être relancés. "
            f"Importez un relevé récent.")
