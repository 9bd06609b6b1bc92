"""Which open invoices an incoming payment settles, and why. Pure: plain data in, a decision out.

Rules, in order of confidence (the first that gives an answer wins):
1. an invoice number found in the remittance text (spaces, dashes and case do not matter);
2. a structured creditor reference (ISO 11649 « RF… »): one the portal's pay screen gave for a selection of
   invoices (all of them, oldest due first), or the invoice's own payment reference;
3. the payer's IBAN, or a name close to a customer's, together with an amount equal to one open invoice
   of that customer or to the sum of several of them;
4. the amount alone, when exactly one open invoice in the currency has that outstanding amount.
Anything else goes to the review queue, with the reason. A payment is only ever set against invoices in its
own currency: one in a foreign currency that no such invoice takes is for a person to reconcile.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import combinations

from rapidfuzz import fuzz, process
from stdnum import iso11649

from relance.core.money import format_eur

#: Invoice numbers shorter than this are too easily found by chance in a bank label ("115", "2025").
MIN_NUMBER_LENGTH = 4
MAX_TOKENS = 6
NAME_SCORE = 90
SUBSET_LIMIT = 12
#: the currency of the books: a payment in any other is reconciled by hand unless an invoice in it fits
HOME_CURRENCY = "EUR"
_TOKEN = re.compile(r"[A-Z0-9]+")
_NOT_TOKEN = re.compile(r"[^A-Z0-9]+")
_LEGAL_FORMS = {"SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCI", "SCOP", "SCM", "SELARL", "STE", "SOC",
                "SOCIETE", "ETS", "ETABLISSEMENTS", "GMBH", "AG", "LTD", "BV", "NV", "SPRL", "SRL", "CIE", "ET"}


def fold(text: str) -> str:
    """Upper case, accents removed."""
    if text.isascii():
        return text.upper()
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def normalise_number(number: str) -> str:
    """'FA-2025-0012', 'FA2025 0012' and 'fa20250012' are the same number."""
    return _NOT_TOKEN.sub("", fold(number))


def normalise_name(name: str) -> str:
    return " ".join(t for t in tokens(name) if t not in _LEGAL_FORMS)


def normalise_iban(iban: str) -> str:
    return "".join(tokens(iban))


@dataclass(slots=True)
class OpenInvoice:
    id: int
    number: str
    customer_id: int
    outstanding: Decimal
    currency: str = "EUR"
    due_date: date = date.min
    payment_reference: str = ""


@dataclass(frozen=True)
class PaymentFacts:
    amount: Decimal
    currency: str = "EUR"
    remittance: str = ""
    payer_name: str = ""
    payer_iban: str = ""
    creditor_reference: str = ""


@dataclass
class Decision:
    rule: str  # number | reference | iban | name | amount | review
    reason: str
    allocations: list[tuple[OpenInvoice, Decimal]] = field(default_factory=list)
    customer_id: int | None = None
    identified_by: str = ""  # how the payer was recognised: iban | name

    @property
    def matched(self) -> bool:
        return bool(self.allocations)


@dataclass
class KnownCustomer:
    id: int
    name: str
    ibans: list[str] = field(default_factory=list)


class OpenBook:
    """Open invoices and known payers, indexed once per import; kept current as payments settle invoices."""

    def __init__(self, invoices: Iterable[OpenInvoice], customers: Iterable[KnownCustomer],
                 closed_numbers: Iterable[str] = (), intents: Mapping[str, Sequence[int]] | None = None) -> None:
        self.by_number: dict[str, list[OpenInvoice]] = defaultdict(list)
        self.by_reference: dict[str, list[OpenInvoice]] = defaultdict(list)
        self.by_customer: dict[int, list[OpenInvoice]] = defaultdict(list)
        self.by_amount: dict[tuple[str, Decimal], set[int]] = defaultdict(set)
        self.invoices: dict[int, OpenInvoice] = {}
        for inv in invoices:
            self._add(inv)
        self.closed_numbers = {n for n in (normalise_number(x) for x in closed_numbers)
                               if len(n) >= MIN_NUMBER_LENGTH} - set(self.by_number)
        self.max_length = max((len(k) for k in (*self.by_number, *self.by_reference, *self.closed_numbers)), default=0)
        self.names: dict[int, str] = {}
        self.name_index: dict[str, set[int]] = defaultdict(set)
        self.iban_owner: dict[str, int | None] = {}
        for customer in customers:
            self.add_customer(customer)
        #: creditor reference (RF…, compact) → ids of the invoices it stands for (portal payment intents)
        self.by_intent: dict[str, list[int]] = {iso11649.compact(ref): list(ids)
                                                for ref, ids in (intents or {}).items()}

    def _add(self, inv: OpenInvoice) -> None:
        self.invoices[inv.id] = inv
        key = normalise_number(inv.number)
        if len(key) >= MIN_NUMBER_LENGTH:
            self.by_number[key].append(inv)
        if inv.payment_reference and len(ref := normalise_number(inv.payment_reference)) >= MIN_NUMBER_LENGTH:
            self.by_reference[ref].append(inv)
        self.by_customer[inv.customer_id].append(inv)
        self.by_amount[(inv.currency, inv.outstanding)].add(inv.id)

    def add_customer(self, customer: KnownCustomer) -> None:
        if name := normalise_name(customer.name):
            self.names[customer.id] = name
            self.name_index[name].add(customer.id)
        for iban in customer.ibans:
            self.learn_iban(iban, customer.id)

    def learn_iban(self, iban: str, customer_id: int) -> None:
        key = normalise_iban(iban)
        if key:
            owner = self.iban_owner.get(key, customer_id)
            # One IBAN paying for two customers (a group's treasury) identifies neither.
            self.iban_owner[key] = customer_id if owner == customer_id else None

    def settle(self, inv: OpenInvoice, amount: Decimal) -> None:
        self.by_amount[(inv.currency, inv.outstanding)].discard(inv.id)
        inv.outstanding -= amount
        if inv.outstanding > 0:
            self.by_amount[(inv.currency, inv.outstanding)].add(inv.id)

    def open(self, invoices: Iterable[OpenInvoice], currency: str) -> list[OpenInvoice]:
        return [i for i in invoices if i.outstanding > 0 and i.currency == currency]


def _spans(words: list[str], longest: int) -> Iterator[str]:
    """Every run of consecutive words glued together: 'FA', '2025', '0012' → … 'FA20250012' …"""
    for i in range(len(words)):
        glued = ""
        for word in words[i:i + MAX_TOKENS]:
            glued += word
            if len(glued) > longest:
                break
            yield glued


def _allocate(invoices: list[OpenInvoice], amount: Decimal) -> list[tuple[OpenInvoice, Decimal]]:
    allocations, left = [], amount
    for inv in invoices:
        if left <= 0:
            break
        part = min(left, inv.outstanding)
        allocations.append((inv, part))
        left -= part
    return allocations


def _numbers(inv: list[OpenInvoice]) -> str:
    return ", ".join(i.number for i in inv)


def _by_number(facts: PaymentFacts, book: OpenBook, words: list[str]) -> Decision | None:
    found: dict[int, OpenInvoice] = {}
    closed = []
    for span in _spans(words, book.max_length):
        for inv in book.by_number.get(span, ()):
            found.setdefault(inv.id, inv)
        if span in book.closed_numbers:
            closed.append(span)
    usable = book.open(found.values(), facts.currency)
    if not usable:
        if closed and not found:
            return Decision("review", f"À vérifier : la facture citée ({closed[0]}) est déjà soldée ou annulée.")
        return None
    if len({i.customer_id for i in usable}) > 1:
        return Decision("review", f"À vérifier : le libellé cite des factures de plusieurs clients ({_numbers(usable)}).")
    return Decision("number", f"Numéro de facture {_numbers(usable)} trouvé dans le libellé du virement.",
                    _allocate(usable, facts.amount), usable[0].customer_id)


def _rf_candidates(facts: PaymentFacts, words: list[str]) -> list[str]:
    refs = [iso11649.compact(facts.creditor_reference)] if facts.creditor_reference else []
    for i, word in enumerate(words):
        if word.startswith("RF"):
            glued = ""
            for w in words[i:i + 7]:
                glued += w
                if len(glued) > 25:
                    break
                if iso11649.is_valid(glued):
                    refs.append(glued)
    return refs


def _by_intent(facts: PaymentFacts, book: OpenBook, ref: str) -> Decision | None:
    """A reference given on the portal for several invoices: all of them, the oldest due first; what the
    amount leaves over stays on the payment as unapplied credit."""
    invoices = [book.invoices[i] for i in book.by_intent.get(ref, ()) if i in book.invoices]
    usable = sorted(book.open(invoices, facts.currency), key=lambda i: (i.due_date, i.id))
    if not usable:
        return None
    # The payment's event lists every invoice it settles; the reason stays short enough to be kept whole.
    which = f"les factures {_numbers(usable)}" if len(usable) <= 5 else f"{len(usable)} factures"
    return Decision("reference", f"Référence de paiement {ref} donnée sur l'espace client pour {which}.",
                    _allocate(usable, facts.amount), usable[0].customer_id)


def _by_reference(facts: PaymentFacts, book: OpenBook, words: list[str]) -> Decision | None:
    for ref in dict.fromkeys(_rf_candidates(facts, words)):
        key = normalise_number(ref)
        if key in book.by_intent and (decision := _by_intent(facts, book, key)):
            return decision
        candidates = list(book.by_reference.get(key, ()))
        if not candidates and iso11649.is_valid(key):
            # RF + check digits + the invoice number itself, often zero-padded.
            candidates = list(book.by_number.get(key[4:].lstrip("0"), ())) or list(book.by_number.get(key[4:], ()))
        usable = book.open(candidates, facts.currency)
        if len(usable) == 1:
            return Decision("reference", f"Référence de paiement {ref} de la facture {usable[0].number}.",
                            _allocate(usable, facts.amount), usable[0].customer_id)
    return None


def identify_payer(facts: PaymentFacts, book: OpenBook) -> tuple[int | None, str]:
    """The customer behind the payer's IBAN, else behind a name close enough; with how it was found."""
    if facts.payer_iban and (owner := book.iban_owner.get(normalise_iban(facts.payer_iban))):
        return owner, "iban"
    name = normalise_name(facts.payer_name)
    if not name:
        return None, ""
    exact = book.name_index.get(name, set())
    if len(exact) == 1:
        return next(iter(exact)), "name"
    if exact:
        return None, ""
    best = process.extract(name, book.names, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_SCORE, limit=2)
    if len(best) == 1 or (len(best) == 2 and best[0][1] > best[1][1]):
        return best[0][2], "name"
    return None, ""


#: amount_subset's answer when several sets of invoices add up to the amount.
AMBIGUOUS: list[OpenInvoice] = []


def amount_subset(invoices: list[OpenInvoice], amount: Decimal) -> list[OpenInvoice] | None:
    """The one set of invoices whose outstanding adds up to `amount`; None if none; AMBIGUOUS if several."""
    singles = [i for i in invoices if i.outstanding == amount]
    if len(singles) == 1:
        return singles
    if len(singles) > 1:
        return AMBIGUOUS
    ordered = sorted(invoices, key=lambda i: (i.due_date, i.id))
    if sum(i.outstanding for i in ordered) == amount:
        return ordered
    running = Decimal("0")
    for k, inv in enumerate(ordered):
        running += inv.outstanding
        if running == amount:
            return ordered[:k + 1]  # the oldest invoices first: how customers usually pay
    if len(ordered) > SUBSET_LIMIT:
        return None
    found = [list(c) for n in range(2, len(ordered)) for c in combinations(ordered, n)
             if sum(i.outstanding for i in c) == amount]
    return found[0] if len(found) == 1 else (AMBIGUOUS if found else None)


def _by_payer(facts: PaymentFacts, book: OpenBook) -> Decision | None:
    customer_id, how = identify_payer(facts, book)
    if customer_id is None:
        return None
    who = (f"IBAN du payeur {facts.payer_iban} connu pour ce client" if how == "iban"
           else f"nom du payeur « {facts.payer_name} » proche du client")
    invoices = book.open(book.by_customer.get(customer_id, ()), facts.currency)
    subset = amount_subset(invoices, facts.amount)
    if subset is AMBIGUOUS:
        return Decision("review", f"À vérifier : {who}, mais plusieurs combinaisons de factures font "
                                  f"{format_eur(facts.amount, facts.currency)}.", customer_id=customer_id,
                        identified_by=how)
    if not subset:
        return Decision("review", f"À vérifier : {who}, mais aucune facture ouverte ni somme de factures ne fait "
                                  f"{format_eur(facts.amount, facts.currency)}.", customer_id=customer_id,
                        identified_by=how)
    what = (f"montant égal à la facture {subset[0].number}" if len(subset) == 1
            else f"montant égal au total des factures {_numbers(subset)}")
    return Decision(how, f"{who[0].upper()}{who[1:]} ; {what}.", _allocate(subset, facts.amount), customer_id,
                    identified_by=how)


def _by_amount(facts: PaymentFacts, book: OpenBook) -> Decision | None:
    ids = book.by_amount.get((facts.currency, facts.amount), set())
    if len(ids) != 1:
        return None
    inv = book.invoices[next(iter(ids))]
    return Decision("amount", f"Montant égal au reste dû d'une seule facture ouverte ({inv.number}).",
                    [(inv, facts.amount)], inv.customer_id)


def foreign_currency_reason(currency: str, detail: str) -> str:
    """The currency first: a person must convert and reconcile; what the rules found (or not) after."""
    detail = detail.removeprefix("À vérifier : ").rstrip(".")
    return f"À vérifier, devise {currency} : à rapprocher à la main — {detail}."


def match_payment(facts: PaymentFacts, book: OpenBook) -> Decision:
    """Decide, and settle the book in memory so the next payment of the same import sees it."""
    words = tokens(" ".join((facts.remittance, facts.creditor_reference)))
    decision = (_by_number(facts, book, words) or _by_reference(facts, book, words)
                or _by_payer(facts, book) or _by_amount(facts, book))
    if decision is None:
        amount_count = len(book.by_amount.get((facts.currency, facts.amount), ()))
        reason = (f"À vérifier : {amount_count} factures ouvertes ont ce montant." if amount_count > 1
                  else "À vérifier : aucune facture reconnue (ni numéro, ni référence, ni payeur connu, ni montant).")
        decision = Decision("review", reason)
    if not decision.matched and facts.currency != HOME_CURRENCY:
        decision.reason = foreign_currency_reason(facts.currency, decision.reason)
    for inv, amount in decision.allocations:
        book.settle(inv, amount)
    return decision
