"""Per-IP limits and evidence behind a reverse proxy: X-Forwarded-For is believed only from a trusted peer
(RELANCE_TRUSTED_PROXIES), and then only up to the rightmost address that is not a trusted proxy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings

from relance.activity.models import Event
from relance.portal.ratelimit import client_ip
from relance.portal.tokens import token_new

pytestmark = pytest.mark.django_db
PROXIES = ["10.0.0.0/8", "2001:db8:ffff::1"]


def guess(client: Client, forwarded: str) -> int:
    return client.get(f"/portail/{token_new()}/", HTTP_X_FORWARDED_FOR=forwarded).status_code


@pytest.mark.parametrize("peer,forwarded,trusted,expected", [
    ("198.51.100.7", "203.0.113.1", [], "198.51.100.7"),  # no proxy configured: the header is ignored
    ("198.51.100.7", "203.0.113.1", PROXIES, "198.51.100.7"),  # a forged header from an untrusted peer
    ("10.0.0.1", "203.0.113.1", PROXIES, "203.0.113.1"),
    ("10.0.0.1", "1.1.1.1, 203.0.113.1", PROXIES, "203.0.113.1"),  # what the client wrote itself is ignored
    ("10.0.0.1", "1.1.1.1, 203.0.113.1, 10.2.3.4", PROXIES, "203.0.113.1"),  # two proxies in a row
    ("10.0.0.1", "203.0.113.1:51234", PROXIES, "203.0.113.1"),  # a proxy that writes the port
    ("10.0.0.1", "[2001:db8::7]:443", PROXIES, "2001:db8::7"),
    ("2001:db8:ffff::1", "2001:db8::7", PROXIES, "2001:db8::7"),
    ("10.0.0.1", "::ffff:203.0.113.1", PROXIES, "203.0.113.1"),
    ("10.0.0.1", "", PROXIES, "10.0.0.1"),  # no header: the proxy itself
    ("10.0.0.1", "10.9.9.9", PROXIES, "10.9.9.9"),  # only proxies: the farthest one
    ("10.0.0.1", "203.0.113.1, not-an-ip", PROXIES, "10.0.0.1"),  # garbage next to us: stop at our proxy
])
def test_the_client_address(settings, peer, forwarded, trusted, expected):
    settings.RELANCE_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@override_settings(PORTAL_RATE_LIMITS={"GET": (100, 3), "POST": (100, 3)}, RELANCE_TRUSTED_PROXIES=PROXIES)
def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit():
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [guess(attacker, f"203.0.113.{n}") for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]


@override_settings(PORTAL_RATE_LIMITS={"GET": (100, 3), "POST": (100, 3)}, RELANCE_TRUSTED_PROXIES=PROXIES)
def test_through_a_trusted_proxy_two_clients_get_separate_limits():
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    first = [guess(proxy, f"{n}.{n}.{n}.{n}, 203.0.113.1") for n in range(1, 5)]  # forged left parts vary
    assert first == [404, 404, 404, 429]
    assert guess(proxy, "203.0.113.2") == 404  # another debtor behind the same proxy is not blocked
    assert guess(proxy, "203.0.113.1") == 429


@override_settings(PORTAL_RATE_LIMITS={"GET": (100, 3), "POST": (100, 3)})
def test_without_trusted_proxies_everyone_behind_a_proxy_shares_its_address():
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert [guess(proxy, f"203.0.113.{n}") for n in range(4)] == [404, 404, 404, 429]


@override_settings(RELANCE_TRUSTED_PROXIES=PROXIES)
def test_the_evidence_keeps_the_clients_address(url, customer):
    Client(REMOTE_ADDR="10.0.0.1").get(url(), HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert Event.objects.get(customer=customer, type="portal_visit").data["ip"] == "203.0.113.9"


def test_the_setting_reads_ips_and_networks_and_refuses_anything_else(monkeypatch):
    from relance.settings import _trusted_proxies

    monkeypatch.setenv("RELANCE_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.1 ,2001:db8::/32,")
    assert _trusted_proxies("RELANCE_TRUSTED_PROXIES") == ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"]
    monkeypatch.setenv("RELANCE_TRUSTED_PROXIES", "")
    assert _trusted_proxies("RELANCE_TRUSTED_PROXIES") == []
    monkeypatch.setenv("RELANCE_TRUSTED_PROXIES", "10.0.0.1,proxy.local")
    with pytest.raises(ImproperlyConfigured, match="proxy.local"):
        _trusted_proxies("RELANCE_TRUSTED_PROXIES")
