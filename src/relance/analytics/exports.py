"""The KPI report as a table of labelled figures: for the page, the command's text output, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from relance.analytics.kpi import BUCKETS, KpiReport
from relance.core.money import format_eur

STEP_LABELS = {
    "pre_due": "Avant échéance", "reminder_1": "Relance 1", "reminder_2": "Relance 2", "call": "Appel",
    "reminder_3": "Relance 3 (courrier)", "formal_notice": "Mise en demeure", "litigation": "Contentieux",
}

Figure = tuple[str, str, Decimal | None, str]  # code, label, value, unit ("EUR", "jours", "%", "")


def figures(report: KpiReport) -> list[Figure]:
    days = _("jours")
    rows: list[Figure] = [
        ("receivables", _("Encours clients"), report.receivables, "EUR"),
        ("overdue", _("Dont échu"), report.overdue, "EUR"),
        ("sales", _("Facturé sur la période"), report.sales, "EUR"),
        ("dso", _("DSO (méthode comptable)"), report.dso, days),
        ("dso_countback", _("DSO (épuisement du CA)"), report.dso_countback, days),
        ("best_possible_dso", _("Meilleur DSO possible"), report.best_possible_dso, days),
        ("average_days_delinquent", _("Retard moyen (ADD)"), report.average_days_delinquent, days),
        ("cei", _("Efficacité du recouvrement (CEI)"), report.cei, "%"),
        ("recovery_rate", _("Taux de recouvrement"), report.recovery_rate, "%"),
        ("average_payment_delay", _("Délai moyen de paiement après échéance"), report.average_delay, days),
        ("reminders_before_payment", _("Relances envoyées avant paiement (moyenne)"),
         report.reminders_before_payment, ""),
    ]
    rows += [(f"aging_{code}", _("Balance âgée : %s") % _(label), report.aging[code], "EUR")
             for code, label, *_rest in BUCKETS]
    return rows


def display(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "EUR":
        return format_eur(value)
    text = f"{value}".replace(".", ",")
    return f"{text} {unit}".strip() if unit != "%" else f"{text} %"


def step_rows(report: KpiReport) -> list[tuple[str, int, int, Decimal | None]]:
    return [(_(STEP_LABELS.get(s.step, s.step)), s.invoices, s.paid_within, s.share) for s in report.steps]


def delay_rows(report: KpiReport, refs: Mapping[int, tuple[str, str]]) -> list[tuple[str, str, Decimal]]:
    rows = [(*refs.get(cid, (str(cid), "")), delay) for cid, delay in report.delay_by_customer.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def as_csv(report: KpiReport, refs: Mapping[int, tuple[str, str]]) -> str:
    """French Excel-friendly CSV: `;` separator, decimal comma, UTF-8 with BOM (added by the view)."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    w.writerow([_("Indicateur"), _("Valeur"), _("Unité"), _("Date"), _("Période (jours)")])
    for _code, label, value, unit in figures(report):
        w.writerow([label, "" if value is None else str(value).replace(".", ","), unit,
                    report.day.isoformat(), report.period_days])
    w.writerow([])
    w.writerow([_("Étape"), _("Factures"), _("Payées sous 7 jours"), _("Part (%)")])
    for label, n, won, share in step_rows(report):
        w.writerow([label, n, won, "" if share is None else str(share).replace(".", ",")])
    w.writerow([])
    w.writerow([_("Code client"), _("Client"), _("Délai moyen de paiement (jours)")])
    for ref, name, delay in delay_rows(report, refs):
        w.writerow([ref, name, str(delay).replace(".", ",")])
    return out.getvalue()


def as_xlsx(report: KpiReport, refs: Mapping[int, tuple[str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Indicateurs")
    ws.append([_("Indicateur"), _("Valeur"), _("Unité")])
    for _code, label, value, unit in figures(report):
        ws.append([label, value, unit])
        if unit == "EUR":
            ws.cell(ws.max_row, 2).number_format = '#,##0.00 "€"'
    ws.append([])
    ws.append([_("Date"), report.day, ""])
    ws.cell(ws.max_row, 2).number_format = "DD/MM/YYYY"
    ws.append([_("Période (jours)"), report.period_days, ""])
    steps = wb.create_sheet(_("Étapes"))
    steps.append([_("Étape"), _("Factures"), _("Payées sous 7 jours"), _("Part (%)")])
    for row in step_rows(report):
        steps.append(list(row))
    delays = wb.create_sheet(_("Délais par client"))
    delays.append([_("Code client"), _("Client"), _("Délai moyen de paiement (jours)")])
    for ref, name, delay in delay_rows(report, refs):
        delays.append([ref, name, delay])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 45
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
