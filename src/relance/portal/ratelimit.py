"""A small database-backed fixed-window counter: survives restarts and works across processes."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from relance.portal.models import RateCounter


def _window(now: datetime) -> int:
    return int(now.timestamp()) // 60


def rate_limit_hit(*, key: str, limit: int, now: datetime) -> bool:
    """Count one request for `key` in the current minute; True when the limit is exceeded."""
    window = _window(now)
    updated = RateCounter.objects.filter(key=key, window=window).update(hits=F("hits") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window=window, hits=1)
        except IntegrityError:  # another request created it first
            RateCounter.objects.filter(key=key, window=window).update(hits=F("hits") + 1)
        # New minute for this key: a good moment to forget old windows.
        RateCounter.objects.filter(window__lt=window - 2).delete()
    hits = RateCounter.objects.filter(key=key, window=window).values_list("hits", flat=True).first() or 0
    return hits > limit
