"""Payment plans as pure functions: the default split, and where each instalment stands on a day.

No ORM here. The rule (issue #7): an instalment counts as paid when the cumulative allocations to the plan's
invoices since the plan started reach the cumulative instalment amounts due up to it (so an early or larger
payment covers the next instalments). An instalment still unpaid after its due date plus the organisation's
grace days (the calendar days of promises, engine rule 7) is missed, and a missed instalment breaks the plan —
whether it is the last one or one in the middle while later ones are still to come.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from relance.core.dates import add_months
from relance.core.money import ZERO, format_eur, money

PAID, DUE, LATE, MISSED = "paid", "due", "late", "missed"
STATUS_LABELS = {PAID: "payée", DUE: "à venir", LATE: "en retard (délai de grâce)", MISSED: "manquée"}
MAX_INSTALMENTS = 36


@dataclass(frozen=True, slots=True)
class Due:
    """One instalment of a plan as agreed."""

    seq: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InstalmentState:
    seq: int
    due_date: date
    amount: Decimal
    status: str  # PAID, DUE, LATE or MISSED
    paid_on: date | None  # the day the cumulative payments reached this instalment
    covered: Decimal  # what the payments cover of this instalment (≤ amount)

    @property
    def remaining(self) -> Decimal:
        return money(self.amount - self.covered)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class PlanState:
    instalments: tuple[InstalmentState, ...]
    total: Decimal
    paid: Decimal  # counted payments since the start, up to the day (may exceed the total)

    @property
    def missed(self) -> InstalmentState | None:
        """The first missed instalment: it breaks the plan."""
        return next((i for i in self.instalments if i.status == MISSED), None)

    @property
    def completed(self) -> bool:
        return self.paid >= self.total

    @property
    def current(self) -> InstalmentState | None:
        """The first instalment not yet paid: what the plan waits for."""
        return next((i for i in self.instalments if i.status != PAID), None)

    @property
    def on_track(self) -> bool:
        return not self.completed and self.missed is None


def split(*, total: Decimal, count: int, first_date: date) -> list[tuple[date, Decimal]]:
    """Monthly instalments: equal amounts rounded down to the cent, the remainder on the last one."""
    if count < 1 or total <= 0:
        raise ValueError("count ≥ 1 and total > 0 required")
    share = (total / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [money(total - share * (count - 1))]
    return [(add_months(first_date, i), amounts[i]) for i in range(count)]


def schedule_problems(schedule: Sequence[tuple[date, Decimal]], *, total: Decimal, today: date) -> list[str]:
    """The reasons (in the reader's language, French by default) why a schedule typed by the team cannot be
    agreed; empty when it can."""
    if not 1 <= len(schedule) <= MAX_INSTALMENTS:
        return [_("Un échéancier compte de 1 à %(max)s échéances.") % {"max": MAX_INSTALMENTS}]
    problems: list[str] = []
    previous: date | None = None
    for n, (day, amount) in enumerate(schedule, start=1):
        if amount <= 0 or money(amount) != amount:
            problems.append(_("Échéance %(n)s : le montant doit être positif, au centime près.") % {"n": n})
        if day < today:
            problems.append(_("Échéance %(n)s : la date du %(day)s est déjà passée.") % {"n": n, "day": f"{day:%d/%m/%Y}"})
        if previous is not None and day <= previous:
            problems.append(_("Échéance %(n)s : les dates doivent se suivre (après le %(previous)s).")
                            % {"n": n, "previous": f"{previous:%d/%m/%Y}"})
        previous = day
    summed = money(sum((a for _day, a in schedule), ZERO))
    if not problems and summed != money(total):
        gap = money(total - summed)
        problems.append(_("La somme des échéances (%(sum)s) doit être égale au reste dû des factures choisies "
                          "(%(total)s) ; écart : %(gap)s.")
                        % {"sum": format_eur(summed), "total": format_eur(money(total)),
                           "gap": f"{'+' if gap > 0 else ''}{format_eur(gap)}"})
    return problems


def evaluate(*, instalments: Sequence[Due], payments: Iterable[tuple[date, Decimal]], today: date,
             grace_days: int, start: date | None = None) -> PlanState:
    """Where each instalment stands on `today`.

    `payments` are the allocations to the plan's invoices made since the plan was agreed, as (date, amount);
    only those dated up to `today` (and from `start`, when given) count. Instalment k is paid on the first day
    the cumulative payments reach the sum of instalments 1..k; unpaid, it is due until its date, late during
    the grace days, missed after them.
    """
    counted = sorted((d, a) for d, a in payments if d <= today and (start is None or start <= d))
    paid = money(sum((a for _, a in counted), ZERO))
    states: list[InstalmentState] = []
    needed, before = ZERO, ZERO
    for inst in sorted(instalments, key=lambda i: i.seq):
        needed += inst.amount
        paid_on = _reached(counted, needed)
        covered = money(min(max(paid - before, ZERO), inst.amount))
        if paid_on is not None:
            status = PAID
        elif today <= inst.due_date:
            status = DUE
        elif today <= inst.due_date + timedelta(days=grace_days):
            status = LATE
        else:
            status = MISSED
        states.append(InstalmentState(inst.seq, inst.due_date, inst.amount, status, paid_on, covered))
        before = needed
    return PlanState(tuple(states), money(needed), paid)


def _reached(payments: list[tuple[date, Decimal]], needed: Decimal) -> date | None:
    running = ZERO
    for day, amount in payments:
        running += amount
        if running >= needed:
            return day
    return None
