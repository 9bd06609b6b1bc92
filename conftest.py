"""Shared fixtures: the personas of STYLE.md — an owner (Alice), a team member (Bob, collector),
a viewer (Victor), and an outsider (Charlie, owner of another organisation) who should have no access
to Alice's stuff."""

from __future__ import annotations

import asyncio
import os

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


class _Playwright:
    """Playwright's sync API runs its asyncio loop in a greenlet of the test thread, and leaves that loop marked
    as the thread's running loop between calls. While it is marked, Django takes the thread for an async one:
    `connections` (thread-critical) then hands out other connection objects than the test database's own, without
    its serialized contents, and the test case machinery restores and flushes through them. So the loop is marked
    running only while a browser page is in use (a test that drives the browser), and unmarked otherwise."""

    def __init__(self, loop):
        self.loop = loop

    def __enter__(self):
        asyncio._set_running_loop(self.loop)

    def __exit__(self, *exc):
        asyncio._set_running_loop(None)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous, so Django's async-safety guard must stand aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        instance.relance_loop = _Playwright(asyncio.get_running_loop())
        asyncio._set_running_loop(None)
        yield instance
        with instance.relance_loop:
            instance.close()
        asyncio._set_running_loop(instance.relance_loop.loop)  # sync_playwright's exit runs the loop to its end


def _new_page(browser, live_server, **options):
    with browser.relance_loop:
        context = browser.new_context(locale="fr-FR", **options)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.base_url = live_server.url
        yield pg
        context.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (laptop viewport); `page.base_url` is the live server."""
    yield from _new_page(browser, live_server, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone_page(browser, live_server):
    """A fresh browser page on a phone-sized viewport."""
    yield from _new_page(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True,
                         has_touch=True)


def browser_login(page, email: str, password: str | None = None) -> None:
    from relance.core.factories import PASSWORD

    page.goto(page.base_url + "/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()



# --- Data that migrations ship (legal rate tables, contenttypes, permissions) ----------------------
# A transactional test (browser, live server, worker threads) ends with a FLUSH of every table, which also
# wipes the data the migrations installed. pytest-django sorts transactional tests last, but pytest-xdist's
# --dist loadfile/loadscope hands a worker whole files, so a file's transactional tests can run before
# another file's ordinary tests in the same worker: those then find empty rate tables. So transactional tests
# use Django's serialized rollback (the test database is serialized once after migrate; the flush no longer
# re-runs post_migrate), and the data is restored right after each one when an ordinary test comes next.
def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if "live_server" in fixtures or "transactional_db" in fixtures:
        return True
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
                or marker.kwargs.get("reset_sequences"))


def pytest_collection_modifyitems(items):
    for item in items:
        if not _is_transactional(item):
            continue
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        if marker is not None and marker.args:
            kwargs.setdefault("transaction", marker.args[0])
        kwargs.update(transaction=True, serialized_rollback=True)
        # First in line, so that get_closest_marker() (what pytest-django reads) returns this one.
        item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield  # the test's fixtures are torn down here, the flush included
    # The test client runs requests in this thread and LocaleMiddleware leaves their language active:
    # the next test would render in English after one that switched a user to English.
    from django.utils import translation

    translation.deactivate()
    if _is_transactional(item) and nextitem is not None and not _is_transactional(nextitem):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all(initialized_only=True):
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
    return result


def refusal(call, language: str | None = None) -> str:
    """The message of the ApplicationError `call()` raises, in `language` (None: as the command line)."""
    from django.utils import translation

    from relance.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        if language is None:
            call()
        else:
            with translation.override(language):
                call()
    return caught.value.message
