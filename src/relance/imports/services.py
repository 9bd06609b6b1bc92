"""`invoice_import`: files → the ledger, all or nothing, idempotent.

Customers are upserted by (organisation, ref), invoices by (organisation, number). An invoice whose
fingerprint (`content_hash`) has not changed is left alone, so re-importing a file changes nothing.
What the accounting system says is paid becomes an "accounting" allocation, adjusted (never added
again) on the next import. A second, different e-invoice under a number already used is a conflict.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from tqdm import tqdm

from relance.accounts.models import Organisation
from relance.activity.models import Event
from relance.core.errors import InputError, InputProblem
from relance.core.reports import ImportReport
from relance.imports.parsers import ParseResult, parse_bytes
from relance.imports.parsers.base import CreditLink
from relance.imports.sources import read_sources
from relance.ledger.models import Allocation, Contact, Customer, Invoice
from relance.ledger.records import CustomerRecord, InvoiceRecord
from relance.ledger.selectors import scoped
from relance.ledger.services import phone_to_e164

IMPORT_NOTE = "Réglé selon la comptabilité (import)"
EINVOICE_SOURCES = {"facturx", "cii", "ubl"}
CHUNK = 900  # below SQLite's bound-parameter limit, large enough to keep query counts low
BATCH = 2000
PROGRESS_FROM = 20_000  # records; smaller imports finish before a bar would be useful
CUSTOMER_FIELDS = ("name", "kind", "siren", "siret", "vat_number", "address", "postcode", "city", "country")
INVOICE_FIELDS = ("customer", "kind", "issue_date", "due_date", "currency", "total_incl_tax", "total_excl_tax",
                  "sent_date", "po_number", "payment_reference", "source", "source_ref", "terms_exceeded",
                  "content_hash")
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class _Plan:
    """Everything the import will write, computed (and validated) before any write."""

    records: dict[str, InvoiceRecord] = field(default_factory=dict)
    links: list[CreditLink] = field(default_factory=list)
    customers: dict[str, CustomerRecord] = field(default_factory=dict)
    existing_customers: dict[str, Customer] = field(default_factory=dict)
    existing_invoices: dict[str, Invoice] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    due_dates: dict[str, date] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def invoice_import(*, org: Organisation, paths_or_files: Iterable[Any], fmt: str = "auto", dry_run: bool = False,
                   today: date, progress: bool = False, actor: Any = None) -> ImportReport:
    """Import invoice files; raises InputError (nothing written) listing every problem of every file."""
    uploads = read_sources(paths_or_files)
    parsed = _parse_all(uploads, fmt)
    plan = _plan(org, parsed, progress=progress)
    report = ImportReport(created=len(plan.created), updated=len(plan.updated), unchanged=plan.unchanged,
                          warnings=plan.warnings, dry_run=dry_run)
    if not dry_run:
        with transaction.atomic():
            _write(org, plan, today=today, files=[u.name for u in uploads], actor=actor, progress=progress)
    return report


def _parse_all(uploads: Sequence[Any], fmt: str) -> ParseResult:
    merged, problems = ParseResult(), []
    for upload in uploads:
        try:
            merged.extend(parse_bytes(upload.data, file=upload.name, fmt=fmt))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return merged


# --- Planning: every check, no write --------------------------------------------------------------

def _plan(org: Organisation, parsed: ParseResult, *, progress: bool) -> _Plan:
    plan, problems = _Plan(links=parsed.credit_links, warnings=list(parsed.warnings)), []
    for record in _bar(parsed.records, progress, "Contrôle"):
        _add_record(plan, record, problems)
    _merge_customers(plan)
    _check_phones(plan, problems)
    _load_existing(org, plan)
    _classify(org, plan, problems)
    if problems:
        raise InputError(problems)
    return plan


def _add_record(plan: _Plan, record: InvoiceRecord, problems: list[InputProblem]) -> None:
    previous = plan.records.get(record.number)
    if previous is None:
        plan.records[record.number] = record
    elif _fingerprint(previous) != _fingerprint(record):
        what = "conflit : un autre document" if record.source in EINVOICE_SOURCES else "numéro en double"
        problems.append(InputProblem(record.file, record.line, "invoice_number",
                                     f"{what} porte déjà le numéro {record.number} ({previous.file}, ligne "
                                     f"{previous.line}) avec des données différentes ; rien n'a été fusionné."))


def _merge_customers(plan: _Plan) -> None:
    """One customer per ref; later non-empty values win (a corrected line overrides an older one)."""
    for record in plan.records.values():
        incoming, known = record.customer, plan.customers.get(record.customer.ref)
        if known is None:
            plan.customers[incoming.ref] = incoming
            continue
        merged = {k: getattr(incoming, k) or getattr(known, k) for k in known.__dataclass_fields__}
        plan.customers[incoming.ref] = CustomerRecord(**merged)


def _check_phones(plan: _Plan, problems: list[InputProblem]) -> None:
    """E.164 or refusal; an e-invoice's contact phone is only dropped (the invoice itself is sound)."""
    first_line = {r.customer.ref: r for r in plan.records.values()}
    for ref, customer in plan.customers.items():
        if not customer.phone:
            continue
        try:
            plan.phones[ref] = phone_to_e164(customer.phone, customer.country or "FR")
        except ValueError as exc:
            rec = first_line[ref]
            if rec.source in EINVOICE_SOURCES:
                plan.warnings.append(f"{rec.file} : {exc} — numéro ignoré.")
            else:
                problems.append(InputProblem(rec.file, rec.line, "customer_phone", str(exc)))


def _load_existing(org: Organisation, plan: _Plan) -> None:
    refs, numbers = list(plan.customers), list(plan.records)
    for part in chunks(refs):
        plan.existing_customers.update((c.ref, c) for c in scoped(Customer, org).filter(ref__in=part))
    for part in chunks(numbers):
        plan.existing_invoices.update(
            (i.number, i) for i in scoped(Invoice, org).filter(number__in=part).select_related("customer"))


def _classify(org: Organisation, plan: _Plan, problems: list[InputProblem]) -> None:
    credited = _credited(plan.links)
    for number, record in plan.records.items():
        due = record.due_date or record.issue_date + timedelta(days=_terms(org, plan, record.customer.ref))
        plan.due_dates[number] = due
        plan.hashes[number] = _content_hash(record, due, credited.get(number, Decimal("0")))
        existing = plan.existing_invoices.get(number)
        if existing is None:
            plan.created.append(number)
        elif existing.content_hash == plan.hashes[number]:
            plan.unchanged += 1
        elif record.source in EINVOICE_SOURCES or existing.source in EINVOICE_SOURCES:
            problems.append(InputProblem(record.file, record.line, "invoice_number",
                                         f"conflit : la facture {number} existe déjà ({existing.source_ref or existing.source}) "
                                         "avec un contenu différent ; document refusé, rien n'a été fusionné."))
        else:
            plan.updated.append(number)


def _terms(org: Organisation, plan: _Plan, ref: str) -> int:
    customer = plan.existing_customers.get(ref)
    if customer is not None and customer.payment_terms_days is not None:
        return customer.payment_terms_days
    return org.payment_terms_days


def _credited(links: Iterable[CreditLink]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for link in links:
        totals[link.invoice] += link.amount
        totals[link.credit_note] += link.amount
    return totals


def _fingerprint(r: InvoiceRecord) -> tuple[Any, ...]:
    return (r.number, r.kind, r.customer.ref, r.issue_date, r.due_date, r.currency, r.total_incl_tax,
            r.total_excl_tax, r.amount_paid, r.paid_date, r.sent_date, r.po_number, r.payment_reference,
            r.payee_iban, getattr(r, "type_code", ""), getattr(r, "buyer_identity", ""))


def _content_hash(record: InvoiceRecord, due: date, credited: Decimal) -> str:
    parts = (*_fingerprint(record), due, credited)
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()


def _bar(items: Sequence[T], progress: bool, label: str) -> Iterable[T]:
    if not progress or len(items) < PROGRESS_FROM:
        return items
    return tqdm(items, desc=label, unit="ligne", file=sys.stderr, leave=False)


# --- Writing: bulk operations inside the caller's transaction ---------------------------------------

def _write(org: Organisation, plan: _Plan, *, today: date, files: list[str], actor: Any, progress: bool) -> None:
    customers = _write_customers(org, plan)
    _write_contacts(org, plan, customers)
    touched = plan.created + plan.updated
    invoices = _write_invoices(org, plan, customers, progress=progress)
    _write_allocations(org, plan, invoices, touched, today=today)
    _refresh_statuses(org, [invoices[n].pk for n in touched] + _credit_note_ids(plan, invoices))
    _write_events(org, plan, invoices, today=today, files=files, actor=actor)


def _write_customers(org: Organisation, plan: _Plan) -> dict[str, Customer]:
    customers, new, changed = dict(plan.existing_customers), [], []
    for ref, rec in plan.customers.items():
        customer = customers.get(ref)
        if customer is None:
            customers[ref] = Customer(org=org, ref=ref, **{k: getattr(rec, k) for k in CUSTOMER_FIELDS})
            new.append(customers[ref])
        elif _update_customer(customer, rec):
            changed.append(customer)
    Customer.objects.bulk_create(new, batch_size=BATCH)
    Customer.objects.bulk_update(changed, CUSTOMER_FIELDS, batch_size=BATCH)
    if new or changed:
        plan.warnings.append(f"Clients : {len(new)} créé(s), {len(changed)} mis à jour.")
    return customers


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


def _write_contacts(org: Organisation, plan: _Plan, customers: dict[str, Customer]) -> None:
    wanted = {ref: (c.email, plan.phones.get(ref, "")) for ref, c in plan.customers.items()
              if c.email or plan.phones.get(ref)}
    ids = [customers[ref].pk for ref in wanted]
    known: dict[int, list[Contact]] = defaultdict(list)
    for part in chunks(ids):
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


def _write_invoices(org: Organisation, plan: _Plan, customers: dict[str, Customer], *,
                    progress: bool) -> dict[str, Invoice]:
    from relance.legal.terms import payment_terms_exceeded

    invoices = dict(plan.existing_invoices)
    new, changed = [], []
    for number in _bar(plan.created + plan.updated, progress, "Écriture"):
        rec, due = plan.records[number], plan.due_dates[number]
        customer = customers[rec.customer.ref]
        values = {
            "customer": customer, "kind": rec.kind, "issue_date": rec.issue_date, "due_date": due,
            "currency": rec.currency, "total_incl_tax": rec.total_incl_tax, "total_excl_tax": rec.total_excl_tax,
            "sent_date": rec.sent_date, "po_number": rec.po_number[:64],
            "payment_reference": rec.payment_reference[:64], "source": rec.source,
            "source_ref": (rec.source_ref or rec.file.rsplit("/", 1)[-1])[:200],
            "terms_exceeded": customer.kind != "b2c" and payment_terms_exceeded(issue_date=rec.issue_date,
                                                                                due_date=due),
            "content_hash": plan.hashes[number],
        }
        invoice = invoices.get(number)
        if invoice is None:
            invoice = invoices[number] = Invoice(org=org, number=number, **values)
            new.append(invoice)
        else:
            for key, value in values.items():
                setattr(invoice, key, value)
            changed.append(invoice)
        if rec.document:
            invoice.document.save(rec.document_name or f"{number}.pdf", ContentFile(rec.document), save=False)
    Invoice.objects.bulk_create(new, batch_size=BATCH)
    Invoice.objects.bulk_update(changed, [*INVOICE_FIELDS, "document"], batch_size=BATCH)
    return invoices


def _write_allocations(org: Organisation, plan: _Plan, invoices: dict[str, Invoice], touched: list[str], *,
                       today: date) -> None:
    """Make the import's allocations say exactly what the file says (adjust, never add again)."""
    ids = [invoices[n].pk for n in touched]
    existing: dict[tuple[int, int | None], Allocation] = {}
    others: dict[int, Decimal] = defaultdict(Decimal)
    for part in chunks(ids):
        for alloc in scoped(Allocation, org).filter(invoice_id__in=part):
            if alloc.note == IMPORT_NOTE and alloc.source != Allocation.Source.PAYMENT:
                existing[(alloc.invoice_id, alloc.credit_note_id)] = alloc
            else:
                others[alloc.invoice_id] += alloc.amount
    wanted = _wanted_allocations(plan, invoices, touched, others, today=today)
    _sync_allocations(existing, wanted)


def _wanted_allocations(plan: _Plan, invoices: dict[str, Invoice], touched: list[str],
                        others: dict[int, Decimal], *, today: date) -> dict[tuple[int, int | None], Allocation]:
    wanted: dict[tuple[int, int | None], Allocation] = {}
    room = {invoices[n].pk: invoices[n].total_incl_tax - others[invoices[n].pk] for n in touched}
    touched_set = set(touched)
    for link in plan.links:
        inv, cn = invoices.get(link.invoice), invoices.get(link.credit_note)
        if inv is None or cn is None or link.invoice not in touched_set:
            continue
        amount = min(link.amount, room[inv.pk])
        if amount > 0:
            room[inv.pk] -= amount
            wanted[(inv.pk, cn.pk)] = Allocation(org=inv.org, invoice=inv, credit_note=cn, amount=amount,
                                                 date=link.date, source=Allocation.Source.CREDIT_NOTE,
                                                 note=IMPORT_NOTE)
    for number in touched:
        rec, inv = plan.records[number], invoices[number]
        amount = min(rec.amount_paid, room[inv.pk])
        if rec.kind == "invoice" and amount > 0:
            wanted[(inv.pk, None)] = Allocation(org=inv.org, invoice=inv, amount=amount,
                                                date=rec.paid_date or today, source=Allocation.Source.ACCOUNTING,
                                                note=IMPORT_NOTE)
    return wanted


def _sync_allocations(existing: dict[tuple[int, int | None], Allocation],
                      wanted: dict[tuple[int, int | None], Allocation]) -> None:
    stale = [a.pk for key, a in existing.items() if key not in wanted]
    for part in chunks(stale):
        Allocation.objects.filter(pk__in=part).delete()
    changed = []
    for key, alloc in wanted.items():
        old = existing.get(key)
        if old is not None and (old.amount, old.date) != (alloc.amount, alloc.date):
            old.amount, old.date = alloc.amount, alloc.date
            changed.append(old)
    Allocation.objects.bulk_create([a for k, a in wanted.items() if k not in existing], batch_size=BATCH)
    Allocation.objects.bulk_update(changed, ["amount", "date"], batch_size=BATCH)


def _credit_note_ids(plan: _Plan, invoices: dict[str, Invoice]) -> list[int]:
    return [invoices[link.credit_note].pk for link in plan.links if link.credit_note in invoices]


def _refresh_statuses(org: Organisation, ids: list[int]) -> None:
    """Open ↔ paid from allocations, in a few aggregate queries (cancelled invoices stay cancelled)."""
    changed = []
    for part in chunks(sorted(set(ids))):
        rows = scoped(Invoice, org).filter(pk__in=part).exclude(status=Invoice.Status.CANCELLED)
        settled = dict(scoped(Allocation, org).filter(invoice_id__in=part).values_list("invoice_id")
                       .annotate(s=Sum("amount")))
        used = dict(scoped(Allocation, org).filter(credit_note_id__in=part).values_list("credit_note_id")
                    .annotate(s=Sum("amount")))
        for inv in rows.only("pk", "kind", "total_incl_tax", "status"):
            done = used.get(inv.pk) if inv.kind == Invoice.Kind.CREDIT_NOTE else settled.get(inv.pk)
            status = Invoice.Status.PAID if (done or 0) >= inv.total_incl_tax else Invoice.Status.OPEN
            if status != inv.status:
                inv.status = status
                changed.append(inv)
    Invoice.objects.bulk_update(changed, ["status"], batch_size=BATCH)


def _write_events(org: Organisation, plan: _Plan, invoices: dict[str, Invoice], *, today: date,
                  files: list[str], actor: Any) -> None:
    per_customer: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"created": [], "updated": []})
    for key, numbers in (("created", plan.created), ("updated", plan.updated)):
        for number in numbers:
            per_customer[invoices[number].customer_id][key].append(number)
    names = ", ".join(f.rsplit("/", 1)[-1] for f in files)
    events = [
        Event(org=org, customer_id=customer_id, type="import", date=today, actor=actor,
              message=f"Import ({names}) : {len(d['created'])} facture(s) créée(s), "
                      f"{len(d['updated'])} mise(s) à jour.",
              data={"files": names[:500], "created": d["created"][:100], "updated": d["updated"][:100]})
        for customer_id, d in per_customer.items()
    ]
    Event.objects.bulk_create(events, batch_size=BATCH)
