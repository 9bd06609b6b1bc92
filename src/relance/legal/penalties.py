"""French late-payment penalties, exact to the cent: a pure function over plain data.

Rules (sources in `SOURCES`, interpretations in docs/readme/legal.md):
- b2b: from the day after the due date, without formal notice, simple interest on the amount incl. tax,
  actual days / 365, at the ECB rate of the half-year's first day + 10 points, each half-year's rate for
  its own days (`split_half_years=False`: the rate of the half-year in which the delay started, frozen).
  A contractual rate replaces it, but never below 3 × the legal rate ("autres cas") of the half-year: below
  it the clause is flagged unlawful and the floor is used. 40 € indemnity per invoice paid late.
- public: ECB rate of the first day of the half-year in which the delay started + 8 points, frozen; 40 €.
- b2c: no indemnity, never any fee; legal rate ("autres cas", the creditor is a business) from the day
  after the formal notice only, each half-year's rate for its days; no notice, no interest.
- Partial payments: interest runs on the balance as it was each day; a settlement dated D still counts
  for day D (funds available that day), the balance drops from D + 1 — the same convention as the
  documented example (due 1 March, paid 15 April: 45 days, 2 March to 15 April).
- Interest is summed exactly (fractions) and rounded once, to the cent, half up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from relance.core.errors import ApplicationError
from relance.core.money import format_eur
from relance.legal.rates import HalfYear, RateTable, french_date

B2B, B2C, PUBLIC = "b2b", "b2c", "public"
KINDS = (B2B, B2C, PUBLIC)
INDEMNITY = Decimal("40.00")
B2B_POINTS = Decimal("10")
PUBLIC_POINTS = Decimal("8")
FLOOR_MULTIPLIER = 3
DAYS_PER_YEAR = 365
NO_NOTICE = "Aucune mise en demeure : aucun intérêt de retard n'est dû par un particulier sans mise en demeure."

SOURCES = {
    B2B: (
        "Code de commerce, art. L441-10 II : taux BCE + 10 points, dû sans rappel dès le lendemain de "
        "l'échéance ; un taux contractuel ne peut être inférieur à 3 fois le taux de l'intérêt légal",
        "Code de commerce, art. D441-5 : indemnité forfaitaire pour frais de recouvrement de 40 €",
        "Code monétaire et financier, art. L313-2 : taux de l'intérêt légal, fixé par semestre",
    ),
    PUBLIC: (
        "Code de la commande publique, art. L2192-13 : intérêts moratoires dès le lendemain du délai de paiement",
        "Code de la commande publique, art. R2192-31 : taux BCE au premier jour du semestre où le retard "
        "a commencé + 8 points",
        "Code de la commande publique, art. D2192-35 : indemnité forfaitaire de 40 €",
    ),
    B2C: (
        "Code civil, art. 1231-6 et 1344-1 : intérêts au taux légal à compter de la mise en demeure",
        "Code monétaire et financier, art. L313-2 : taux de l'intérêt légal (autres cas : créancier professionnel)",
        "Code des procédures civiles d'exécution, art. L111-8 : aucun frais de recouvrement à la charge du "
        "consommateur sans titre exécutoire",
    ),
}


@dataclass(frozen=True)
class Settlement:
    """Money applied to the invoice on `day` (a payment, a credit note, the accounting system's word)."""

    day: date
    amount: Decimal


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    rate: Decimal
    base: Decimal
    basis: str  # why this rate, in French
    exact_interest: Fraction = field(repr=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def interest(self) -> Decimal:
        """This period's share, rounded for display only (the total is rounded once)."""
        return round_cents(self.exact_interest)

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days,
                "rate": rate_text(self.rate)}


@dataclass(frozen=True)
class PenaltyResult:
    kind: str
    principal: Decimal
    due_date: date
    as_of: date
    paid_on: date | None
    days_late: int
    interest: Decimal
    indemnity: Decimal
    periods: tuple[Period, ...]
    explanation: tuple[str, ...]
    sources: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    contract_rate_unlawful: bool = False

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnity

    def as_json(self) -> dict[str, Any]:
        """The documented shape of `relance penalties --json` (plus `warnings` when there are some)."""
        payload: dict[str, Any] = {
            "principal": f"{self.principal:.2f}", "days_late": self.days_late,
            "interest": f"{self.interest:.2f}", "indemnity": f"{self.indemnity:.2f}",
            "total": f"{self.total:.2f}", "periods": [p.as_dict() for p in self.periods],
        }
        if self.warnings:
            payload["warnings"] = list(self.warnings)
        return payload


def round_cents(value: Fraction) -> Decimal:
    """Round an exact non-negative amount to the cent, half up."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def rate_text(rate: Decimal) -> str:
    """13.15, 12.50, 12.125 — at least two decimals, never a rounded-away digit."""
    normal = rate.normalize()
    return f"{rate:.2f}" if -normal.as_tuple().exponent <= 2 else str(normal)  # type: ignore[operator]


def percent_fr(rate: Decimal) -> str:
    return f"{rate_text(rate).replace('.', ',')} %"


def indemnity_owed(kind: str, days_late: int) -> Decimal:
    """The fixed recovery indemnity (C. com. D441-5, C. commande publique D2192-35): 40 € per invoice paid late,
    even partly, owed by professionals and public buyers only — never by a consumer (CPCE L111-8). It needs no
    rate, so it is known even when a half-year's rate is missing and the interest must wait."""
    return INDEMNITY if kind in (B2B, PUBLIC) and days_late > 0 else Decimal("0.00")


def settled_on(principal: Decimal, settlements: Sequence[Settlement]) -> date | None:
    """The day the settlements first cover the principal, or None."""
    covered = Decimal("0")
    for s in sorted(settlements, key=lambda s: s.day):
        covered += s.amount
        if covered >= principal:
            return s.day
    return None


def compute_penalties(
    *, table: RateTable, kind: str, principal: Decimal, due_date: date, as_of: date,
    settlements: Sequence[Settlement] = (), notice_date: date | None = None,
    contract_rate: Decimal | None = None, split_half_years: bool = True,
) -> PenaltyResult:
    """Interest and indemnity owed on one invoice, counted up to `as_of` (or the day it was settled)."""
    _check_input(kind, principal, contract_rate)
    paid_on = settled_on(principal, settlements) if principal > 0 else due_date
    end = min(as_of, paid_on) if paid_on is not None else as_of
    days_late = max((end - due_date).days, 0)
    if days_late == 0:
        return _on_time(kind, principal, due_date, as_of, paid_on)
    start = _interest_start(kind, due_date, notice_date)
    rater = _Rater(table, kind, due_date, contract_rate, split_half_years)
    periods = _periods(start, end, principal, settlements, rater) if start and start <= end else ()
    exact = sum((p.exact_interest for p in periods), Fraction(0))
    indemnity = indemnity_owed(kind, days_late)
    interest = round_cents(exact)
    result = PenaltyResult(
        kind=kind, principal=principal, due_date=due_date, as_of=as_of,
        paid_on=paid_on if paid_on is not None and paid_on <= as_of else None, days_late=days_late,
        interest=interest, indemnity=indemnity, periods=periods, explanation=(), sources=SOURCES[kind],
        warnings=tuple(rater.warnings), contract_rate_unlawful=rater.unlawful,
    )
    return _with_explanation(result, settlements, notice_date, contract_rate, end)


def _check_input(kind: str, principal: Decimal, contract_rate: Decimal | None) -> None:
    if kind not in KINDS:
        raise ApplicationError(_("Type de client inconnu : %(kind)s (attendu b2b, b2c ou public).") % {"kind": kind})
    if principal < 0:
        raise ApplicationError(_("Le montant ne peut pas être négatif."))
    if contract_rate is not None and contract_rate <= 0:
        raise ApplicationError(_("Le taux contractuel doit être positif."))


def _on_time(kind: str, principal: Decimal, due: date, as_of: date, paid_on: date | None) -> PenaltyResult:
    if paid_on is not None and paid_on <= as_of:
        why = f"Facture réglée le {french_date(paid_on)}, au plus tard à l'échéance du {french_date(due)}"
    else:
        why = f"Au {french_date(as_of)}, l'échéance du {french_date(due)} n'est pas dépassée"
    return PenaltyResult(
        kind=kind, principal=principal, due_date=due, as_of=as_of,
        paid_on=paid_on if paid_on is not None and paid_on <= as_of else None, days_late=0,
        interest=Decimal("0.00"), indemnity=Decimal("0.00"), periods=(),
        explanation=(f"{why} : ni intérêts de retard ni indemnité.",), sources=SOURCES[kind],
    )


def _interest_start(kind: str, due: date, notice_date: date | None) -> date | None:
    if kind != B2C:
        return due + timedelta(days=1)
    if notice_date is None:
        return None
    return max(due, notice_date) + timedelta(days=1)


class _Rater:
    """The annual rate for a period starting on a given day, and why — with the contractual floor check."""

    def __init__(self, table: RateTable, kind: str, due: date, contract_rate: Decimal | None, split: bool) -> None:
        self.table, self.kind, self.split = table, kind, split
        self.delay_start = HalfYear.of(due + timedelta(days=1))
        self.contract_rate = contract_rate if kind == B2B else None
        self.warnings: list[str] = []
        self.unlawful = False

    def rate(self, day: date) -> tuple[Decimal, str]:
        if self.kind == PUBLIC:
            hy = self.delay_start
            ecb = self.table.ecb(hy)
            return ecb + PUBLIC_POINTS, (f"taux BCE au {french_date(hy.first_day)}, {percent_fr(ecb)}, + 8 points, "
                                         f"figé au semestre où le retard a commencé")
        hy = HalfYear.of(day)
        if self.kind == B2C:
            return self.table.legal_pro(hy), f"taux de l'intérêt légal (autres cas) du {hy.label}"
        hy = hy if self.split else self.delay_start
        if self.contract_rate is not None:
            return self._contractual(hy, self.contract_rate)
        ecb = self.table.ecb(hy)
        return ecb + B2B_POINTS, f"taux BCE au {french_date(hy.first_day)}, {percent_fr(ecb)}, + 10 points"

    def _contractual(self, hy: HalfYear, contract_rate: Decimal) -> tuple[Decimal, str]:
        legal = self.table.legal_pro(hy)
        floor = legal * FLOOR_MULTIPLIER
        if contract_rate >= floor:
            return contract_rate, "taux contractuel"
        self.unlawful = True
        warning = (f"Taux contractuel de {percent_fr(contract_rate)} inférieur au minimum légal du {hy.label} "
                   f"(3 × {percent_fr(legal)} = {percent_fr(floor)}) : clause illicite, le minimum légal est appliqué.")
        if warning not in self.warnings:
            self.warnings.append(warning)
        return floor, f"minimum légal : 3 × le taux de l'intérêt légal du {hy.label}, {percent_fr(legal)}"


def _boundaries(start: date, end: date, settlements: Sequence[Settlement], split: bool) -> list[date]:
    days = {start}
    if split:
        hy = HalfYear.of(start).next()
        while hy.first_day <= end:
            days.add(hy.first_day)
            hy = hy.next()
    days.update(s.day + timedelta(days=1) for s in settlements if start <= s.day < end)
    return sorted(days)


def _periods(start: date, end: date, principal: Decimal, settlements: Sequence[Settlement],
             rater: _Rater) -> tuple[Period, ...]:
    split = rater.kind != PUBLIC
    bounds = _boundaries(start, end, settlements, split)
    periods = []
    for first, nxt in zip(bounds, [*bounds[1:], end + timedelta(days=1)], strict=True):
        base = principal - sum((s.amount for s in settlements if s.day < first), Decimal("0"))
        if base <= 0:
            continue
        rate, basis = rater.rate(first)
        days = (nxt - first).days
        exact = Fraction(base) * Fraction(rate) * days / (100 * DAYS_PER_YEAR)
        periods.append(Period(first, nxt - timedelta(days=1), rate, base, basis, exact))
    return _merge(periods)


def _merge(periods: list[Period]) -> tuple[Period, ...]:
    """Join neighbours with the same rate and base (a frozen or contractual rate across half-years)."""
    merged: list[Period] = []
    for p in periods:
        last = merged[-1] if merged else None
        if last and (last.rate, last.base, last.basis) == (p.rate, p.base, p.basis):
            merged[-1] = Period(last.start, p.end, p.rate, p.base, p.basis, last.exact_interest + p.exact_interest)
        else:
            merged.append(p)
    return tuple(merged)


def _with_explanation(result: PenaltyResult, settlements: Sequence[Settlement], notice_date: date | None,
                      contract_rate: Decimal | None, end: date) -> PenaltyResult:
    lines = [_headline(result)]
    lines += _rule_lines(result, notice_date, contract_rate)
    for s in sorted(settlements, key=lambda s: s.day):
        if result.due_date <= s.day < end:
            lines.append(f"Règlement de {format_eur(s.amount)} le {french_date(s.day)} : "
                         f"les intérêts courent ensuite sur le solde restant dû.")
    for p in result.periods:
        lines.append(f"Du {french_date(p.start)} au {french_date(p.end)} ({p.days} j) : {format_eur(p.base)} × "
                     f"{percent_fr(p.rate)} × {p.days} / 365 = {format_eur(p.interest)} — {p.basis}.")
    lines.append(f"Intérêts de retard : {format_eur(result.interest)} (intérêts simples, calcul exact arrondi "
                 f"au centime le plus proche, demi-centime au-dessus).")
    if result.kind != B2C:
        lines.append(f"Indemnité forfaitaire pour frais de recouvrement : {format_eur(result.indemnity)}.")
    lines.append(f"Total des pénalités : {format_eur(result.total)}.")
    lines += list(result.warnings)
    return replace(result, explanation=tuple(lines))


def _headline(result: PenaltyResult) -> str:
    head = f"Facture de {format_eur(result.principal)} TTC échue le {french_date(result.due_date)}"
    if result.paid_on is not None:
        return f"{head}, soldée le {french_date(result.paid_on)} : {result.days_late} jours de retard."
    return f"{head}, non soldée au {french_date(result.as_of)} : {result.days_late} jours de retard."


def _rule_lines(result: PenaltyResult, notice_date: date | None, contract_rate: Decimal | None) -> list[str]:
    if result.kind == B2B:
        return ["Client professionnel : intérêts dus de plein droit, sans mise en demeure, à compter du "
                "lendemain de l'échéance, sur le montant TTC, jours réels / 365."]
    ignored = ([f"Le taux contractuel ({percent_fr(contract_rate)}) ne s'applique pas à ce type de client."]
               if contract_rate is not None else [])
    if result.kind == PUBLIC:
        return ["Acheteur public : intérêts moratoires à compter du lendemain de l'échéance, au taux BCE du "
                "premier jour du semestre où le retard a commencé + 8 points, figé pour toute la durée du retard.",
                *ignored]
    lines = ["Client particulier : aucune indemnité ni aucun frais de recouvrement ; intérêts au taux de "
             "l'intérêt légal seulement à compter de la mise en demeure.", *ignored]
    if notice_date is None:
        lines.append(NO_NOTICE)
    elif not result.periods:
        lines.append(f"Mise en demeure du {french_date(notice_date)} : aucun jour de retard après elle "
                     f"dans la période calculée, donc aucun intérêt.")
    else:
        lines.append(f"Mise en demeure du {french_date(notice_date)} : intérêts à compter du lendemain.")
    return lines
