from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from relance.accounts.models import Organisation
from relance.channels.litigation import litigation_file
from relance.channels.pdf import output_write, safe_filename
from relance.channels.services import court_choice_record
from relance.channels.statement import statement_pdf
from relance.core.commands import RelanceCommand, date_arg
from relance.core.dates import local_today
from relance.ledger.selectors import customer_get


class Command(RelanceCommand):
    help = "Documents d'un client : relevé de compte (PDF), dossier contentieux (zip)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("statement", "relevé de compte (PDF)"), ("litigation", "dossier contentieux (zip)")):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("customer_ref", help="code client")
            cmd.add_argument("--date", type=date_arg)
            cmd.add_argument("--output", help="fichier à écrire")
            if name == "litigation":
                cmd.add_argument("--court", help="juridiction choisie pour ce client (parmi celles du département, "
                                                 "d'après l'annuaire de justice.fr) ; enregistrée")

    def handle(self, *args: Any, **options: Any) -> None:
        # A statement is a read (viewer); a litigation file starts a procedure (collector).
        self.required_role = "collector" if options.get("action") == "litigation" else "viewer"
        super().handle(*args, **options)

    def run(self, org: Organisation | None, **options: Any) -> None:
        assert org is not None
        day = options.get("date") or local_today()
        customer = customer_get(org=org, ref=options["customer_ref"])
        if options["action"] == "statement":
            data, _ = statement_pdf(org=org, customer=customer, today=day)
            default = safe_filename(f"releve-{customer.ref}-{day:%Y-%m-%d}.pdf")
        else:
            if options.get("court"):
                choice = court_choice_record(org=org, customer=customer, court=options["court"], today=day,
                                             actor=_actor(options.get("user")))
                self.stdout.write(f"Juridiction enregistrée pour {customer.ref} : {choice.court}")
            data = litigation_file(org=org, customer=customer, today=day)
            default = safe_filename(f"contentieux-{customer.ref}-{day:%Y-%m-%d}.zip")
        output = Path(options.get("output") or default)
        output_write(output, data)
        self.stdout.write(f"{output} ({len(data)} octets)")


def _actor(email: str | None) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email).first() if email else None
