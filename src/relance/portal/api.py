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


def payment_intent_references(*, org: Organisation) -> dict[str, list[int]]:
    """For the bank matcher: each creditor reference (RF…) the pay screen gave for a selection of invoices,
    with those of its invoices still open (one query; references whose invoices are all settled are left out)."""
    from relance.ledger.models import Invoice
    from relance.portal.models import PaymentIntent

    rows = (PaymentIntent.invoices.through.objects
            .filter(paymentintent__org=org, invoice__status=Invoice.Status.OPEN)
            .values_list("paymentintent__reference", "invoice_id").order_by())
    found: dict[str, list[int]] = {}
    for reference, invoice_id in rows:
        found.setdefault(reference, []).append(invoice_id)
    return found
