"""Reads the staff pages need beyond the ledger's and analytics' selectors; all scoped by organisation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.selectors import task_list_open
from relance.analytics.selectors import dunning_model
from relance.banking.api import bank_staleness_warning
from relance.core.db import Money
from relance.core.money import format_eur
from relance.ledger.models import Contact, Customer, Dispute, Invoice, Promise
from relance.ledger.selectors import ZERO, customers_with_balances, open_invoices, scoped


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
        warnings.append(ngettext("%(n)s adresse e-mail en échec (messages revenus) : corrigez les contacts concernés.",
                                 "%(n)s adresses e-mail en échec (messages revenus) : corrigez les contacts concernés.",
                                 bounced) % {"n": bounced})
    return warnings


# --- Disputed invoices: out of the ladder (rule 8), so shown apart from what is overdue ---------------------

#: A dispute open longer than this many days is listed on the Today page (no organisation setting exists yet).
DISPUTE_STALE_DAYS = 30


def open_dispute_exists() -> Exists:
    """For an invoice queryset: whether the invoice has an open dispute (annotate or filter with it)."""
    return Exists(Dispute.objects.filter(invoice=OuterRef("pk"), status=Dispute.Status.OPEN))


def customers_with_staff_balances(org: Organisation, *, today: date) -> QuerySet[Customer]:
    """The ledger's balances as the staff pages show them: `overdue` counts only undisputed invoices and
    `disputed` is the outstanding of the invoices in dispute (a dispute is the team's work, not a late payer)."""
    dec = DecimalField(max_digits=14, decimal_places=2)
    open_inv = open_invoices(org).filter(customer=OuterRef("pk")).order_by().values("customer")
    overdue = open_inv.filter(~open_dispute_exists(), due_date__lt=today).annotate(s=Sum("outstanding")).values("s")
    disputed = open_inv.filter(open_dispute_exists()).annotate(s=Sum("outstanding")).values("s")
    return customers_with_balances(org, today=today).annotate(  # replaces the ledger's `overdue`
        overdue=Money(Coalesce(Subquery(overdue, output_field=dec), ZERO)),
        disputed=Money(Coalesce(Subquery(disputed, output_field=dec), ZERO)),
    )


@dataclass(frozen=True)
class DisputedTotals:
    outstanding: Decimal  # open invoices in dispute
    overdue: Decimal  # the part of it past its due date (counted in the analytics' overdue figure)


def disputed_totals(*, org: Organisation, today: date) -> DisputedTotals:
    """What is in dispute: read from the open disputes by invoice id (few rows, whatever the ledger's size)."""
    ids = list(scoped(Dispute, org).filter(status=Dispute.Status.OPEN).values_list("invoice_id", flat=True))
    rows = list(open_invoices(org).filter(pk__in=ids).values_list("due_date", "outstanding"))  # type: ignore[misc]
    return DisputedTotals(sum((o for _d, o in rows), Decimal("0.00")),
                          sum((o for d, o in rows if d < today), Decimal("0.00")))


def disputes_open_long(*, org: Organisation, today: date, days: int = DISPUTE_STALE_DAYS,
                       user: Any = None) -> QuerySet[Dispute]:
    """Open disputes opened more than `days` days ago, oldest first; with `user`, only those of the user's
    customers and of customers without an account manager (as the Today list's tasks)."""
    qs = scoped(Dispute, org).filter(status=Dispute.Status.OPEN, opened_on__lt=today - timedelta(days=days))
    if user is not None:
        qs = qs.filter(Q(invoice__customer__account_manager=user) | Q(invoice__customer__account_manager__isnull=True))
    return qs.select_related("invoice__customer").order_by("opened_on", "pk")


#: The Today list's groups, in the order a credit manager works them.
GROUPS: list[tuple[str, Any]] = [
    (Task.Kind.CALL, _("Appels à passer")),
    (Task.Kind.LETTER, _("Courriers et recommandés à imprimer")),
    (Task.Kind.APPROVAL, _("Validations en attente")),
    (Task.Kind.REPLY, _("Réponses à lire")),
    (Task.Kind.DISPUTE, _("Litiges à traiter")),
    (Task.Kind.PROMISE, _("Promesses à échéance")),
    (Task.Kind.CONTACT, _("Coordonnées à corriger")),
    (Task.Kind.CHECK_PAYMENT, _("Paiements à vérifier")),
    (Task.Kind.PAYMENT_PLAN, _("Échéanciers à valider")),
    (Task.Kind.LITIGATION, _("Contentieux")),
    (Task.Kind.OTHER, _("Autres tâches")),
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


@dataclass(frozen=True)
class RiskFigures:
    """What a customer's risk level is made of, read set-based from the database."""

    late: Decimal = Decimal("0.00")  # outstanding more than 60 days past due
    outstanding: Decimal = Decimal("0.00")
    broken: int = 0  # promises broken whose date fell in the last 12 months
    disputed: bool = False  # an open dispute
    bounced: bool = False  # a contact's e-mail address bounces

    @property
    def late_points(self) -> int:
        return 0 if self.late <= 0 else 2 if self.late * 2 >= self.outstanding else 1

    @property
    def level(self) -> int:
        """Points: late — half of the outstanding or more: 2, some: 1; broken promises — two or more: 2, one: 1;
        an open dispute: 1; a bounced address: 1. Level: 0 points low, 1 medium, 2 or more high."""
        points = self.late_points + min(self.broken, 2) + int(self.disputed) + int(self.bounced)
        return min(points, RISK_HIGH)

    def reasons(self) -> list[str]:
        out: list[Any] = []
        if self.late_points:
            out.append(_("plus de la moitié de l'encours a plus de 60 jours de retard") if self.late_points == 2
                       else _("une partie de l'encours a plus de 60 jours de retard"))
        if self.broken:
            out.append(_("%(n)s promesse(s) non tenue(s) en 12 mois") % {"n": self.broken})
        if self.disputed:
            out.append(_("un litige ouvert"))
        if self.bounced:
            out.append(_("une adresse e-mail en échec"))
        return [str(r) for r in out]


def _late(org: Organisation, today: date, ids: list[int] | None) -> dict[int, tuple[Decimal, Decimal]]:
    """{customer: (outstanding more than 60 days late, outstanding)}: one grouped query over the open invoices."""
    dec = DecimalField(max_digits=14, decimal_places=2)
    cutoff = today - timedelta(days=RISK_LATE_DAYS)
    qs = open_invoices(org) if ids is None else open_invoices(org).filter(customer_id__in=ids)
    rows = (qs.order_by().values("customer")
            .annotate(late=Sum(Case(When(due_date__lt=cutoff, then=F("outstanding")), default=ZERO, output_field=dec)),
                      total=Sum("outstanding")).values_list("customer", "late", "total"))
    return {cid: (late, total) for cid, late, total in rows}


def risk_figures(*, org: Organisation, today: date, customer_ids: list[int] | None = None,
                 late: dict[int, tuple[Decimal, Decimal]] | None = None) -> dict[int, RiskFigures]:
    """The risk figures of the given customers (default: all of them, the lateness part then kept until the
    ledger changes, like the dashboard figures): four grouped queries, never one per customer. Customers with
    nothing to report are left out (their level is low)."""
    from relance.analytics.selectors import cached_per_ledger_version

    if late is not None:
        pass  # the caller already holds these customers' open invoices
    elif customer_ids is None:
        late = cached_per_ledger_version(org, f"risk-late-v2:{today}", lambda: _late(org, today, None))
    else:
        late = _late(org, today, customer_ids)

    def mine(qs: QuerySet[Any], key: str = "customer_id") -> QuerySet[Any]:
        return qs if customer_ids is None else qs.filter(**{f"{key}__in": customer_ids})

    broken = dict(mine(scoped(Promise, org).filter(status=Promise.Status.BROKEN,
                                                   until__gte=today - timedelta(days=RISK_PROMISE_DAYS)))
                  .order_by().values("customer").annotate(n=Count("pk")).values_list("customer", "n"))
    open_disputes = scoped(Dispute, org).filter(status=Dispute.Status.OPEN)
    if customer_ids is None or len(customer_ids) > 1:
        disputed = set(mine(open_disputes, "invoice__customer_id").values_list("invoice__customer_id", flat=True))
    else:
        # One customer (its page): from its invoices by id — PostgreSQL would otherwise hash-join every open
        # dispute of the organisation.
        owner = dict(Invoice.objects.filter(org=org, customer_id__in=customer_ids).values_list("pk", "customer_id"))
        disputed = {owner[i] for i in open_disputes.filter(invoice_id__in=list(owner)).values_list("invoice_id",
                                                                                                  flat=True)}
    bounced = set(mine(scoped(Contact, org).filter(email_invalid=True)).values_list("customer_id", flat=True))
    out = {}
    for cid in set(late) | set(broken) | disputed | bounced:
        lt, total = late.get(cid, (Decimal("0.00"), Decimal("0.00")))
        out[cid] = RiskFigures(lt, total, broken.get(cid, 0), cid in disputed, cid in bounced)
    return out


def risk_levels(*, org: Organisation, today: date, customer_ids: list[int] | None = None) -> dict[int, int]:
    """{customer id: level} for the customers whose level is above low."""
    figures = risk_figures(org=org, today=today, customer_ids=customer_ids)
    return {cid: f.level for cid, f in figures.items() if f.level}


def customer_risk(*, org: Organisation, customer: Customer, today: date,
                  open_invoices: list[Invoice] | None = None) -> dict[str, Any]:
    """The risk level of one customer and its reasons, for the customer page (`open_invoices`: the customer's
    open invoices with `outstanding`, when the page already has them — `open_invoices(org)` rows)."""
    late = None
    if open_invoices is not None:
        cutoff = today - timedelta(days=RISK_LATE_DAYS)
        rows = [(i.due_date, i.outstanding) for i in open_invoices]  # type: ignore[attr-defined]
        late = {customer.pk: (sum((o for d, o in rows if d < cutoff), Decimal("0.00")),
                              sum((o for _d, o in rows), Decimal("0.00")))} if rows else {}
    figures = risk_figures(org=org, today=today, customer_ids=[customer.pk], late=late).get(customer.pk,
                                                                                            RiskFigures())
    return {"risk": figures.level, "risk_reasons": figures.reasons()}


# --- Display of texts written by other apps ------------------------------------------------------

_RULE = re.compile(r" \(règle \d+\)|, règle \d+(?=\))")
_QUOTED_CODE = re.compile(r"« ([a-z0-9_]+) »")
_VIA = re.compile(r"via ([a-z_]+(?:, [a-z_]+)*)(?=\.| ;)")


_DAY = r"(\d\d/\d\d/\d{4})"
_LABEL = r"« ([^»]+) »"
#: The planner's French sentences (dunning/planner.py: decide, _decide_step, note, _outcome_text, explain; and the
#: two of dunning.services.dunning_explain) and their English, applied in this order once the codes are labels and
#: the rule numbers gone. The planner stays French: it is pure, and the command line and its tests speak French.
_EXPLANATION_EN: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(french), english) for french, english in (
    (rf"^Facture (.+?), le {_DAY} : reçoit une étape — ", r"Invoice \1, on \2: gets a step — "),
    (rf"^Facture (.+?), le {_DAY} : ne reçoit pas d'étape — ", r"Invoice \1, on \2: gets no step — "),
    (r"la facture n'est pas ouverte \(payée ou annulée\) : plus aucune relance\.",
     "the invoice is not open (paid or cancelled): no more reminders."),
    (r"la facture est entièrement réglée : plus aucune relance\.", "the invoice is fully settled: no more reminders."),
    (r"le client est en mode manuel ou ses relances sont suspendues\.",
     "the customer is in manual mode or their reminders are paused."),
    (rf"la créance est prescrite depuis le {_DAY} : la relance s'arrête\.",
     r"the claim has been time-barred since \1: the reminders stop."),
    (r"la facture est en litige : ni étape ni mention dans les messages\.",
     "the invoice is disputed: no step and no mention in the messages."),
    (r"une promesse de paiement couvre la facture \(délai de grâce compris\)\.",
     "a promise to pay covers the invoice (grace period included)."),
    (r"une étape attend une validation : le reste de la relance de cette facture attend\.",
     "a step awaits approval: the rest of this invoice's reminders waits."),
    (rf"le {_DAY} n'est pas un jour ouvré\.", r"\1 is not a business day."),
    (r"une étape a déjà été effectuée aujourd'hui pour cette facture\.",
     "a step has already been done today for this invoice."),
    (r"toutes les étapes de la relance ont été effectuées\.", "every step of the reminders has been done."),
    (rf"prochaine étape {_LABEL} : ", r"next step “\1”: "),
    (rf"déclenchement le {_DAY} \(", r"triggered on \1 ("),
    (r"\(l'échéance ([+-]\d+) j\)", r"(the due date \1 d)"),
    (rf"\(l'étape {_LABEL} ([+-]\d+) j\)", r"(step “\1” \2 d)"),
    (r", pas encore atteint\.", ", not reached yet."),
    (rf"litige résolu le {_DAY} : reprise le jour ouvré suivant\.",
     r"dispute resolved on \1: the reminders resume the next business day."),
    (rf"étape {_LABEL} sans adresse e-mail : sautée \(pas de repli\)\.",
     r"step “\1” without an e-mail address: skipped (no fallback)."),
    (rf"étape {_LABEL} due : ", r"step “\1” due: "),
    (r" Mais le total des factures à relancer \((.+?)\) est sous le minimum de (.+?) : rien n'est envoyé\.",
     r" But the total of the invoices to remind (\1) is below the minimum of \2: nothing is sent."),
    (rf" Mais le client a été contacté le {_DAY} : il faut (\d+) jours d'écart, le message attend\.",
     r" But the customer was contacted on \1: messages must be \2 days apart, the message waits."),
    (rf"listée dans le message {_LABEL} d'une autre facture du client ; son étape suivante étant au plus "
     r"celle-là, elle avance d'une étape\.",
     r"listed in the “\1” message of another invoice of the customer; its next step being at most that one, it "
     r"moves forward one step."),
    (rf" Regroupée dans l'étape {_LABEL} du client \(la plus avancée du jour\)",
     r" Grouped into the customer's “\1” step (the most advanced of the day)"),
    (r" Elle part aujourd'hui", " It goes out today"),
    (r" — action en attente de validation, via ", " — action awaiting approval, via "),
    (r" ; elle avance d'une étape\.", "; it moves forward one step."),
    (r" ; elle n'avance pas\.", "; it does not move forward."),
    (r"via aucun canal", "via no channel"),
    (rf"un échéancier de paiement en cours couvre la facture \(échéance du {_DAY}, délai de grâce compris\) : pas "
     r"de relance tant qu'il est respecté\.",
     r"a payment plan in progress covers the invoice (instalment of \1, grace period included): no reminder while "
     r"it is kept."),
    (r"aucune information\.", "no information."),
    # dunning.services.dunning_explain, for an invoice the planner does not see
    (r"c'est un avoir : un avoir n'est jamais relancé\.", "it is a credit note: a credit note is never reminded."),
    (r"elle n'a plus de restant dû ou n'est pas ouverte \(statut : ([^)]*)\)\.",
     r"it has nothing left due or is not open (status: \1)."),
    (_LABEL, r"“\1”"),
))


def staff_explanation(text: str) -> str:
    """`dunning explain` in the words of the staff pages: step labels instead of codes, no rule numbers, and in
    English for a reader who chose English.

    "prochaine étape « pre_due » : … (règle 3)" reads "prochaine étape « rappel avant échéance » : …"; the CLI
    keeps the codes and rules (they are how the planner's tests and the support talk about it)."""
    from relance.dunning.services import CHANNEL_LABELS, STEP_LABELS

    text = _RULE.sub("", text)
    text = _QUOTED_CODE.sub(lambda m: f"« {STEP_LABELS.get(m.group(1), m.group(1))} »", text)
    text = _VIA.sub(lambda m: "via " + ", ".join(CHANNEL_LABELS.get(c, c) for c in m.group(1).split(", ")), text)
    if (get_language() or "").startswith("en"):
        for french, english in _EXPLANATION_EN:
            text = french.sub(english, text)
    return text


def timeline_display(*, org: Organisation, events: Iterable[Any]) -> list[Any]:
    """The customer's events, each with `shown`: its message, with the amount of a dunning action in French
    ("— 4 323,36 €") when the message ends with the amount as versions before 23/11/2026 stored it
    ("— 4323.36 EUR"; newer events are stored the French way)."""
    events = list(events)
    action_ids = {e.data.get("action_id") for e in events
                  if e.type == "dunning_action" and isinstance(e.data, dict) and e.data.get("action_id")}
    action = dunning_model("Action")
    amounts: dict[int, tuple[Decimal, str]] = {}
    if action is not None and action_ids:
        amounts = {i: (a, c) for i, a, c in scoped(action, org).filter(id__in=action_ids)
                   .values_list("id", "amount_due", "currency")}
    for e in events:
        e.shown = e.message
        found = (amounts.get(e.data.get("action_id") or 0)
                 if e.type == "dunning_action" and isinstance(e.data, dict) else None)
        if found:
            amount, currency = found
            raw = f" — {amount:.2f} {currency}"
            if e.message.endswith(raw):
                e.shown = e.message[: -len(raw)] + f" — {format_eur(amount, currency)}"
    return events
