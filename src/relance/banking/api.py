"""What the dunning run and the dashboard ask of the bank data. Owned by the banking app."""

from __future__ import annotations

from datetime import date
from typing import Any


def bank_staleness_warning(*, org: Any, today: date) -> str | None:
    """A French warning when the latest bank statement is older than the organisation's setting."""
    return None
