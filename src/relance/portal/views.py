"""Debtor pages (no account: the private link is the key) and the few staff views of the portal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relance.accounts.permissions import COLLECTOR, MANAGER, role_required
from relance.channels.builders import payee_account
from relance.channels.statement import statement_pdf
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.ledger.models import Dispute
from relance.ledger.selectors import customer_get, scoped
from relance.portal import services
from relance.portal.epc import EPC_MAX_AMOUNT, EPC_MIN_AMOUNT, epc_qr_svg
from relance.portal.forms import DisputeForm, PaidForm, PlanDecisionForm, PlanForm, PromiseForm
from relance.portal.models import PaymentClaim, PaymentPlan
from relance.portal.references import numbers_reference
from relance.portal.security import debtor_view
from relance.portal.selectors import (
    InvoiceLine,
    Overview,
    customer_invoice,
    customer_invoices,
    portal_overview,
)
from relance.portal.services import Visit
from relance.portal.uploads import sniff_image, sniff_type


def _is_id(text: str) -> bool:
    """Plain ASCII digits only: "²" or "١" pass str.isdigit() but are no identifier."""
    return text.isascii() and text.isdigit()


def _home(visit: Visit) -> HttpResponseRedirect:
    return redirect(reverse("portal:home", args=[visit.raw]))


def _context(visit: Visit, today: date, **extra: object) -> dict[str, object]:
    return {"org": visit.org, "customer": visit.customer, "token": visit.raw, "today": today, **extra}


@debtor_view
def home(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    services.portal_visit_record(visit=visit, today=today, what="visit")
    overview = portal_overview(token=visit.token, today=today)
    return render(request, "portal/home.html", _context(visit, today, overview=overview))


@debtor_view
def invoice_pdf(request: HttpRequest, visit: Visit, today: date, pk: int) -> HttpResponseBase:
    # Looked up through the link's own customer: another customer's id is simply "not found".
    invoice = customer_invoice(visit.token, pk)
    if invoice is None or not invoice.document:
        raise Http404
    services.portal_visit_record(visit=visit, today=today, what="download", invoice=invoice)
    handle = invoice.document.open("rb")
    found = sniff_type(handle.read(16))
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{invoice.number}.{found[1] if found else 'bin'}",
                        content_type=found[0] if found else "application/octet-stream")


@debtor_view
def statement(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    services.portal_visit_record(visit=visit, today=today, what="statement")
    pdf, _pages = statement_pdf(org=visit.org, customer=visit.customer, today=today)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="releve-{today:%Y-%m-%d}.pdf"'
    return response


@debtor_view
def logo(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    if not visit.org.logo:
        raise Http404
    with visit.org.logo.open("rb") as f:
        data = f.read()
    content_type = sniff_image(data[:16])
    if content_type is None:  # only raster images: an SVG logo could carry script
        raise Http404
    return HttpResponse(data, content_type=content_type)


@debtor_view
def pay(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    overview = portal_overview(token=visit.token, today=today)
    lines = _selection(request, overview, today)
    amount = sum((line.outstanding for line in lines), Decimal("0.00"))
    invoices = [line.invoice for line in lines]
    reference = services.transfer_reference(visit=visit, invoices=invoices, amount=amount, today=today) if lines else ""
    # The invoices' own payee account (BT-84, e.g. a factor's) when they agree on one: the same rule as
    # the reminders and letters, so the portal never asks to pay into a different account.
    iban, bic = payee_account(visit.org, invoices)
    qr = ""
    euro_only = all(invoice.currency == "EUR" for invoice in invoices)
    if iban and euro_only and EPC_MIN_AMOUNT <= amount <= EPC_MAX_AMOUNT:
        qr = epc_qr_svg(name=visit.org.name, iban=iban, bic=bic, amount=amount,
                        reference=reference, title=_("QR code de virement SEPA"))
    online = payment_link(amount=amount, reference=reference, customer_ref=visit.customer.ref) if amount > 0 else ""
    chosen = {invoice.pk for invoice in invoices}
    choices = [(line, line.invoice.pk in chosen) for line in overview.payable]
    # One RF reference standing for invoices whose numbers did not fit: say so, or the debtor adds them.
    grouped = len(invoices) > 1 and numbers_reference(visit.customer.ref, [i.number for i in invoices]) is None
    return render(request, "portal/pay.html", _context(visit, today, overview=overview, lines=lines, iban=iban,
                                                         bic=bic, amount=amount, reference=reference, qr=qr,
                                                         online=online, choices=choices, grouped=grouped))


def _selection(request: HttpRequest, overview: Overview, today: date) -> list[InvoiceLine]:
    """The invoices to pay: the one of an invoice's own "Pay" button (?facture=), those the debtor ticked
    on the pay screen (?choix=1&factures=…), else what is due now and not held by a promise, a dispute or a
    payment plan. Only the link's own undisputed open invoices can ever be chosen."""
    payable = overview.payable
    if _is_id(wanted := request.GET.get("facture", "")):
        return [line for line in payable if line.invoice.pk == int(wanted)]
    if "choix" in request.GET:
        ticked = {int(v) for v in request.GET.getlist("factures") if _is_id(v)}
        return [line for line in payable if line.invoice.pk in ticked]
    return overview.due_now(today)


def payment_link(*, amount: Decimal, reference: str, customer_ref: str) -> str:
    """The optional payment-service link (Stripe, GoCardless…): settings.PORTAL_PAYMENT_URL, a template
    such as https://pay.example/c?amount={amount}&ref={reference}&customer={customer}. Off when empty."""
    template = getattr(settings, "PORTAL_PAYMENT_URL", "")
    if not template:
        return ""
    return str(template).format(amount=quote(f"{amount:.2f}"), reference=quote(reference, safe=""),
                                customer=quote(customer_ref, safe=""))


def _form_page(request: HttpRequest, visit: Visit, today: date, form: object, title: str,
               intro: str = "", multipart: bool = False) -> HttpResponseBase:
    return render(request, "portal/form.html", _context(visit, today, form=form, title=title, intro=intro,
                                                          multipart=multipart))


@debtor_view
@require_http_methods(["GET", "POST"])
def paid(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    form = PaidForm(request.POST or None, request.FILES or None, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_claim_record(visit=visit, today=today, paid_on=form.cleaned_data["paid_on"],
                                          amount=form.cleaned_data["amount"], comment=form.cleaned_data["comment"],
                                          proof=form.cleaned_data["proof"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Merci, nous avons bien noté votre paiement. Nous le vérifions et "
                                        "suspendons nos relances en attendant."))
            return _home(visit)
    return _form_page(request, visit, today, form, _("J'ai payé"),
                      _("Indiquez la date de votre paiement ; vous pouvez joindre un justificatif."), multipart=True)


@debtor_view
@require_http_methods(["GET", "POST"])
def promise(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    form = PromiseForm(request.POST or None, today=today, max_days=visit.org.portal_max_promise_days)
    if not services.promisable_invoices(org=visit.org, customer=visit.customer, today=today):
        form.add_error(None, _("Aucune de vos factures n'est échue : rien à promettre pour l'instant."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.portal_promise(visit=visit, until=form.cleaned_data["until"], today=today)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Merci, votre promesse de paiement est enregistrée."))
            return _home(visit)
    return _form_page(request, visit, today, form, _("Promettre un paiement"),
                      _("Indiquez la date à laquelle vous réglerez vos factures échues."))


@debtor_view
@require_http_methods(["GET", "POST"])
def dispute(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    disputed = scoped(Dispute, visit.org).filter(status=Dispute.Status.OPEN).values("invoice_id")
    invoices = customer_invoices(visit.token).exclude(pk__in=disputed)
    initial = {"invoice": request.GET["facture"]} if _is_id(request.GET.get("facture", "")) else None
    form = DisputeForm(request.POST or None, invoices=invoices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_dispute(visit=visit, invoice=form.cleaned_data["invoice"], today=today,
                                    reason_code=form.cleaned_data["reason_code"], comment=form.cleaned_data["comment"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Merci, votre contestation est transmise. Nous suspendons les relances "
                                        "sur cette facture le temps de l'examiner."))
            return _home(visit)
    return _form_page(request, visit, today, form, _("Contester une facture"))


@debtor_view
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, visit: Visit, today: date) -> HttpResponseBase:
    org = visit.org
    form = PlanForm(request.POST or None, today=today, max_instalments=org.portal_max_instalments,
                    max_days=org.portal_max_promise_days)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_plan_request(visit=visit, today=today, instalments=form.cleaned_data["instalments"],
                                          first_date=form.cleaned_data["first_date"],
                                          comment=form.cleaned_data["comment"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Merci, votre demande d'échéancier est transmise. Vous verrez ici "
                                        "les échéances dès qu'elle sera acceptée."))
            return _home(visit)
    return _form_page(request, visit, today, form, _("Demander un échéancier"),
                      _("Proposez un nombre de mensualités ; notre équipe vous répondra rapidement."))


# --- Staff views ------------------------------------------------------------------------------------

@require_POST
@role_required(MANAGER)
def revoke(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        customer = customer_get(org=request.org, pk=customer_id)  # type: ignore[attr-defined]
    except ApplicationError:
        raise Http404
    count = services.portal_revoke(org=request.org, customer=customer, actor=request.user,  # type: ignore[attr-defined]
                                   today=local_today())
    messages.success(request, _("%(count)d lien(s) du portail révoqué(s).") % {"count": count})
    return redirect("customer_detail", pk=customer.pk)


@role_required(COLLECTOR)
def proof(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(scoped(PaymentClaim, request.org), pk=pk)  # type: ignore[attr-defined]
    if not claim.proof:
        raise Http404
    response = FileResponse(claim.proof.open("rb"), as_attachment=True, content_type=claim.proof_type,
                            filename=(claim.proof.name or "proof").rsplit("/", 1)[-1])
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a FileResponse, which role_required passes through


@role_required(COLLECTOR)
def staff_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan_ = get_object_or_404(scoped(PaymentPlan, request.org).select_related("customer"), pk=pk)  # type: ignore[attr-defined]
    form = PlanDecisionForm(request.POST or None, initial={
        "decision": "approve", "instalments": plan_.instalments_requested, "first_date": plan_.first_date})
    if request.method == "POST":
        if not request.membership.can(MANAGER):  # type: ignore[attr-defined]
            return HttpResponse(_("Seul un responsable peut décider d'un échéancier."), status=403)
        if form.is_valid():
            return _decide(request, plan_, form)
    claims = scoped(PaymentClaim, request.org).filter(customer=plan_.customer).order_by("-pk")[:10]  # type: ignore[attr-defined]
    return render(request, "portal/staff_plan.html", {"plan": plan_, "form": form, "claims": claims,
                                                       "instalments": plan_.instalments.all()})


def _decide(request: HttpRequest, plan_: PaymentPlan, form: PlanDecisionForm) -> HttpResponse:
    data, org, today = form.cleaned_data, request.org, local_today()  # type: ignore[attr-defined]
    try:
        if data["decision"] == "approve":
            services.payment_plan_approve(org=org, plan=plan_, actor=request.user, today=today,
                                          instalments=data["instalments"], first_date=data["first_date"],
                                          note=data["note"])
            messages.success(request, _("Échéancier accordé."))
        else:
            services.payment_plan_reject(org=org, plan=plan_, actor=request.user, today=today, note=data["note"])
            messages.success(request, _("Échéancier refusé."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("portal:staff_plan", pk=plan_.pk)
