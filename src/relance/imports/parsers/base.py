"""What every parser returns, and how it gathers problems before refusing a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

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


class InvoiceTable(Protocol):
    """Invoices still held as columns (a FEC read with polars): records are built only when asked for."""

    def records(self) -> list[InvoiceRecord]: ...


class ParseResult:
    """What a parser read: invoice records (or a table of them), credit notes already set, warnings."""

    def __init__(self, records: list[InvoiceRecord] | None = None, credit_links: list[CreditLink] | None = None,
                 warnings: list[str] | None = None, table: InvoiceTable | None = None) -> None:
        self._records = records if records is not None else []
        self.credit_links = credit_links if credit_links is not None else []
        self.warnings = warnings if warnings is not None else []
        #: the invoices as a table, while nothing has asked for them one by one (the import writes it as is)
        self.table = table

    @property
    def records(self) -> list[InvoiceRecord]:
        if self.table is not None:
            self._records.extend(self.table.records())
            self.table = None
        return self._records

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
