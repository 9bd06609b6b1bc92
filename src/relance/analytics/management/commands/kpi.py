from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils import translation

from relance.accounts.models import Organisation
from relance.analytics import exports
from relance.analytics.kpi import as_json
from relance.analytics.selectors import customer_refs, kpi_report
from relance.core.commands import RelanceCommand, date_arg
from relance.core.errors import ApplicationError


class Command(RelanceCommand):
    help = "Indicateurs de recouvrement (DSO, balance âgée, CEI, taux de recouvrement…) à une date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--date", type=date_arg, help="date de calcul (défaut : aujourd'hui)")
        parser.add_argument("--period", type=int, default=90, help="période en jours (défaut : 90)")
        parser.add_argument("--json", action="store_true", help="un document JSON sur la sortie standard")

    def run(self, organisation: Organisation | None, **options: Any) -> None:  # type: ignore[override]
        # The base passes the resolved organisation positionally; options still holds the --org slug.
        org = organisation
        assert org is not None
        if not 1 <= options["period"] <= 3660:
            raise ApplicationError("--period doit être un nombre de jours entre 1 et 3660.")
        with translation.override("fr"):  # the command line speaks French, whatever a request activated
            self._print(org, options)

    def _print(self, org: Organisation, options: dict[str, Any]) -> None:
        day = self.today(options)
        report = kpi_report(org=org, day=day, period_days=options["period"])
        refs = customer_refs(org=org, ids=list(report.delay_by_customer))
        if options["json"]:
            self.print_json(as_json(report, {pk: ref for pk, (ref, _name) in refs.items()}))
            return
        self.stdout.write(f"Indicateurs de « {org.name} » au {day:%d/%m/%Y} (période de {report.period_days} jours)")
        for _code, label, value, unit in exports.figures(report):
            self.stdout.write(f"  {label:<48} {exports.display(value, unit)}")
        if report.steps:
            self.stdout.write("Payées dans les 7 jours après chaque étape :")
            for label, n, won, share in exports.step_rows(report):
                self.stdout.write(f"  {label:<48} {won}/{n} ({exports.display(share, '%')})")
