"""relance dispute open INVOICE_NUMBER --reason TEXT | relance dispute resolve INVOICE_NUMBER"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Organisation, User
from relance.core.commands import RelanceCommand
from relance.dunning.management.commands._common import common
from relance.dunning.services import dispute_open, dispute_resolve
from relance.ledger.models import Dispute
from relance.ledger.selectors import invoice_get


class Command(RelanceCommand):
    help = "Ouvre ou résout un litige sur une facture (pas de relance tant qu'il est ouvert)."
    required_role = "collector"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="{open,resolve}")
        opening = sub.add_parser("open", help="ouvrir un litige")
        opening.add_argument("invoice", metavar="INVOICE_NUMBER")
        opening.add_argument("--reason", required=True, help="motif du litige (texte libre)")
        opening.add_argument("--reason-code", default="other", choices=Dispute.Reason.values)
        common(opening)
        resolving = sub.add_parser("resolve", help="résoudre le litige ouvert")
        resolving.add_argument("invoice", metavar="INVOICE_NUMBER")
        resolving.add_argument("--resolution", default="", help="comment le litige a été résolu")
        common(resolving)

    def run(self, organisation: Organisation | None, **options: Any) -> None:  # type: ignore[override]
        org = organisation
        assert org is not None
        invoice = invoice_get(org=org, number=options["invoice"])
        today = self.today(options)
        actor = User.objects.filter(email__iexact=options["user"]).first() if options.get("user") else None
        if options["what"] == "open":
            dispute_open(org=org, invoice=invoice, reason=options["reason"], reason_code=options["reason_code"],
                         today=today, actor=actor, source="staff")
            self.stdout.write(f"Litige ouvert sur {invoice.number} : plus de relance pour cette facture.")
        else:
            dispute_resolve(org=org, invoice=invoice, today=today, resolution=options["resolution"], actor=actor)
            self.stdout.write(f"Litige résolu sur {invoice.number} : la relance reprend le jour ouvré suivant.")
