"""relance promise CUSTOMER_REF --until YYYY-MM-DD [--invoices N1,N2] [--date YYYY-MM-DD]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Organisation, User
from relance.core.commands import RelanceCommand, date_arg
from relance.dunning.services import promise_record
from relance.ledger.selectors import customer_get, invoice_get


class Command(RelanceCommand):
    help = "Enregistre une promesse de paiement : pas de relance jusqu'à la date promise (+ 2 jours de grâce)."
    required_role = "collector"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("customer", metavar="CUSTOMER_REF")
        parser.add_argument("--until", type=date_arg, required=True, help="date de paiement promise")
        parser.add_argument("--invoices", default="", help="numéros de factures séparés par des virgules "
                                                          "(défaut : toutes les factures échues du client)")
        parser.add_argument("--date", type=date_arg, default=None, help="jour d'enregistrement (défaut : aujourd'hui)")

    def run(self, organisation: Organisation | None, **options: Any) -> None:  # type: ignore[override]
        org = organisation
        assert org is not None
        customer = customer_get(org=org, ref=options["customer"])
        numbers = [n.strip() for n in options["invoices"].split(",") if n.strip()]
        invoices = [invoice_get(org=org, number=n) for n in numbers] or None
        actor = User.objects.filter(email__iexact=options["user"]).first() if options.get("user") else None
        promise = promise_record(org=org, customer=customer, until=options["until"], today=self.today(options),
                                 invoices=invoices, actor=actor, source="cli" if actor is None else "staff")
        listed = ", ".join(promise.invoices.order_by("number").values_list("number", flat=True))
        self.stdout.write(f"Promesse enregistrée pour {customer.ref} jusqu'au {promise.until:%d/%m/%Y} : {listed}.")
