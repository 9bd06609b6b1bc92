"""Saving or deleting a ledger row forgets the organisation's cached dashboard figures."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from relance.analytics.selectors import ledger_changed
from relance.ledger.models import Allocation, Invoice, Payment


@receiver([post_save, post_delete], sender=Invoice)
@receiver([post_save, post_delete], sender=Allocation)
@receiver([post_save, post_delete], sender=Payment)
def _ledger_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Now, and again once committed: a dashboard computed meanwhile from the old rows is not kept.
    ledger_changed(instance.org_id)
    transaction.on_commit(lambda: ledger_changed(instance.org_id))
