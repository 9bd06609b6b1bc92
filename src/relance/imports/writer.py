"""Writing an ImportPlan: bulk operations only, inside the caller's transaction.

Statuses are decided before the rows are written (from the allocations the import will leave), so no
row is written twice; new invoices and allocations go in with plain INSERTs (see `bulk`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from relance.accounts.models import Organisation
from relance.activity.models import Event
from relance.imports.bulk import insert_rows, insert_tuples
from relance.imports.plan import (
    BATCH,
    CHUNK,
    CUSTOMER_FIELDS,
    IMPORT_NOTE,
    INVOICE_FIELDS,
    ImportPlan,
    chunks,
    progress_bar,
)
from relance.ledger.models import Allocation, Contact, Customer, Invoice
from relance.ledger.records import CustomerRecord
from relance.ledger.selectors import scoped

#: (invoice number, credit-note number or None for an accounting allocation)
Key = tuple[str, str | None]
# Plain strings for the loops that run once per invoice (an enum member costs four times the lookup).
OPEN, PAID, CANCELLED = str(Invoice.Status.OPEN), str(Invoice.Status.PAID), str(Invoice.Status.CANCELLED)
INVOICE, CREDIT_NOTE = str(Invoice.Kind.INVOICE), str(Invoice.Kind.CREDIT_NOTE)


@dataclass
class _Wanted:
    amount: Decimal
    day: date


@dataclass
class _Existing:
    """Allocations already in the ledger for what this import touches."""

    mine: dict[tuple[int, int | None], Allocation]  # left by earlier imports: adjusted to what the file says
    on_invoice: dict[int, Decimal]  # everything else settling an invoice (bank payments, manual)
    by_credit_note: dict[int, Decimal]  # everything else a credit note already settles


def write_plan(org: Organisation, plan: ImportPlan, *, today: date, files: list[str], actor: Any,
               progress: bool) -> None:
    customers = _write_customers(org, plan)
    _write_contacts(org, plan, customers)
    from_table: TableCreated = {}
    if plan.table is not None:
        from relance.imports.table import write_table

        from_table = write_table(org, plan.table, customers, today=today)
    touched = plan.created + plan.updated
    invoices, new, changed = _invoice_objects(org, plan, customers, touched, progress)
    existing = _existing_allocations(org, invoices, touched, plan)
    wanted = _wanted_allocations(plan, invoices, touched, existing, today=today)
    restatused = _set_statuses(plan, invoices, touched, existing, wanted)
    _insert_invoices(new)
    _read_back_ids(org, invoices, new)
    Invoice.objects.bulk_update(changed, [*INVOICE_FIELDS, "document", "status"], batch_size=BATCH)
    Invoice.objects.bulk_update(restatused, ["status"], batch_size=BATCH)
    _sync_allocations(org, invoices, existing, wanted)
    _write_events(org, plan, invoices, from_table, today=today, files=files, actor=actor)


def _write_customers(org: Organisation, plan: ImportPlan) -> dict[str, Customer]:
    customers, new, changed = dict(plan.existing_customers), [], []
    for ref, rec in plan.customers.items():
        customer = customers.get(ref)
        if customer is None:
            customers[ref] = Customer(org=org, ref=ref, **{k: getattr(rec, k) for k in CUSTOMER_FIELDS})
            new.append(customers[ref])
        elif _update_customer(customer, rec):
            changed.append(customer)
    _insert_customers(org, new)
    Customer.objects.bulk_update(changed, CUSTOMER_FIELDS, batch_size=BATCH)
    if new or changed:
        plan.warnings.append(f"Clients : {len(new)} créé(s), {len(changed)} mis à jour.")
    return customers


def _insert_customers(org: Organisation, new: list[Customer]) -> None:
    """Prepared INSERTs (bulk_create compiles SQL for every 45 rows), then the ids read back by ref."""
    insert_rows(new)
    by_ref = {c.ref: c for c in new}
    for part in chunks(list(by_ref)):
        for ref, pk in scoped(Customer, org).filter(ref__in=part).values_list("ref", "pk"):
            by_ref[ref].pk = pk
            by_ref[ref]._state.adding = False


def _update_customer(customer: Customer, rec: CustomerRecord) -> bool:
    """Fill in or correct what the file says; never blank a field the file leaves empty."""
    changed = False
    for name in CUSTOMER_FIELDS:
        value = getattr(rec, name)
        if name == "kind" and value == "b2b":
            continue  # b2b is also the default when the file has no kind column
        if value and getattr(customer, name) != value:
            setattr(customer, name, value)
            changed = True
    return changed


def _write_contacts(org: Organisation, plan: ImportPlan, customers: dict[str, Customer]) -> None:
    wanted = {ref: (c.email, plan.phones.get(ref, "")) for ref, c in plan.customers.items()
              if c.email or plan.phones.get(ref)}
    known: dict[int, list[Contact]] = defaultdict(list)
    for part in chunks([customers[ref].pk for ref in wanted]):
        for contact in scoped(Contact, org).filter(customer_id__in=part):
            known[contact.customer_id].append(contact)
    new, changed = [], []
    for ref, (email, phone) in wanted.items():
        customer = customers[ref]
        match = _matching_contact(known[customer.pk], email, phone)
        if match is None:
            new.append(Contact(org=org, customer=customer, email=email, phone=phone, is_billing=True))
        elif phone and not match.phone:
            match.phone = phone
            changed.append(match)
    Contact.objects.bulk_create(new, batch_size=BATCH)
    Contact.objects.bulk_update(changed, ["phone"], batch_size=BATCH)


def _matching_contact(contacts: list[Contact], email: str, phone: str) -> Contact | None:
    if email:
        return next((c for c in contacts if c.email.lower() == email.lower()), None)
    return next((c for c in contacts if c.phone == phone), None)


class NewInvoice:
    """A new invoice as the writer needs it: its row, and what statuses and allocations read from it.

    A model instance costs more to build than the row itself; one is built only for an e-invoice whose
    document is stored with it."""

    __slots__ = ("customer_id", "kind", "number", "pk", "row", "status", "total_incl_tax")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.row = row
        self.pk: Any = None  # read back after the INSERT
        self.customer_id, self.number, self.kind, self.total_incl_tax = row[1], row[2], row[3], row[8]
        self.status: str = OPEN


#: the columns of NewInvoice.row, in order (the status is decided later and added at the INSERT)
NEW_INVOICE_COLUMNS = ("org_id", "customer_id", "number", "kind", "issue_date", "due_date", "terms_exceeded",
                       "currency", "total_incl_tax", "total_excl_tax", "sent_date", "po_number",
                       "payment_reference", "source", "source_ref", "content_hash", "payee_iban")
AnyInvoice = Invoice | NewInvoice
#: customer id → (invoices the table path created, the first hundred as (line, number))
TableCreated = dict[int, tuple[int, list[tuple[int, str]]]]


def _invoice_objects(org: Organisation, plan: ImportPlan, customers: dict[str, Customer], touched: list[str],
                     progress: bool) -> tuple[dict[str, AnyInvoice], list[AnyInvoice], list[Invoice]]:
    from relance.legal.terms import latest_lawful_due_date

    lawful: dict[date, date] = {}  # per issue date: a FEC has hundreds of dates for 100,000s of invoices
    invoices: dict[str, AnyInvoice] = dict(plan.existing_invoices)
    new: list[AnyInvoice] = []
    changed: list[Invoice] = []
    records, due_dates, hashes, ibans, org_id = plan.records, plan.due_dates, plan.hashes, plan.payee_ibans, org.pk
    for number in progress_bar(touched, progress, "Écriture"):
        rec, due = records[number], due_dates[number]
        customer = customers[rec.customer.ref]
        if customer.kind == "b2c":
            exceeded = False
        else:  # payment_terms_exceeded(), with the latest lawful date computed once per issue date
            latest = lawful.get(rec.issue_date)
            if latest is None:
                latest = lawful[rec.issue_date] = latest_lawful_due_date(rec.issue_date)
            exceeded = due > latest
        source_ref = (rec.source_ref or rec.file.rsplit("/", 1)[-1])[:200]
        invoice = invoices.get(number)
        if invoice is None and not rec.document:
            invoices[number] = light = NewInvoice((
                org_id, customer.pk, number, rec.kind, rec.issue_date, due, exceeded, rec.currency,
                rec.total_incl_tax, rec.total_excl_tax, rec.sent_date, rec.po_number[:64],
                rec.payment_reference[:64], rec.source, source_ref, hashes[number], ibans.get(number, "")))
            new.append(light)
            continue
        values = {
            "customer": customer, "kind": rec.kind, "issue_date": rec.issue_date, "due_date": due,
            "currency": rec.currency, "total_incl_tax": rec.total_incl_tax, "total_excl_tax": rec.total_excl_tax,
            "sent_date": rec.sent_date, "po_number": rec.po_number[:64],
            "payment_reference": rec.payment_reference[:64], "payee_iban": plan.payee_ibans.get(number, ""),
            "source": rec.source,
            "source_ref": source_ref, "terms_exceeded": exceeded, "content_hash": plan.hashes[number],
        }
        if invoice is None:
            # ids rather than instances: assigning related objects costs more than building the row
            del values["customer"]
            values["customer_id"] = customer.pk
            invoice = invoices[number] = Invoice(org_id=org.pk, number=number, **values)
            new.append(invoice)
        else:
            assert isinstance(invoice, Invoice)
            for key, value in values.items():
                setattr(invoice, key, value)
            changed.append(invoice)
        if rec.document:
            invoice.document.save(rec.document_name or f"{number}.pdf", ContentFile(rec.document), save=False)
    return invoices, new, changed


def _insert_invoices(new: list[AnyInvoice]) -> None:
    insert_rows([i for i in new if isinstance(i, Invoice)])
    insert_tuples(Invoice, (*NEW_INVOICE_COLUMNS, "status"),
                  ((*i.row, i.status) for i in new if isinstance(i, NewInvoice)))


def _read_back_ids(org: Organisation, invoices: dict[str, AnyInvoice], new: list[AnyInvoice]) -> None:
    if len(new) > 10 * CHUNK:  # a big import: one pass over the organisation beats hundreds of IN lists
        rows: Iterable[tuple[str, int]] = scoped(Invoice, org).values_list("number", "pk").iterator(chunk_size=10_000)
    else:
        rows = (row for part in chunks([i.number for i in new])
                for row in scoped(Invoice, org).filter(number__in=part).values_list("number", "pk"))
    for number, pk in rows:
        invoice = invoices.get(number)
        if invoice is not None and invoice.pk is None:
            invoice.pk = pk
            if isinstance(invoice, Invoice):
                invoice._state.adding = False


def _existing_allocations(org: Organisation, invoices: dict[str, AnyInvoice], touched: list[str],
                          plan: ImportPlan) -> _Existing:
    existing = _Existing({}, defaultdict(Decimal), defaultdict(Decimal))
    touched_ids = {invoices[n].pk for n in touched if invoices[n].pk}
    for part in chunks(sorted(touched_ids)):
        for alloc in scoped(Allocation, org).filter(invoice_id__in=part):
            if alloc.note == IMPORT_NOTE and alloc.source != Allocation.Source.PAYMENT:
                existing.mine[(alloc.invoice_id, alloc.credit_note_id)] = alloc
            else:
                existing.on_invoice[alloc.invoice_id] += alloc.amount
    credit_ids = sorted({invoices[n].pk for n in _credit_notes(plan, touched) if invoices[n].pk})
    for part in chunks(credit_ids):
        for alloc in scoped(Allocation, org).filter(credit_note_id__in=part):
            if alloc.credit_note_id and (alloc.invoice_id, alloc.credit_note_id) not in existing.mine:
                existing.by_credit_note[alloc.credit_note_id] += alloc.amount
    return existing


def _credit_notes(plan: ImportPlan, touched: list[str]) -> set[str]:
    """Touched credit notes, and those set against a touched invoice (their use may change)."""
    touched_set, records = set(touched), plan.records
    notes = {n for n in touched if records[n].kind == CREDIT_NOTE}
    return notes | {link.credit_note for link in plan.links
                    if link.invoice in touched_set and link.credit_note in plan.records}


def _wanted_allocations(plan: ImportPlan, invoices: dict[str, AnyInvoice], touched: list[str], existing: _Existing,
                        *, today: date) -> dict[Key, _Wanted]:
    """What the file says settles each touched invoice: credit notes first, then the paid amount."""
    wanted: dict[Key, _Wanted] = {}
    zero, on_invoice = Decimal(0), existing.on_invoice
    room = ({n: invoices[n].total_incl_tax - on_invoice.get(invoices[n].pk or 0, zero) for n in touched}
            if on_invoice else {n: invoices[n].total_incl_tax for n in touched})
    for link in plan.links:
        if link.invoice in room and link.credit_note in invoices:
            amount = min(link.amount, room[link.invoice])
            if amount > 0:
                room[link.invoice] -= amount
                wanted[(link.invoice, link.credit_note)] = _Wanted(amount, link.date)
    records = plan.records
    for number in touched:
        rec = records[number]
        if rec.kind == INVOICE and rec.amount_paid and (amount := min(rec.amount_paid, room[number])) > 0:
            wanted[(number, None)] = _Wanted(amount, rec.paid_date or today)
    return wanted


def _set_statuses(plan: ImportPlan, invoices: dict[str, AnyInvoice], touched: list[str], existing: _Existing,
                  wanted: dict[Key, _Wanted]) -> list[Invoice]:
    """Open or paid from what will settle each invoice; returns untouched invoices whose status changes."""
    settled: dict[str, Decimal] = defaultdict(Decimal)
    used: dict[str, Decimal] = defaultdict(Decimal)
    for (number, credit_note), w in wanted.items():
        settled[number] += w.amount
        if credit_note:
            used[credit_note] += w.amount
    restatused, touched_set = [], set(touched)
    zero, by_credit_note, on_invoice = Decimal(0), existing.by_credit_note, existing.on_invoice
    for number in touched_set | _credit_notes(plan, touched):
        inv = invoices[number]
        if inv.status == CANCELLED:
            continue
        if inv.kind == CREDIT_NOTE:
            done = used[number] + by_credit_note.get(inv.pk or 0, zero) if by_credit_note else used[number]
        else:
            done = settled[number] + on_invoice.get(inv.pk or 0, zero) if on_invoice else settled[number]
        status = PAID if done >= inv.total_incl_tax else OPEN
        if status != inv.status:
            inv.status = status
            if number not in touched_set and isinstance(inv, Invoice):
                restatused.append(inv)
    return restatused


def _sync_allocations(org: Organisation, invoices: dict[str, AnyInvoice], existing: _Existing,
                      wanted: dict[Key, _Wanted]) -> None:
    """Make the import's allocations say exactly what the file says (adjust, never add again)."""
    by_pk: dict[tuple[int, int | None], tuple[Key, _Wanted]] = {
        (invoices[n].pk, invoices[c].pk if c else None): ((n, c), w) for (n, c), w in wanted.items()
    }
    stale = [a.pk for key, a in existing.mine.items() if key not in by_pk]
    for part in chunks(stale):
        Allocation.objects.filter(pk__in=part).delete()
    new: list[tuple[Any, ...]] = []
    changed: list[Allocation] = []
    for key, ((_, credit_note), w) in by_pk.items():
        old = existing.mine.get(key)
        if old is None:
            new.append((org.pk, key[0], key[1], w.amount, w.day, IMPORT_NOTE,
                        Allocation.Source.CREDIT_NOTE if credit_note else Allocation.Source.ACCOUNTING))
        elif (old.amount, old.date) != (w.amount, w.day):
            old.amount, old.date = w.amount, w.day
            changed.append(old)
    insert_tuples(Allocation, ("org_id", "invoice_id", "credit_note_id", "amount", "date", "note", "source"), new)
    Allocation.objects.bulk_update(changed, ["amount", "date"], batch_size=BATCH)


def _write_events(org: Organisation, plan: ImportPlan, invoices: dict[str, AnyInvoice], from_table: TableCreated,
                  *, today: date, files: list[str], actor: Any) -> None:
    """One event per customer, counting the invoices created and updated and naming the first ones (in the
    order of the file)."""
    created: dict[int, list[tuple[int, str]]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for number in plan.created:
        customer_id = invoices[number].customer_id
        created[customer_id].append((plan.records[number].line, number))
        counts[customer_id] += 1
    if from_table:  # both paths: each customer's invoices, and the customers, back in the order of the file
        for customer_id, (count, first) in from_table.items():
            created[customer_id].extend(first)
            counts[customer_id] += count
        created = {c: sorted(created[c]) for c in sorted(created, key=lambda c: min(created[c]))}
    per_customer: dict[int, dict[str, Any]] = defaultdict(lambda: {"created": [], "updated": [], "count": 0})
    for customer_id, lines in created.items():
        per_customer[customer_id].update(created=[n for _, n in lines[:100]], count=counts[customer_id])
    for number in plan.updated:
        per_customer[invoices[number].customer_id]["updated"].append(number)
    names = ", ".join(f.rsplit("/", 1)[-1] for f in files)
    events = [
        Event(org=org, customer_id=customer_id, type="import", date=today, actor=actor,
              message=f"Import ({names}) : {d['count']} facture(s) créée(s), "
                      f"{len(d['updated'])} mise(s) à jour.",
              data={"files": names[:500], "created": d["created"][:100], "updated": d["updated"][:100]})
        for customer_id, d in per_customer.items()
    ]
    insert_rows(events)
