"""relance penalties --amount A --due D (--paid P | --on T) [--kind b2b|b2c|public] [--notice-date N]
[--contract-rate R] [--json]"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from decimal import Decimal
from typing import Any

from relance.core.commands import RelanceCommand
from relance.core.dates import parse_date
from relance.core.errors import ApplicationError
from relance.core.money import parse_amount
from relance.legal.api import rate_table, split_half_years
from relance.legal.penalties import KINDS, PenaltyResult, Settlement, compute_penalties


def _date(options: dict[str, Any], name: str) -> date | None:
    text = options[name]
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ApplicationError(f"--{name.replace('_', '-')} : {exc}")


def _decimal(options: dict[str, Any], name: str) -> Decimal | None:
    text = options[name]
    if text is None:
        return None
    try:
        value = parse_amount(text.replace("%", ""))
    except ValueError as exc:
        raise ApplicationError(f"--{name.replace('_', '-')} : {exc}")
    if value != value.quantize(Decimal("0.01")) and name == "amount":
        raise ApplicationError(f"--amount : {text} n'est pas un montant au centime près.")
    return value


class Command(RelanceCommand):
    help = "Calcule les pénalités de retard d'une facture (intérêts, indemnité forfaitaire de 40 €) et les explique."
    needs_org = False
    requires_system_checks: list[str] = []  # a computation over the rate tables: nothing to check first

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--amount", help="montant TTC de la facture (1000 ou 1 000,50)")
        parser.add_argument("--due", help="date d'échéance (AAAA-MM-JJ ou JJ/MM/AAAA)")
        parser.add_argument("--paid", help="date du paiement (jour où les fonds sont disponibles)")
        parser.add_argument("--on", help="date de calcul, si la facture n'est pas encore payée")
        parser.add_argument("--kind", default="b2b", help="b2b (défaut), b2c ou public")
        parser.add_argument("--notice-date", help="date de la mise en demeure (particuliers)")
        parser.add_argument("--contract-rate", help="taux contractuel annuel en %% (professionnels)")
        parser.add_argument("--json", action="store_true", help="imprime un document JSON")

    def run(self, org: Any, **options: Any) -> None:
        result = self.compute(options)
        if options["json"]:
            self.print_json(result.as_json())
            return
        self.stdout.write("\n".join(result.explanation))
        self.stdout.write("\nSources :")
        self.stdout.write("\n".join(f"- {source}" for source in result.sources))

    def compute(self, options: dict[str, Any]) -> PenaltyResult:
        amount, due = _decimal(options, "amount"), _date(options, "due")
        paid, on = _date(options, "paid"), _date(options, "on")
        if amount is None or due is None:
            raise ApplicationError("--amount et --due sont obligatoires (montant TTC et date d'échéance).")
        if (paid is None) == (on is None):
            raise ApplicationError("Indiquez soit --paid (date du paiement), soit --on (date du calcul), pas les deux.")
        as_of = paid or on
        assert as_of is not None  # exactly one of them, checked above
        if options["kind"] not in KINDS:
            raise ApplicationError(f"--kind : type de client inconnu « {options['kind']} » (b2b, b2c ou public).")
        return compute_penalties(
            table=rate_table(), kind=options["kind"], principal=amount, due_date=due, as_of=as_of,
            settlements=[Settlement(paid, amount)] if paid else [], notice_date=_date(options, "notice_date"),
            contract_rate=_decimal(options, "contract_rate"), split_half_years=split_half_years(),
        )
