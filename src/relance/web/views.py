"""Staff pages: thin views over selectors and services, scoped by request.org."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from relance.accounts.permissions import VIEWER, role_required
from relance.activity.selectors import customer_timeline
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.ledger.selectors import customer_get, customers_with_balances, invoices_with_outstanding

SORTS = {"name": "name", "-outstanding": "-outstanding", "-overdue": "-overdue", "ref": "ref"}


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@role_required(VIEWER)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"today": local_today()})


@role_required(VIEWER)
def customer_list(request: HttpRequest) -> HttpResponse:
    today = local_today()
    qs = customers_with_balances(request.org, today=today)  # type: ignore[attr-defined]
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(ref__icontains=q) | Q(siren__icontains=q))
    if request.GET.get("overdue"):
        qs = qs.filter(overdue__gt=0)
    if kind := request.GET.get("kind"):
        qs = qs.filter(kind=kind)
    qs = qs.order_by(SORTS.get(request.GET.get("sort", ""), "-overdue"), "name")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "web/customer_list.html", {"page": page, "today": today, "q": q})


@role_required(VIEWER)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    try:
        customer = customer_get(org=org, pk=pk)
    except ApplicationError:
        raise Http404("Client introuvable")
    invoices = invoices_with_outstanding(org).filter(customer=customer).order_by("-issue_date")
    return render(request, "web/customer_detail.html", {
        "customer": customer, "invoices": invoices, "today": today,
        "timeline": customer_timeline(org=org, customer=customer),
        "contacts": customer.contacts.all(),
    })
