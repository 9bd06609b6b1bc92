"""The health check and the dashboard."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from relance.accounts.permissions import VIEWER, role_required
from relance.analytics.selectors import dashboard_figures_cached
from relance.core.dates import local_today
from relance.web import charts
from relance.web.selectors import approvals_waiting, dashboard_warnings, disputed_totals, promises_due


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@role_required(VIEWER)
def dashboard(request: HttpRequest) -> HttpResponse:
    org, today = request.org, local_today()  # type: ignore[attr-defined]
    cached = dashboard_figures_cached(org=org, day=today, refresh=request.GET.get("actualiser") == "1")
    figures = cached.figures
    approvals = approvals_waiting(org=org)
    # Disputes are read fresh (opening one does not change the ledger's cached figures): out of the ladder
    # (rule 8), they are shown apart from the overdue amount, which the aging chart still includes.
    disputed = disputed_totals(org=org, today=today)
    return render(request, "web/dashboard.html", {
        "today": today, "f": figures, "disputed": disputed.outstanding,
        "overdue": max(figures.overdue - disputed.overdue, Decimal("0.00")), "computed_at": cached.computed_at, "charts": charts.dashboard_data(figures),
        "aging_rows": charts.aging_rows(figures), "month_rows": charts.month_rows(figures),
        "promises": list(promises_due(org=org, today=today)[:20]),
        "approvals": None if approvals is None else list(approvals[:10]),
        "approvals_count": None if approvals is None else approvals.count(),
        "warnings": dashboard_warnings(org=org, today=today),
    })
