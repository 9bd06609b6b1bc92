"""What the dunning run and the dashboard ask of the bank data. Owned by the banking app."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _


def bank_staleness_warning(*, org: Any, today: date) -> str | None:
    """A warning when the latest bank statement is older than the organisation's setting (in the reader's language
    on the staff pages; French for the dunning run, whose warnings are recorded).

    No statement at all is a warning too: without bank data, customers who paid may be reminded.
    """
    from relance.banking.selectors import latest_statement_date

    latest = latest_statement_date(org)
    if latest is None:
        return _("Aucun relevé bancaire importé : des clients ayant déjà payé pourraient être relancés. "
                 "Importez un relevé (relance import bank FICHIER).")
    age = (today - latest).days
    if age <= org.bank_staleness_days:
        return None
    return _("Le dernier relevé bancaire date du %(day)s (il y a %(age)s jours, au-delà de %(limit)s jours) : des "
             "clients ayant déjà payé pourraient être relancés. Importez un relevé récent.") % {
        "day": latest.strftime("%d/%m/%Y"), "age": age, "limit": org.bank_staleness_days}
