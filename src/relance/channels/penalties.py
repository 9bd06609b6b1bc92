"""Penalty figures come from the legal module only; this adapter never computes any itself."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from relance.core.errors import ApplicationError
from relance.core.money import ZERO, money

if TYPE_CHECKING:
    from relance.channels.context import MessageContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PenaltyFigures:
    """What a document may claim on one invoice. `pending` (the legal module's French reason) means the
    interest could not be computed: it is claimed "à parfaire", never as a guessed or zero figure."""

    interest: Decimal = ZERO
    indemnity: Decimal = ZERO
    pending: str = ""
    #: the half-year whose rate is missing, as (year, half), when the legal module named one
    missing_half_year: tuple[int, int] | None = None


def invoice_penalty_figures(*, org: Any, invoice: Any, today: date, kind: str) -> PenaltyFigures:
    """Interest and indemnity for one invoice on `today`, from relance.legal.api.

    The indemnity is forced to zero for consumers (CPCE L111-8) whatever the data says. When the legal
    module refuses the interest (a rate missing from the table), the indemnity still stands — it needs no
    rate, and `legal.api.invoice_indemnity` applies the same rule as `customer_indemnities` — and the interest
    is marked pending with the reason.
    """
    from relance.legal.api import invoice_indemnity, invoice_penalties

    try:
        result = invoice_penalties(org=org, invoice=invoice, today=today)
    except ApplicationError as exc:
        log.warning("interest unavailable for %s: %s", invoice.number, exc.message)
        indemnity = ZERO if kind == "b2c" else money(invoice_indemnity(org=org, invoice=invoice, today=today))
        half_year = getattr(exc, "half_year", None)
        return PenaltyFigures(indemnity=indemnity, pending=exc.message,
                              missing_half_year=(half_year.year, half_year.half) if half_year else None)
    return PenaltyFigures(money(result.interest), ZERO if kind == "b2c" else money(result.indemnity))


def interest_pending_warning(ctx: MessageContext) -> str:
    """For the staff, before a message goes: why its interest is not computed and what the message says
    instead; empty when every figure is known."""
    if not ctx.penalty_warnings:
        return ""
    return _("Intérêts de retard non calculés : %(reasons)s. Le message réclame le principal et les indemnités, "
             "et les intérêts « à parfaire ».") % {"reasons": " ; ".join(ctx.penalty_warnings)}
