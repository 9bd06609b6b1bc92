"""B2B payment-term check (Code de commerce L441-10 I): flag, never refuse.

The agreed term may not exceed 60 days from the invoice date, or 45 days end of month when expressly
agreed. The importer does not know which of the two was agreed, and "45 jours fin de mois" is read in
two ways in practice:

- end of the issue month, then + 45 days (15 January → 31 January + 45 = 17 March);
- issue date + 45 days, then the end of that month (15 January → 1 March → 31 March).

Interpretation chosen: an invoice is flagged only when its due date is later than EVERY lawful reading
(60 days, and both readings of 45 days end of month). A flag therefore always means a term beyond the
legal maximum whatever was agreed; borderline terms are not flagged.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

MAX_DAYS = 60
MAX_DAYS_END_OF_MONTH = 45


def _end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def latest_lawful_due_date(issue_date: date) -> date:
    """The latest due date any lawful B2B term allows for an invoice issued on `issue_date`."""
    sixty_days = issue_date + timedelta(days=MAX_DAYS)
    end_of_month_then_45 = _end_of_month(issue_date) + timedelta(days=MAX_DAYS_END_OF_MONTH)
    days_45_then_end_of_month = _end_of_month(issue_date + timedelta(days=MAX_DAYS_END_OF_MONTH))
    return max(sixty_days, end_of_month_then_45, days_45_then_end_of_month)


def payment_terms_exceeded(*, issue_date: date, due_date: date) -> bool:
    """True when the due date is beyond 60 days AND beyond 45 days end of month (both readings)."""
    return due_date > latest_lawful_due_date(issue_date)
