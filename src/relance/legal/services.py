"""Writes to the rate tables. The ECB column of a half-year row follows the decisions (the record)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from relance.core.errors import ApplicationError
from relance.legal.models import EcbDecision, RateHalfYear
from relance.legal.rates import HalfYear, RateKind
from relance.legal.selectors import ecb_decision_in_force

MIN_RATE, MAX_RATE = Decimal("-10"), Decimal("100")
LEGAL_COLUMNS = {RateKind.LEGAL_PRO: "legal_rate_other", RateKind.LEGAL_PRIVATE: "legal_rate_private"}


def rates_editor(user: Any) -> bool:
    """The rate tables belong to the whole install: only its administrators (staff or superuser) change them."""
    return bool(getattr(user, "is_active", False) and (user.is_staff or user.is_superuser))


def rate_check(rate: Decimal) -> Decimal:
    """A percentage with at most two decimals, within sane bounds."""
    if not rate.is_finite() or rate != rate.quantize(Decimal("0.01")):
        raise ApplicationError(_("Taux invalide : %(rate)s (deux décimales au plus, par exemple 2.15).") % {"rate": rate})
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ApplicationError(_("Taux invalide : %(rate)s %% (attendu entre %(min)s et %(max)s).")
                               % {"rate": rate, "min": MIN_RATE, "max": MAX_RATE})
    return rate.quantize(Decimal("0.01"))


@transaction.atomic
def ecb_decision_add(*, effective_date: date, rate: Decimal, source: str = "",
                     source_url: str = "") -> tuple[EcbDecision, list[RateHalfYear]]:
    """Record (or correct) a decision; returns it with the half-year rows whose ECB rate it now sets.

    A decision sets the ECB column of every half-year whose first day it is in force on. The first such
    half-year gets a row if it had none (its legal rates stay unknown until recorded).
    """
    rate = rate_check(rate)
    decision, _created = EcbDecision.objects.update_or_create(
        effective_date=effective_date, defaults={"rate": rate, "source": source, "source_url": source_url})
    rows = ecb_rows_refresh(since=effective_date)
    return decision, [row for row in rows if row.ecb_rate == rate and _in_force_is(row, decision)]


def _in_force_is(row: RateHalfYear, decision: EcbDecision) -> bool:
    in_force = ecb_decision_in_force(row.first_day)
    return in_force is not None and in_force.pk == decision.pk


def ecb_rows_refresh(*, since: date) -> list[RateHalfYear]:
    """Recompute the ECB column of the half-years starting on or after `since` from the decisions."""
    first = HalfYear.of(since)
    if first.first_day != since:
        first = first.next()
    RateHalfYear.objects.get_or_create(year=first.year, half=first.half)
    rows = [row for row in RateHalfYear.objects.order_by("year", "half") if row.first_day >= since]
    for row in rows:
        in_force = ecb_decision_in_force(row.first_day)
        rate = in_force.rate if in_force is not None else None
        if rate != row.ecb_rate:
            row.ecb_rate = rate
            row.save(update_fields=["ecb_rate", "updated_at"])
    return rows


@transaction.atomic
def legal_rate_set(*, kind: RateKind, start: date, rate: Decimal, source: str = "",
                   source_url: str = "") -> RateHalfYear:
    """Set a legal interest rate for the half-year starting on `start` (1 January or 1 July)."""
    if kind not in LEGAL_COLUMNS:
        raise ApplicationError(_("Type de taux légal inconnu : %(kind)s.") % {"kind": kind})
    try:
        hy = HalfYear.starting(start)
    except ValueError as exc:
        raise ApplicationError(_("Date de début invalide : %(error)s.") % {"error": exc})
    row, _created = RateHalfYear.objects.get_or_create(year=hy.year, half=hy.half)
    setattr(row, LEGAL_COLUMNS[kind], rate_check(rate))
    if source:
        row.source = source
    if source_url:
        row.source_url = source_url
    row.save()
    return row


def rate_half_year_save(*, row: RateHalfYear) -> RateHalfYear:
    """Save an edited half-year row (from the web form) after checking every rate."""
    for column in ("ecb_rate", "legal_rate_other", "legal_rate_private"):
        value = getattr(row, column)
        if value is not None:
            setattr(row, column, rate_check(value))
    if row.half not in (1, 2):
        raise ApplicationError(_("Le semestre doit être 1 ou 2."))
    row.save()
    return row
