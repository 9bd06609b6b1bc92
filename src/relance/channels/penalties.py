"""Penalty figures come from the legal module only; this adapter never computes any itself."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from relance.core.errors import ApplicationError
from relance.core.money import ZERO, money

log = logging.getLogger(__name__)


def invoice_penalty_figures(*, org: Any, invoice: Any, today: date, kind: str) -> tuple[Decimal, Decimal]:
    """(interest, indemnity) for one invoice on `today`, from relance.legal.api.

    The indemnity is forced to zero for consumers (CPCE L111-8) whatever the data says. When the legal
    module refuses (a rate missing from the table), the document goes without penalty figures rather
    than with guessed ones.
    """
    from relance.legal.api import invoice_penalties

    try:
        result = invoice_penalties(org=org, invoice=invoice, today=today)
    except ApplicationError as exc:
        log.warning("penalties unavailable for %s: %s", invoice.number, exc.message)
        return ZERO, ZERO
    return money(result.interest), (ZERO if kind == "b2c" else money(result.indemnity))
