"""Bank imports, automatic matching, manual assignment and reversals.

`bank_import` is what `relance import bank` and the web import page call. It is all-or-nothing: the
files are parsed completely first, and any problem means nothing is written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Sum

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.services import event_record, task_create
from relance.banking.matching import Decision, OpenBook, match_payment, normalise_iban
from relance.banking.models import BankReversal, BankStatement
from relance.banking.parsers import parse_statement_file
from relance.banking.parsers.common import check_size
from relance.banking.records import BankLine, ParsedStatement
from relance.banking.selectors import open_book, payment_facts
from relance.core.errors import ApplicationError, InputError, InputProblem
from relance.core.money import format_eur
from relance.core.reports import ImportReport
from relance.ledger.models import Allocation, Customer, Invoice, Payment
from relance.ledger.selectors import scoped
from relance.ledger.services import allocation_add, invoice_refresh_status

Source = str | os.PathLike[str] | tuple[str, bytes]
CHUNK = 500


@dataclass
class StatementInput:
    parsed: ParsedStatement
    content_hash: str


@dataclass
class ImportOutcome:
    created: int = 0
    duplicates: int = 0
    reversed: int = 0
    matched: int = 0
    review: int = 0
    messages: list[str] = field(default_factory=list)


def _read(source: Source) -> tuple[str, bytes]:
    if isinstance(source, tuple):
        name, data = source
        check_size(name, len(data))
        return name, data
    path = Path(source)
    try:
        check_size(path.name, path.stat().st_size)  # refused before a single byte is read
        return path.name, path.read_bytes()
    except OSError as exc:
        raise InputError([InputProblem(str(path), None, None, f"fichier illisible : {exc.strerror}")])


def _parse_all(paths: Sequence[Source], fmt: str) -> list[StatementInput]:
    inputs, problems = [], []
    for source in paths:
        try:
            name, data = _read(source)
            digest = hashlib.sha256(data).hexdigest()
            inputs += [StatementInput(s, digest) for s in parse_statement_file(name, data, fmt)]
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return inputs


def bank_import(*, org: Organisation, paths: Sequence[Source], fmt: str = "auto", dry_run: bool = False,
                today: date) -> ImportReport:
    """Import bank statements: payments created, matched, reversals applied. Raises InputError on bad input."""
    if not paths:
        raise InputError([InputProblem("", None, None, "aucun fichier à importer")])
    inputs = _parse_all(paths, fmt)
    with transaction.atomic():
        outcome = statements_record(org=org, inputs=inputs, today=today)
        if dry_run:
            transaction.set_rollback(True)
    report = ImportReport(created=outcome.created, updated=outcome.reversed, unchanged=outcome.duplicates,
                          dry_run=dry_run)
    report.warnings.extend(outcome.messages)
    return report


def _known(model: type, org: Organisation, field_name: str, values: Iterable[str]) -> set[str]:
    values, found = list(values), set()
    for i in range(0, len(values), CHUNK):
        found.update(scoped(model, org).filter(**{f"{field_name}__in": values[i:i + CHUNK]})
                     .values_list(field_name, flat=True))
    return found


def _statement_row(org: Organisation, item: StatementInput, today: date) -> BankStatement:
    s = item.parsed
    row, _ = BankStatement.objects.get_or_create(
        org=org, content_hash=item.content_hash, statement_id=s.statement_id[:200],
        defaults={"file_name": s.file[:255], "format": s.format, "account_iban": s.account_iban[:34],
                  "account_id": s.account_id[:100], "opening_date": s.opening_date, "closing_date": s.closing_date,
                  "currency": s.currency[:3], "imported_on": today},
    )
    return row


def statements_record(*, org: Organisation, inputs: list[StatementInput], today: date) -> ImportOutcome:
    outcome = ImportOutcome()
    lines = [line for item in inputs for line in item.parsed.lines]
    known_payments = _known(Payment, org, "bank_transaction_id", (ln.bank_ref for ln in lines if ln.is_payment))
    known_reversals = _known(BankReversal, org, "bank_ref", (ln.bank_ref for ln in lines if ln.reverses_payment))
    new_payments: list[Payment] = []
    reversals: list[tuple[BankStatement, BankLine]] = []
    for item in inputs:
        statement = _statement_row(org, item, today)
        counts = {"created": 0, "duplicates": 0, "debits": 0, "reversals": 0}
        for line in item.parsed.lines:
            if line.is_payment and line.bank_ref not in known_payments:
                known_payments.add(line.bank_ref)
                new_payments.append(_payment(org, line))
                counts["created"] += 1
            elif line.reverses_payment and line.bank_ref not in known_reversals:
                known_reversals.add(line.bank_ref)
                reversals.append((statement, line))
                counts["reversals"] += 1
            elif line.is_payment or line.reverses_payment:
                counts["duplicates"] += 1
            else:
                counts["debits"] += 1
        _update_counts(statement, counts)
        outcome.duplicates += counts["duplicates"]
        outcome.messages.append(_statement_message(item.parsed, counts))
    created = Payment.objects.bulk_create(new_payments, batch_size=CHUNK)
    outcome.created = len(created)
    _match_new(org=org, payments=created, today=today, outcome=outcome)
    for statement, line in reversals:
        outcome.reversed += _reversal_record(org=org, statement=statement, line=line, today=today, outcome=outcome)
    return outcome


def _update_counts(statement: BankStatement, counts: dict[str, int]) -> None:
    statement.payments_created += counts["created"]
    statement.duplicates += counts["duplicates"]
    statement.debits_ignored += counts["debits"]
    statement.reversals += counts["reversals"]
    statement.save(update_fields=["payments_created", "duplicates", "debits_ignored", "reversals"])


def _statement_message(s: ParsedStatement, counts: dict[str, int]) -> str:
    return (f"{s.file} : relevé {s.account or 'sans compte'} arrêté au "
            f"{s.closing_date.strftime('%d/%m/%Y') if s.closing_date else '?'} — {counts['created']} paiement(s) "
            f"nouveau(x), {counts['duplicates']} déjà connu(s), {counts['debits']} débit(s) ignoré(s), "
            f"{counts['reversals']} contre-passation(s).")


def _payment(org: Organisation, line: BankLine) -> Payment:
    return Payment(
        org=org, date=line.booking_date, amount=line.amount, currency=line.currency[:3],
        method=Payment.Method.TRANSFER, reference=line.end_to_end_id[:200], bank_transaction_id=line.bank_ref,
        payer_name=line.payer_name[:200], payer_iban=line.payer_iban[:34],
        remittance=(line.remittance if line.creditor_reference in line.remittance
                    else f"{line.remittance} {line.creditor_reference}".strip()),
    )


def _match_new(*, org: Organisation, payments: list[Payment], today: date, outcome: ImportOutcome) -> None:
    if not payments:
        return
    book = open_book(org)
    decisions = [(p, match_payment(payment_facts(p), book)) for p in payments]
    wanted = {inv.id for _, d in decisions for inv, _ in d.allocations}
    invoices = _in_bulk(org, Invoice, wanted)
    customers = _in_bulk(org, Customer, {d.customer_id for _, d in decisions if d.customer_id})
    for payment, decision in decisions:
        decision_apply(org=org, payment=payment, decision=decision, invoices=invoices, customers=customers,
                       book=book)
        outcome.matched += decision.matched
        outcome.review += not decision.matched
    Payment.objects.bulk_update(payments, ["status", "customer", "match_reason"], batch_size=CHUNK)
    for customer in customers.values():
        if getattr(customer, "_ibans_changed", False):
            customer.save(update_fields=["payer_ibans", "updated_at"])
    outcome.messages.append(f"Rapprochement : {outcome.matched} paiement(s) affecté(s) automatiquement, "
                            f"{outcome.review} à vérifier dans la file « Paiements à rapprocher ».")


def _in_bulk(org: Organisation, model: type, ids: set[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    ids_list = sorted(ids)
    for i in range(0, len(ids_list), CHUNK):
        found.update(scoped(model, org).in_bulk(ids_list[i:i + CHUNK]))
    return found


def decision_apply(*, org: Organisation, payment: Payment, decision: Decision, invoices: dict[int, Invoice],
                   customers: dict[int, Customer], book: OpenBook | None = None) -> None:
    """Write what the matcher decided: allocations, payment status and reason, timeline event."""
    payment.match_reason = decision.reason[:300]
    if not decision.matched:
        # A payer recognised by IBAN is certain enough to name the customer; a name alone is only a hint.
        payment.customer_id = decision.customer_id if decision.rule == "review" and _iban_known(
            payment, decision, book) else None
        return
    customer = customers[decision.customer_id]
    payment.customer, payment.status = customer, Payment.Status.MATCHED
    for inv, amount in decision.allocations:
        allocation_add(org=org, invoice=invoices[inv.id], amount=amount, day=payment.date, payment=payment,
                       note=decision.reason[:300])
    _learn_iban(customer, payment.payer_iban, book)
    _payment_event(org=org, payment=payment, customer=customer, invoices=[invoices[i.id] for i, _ in decision.allocations],
                   reason=decision.reason, actor=None)


def _iban_known(payment: Payment, decision: Decision, book: OpenBook | None) -> bool:
    if decision.customer_id is None or book is None or not payment.payer_iban:
        return False
    return book.iban_owner.get(normalise_iban(payment.payer_iban)) == decision.customer_id


def _learn_iban(customer: Customer, iban: str, book: OpenBook | None) -> None:
    key = normalise_iban(iban)
    if key and key not in [normalise_iban(i) for i in customer.payer_ibans]:
        customer.payer_ibans = [*customer.payer_ibans, key]
        customer._ibans_changed = True  # type: ignore[attr-defined]
        if book is not None:
            book.learn_iban(key, customer.id)


def _payment_event(*, org: Organisation, payment: Payment, customer: Customer, invoices: list[Invoice],
                   reason: str, actor: Any) -> None:
    numbers = ", ".join(i.number for i in invoices)
    event_record(
        org=org, type="payment", day=payment.date, customer=customer, invoice=invoices[0] if invoices else None,
        message=f"Paiement de {format_eur(payment.amount, payment.currency)} reçu le "
                f"{payment.date.strftime('%d/%m/%Y')}, affecté à {numbers}. {reason}",
        data={"payment_id": payment.id, "invoices": [i.number for i in invoices], "reason": reason,
              "bank_transaction_id": payment.bank_transaction_id},
        actor=actor,
    )


@transaction.atomic
def payment_assign(*, org: Organisation, payment: Payment, invoices: list[Invoice], actor: Any,
                   today: date) -> list[Allocation]:
    """A person assigns an unmatched payment to one or several open invoices of one customer."""
    payment = scoped(Payment, org).select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.UNMATCHED:
        raise ApplicationError(f"Ce paiement est déjà {payment.get_status_display().lower()}.")
    if not invoices:
        raise ApplicationError("Choisissez au moins une facture.")
    if len({i.customer_id for i in invoices}) != 1 or any(i.org_id != org.id for i in invoices):
        raise ApplicationError("Les factures choisies doivent appartenir à un seul client.")
    customer = invoices[0].customer
    allocations, left = [], payment.amount
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.id)):
        outstanding = _outstanding(invoice)
        if left <= 0 or outstanding <= 0:
            continue
        part = min(left, outstanding)
        allocations.append(allocation_add(org=org, invoice=invoice, amount=part, day=payment.date, payment=payment,
                                          note="Affectation manuelle"))
        left -= part
    if not allocations:
        raise ApplicationError("Les factures choisies sont déjà soldées.")
    who = getattr(actor, "email", "") or "l'équipe"
    payment.customer, payment.status = customer, Payment.Status.MATCHED
    payment.match_reason = f"Rapproché manuellement par {who} le {today.strftime('%d/%m/%Y')}."
    payment.save(update_fields=["customer", "status", "match_reason"])
    _learn_iban(customer, payment.payer_iban, None)
    if getattr(customer, "_ibans_changed", False):
        customer.save(update_fields=["payer_ibans", "updated_at"])
    _payment_event(org=org, payment=payment, customer=customer, invoices=[a.invoice for a in allocations],
                   reason=payment.match_reason, actor=actor)
    return allocations


def _outstanding(invoice: Invoice) -> Decimal:
    used = invoice.allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return max(invoice.total_incl_tax - used, Decimal("0"))


def _reversal_record(*, org: Organisation, statement: BankStatement, line: BankLine, today: date,
                     outcome: ImportOutcome) -> int:
    payment = _reversed_payment(org, line)
    BankReversal.objects.create(
        org=org, statement=statement, bank_ref=line.bank_ref, end_to_end_id=line.end_to_end_id[:200],
        date=line.booking_date, amount=line.amount, currency=line.currency[:3], reason_code=line.return_reason[:10],
        payment=payment,
    )
    if payment is None:
        outcome.messages.append(
            f"{statement.file_name} : contre-passation de {format_eur(line.amount, line.currency)} du "
            f"{line.booking_date.strftime('%d/%m/%Y')} (réf. {line.end_to_end_id or line.bank_ref}) sans paiement "
            f"d'origine connu : rien à annuler.")
        return 0
    payment_reverse(org=org, payment=payment, day=line.booking_date, reason_code=line.return_reason, today=today)
    return 1


def _reversed_payment(org: Organisation, line: BankLine) -> Payment | None:
    if not line.end_to_end_id:
        return None
    candidates = scoped(Payment, org).filter(reference=line.end_to_end_id, amount=line.amount,
                                             currency=line.currency).exclude(status=Payment.Status.REVERSED)
    return candidates.order_by("-date", "-id").first()


@transaction.atomic
def payment_reverse(*, org: Organisation, payment: Payment, day: date, reason_code: str, today: date) -> Payment:
    """The bank took the money back: undo its allocations (invoices reopen) and keep the evidence."""
    if payment.org_id != org.id:
        raise ApplicationError("Paiement introuvable.")
    if payment.status == Payment.Status.REVERSED:
        return payment
    allocations = list(scoped(Allocation, org).filter(payment=payment).select_related("invoice"))
    scoped(Allocation, org).filter(payment=payment).delete()
    for invoice in {a.invoice_id: a.invoice for a in allocations}.values():
        invoice_refresh_status(invoice)
    payment.status = Payment.Status.REVERSED
    code = f" (motif bancaire {reason_code})" if reason_code else ""
    payment.match_reason = f"Contre-passé par la banque le {day.strftime('%d/%m/%Y')}{code}."[:300]
    payment.save(update_fields=["status", "match_reason"])
    if payment.customer_id:
        message = (f"Paiement de {format_eur(payment.amount, payment.currency)} du "
                   f"{payment.date.strftime('%d/%m/%Y')} rejeté par la banque le {day.strftime('%d/%m/%Y')}{code} : "
                   f"{', '.join(a.invoice.number for a in allocations) or 'aucune facture'} de nouveau dû(es).")
        event_record(org=org, type="payment_reversed", day=day, customer=payment.customer,
                     invoice=allocations[0].invoice if allocations else None, message=message,
                     data={"payment_id": payment.id, "reason_code": reason_code})
        task_create(org=org, kind=Task.Kind.CHECK_PAYMENT, title=f"Paiement rejeté : {payment.customer.name}",
                    body=message, due=today, customer=payment.customer)
    return payment
