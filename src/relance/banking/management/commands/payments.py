"""`relance payments --from D --to D [--json]`: payments received per invoice over a period."""

from __future__ import annotations

from argparse import ArgumentParser
from decimal import Decimal
from typing import Any

from relance.accounts.models import Organisation
from relance.banking.selectors import payment_report
from relance.core.commands import RelanceCommand, date_arg
from relance.core.errors import ApplicationError
from relance.core.money import format_eur


class Command(RelanceCommand):
    help = "Encaissements par facture sur une période (pour le statut « Encaissée » de la facturation électronique)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--from", dest="start", type=date_arg, required=True, help="début (AAAA-MM-JJ)")
        parser.add_argument("--to", dest="end", type=date_arg, required=True, help="fin incluse (AAAA-MM-JJ)")
        parser.add_argument("--json", action="store_true", help="un document JSON sur la sortie standard")

    def run(self, org: Organisation | None, **options: Any) -> None:
        start, end = options["start"], options["end"]
        if start > end:
            raise ApplicationError("--from doit précéder --to.")
        rows = payment_report(org=org, start=start, end=end)  # type: ignore[arg-type]
        total = sum((r.received for r in rows), Decimal("0.00"))
        if options["json"]:
            self.print_json({"from": start.isoformat(), "to": end.isoformat(), "total": f"{total:.2f}",
                             "invoices": [r.as_dict() for r in rows]})
            return
        for r in rows:
            paid = ", ".join(f"{d:%d/%m/%Y} {format_eur(a, r.currency)}" for d, a, _ in r.payments)
            state = "soldée" if r.fully_paid else "partielle"
            self.stdout.write(f"{r.invoice_number}\t{r.customer_ref}\t{format_eur(r.received, r.currency)}\t{state}\t{paid}")
        self.stdout.write(f"{len(rows)} facture(s), {format_eur(total)} encaissés du {start:%d/%m/%Y} au {end:%d/%m/%Y}.")
