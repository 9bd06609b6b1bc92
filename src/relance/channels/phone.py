"""Phone tasks: who to call, about what, and how (the call script), plus the outcome codes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_noop

from relance.channels.context import (
    InvoiceLine,
    MessageContext,
    department_phrase,
    is_department,
    phone_display,
)
from relance.core.money import format_eur

#: Reason codes the call form offers (code, French label); the web app's form uses this list and shows the labels
#: in the reader's language (gettext_noop: the script and the timeline keep the French).
CALL_OUTCOMES: list[tuple[str, str]] = [
    ("not_received", gettext_noop("N'a pas reçu la facture")),
    ("dispute", gettext_noop("Conteste la facture (litige)")),
    ("financial_difficulty", gettext_noop("Difficultés financières")),
    ("administrative_error", gettext_noop("Erreur administrative (bon de commande, adresse, RIB…)")),
    ("payment_in_progress", gettext_noop("Paiement en cours")),
    ("no_answer", gettext_noop("Pas de réponse")),
]

OPENINGS = {
    "call": "Appel de suivi après deux relances écrites restées sans réponse : ton cordial, ferme sur les montants.",
    "reminder_3": "Appel avant le courrier de dernier rappel : ton ferme, rappeler que les pénalités courent.",
    "formal_notice": "Appel avant mise en demeure : ton formel, annoncer la lettre recommandée.",
    "litigation": "Dernier appel avant procédure judiciaire : ton formel, dernière chance d'un accord amiable.",
}

SCRIPT = [
    "1. Se présenter ({org}) et demander {contact}.",
    "2. Écouter d'abord : « Nous n'avons pas reçu le règlement de {count} ; y a-t-il une raison ? » "
    "Laisser la personne expliquer sans l'interrompre.",
    "3. Faire preuve d'empathie : reformuler la difficulté, remercier pour l'explication.",
    "4. Être clair sur les montants et les dates : {total} restent dus, la plus ancienne échéance était "
    "le {oldest} ({days} jours de retard).",
    "5. Obtenir un engagement : une date de paiement précise (et le montant), ou un échéancier ; "
    "en cas de contestation, noter la facture et le motif précis.",
    "6. Conclure : récapituler l'engagement, confirmer par écrit (e-mail) et enregistrer le résultat "
    "de l'appel avec son motif.",
]


def _lateness(line: InvoiceLine, today: date) -> str:
    """A call must not present an invoice that is not yet due as late (DESIGN.md rule 5 lists it anyway)."""
    if line.due_date < today:
        return f"{line.days_late} j de retard"
    return "échéance ce jour" if line.due_date == today else "à échoir"


def whom_to_ask(ctx: MessageContext) -> str:
    """Who the caller asks for: the department itself ("le service comptabilité"), else the contact person
    or, failing that, the accounts department."""
    name = ctx.contacts[0].name if ctx.contacts else ""
    if ctx.is_consumer:
        return name or ctx.customer.name
    if not name:
        return "le service comptabilité ou la personne en charge des paiements"
    if is_department(name):
        return department_phrase(name)
    return f"{name} ou, à défaut, le service comptabilité"


def call_script_text(ctx: MessageContext, *, phones: list[str]) -> str:
    """The body of the phone task: numbers, invoices, the script for this stage, the outcome codes."""
    oldest = min(ctx.invoices, key=lambda i: i.due_date) if ctx.invoices else None
    numbers = "\n".join(f"- {phone_display(p)}" for p in phones) or "- aucun numéro enregistré : compléter la fiche client"
    lines = "\n".join(
        f"- {i.number} du {i.issue_date:%d/%m/%Y}, échéance {i.due_date:%d/%m/%Y} : {format_eur(i.outstanding)} "
        f"restant dû sur {format_eur(i.amount)} ({_lateness(i, ctx.today)})" for i in ctx.invoices)
    values = {
        "org": ctx.organisation.name, "contact": whom_to_ask(ctx),
        "count": "la facture" if len(ctx.invoices) == 1 else f"{len(ctx.invoices)} factures",
        "total": format_eur(ctx.total_outstanding),
        "oldest": f"{oldest.due_date:%d/%m/%Y}" if oldest else "—", "days": oldest.days_late if oldest else 0,
    }
    script = "\n".join(line.format(**values) for line in SCRIPT)
    outcomes = "\n".join(f"- {label}" for _, label in CALL_OUTCOMES)
    return (f"Appeler {ctx.customer.name} ({ctx.customer.ref})\n\nNuméros :\n{numbers}\n\n"
            f"Factures ({format_eur(ctx.total_outstanding)} au total) :\n{lines}\n\n"
            f"{OPENINGS.get(ctx.step, OPENINGS['call'])}\n\n{script}\n\n"
            f"Résultats possibles de l'appel :\n{outcomes}")


def call_script_for_action(action: Any, today: date | None = None) -> str:
    from relance.channels.builders import action_parts, context_for_customer

    org, customer, step, _, invoices = action_parts(action)
    day = today or action.date
    ctx = context_for_customer(org=org, customer=customer, today=day, step=step, channel="phone",
                               invoices=invoices, portal_link="")
    phones = [c.phone for c in customer.contacts.all() if c.phone]
    return call_script_text(ctx, phones=phones)
