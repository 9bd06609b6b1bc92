"""Rule 2 for a creditor reference the portal gave for several invoices (a payment intent): the pure matcher."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from relance.banking.matching import KnownCustomer, OpenBook, OpenInvoice, PaymentFacts, match_payment

D = Decimal
GARAGE, BAKERY = 1, 2
INTENT = "RF18539007547034"  # the ISO 11649 example


def book(**extra: list[int]) -> OpenBook:
    invoices = [
        OpenInvoice(12, "FA-2025-0014", GARAGE, D("450.00"), due_date=date(2025, 4, 1)),
        OpenInvoice(10, "FA-2025-0012", GARAGE, D("1200.00"), due_date=date(2025, 2, 1)),
        OpenInvoice(11, "FA-2025-0013", GARAGE, D("300.00"), due_date=date(2025, 3, 1)),
        OpenInvoice(13, "FA-2025-0099", GARAGE, D("80.00"), due_date=date(2025, 1, 1)),
        OpenInvoice(20, "FA-2025-0020", BAKERY, D("1950.00")),
    ]
    customers = [KnownCustomer(GARAGE, "Garage Lefèvre"), KnownCustomer(BAKERY, "Boulangerie Martin")]
    return OpenBook(invoices, customers, intents={INTENT: [12, 10, 11], **extra})


def allocated(decision) -> list[tuple[str, Decimal]]:
    return [(inv.number, amount) for inv, amount in decision.allocations]


def test_the_reference_pays_every_invoice_it_stands_for_oldest_due_first():
    decision = match_payment(PaymentFacts(D("1950.00"), remittance=INTENT), book())
    assert decision.rule == "reference" and decision.customer_id == GARAGE
    assert allocated(decision) == [("FA-2025-0012", D("1200.00")), ("FA-2025-0013", D("300.00")),
                                   ("FA-2025-0014", D("450.00"))]
    assert INTENT in decision.reason and "FA-2025-0014" in decision.reason


def test_it_wins_over_an_other_invoice_of_the_same_amount():
    # 1950.00 is also the one open invoice of the bakery: the amount rule would have taken it.
    decision = match_payment(PaymentFacts(D("1950.00"), creditor_reference=INTENT), book())
    assert {n for n, _ in allocated(decision)} == {"FA-2025-0012", "FA-2025-0013", "FA-2025-0014"}


def test_a_smaller_amount_settles_the_oldest_first_and_a_larger_one_leaves_credit():
    partial = match_payment(PaymentFacts(D("1300.00"), remittance=f"Virement {INTENT}"), book())
    assert allocated(partial) == [("FA-2025-0012", D("1200.00")), ("FA-2025-0013", D("100.00"))]
    surplus = match_payment(PaymentFacts(D("2000.00"), remittance=INTENT), book())
    assert sum(a for _, a in allocated(surplus)) == D("1950.00")  # 50.00 stays on the payment, unapplied


def test_the_reference_is_read_written_in_groups_of_four_and_in_lower_case():
    decision = match_payment(PaymentFacts(D("1950.00"), remittance="rf18 5390 0754 7034"), book())
    assert decision.rule == "reference" and len(decision.allocations) == 3


def test_invoices_already_settled_are_skipped_and_the_next_payment_sees_the_first():
    shared = book()
    first = match_payment(PaymentFacts(D("1200.00"), remittance=INTENT), shared)
    second = match_payment(PaymentFacts(D("750.00"), remittance=INTENT), shared)
    assert allocated(first) == [("FA-2025-0012", D("1200.00"))]
    assert allocated(second) == [("FA-2025-0013", D("300.00")), ("FA-2025-0014", D("450.00"))]


def test_an_intent_whose_invoices_are_all_closed_falls_back_to_the_other_rules():
    closed = OpenBook([OpenInvoice(20, "FA-2025-0020", BAKERY, D("1950.00"))], [], intents={INTENT: [12, 10]})
    decision = match_payment(PaymentFacts(D("1950.00"), remittance=INTENT), closed)
    assert decision.rule == "amount" and allocated(decision) == [("FA-2025-0020", D("1950.00"))]


def test_an_unknown_reference_still_reads_as_the_invoice_s_own_payment_reference():
    other = OpenBook([OpenInvoice(20, "FA-2025-0020", BAKERY, D("99.90"), payment_reference="RF712348231")], [],
                     intents={INTENT: [20]})
    decision = match_payment(PaymentFacts(D("99.90"), remittance="RF71 2348 231"), other)
    assert decision.rule == "reference" and "RF712348231" in decision.reason
