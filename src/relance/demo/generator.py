"""The demo ledger as plain rows (no ORM): customers with contacts, invoices, credit notes, payments,
allocations, disputes and promises, over the 18 months ending on `today`.

Deterministic: the same `DemoParams` always yield the same rows. Streamed: one customer at a time, each
from its own random generator, so a million invoices never sit in memory together.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from math import log
from random import Random

import phonenumbers
from schwifty import IBAN
from stdnum import luhn

from relance.core.dates import is_business_day, next_business_day
from relance.demo import names

HISTORY_DAYS = 548  # 18 months
CENT = Decimal("0.01")
VAT_RATE = Decimal("1.20")
PAYER_BANKS = ("30004", "30003", "30002", "10107", "20041", "16807", "13807", "17515", "11315")

# Share of customers per payment behaviour, by customer kind.
PROFILES = {
    "b2b": (("prompt", 45), ("late", 24), ("chronic", 14), ("partial", 8), ("bad", 5), ("overpayer", 4)),
    "b2c": (("prompt", 60), ("late", 22), ("bad", 10), ("partial", 8)),
    "public": (("public", 100),),
}
METHODS = {
    "b2b": (("transfer", 75), ("cheque", 12), ("direct_debit", 10), ("card", 3)),
    "b2c": (("card", 40), ("transfer", 30), ("cheque", 20), ("direct_debit", 10)),
    "public": (("transfer", 100),),
}


@dataclass(frozen=True, slots=True)
class DemoParams:
    today: date
    seed: int = 1
    customers: int = 200
    invoices: int = 3000
    #: benchmarks want most invoices open: nine in ten are never paid
    open_heavy: bool = False


@dataclass(slots=True)
class ContactRow:
    name: str
    role: str
    email: str
    phone: str
    is_billing: bool
    refused_channels: list[str]


@dataclass(slots=True)
class InvoiceRow:
    number: str
    kind: str  # invoice | credit_note
    issue_date: date
    due_date: date
    total_incl_tax: Decimal
    total_excl_tax: Decimal
    sent_date: date | None
    po_number: str
    status: str = "open"  # open | paid | cancelled


@dataclass(slots=True)
class PaymentRow:
    date: date
    amount: Decimal
    method: str
    reference: str
    bank_transaction_id: str | None
    payer_iban: str


@dataclass(slots=True)
class AllocationRow:
    """Indexes point into the owning CustomerPlan's invoices and payments."""

    invoice: int
    amount: Decimal
    date: date
    payment: int | None = None
    credit_note: int | None = None


@dataclass(slots=True)
class DisputeRow:
    invoice: int
    opened_on: date
    reason_code: str
    reason: str
    resolved_on: date | None = None


@dataclass(slots=True)
class PromiseRow:
    invoices: list[int]
    recorded_on: date
    until: date
    status: str  # active | kept | broken
    amount: Decimal


@dataclass(slots=True)
class CustomerPlan:
    ref: str
    name: str
    kind: str
    profile: str
    siren: str
    siret: str
    vat_number: str
    address: str
    postcode: str
    city: str
    payment_terms_days: int | None
    manager: int | None
    manual_mode: bool
    notes: str
    payer_ibans: list[str]
    contacts: list[ContactRow] = field(default_factory=list)
    invoices: list[InvoiceRow] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    allocations: list[AllocationRow] = field(default_factory=list)
    disputes: list[DisputeRow] = field(default_factory=list)
    promises: list[PromiseRow] = field(default_factory=list)


# --- identifiers -----------------------------------------------------------------------------------------


def siren_for(rng: Random, prefix: str = "") -> str:
    """A SIREN with a valid Luhn check digit; public bodies get their category prefix."""
    lead = prefix or rng.choice("345789")
    body = lead + "".join(rng.choice("0123456789") for _ in range(8 - len(lead)))
    return body + luhn.calc_check_digit(body)


def siret_for(rng: Random, siren: str) -> str:
    body = siren + f"{rng.randint(1, 300):04d}"
    return body + luhn.calc_check_digit(body)


def vat_for(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def iban_for(rng: Random) -> str:
    return str(IBAN.generate(
        "FR", bank_code=rng.choice(PAYER_BANKS), branch_code=f"{rng.randint(0, 99999):05d}",
        account_code=f"{rng.randint(0, 10**11 - 1):011d}",
    ))


def mobile_for(rng: Random) -> str:
    """A French mobile number in E.164 that phonenumbers accepts as a mobile."""
    while True:
        national = "0" + rng.choice("67") + "".join(rng.choice("0123456789") for _ in range(8))
        number = phonenumbers.parse(national, "FR")
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def landline_for(rng: Random, zone: str) -> str:
    """A fixed line of the fiction range of `zone` (the first digit of the city's numbers)."""
    prefix = names.FICTION_LANDLINE_PREFIXES[zone].replace(" ", "")
    return f"+33{prefix}{rng.randint(0, 9999):04d}"


def landline_zone(postcode: str) -> str:
    """The landline zone of a demo city, from its department (the postcode's first two digits)."""
    return _ZONES[postcode[:2]]


_ZONES = {postcode[:2]: zone for _, postcode, zone, _ in names.CITIES}


def person_for(rng: Random) -> tuple[str, str, str]:
    """(civil title, first name, surname), the title agreeing with the first name."""
    sex = rng.choice(("F", "M"))
    first = rng.choice(names.FEMALE_FIRST_NAMES if sex == "F" else names.MALE_FIRST_NAMES)
    return names.TITLE_FOR[sex], first, rng.choice(names.SURNAMES)


def with_de(city: str) -> str:
    """ "de Lyon", "d'Angers": French elides "de" before a vowel."""
    return f"d'{city}" if unicodedata.normalize("NFKD", city[0])[0].upper() in "AEIOUYH" else f"de {city}"


def business_day_on_or_before(day: date) -> date:
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def weighted(rng: Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def cents(value: float) -> Decimal:
    """A random draw (a float from `Random`) as an amount in cents; money arithmetic itself stays Decimal."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def share_of(amount: Decimal, fraction: float) -> Decimal:
    """`fraction` (a random draw) of an amount, computed in Decimal and rounded half-up to the cent."""
    return (amount * Decimal(repr(fraction))).quantize(CENT, rounding=ROUND_HALF_UP)


# --- how many invoices each customer gets ------------------------------------------------------------------


def invoice_counts(params: DemoParams) -> list[int]:
    """Invoices per customer, uneven like real books, summing exactly to `params.invoices`."""
    rng = Random(params.seed)
    weights = [rng.lognormvariate(0, 0.9) for _ in range(params.customers)]
    total = sum(weights) or 1.0
    counts, running, given = [], 0.0, 0
    for weight in weights:
        running += weight
        target = round(params.invoices * running / total)
        counts.append(target - given)
        given = target
    return counts


class Numbering:
    """Chronological invoice numbers: F20250314-0007, AV20250320-0001 (a counter per day and kind)."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, date], int] = {}

    def next(self, prefix: str, day: date) -> str:
        n = self._counters.get((prefix, day), 0) + 1
        self._counters[(prefix, day)] = n
        return f"{prefix}{day:%Y%m%d}-{n:04d}"


# --- customers ----------------------------------------------------------------------------------------------


def customer_plans(params: DemoParams) -> Iterator[CustomerPlan]:
    numbering = Numbering()
    width = max(4, len(str(params.customers)))
    for index, count in enumerate(invoice_counts(params)):
        rng = Random(f"{params.seed}:{index}")
        plan = _identity(rng, index, f"C{index + 1:0{width}d}")
        _add_contacts(rng, plan)
        _add_invoices(rng, plan, count, params, numbering)
        _add_promises(rng, plan, params.today)
        yield plan


def _identity(rng: Random, index: int, ref: str) -> CustomerPlan:
    city, postcode, _, department = rng.choice(names.CITIES)
    address = f"{rng.randint(1, 180)} {rng.choice(names.STREETS)}"
    public_terms: int | None = None
    if index % 40 == 5:
        template, prefix, public_terms, departmental = names.PUBLIC_BODIES[(index // 40) % len(names.PUBLIC_BODIES)]
        if departmental:  # a departmental council or fire service sits in its prefecture
            city, postcode, _, department = rng.choice([c for c in names.CITIES if c[3]])
        name = template.format(city=city, de_city=with_de(city), department=department)
        kind, siren = "public", siren_for(rng, prefix)
    elif rng.random() < 0.105:
        kind, name, siren = "b2c", "", ""  # named after its contact (_add_contacts)
    else:
        kind, name, siren = "b2b", _company_name(rng), siren_for(rng)
    # Public buyers' terms are statutory; 30 days is also the organisation's default term.
    terms = {"b2b": rng.choice((None, None, None, 45, 60)), "b2c": 15,
             "public": public_terms if public_terms != 30 else None}[kind]
    manual = kind == "b2b" and rng.random() < 0.01
    return CustomerPlan(
        ref=ref, name=name, kind=kind, profile=weighted(rng, PROFILES[kind]),
        siren=siren, siret=siret_for(rng, siren) if siren else "", vat_number=vat_for(siren) if kind == "b2b" else "",
        address=address, postcode=postcode, city=city, payment_terms_days=terms,
        manager=rng.choice((0, 1, None)) if kind != "b2c" else None, manual_mode=manual,
        notes="Grand compte : les relances passent par le commercial." if manual else "",
        payer_ibans=[iban_for(rng)] if kind != "b2c" else [],
    )


def _company_name(rng: Random) -> str:
    if rng.random() < 0.3:
        word, activity = rng.randrange(len(names.BRAND_WORDS)), rng.randrange(len(names.BRAND_ACTIVITIES))
        form = names.BRAND_FORMS[(word + activity) % len(names.BRAND_FORMS)]  # one brand, one company
        return f"{names.BRAND_WORDS[word]} {names.BRAND_ACTIVITIES[activity]} {form}"
    trade, suffix, forms = rng.choice(names.TRADES)
    return f"{trade} {rng.choice(names.SURNAMES)}{suffix} {rng.choice(forms)}"


def _add_contacts(rng: Random, plan: CustomerPlan) -> None:
    no_email = rng.random() < 0.05
    refused = ["sms"] if rng.random() < 0.03 else []
    domain = slug(plan.name.split(" (")[0]) + ".example"
    title, first, last = person_for(rng)
    person_mail = f"{slug(first)}.{slug(last)}".replace("-", "")
    zone = landline_zone(plan.postcode)
    if plan.kind == "b2c":
        plan.name = f"{title} {first} {last}"
        email = "" if no_email else f"{person_mail}{rng.randint(1, 99)}@courriel.example"
        phone = mobile_for(rng) if rng.random() < 0.85 else landline_for(rng, zone)
        plan.contacts.append(ContactRow(f"{first} {last}", "", email, phone, True, refused))
        return
    service = "Service facturation" if plan.kind == "public" else "Service comptabilité"
    plan.contacts.append(ContactRow(
        service, "Comptabilité fournisseurs", "" if no_email else f"{'factures' if plan.kind == 'public' else 'compta'}@{domain}",
        landline_for(rng, zone), True, [],
    ))
    if plan.kind == "b2b" and rng.random() < 0.7:
        mid_sized = plan.name.split(" ", 1)[0] in names.BRAND_WORDS
        roles = rng.choice(names.CONTACT_ROLES if mid_sized else names.SMALL_BUSINESS_ROLES)
        if roles == names.HEAD_OF_COMPANY:
            roles = names.HEAD_ROLES[plan.name.rsplit(" ", 1)[1]]
        role = roles[0 if title == "M." else 1]
        plan.contacts.append(ContactRow(
            f"{first} {last}", role, "" if no_email else f"{person_mail}@{domain}",
            mobile_for(rng), rng.random() < 0.3, refused,
        ))


# --- invoices and what settles them -------------------------------------------------------------------------


def _add_invoices(rng: Random, plan: CustomerPlan, count: int, params: DemoParams, numbering: Numbering) -> None:
    today = params.today
    days = sorted(rng.randrange(HISTORY_DAYS) for _ in range(count))
    earliest = today - timedelta(days=HISTORY_DAYS - 1)
    for back in reversed(days):
        # Invoices are issued on business days, never on a Sunday or on 1 May.
        issue = business_day_on_or_before(today - timedelta(days=back))
        if issue < earliest:
            issue = next_business_day(today - timedelta(days=back))
        terms = plan.payment_terms_days or 30
        net = _net_amount(rng, plan.kind)
        gross = (net * VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
        plan.invoices.append(InvoiceRow(
            number=numbering.next("F", issue), kind="invoice", issue_date=issue,
            due_date=issue + timedelta(days=terms), total_incl_tax=gross, total_excl_tax=net,
            sent_date=min(issue + timedelta(days=rng.randint(0, 2)), today),
            po_number=f"BC-{issue:%Y}-{rng.randint(100, 9999)}" if plan.kind == "public" or rng.random() < 0.1 else "",
        ))
        _settle(rng, plan, len(plan.invoices) - 1, params, numbering)


def _net_amount(rng: Random, kind: str) -> Decimal:
    median, sigma, low, high = {"b2b": (900, 0.9, 40, 60000), "b2c": (180, 0.7, 15, 5000),
                                "public": (2500, 0.8, 100, 80000)}[kind]
    return cents(min(max(rng.lognormvariate(log(median), sigma), low), high))


def _payment_delay(rng: Random, profile: str) -> int | None:
    """Days after the due date the customer pays; None when it does not pay."""
    if profile == "bad" and rng.random() < 0.6:
        return None
    low, high = {"prompt": (-10, 3), "overpayer": (-10, 5), "late": (5, 35), "chronic": (25, 120),
                 "partial": (0, 40), "bad": (40, 200), "public": (5, 60)}[profile]
    return rng.randint(low, high)


def _settle(rng: Random, plan: CustomerPlan, index: int, params: DemoParams, numbering: Numbering) -> None:
    invoice, today = plan.invoices[index], params.today
    if rng.random() < 0.004:
        invoice.status = "cancelled"
        return
    remaining = invoice.total_incl_tax - _credit(rng, plan, index, today, numbering)
    delay = _payment_delay(rng, plan.profile)
    if params.open_heavy and rng.random() < 0.9:
        delay = None
    if delay is None:
        if plan.profile in ("chronic", "bad") and rng.random() < 0.15:
            remaining -= _partial_payment(rng, plan, index, remaining, today)
    else:
        pay_day = max(invoice.due_date + timedelta(days=delay), invoice.issue_date)
        remaining -= _pay(rng, plan, index, pay_day, remaining, today)
    if remaining == 0:
        invoice.status = "paid"
    _maybe_dispute(rng, plan, index, today)


def _credit(rng: Random, plan: CustomerPlan, index: int, today: date, numbering: Numbering) -> Decimal:
    """A credit note against the invoice (3.5 %); most are applied, some stay as unapplied credit."""
    invoice = plan.invoices[index]
    day = next_business_day(invoice.issue_date + timedelta(days=rng.randint(3, 40)))
    if rng.random() >= 0.035 or day > today:
        return Decimal("0")
    gross = invoice.total_incl_tax if rng.random() < 0.3 else share_of(invoice.total_incl_tax, rng.uniform(0.05, 0.5))
    gross = max(gross, CENT)
    net = (gross / VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    plan.invoices.append(InvoiceRow(
        number=numbering.next("AV", day), kind="credit_note", issue_date=day, due_date=day,
        total_incl_tax=gross, total_excl_tax=net, sent_date=day, po_number="",
    ))
    if rng.random() < 0.15:
        return Decimal("0")  # not applied yet: the customer keeps the credit
    plan.invoices[-1].status = "paid"
    plan.allocations.append(AllocationRow(index, gross, day, credit_note=len(plan.invoices) - 1))
    return gross


def _pay(rng: Random, plan: CustomerPlan, index: int, day: date, remaining: Decimal, today: date) -> Decimal:
    """Pay `remaining` on `day` (in instalments for partial payers); returns what was paid by `today`."""
    if remaining <= 0:
        return Decimal("0")
    day = next_business_day(day)  # the bank credits money on business days
    if plan.profile == "partial" or (plan.profile == "chronic" and rng.random() < 0.2):
        parts = rng.choice((2, 3))
        share = (remaining / parts).quantize(CENT)
        amounts = [share] * (parts - 1) + [remaining - share * (parts - 1)]
        paid = Decimal("0")
        for k, amount in enumerate(amounts):
            when = next_business_day(day + timedelta(days=21 * k))
            if when > today:
                break
            _payment(rng, plan, index, when, amount, amount)
            paid += amount
        return paid
    if day > today:
        return Decimal("0")
    extra = cents(rng.uniform(0.5, 60)) if plan.profile == "overpayer" and rng.random() < 0.5 else Decimal("0")
    _payment(rng, plan, index, day, remaining + extra, remaining)
    return remaining


def _partial_payment(rng: Random, plan: CustomerPlan, index: int, remaining: Decimal, today: date) -> Decimal:
    invoice = plan.invoices[index]
    day = next_business_day(invoice.due_date + timedelta(days=rng.randint(10, 60)))
    amount = min(share_of(remaining, rng.uniform(0.2, 0.5)), remaining)
    if day > today or amount <= 0:
        return Decimal("0")
    _payment(rng, plan, index, day, amount, amount)
    return amount


def _payment(rng: Random, plan: CustomerPlan, index: int, day: date, amount: Decimal, allocated: Decimal) -> None:
    number = plan.invoices[index].number
    method = weighted(rng, METHODS[plan.kind])
    reference = {"transfer": f"VIR SEPA {number}", "cheque": f"CHQ {rng.randint(1000000, 9999999)}",
                 "direct_debit": f"PRLV SEPA {number}", "card": f"CB {number}"}[method]
    sequence = len(plan.payments) + 1
    plan.payments.append(PaymentRow(
        date=day, amount=amount, method=method, reference=reference,
        bank_transaction_id=f"DEMO-{plan.ref}-{sequence:04d}",
        payer_iban=plan.payer_ibans[0] if plan.payer_ibans and method == "transfer" else "",
    ))
    plan.allocations.append(AllocationRow(index, allocated, day, payment=len(plan.payments) - 1))


def _maybe_dispute(rng: Random, plan: CustomerPlan, index: int, today: date) -> None:
    invoice = plan.invoices[index]
    code, reason = rng.choice(names.DISPUTE_REASONS)
    if invoice.status == "open" and invoice.due_date < today and plan.kind != "b2c" and rng.random() < 0.03:
        opened = business_day_on_or_before(min(today, invoice.due_date + timedelta(days=rng.randint(1, 30))))
        plan.disputes.append(DisputeRow(index, opened, code, reason))
    elif invoice.status == "paid" and rng.random() < 0.006:
        last_payment = max(a.date for a in plan.allocations if a.invoice == index)
        opened = business_day_on_or_before(min(invoice.due_date + timedelta(days=2), last_payment))
        plan.disputes.append(DisputeRow(index, opened, code, reason, resolved_on=last_payment))


# --- promises -----------------------------------------------------------------------------------------------


def _outstanding(plan: CustomerPlan, index: int) -> Decimal:
    settled = sum((a.amount for a in plan.allocations if a.invoice == index), Decimal("0"))
    return plan.invoices[index].total_incl_tax - settled


def _add_promises(rng: Random, plan: CustomerPlan, today: date) -> None:
    disputed = {d.invoice for d in plan.disputes if d.resolved_on is None}
    overdue = [i for i, inv in enumerate(plan.invoices)
               if inv.kind == "invoice" and inv.status == "open" and inv.due_date < today and i not in disputed]
    draw = rng.random()
    if overdue and draw < 0.12:  # a demo where the team awaits a few promises
        amount = sum((_outstanding(plan, i) for i in overdue), Decimal("0"))
        # The team records promises on working days, and customers promise a working day.
        plan.promises.append(PromiseRow(overdue, business_day_on_or_before(today - timedelta(days=rng.randint(0, 10))),
                                        next_business_day(today + timedelta(days=rng.randint(2, 25))), "active", amount))
    elif overdue and draw < 0.18:
        recorded = business_day_on_or_before(today - timedelta(days=rng.randint(30, 90)))
        late = [i for i in overdue if plan.invoices[i].due_date < recorded]
        if late:
            amount = sum((_outstanding(plan, i) for i in late), Decimal("0"))
            plan.promises.append(PromiseRow(late, recorded, next_business_day(recorded + timedelta(days=rng.randint(7, 20))),
                                            "broken", amount))
    _add_kept_promise(rng, plan)


def _add_kept_promise(rng: Random, plan: CustomerPlan) -> None:
    """A late payer who promised and kept their word: a promise just before the payment."""
    if plan.profile not in ("late", "chronic") or rng.random() >= 0.3:
        return
    for allocation in plan.allocations:
        invoice = plan.invoices[allocation.invoice]
        if allocation.payment is not None and invoice.status == "paid" and allocation.date > invoice.due_date + timedelta(days=10):
            recorded = max(business_day_on_or_before(allocation.date - timedelta(days=rng.randint(3, 10))),
                           next_business_day(invoice.due_date + timedelta(days=1)))
            until = next_business_day(allocation.date + timedelta(days=rng.randint(0, 5)))
            plan.promises.append(PromiseRow([allocation.invoice], recorded, until,
                                            "kept", allocation.amount))
            return
