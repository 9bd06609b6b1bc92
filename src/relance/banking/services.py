"""Bank imports, automatic matching, manual assignment and reversals.

`bank_import` is what `relance import bank` and the web import page call. It is all-or-nothing: the
files are parsed completely first, and any problem means nothing is written.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Event, Task
from relance.activity.services import event_record, task_create
from relance.banking.matching import HOME_CURRENCY, Decision, PaymentFacts, match_payment, normalise_iban
from relance.banking.models import BankReversal, BankStatement
from relance.banking.parsers import parse_statement_file
from relance.banking.parsers.common import check_size
from relance.banking.records import BankLine, ParsedStatement
from relance.banking.selectors import allocated_by_invoice, open_book
from relance.core.db import Money, sqlite_statistics_refresh
from relance.core.errors import ApplicationError, InputError, InputProblem
from relance.core.money import format_eur
from relance.core.reports import ImportReport
from relance.imports.bulk import insert_rows
from relance.ledger.models import Allocation, Customer, Invoice, Payment
from relance.ledger.selectors import scoped
from relance.ledger.services import allocation_add, invoice_refresh_status

Source = str | os.PathLike[str] | tuple[str, bytes]
CHUNK = 500
LOCK_CHUNK = 5000  # below SQLite's 32766 bound parameters and PostgreSQL's 65535
#: Rules strong enough to teach us the payer's IBAN (an amount alone is not).
LEARNING_RULES = {"number", "reference", "name"}


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
    #: payments in another currency than the books', left for a person to reconcile
    foreign: dict[str, int] = field(default_factory=lambda: defaultdict(int))
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
    # Parsed lines and the open book (an object per open invoice) live for the whole import: the cyclic
    # garbage collector would walk them all again and again (a third of the time it takes to load
    # 100,000 invoices), for no garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        inputs = _parse_all(paths, fmt)
        outcome = _record_atomically(org, inputs, today=today, dry_run=dry_run)
        if not dry_run:
            sqlite_statistics_refresh()
    finally:
        if collecting:
            gc.enable()
    report = ImportReport(created=outcome.created, updated=outcome.reversed, unchanged=outcome.duplicates,
                          dry_run=dry_run)
    report.warnings.extend(outcome.messages)
    return report


def _record_atomically(org: Organisation, inputs: list[StatementInput], *, today: date,
                       dry_run: bool) -> ImportOutcome:
    with transaction.atomic():
        # One bank import at a time per organisation: overlapping statements imported concurrently must still
        # see each other's transactions (PostgreSQL row lock; SQLite's IMMEDIATE transaction already serialises).
        Organisation.objects.select_for_update().filter(pk=org.pk).first()
        outcome = statements_record(org=org, inputs=inputs, today=today)
        if dry_run:
            transaction.set_rollback(True)
    return outcome


def _known(model: type, org: Organisation, field_name: str, values: Iterable[str]) -> set[str]:
    values, found = list(values), set[str]()
    for i in range(0, len(values), CHUNK):
        found.update(scoped(model, org).filter(**{f"{field_name}__in": values[i:i + CHUNK]})
                     .values_list(field_name, flat=True))
    return found


def _statement_row(org: Organisation, item: StatementInput, today: date) -> BankStatement:
    s = item.parsed
    row, _created = BankStatement.objects.get_or_create(
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
    new_lines: list[BankLine] = []
    reversals: list[tuple[BankStatement, BankLine]] = []
    for item in inputs:
        statement = _statement_row(org, item, today)
        counts = {"created": 0, "duplicates": 0, "debits": 0, "reversals": 0}
        for line in item.parsed.lines:
            if line.is_payment and line.bank_ref not in known_payments:
                known_payments.add(line.bank_ref)
                new_lines.append(line)
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
        if warning := foreign_account_warning(org, item.parsed):
            outcome.messages.append(warning)
    if new_lines:
        created = payments_create(org=org, lines=new_lines, outcome=outcome)
        outcome.reversed += _pending_reversals_apply(org=org, payments=created, today=today)
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


def foreign_account_warning(org: Organisation, s: ParsedStatement) -> str:
    """A statement of an account whose IBAN is not the organisation's: a private or another company's
    account imported by mistake would credit its payments to customers. Said, not refused."""
    own, theirs = normalise_iban(org.iban), normalise_iban(s.account_iban)
    if not own or not theirs or own == theirs:
        return ""
    return (f"{s.file} : le relevé est celui du compte {s.account_iban}, qui n'est pas l'IBAN de l'organisation "
            f"({org.iban}) — vérifiez qu'il s'agit bien d'un compte de l'entreprise avant de relancer.")


def _facts(line: BankLine) -> PaymentFacts:
    return PaymentFacts(amount=line.amount, currency=line.currency, remittance=line.remittance,
                        payer_name=line.payer_name, payer_iban=line.payer_iban,
                        creditor_reference=line.creditor_reference)


def _payment(org: Organisation, line: BankLine, decision: Decision) -> Payment:
    # A payer recognised by IBAN is certain enough to name the customer even when no invoice fits;
    # a name alone is only a hint for the review queue.
    customer_id = decision.customer_id if decision.matched or decision.identified_by == "iban" else None
    return Payment(
        org_id=org.id, date=line.booking_date, amount=line.amount, currency=line.currency[:3],
        method=Payment.Method.TRANSFER, reference=line.end_to_end_id[:200], bank_transaction_id=line.bank_ref,
        payer_name=line.payer_name[:200], payer_iban=line.payer_iban[:34],
        remittance=(line.remittance if line.creditor_reference in line.remittance
                    else f"{line.remittance} {line.creditor_reference}".strip()),
        status=Payment.Status.MATCHED if decision.matched else Payment.Status.UNMATCHED,
        customer_id=customer_id, match_reason=decision.reason[:300],
    )


def payments_create(*, org: Organisation, lines: list[BankLine], outcome: ImportOutcome) -> list[Payment]:
    """Match every new line against the open book (loaded once), then write payments, allocations and
    timeline events in bulk."""
    book = open_book(org)
    decisions: list[Decision] = []
    learnt: dict[int, set[str]] = defaultdict(set)
    for line in lines:
        decision = match_payment(_facts(line), book)
        decisions.append(decision)
        iban = normalise_iban(line.payer_iban)
        customer_id = decision.customer_id
        if decision.rule in LEARNING_RULES and iban and customer_id and book.iban_owner.get(iban) != customer_id:
            book.learn_iban(iban, customer_id)
            learnt[customer_id].add(iban)
    payments = [_payment(org, ln, d) for ln, d in zip(lines, decisions, strict=True)]
    _insert_payments(org, payments)
    matched = [(p, d) for p, d in zip(payments, decisions, strict=True) if d.matched]
    allocations_bulk_add(org=org, matched=matched)
    insert_rows([_payment_event(org, p, d) for p, d in matched])
    _customers_learn(org, learnt)
    outcome.created += len(payments)
    outcome.matched += len(matched)
    outcome.review += len(payments) - len(matched)
    for payment, decision in zip(payments, decisions, strict=True):
        if not decision.matched and payment.currency != HOME_CURRENCY:
            outcome.foreign[payment.currency] += 1
    outcome.messages.append(_matching_message(outcome))
    return payments


def _matching_message(outcome: ImportOutcome) -> str:
    text = (f"Rapprochement : {outcome.matched} paiement(s) affecté(s) automatiquement, "
            f"{outcome.review} à vérifier dans la file « Paiements à rapprocher »")
    if foreign := sum(outcome.foreign.values()):
        currencies = ", ".join(f"{n} en {c}" for c, n in sorted(outcome.foreign.items()))
        text += f", dont {foreign} en devise étrangère à rapprocher à la main ({currencies})"
    return text + "."


def _insert_payments(org: Organisation, payments: list[Payment]) -> None:
    """One prepared INSERT (COPY on PostgreSQL), then the ids read back by bank reference (unique per
    organisation): bulk_create compiles SQL for every 60 rows on SQLite, a third of the import's time."""
    insert_rows(payments)
    by_ref = {p.bank_transaction_id: p for p in payments}
    refs = list(by_ref)
    for i in range(0, len(refs), CHUNK):
        rows = scoped(Payment, org).filter(bank_transaction_id__in=refs[i:i + CHUNK])
        for ref, pk in rows.values_list("bank_transaction_id", "pk"):
            by_ref[ref].pk = pk
            by_ref[ref]._state.adding = False
    if any(p.pk is None for p in payments):  # two new lines with one reference: the dedupe forbids it
        raise ApplicationError(_("Deux transactions du relevé portent la même référence bancaire."))


def _locked_outstanding(org: Organisation, ids: list[int]) -> dict[int, Decimal]:
    outstanding: dict[int, Decimal] = {}
    for i in range(0, len(ids), LOCK_CHUNK):
        chunk = ids[i:i + LOCK_CHUNK]
        # Row locks on PostgreSQL; SQLite's IMMEDIATE transaction already keeps other writers out.
        totals = scoped(Invoice, org).select_for_update().filter(id__in=chunk, status=Invoice.Status.OPEN)
        allocated = allocated_by_invoice(org, chunk)
        for pk, total in totals.values_list("id", "total_incl_tax"):
            outstanding[pk] = total - allocated.get(pk, Decimal("0"))
    return outstanding


def allocations_bulk_add(*, org: Organisation, matched: list[tuple[Payment, Decision]]) -> list[Allocation]:
    """The set-based form of ledger.services.allocation_add for an import: same rules (never more than what
    is outstanding, an invoice with nothing left is paid), one query per chunk instead of four per allocation.
    The allocations are written by one prepared INSERT; their ids are not read back."""
    planned: dict[int, Decimal] = defaultdict(Decimal)
    for _payment, decision in matched:
        for inv, amount in decision.allocations:
            planned[inv.id] += amount
    ids = sorted(planned)
    outstanding = _locked_outstanding(org, ids)
    if any(planned[pk] > outstanding.get(pk, Decimal("0")) for pk in ids):
        raise ApplicationError(_("Les factures ont changé pendant l'import des relevés : relancez l'import."))
    rows = [Allocation(org_id=org.id, invoice_id=inv.id, source=Allocation.Source.PAYMENT, payment_id=payment.id,
                       amount=amount,
                       date=payment.date, note=decision.reason[:300])
            for payment, decision in matched for inv, amount in decision.allocations]
    insert_rows(rows)
    paid = [pk for pk in ids if planned[pk] == outstanding[pk]]
    for i in range(0, len(paid), LOCK_CHUNK):
        scoped(Invoice, org).filter(id__in=paid[i:i + LOCK_CHUNK]).update(status=Invoice.Status.PAID, updated_at=timezone.now())
    return rows


def _payment_event(org: Organisation, payment: Payment, decision: Decision) -> Event:
    numbers = [inv.number for inv, _ in decision.allocations]
    return Event(
        org_id=org.id, type="payment", date=payment.date, customer_id=decision.customer_id,
        invoice_id=decision.allocations[0][0].id,
        message=f"Paiement de {format_eur(payment.amount, payment.currency)} reçu le "
                f"{payment.date.strftime('%d/%m/%Y')}, affecté à {', '.join(numbers)}. {decision.reason}",
        data={"payment_id": payment.id, "invoices": numbers, "reason": decision.reason, "rule": decision.rule,
              "bank_transaction_id": payment.bank_transaction_id},
    )


def _customers_learn(org: Organisation, learnt: dict[int, set[str]]) -> None:
    """Payer IBANs seen on confidently matched payments identify the customer next time."""
    for customer in scoped(Customer, org).filter(id__in=list(learnt)):
        known = {normalise_iban(i) for i in customer.payer_ibans}
        new = sorted(learnt[customer.id] - known)
        if new:
            customer.payer_ibans = [*customer.payer_ibans, *new]
            customer.save(update_fields=["payer_ibans", "updated_at"])


@transaction.atomic
def payment_assign(*, org: Organisation, payment: Payment, invoices: list[Invoice], actor: Any,
                   today: date) -> list[Allocation]:
    """A person assigns an unmatched payment to one or several open invoices of one customer."""
    payment = scoped(Payment, org).select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.UNMATCHED:
        raise ApplicationError(_("Ce paiement est déjà %(status)s.") % {"status": payment.get_status_display().lower()})
    if not invoices:
        raise ApplicationError(_("Choisissez au moins une facture."))
    if len({i.customer_id for i in invoices}) != 1 or any(i.org_id != org.id for i in invoices):
        raise ApplicationError(_("Les factures choisies doivent appartenir à un seul client."))
    if any(i.currency != payment.currency for i in invoices):
        raise ApplicationError(_("Le paiement est en %(currency)s : choisissez des factures dans cette devise.")
                               % {"currency": payment.currency})
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
        raise ApplicationError(_("Les factures choisies sont déjà soldées."))
    who = getattr(actor, "email", "") or "l'équipe"
    payment.customer, payment.status = customer, Payment.Status.MATCHED
    payment.match_reason = f"Rapproché manuellement par {who} le {today.strftime('%d/%m/%Y')}."
    payment.save(update_fields=["customer", "status", "match_reason"])
    if iban := normalise_iban(payment.payer_iban):
        _customers_learn(org, {customer.id: {iban}})
    numbers = [a.invoice.number for a in allocations]
    event_record(
        org=org, type="payment", day=payment.date, customer=customer, invoice=allocations[0].invoice, actor=actor,
        message=f"Paiement de {format_eur(payment.amount, payment.currency)} reçu le "
                f"{payment.date.strftime('%d/%m/%Y')}, affecté à {', '.join(numbers)}. {payment.match_reason}",
        data={"payment_id": payment.id, "invoices": numbers, "reason": payment.match_reason, "rule": "manual"},
    )
    return allocations


def _outstanding(invoice: Invoice) -> Decimal:
    used = invoice.allocations.aggregate(s=Money(Sum("amount")))["s"] or Decimal("0")
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


def _pending_reversals_apply(*, org: Organisation, payments: list[Payment], today: date) -> int:
    """A reversal imported before the payment it cancels (statements imported out of order) applies now."""
    by_e2e = {(p.reference, p.amount, p.currency): p for p in payments if p.reference}
    if not by_e2e:
        return 0
    pending = scoped(BankReversal, org).filter(payment__isnull=True, end_to_end_id__in=[k[0] for k in by_e2e])
    applied = 0
    for reversal in pending:
        payment = by_e2e.pop((reversal.end_to_end_id, reversal.amount, reversal.currency), None)
        if payment is not None:
            payment_reverse(org=org, payment=payment, day=reversal.date, reason_code=reversal.reason_code, today=today)
            reversal.payment = payment
            reversal.save(update_fields=["payment"])
            applied += 1
    return applied


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
        raise ApplicationError(_("Paiement introuvable."))
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
    customer = payment.customer
    if customer is not None:
        message = (f"Paiement de {format_eur(payment.amount, payment.currency)} du "
                   f"{payment.date.strftime('%d/%m/%Y')} rejeté par la banque le {day.strftime('%d/%m/%Y')}{code} : "
                   f"{', '.join(a.invoice.number for a in allocations) or 'aucune facture'} de nouveau dû(es).")
        event_record(org=org, type="payment_reversed", day=day, customer=customer,
                     invoice=allocations[0].invoice if allocations else None, message=message,
                     data={"payment_id": payment.id, "reason_code": reason_code})
        task_create(org=org, kind=Task.Kind.CHECK_PAYMENT, title=f"Paiement rejeté : {customer.name}",
                    body=message, due=today, customer=customer)
    return payment
