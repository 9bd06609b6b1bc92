"""Documents pages (/documents/): print batches, letters, statements, registered letters, litigation files."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relance.accounts.permissions import COLLECTOR, VIEWER, role_required
from relance.channels.letters import LETTER_KINDS, print_batch
from relance.channels.litigation import chosen_court, competent_court, litigation_file
from relance.channels.models import Document
from relance.channels.pdf import media_path
from relance.channels.services import court_choice_record, registered_letter_track
from relance.channels.statement import statement_pdf
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.ledger.selectors import customer_get


class TrackingForm(forms.Form):
    tracking_number = forms.CharField(label="Numéro de suivi", max_length=40, required=False)
    acknowledged_on = forms.DateField(label="Accusé de réception signé le", required=False,
                                      widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


def _pdf(data: bytes, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    # The name carries debtor data (customer code): quoted and encoded by Django, never pasted into the header.
    response["Content-Disposition"] = content_disposition_header(True, " ".join(filename.replace("/", "-").split()))
    return response


@role_required(COLLECTOR)
def document_index(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    letters = Document.objects.filter(org=org, kind__in=LETTER_KINDS).select_related("customer").order_by("-day", "id")
    days: dict[date, list[Document]] = {}
    for doc in letters[:500]:
        days.setdefault(doc.day, []).append(doc)
    registered = [d for d in letters[:500] if d.kind == Document.Kind.REGISTERED_LETTER]
    return render(request, "channels/document_index.html", {
        "days": days, "registered": registered, "form": TrackingForm(), "today": local_today()})


@role_required(COLLECTOR)
def batch_download(request: HttpRequest, day: date) -> HttpResponse:
    try:
        data, _ = print_batch(org=request.org, day=day)  # type: ignore[attr-defined]
    except ApplicationError:
        raise Http404("Aucun courrier ce jour-là")
    return _pdf(data, f"courriers-{day:%Y-%m-%d}.pdf")


@role_required(VIEWER)
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    doc = Document.objects.filter(org=request.org, pk=pk).first()  # type: ignore[attr-defined]
    if doc is None or not media_path(doc.path).exists():
        raise Http404("Document introuvable")
    return _pdf(media_path(doc.path).read_bytes(), media_path(doc.path).name)


@role_required(VIEWER)
def statement_download(request: HttpRequest, customer_id: int) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    try:
        customer = customer_get(org=org, pk=customer_id)
    except ApplicationError:
        raise Http404("Client introuvable")
    data, _ = statement_pdf(org=org, customer=customer, today=today)
    return _pdf(data, f"releve-{customer.ref}-{today:%Y-%m-%d}.pdf")


@role_required(COLLECTOR)
def litigation_download(request: HttpRequest, customer_id: int) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    try:
        customer = customer_get(org=org, pk=customer_id)
        data = litigation_file(org=org, customer=customer, today=today)
    except ApplicationError as exc:
        if "introuvable" in exc.message or "inconnu" in exc.message:
            raise Http404(exc.message)
        messages.error(request, exc.message)
        return redirect("customer_detail", pk=customer_id)
    return _pdf(data, f"contentieux-{customer.ref}-{today:%Y-%m-%d}.zip", "application/zip")


@require_POST
@role_required(COLLECTOR)
def registered_letter_update(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    doc = Document.objects.filter(org=org, pk=pk, kind=Document.Kind.REGISTERED_LETTER).first()
    if doc is None:
        raise Http404("Lettre recommandée introuvable")
    form = TrackingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Date ou numéro de suivi invalide."))
        return redirect("channels:index")
    try:
        registered_letter_track(org=org, document=doc, tracking_number=form.cleaned_data["tracking_number"],
                                acknowledged_on=form.cleaned_data["acknowledged_on"], today=local_today(),
                                actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Recommandé de %(customer)s mis à jour.") % {"customer": doc.customer.name})
    return redirect("channels:index")


@role_required(COLLECTOR)
def court_choice(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The "injonction de payer" court of a customer: the département's courts, and the one chosen."""
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    try:
        customer = customer_get(org=org, pk=customer_id)
    except ApplicationError:
        raise Http404("Client introuvable")
    if request.method == "POST":
        try:
            choice = court_choice_record(org=org, customer=customer, court=request.POST.get("court", ""),
                                         today=today, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Juridiction enregistrée pour %(customer)s : %(court)s.") % {
                "customer": customer.name, "court": choice.court})
        return redirect("channels:court", customer_id=customer.pk)
    court = competent_court(kind=customer.kind, postcode=customer.postcode, city=customer.city, today=today,
                            chosen=chosen_court(org=org, customer=customer))
    return render(request, "channels/court_choice.html", {"customer": customer, "court": court})
