"""Chart data for the dashboard: plain lists for `json_script`, and the same figures as table rows
(the fallback for screen readers and for anyone who prefers numbers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relance.analytics.kpi import BUCKETS
from relance.analytics.selectors import DashboardFigures


def _month(d: date) -> str:
    return date_format(d, "M Y")


def _num(value: Decimal | None) -> float | None:
    # Chart.js needs JSON numbers; these floats only draw bars, every figure shown as text stays Decimal.
    return None if value is None else float(value)


def aging_rows(f: DashboardFigures) -> list[tuple[str, Decimal]]:
    return [(_(label), f.aging[code]) for code, label, *_rest in BUCKETS]


def month_rows(f: DashboardFigures) -> list[tuple[str, Decimal, Decimal]]:
    collected = dict(f.collected_by_month)
    return [(_month(m), inv, collected.get(m, Decimal("0.00"))) for m, inv in f.invoiced_by_month]


def dashboard_data(f: DashboardFigures) -> dict[str, Any]:
    return {
        "aging": {"labels": [label for label, _v in aging_rows(f)],
                  "values": [_num(v) for _l, v in aging_rows(f)], "label": _("Encours (€)")},
        "flows": {"labels": [m for m, *_r in month_rows(f)],
                  "invoiced": [_num(i) for _m, i, _c in month_rows(f)],
                  "collected": [_num(c) for _m, _i, c in month_rows(f)],
                  "invoiced_label": _("Facturé (€)"), "collected_label": _("Encaissé (€)")},
        "dso": {"labels": [date_format(d, "d/m/Y") for d, _v in f.dso_trend],
                "values": [_num(v) for _d, v in f.dso_trend], "label": _("DSO (jours)")},
    }
