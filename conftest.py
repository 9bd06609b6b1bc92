"""Shared fixtures: the personas of STYLE.md — an owner (Alice), a team member (Bob, collector),
a viewer (Victor), and an outsider (Charlie, owner of another organisation) who should have no access
to Alice's stuff."""

from __future__ import annotations

import pytest

from relance.accounts.models import Role
from relance.core.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Atelier Durand SARL", slug="durand")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="Concurrent SA", slug="concurrent")


@pytest.fixture
def alice(org):
    return MembershipFactory(org=org, user=UserFactory(email="alice@durand.fr"), role=Role.OWNER).user


@pytest.fixture
def bob(org):
    return MembershipFactory(org=org, user=UserFactory(email="bob@durand.fr"), role=Role.COLLECTOR).user


@pytest.fixture
def victor(org):
    return MembershipFactory(org=org, user=UserFactory(email="victor@durand.fr"), role=Role.VIEWER).user


@pytest.fixture
def charlie(other_org):
    return MembershipFactory(org=other_org, user=UserFactory(email="charlie@concurrent.fr"), role=Role.OWNER).user


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
