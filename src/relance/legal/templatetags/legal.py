"""{% load legal %}{% customer_penalties_panel customer %}: penalties accrued and limitation alerts for the
customer page (and any page with `request.org`). A missing rate shows as a warning, never as a zero."""

from __future__ import annotations

from typing import Any

from django import template

from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.ledger.models import Customer
from relance.legal.api import customer_penalties, limitation_alerts

register = template.Library()


@register.inclusion_tag("legal/_customer_penalties.html", takes_context=True)
def customer_penalties_panel(context: template.Context, customer: Customer) -> dict[str, Any]:
    org = context["request"].org
    today = context.get("today") or local_today()
    summary, error = None, None
    try:
        summary = customer_penalties(org=org, customer=customer, today=today)
    except ApplicationError as exc:
        error = exc.message
    return {"summary": summary, "error": error, "today": today, "customer": customer,
            "alerts": limitation_alerts(org=org, today=today, customer=customer)}
