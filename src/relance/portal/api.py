"""What other apps call: the private link for a reminder, and revocation from the customer page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse

from relance.accounts.models import Organisation
from relance.ledger.models import Customer


def portal_link_for(*, customer: Customer, today: date) -> str:
    """A fresh private link for this customer (a new token each call; all live links are extended to
    today + org.portal_token_days). Call it for every reminder that carries the link."""
    from relance.portal.services import portal_link_create

    raw = portal_link_create(customer=customer, today=today)
    return settings.SITE_URL + reverse("portal:home", args=[raw])


def portal_revoke(*, org: Organisation, customer: Customer, actor: Any, today: date) -> int:
    """Revoke all of a customer's links; returns how many were live. The customer page's button
    posts to `portal:revoke` (/portail/revoquer/<customer_id>/)."""
    from relance.portal.services import portal_revoke as revoke

    return revoke(org=org, customer=customer, actor=actor, today=today)
