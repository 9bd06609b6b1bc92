from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Organisation
from relance.core.commands import RelanceCommand, date_arg
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.demo import names
from relance.demo.generator import DemoParams
from relance.demo.services import demo_create, login_file, organisation_exists


class Command(RelanceCommand):
    help = ("Crée une entreprise fictive de démonstration (clients, factures, paiements, avoirs, litiges, "
            "promesses) et son compte de connexion.")
    needs_org = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="graine : même graine, mêmes données (défaut 1)")
        parser.add_argument("--customers", type=int, default=200, help="nombre de clients (défaut 200)")
        parser.add_argument("--invoices", type=int, default=3000, help="nombre de factures (défaut 3000)")
        parser.add_argument("--today", type=date_arg, help="dernier jour de l'historique (défaut : aujourd'hui)")
        parser.add_argument("--if-empty", action="store_true",
                            help="ne rien faire si une organisation existe déjà")
        parser.add_argument("--org-name", default=names.DEFAULT_ORG_NAME, help="raison sociale de l'entreprise fictive")
        parser.add_argument("--open-heavy", action="store_true",
                            help="neuf factures sur dix restent impayées (bases de mesure de performance)")
        parser.add_argument("--batch-size", type=int, default=5000, help="lignes par insertion groupée")

    def run(self, org: Organisation | None, **options: Any) -> None:
        if options["if_empty"] and organisation_exists():
            self.stdout.write("Une organisation existe déjà : démonstration non chargée.")
            return
        if options["customers"] < 1 or options["invoices"] < 0 or options["batch_size"] < 1:
            raise ApplicationError("--customers et --batch-size doivent être positifs, --invoices positif ou nul.")
        params = DemoParams(today=options["today"] or local_today(), seed=options["seed"],
                            customers=options["customers"], invoices=options["invoices"],
                            open_heavy=options["open_heavy"])
        started = time.monotonic()
        summary = demo_create(params=params, org_name=options["org_name"], batch_size=options["batch_size"],
                              progress=options["verbosity"] > 0)
        counts = summary.counts
        self.stdout.write(
            f"Démonstration « {summary.org.name} » créée en {time.monotonic() - started:.1f} s : "
            f"{counts['customers']} clients, {counts['invoices']} factures et avoirs, {counts['payments']} paiements, "
            f"{counts['disputes']} litiges, {counts['promises']} promesses (au {params.today:%d/%m/%Y}, graine {params.seed})."
        )
        self.stdout.write(
            f"Connectez-vous sur {summary.url} avec l'identifiant {summary.email} "
            f"et le mot de passe {summary.password}\n(également noté dans {login_file()}, affiché par « relance serve »)."
        )
