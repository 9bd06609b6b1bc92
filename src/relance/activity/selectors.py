from __future__ import annotations

from django.db.models import QuerySet

from relance.accounts.models import Organisation
from relance.activity.models import Event, Task
from relance.ledger.models import Customer


def customer_timeline(*, org: Organisation, customer: Customer, limit: int = 200) -> QuerySet[Event]:
    return Event.objects.filter(org=org, customer=customer).select_related("invoice", "actor")[:limit]


def task_list_open(*, org: Organisation) -> QuerySet[Task]:
    return Task.objects.filter(org=org, status=Task.Status.OPEN).select_related("customer", "assignee")
