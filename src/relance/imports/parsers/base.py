"""What every parser returns, and how it gathers problems before refusing a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from relance.core.errors import InputError, InputProblem
from relance.ledger.records import InvoiceRecord

#: a file with more problems than this is hopeless; listing them all would only bury the first ones
MAX_PROBLEMS = 500


@dataclass(frozen=True)
class CreditLink:
    """A credit note the accounting system has already set against an invoice (FEC lettering)."""

    file: str
    line: int
    credit_note: str
    invoice: str
    amount: Decimal
    date: date


@dataclass
class ParseResult:
    records: list[InvoiceRecord] = field(default_factory=list)
    credit_links: list[CreditLink] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: ParseResult) -> None:
        self.records.extend(other.records)
        self.credit_links.extend(other.credit_links)
        self.warnings.extend(other.warnings)


class Problems:
    """Collects every problem of a file, then refuses it at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[InputProblem] = []
        self.dropped = 0

    def add(self, line: int | None, field: str | None, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(InputProblem(self.file, line, field, message))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.dropped:
            self.items.append(InputProblem(self.file, None, None,
                                           f"… et {self.dropped} autres problèmes non détaillés."))
        if self.items:
            raise InputError(list(self.items))
