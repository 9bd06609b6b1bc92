"""Customers: the list (search, filters, sorting, one query per page) and the 360° page with its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relance.accounts.models import Membership
from relance.accounts.permissions import COLLECTOR, MANAGER, VIEWER, role_required
from relance.activity.selectors import customer_timeline
from relance.analytics.selectors import cached_per_ledger_version
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.core.money import format_eur
from relance.dunning import services as dunning
from relance.ledger.models import Customer, Dispute, Invoice, Promise
from relance.ledger.selectors import (
    customer_get,
    invoices_with_outstanding,
    open_invoices,
    scoped,
)
from relance.legal.api import customer_indemnities, customer_penalties
from relance.portal.services import portal_revoke
from relance.web import forms
from relance.web.selectors import (
    RISK_CODES,
    RISK_LOW,
    customer_actions,
    customer_risk,
    customers_with_staff_balances,
    rate_stamp,
    risk_levels,
    timeline_display,
)
from relance.web.services import call_log, contact_save, customer_manual_mode_set
from relance.web.views.send_now import send_now_context

PER_PAGE = 50
TIMELINE_SHOWN = 50
INVOICES_SHOWN = 50  # the rest is one click away, in the invoice list filtered on the customer


def _managers(org: Any) -> list[tuple[str, str]]:
    rows = Membership.objects.filter(org=org).select_related("user").order_by("user__email")
    return [(str(m.user_id), str(m.user)) for m in rows]


def _filtered(qs: QuerySet[Customer], data: dict[str, Any]) -> QuerySet[Customer]:
    if q := (data.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(ref__icontains=q) | Q(siren__icontains=q))
    if data.get("overdue"):
        qs = qs.filter(overdue__gt=0)  # type: ignore[misc]  # annotations of customers_with_staff_balances
    if (amount := data.get("min_amount")) is not None:
        qs = qs.filter(outstanding__gte=amount)  # type: ignore[misc]
    if kind := data.get("kind"):
        qs = qs.filter(kind=kind)
    if manager := data.get("manager"):
        qs = qs.filter(account_manager__isnull=True) if manager == "none" else qs.filter(account_manager_id=manager)
    state = data.get("state")
    if state == "paused":
        qs = qs.filter(paused=True)
    elif state == "manual":
        qs = qs.filter(manual_mode=True)
    elif state == "active":
        qs = qs.filter(paused=False, manual_mode=False)
    sort = data.get("sort") or "name"
    return qs.order_by("name" if sort == "-risk" else sort, "pk")


def _risk_page(request: HttpRequest, qs: QuerySet[Customer], data: dict[str, Any],
               levels: dict[int, int]) -> Any:
    """Filtering or sorting by risk: every customer's level comes from one set-based computation (risk_levels),
    the ids are filtered and ordered here, and only the page's rows are read with their figures."""
    ids = list(qs.values_list("pk", flat=True))
    if risk := data.get("risk"):
        ids = [pk for pk in ids if levels.get(pk, RISK_LOW) == RISK_CODES[risk]]
    if data.get("sort") == "-risk":
        ids.sort(key=lambda pk: -levels.get(pk, RISK_LOW))  # stable: by name within a level
    page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    rows = qs.in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list]  # type: ignore[misc]  # the page's customers
    return page


@role_required(VIEWER)
def customer_list(request: HttpRequest) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    form = forms.CustomerFilterForm(request.GET or None, managers=_managers(org))
    data = form.cleaned_data if form.is_valid() else {}
    qs = _filtered(customers_with_staff_balances(org, today=today).select_related("account_manager"), data)
    if data.get("risk") or data.get("sort") == "-risk":
        levels = risk_levels(org=org, today=today)
        page = _risk_page(request, qs, data, levels)
    else:
        page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
        levels = risk_levels(org=org, today=today, customer_ids=[c.pk for c in page.object_list])
    for c in page.object_list:
        c.risk = levels.get(c.pk, RISK_LOW)  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = request.GET.copy()
    sort_params.pop("sort", None)
    sort_params.pop("page", None)
    return render(request, "web/customer_list.html", {
        "page": page, "today": today, "form": form, "query": params.urlencode(),
        "sort_query": sort_params.urlencode(), "sort": data.get("sort") or "name",
    })


def _customer(request: HttpRequest, pk: int) -> Customer:
    try:
        return customer_get(org=request.org, pk=pk)  # type: ignore[attr-defined]
    except ApplicationError:
        raise Http404("Client introuvable")


def _invoice_choices(open_invoices: list[Invoice]) -> list[tuple[str, str]]:
    return [(str(i.pk), f"{i.number} — {format_eur(i.outstanding, i.currency)}")  # type: ignore[attr-defined]
            for i in open_invoices]


@role_required(VIEWER)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    customer = _customer(request, pk)
    timeline_limit = 1000 if request.GET.get("historique") == "tout" else TIMELINE_SHOWN
    invoices = list(invoices_with_outstanding(org).filter(customer=customer).order_by("-due_date", "-pk")[:INVOICES_SHOWN])
    open_inv = list(open_invoices(org).filter(customer=customer).order_by("due_date", "pk"))
    shown = {i.pk for i in invoices} | {i.pk for i in open_inv}  # by id: see web.selectors.risk_figures
    disputed = set(scoped(Dispute, org).filter(invoice_id__in=list(shown), status=Dispute.Status.OPEN)
                   .values_list("invoice_id", flat=True))
    context = {
        "customer": customer, "today": today, "invoices": invoices, "open_invoices": open_inv,
        "more_invoices": len(invoices) == INVOICES_SHOWN,
        "disputed": disputed, "contacts": list(customer.contacts.all()),
        "outstanding": sum((i.outstanding for i in open_inv), 0),  # type: ignore[attr-defined]
        # a disputed invoice is out of the ladder (rule 8): shown apart, not as overdue
        "overdue": sum((i.outstanding for i in open_inv  # type: ignore[attr-defined]
                        if i.due_date < today and i.pk not in disputed), 0),
        "disputed_amount": sum((i.outstanding for i in open_inv if i.pk in disputed), 0),  # type: ignore[attr-defined]
        "timeline": timeline_display(org=org, events=customer_timeline(org=org, customer=customer,
                                                                      limit=timeline_limit)),
        "timeline_limit": timeline_limit,
        "promises": scoped(Promise, org).filter(customer=customer, status=Promise.Status.ACTIVE).order_by("until"),
        "actions": customer_actions(org=org, customer=customer)[:20],
        "call_form": forms.CallForm(invoices=_invoice_choices(open_inv), initial=_about(request, open_inv)),
        "promise_form": forms.PromiseForm(), "pause_form": forms.PauseForm(), "contact_form": forms.ContactForm(),
        "dispute_form": forms.DisputeForm(invoices=_invoice_choices([i for i in open_inv if i.pk not in disputed])),
    }
    context.update(_penalties(org, customer, today), explanation=_explanation(org, open_inv, disputed, today))
    context.update(send_now_context(org, customer), **customer_risk(org=org, customer=customer, today=today,
                                                                     open_invoices=open_inv))
    return render(request, "web/customer_detail.html", context)


def _about(request: HttpRequest, open_inv: list[Invoice]) -> dict[str, str]:
    """?facture=<id> (the invoice page's "Noter un appel" link): the call's notes start with its number."""
    about = next((i for i in open_inv if str(i.pk) == request.GET.get("facture")), None)
    return {"note": _("Au sujet de la facture %(n)s : ") % {"n": about.number}} if about else {}


def _penalties(org: Any, customer: Customer, today: Any) -> dict[str, Any]:
    """Interest and indemnities so far; only the ledger (and the day) change them, so they are cached."""

    def compute() -> dict[str, Any]:
        try:
            found = customer_penalties(org=org, customer=customer, today=today)
            return {"penalties": {"interest": found.interest, "indemnities": found.indemnities}, "penalties_error": ""}
        except ApplicationError as exc:  # a missing rate: say which one, never guess (the indemnities need none)
            return {"penalties": None, "penalties_error": exc.message,
                    "indemnities": customer_indemnities(org=org, customer=customer, today=today)}

    return cached_per_ledger_version(org, f"penalties:{customer.pk}:{today}:{rate_stamp()}", compute)


def _explanation(org: Any, open_inv: list[Invoice], disputed: set[int], today: Any) -> Any:
    """The plain-words reason for the oldest open invoice: what happens next and why."""
    candidates = sorted((i for i in open_inv if i.pk not in disputed), key=lambda i: (i.due_date, i.pk))
    if not candidates:
        return None
    return dunning.dunning_explain(org=org, invoice=candidates[0], today=today)


# --- actions on a customer (collector and above) --------------------------------------------------


def _act(request: HttpRequest, pk: int, do: Callable[[Customer], str]) -> HttpResponse:
    customer = _customer(request, pk)
    try:
        messages.success(request, do(customer))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("customer_detail", pk=customer.pk)


def _open_invoice(request: HttpRequest, customer: Customer, pk: str) -> Invoice:
    invoice = scoped(Invoice, request.org).filter(customer=customer, pk=pk).first() if pk.isdigit() else None  # type: ignore[attr-defined]
    if invoice is None:
        raise ApplicationError(_("Facture introuvable pour ce client."))
    return invoice


@require_POST
@role_required(COLLECTOR)
def customer_call(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        open_inv = list(invoices_with_outstanding(request.org).filter(  # type: ignore[attr-defined]
            customer=customer, status=Invoice.Status.OPEN, kind=Invoice.Kind.INVOICE))
        form = forms.CallForm(request.POST, invoices=_invoice_choices(open_inv))
        if not form.is_valid():
            raise ApplicationError(_("Appel non enregistré.") + " " + forms.form_errors(form))
        d = form.cleaned_data
        invoice = _open_invoice(request, customer, d["dispute_invoice"]) if d["dispute_invoice"] else None
        call_log(org=request.org, customer=customer, outcome=d["outcome"], reason=d["reason"],  # type: ignore[attr-defined]
                 note=d["note"].strip(), today=local_today(), actor=request.user,
                 promise_until=d["promise_until"], promise_amount=d["promise_amount"],
                 dispute_invoice=invoice, dispute_reason=d["dispute_reason"])
        extra = " " + _("Promesse enregistrée : relances suspendues jusqu'à la date promise.") if d["promise_until"] else ""
        return _("Appel enregistré.") + extra
    return _act(request, pk, do)


@require_POST
@role_required(COLLECTOR)
def customer_promise(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        form = forms.PromiseForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(_("Promesse non enregistrée.") + " " + forms.form_errors(form))
        d = form.cleaned_data
        promise = dunning.promise_record(org=request.org, customer=customer, until=d["until"],  # type: ignore[attr-defined]
                                         today=local_today(), actor=request.user, note=d["note"])
        if d["amount"]:
            promise.amount = d["amount"]
            promise.save(update_fields=["amount"])
        return _("Promesse de paiement au %(d)s enregistrée.") % {"d": f"{d['until']:%d/%m/%Y}"}
    return _act(request, pk, do)


@require_POST
@role_required(COLLECTOR)
def customer_dispute_open(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        return dispute_open_posted(request, _open_invoice(request, customer, request.POST.get("invoice", "")))
    return _act(request, pk, do)


def dispute_open_posted(request: HttpRequest, invoice: Invoice) -> str:
    """Open the dispute the POSTed form describes on `invoice` (customer page and invoice page alike)."""
    form = forms.DisputeForm(request.POST, invoices=[(str(invoice.pk), invoice.number)])
    if not form.is_valid():
        raise ApplicationError(_("Litige non enregistré.") + " " + forms.form_errors(form))
    dunning.dispute_open(org=request.org, invoice=invoice, reason=form.cleaned_data["reason"],  # type: ignore[attr-defined]
                         reason_code=form.cleaned_data["reason_code"], today=local_today(), actor=request.user)
    return _("Litige ouvert sur la facture %(n)s : elle sort des relances.") % {"n": invoice.number}


def dispute_resolve_posted(request: HttpRequest, invoice: Invoice) -> str:
    """Resolve `invoice`'s dispute with the POSTed resolution note."""
    dunning.dispute_resolve(org=request.org, invoice=invoice, today=local_today(), actor=request.user,  # type: ignore[attr-defined]
                            resolution=request.POST.get("resolution", "").strip()[:2000])
    return _("Litige résolu sur la facture %(n)s.") % {"n": invoice.number}


@require_POST
@role_required(COLLECTOR)
def customer_dispute_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        return dispute_resolve_posted(request, _open_invoice(request, customer, request.POST.get("invoice", "")))
    return _act(request, pk, do)


@require_POST
@role_required(COLLECTOR)
def customer_pause(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        today = local_today()
        if customer.paused:
            dunning.customer_resume(org=request.org, customer=customer, today=today, actor=request.user)  # type: ignore[attr-defined]
            return _("Relances reprises.")
        dunning.customer_pause(org=request.org, customer=customer, today=today, actor=request.user,  # type: ignore[attr-defined]
                               reason=request.POST.get("reason", "")[:200])
        return _("Relances suspendues.")
    return _act(request, pk, do)


@require_POST
@role_required(COLLECTOR)
def customer_manual(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        manual = request.POST.get("manual") == "1"
        customer_manual_mode_set(org=request.org, customer=customer, manual=manual, today=local_today(),  # type: ignore[attr-defined]
                                 actor=request.user)
        return _("Mode manuel activé.") if manual else _("Relances automatiques rétablies.")
    return _act(request, pk, do)


@require_POST
@role_required(MANAGER)  # as portal:revoke: revoking a debtor's links is a manager's decision
def customer_portal_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        n = portal_revoke(org=request.org, customer=customer, actor=request.user, today=local_today())  # type: ignore[attr-defined]
        # French plural rule (0 and 1 are singular): the source language has no catalogue of its own
        return ngettext("%(n)s lien du portail révoqué.", "%(n)s liens du portail révoqués.", max(n, 1)) % {"n": n}
    return _act(request, pk, do)


@require_POST
@role_required(COLLECTOR)
def customer_contact(request: HttpRequest, pk: int) -> HttpResponse:
    def do(customer: Customer) -> str:
        form = forms.ContactForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(_("Contact non enregistré.") + " " + forms.form_errors(form))
        contact_id = request.POST.get("contact", "")
        contact_save(org=request.org, customer=customer, data=form.cleaned_data, today=local_today(),  # type: ignore[attr-defined]
                     actor=request.user, contact_id=int(contact_id) if contact_id.isdigit() else None)
        return _("Contact enregistré.")
    return _act(request, pk, do)
