from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Event, Task
from relance.ledger.models import Customer, Invoice


def event_record(*, org: Organisation, type: str, day: date, customer: Customer | None = None,
                 invoice: Invoice | None = None, message: str = "", data: dict[str, Any] | None = None,
                 actor: Any = None) -> Event:
    if customer is None and invoice is not None:
        customer = invoice.customer
    return Event.objects.create(
        org=org, customer=customer, invoice=invoice, type=type, date=day, message=message,
        data=data or {}, actor=actor,
    )


def task_create(*, org: Organisation, kind: str, title: str, due: date, customer: Customer | None = None,
                body: str = "", assignee: Any = None, action_id: int | None = None,
                data: dict[str, Any] | None = None) -> Task:
    if assignee is None and customer is not None:
        assignee = customer.account_manager
    return Task.objects.create(
        org=org, customer=customer, kind=kind, title=title, body=body, due_date=due, assignee=assignee,
        action_id=action_id, data=data or {},
    )


def task_complete(*, org: Organisation, task: Task, day: date, outcome: str = "") -> Task:
    from relance.core.errors import ApplicationError

    if task.org_id != org.id:
        raise ApplicationError(_("Tâche introuvable."))
    if task.status != Task.Status.OPEN:
        raise ApplicationError(_("La tâche est déjà %(status)s.") % {"status": task.get_status_display().lower()})
    task.status, task.done_on, task.outcome = Task.Status.DONE, day, outcome
    task.save(update_fields=["status", "done_on", "outcome"])
    return task
