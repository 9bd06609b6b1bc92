"""What reminders call to put the debtor portal link in a message. Owned by the portal app."""

from __future__ import annotations

from datetime import date
from typing import Any


def portal_link_for(*, customer: Any, today: date) -> str:
    """A fresh private link for this customer (renews the token). Empty until the portal exists."""
    return ""
