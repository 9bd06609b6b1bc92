"""Collection KPIs as pure functions over plain rows (no ORM): what the dashboard, `relance kpi` and the
exports show. Definitions and formulas are on the help page (/indicateurs/aide/) and in docs/readme/web.md.

Conventions:
- `day` is the date the figures are computed for; the period is the `period_days` days ending on it,
  i.e. issue dates in (day − period_days, day].
- Sales are the invoices issued in the period, incl. tax (credit notes are not deducted: they appear as
  settlements of the invoices they credit).
- An invoice's outstanding on a day is its total minus what settled it (payments, credit notes, the
  accounting system's word) dated on or before that day; an invoice issued later does not exist yet.
- Days late = day − due date; an invoice is "not due" while days late ≤ 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from relance.core.dates import add_months

ZERO = Decimal("0.00")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")

#: Aging buckets (code, French label, lowest days late, highest days late or None).
BUCKETS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("not_due", "Non échu", None, 0),
    ("1_30", "1 à 30 jours", 1, 30),
    ("31_60", "31 à 60 jours", 31, 60),
    ("61_90", "61 à 90 jours", 61, 90),
    ("over_90", "Plus de 90 jours", 91, None),
)
#: Channels that are messages to the customer (tasks such as calls are not reminders "sent").
MESSAGE_CHANNELS = frozenset({"email", "sms", "letter", "registered_letter"})


@dataclass(frozen=True)
class InvoiceRow:
    """One invoice (never a credit note, never cancelled) and what settled it, as (date, amount)."""

    id: int
    customer_id: int
    issue_date: date
    due_date: date
    total: Decimal
    settlements: tuple[tuple[date, Decimal], ...] = ()


@dataclass(frozen=True)
class ReminderRow:
    """A ladder step carried out for an invoice on a day (from the dunning actions)."""

    invoice_id: int
    step: str
    channel: str
    day: date


@dataclass(frozen=True)
class StepStat:
    step: str
    invoices: int
    paid_within: int

    @property
    def share(self) -> Decimal | None:
        return ratio_percent(Decimal(self.paid_within), Decimal(self.invoices))


@dataclass(frozen=True)
class KpiReport:
    day: date
    period_days: int
    receivables: Decimal
    overdue: Decimal
    sales: Decimal
    dso: Decimal | None
    dso_countback: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei: Decimal | None
    recovery_rate: Decimal | None
    aging: dict[str, Decimal]
    average_delay: Decimal | None
    delay_by_customer: dict[int, Decimal]
    reminders_before_payment: Decimal | None
    steps: list[StepStat] = field(default_factory=list)


# --- small helpers --------------------------------------------------------------------------------


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def ratio_percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole <= 0 else one_decimal(part / whole * HUNDRED)


def outstanding_at(row: InvoiceRow, day: date) -> Decimal:
    if row.issue_date > day:
        return ZERO
    settled = sum((amount for d, amount in row.settlements if d <= day), ZERO)
    return max(row.total - settled, ZERO)


def paid_on(row: InvoiceRow) -> date | None:
    """The day the settlements first covered the whole total, or None while something is owed."""
    settled = ZERO
    for day, amount in sorted(row.settlements):
        settled += amount
        if settled >= row.total:
            return day
    return None


def days_late(due: date, day: date) -> int:
    return (day - due).days


def period_start(day: date, period_days: int) -> date:
    """The last day *before* the period: the period is (start, day]."""
    return day - timedelta(days=period_days)


# --- the formulas ---------------------------------------------------------------------------------


def bucket_of(late: int) -> str:
    for code, _label, low, high in BUCKETS:
        if (low is None or late >= low) and (high is None or late <= high):
            return code
    raise AssertionError("buckets cover every integer")


def aging(items: Iterable[tuple[date, Decimal]], day: date) -> dict[str, Decimal]:
    """Balance âgée: outstanding amounts, given as (due date, amount), by days late on `day`."""
    result = {code: ZERO for code, *_ in BUCKETS}
    for due, amount in items:
        result[bucket_of(days_late(due, day))] += amount
    return result


def dso_standard(receivables: Decimal, sales: Decimal, days: int) -> Decimal | None:
    """DSO (méthode comptable) = receivables / sales of the period × days in the period."""
    if sales <= 0:
        return None
    return one_decimal(receivables / sales * days)


def dso_countback(receivables: Decimal, months: Sequence[tuple[int, Decimal]]) -> Decimal | None:
    """DSO by count-back (méthode de l'épuisement du CA): walk back month by month, most recent first,
    subtracting each month's sales from the receivables; the last month counts pro rata.

    `months` is [(days in month, sales of month), …]. When the history runs out before the receivables
    are exhausted, the result is the days covered so far (a lower bound). None without any history.
    """
    if receivables <= 0:
        return Decimal("0.0")
    if not months:
        return None
    remaining, total = receivables, Decimal(0)
    for days, sales in months:
        if remaining > sales:
            remaining -= sales
            total += days
        else:
            total += remaining / sales * days
            break
    return one_decimal(total)


def cei(begin: Decimal, sales: Decimal, end: Decimal, end_current: Decimal) -> Decimal | None:
    """Collection effectiveness index, standard variant (per cent):
    (begin receivables + sales − end receivables) / (begin receivables + sales − end current receivables).
    """
    collectable = begin + sales - end_current
    return ratio_percent(begin + sales - end, collectable)


def monthly_sales(rows: Iterable[InvoiceRow], day: date, months: int) -> list[tuple[int, Decimal]]:
    """Sales per calendar-month window ending on `day`, most recent first: [(days, sales), …]."""
    edges = [add_months(day, -i) for i in range(months + 1)]  # edges[0] = day
    totals = [ZERO] * months
    for row in rows:
        for i in range(months):
            if edges[i + 1] < row.issue_date <= edges[i]:
                totals[i] += row.total
                break
    return [((edges[i] - edges[i + 1]).days, totals[i]) for i in range(months)]


def payment_delays(rows: Iterable[InvoiceRow], since: date, until: date) -> dict[int, tuple[int, int]]:
    """Per customer, (sum of days between due date and payment, invoices) over invoices paid in
    (since, until]. Early payments count negative."""
    acc: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        paid = paid_on(row)
        if paid is not None and since < paid <= until:
            acc[row.customer_id][0] += days_late(row.due_date, paid)
            acc[row.customer_id][1] += 1
    return {cid: (s, n) for cid, (s, n) in acc.items()}


def reminders_before_payment(rows: Iterable[InvoiceRow], reminders: Iterable[ReminderRow],
                             since: date, until: date) -> Decimal | None:
    """Average number of reminders (messages, not tasks) sent up to the payment day, over the invoices
    paid in (since, until]; invoices paid without any reminder count as 0."""
    paid = {row.id: p for row in rows if (p := paid_on(row)) is not None and since < p <= until}
    if not paid:
        return None
    count = sum(1 for r in reminders if r.channel in MESSAGE_CHANNELS and r.invoice_id in paid
                and r.day <= paid[r.invoice_id])
    return one_decimal(Decimal(count) / len(paid))


def step_effectiveness(rows: Iterable[InvoiceRow], reminders: Iterable[ReminderRow], day: date,
                       window: int = 7, order: Sequence[str] = ()) -> list[StepStat]:
    """For each step, among invoices that got it at least `window` days before `day` (so the window is
    complete), how many were fully paid within `window` calendar days after (step day included)."""
    paid = {row.id: paid_on(row) for row in rows}
    seen: dict[str, set[int]] = defaultdict(set)
    won: dict[str, set[int]] = defaultdict(set)
    for r in reminders:
        if r.invoice_id not in paid or r.day + timedelta(days=window) > day:
            continue
        seen[r.step].add(r.invoice_id)
        p = paid[r.invoice_id]
        if p is not None and r.day <= p <= r.day + timedelta(days=window):
            won[r.step].add(r.invoice_id)
    rank = {code: i for i, code in enumerate(order)}
    steps = sorted(seen, key=lambda s: (rank.get(s, len(rank)), s))
    return [StepStat(step=s, invoices=len(seen[s]), paid_within=len(won[s])) for s in steps]


# --- everything at once ---------------------------------------------------------------------------


def compute(rows: Sequence[InvoiceRow], reminders: Sequence[ReminderRow], day: date, *,
            period_days: int = 90, delay_days: int = 365, step_order: Sequence[str] = ()) -> KpiReport:
    start = period_start(day, period_days)
    open_items = [(r.due_date, o) for r in rows if (o := outstanding_at(r, day)) > 0]
    receivables = sum((o for _, o in open_items), ZERO)
    buckets = aging(open_items, day)
    current = buckets["not_due"]
    sales = sum((r.total for r in rows if start < r.issue_date <= day), ZERO)
    begin = sum((outstanding_at(r, start) for r in rows), ZERO)
    dso = dso_standard(receivables, sales, period_days)
    best = dso_standard(current, sales, period_days)
    fell_due = [r for r in rows if start < r.due_date <= day]
    due_total = sum((r.total for r in fell_due), ZERO)
    due_collected = sum((r.total - outstanding_at(r, day) for r in fell_due), ZERO)
    delays = payment_delays(rows, day - timedelta(days=delay_days), day)
    delay_sum, delay_n = sum(s for s, _ in delays.values()), sum(n for _, n in delays.values())
    return KpiReport(
        day=day, period_days=period_days, receivables=receivables, overdue=receivables - current, sales=sales,
        dso=dso, dso_countback=dso_countback(receivables, monthly_sales(rows, day, 24)),
        best_possible_dso=best, average_days_delinquent=None if dso is None or best is None else dso - best,
        cei=cei(begin, sales, receivables, current),
        recovery_rate=ratio_percent(due_collected, due_total), aging=buckets,
        average_delay=one_decimal(Decimal(delay_sum) / delay_n) if delay_n else None,
        delay_by_customer={cid: one_decimal(Decimal(s) / n) for cid, (s, n) in delays.items()},
        reminders_before_payment=reminders_before_payment(rows, reminders, day - timedelta(days=delay_days), day),
        steps=step_effectiveness(rows, reminders, day, order=step_order),
    )


def dso_trend(rows: Sequence[InvoiceRow], day: date, *, months: int = 6,
              period_days: int = 90) -> list[tuple[date, Decimal | None]]:
    """Standard DSO at `day` and at the same day of each of the previous months, oldest first."""
    points = []
    for i in reversed(range(months)):
        d = add_months(day, -i)
        receivables = sum((outstanding_at(r, d) for r in rows), ZERO)
        start = period_start(d, period_days)
        sales = sum((r.total for r in rows if start < r.issue_date <= d), ZERO)
        points.append((d, dso_standard(receivables, sales, period_days)))
    return points


def as_json(report: KpiReport, customer_refs: Mapping[int, str] | None = None) -> dict[str, object]:
    """The `relance kpi --json` document: amounts and ratios as strings, None as null."""

    def s(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    refs = customer_refs or {}
    return {
        "date": report.day.isoformat(), "period_days": report.period_days,
        "receivables": s(report.receivables), "overdue": s(report.overdue), "sales": s(report.sales),
        "dso": s(report.dso), "dso_countback": s(report.dso_countback),
        "best_possible_dso": s(report.best_possible_dso),
        "average_days_delinquent": s(report.average_days_delinquent),
        "cei": s(report.cei), "recovery_rate": s(report.recovery_rate),
        "aging": {k: str(v) for k, v in report.aging.items()},
        "average_payment_delay": s(report.average_delay),
        "payment_delay_by_customer": {refs.get(cid, str(cid)): str(v)
                                      for cid, v in sorted(report.delay_by_customer.items())},
        "reminders_before_payment": s(report.reminders_before_payment),
        "steps": [{"step": st.step, "invoices": st.invoices, "paid_within_7_days": st.paid_within,
                   "share": s(st.share)} for st in report.steps],
    }


# --- the dashboard, from daily sums (a few grouped queries instead of every row) -----------------


def receivables_rolled_back(receivables: Decimal, invoiced: Mapping[date, Decimal],
                            settled: Mapping[date, Decimal], day: date, at: date) -> Decimal:
    """Receivables on an earlier date, from those of `day`: R(at) = R(day) − invoiced in (at, day]
    + settled in (at, day]. Exact when no settlement is dated before its invoice."""
    later_invoiced = sum((v for d, v in invoiced.items() if at < d <= day), ZERO)
    later_settled = sum((v for d, v in settled.items() if at < d <= day), ZERO)
    return receivables - later_invoiced + later_settled


def sales_between(invoiced: Mapping[date, Decimal], start: date, end: date) -> Decimal:
    """Invoiced in (start, end]."""
    return sum((v for d, v in invoiced.items() if start < d <= end), ZERO)


def dso_trend_from_daily(receivables: Decimal, invoiced: Mapping[date, Decimal], settled: Mapping[date, Decimal],
                         day: date, *, months: int = 6, period_days: int = 90) -> list[tuple[date, Decimal | None]]:
    """Standard DSO at `day` and the same day of the previous months, oldest first.

    `invoiced` and `settled` are daily sums covering at least months + period_days back from `day`."""
    points = []
    for i in reversed(range(months)):
        at = add_months(day, -i)
        r = receivables_rolled_back(receivables, invoiced, settled, day, at)
        points.append((at, dso_standard(r, sales_between(invoiced, period_start(at, period_days), at), period_days)))
    return points


def monthly_totals(daily: Mapping[date, Decimal], day: date, months: int) -> list[tuple[date, Decimal]]:
    """Calendar-month totals for the `months` months ending with `day`'s month, oldest first
    (each month given by its first day)."""
    firsts = [add_months(day.replace(day=1), -i) for i in reversed(range(months))]
    totals = dict.fromkeys(firsts, ZERO)
    for d, v in daily.items():
        first = d.replace(day=1)
        if first in totals and d <= day:
            totals[first] += v
    return list(totals.items())
