"""KPI pages: the figures at a date, their definitions, and exports (CSV, XLSX). Read-only: viewers welcome."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relance.accounts.permissions import VIEWER, role_required
from relance.analytics import exports
from relance.analytics.kpi import KpiReport
from relance.analytics.selectors import customer_refs, kpi_report
from relance.core.dates import local_today, parse_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day_and_period(request: HttpRequest) -> tuple[date, int, str]:
    """Date and period from the query string; bad values fall back to today / 90 days with a message."""
    error = ""
    day = local_today()
    if text := request.GET.get("date", "").strip():
        try:
            day = parse_date(text)
        except ValueError as exc:
            error = str(exc)
    period = request.GET.get("period", "90")
    if not period.isdigit() or not 1 <= int(period) <= 3660:
        return day, 90, error or "période invalide : entre 1 et 3660 jours"
    return day, int(period), error


def _report(request: HttpRequest) -> tuple[KpiReport, dict[int, tuple[str, str]], str]:
    day, period, error = _day_and_period(request)
    report = kpi_report(org=request.org, day=day, period_days=period)  # type: ignore[attr-defined]
    refs = customer_refs(org=request.org, ids=list(report.delay_by_customer))  # type: ignore[attr-defined]
    return report, refs, error


@role_required(VIEWER)
def kpi_page(request: HttpRequest) -> HttpResponse:
    report, refs, error = _report(request)
    figures = [(label, exports.display(value, unit), code) for code, label, value, unit in exports.figures(report)]
    return render(request, "analytics/kpi.html", {
        "report": report, "figures": figures, "error": error,
        "steps": [(label, n, won, exports.display(share, "%")) for label, n, won, share in exports.step_rows(report)],
        "delays": exports.delay_rows(report, refs)[:50], "query": request.GET.urlencode(),
    })


@role_required(VIEWER)
def kpi_help(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/help.html")


@role_required(VIEWER)
def kpi_csv(request: HttpRequest) -> HttpResponse:
    report, refs, _error = _report(request)
    response = HttpResponse("\ufeff" + exports.as_csv(report, refs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indicateurs-{report.day}.csv"'
    return response


@role_required(VIEWER)
def kpi_xlsx(request: HttpRequest) -> HttpResponse:
    report, refs, _error = _report(request)
    response = HttpResponse(exports.as_xlsx(report, refs), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="indicateurs-{report.day}.xlsx"'
    return response
