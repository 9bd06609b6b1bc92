"""`{% customer_payment_plan as pp %}` on the customer page: the plan and where each instalment stands.

A tag rather than a view context entry so the customer page's view stays as it is (the section is an
include of its own); it reads through the portal's selectors, scoped by the request's organisation.
"""

from __future__ import annotations

from typing import Any

from django import template

from relance.core.dates import local_today
from relance.portal import plans

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_payment_plan(context: Any) -> dict[str, Any]:
    request, customer = context["request"], context["customer"]
    org, today = request.org, context.get("today") or local_today()
    return plans.customer_plan_panel(org=org, customer=customer, today=today)
