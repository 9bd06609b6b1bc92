"""Bank pages at /banque/: the review queue of unmatched payments and the payment report."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.accounts.permissions import COLLECTOR, VIEWER, role_required
from relance.banking.api import bank_staleness_warning
from relance.banking.forms import PeriodForm, month_bounds
from relance.banking.matching import OpenInvoice, amount_subset
from relance.banking.parsers import FORMATS
from relance.banking.parsers.common import MAX_BYTES
from relance.banking.selectors import (
    customer_open_invoices,
    payer_book,
    payment_report,
    review_queue,
    statement_list,
    suggested_customer,
)
from relance.banking.services import bank_import, payment_assign
from relance.core.dates import local_today
from relance.core.errors import ApplicationError, InputError
from relance.core.reports import ImportReport
from relance.imports.history import import_run
from relance.imports.models import ImportRun
from relance.ledger.models import Customer, Invoice, Payment
from relance.ledger.selectors import scoped


def _candidate(org, payment: Payment, customer: Customer | None) -> dict:
    invoices = list(customer_open_invoices(org=org, customer_id=customer.id)) if customer else []
    plain = [OpenInvoice(i.id, i.number, i.customer_id, i.outstanding, i.currency, i.due_date)  # type: ignore[attr-defined]
             for i in invoices if i.currency == payment.currency]
    fitting = amount_subset(plain, payment.amount) or []
    return {"payment": payment, "customer": customer, "invoices": invoices, "checked": {i.id for i in fitting}}


def _customer_for(org, request: HttpRequest, payment: Payment, book) -> Customer | None:
    if request.GET.get("payment") == str(payment.pk) and (ref := request.GET.get("client", "").strip()):
        found = scoped(Customer, org).filter(ref__iexact=ref).first()
        if found is None:
            messages.warning(request, _("Client inconnu : %(ref)s") % {"ref": ref})
        return found
    pk = suggested_customer(org=org, payment=payment, book=book)
    return scoped(Customer, org).filter(pk=pk).first() if pk else None


@role_required(VIEWER)
def review(request: HttpRequest) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    page = Paginator(review_queue(org), 25).get_page(request.GET.get("page"))
    book = payer_book(org)
    cards = [_candidate(org, p, _customer_for(org, request, p, book)) for p in page]
    return render(request, "banking/review.html", {
        "page": page, "cards": cards, "today": today,
        "can_assign": request.membership.can(COLLECTOR),  # type: ignore[attr-defined]
        "staleness": bank_staleness_warning(org=org, today=today),
        "statements": statement_list(org)[:5],
    })


@require_POST
@role_required(COLLECTOR)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    payment = scoped(Payment, org).filter(pk=pk).first()
    if payment is None:
        raise Http404("Paiement introuvable")
    ids = [int(i) for i in request.POST.getlist("invoices") if i.isascii() and i.isdigit()]
    invoices = list(scoped(Invoice, org).filter(pk__in=ids, status=Invoice.Status.OPEN))
    try:
        allocations = payment_assign(org=org, payment=payment, invoices=invoices, actor=request.user,
                                     today=local_today())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        numbers = ", ".join(a.invoice.number for a in allocations)
        messages.success(request, _("Paiement de %(amount)s %(currency)s affecté à %(numbers)s.") % {
            "amount": payment.amount, "currency": payment.currency, "numbers": numbers})
    return redirect("banking:review")


def _period(request: HttpRequest) -> tuple[PeriodForm, list]:
    start, end = month_bounds(local_today())
    form = PeriodForm(request.GET or {"start": start, "end": end})
    rows = payment_report(org=request.org, start=form.cleaned_data["start"],  # type: ignore[attr-defined]
                          end=form.cleaned_data["end"]) if form.is_valid() else []
    return form, rows


@role_required(VIEWER)
def report(request: HttpRequest) -> HttpResponse:
    form, rows = _period(request)
    if request.GET.get("format") == "csv" and form.is_valid():
        return _report_csv(form, rows)
    total = sum((r.received for r in rows), Decimal("0.00"))
    return render(request, "banking/report.html", {"form": form, "rows": rows, "total": total})


def _french(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (OWASP: prefix with an apostrophe)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _report_csv(form: PeriodForm, rows: list) -> HttpResponse:
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="encaissements-{start}-{end}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with accents correctly only with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["numero_facture", "code_client", "nom_client", "date_facture", "montant_ttc", "devise",
                     "date_encaissement", "montant_encaisse", "reference_bancaire", "facture_soldee"])
    for r in rows:
        for day, amount, ref in r.payments:
            writer.writerow([csv_safe(r.invoice_number), csv_safe(r.customer_ref), csv_safe(r.customer_name),
                             r.issue_date.isoformat(), _french(r.total), r.currency, day.isoformat(), _french(amount),
                             csv_safe(ref),
                             "oui" if r.fully_paid else "non"])
    return response


@role_required(VIEWER)
def upload(request: HttpRequest) -> HttpResponse:
    """Import statements from the browser: same service, same all-or-nothing rule as `relance import bank`."""
    context: dict = {"formats": FORMATS, "max_mb": MAX_BYTES // (1024 * 1024),
                     "can_import": request.membership.can(COLLECTOR)}  # type: ignore[attr-defined]
    if request.method == "POST":
        if not context["can_import"]:
            raise PermissionDenied("Votre rôle ne permet pas d'importer des relevés.")
        context.update(_upload_run(request))
    return render(request, "banking/upload.html", context)


def _upload_run(request: HttpRequest) -> dict:
    files = request.FILES.getlist("files")
    fmt = request.POST.get("format", "auto")
    if not files:
        return {"errors": [{"file": "", "line": None, "field": None, "message": "Choisissez au moins un fichier."}]}
    too_big = [f.name for f in files if (f.size or 0) > MAX_BYTES]
    if too_big:
        return {"errors": [{"file": n, "line": None, "field": None, "message": "fichier trop volumineux"} for n in too_big]}
    sources = [(f.name or "releve", f.read()) for f in files]
    try:
        report = _bank_import(request, sources, fmt if fmt in FORMATS else "auto",
                              dry_run=bool(request.POST.get("dry_run")))
    except (InputError, ApplicationError) as exc:
        problems = exc.problems if isinstance(exc, InputError) else []
        errors = [p.as_dict() for p in problems] or [{"file": "", "line": None, "field": None, "message": str(exc)}]
        return {"errors": errors}
    return {"report": report}


def _bank_import(request: HttpRequest, sources: list[tuple[str, bytes]], fmt: str, *, dry_run: bool) -> ImportReport:
    """The import, recorded in the import history (a simulation imports nothing and is not recorded)."""
    if dry_run:
        return bank_import(org=request.org, paths=sources, fmt=fmt, dry_run=True,  # type: ignore[attr-defined]
                           today=local_today())
    with import_run(org=request.org, user=request.user, kind=ImportRun.Kind.BANK,  # type: ignore[attr-defined]
                    origin=ImportRun.Origin.WEB, sources=sources) as run:
        run.report = report = bank_import(org=request.org, paths=sources, fmt=fmt,  # type: ignore[attr-defined]
                                          today=local_today())
    return report
