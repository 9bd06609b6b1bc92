"""A small database-backed fixed-window counter: survives restarts and works across processes; and the
client address it counts per IP (behind trusted reverse proxies, from X-Forwarded-For)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from relance.portal.models import RateCounter


def minute_window(now: datetime) -> int:
    return int(now.timestamp()) // 60


def rate_limit_hit(*, key: str, limit: int, now: datetime) -> bool:
    """Count one request for `key` in the current minute; True when the limit is exceeded."""
    window = minute_window(now)
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


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str) -> IPAddress | None:
    """One X-Forwarded-For entry: "203.0.113.7", "2001:db8::1", also with a port ("203.0.113.7:5678",
    "[2001:db8::1]:5678") as some proxies write it; None when it is no address."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # "::ffff:203.0.113.7" is 203.0.113.7
    return mapped or address


def _trusted(address: IPAddress | None, networks: Sequence[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address to count a request against. REMOTE_ADDR, unless the direct peer is one of
    settings.RELANCE_TRUSTED_PROXIES: then X-Forwarded-For is read from the right and the first address
    that is not a trusted proxy is the client. Anything left of it was written by the client and is never
    believed, so a forged header from an untrusted peer changes nothing."""
    peer = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "RELANCE_TRUSTED_PROXIES", ())))
    if not networks or not _trusted(_address(peer), networks):
        return peer
    client = peer
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:  # garbage beyond our proxies: count it against the last hop we trust
            break
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
