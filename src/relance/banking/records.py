"""What the bank parsers produce: plain dataclasses, no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class BankLine:
    """One booked transaction of a statement.

    `bank_ref` identifies the transaction across overlapping statements (the bank's own reference
    when it gives one, else a fingerprint); `credit` and `reversal` follow ISO 20022: a debit with
    the reversal flag cancels an earlier credit.
    """

    bank_ref: str
    booking_date: date
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool = False
    end_to_end_id: str = ""
    payer_name: str = ""
    payer_iban: str = ""
    remittance: str = ""
    creditor_reference: str = ""
    return_reason: str = ""
    line: int | None = None

    @property
    def is_payment(self) -> bool:
        """An incoming payment (a credit that is not itself the reversal of a debit)."""
        return self.credit and not self.reversal

    @property
    def reverses_payment(self) -> bool:
        return not self.credit and self.reversal


@dataclass
class ParsedStatement:
    file: str
    format: str
    account_iban: str = ""
    account_id: str = ""
    statement_id: str = ""
    opening_date: date | None = None
    closing_date: date | None = None
    currency: str = "EUR"
    lines: list[BankLine] = field(default_factory=list)

    @property
    def account(self) -> str:
        return self.account_iban or self.account_id
