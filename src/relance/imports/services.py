"""`invoice_import`: files → the ledger, all or nothing, idempotent.

Customers are upserted by (organisation, ref), invoices by (organisation, number). An invoice whose
fingerprint (`content_hash`) has not changed is left alone, so re-importing a file changes nothing.
What the accounting system says is paid becomes an "accounting" allocation, adjusted (never added
again) on the next import. A second, different e-invoice under a number already used is a conflict.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from relance.accounts.models import Organisation
from relance.core.db import sqlite_statistics_refresh
from relance.core.errors import InputError, InputProblem
from relance.core.reports import ImportReport
from relance.imports.parsers import ParseResult, parse_bytes
from relance.imports.parsers.base import CreditLink
from relance.imports.parsers.einvoice import TERM_NAMES, Seller
from relance.imports.plan import EINVOICE_SOURCES, ImportPlan, chunks, progress_bar, scan_whole_ledger
from relance.imports.sources import read_sources
from relance.imports.writer import write_plan
from relance.ledger.models import Customer, Invoice
from relance.ledger.records import CustomerRecord, InvoiceRecord
from relance.ledger.selectors import scoped
from relance.ledger.services import phone_to_e164

SQLITE_CACHE_KIB = -512_000  # negative: a size in KiB (≈ 500 MB at most, only as pages are used)


def invoice_import(*, org: Organisation, paths_or_files: Iterable[Any], fmt: str = "auto", dry_run: bool = False,
                   today: date, progress: bool = False, actor: Any = None) -> ImportReport:
    """Import invoice files; raises InputError (nothing written) listing every problem of every file."""
    # A large import builds millions of objects that live until the end: the cyclic garbage collector
    # would walk all of them again and again (a cost growing faster than the file), for no garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(org, paths_or_files, fmt, dry_run=dry_run, today=today, progress=progress, actor=actor)
    finally:
        if collecting:
            gc.enable()


def _import(org: Organisation, paths_or_files: Iterable[Any], fmt: str, *, dry_run: bool, today: date,
            progress: bool, actor: Any) -> ImportReport:
    uploads = read_sources(paths_or_files)
    parsed = _parse_all(uploads, fmt)
    plan = _plan(org, parsed, progress=progress)
    from_table = plan.table.new.height if plan.table is not None else 0
    report = ImportReport(created=len(plan.created) + from_table, updated=len(plan.updated),
                          unchanged=plan.unchanged, warnings=plan.warnings, dry_run=dry_run)
    if not dry_run:
        with transaction.atomic(), _sqlite_cache():
            write_plan(org, plan, today=today, files=[u.name for u in uploads], actor=actor, progress=progress)
        sqlite_statistics_refresh()  # a first import can take a table from empty to a million rows
    return report


@contextmanager
def _sqlite_cache() -> Iterator[None]:
    """SQLite's default page cache (2 MB) is far smaller than the indexes a large import writes into:
    once it is full, every insert spills pages to disk inside the transaction. Enlarge it meanwhile."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _parse_all(uploads: Sequence[Any], fmt: str) -> ParseResult:
    if len(uploads) == 1:  # as parsed: a FEC read by columns keeps its invoice table (see `table`)
        return parse_bytes(uploads[0].data, file=uploads[0].name, fmt=fmt)
    merged = ParseResult()
    problems: list[InputProblem] = []
    for upload in uploads:
        try:
            merged.extend(parse_bytes(upload.data, file=upload.name, fmt=fmt))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return merged


# --- Planning: every check, no write --------------------------------------------------------------

def _plan(org: Organisation, parsed: ParseResult, *, progress: bool) -> ImportPlan:
    plan = ImportPlan(links=parsed.credit_links, warnings=list(parsed.warnings))
    problems: list[InputProblem] = []
    records = _plan_table(org, parsed, plan) if _whole_table(parsed) else parsed.records
    for record in progress_bar(records, progress, "Contrôle"):
        _add_record(plan, record, problems)
    _merge_customers(plan)
    _check_phones(plan, problems)
    _check_payee_ibans(plan)
    _check_sellers(org, plan)
    _load_existing(org, plan)
    _classify(org, plan, problems)
    if problems:
        raise InputError(problems)
    _load_touched(org, plan)
    return plan


def _whole_table(parsed: ParseResult) -> bool:
    """A FEC read by columns, alone in its import, with one invoice per number: the table path applies."""
    if parsed.table is None:
        return False
    from relance.imports.parsers.fec_columnar import FecInvoices  # polars: a table exists only with it

    table = parsed.table
    return isinstance(table, FecInvoices) and not table.frame.get_column("number").is_duplicated().any()


def _plan_table(org: Organisation, parsed: ParseResult, plan: ImportPlan) -> list[InvoiceRecord]:
    """Plan the table's new and unchanged rows by columns; the records of the others, for the record path."""
    from relance.imports.parsers.fec_columnar import FecInvoices
    from relance.imports.table import linked_numbers, plan_table

    table = parsed.table
    assert isinstance(table, FecInvoices)
    plan.customers.update(table.customers)
    _load_customers(org, plan)
    terms = {ref: _terms(org, plan, ref) for ref in plan.customers}
    plan.table, records = plan_table(org, table, linked=linked_numbers(plan.links), terms=terms)
    plan.unchanged += plan.table.unchanged
    return records


def _number_problem(record: InvoiceRecord, message: str) -> InputProblem:
    """A problem with an invoice number: the line and column of a table, the EN 16931 term of an XML."""
    if record.source in EINVOICE_SOURCES:
        return InputProblem(record.file, None, TERM_NAMES["BT-1"], message)
    return InputProblem(record.file, record.line, "invoice_number", message)


def _add_record(plan: ImportPlan, record: InvoiceRecord, problems: list[InputProblem]) -> None:
    previous = plan.records.get(record.number)
    if previous is None:
        plan.records[record.number] = record
    elif _fingerprint(previous) != _fingerprint(record):
        what = "conflit : un autre document" if record.source in EINVOICE_SOURCES else "numéro en double"
        where = previous.file if previous.source in EINVOICE_SOURCES else f"{previous.file}, ligne {previous.line}"
        problems.append(_number_problem(record, f"{what} porte déjà le numéro {record.number} ({where}) avec des "
                                                "données différentes ; rien n'a été fusionné."))


def _merge_customers(plan: ImportPlan) -> None:
    """One customer per ref; later non-empty values win (a corrected line overrides an older one)."""
    for record in plan.records.values():
        incoming, known = record.customer, plan.customers.get(record.customer.ref)
        if known is None:
            plan.customers[incoming.ref] = incoming
            continue
        if incoming is known or incoming == known:
            continue  # merging equal records gives the same record (a FEC shares one per customer)
        merged = {k: getattr(incoming, k) or getattr(known, k) for k in known.__dataclass_fields__}
        plan.customers[incoming.ref] = CustomerRecord(**merged)


def _check_phones(plan: ImportPlan, problems: list[InputProblem]) -> None:
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


def _check_payee_ibans(plan: ImportPlan) -> None:
    """BT-84 is the seller's own account: a wrong one is dropped with a warning, the invoice stays sound."""
    for number, record in plan.records.items():
        if not record.payee_iban:
            continue
        try:
            plan.payee_ibans[number] = str(IBAN(record.payee_iban))
        except SchwiftyException as exc:
            plan.warnings.append(f"{record.file} : IBAN du bénéficiaire invalide ({record.payee_iban} : {exc}) "
                                 "— non enregistré.")


def _check_sellers(org: Organisation, plan: ImportPlan) -> None:
    """An e-invoice issued by someone else than the organisation is most likely a purchase invoice put in
    the wrong folder: it still imports (the user may know better), but the report says so."""
    own_sirens, own_vats = _identity(org.siren, org.siret, org.vat_number)
    if not own_sirens and not own_vats:
        return
    for record in plan.records.values():
        seller = getattr(record, "seller", None)
        if isinstance(seller, Seller) and seller_differs(seller, own_sirens, own_vats):
            ids = ", ".join(f"{label} {value}" for label, value in (
                ("TVA", seller.vat_number), ("SIREN", seller.siren)) if value)
            plan.warnings.append(f"{record.file} : vendeur {seller.name or '(sans nom)'} ({ids}) différent de "
                                 f"l'organisation — facture d'achat ? La facture {record.number} est importée "
                                 "comme créance client : vérifiez-la.")


def seller_differs(seller: Seller, own_sirens: set[str], own_vats: set[str]) -> bool:
    """True only when both sides name a SIREN, or both a VAT number, and none of them is shared."""
    sirens, vats = _identity(seller.siren, seller.siret, seller.vat_number)
    if sirens & own_sirens or vats & own_vats:
        return False
    return bool((sirens and own_sirens) or (vats and own_vats))


def _identity(siren: str, siret: str, vat_number: str) -> tuple[set[str], set[str]]:
    """SIRENs and VAT numbers of a company; a French VAT number holds its SIREN and a SIREN gives its VAT."""
    sirens = {s for s in (siren, siret[:9]) if len(s) == 9}
    vat = re.sub(r"[\s.-]", "", vat_number).upper()
    vats = {vat} if vat else set()
    if vat.startswith("FR") and len(vat) == 13 and vat[4:].isdigit() and vat[4:7] != "000":  # 000: Monaco
        sirens.add(vat[4:])
    for number in list(sirens):
        vats.add(f"FR{(12 + 3 * (int(number) % 97)) % 97:02d}{number}")
    return sirens, vats


def _load_customers(org: Organisation, plan: ImportPlan) -> None:
    refs = [ref for ref in plan.customers if ref not in plan.existing_customers]
    for part in chunks(refs):
        plan.existing_customers.update((c.ref, c) for c in scoped(Customer, org).filter(ref__in=part))


def _load_existing(org: Organisation, plan: ImportPlan) -> None:
    _load_customers(org, plan)
    numbers = list(plan.records)
    # Light rows first: on a re-import most invoices are unchanged and need no model instance.
    columns = ("number", "content_hash", "source", "source_ref")
    if scan_whole_ledger(org, len(numbers)):
        for number, content_hash, source, source_ref in (
                scoped(Invoice, org).values_list(*columns).iterator(chunk_size=10_000)):
            if number in plan.records:
                plan.existing_hashes[number] = (content_hash, source, source_ref)
        return
    for part in chunks(numbers):
        for number, content_hash, source, source_ref in (
                scoped(Invoice, org).filter(number__in=part).values_list(*columns)):
            plan.existing_hashes[number] = (content_hash, source, source_ref)


def _load_touched(org: Organisation, plan: ImportPlan) -> None:
    """Full rows only for invoices the import will change, and the credit notes set against them."""
    touched = set(plan.updated)
    wanted = touched | {n for link in plan.links if link.invoice in touched or link.invoice in plan.created
                        for n in (link.invoice, link.credit_note)}
    wanted &= set(plan.existing_hashes)
    for part in chunks(sorted(wanted)):
        plan.existing_invoices.update(
            (i.number, i) for i in scoped(Invoice, org).filter(number__in=part).select_related("customer"))


def _classify(org: Organisation, plan: ImportPlan, problems: list[InputProblem]) -> None:
    credited = _credited(plan.links)
    days: dict[date, str] = {}  # a FEC has a few hundred dates for hundreds of thousands of invoices
    terms = {ref: timedelta(days=_terms(org, plan, ref)) for ref in plan.customers}
    for number, record in plan.records.items():
        due = record.due_date or record.issue_date + terms[record.customer.ref]
        plan.due_dates[number] = due
        plan.hashes[number] = _content_hash(record, due, credited.get(number, ZERO_TEXT), days)
        existing = plan.existing_hashes.get(number)
        if existing is None:
            plan.created.append(number)
        elif existing[0] == plan.hashes[number]:
            plan.unchanged += 1
        elif record.source in EINVOICE_SOURCES or existing[1] in EINVOICE_SOURCES:
            problems.append(_number_problem(record, f"conflit : la facture {number} existe déjà "
                                                    f"({existing[2] or existing[1]}) avec un contenu différent ; "
                                                    "document refusé, rien n'a été fusionné."))
        else:
            plan.updated.append(number)


def _terms(org: Organisation, plan: ImportPlan, ref: str) -> int:
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


ZERO_TEXT = "0"  # str(Decimal("0")): what an invoice without credit notes had in its fingerprint


def _content_hash(r: InvoiceRecord, due: date, credited: Decimal | str, days: dict[date, str]) -> str:
    """sha256 of the fingerprint, due date and credited amount as text, joined by U+001F (None as "").

    Spelled out field by field (the generic join over a tuple cost three times as much on a large FEC);
    the text must stay exactly what it was, or every invoice would read as changed: a test pins it."""
    def day(value: date | None) -> str:
        if value is None:
            return ""
        text = days.get(value)
        if text is None:
            text = days[value] = str(value)
        return text

    excl = "" if r.total_excl_tax is None else str(r.total_excl_tax)
    text = "\x1f".join((
        r.number, r.kind, r.customer.ref, day(r.issue_date), day(r.due_date), r.currency, str(r.total_incl_tax),
        excl, str(r.amount_paid), day(r.paid_date), day(r.sent_date), r.po_number, r.payment_reference,
        r.payee_iban, str(getattr(r, "type_code", "")), str(getattr(r, "buyer_identity", "")), day(due),
        str(credited)))
    return hashlib.sha256(text.encode()).hexdigest()
