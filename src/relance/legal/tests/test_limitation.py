from datetime import date

import pytest

from relance.legal.limitation import is_time_barred, limitation_date, limitation_warning_date

# due 1 Mar 2025, b2b: 5 years → 1 Mar 2030; 90 days before: 28 Feb (1) … 31 Jan (29) … 31 Dec (60) … 1 Dec 2029 (90).
# due 29 Feb 2024, b2c: 2 years → 28 Feb 2026 (no 29 Feb in 2026); 90 days before → 30 Nov 2025.
CASES = [
    ("b2b", date(2025, 3, 1), date(2030, 3, 1), date(2029, 12, 1)),
    ("public", date(2025, 3, 1), date(2030, 3, 1), date(2029, 12, 1)),
    ("b2c", date(2025, 3, 1), date(2027, 3, 1), date(2026, 12, 1)),
    ("b2c", date(2024, 2, 29), date(2026, 2, 28), date(2025, 11, 30)),
]


@pytest.mark.parametrize(("kind", "due", "limit", "warn"), CASES)
def test_it_counts_two_years_for_consumers_and_five_otherwise(kind, due, limit, warn):
    assert limitation_date(kind=kind, due_date=due) == limit
    assert limitation_warning_date(kind=kind, due_date=due) == warn


def test_a_claim_is_time_barred_only_after_its_last_day():
    due = date(2025, 3, 1)
    assert not is_time_barred(kind="b2c", due_date=due, today=date(2027, 3, 1))
    assert is_time_barred(kind="b2c", due_date=due, today=date(2027, 3, 2))
