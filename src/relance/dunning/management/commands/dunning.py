"""relance dunning run | explain | approve — the daily ladder from the command line."""

from __future__ import annotations

import re
from argparse import ArgumentParser
from decimal import Decimal
from typing import Any

from relance.accounts.models import Organisation
from relance.core.commands import RelanceCommand
from relance.core.dates import is_business_day, is_holiday
from relance.core.errors import ApplicationError
from relance.core.money import format_eur
from relance.dunning.management.commands._common import common
from relance.dunning.selectors import action_get, actions_awaiting_approval
from relance.dunning.services import (
    CHANNEL_LABELS_FR,
    STEP_LABELS_FR,
    RunResult,
    action_approve,
    approval_spacing_problem,
    dunning_explain,
    dunning_run,
)
from relance.ledger.selectors import invoice_get

ROLES = {"run": "collector", "explain": "viewer", "approve": "manager"}
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
#: what became of an action, as (masculine, feminine) to agree with its channel: un SMS, une lettre recommandée
STATUS_FR = {"sent": ("envoyé", "envoyée"), "queued": ("en file d'attente", "en file d'attente"),
             "sending": ("en cours d'envoi", "en cours d'envoi"), "awaiting_approval": ("à valider", "à valider"),
             "task": ("à passer (tâche créée)", "créée"), "failed": ("en échec", "en échec"),
             "cancelled": ("annulé", "annulée")}
#: a dry run has sent and created nothing: what it would do
DRY_STATUS_FR = {"queued": ("à envoyer", "à envoyer"), "task": ("à passer", "à créer")}
#: a letter is "sent" once its PDF is produced for the print batch (DESIGN.md)
LETTER_SENT_FR = ("produit pour l'envoi postal", "produite pour l'envoi postal")
FEMININE_CHANNELS = {"registered_letter", "task"}
EVENT_LABELS_FR = {
    "promise_broken": "promesse non tenue, la relance reprend", "promise_kept": "promesse tenue",
    "limitation_reached": "créance prescrite, plus de relance", "payment_plan_broken": "échéancier non respecté",
    "payment_plan_completed": "échéancier soldé",
}
_QUOTED_STEP = re.compile(r"« ([a-z0-9_]+) »")


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
            self._print_run(result, org)

    def _print_run(self, result: RunResult, org: Organisation) -> None:
        head = "Simulation" if result.dry_run else "Relances"
        self.stdout.write(f"{head} du {result.date:%d/%m/%Y} : {len(result.actions)} action(s).")
        if not result.actions and not is_business_day(result.date, org.holidays_region):
            why = "jour férié" if is_holiday(result.date, org.holidays_region) else "jour non ouvré"
            self.stdout.write(f"{WEEKDAYS_FR[result.date.weekday()]} {result.date:%d/%m/%Y} : {why}, "
                              "aucune relance (règle 1).")
        for a in result.actions:
            ident = f"#{a['id']}" if a["id"] else "-"
            amount = format_eur(Decimal(a["amount_due"]), a["currency"])
            line = action_line(a["step"], a["channel"], a["status"], amount, dry_run=result.dry_run)
            self.stdout.write(f"  {ident} {a['customer']} — {line} — {', '.join(a['invoices'])}")
        for e in result.events:
            label = EVENT_LABELS_FR.get(e["type"], e["type"])
            self.stdout.write(f"  {e['customer']} — {_capfirst(label)} — {', '.join(e['invoices'])}")
        for w in result.warnings:
            self.stderr.write(f"Attention : {w}")

    def _explain(self, org: Organisation, today: Any, options: dict[str, Any]) -> None:
        explanation = dunning_explain(org=org, invoice=invoice_get(org=org, number=options["invoice"]), today=today)
        if options["json"]:
            self.print_json(explanation.as_dict())
        else:
            self.stdout.write(with_step_labels(explanation.text))

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
            amount = format_eur(action.amount_due, action.currency)
            self.stdout.write(f"#{action.id} {action.customer.ref} — "
                              f"{action_line(action.step, action.channel, action.status, amount)}")
        if not actions:
            self.stdout.write("Aucune action en attente de validation.")

    def _actor(self, org: Organisation, options: dict[str, Any]) -> Any:
        from relance.accounts.models import User

        email = options.get("user")
        return User.objects.filter(email__iexact=email).first() if email else None


def action_line(step: str, channel: str, status: str, amount: str, *, dry_run: bool = False) -> str:
    """"Deuxième relance — SMS envoyé — 4 480,57 €": the step, what became of its message, the amount."""
    words = (DRY_STATUS_FR.get(status) if dry_run else None) or STATUS_FR.get(status) or (status, status)
    if status == "sent" and channel in ("letter", "registered_letter"):
        words = LETTER_SENT_FR
    outcome = words[1] if channel in FEMININE_CHANNELS else words[0]
    step_label, channel_label = STEP_LABELS_FR.get(step, step), CHANNEL_LABELS_FR.get(channel, channel)
    what = f"{_capfirst(channel_label)} {outcome}"
    if step_label != channel_label:  # the call step by phone: "Appel à passer", not "Appel — Appel à passer"
        what = f"{_capfirst(step_label)} — {what}"
    return f"{what} — {amount}"


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def with_step_labels(text: str) -> str:
    """The expert view keeps the codes and rule numbers, with each step's label beside its code:
    « reminder_2 » (deuxième relance)."""
    def label(m: re.Match[str]) -> str:
        code = m.group(1)
        return f"{m.group(0)} ({STEP_LABELS_FR[code]})" if code in STEP_LABELS_FR else m.group(0)

    return _QUOTED_STEP.sub(label, text)
