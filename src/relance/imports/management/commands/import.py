"""relance import invoices PATH... | relance import bank PATH... (bank statements are the banking app's)."""

from __future__ import annotations

import os
from argparse import SUPPRESS, ArgumentParser
from typing import Any

from relance.accounts.models import Organisation, User
from relance.core.commands import RelanceCommand, date_arg
from relance.core.errors import ApplicationError
from relance.core.reports import ImportReport
from relance.imports.history import import_run, terms_exceeded_text
from relance.imports.models import ImportRun
from relance.imports.parsers import FORMATS
from relance.imports.services import invoice_import

BANK_FORMATS = ("auto", "camt053", "camt054", "ofx", "csv")


class Command(RelanceCommand):
    help = "Importe des factures (CSV, Excel, FEC, Factur-X, CII, UBL) ou des relevés bancaires."
    required_role = "collector"

    def add_arguments(self, parser: ArgumentParser) -> None:
        subparsers = parser.add_subparsers(dest="what", required=True, metavar="{invoices,bank}")
        invoices = subparsers.add_parser("invoices", help="factures et avoirs")
        invoices.add_argument("--format", dest="fmt", choices=FORMATS, default="auto")
        bank = subparsers.add_parser("bank", help="relevés bancaires")
        bank.add_argument("--format", dest="fmt", choices=BANK_FORMATS, default="auto")
        for sub in (invoices, bank):
            sub.add_argument("paths", nargs="+", metavar="PATH")
            sub.add_argument("--dry-run", action="store_true", help="contrôler sans rien enregistrer")
            sub.add_argument("--json", action="store_true", help="résumé JSON sur la sortie standard")
            sub.add_argument("--date", type=date_arg, default=SUPPRESS, help=SUPPRESS)
            sub.add_argument("--org", help="identifiant (slug) de l'organisation")
            sub.add_argument("--user", default=os.environ.get("RELANCE_USER"),
                             help="agir en tant que cet utilisateur (rôle chargé de recouvrement au moins)")

    def run(self, org: Organisation | None, **options: Any) -> None:
        assert org is not None
        if options["dry_run"]:  # a simulation imports nothing: not in the history
            report = self._import(org, options)
            self._print(report, [], as_json=options["json"])
            return
        user = User.objects.filter(email__iexact=options["user"]).first() if options["user"] else None
        with import_run(org=org, user=user, kind=options["what"], origin=ImportRun.Origin.CLI,
                        sources=options["paths"]) as run:
            run.report = report = self._import(org, options)
        self._print(report, run.terms_exceeded, as_json=options["json"])

    def _import(self, org: Organisation, options: dict[str, Any]) -> ImportReport:
        today = self.today(options)
        if options["what"] == ImportRun.Kind.BANK:
            return _bank_import(org=org, paths=options["paths"], fmt=options["fmt"],
                                dry_run=options["dry_run"], today=today)
        return invoice_import(org=org, paths_or_files=options["paths"], fmt=options["fmt"],
                              dry_run=options["dry_run"], today=today, progress=True)

    def _print(self, report: ImportReport, terms_exceeded: list[str], *, as_json: bool) -> None:
        if as_json:
            self.print_json({"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                             "errors": [p.as_dict() for p in report.errors]})
        else:
            prefix = "Simulation, rien n'a été enregistré" if report.dry_run else "Import terminé"
            self.stdout.write(f"{prefix} : {report.created} créé(s), {report.updated} mis à jour, "
                              f"{report.unchanged} inchangé(s).")
        for warning in report.warnings:
            self.stderr.write(warning)
        if terms_exceeded:  # a warning: on stdout with the summary, on stderr when stdout is the JSON document
            (self.stderr if as_json else self.stdout).write(terms_exceeded_text(terms_exceeded))


def _bank_import(**kwargs: Any) -> ImportReport:
    try:
        from relance.banking.services import bank_import
    except ImportError:
        raise ApplicationError("L'import des relevés bancaires n'est pas encore disponible dans cette version.")
    return bank_import(**kwargs)
