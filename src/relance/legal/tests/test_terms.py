from datetime import date

import pytest

from relance.legal.terms import latest_lawful_due_date, payment_terms_exceeded

# Hand-computed latest lawful due dates: max(issue + 60 days, end of month + 45 days, end of month of issue + 45).
# 15 Jan 2025: +60 → 16 Mar; 31 Jan + 45 → 17 Mar; 15 Jan + 45 = 1 Mar → 31 Mar. Latest: 31 Mar.
# 31 Jan 2025: +60 → 1 Apr; 31 Jan + 45 → 17 Mar; 17 Mar → 31 Mar. Latest: 1 Apr.
# 1 Dec 2025: +60 → 30 Jan 2026; 31 Dec + 45 → 14 Feb 2026; 15 Jan → 31 Jan. Latest: 14 Feb 2026.
CASES = [
    (date(2025, 1, 15), date(2025, 3, 31), False),
    (date(2025, 1, 15), date(2025, 4, 1), True),
    (date(2025, 1, 31), date(2025, 4, 1), False),
    (date(2025, 1, 31), date(2025, 4, 2), True),
    (date(2025, 12, 1), date(2026, 2, 14), False),
    (date(2025, 12, 1), date(2026, 2, 15), True),
    (date(2025, 6, 1), date(2025, 7, 1), False),  # an ordinary 30-day term
]


@pytest.mark.parametrize(("issue", "due", "flagged"), CASES)
def test_it_flags_only_terms_beyond_every_lawful_reading(issue, due, flagged):
    assert payment_terms_exceeded(issue_date=issue, due_date=due) is flagged


def test_the_latest_lawful_due_date_is_the_most_generous_reading():
    assert latest_lawful_due_date(date(2025, 1, 15)) == date(2025, 3, 31)
    assert latest_lawful_due_date(date(2025, 12, 1)) == date(2026, 2, 14)
