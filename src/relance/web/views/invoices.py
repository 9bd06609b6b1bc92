"""Invoices (list and detail with the ladder state) and dunning actions (list, bulk approve or cancel)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relance.accounts.permissions import COLLECTOR, MANAGER, VIEWER, role_required
from relance.core.dates import local_today, parse_date
from relance.core.errors import ApplicationError
from relance.dunning import services as dunning
from relance.dunning.models import Action, Channel, LadderMark
from relance.ledger.models import Dispute, Invoice
from relance.ledger.selectors import invoices_with_outstanding, scoped
from relance.legal.api import invoice_penalties
from relance.portal.uploads import sniff_type
from relance.web import forms
from relance.web.selectors import open_dispute_exists
from relance.web.views.customers import dispute_open_posted, dispute_resolve_posted

PER_PAGE = 50


@role_required(VIEWER)
def invoice_list(request: HttpRequest) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    qs = invoices_with_outstanding(org).select_related("customer").annotate(in_dispute=open_dispute_exists())
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(customer__ref__icontains=q))
    if (customer := request.GET.get("customer", "")).isdigit():
        qs = qs.filter(customer_id=int(customer))
    status = request.GET.get("status", "open")
    if status in Invoice.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("overdue"):
        qs = qs.filter(due_date__lt=today, outstanding__gt=0)  # type: ignore[misc]  # an annotation
    if request.GET.get("disputed"):
        qs = qs.filter(disputes__status=Dispute.Status.OPEN)
    qs = qs.order_by("due_date", "pk") if status == "open" else qs.order_by("-issue_date", "-pk")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "web/invoice_list.html", {
        "page": page, "today": today, "q": q, "status": status, "query": params.urlencode(),
        "statuses": Invoice.Status.choices,
    })


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    """The organisation's invoice with its `outstanding`; another organisation's is simply not found."""
    invoice = invoices_with_outstanding(request.org).select_related("customer").filter(pk=pk).first()  # type: ignore[attr-defined]
    if invoice is None:
        raise Http404("Facture introuvable")
    return invoice


def _disputable(invoice: Invoice) -> bool:
    """As on the customer page: only an open invoice (not a credit note) can be put in dispute."""
    return invoice.kind == Invoice.Kind.INVOICE and invoice.status == Invoice.Status.OPEN


@role_required(VIEWER)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    invoice = _invoice(request, pk)
    disputes = list(invoice.disputes.order_by("-opened_on", "-pk"))
    open_dispute = next((d for d in disputes if d.status == Dispute.Status.OPEN), None)
    context = {
        "invoice": invoice, "today": today,
        "allocations": invoice.allocations.select_related("payment", "credit_note").order_by("date", "pk"),
        "disputes": disputes, "open_dispute": open_dispute,
        "dispute_form": forms.DisputeForm(invoices=[(str(invoice.pk), invoice.number)],
                                          initial={"invoice": str(invoice.pk)})
        if open_dispute is None and _disputable(invoice) else None,
        "marks": LadderMark.objects.filter(org=org, invoice=invoice).order_by("day", "pk"),
        "actions": Action.objects.filter(org=org, lines__invoice=invoice).order_by("-date", "-pk")[:50],
        "explanation": None, "penalties": None, "penalties_error": "",
    }
    if invoice.kind == Invoice.Kind.INVOICE and invoice.status != Invoice.Status.CANCELLED:
        context["explanation"] = dunning.dunning_explain(org=org, invoice=invoice, today=today)
        try:
            context["penalties"] = invoice_penalties(org=org, invoice=invoice, today=today)
        except ApplicationError as exc:
            context["penalties_error"] = exc.message
    return render(request, "web/invoice_detail.html", context)


@role_required(VIEWER)
def invoice_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice as it was imported (the PDF of an e-invoice), as a download: never shown inline."""
    invoice = _invoice(request, pk)
    if not invoice.document:
        raise Http404("Aucun document pour cette facture")
    try:
        with invoice.document.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404("Document introuvable")
    found = sniff_type(data[:16])
    response = HttpResponse(data, content_type=found[0] if found else "application/octet-stream")
    # The number comes from the customer's data: quoted and encoded by Django, never pasted into the header.
    name = " ".join(f"{invoice.number}.{found[1] if found else 'bin'}".replace("/", "-").split())
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _act(request: HttpRequest, pk: int, do: Callable[[Invoice], str]) -> HttpResponse:
    invoice = _invoice(request, pk)
    try:
        messages.success(request, do(invoice))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("invoice_detail", pk=invoice.pk)


@require_POST
@role_required(COLLECTOR)
def invoice_dispute_open(request: HttpRequest, pk: int) -> HttpResponse:
    def do(invoice: Invoice) -> str:
        if not _disputable(invoice):
            raise ApplicationError(_("Seule une facture ouverte peut être mise en litige."))
        return dispute_open_posted(request, invoice)
    return _act(request, pk, do)


@require_POST
@role_required(COLLECTOR)
def invoice_dispute_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def do(invoice: Invoice) -> str:
        return dispute_resolve_posted(request, invoice)
    return _act(request, pk, do)


@role_required(VIEWER)
def action_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    qs = scoped(Action, org).select_related("customer").order_by("-date", "-pk")
    status = request.GET.get("status", "")
    if status in Action.Status.values:
        qs = qs.filter(status=status)
    if (channel := request.GET.get("channel", "")) in Channel.values:
        qs = qs.filter(channel=channel)
    if step := request.GET.get("step", "").strip():
        qs = qs.filter(step=step)  # a code: a select offers the French labels, an old link may name any code
    for key, lookup in (("from", "date__gte"), ("to", "date__lte")):
        try:
            if text := request.GET.get(key, "").strip():
                qs = qs.filter(**{lookup: parse_date(text)})
        except ValueError as exc:
            messages.error(request, str(exc))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "web/action_list.html", {
        "page": page, "status": status, "channel": channel, "step": step, "query": params.urlencode(),
        "statuses": Action.Status.choices, "channels": Channel.choices, "steps": _step_choices(step),
        "next": request.get_full_path(),
    })


def _step_choices(current: str) -> list[tuple[str, str]]:
    """Every step's code and label in the reader's language, ladder order (plus an unknown code asked for)."""
    choices = [(code, capfirst(dunning.STEP_LABELS[code])) for code in dunning.STEP_LABELS]
    if current and current not in dunning.STEP_LABELS:
        choices.append((current, current))
    return choices


@require_POST
@role_required(MANAGER)
def action_bulk(request: HttpRequest) -> HttpResponse:
    """Approve or cancel the ticked actions, each through the engine's service; says what was refused."""
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    verb = request.POST.get("do")
    if verb not in ("approve", "cancel"):
        messages.error(request, _("Choisissez « Valider » ou « Annuler »."))
        return redirect("action_list")
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    done, refused = 0, []
    for action in scoped(Action, org).filter(pk__in=ids).order_by("pk"):
        try:
            service = dunning.action_approve if verb == "approve" else dunning.action_cancel
            service(org=org, action=action, today=today, actor=request.user)
            done += 1
        except ApplicationError as exc:
            refused.append(exc.message)
    if done and verb == "approve":
        messages.success(request, ngettext("%(n)s action validée.", "%(n)s actions validées.", done) % {"n": done})
    elif done:
        messages.success(request, ngettext("%(n)s action annulée.", "%(n)s actions annulées.", done) % {"n": done})
    for message in refused:
        messages.error(request, message)
    if not ids:
        messages.error(request, _("Aucune action cochée."))
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(target if safe else "action_list")
