"""relance portal purge — delete the debtor portal's links dead (expired or revoked) for more than N days."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Organisation
from relance.core.commands import RelanceCommand, date_arg
from relance.portal.services import portal_tokens_purge


class Command(RelanceCommand):
    help = "Espace client : purge des liens expirés ou révoqués depuis plus de N jours (purge)."
    required_role = "manager"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="{purge}")
        purge = sub.add_parser("purge", help="supprimer les liens morts depuis plus de PORTAL_TOKEN_PURGE_DAYS jours")
        purge.add_argument("--date", type=date_arg, default=None, help="le jour considéré (AAAA-MM-JJ ; défaut : aujourd'hui)")
        purge.add_argument("--org", help="identifiant (slug) de l'organisation (défaut : toutes)")
        purge.add_argument("--user", default=os.environ.get("RELANCE_USER"),
                           help="agir en tant que cet utilisateur (son rôle est vérifié) ; défaut : RELANCE_USER")
        purge.add_argument("--json", action="store_true", help="un document JSON sur la sortie standard")

    def handle(self, *args: Any, **options: Any) -> None:
        # The system operator (no --org, no --user) purges every organisation, as the worker does; a person
        # acts on one organisation, with their role checked.
        self.needs_org = bool(options.get("org") or options.get("user"))
        super().handle(*args, **options)

    def run(self, organisation: Organisation | None, **options: Any) -> None:  # type: ignore[override]
        result = portal_tokens_purge(org=organisation, today=self.today(options))
        if options["json"]:
            self.print_json(result.as_json())
            return
        scope = f"« {organisation.slug} »" if organisation else "toutes les organisations"
        self.stdout.write(f"Purge du portail du {result.day:%d/%m/%Y} ({scope}) : {result.tokens} lien(s) "
                          f"expiré(s) ou révoqué(s) avant le {result.cutoff:%d/%m/%Y} supprimé(s).")
        if result.rate_counters:
            self.stdout.write(f"  {result.rate_counters} compteur(s) de limite de requêtes périmé(s) supprimé(s).")
