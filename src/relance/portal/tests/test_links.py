from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from relance.activity.models import Event
from relance.core.factories import CustomerFactory, MembershipFactory, UserFactory
from relance.portal.api import portal_link_for
from relance.portal.models import PortalToken
from relance.portal.services import portal_link_create, portal_revoke, portal_token_resolve
from relance.portal.tokens import TOKEN_LENGTH

pytestmark = pytest.mark.django_db


@override_settings(SITE_URL="https://relance.example.fr")
def test_a_link_carries_256_random_bits_and_only_their_hash_is_stored(customer, today):
    link = portal_link_for(customer=customer, today=today)

    assert link.startswith("https://relance.example.fr/portail/") and link.endswith("/")
    raw = link.rstrip("/").rsplit("/", 1)[-1]
    assert len(raw) == TOKEN_LENGTH
    stored = PortalToken.objects.get(customer=customer)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not PortalToken.objects.filter(token_hash__contains=raw).exists()
    assert stored.expires_on == today + timedelta(days=90)


def test_each_reminder_gets_a_new_link_and_extends_the_old_ones(customer, org, today):
    org.portal_token_days = 30
    org.save()
    first = portal_link_create(customer=customer, today=today)
    second = portal_link_create(customer=customer, today=today + timedelta(days=20))

    assert first != second
    assert portal_token_resolve(raw=first, today=today + timedelta(days=45)) is not None
    assert portal_token_resolve(raw=first, today=today + timedelta(days=51)) is None
    assert portal_token_resolve(raw=second, today=today + timedelta(days=50)).customer == customer


def test_an_expired_link_is_not_revived_by_a_later_reminder(customer, org, today):
    old = portal_link_create(customer=customer, today=today)
    portal_link_create(customer=customer, today=today + timedelta(days=120))
    assert portal_token_resolve(raw=old, today=today + timedelta(days=120)) is None


def test_revoking_kills_every_link_of_that_customer_only(customer, org, alice, today):
    other = CustomerFactory(org=org)
    a, b = (portal_link_create(customer=customer, today=today) for _ in range(2))
    kept = portal_link_create(customer=other, today=today)

    assert portal_revoke(org=org, customer=customer, actor=alice, today=today) == 2

    assert portal_token_resolve(raw=a, today=today) is None
    assert portal_token_resolve(raw=b, today=today) is None
    assert portal_token_resolve(raw=kept, today=today) is not None
    assert Event.objects.filter(customer=customer, type="portal_links_revoked").exists()


def test_a_manager_revokes_links_from_the_customer_page(customer, org, client_for, today):
    manager = MembershipFactory(org=org, user=UserFactory(email="marc@durand.fr"), role="manager").user
    raw = portal_link_create(customer=customer, today=today)

    response = client_for(manager).post(reverse("portal:revoke", args=[customer.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("customer_detail", args=[customer.pk])
    assert portal_token_resolve(raw=raw, today=today) is None


@pytest.mark.parametrize("who", ["bob", "victor", "charlie"])
def test_collectors_viewers_and_outsiders_cannot_revoke(who, customer, client_for, today, request):
    raw = portal_link_create(customer=customer, today=today)
    response = client_for(request.getfixturevalue(who)).post(reverse("portal:revoke", args=[customer.pk]))
    assert response.status_code in (403, 404)
    assert portal_token_resolve(raw=raw, today=today) is not None


def test_revoking_needs_a_post(customer, alice, client_for):
    assert client_for(alice).get(reverse("portal:revoke", args=[customer.pk])).status_code == 405


def test_anonymous_visitors_cannot_revoke(customer, client, today):
    raw = portal_link_create(customer=customer, today=today)
    response = client.post(reverse("portal:revoke", args=[customer.pk]))
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    assert portal_token_resolve(raw=raw, today=today) is not None


@override_settings(SITE_URL="http://testserver")
def test_the_link_put_in_a_reminder_opens_that_customers_portal(client, customer, invoices, today):
    link = portal_link_for(customer=customer, today=today)
    response = client.get(link.removeprefix("http://testserver"))
    assert response.status_code == 200 and "FA-101" in response.content.decode()
