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


# --- Browser tests (Playwright driving Debian's Chromium) -----------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous, so Django's async-safety guard must stand aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (laptop viewport); `page.base_url` is the live server."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A fresh browser page on a phone-sized viewport."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    yield pg
    context.close()


def browser_login(page, email: str, password: str | None = None) -> None:
    from relance.core.factories import PASSWORD

    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def pytest_collection_modifyitems(items):
    """Transactional tests (browser, worker) flush every table when they end, which also wipes the data that
    migrations ship (the legal rate tables). Serialized rollback puts that data back at the start of each
    transactional test; pytest-django runs them after the plain tests (keep `--dist load` with xdist)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        if marker is not None:
            transactional = marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
            if transactional and not marker.kwargs.get("serialized_rollback"):
                item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "transaction": True,
                                                         "serialized_rollback": True}))
        elif "live_server" in fixtures or "transactional_db" in fixtures:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
