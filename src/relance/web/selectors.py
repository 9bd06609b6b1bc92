"""Reads the staff pages need beyond the ledger's and analytics' selectors; all scoped by organisation."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.selectors import task_list_open
from relance.analytics.selectors import dunning_model
from relance.banking.api import bank_staleness_warning
from relance.ledger.models import Contact, Customer, Dispute, Promise
from relance.ledger.selectors import ZERO, open_invoices, scoped


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


# --- Risk level of a customer ---------------------------------------------------------------------------

RISK_LATE_DAYS = 60
RISK_PROMISE_DAYS = 365
RISK_LOW, RISK_MEDIUM, RISK_HIGH = 0, 1, 2
RISK_LABELS = {RISK_LOW: _("faible"), RISK_MEDIUM: _("moyen"), RISK_HIGH: _("élevé")}
RISK_CODES = {"low": RISK_LOW, "medium": RISK_MEDIUM, "high": RISK_HIGH}


def _points(condition: Q | Exists, points: int = 1) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0), output_field=IntegerField())


def customers_with_risk(qs: QuerySet[Customer], *, org: Organisation, today: date,
                        parts: bool = False) -> QuerySet[Customer]:
    """Annotate `risk` (0 low, 1 medium, 2 high), and with `parts` what makes it, in SQL (a few correlated
    subqueries per customer, no query per row).

    Points: the outstanding more than 60 days past due — half of it or more: 2, some: 1; promises broken
    whose date fell in the last 12 months — two or more: 2, one: 1; an open dispute: 1; a bounced e-mail
    address: 1. Level: 0 points low, 1 medium, 2 or more high.
    """
    dec = DecimalField(max_digits=14, decimal_places=2)
    cutoff = today - timedelta(days=RISK_LATE_DAYS)
    late = Sum(Case(When(due_date__lt=cutoff, then=F("outstanding")), default=ZERO, output_field=dec))
    late_points = (open_invoices(org).filter(customer=OuterRef("pk")).order_by().values("customer")
                   .annotate(late=late, total=Sum("outstanding"))
                   .annotate(p=Case(When(late__lte=0, then=Value(0)), When(late__gte=F("total") / 2, then=Value(2)),
                                    default=Value(1), output_field=IntegerField())).values("p"))
    broken = (scoped(Promise, org).filter(customer=OuterRef("pk"), status=Promise.Status.BROKEN,
                                          until__gte=today - timedelta(days=RISK_PROMISE_DAYS))
              .order_by().values("customer").annotate(n=Count("pk")).values("n"))
    disputed = Exists(scoped(Dispute, org).filter(invoice__customer=OuterRef("pk"), status=Dispute.Status.OPEN))
    bounced = Exists(scoped(Contact, org).filter(customer=OuterRef("pk"), email_invalid=True))
    late_part = Coalesce(Subquery(late_points, output_field=IntegerField()), Value(0))
    broken_part = Coalesce(Subquery(broken, output_field=IntegerField()), Value(0))
    risk = Least(late_part + Least(broken_part, Value(2)) + _points(disputed) + _points(bounced), Value(RISK_HIGH))
    if not parts:  # the list: only the level, so each part is computed once per customer
        return qs.annotate(risk=risk)
    return qs.annotate(risk=risk, risk_late=late_part, risk_broken=broken_part, risk_disputed=disputed,
                       risk_bounced=bounced)


def _late_points(org: Organisation, today: date) -> dict[int, int]:
    """{customer: 1 or 2} for the customers with something more than 60 days past due: one grouped pass."""
    dec = DecimalField(max_digits=14, decimal_places=2)
    cutoff = today - timedelta(days=RISK_LATE_DAYS)
    rows = (open_invoices(org).order_by().values("customer")
            .annotate(late=Sum(Case(When(due_date__lt=cutoff, then=F("outstanding")), default=ZERO, output_field=dec)),
                      total=Sum("outstanding"))
            .filter(late__gt=0).values_list("customer", "late", "total"))
    return {cid: 2 if late * 2 >= total else 1 for cid, late, total in rows}


def risk_levels(*, org: Organisation, today: date) -> dict[int, int]:
    """Every customer's risk level above low, {customer id: 1 or 2}, the same rule as `customers_with_risk`
    computed set-based for the whole organisation (to filter and sort the list): one grouped pass over the open
    invoices, kept until the ledger changes like the dashboard figures, and three small grouped queries."""
    from relance.analytics.selectors import cached_per_ledger_version

    points: dict[int, int] = defaultdict(int)
    points.update(cached_per_ledger_version(org, f"risk-late:{today}", lambda: _late_points(org, today)))
    broken = (scoped(Promise, org).filter(status=Promise.Status.BROKEN,
                                          until__gte=today - timedelta(days=RISK_PROMISE_DAYS))
              .order_by().values("customer").annotate(n=Count("pk")).values_list("customer", "n"))
    for cid, n in broken:
        points[cid] += min(n, 2)
    disputed = scoped(Dispute, org).filter(status=Dispute.Status.OPEN).values_list("invoice__customer_id", flat=True)
    bounced = scoped(Contact, org).filter(email_invalid=True).values_list("customer_id", flat=True)
    for cid in set(disputed):
        points[cid] += 1
    for cid in set(bounced):
        points[cid] += 1
    return {cid: min(p, RISK_HIGH) for cid, p in points.items() if p}


def risk_reasons(customer: Any) -> list[str]:
    """The parts of an annotated customer's risk, in plain French, for the badge's explanation."""
    reasons: list[Any] = []
    if customer.risk_late:
        reasons.append(_("plus de la moitié de l'encours a plus de 60 jours de retard") if customer.risk_late == 2
                       else _("une partie de l'encours a plus de 60 jours de retard"))
    if customer.risk_broken:
        reasons.append(_("%(n)s promesse(s) non tenue(s) en 12 mois") % {"n": customer.risk_broken})
    if customer.risk_disputed:
        reasons.append(_("un litige ouvert"))
    if customer.risk_bounced:
        reasons.append(_("une adresse e-mail en échec"))
    return [str(r) for r in reasons]


def customer_risk(*, org: Organisation, customer: Customer, today: date) -> dict[str, Any]:
    """The risk level of one customer (one query) and its reasons, for the customer page."""
    row = customers_with_risk(scoped(Customer, org).filter(pk=customer.pk), org=org, today=today, parts=True).first()
    if row is None:
        return {}
    return {"risk": row.risk, "risk_reasons": risk_reasons(row)}  # type: ignore[attr-defined]
