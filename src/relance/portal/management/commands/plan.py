"""relance plan create | list | cancel — payment plans ("échéanciers") from the command line.

The same services as the customer page (portal/plans.py): the command only reads the arguments, builds the
instalments the page would propose (the equal monthly split) or takes them as given, and prints the result.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from decimal import Decimal
from typing import Any

from relance.accounts.models import Organisation, User
from relance.core.commands import RelanceCommand, date_arg
from relance.core.dates import add_months, parse_date
from relance.core.errors import ApplicationError
from relance.core.money import ZERO, format_eur, money, parse_amount
from relance.dunning.management.commands._common import common
from relance.ledger.models import Customer, Invoice
from relance.ledger.selectors import customer_get, invoice_get
from relance.portal import plans, schedule
from relance.portal.plans import _fr

#: the customer page's roles: setting up or cancelling a plan is a collector's job, anyone may read
ROLES = {"create": "collector", "cancel": "collector", "list": "viewer"}


def _instalment_json(inst: schedule.InstalmentState) -> dict[str, Any]:
    return {"seq": inst.seq, "due_date": inst.due_date.isoformat(), "amount": f"{inst.amount:.2f}",
            "remaining": f"{inst.remaining:.2f}", "status": inst.status,
            "paid_on": inst.paid_on.isoformat() if inst.paid_on else None}


def _row_json(row: plans.PlanRow) -> dict[str, Any]:
    plan = row.plan
    return {"id": plan.pk, "customer": plan.customer.ref, "customer_name": plan.customer.name,
            "status": plan.status, "source": plan.source, "invoices": row.invoice_numbers,
            "total": f"{row.total:.2f}", "paid": f"{row.paid:.2f}", "remaining": f"{row.remaining:.2f}",
            "instalments": row.count, "instalments_paid": row.paid_count,
            "next_due": _instalment_json(row.next_due) if row.next_due else None,
            "schedule": [_instalment_json(i) for i in row.state.instalments] if row.state else [],
            "requested_on": plan.requested_on.isoformat(),
            "ended_on": plan.ended_on.isoformat() if plan.ended_on else None}


def _row_text(row: plans.PlanRow) -> str:
    plan = row.plan
    head = (f"n°{plan.pk}  {plan.customer.ref} ({plan.customer.name}) — {plan.get_status_display().lower()}"
            + (f" le {_fr(plan.ended_on)}" if plan.ended_on else ""))
    if row.state is None:
        return (f"{head} — demande de {row.count} mensualité(s) à partir du {_fr(plan.first_date)} pour "
                f"{format_eur(row.total)} — factures {', '.join(row.invoice_numbers)}")
    line = (f"{head} — {row.paid_count}/{row.count} échéance(s) payée(s) — total {format_eur(row.total)}, "
            f"payé {format_eur(row.paid)}, reste dû {format_eur(row.remaining)}")
    if (nxt := row.next_due) is not None:
        line += (f" — prochaine : n°{nxt.seq} le {_fr(nxt.due_date)}, {format_eur(nxt.remaining)} "
                 f"({nxt.label})")
    return f"{line} — factures {', '.join(row.invoice_numbers)}"


class Command(RelanceCommand):
    help = "Échéanciers de paiement : mise en place (create), liste (list), annulation (cancel)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="{create,list,cancel}")
        create = sub.add_parser("create", help="mettre en place un échéancier pour un client")
        create.add_argument("customer", metavar="CUSTOMER_REF")
        how = create.add_mutually_exclusive_group(required=True)
        how.add_argument("--instalments", type=int, metavar="N",
                         help="N mensualités égales (au centime, le reste sur la dernière)")
        how.add_argument("--due", nargs=2, action="append", metavar=("AAAA-MM-JJ", "MONTANT"),
                         help="une échéance et son montant, à répéter pour chaque échéance (dates et montants "
                              "libres ; leur somme doit égaler le reste dû des factures)")
        create.add_argument("--first", type=date_arg, default=None,
                            help="date de la première mensualité avec --instalments (défaut : dans un mois)")
        create.add_argument("--invoices", default="", help="numéros de factures séparés par des virgules "
                                                          "(défaut : toutes les factures ouvertes possibles)")
        create.add_argument("--note", default="", help="note de décision (facultative)")
        common(create, json=True)
        listing = sub.add_parser("list", help="les échéanciers, où en est chacun")
        listing.add_argument("customer", nargs="?", metavar="CUSTOMER_REF")
        common(listing, json=True)
        cancel = sub.add_parser("cancel", help="annuler un échéancier en cours (la relance reprend)")
        cancel.add_argument("plan", type=int, metavar="PLAN_ID")
        cancel.add_argument("--reason", default="", help="motif de l'annulation (facultatif)")
        common(cancel, json=True)

    def handle(self, *args: Any, **options: Any) -> None:
        self.required_role = ROLES[options["what"]]
        super().handle(*args, **options)

    def run(self, organisation: Organisation | None, **options: Any) -> None:  # type: ignore[override]
        assert organisation is not None
        actor = User.objects.filter(email__iexact=options["user"]).first() if options.get("user") else None
        {"create": self.create, "list": self.list, "cancel": self.cancel}[options["what"]](
            organisation, actor, options)

    def create(self, org: Organisation, actor: User | None, options: dict[str, Any]) -> None:
        today = self.today(options)
        customer = customer_get(org=org, ref=options["customer"])
        invoices = self.invoices(org, customer, options["invoices"])
        instalments = self.instalments(invoices, options, today)
        plan = plans.payment_plan_create(org=org, customer=customer, invoices=invoices, instalments=instalments,
                                         today=today, actor=actor, note=options["note"].strip())
        row_of_plan = next(r for r in plans.plan_list(org=org, customer=customer, today=today)
                           if r.plan.pk == plan.pk)
        if options["json"]:
            self.print_json(_row_json(row_of_plan))
            return
        lines = "; ".join(f"{format_eur(a)} le {_fr(d)}" for d, a in instalments)
        self.stdout.write(f"Échéancier n°{plan.pk} mis en place pour {customer.ref} : {len(instalments)} "
                          f"échéance(s) pour {format_eur(plan.total)} ({lines}) ; factures "
                          f"{', '.join(row_of_plan.invoice_numbers)} : relances suspendues tant qu'il est respecté.")

    def invoices(self, org: Organisation, customer: Customer, numbers_text: str) -> list[Invoice]:
        """The chosen invoices (each once), else every invoice the plan may cover; an invoice it may not cover
        is passed on as is, for the service to refuse with its reason."""
        plannable = plans.plannable_invoices(org=org, customer=customer)
        numbers = list(dict.fromkeys(n.strip() for n in numbers_text.split(",") if n.strip()))
        if not numbers:
            return plannable
        by_number = {i.number: i for i in plannable}
        return [by_number.get(n) or invoice_get(org=org, number=n) for n in numbers]

    def instalments(self, invoices: list[Invoice], options: dict[str, Any],
                    today: date) -> list[tuple[date, Decimal]]:
        if options["due"]:
            if options["first"] is not None:
                raise ApplicationError("--first ne s'emploie qu'avec --instalments (avec --due, chaque échéance "
                                       "a sa date).")
            return [_due(day, amount) for day, amount in options["due"]]
        count, first = options["instalments"], options["first"] or add_months(today, 1)
        total = money(sum((getattr(i, "outstanding", ZERO) for i in invoices), ZERO))
        if count < 1 or total <= 0:  # the service says why (no invoice to plan, 1 to 36 instalments)
            return []
        return schedule.split(total=total, count=count, first_date=first)

    def list(self, org: Organisation, actor: User | None, options: dict[str, Any]) -> None:
        customer = customer_get(org=org, ref=options["customer"]) if options["customer"] else None
        today = self.today(options)
        rows = plans.plan_list(org=org, customer=customer, today=today)
        if options["json"]:
            self.print_json({"date": today.isoformat(), "plans": [_row_json(r) for r in rows]})
            return
        if not rows:
            self.stdout.write("Aucun échéancier" + (f" pour {customer.ref}." if customer else "."))
        for row in rows:
            self.stdout.write(_row_text(row))

    def cancel(self, org: Organisation, actor: User | None, options: dict[str, Any]) -> None:
        today = self.today(options)
        plan = plans.plan_get(org=org, pk=options["plan"])
        plan = plans.payment_plan_cancel(org=org, plan=plan, today=today, actor=actor,
                                         reason=options["reason"].strip()[:500])
        if options["json"]:
            self.print_json({"id": plan.pk, "customer": plan.customer.ref, "status": plan.status,
                             "ended_on": today.isoformat()})
            return
        self.stdout.write(f"Échéancier n°{plan.pk} de {plan.customer.ref} annulé : la relance reprend pour ses "
                          f"factures impayées.")


def _due(day: str, amount: str) -> tuple[date, Decimal]:
    try:
        return parse_date(day), parse_amount(amount)
    except ValueError as exc:
        raise ApplicationError(f"--due : {exc}.") from None
