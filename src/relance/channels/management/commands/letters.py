from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from relance.accounts.models import Organisation
from relance.channels.letters import print_batch
from relance.channels.pdf import output_write
from relance.channels.services import registered_letter_get, registered_letter_track
from relance.core.commands import RelanceCommand, date_arg
from relance.core.dates import local_today


class Command(RelanceCommand):
    help = "Courriers : lot d'impression du jour, suivi des lettres recommandées."
    required_role = "collector"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        batch = sub.add_parser("batch", help="un PDF avec tous les courriers du jour")
        batch.add_argument("--date", type=date_arg, help="jour des courriers (défaut : aujourd'hui)")
        batch.add_argument("--output", help="fichier PDF à écrire (défaut : courriers-AAAA-MM-JJ.pdf)")
        track = sub.add_parser("track", help="numéro de suivi et accusé de réception d'un recommandé")
        track.add_argument("action_id", type=int, help="identifiant de l'action (mise en demeure)")
        track.add_argument("--tracking", default="", help="numéro de suivi postal")
        track.add_argument("--acknowledged", type=date_arg, help="date de signature de l'accusé de réception")
        track.add_argument("--date", type=date_arg)

    def run(self, org: Organisation | None, **options: Any) -> None:
        assert org is not None
        day = options.get("date") or local_today()
        if options["action"] == "batch":
            data, pages = print_batch(org=org, day=day)
            output = Path(options.get("output") or f"courriers-{day:%Y-%m-%d}.pdf")
            output_write(output, data)
            self.stdout.write(f"{output} : {pages} pages")
            return
        document = registered_letter_get(org=org, action_id=options["action_id"])
        document = registered_letter_track(org=org, document=document, tracking_number=options["tracking"],
                                           acknowledged_on=options.get("acknowledged"), today=day)
        ack = f", AR du {document.acknowledged_on:%d/%m/%Y}" if document.acknowledged_on else ""
        self.stdout.write(f"Recommandé de {document.customer.name} : n° {document.tracking_number or '—'}{ack}")
