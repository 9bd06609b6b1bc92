"""Rate tables as plain data: half-years, their rates, and the error for a rate nobody recorded.

No ORM here: `relance.legal.api.rate_table()` builds a `RateTable` from the database rows, tests build
one from `relance.legal.data`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from relance.core.errors import ApplicationError

FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")


def french_date(day: date) -> str:
    """1er janvier 2026, 15 avril 2025."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {FRENCH_MONTHS[day.month - 1]} {day.year}"


class RateKind(StrEnum):
    ECB = "ecb"
    LEGAL_PRO = "legal_pro"  # legal interest rate, "autres cas": the creditor is not a private person
    LEGAL_PRIVATE = "legal_private"  # legal interest rate when the creditor is a private person


RATE_NAMES = {
    RateKind.ECB: gettext_noop("taux BCE"),
    RateKind.LEGAL_PRO: gettext_noop("taux de l'intérêt légal (autres cas)"),
    RateKind.LEGAL_PRIVATE: gettext_noop("taux de l'intérêt légal (créancier particulier)"),
}


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1: January–June, 2: July–December

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def starting(cls, day: date) -> HalfYear:
        """The half-year that starts on `day` (1 January or 1 July), else ValueError."""
        if (day.month, day.day) not in ((1, 1), (7, 1)):
            raise ValueError(f"{day.isoformat()} n'est pas un début de semestre (1er janvier ou 1er juillet)")
        return cls.of(day)

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    @property
    def label(self) -> str:
        """French: « 1er semestre 2025 », « 2e semestre 2026 »."""
        return f"{'1er' if self.half == 1 else '2e'} semestre {self.year}"

    def __str__(self) -> str:
        return f"{self.year} S{self.half}"


class MissingRateError(ApplicationError):
    """A rate the computation needs was never recorded: never guess, say which one and how to add it."""

    def __init__(self, half_year: HalfYear, kind: RateKind) -> None:
        self.half_year, self.kind = half_year, kind
        # in the reader's language (the staff pages); French for the command line and the worker
        english = (get_language() or "").startswith("en")
        day = half_year.first_day
        first_day = f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}" if english else french_date(day)
        if kind == RateKind.ECB:
            how = _("`relance rates add --kind ecb --from DATE_D_EFFET --rate TAUX` (la décision BCE en vigueur le "
                    "%(day)s)") % {"day": first_day}
        else:
            how = _("`relance rates add --kind %(kind)s --from %(day)s --rate TAUX`") % {
                "kind": kind.value, "day": half_year.first_day.isoformat()}
        half = (_("1er semestre %(year)s") if half_year.half == 1 else _("2e semestre %(year)s")) % {
            "year": half_year.year}
        super().__init__(
            _("%(rate)s du %(half)s inconnu : ajoutez-le dans Paramètres › Taux ou avec %(how)s") % {
                "rate": _(RATE_NAMES[kind]), "half": half, "how": how},
            extra={"half_year": str(half_year), "rate_kind": kind.value},
        )


@dataclass(frozen=True)
class HalfYearRates:
    """One row of the table: the ECB rate on the half-year's first day and both legal rates."""

    half_year: HalfYear
    ecb: Decimal | None = None
    legal_pro: Decimal | None = None
    legal_private: Decimal | None = None
    source: str = ""


@dataclass(frozen=True)
class RateTable:
    rows: Mapping[HalfYear, HalfYearRates] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[HalfYearRates]) -> RateTable:
        return cls({row.half_year: row for row in rows})

    def rate(self, half_year: HalfYear, kind: RateKind) -> Decimal:
        row = self.rows.get(half_year)
        value = getattr(row, kind.value) if row is not None else None
        if value is None:
            raise MissingRateError(half_year, kind)
        return Decimal(value)

    def ecb(self, half_year: HalfYear) -> Decimal:
        return self.rate(half_year, RateKind.ECB)

    def legal_pro(self, half_year: HalfYear) -> Decimal:
        return self.rate(half_year, RateKind.LEGAL_PRO)
