"""Reads the staff pages need beyond the ledger's and analytics' selectors; all scoped by organisation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.selectors import task_list_open
from relance.analytics.selectors import dunning_model
from relance.banking.api import bank_staleness_warning
from relance.ledger.models import Contact, Promise
from relance.ledger.selectors import scoped


def promises_due(*, org: Organisation, today: date, days: int = 7) -> QuerySet[Promise]:
    """Active promises whose date falls between today and `days` days from now, soonest first."""
    return (scoped(Promise, org).filter(status=Promise.Status.ACTIVE, until__gte=today,
                                        until__lte=today + timedelta(days=days))
            .select_related("customer").order_by("until", "customer__name"))


def approvals_waiting(*, org: Organisation) -> QuerySet[Any] | None:
    action = dunning_model("Action")
    if action is None:
        return None
    return scoped(action, org).filter(status="awaiting_approval").select_related("customer").order_by("date", "id")


def missing_rate_warning(*, today: date) -> str | None:
    """The legal module's own message when this half-year's rates are missing (interest cannot be computed)."""
    try:
        from relance.legal.api import MissingRateError, rate_table
        from relance.legal.rates import HalfYear
    except ImportError:  # the legal module's API is not there yet
        return None
    table, half = rate_table(), HalfYear.of(today)
    try:
        table.ecb(half)
        table.legal_pro(half)
    except MissingRateError as exc:
        return exc.message
    return None


def dashboard_warnings(*, org: Organisation, today: date) -> list[str]:
    warnings = [w for w in (bank_staleness_warning(org=org, today=today), missing_rate_warning(today=today)) if w]
    bounced = scoped(Contact, org).filter(email_invalid=True).count()
    if bounced:
        warnings.append(
            f"{bounced} adresse{'s' if bounced > 1 else ''} e-mail en échec (messages revenus) : "
            "corrigez les contacts concernés."
        )
    return warnings


#: The Today list's groups, in the order a credit manager works them.
GROUPS: list[tuple[str, str]] = [
    (Task.Kind.CALL, "Appels à passer"),
    (Task.Kind.LETTER, "Courriers et recommandés à imprimer"),
    (Task.Kind.APPROVAL, "Validations en attente"),
    (Task.Kind.REPLY, "Réponses à lire"),
    (Task.Kind.DISPUTE, "Litiges à traiter"),
    (Task.Kind.PROMISE, "Promesses à échéance"),
    (Task.Kind.CONTACT, "Coordonnées à corriger"),
    (Task.Kind.CHECK_PAYMENT, "Paiements à vérifier"),
    (Task.Kind.PAYMENT_PLAN, "Échéanciers à valider"),
    (Task.Kind.LITIGATION, "Contentieux"),
    (Task.Kind.OTHER, "Autres tâches"),
]


def today_tasks(*, org: Organisation, user: Any, today: date, everyone: bool = False) -> list[Task]:
    """Open tasks due by today: the user's own and the team queue's (unassigned), or everyone's."""
    qs = task_list_open(org=org).filter(due_date__lte=today)
    if not everyone:
        qs = qs.filter(Q(assignee=user) | Q(assignee__isnull=True))
    return list(qs.order_by("due_date", "id")[:500])


def customer_actions(*, org: Organisation, customer: Any) -> QuerySet[Any] | list[Any]:
    action = dunning_model("Action")
    if action is None:
        return []
    return scoped(action, org).filter(customer=customer).prefetch_related("lines__invoice").order_by("-date", "-id")


def rate_stamp() -> str:
    """Changes whenever a rate is added or corrected, so cached penalties are recomputed."""
    from django.db.models import Count, Max

    from relance.legal.models import EcbDecision, RateHalfYear

    stamps = [m.objects.aggregate(n=Count("pk"), t=Max("updated_at")) for m in (EcbDecision, RateHalfYear)]
    return "-".join(f"{s['n']}.{s['t'].timestamp() if s['t'] else 0}" for s in stamps)
