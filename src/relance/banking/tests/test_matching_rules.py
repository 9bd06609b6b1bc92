"""The matching rules as a pure function: a table of payments against a small open book."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.banking.matching import (
    KnownCustomer,
    OpenBook,
    OpenInvoice,
    PaymentFacts,
    match_payment,
    normalise_number,
)

D = Decimal
GARAGE, BAKERY, TWIN_A, TWIN_B = 1, 2, 3, 4


def book() -> OpenBook:
    invoices = [
        OpenInvoice(10, "FA-2025-0012", GARAGE, D("1200.00"), due_date=date(2025, 2, 1)),
        OpenInvoice(11, "FA-2025-0013", GARAGE, D("300.00"), due_date=date(2025, 3, 1)),
        OpenInvoice(12, "FA-2025-0014", GARAGE, D("450.00"), due_date=date(2025, 4, 1)),
        OpenInvoice(20, "FA-2025-0020", BAKERY, D("99.90"), payment_reference="RF18539007547034"),
        OpenInvoice(21, "FA-2025-0021", BAKERY, D("777.00")),
        OpenInvoice(30, "FA-2025-0030", TWIN_A, D("500.00")),
        OpenInvoice(31, "FA-2025-0031", TWIN_B, D("500.00")),
        OpenInvoice(40, "115", BAKERY, D("15.00")),
        OpenInvoice(50, "INV-CH-1", BAKERY, D("1000.00"), currency="CHF"),
    ]
    customers = [
        KnownCustomer(GARAGE, "Garage Lefèvre SARL", ["FR7630001007941234567890185"]),
        KnownCustomer(BAKERY, "Boulangerie Martin"),
        KnownCustomer(TWIN_A, "Twin A"), KnownCustomer(TWIN_B, "Twin B"),
    ]
    return OpenBook(invoices, customers, closed_numbers=["FA-2024-0999"])


def pay(amount: str, remittance: str = "", name: str = "", iban: str = "", currency: str = "EUR", cref: str = ""):
    return PaymentFacts(D(amount), currency, remittance, name, iban, cref)


CASES = [
    # (facts, rule, [(invoice number, amount)], customer)
    (pay("1200.00", "VIR FACT FA-2025-0012 MERCI"), "number", [("FA-2025-0012", "1200.00")], GARAGE),
    (pay("1200.00", "FA2025 0012"), "number", [("FA-2025-0012", "1200.00")], GARAGE),
    (pay("1200.00", "ref fa20250012."), "number", [("FA-2025-0012", "1200.00")], GARAGE),
    (pay("500.00", "acompte FA-2025-0012"), "number", [("FA-2025-0012", "500.00")], GARAGE),  # partial
    (pay("1600.00", "FA-2025-0012 / FA 2025 0013"), "number",
     [("FA-2025-0012", "1200.00"), ("FA-2025-0013", "300.00")], GARAGE),  # surplus of 100 stays unapplied
    (pay("99.90", "", cref="RF18 5390 0754 7034"), "reference", [("FA-2025-0020", "99.90")], BAKERY),
    (pay("99.90", "paiement RF18 5390 0754 7034"), "reference", [("FA-2025-0020", "99.90")], BAKERY),
    (pay("777.00", "ref RF2000FA20250021"), "reference", [("FA-2025-0021", "777.00")], BAKERY),
    (pay("300.00", "virement", iban="FR76 3000 1007 9412 3456 7890 185"), "iban", [("FA-2025-0013", "300.00")], GARAGE),
    (pay("1500.00", "virement", iban="FR7630001007941234567890185"), "iban",
     [("FA-2025-0012", "1200.00"), ("FA-2025-0013", "300.00")], GARAGE),  # the oldest two
    (pay("1650.00", "virement", iban="FR7630001007941234567890185"), "iban",
     [("FA-2025-0012", "1200.00"), ("FA-2025-0014", "450.00")], GARAGE),  # the one subset that fits
    (pay("891.90", "", name="BOULANGERIE MARTIN"), "name", [("FA-2025-0020", "99.90"), ("FA-2025-0021", "777.00"),
                                                            ("115", "15.00")], BAKERY),
    (pay("777.00", "", name="Boulangeri Martín SAS"), "name", [("FA-2025-0021", "777.00")], BAKERY),
    (pay("450.00", "virement divers"), "amount", [("FA-2025-0014", "450.00")], GARAGE),
    (pay("1000.00", "", currency="CHF"), "amount", [("INV-CH-1", "1000.00")], BAKERY),
]


@pytest.mark.parametrize(("facts", "rule", "expected", "customer"), CASES)
def test_each_rule_matches_and_says_why(facts, rule, expected, customer):
    decision = match_payment(facts, book())
    assert decision.rule == rule
    assert [(inv.number, str(amount)) for inv, amount in decision.allocations] == expected
    assert decision.customer_id == customer
    assert decision.reason and not decision.reason.startswith("À vérifier")


REVIEW = [
    (pay("500.00", "virement"), "2 factures ouvertes ont ce montant"),
    (pay("123.45", "virement"), "aucune facture reconnue"),
    (pay("100.00", "FA-2025-0030 et FA-2025-0031"), "plusieurs clients"),
    (pay("100.00", "", iban="FR7630001007941234567890185"), "aucune facture ouverte ni somme"),
    (pay("50.00", "solde FA-2024-0999"), "déjà soldée"),
    (pay("1200.00", "FA-2025-0012", currency="USD"), "aucune facture reconnue"),
]


@pytest.mark.parametrize(("facts", "why"), REVIEW)
def test_ambiguous_or_unknown_payments_go_to_the_review_queue_with_the_reason(facts, why):
    decision = match_payment(facts, book())
    assert not decision.matched and decision.rule == "review"
    assert why in decision.reason


def test_a_payer_identified_by_iban_with_an_unknown_amount_is_not_matched_on_amount_alone():
    # 450.00 is the outstanding of exactly one invoice (the garage's), but the IBAN belongs to another payer.
    b = book()
    b.learn_iban("DE89370400440532013000", BAKERY)
    decision = match_payment(pay("450.00", "", iban="DE89370400440532013000"), b)
    assert not decision.matched and decision.customer_id == BAKERY


def test_short_invoice_numbers_are_not_found_by_chance_in_a_label():
    decision = match_payment(pay("20.00", "CUSNO 115 4210773"), book())
    assert decision.rule == "review"


def test_an_iban_known_for_two_customers_identifies_neither():
    b = book()
    b.learn_iban("FR7630001007941234567890185", BAKERY)
    assert match_payment(pay("300.00", "", iban="FR7630001007941234567890185"), b).rule != "iban"


def test_the_book_is_settled_in_memory_so_a_second_payment_sees_the_first():
    b = book()
    first = match_payment(pay("1200.00", "FA-2025-0012"), b)
    second = match_payment(pay("1200.00", "FA-2025-0012"), b)
    assert first.matched and not second.matched  # nothing left to pay on that invoice
    assert match_payment(pay("1200.00", "virement"), b).rule == "review"  # amount index updated too


def test_two_customers_with_close_names_are_not_guessed():
    b = OpenBook([OpenInvoice(1, "X-0001", 1, D("10")), OpenInvoice(2, "X-0002", 2, D("20"))],
                 [KnownCustomer(1, "Dupont Frères"), KnownCustomer(2, "Dupont Freres")])
    assert match_payment(pay("10.00", "", name="DUPONT FRERES"), b).rule == "amount"


@settings(max_examples=50, deadline=None)
@given(st.from_regex(r"[A-Z]{2}-20[0-9]{2}-[0-9]{4}", fullmatch=True), st.sampled_from(["-", " ", "", ".", "/"]),
       st.booleans())
def test_an_invoice_number_is_found_whatever_the_separators_and_case(number, sep, lower):
    written = number.replace("-", sep)
    written = written.lower() if lower else written
    b = OpenBook([OpenInvoice(1, number, 1, D("10.00"))], [])
    decision = match_payment(pay("10.00", f"VIR SEPA {written} MERCI"), b)
    assert decision.rule == "number" and normalise_number(written) == normalise_number(number)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2), min_size=1, max_size=6),
       st.decimals(min_value=D("0.01"), max_value=D("20000"), places=2))
def test_allocations_never_exceed_the_payment_nor_an_invoice(outstandings, amount):
    invoices = [OpenInvoice(i, f"FA-{i:04d}", 1, o) for i, o in enumerate(outstandings, start=1)]
    b = OpenBook(invoices, [KnownCustomer(1, "Client", ["FR7630001007941234567890185"])])
    remittance = " ".join(i.number for i in invoices)
    decision = match_payment(pay(str(amount), remittance), b)
    assert sum(a for _, a in decision.allocations) <= amount
    assert all(a > 0 for _, a in decision.allocations)
    assert all(inv.outstanding >= 0 for inv in invoices)
