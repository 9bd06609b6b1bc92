"""Write the demo company: the organisation, its people, then the ledger streamed in batches."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random

from django.conf import settings
from django.db import connection, reset_queries, transaction
from schwifty import IBAN
from tqdm import tqdm

from relance.accounts.models import Organisation, Role, User
from relance.accounts.services import member_add, organisation_create
from relance.activity.models import Event, Task
from relance.banking.models import BankStatement
from relance.core.money import format_eur
from relance.demo import names
from relance.demo.generator import (
    AllocationRow,
    CustomerPlan,
    DemoParams,
    InvoiceRow,
    customer_plans,
    landline_for,
    landline_zone,
    siren_for,
    siret_for,
    slug,
    vat_for,
)
from relance.ledger.models import Allocation, Contact, Customer, Dispute, Invoice, Payment, Promise

OWNER_EMAIL = "demo@relance.local"
STAFF = (("camille.roux@relance.local", "Camille Roux", Role.COLLECTOR),
         ("julien.morel@relance.local", "Julien Morel", Role.MANAGER))
BATCH_SIZE = 5000
ALL_OR_NOTHING_INVOICES = 100_000


@dataclass
class DemoSummary:
    org: Organisation
    email: str
    password: str
    url: str
    counts: dict[str, int] = field(default_factory=dict)


def login_file() -> Path:
    return Path(settings.VAR_DIR) / "demo_login.txt"


def demo_create(*, params: DemoParams, org_name: str = names.DEFAULT_ORG_NAME, batch_size: int = BATCH_SIZE,
                progress: bool = False) -> DemoSummary:
    """Create the demo organisation and its ledger; returns how to log in and what was written.

    All or nothing up to ALL_OR_NOTHING_INVOICES invoices; bigger builds commit batch by batch (a
    transaction of a million rows would only grow the SQLite journal).
    """
    if params.invoices > ALL_OR_NOTHING_INVOICES:
        return _demo_create(params, org_name, batch_size, progress)
    with transaction.atomic():
        return _demo_create(params, org_name, batch_size, progress)


def _demo_create(params: DemoParams, org_name: str, batch_size: int, progress: bool) -> DemoSummary:
    org = _organisation(org_name, params.seed)
    password = _owner_password(org)
    managers = [member_add(org=org, email=email, password=None, role=role, full_name=full).user.pk
                for email, full, role in STAFF]
    counts = dict.fromkeys(("customers", "contacts", "invoices", "payments", "allocations", "disputes", "promises",
                            "events", "tasks"), 0)
    bar = tqdm(total=params.invoices, unit=" factures", file=sys.stderr, disable=not progress, desc="Démo")
    with _wide_sqlite_batches(), bar:
        for chunk in _chunks(customer_plans(params), batch_size):
            with transaction.atomic():
                _write_chunk(org, chunk, managers, counts, batch_size)
            if not connection.force_debug_cursor:
                reset_queries()  # under DEBUG Django keeps every (huge) INSERT in memory
            bar.update(sum(1 for plan in chunk for inv in plan.invoices if inv.kind == "invoice"))
    _bank_statement(org, params)
    url = settings.SITE_URL + "/"
    _write_login_file(org, password, url)
    return DemoSummary(org=org, email=OWNER_EMAIL, password=password, url=url, counts=counts)


def _bank_statement(org: Organisation, params: DemoParams) -> BankStatement:
    """The demo company imported yesterday's bank statement (its transfers are the demo's bank payments of the
    last 30 days), so the first dunning run is not warned that customers who paid may be reminded."""
    closing = params.today - timedelta(days=1)
    opening = closing - timedelta(days=30)
    received = Payment.objects.filter(org=org, bank_transaction_id__isnull=False, date__gte=opening,
                                      date__lte=closing).count()
    digest = hashlib.sha256(f"demo:{params.seed}:{params.today.isoformat()}:{org.pk}".encode()).hexdigest()
    return BankStatement.objects.create(
        org=org, file_name=f"releve-demo-{closing:%Y%m%d}.camt053.xml", format=BankStatement.Format.CAMT053,
        content_hash=digest, statement_id=f"DEMO-{closing:%Y%m%d}", account_iban=org.iban, opening_date=opening,
        closing_date=closing, payments_created=received, imported_on=params.today)


def _organisation(name: str, seed: int) -> Organisation:
    rng = Random(f"org:{seed}")
    siren = siren_for(rng, "8")
    iban = IBAN.generate("FR", bank_code="30004", branch_code="00834", account_code=f"{rng.randint(0, 10**11 - 1):011d}")
    org = organisation_create(name=name, siren=siren, iban=str(iban), bic="BNPAFRPP")
    domain = slug(name) + ".example"
    org.siret = siret_for(rng, siren)
    org.vat_number = vat_for(siren)
    org.address, org.postcode, org.city = "27 rue de la République", "69002", "Lyon"
    org.sender_name = name
    org.sender_email = f"relances@{domain}"
    org.reply_to = f"comptabilite@{domain}"
    org.phone = landline_for(rng, landline_zone(org.postcode))
    # French letterheads write the SIREN in groups of three: "RCS Lyon 872 525 126".
    spaced = f"{siren[:3]} {siren[3:6]} {siren[6:]}"
    org.legal_mentions = f"{name} au capital de 80 000 € — RCS Lyon {spaced} — TVA {org.vat_number}"
    org.full_clean()
    org.save()
    return org


def _owner_password(org: Organisation) -> str:
    """The owner's password is generated once; later demo organisations reuse the same login."""
    user = User.objects.filter(email=OWNER_EMAIL).first()
    saved = _saved_password()
    password = saved if user is not None and saved and user.check_password(saved) else secrets.token_urlsafe(12)
    member_add(org=org, email=OWNER_EMAIL, password=password, role=Role.OWNER, full_name="Compte de démonstration")
    user = User.objects.get(email=OWNER_EMAIL)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return password


def _saved_password() -> str:
    path = login_file()
    if not path.exists():
        return ""
    for line in path.read_text().splitlines():
        if line.strip().startswith("Mot de passe"):
            return line.split(":", 1)[1].strip()
    return ""


def _write_login_file(org: Organisation, password: str, url: str) -> None:
    path = login_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Démonstration « {org.name} » : {url}\n"
        f"Identifiant : {OWNER_EMAIL}\n"
        f"Mot de passe : {password}\n"
    )
    path.chmod(0o600)


def _chunks(plans: Iterable[CustomerPlan], size: int) -> Iterator[list[CustomerPlan]]:
    """Groups of customers holding about `size` invoices (or `size` customers), streamed."""
    chunk: list[CustomerPlan] = []
    rows = 0
    for plan in plans:
        chunk.append(plan)
        rows += len(plan.invoices)
        if rows >= size or len(chunk) >= size:
            yield chunk
            chunk, rows = [], 0
    if chunk:
        yield chunk


@contextmanager
def _wide_sqlite_batches() -> Iterator[None]:
    """Django caps SQLite inserts at 999 parameters; modern SQLite takes far more, which is much faster."""
    features = connection.features
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features.max_query_params = min(limit, 32766)
    try:
        yield
    finally:
        del features.max_query_params  # back to the class default


def _write_chunk(org: Organisation, chunk: list[CustomerPlan], managers: list[int], counts: dict[str, int],
                 batch_size: int) -> None:
    customers = Customer.objects.bulk_create([_customer(org, plan, managers) for plan in chunk], batch_size=batch_size)
    contacts = [Contact(org_id=org.pk, customer_id=customer.pk, name=c.name, role=c.role, email=c.email,
                        phone=c.phone, is_billing=c.is_billing, refused_channels=c.refused_channels)
                for plan, customer in zip(chunk, customers, strict=True) for c in plan.contacts]
    Contact.objects.bulk_create(contacts, batch_size=batch_size)
    invoices = [[_invoice(org, customer, row) for row in plan.invoices]
                for plan, customer in zip(chunk, customers, strict=True)]
    Invoice.objects.bulk_create([i for group in invoices for i in group], batch_size=batch_size)
    payments = [[Payment(org_id=org.pk, customer_id=customer.pk, date=p.date, amount=p.amount, method=p.method,
                         reference=p.reference, bank_transaction_id=p.bank_transaction_id, payer_name=customer.name,
                         payer_iban=p.payer_iban, status=Payment.Status.MATCHED) for p in plan.payments]
                for plan, customer in zip(chunk, customers, strict=True)]
    Payment.objects.bulk_create([p for group in payments for p in group], batch_size=batch_size)
    allocations = [_allocation(org, a, invs, pays)
                   for plan, invs, pays in zip(chunk, invoices, payments, strict=True) for a in plan.allocations]
    Allocation.objects.bulk_create(allocations, batch_size=batch_size)
    disputes = [[Dispute(org_id=org.pk, invoice_id=invs[d.invoice].pk, opened_on=d.opened_on, reason_code=d.reason_code,
                         reason=d.reason, resolved_on=d.resolved_on, source="demo",
                         status=Dispute.Status.RESOLVED if d.resolved_on else Dispute.Status.OPEN,
                         resolution="Avoir ou explication acceptés par le client." if d.resolved_on else "")
                 for d in plan.disputes] for plan, invs in zip(chunk, invoices, strict=True)]
    Dispute.objects.bulk_create([d for group in disputes for d in group], batch_size=batch_size)
    promises = _write_promises(org, chunk, customers, invoices, batch_size)
    events, tasks = _timeline(org, chunk, customers, invoices, payments, disputes, promises)
    Event.objects.bulk_create(events, batch_size=batch_size)
    Task.objects.bulk_create(tasks, batch_size=batch_size)
    for key, groups in (("invoices", invoices), ("payments", payments), ("disputes", disputes),
                        ("promises", promises)):
        counts[key] += sum(map(len, groups))
    for key, n in (("customers", len(customers)), ("contacts", len(contacts)), ("allocations", len(allocations)),
                   ("events", len(events)), ("tasks", len(tasks))):
        counts[key] += n


def _customer(org: Organisation, plan: CustomerPlan, managers: list[int]) -> Customer:
    return Customer(
        org_id=org.pk, ref=plan.ref, name=plan.name, kind=plan.kind, siren=plan.siren, siret=plan.siret,
        vat_number=plan.vat_number, address=plan.address, postcode=plan.postcode, city=plan.city,
        payment_terms_days=plan.payment_terms_days, manual_mode=plan.manual_mode, notes=plan.notes,
        account_manager_id=managers[plan.manager] if plan.manager is not None else None,
        payer_ibans=plan.payer_ibans,
    )


def _invoice(org: Organisation, customer: Customer, row: InvoiceRow) -> Invoice:
    return Invoice(
        org_id=org.pk, customer_id=customer.pk, number=row.number, kind=row.kind, issue_date=row.issue_date,
        due_date=row.due_date, total_incl_tax=row.total_incl_tax, total_excl_tax=row.total_excl_tax,
        sent_date=row.sent_date, po_number=row.po_number, status=row.status, source="demo",
    )


def _allocation(org: Organisation, row: AllocationRow, invoices: list[Invoice], payments: list[Payment]) -> Allocation:
    if row.payment is not None:
        source, payment_id, credit_id = Allocation.Source.PAYMENT, payments[row.payment].pk, None
    else:
        assert row.credit_note is not None
        source, payment_id, credit_id = Allocation.Source.CREDIT_NOTE, None, invoices[row.credit_note].pk
    return Allocation(org_id=org.pk, invoice_id=invoices[row.invoice].pk, source=source, payment_id=payment_id,
                      credit_note_id=credit_id, amount=row.amount, date=row.date)


def _write_promises(org: Organisation, chunk: list[CustomerPlan], customers: list[Customer],
                    invoices: list[list[Invoice]], batch_size: int) -> list[list[Promise]]:
    promises = [[Promise(org_id=org.pk, customer_id=customer.pk, until=p.until, recorded_on=p.recorded_on,
                         amount=p.amount, status=p.status, source="demo") for p in plan.promises]
                for plan, customer in zip(chunk, customers, strict=True)]
    Promise.objects.bulk_create([p for group in promises for p in group], batch_size=batch_size)
    through = Promise.invoices.through
    links = [through(promise_id=promise.pk, invoice_id=invs[i].pk)
             for plan, group, invs in zip(chunk, promises, invoices, strict=True)
             for row, promise in zip(plan.promises, group, strict=True) for i in row.invoices]
    through.objects.bulk_create(links, batch_size=batch_size)
    return promises


def _timeline(org: Organisation, chunk: list[CustomerPlan], customers: list[Customer], invoices: list[list[Invoice]],
              payments: list[list[Payment]], disputes: list[list[Dispute]],
              promises: list[list[Promise]]) -> tuple[list[Event], list[Task]]:
    """The evidence the services would have recorded: payments, disputes, promises, and the open work."""
    events: list[Event] = []
    tasks: list[Task] = []
    for plan, customer, invs, pays, disps, proms in zip(chunk, customers, invoices, payments, disputes, promises,
                                                         strict=True):
        def event(kind: str, day: date, message: str, data: dict, invoice: Invoice | None = None,
                  customer: Customer = customer) -> None:
            events.append(Event(org_id=org.pk, customer_id=customer.pk, invoice_id=invoice.pk if invoice else None,
                                type=kind, date=day, message=message, data=data))

        def task(kind: str, due: date, title: str, body: str, data: dict, customer: Customer = customer) -> None:
            tasks.append(Task(org_id=org.pk, customer_id=customer.pk, kind=kind, title=title, body=body, due_date=due,
                              assignee_id=customer.account_manager_id, data=data))

        settled: dict[int, list[str]] = {}
        for row in plan.allocations:
            if row.payment is not None:
                settled.setdefault(row.payment, []).append(invs[row.invoice].number)
        for k, payment in enumerate(pays):
            paid = settled.get(k, [])
            event("payment", payment.date, f"Paiement de {format_eur(payment.amount)} reçu le {payment.date:%d/%m/%Y} "
                  f"({payment.get_method_display()}), affecté à {', '.join(paid)}.",
                  {"payment_id": payment.pk, "invoices": paid, "rule": "demo"})
        for row, dispute in zip(plan.disputes, disps, strict=True):
            invoice = invs[row.invoice]
            event("dispute_opened", row.opened_on, f"Litige ouvert sur {invoice.number} : {row.reason}",
                  {"dispute_id": dispute.pk, "reason_code": row.reason_code, "source": "demo"}, invoice)
            if row.resolved_on:
                event("dispute_resolved", row.resolved_on, f"Litige résolu sur {invoice.number} : {dispute.resolution}",
                      {"dispute_id": dispute.pk}, invoice)
            else:
                task(Task.Kind.DISPUTE, row.opened_on, f"Traiter le litige sur {invoice.number}", row.reason,
                     {"dispute_id": dispute.pk})
        for row, promise in zip(plan.promises, proms, strict=True):
            numbers = ", ".join(invs[i].number for i in row.invoices)
            event("promise_recorded", row.recorded_on, f"Promesse de paiement au {row.until:%d/%m/%Y} : {numbers}.",
                  {"promise_id": promise.pk, "until": row.until.isoformat(), "source": "demo"})
            if row.status == "broken":
                event("promise_broken", row.until + timedelta(days=3),
                      f"Promesse du {row.until:%d/%m/%Y} non tenue : {numbers}.", {"promise_id": promise.pk})
            elif row.status == "kept":
                paid_on = max(a.date for a in plan.allocations if a.invoice in row.invoices)
                event("promise_kept", paid_on, f"Promesse tenue : {numbers} payée(s).", {"promise_id": promise.pk})
            else:
                task(Task.Kind.PROMISE, row.until + timedelta(days=1), f"Vérifier le paiement promis par {customer.name}",
                     f"Paiement promis au plus tard le {row.until:%d/%m/%Y} pour {numbers}.", {"promise_id": promise.pk})
    return events, tasks


def organisation_exists() -> bool:
    return Organisation.objects.exists()
