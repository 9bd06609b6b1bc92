"""Dead portal links are purged after N days (service, `relance portal purge`, the worker once a day);
the timeline events that are the evidence stay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from relance.activity.models import Event
from relance.core.errors import ApplicationError
from relance.core.factories import CustomerFactory
from relance.dunning.worker import Scheduler
from relance.portal.models import PortalToken, RateCounter
from relance.portal.ratelimit import minute_window
from relance.portal.services import Visit, portal_tokens_purge, portal_visit_record
from relance.portal.tokens import token_hash, token_new

D = date.fromisoformat
TODAY = D("2025-06-30")  # with the default 90 days, links dead before 2025-04-01 go
pytestmark = pytest.mark.django_db


def paris(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def link(customer, *, expires: str, revoked: str | None = None) -> PortalToken:
    return PortalToken.objects.create(org=customer.org, customer=customer, token_hash=token_hash(token_new()),
                                      created_on=D(expires) - timedelta(days=90), expires_on=D(expires),
                                      revoked_at=paris(revoked) if revoked else None)


CASES = [  # (what, expires_on, revoked_at Europe/Paris, purged)
    ("live", "2025-09-01", None, False),
    ("expired a month ago", "2025-05-30", None, False),
    ("last valid day exactly 90 days ago", "2025-04-01", None, False),
    ("last valid day 91 days ago", "2025-03-31", None, True),
    ("expired a year ago", "2024-06-01", None, True),
    ("revoked late on the 91st day before (UTC already the next day)", "2025-09-01", "2025-03-31T23:30", True),
    ("revoked early on the 90th day before (UTC still the day before)", "2025-09-01", "2025-04-01T00:10", False),
    ("revoked last week", "2025-09-01", "2025-06-23T10:00", False),
    ("expired long ago, revoked last week", "2025-01-01", "2025-06-23T10:00", True),
]


@pytest.mark.parametrize("what,expires,revoked,purged", CASES, ids=[c[0] for c in CASES])
def test_which_links_are_purged(org, what, expires, revoked, purged):
    customer = CustomerFactory(org=org)
    token = link(customer, expires=expires, revoked=revoked)
    result = portal_tokens_purge(org=org, today=TODAY)
    assert PortalToken.objects.filter(pk=token.pk).exists() is not purged
    assert (result.tokens, result.cutoff, result.days) == (int(purged), D("2025-04-01"), 90)


def test_the_delay_is_a_setting(org, settings):
    settings.PORTAL_TOKEN_PURGE_DAYS = 30
    customer = CustomerFactory(org=org)
    month_old, fresh = link(customer, expires="2025-05-30"), link(customer, expires="2025-06-10")
    assert portal_tokens_purge(org=org, today=TODAY).tokens == 1
    assert list(PortalToken.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not PortalToken.objects.filter(pk=month_old.pk).exists()


@pytest.mark.parametrize("bad", [-1, "90", 1.5, None])
def test_a_bad_delay_setting_is_refused_and_nothing_is_deleted(org, settings, bad):
    settings.PORTAL_TOKEN_PURGE_DAYS = bad
    link(CustomerFactory(org=org), expires="2024-01-01")
    with pytest.raises(ApplicationError, match="PORTAL_TOKEN_PURGE_DAYS"):
        portal_tokens_purge(org=org, today=TODAY)
    assert PortalToken.objects.count() == 1


def test_the_timeline_evidence_of_a_purged_link_stays(org):
    customer = CustomerFactory(org=org)
    token = link(customer, expires="2025-01-01")
    portal_visit_record(visit=Visit(token, "raw", "203.0.113.7"), today=D("2024-12-20"), what="visit")
    event = Event.objects.get(customer=customer, type="portal_visit")
    portal_tokens_purge(org=org, today=TODAY)
    assert not PortalToken.objects.exists()
    event.refresh_from_db()
    assert event.data["token_id"] == token.pk and event.data["ip"] == "203.0.113.7"


def test_one_organisation_purges_only_its_own_links(org, other_org):
    mine, theirs = link(CustomerFactory(org=org), expires="2024-01-01"), link(CustomerFactory(org=other_org),
                                                                              expires="2024-01-01")
    assert portal_tokens_purge(org=org, today=TODAY).tokens == 1
    assert list(PortalToken.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert portal_tokens_purge(today=TODAY).tokens == 1 and not PortalToken.objects.filter(pk=mine.pk).exists()


def test_the_global_purge_also_forgets_old_rate_limit_windows(org):
    now = timezone.make_aware(datetime(2025, 6, 30, 9, 0))
    old = RateCounter.objects.create(key="ip:GET:203.0.113.7", window=minute_window(now - timedelta(days=3)))
    recent = RateCounter.objects.create(key="ip:GET:203.0.113.7", window=minute_window(now))
    assert portal_tokens_purge(org=org, today=TODAY).rate_counters == 0  # windows belong to no organisation
    assert RateCounter.objects.count() == 2
    assert portal_tokens_purge(today=TODAY).rate_counters == 1
    assert list(RateCounter.objects.values_list("pk", flat=True)) == [recent.pk] and old.pk != recent.pk


# --- relance portal purge ---------------------------------------------------------------------------

def relance(*args: str) -> str:
    out = StringIO()
    call_command("portal", "purge", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        relance(*args)
    assert info.value.returncode == 2
    return str(info.value)


@pytest.fixture
def dead(org, other_org):
    return [link(CustomerFactory(org=org), expires="2025-03-01"), link(CustomerFactory(org=org), expires="2025-09-01"),
            link(CustomerFactory(org=other_org), expires="2025-03-01", revoked="2025-03-01T10:00")]


def test_the_command_without_a_user_purges_every_organisation(dead):
    out = relance("--date", "2025-06-30")
    assert out.strip() == ("Purge du portail du 30/06/2025 (toutes les organisations) : 2 lien(s) expiré(s) ou "
                           "révoqué(s) avant le 01/04/2025 supprimé(s).")
    assert list(PortalToken.objects.values_list("pk", flat=True)) == [dead[1].pk]


def test_the_command_prints_json(dead):
    payload = json.loads(relance("--date", "2025-06-30", "--json"))
    assert payload == {"date": "2025-06-30", "cutoff": "2025-04-01", "days": 90, "tokens": 2, "rate_counters": 0}


def test_a_manager_purges_their_own_organisation_only(dead, alice):
    out = relance("--date", "2025-06-30", "--org", "durand", "--user", alice.email)
    assert "(« durand »)" in out and ": 1 lien(s)" in out
    assert set(PortalToken.objects.values_list("pk", flat=True)) == {dead[1].pk, dead[2].pk}


@pytest.mark.parametrize("args", [
    ("--user", "bob@durand.fr"),  # a collector
    ("--user", "victor@durand.fr"),  # a viewer
    ("--org", "durand", "--user", "charlie@concurrent.fr"),  # an outsider
    ("--org", "nowhere",),
    ("--user", "alice@durand.fr"),  # two organisations exist: which one?
])
def test_refused_purges_change_nothing(dead, alice, bob, victor, charlie, args):
    message = refused("--date", "2025-06-30", *args)
    assert message
    assert PortalToken.objects.count() == 3


def test_a_bad_delay_setting_is_exit_code_2(dead, settings):
    settings.PORTAL_TOKEN_PURGE_DAYS = -5
    assert "PORTAL_TOKEN_PURGE_DAYS" in refused("--date", "2025-06-30")
    assert PortalToken.objects.count() == 3


def test_a_bad_date_is_exit_code_2_on_the_command_line(tmp_path: Path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "RELANCE_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    relance_bin = str(Path(sys.executable).parent / "relance")
    result = subprocess.run([relance_bin, "portal", "purge", "--date", "2025-02-30"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "--date" in result.stderr and not result.stdout


# --- the worker --------------------------------------------------------------------------------------

def test_the_worker_purges_once_per_local_day(org):
    from django_tasks_db.models import DBTaskResult

    customer = CustomerFactory(org=org)
    scheduler = Scheduler()
    link(customer, expires="2025-03-01")
    scheduler.tick(paris("2025-06-30T00:05"))
    assert not PortalToken.objects.exists()

    later = link(customer, expires="2025-03-01")  # dead too, but today's purge is done
    scheduler.tick(paris("2025-06-30T12:00"))
    scheduler.tick(paris("2025-06-30T23:55"))
    assert PortalToken.objects.filter(pk=later.pk).exists()

    scheduler.tick(paris("2025-07-01T00:01"))  # a new local day (22:01 UTC the day before)
    assert not PortalToken.objects.exists()
    runs = DBTaskResult.objects.filter(task_path="relance.portal.tasks.portal_purge_task").order_by("enqueued_at")
    assert [(r.status, r.args_kwargs["args"]) for r in runs] == [("SUCCESSFUL", ["2025-06-30"]),
                                                                 ("SUCCESSFUL", ["2025-07-01"])]
