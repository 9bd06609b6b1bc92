"""relance dunning run | explain | approve — the daily ladder from the command line."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Organisation
from relance.core.commands import RelanceCommand
from relance.core.errors import ApplicationError
from relance.core.money import format_eur
from relance.dunning.management.commands._common import common
from relance.dunning.selectors import action_get, actions_awaiting_approval
from relance.dunning.services import (
    RunResult,
    action_approve,
    approval_spacing_problem,
    dunning_explain,
    dunning_run,
)
from relance.ledger.selectors import invoice_get

ROLES = {"run": "collector", "explain": "viewer", "approve": "manager"}


class Command(RelanceCommand):
    help = "Relances : passage du jour (run), explication (explain), validation (approve)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="{run,explain,approve}")
        run = sub.add_parser("run", help="planifier et effectuer les relances du jour")
        run.add_argument("--dry-run", action="store_true", help="simuler sans rien enregistrer ni envoyer")
        common(run, json=True)
        explain = sub.add_parser("explain", help="pourquoi une facture reçoit (ou non) une étape ce jour-là")
        explain.add_argument("invoice", metavar="INVOICE_NUMBER")
        common(explain, json=True)
        approve = sub.add_parser("approve", help="valider des actions en attente (mise en demeure, contentieux)")
        approve.add_argument("ids", nargs="*", type=int, metavar="ACTION_ID")
        approve.add_argument("--all", action="store_true", help="toutes les actions en attente de validation")
        common(approve)

    def handle(self, *args: Any, **options: Any) -> None:
        self.required_role = ROLES[options["what"]]
        super().handle(*args, **options)

    def run(self, organisation: Organisation | None, **options: Any) -> None:  # type: ignore[override]
        assert organisation is not None
        today = self.today(options)
        getattr(self, f"_{options['what']}")(organisation, today, options)

    def _run(self, org: Organisation, today: Any, options: dict[str, Any]) -> None:
        result = dunning_run(org=org, today=today, dry_run=options["dry_run"])
        if options["json"]:
            self.print_json(result.as_json())
        else:
            self._print_run(result)

    def _print_run(self, result: RunResult) -> None:
        head = "Simulation" if result.dry_run else "Relances"
        self.stdout.write(f"{head} du {result.date:%d/%m/%Y} : {len(result.actions)} action(s).")
        for a in result.actions:
            ident = f"#{a['id']}" if a["id"] else "-"
            self.stdout.write(f"  {ident} {a['customer']} {a['step']} {a['channel']} {a['status']} "
                              f"{', '.join(a['invoices'])} {a['amount_due']} {a['currency']}")
        for e in result.events:
            self.stdout.write(f"  événement {e['type']} : {e['customer']} {', '.join(e['invoices'])}")
        for w in result.warnings:
            self.stderr.write(f"Attention : {w}")

    def _explain(self, org: Organisation, today: Any, options: dict[str, Any]) -> None:
        explanation = dunning_explain(org=org, invoice=invoice_get(org=org, number=options["invoice"]), today=today)
        if options["json"]:
            self.print_json(explanation.as_dict())
        else:
            self.stdout.write(explanation.text)

    def _approve(self, org: Organisation, today: Any, options: dict[str, Any]) -> None:
        if options["all"] == bool(options["ids"]):
            raise ApplicationError("Indiquez des numéros d'action ou --all (l'un ou l'autre).")
        actions = (list(actions_awaiting_approval(org=org)) if options["all"]
                   else [action_get(org=org, pk=pk) for pk in options["ids"]])
        for action in actions:  # check everything before changing anything
            if action.status != action.Status.AWAITING_APPROVAL:
                raise ApplicationError(f"L'action {action.id} n'attend pas de validation "
                                       f"(statut : {action.get_status_display().lower()}).")
            if problem := approval_spacing_problem(org=org, action=action, today=today):
                raise ApplicationError(problem)
        actor = self._actor(org, options)
        for action in actions:
            action = action_approve(org=org, action=action, today=today, actor=actor)
            self.stdout.write(f"#{action.id} {action.customer.ref} {action.step} {action.channel} : "
                              f"{action.status} ({format_eur(action.amount_due, action.currency)})")
        if not actions:
            self.stdout.write("Aucune action en attente de validation.")

    def _actor(self, org: Organisation, options: dict[str, Any]) -> Any:
        from relance.accounts.models import User

        email = options.get("user")
        return User.objects.filter(email__iexact=email).first() if email else None
