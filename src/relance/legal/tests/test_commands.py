import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relance.accounts.models import Role
from relance.core.factories import MembershipFactory, UserFactory
from relance.legal.models import EcbDecision, RateHalfYear

pytestmark = pytest.mark.django_db


def relance(capsys, *args):
    """Run `relance ARGS` in this process (the test database); returns (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def test_the_real_script_exits_2_with_a_french_message_on_bad_input():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relance.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "relance.cli", "penalties", "--amount", "douze", "--due", "2025-03-01",
         "--on", "2025-04-01"], capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 2
    assert "montant illisible" in done.stderr and done.stdout == ""


def test_penalties_json_is_the_documented_example(capsys):
    code, out, err = relance(capsys, "penalties", "--amount", "1000", "--due", "2025-03-01",
                             "--paid", "2025-04-15", "--kind", "b2b", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "principal": "1000.00", "days_late": 45, "interest": "16.21", "indemnity": "40.00", "total": "56.21",
        "periods": [{"from": "2025-03-02", "to": "2025-04-15", "days": 45, "rate": "13.15"}],
    }


def test_penalties_without_json_explains_in_french_with_sources(capsys):
    code, out, _ = relance(capsys, "penalties", "--amount", "1 000,00", "--due", "01/03/2025", "--paid", "2025-04-15")
    assert code == 0
    assert "45 jours de retard" in out and "16,21" in out and "40,00" in out and "56,21" in out
    assert "L441-10" in out and "D441-5" in out


def test_a_consumer_on_a_date_without_notice_owes_nothing_and_is_told_why(capsys):
    code, out, _ = relance(capsys, "penalties", "--amount", "500", "--due", "2025-03-01", "--on", "2025-06-30",
                           "--kind", "b2c", "--json")
    data = json.loads(out)
    assert (code, data["interest"], data["indemnity"], data["days_late"], data["periods"]) == (0, "0.00", "0.00", 121, [])
    _, text, _ = relance(capsys, "penalties", "--amount", "500", "--due", "2025-03-01", "--on", "2025-06-30",
                         "--kind", "b2c")
    assert "Aucune mise en demeure" in text


def test_a_contract_rate_below_the_floor_warns_in_the_json(capsys):
    code, out, _ = relance(capsys, "penalties", "--amount", "1000", "--due", "2025-03-01", "--paid", "2025-04-15",
                           "--contract-rate", "10", "--json")
    data = json.loads(out)
    assert code == 0 and data["interest"] == "13.72" and data["periods"][0]["rate"] == "11.13"
    assert "illicite" in data["warnings"][0]


@pytest.mark.parametrize(("args", "message"), [
    (["--amount", "1000", "--due", "2026-06-15", "--on", "2026-07-10"], "taux BCE du 2e semestre 2026 inconnu"),
    (["--amount", "abc", "--due", "2025-03-01", "--on", "2025-04-01"], "montant illisible"),
    (["--amount", "1000", "--due", "2025-13-01", "--on", "2025-04-01"], "date illisible"),
    (["--amount", "1000", "--due", "2025-03-01"], "soit --paid"),
    (["--amount", "1000", "--due", "2025-03-01", "--paid", "2025-04-01", "--on", "2025-04-01"], "soit --paid"),
    (["--due", "2025-03-01", "--on", "2025-04-01"], "obligatoires"),
    (["--amount", "1000", "--due", "2025-03-01", "--on", "2025-04-01", "--kind", "pro"], "type de client inconnu"),
    (["--amount", "10.001", "--due", "2025-03-01", "--on", "2025-04-01"], "au centime"),
])
def test_bad_penalties_input_exits_2_with_a_french_message(capsys, args, message):
    code, out, err = relance(capsys, "penalties", *args, "--json")
    assert code == 2
    assert message in err and out == ""


def test_rates_list_shows_both_tables(capsys):
    code, out, _ = relance(capsys, "rates", "list")
    assert code == 0
    assert "2024 S1    4.50 |  14.50 |  12.50 |   5.07 |  15.21 |   8.01" in out
    assert "2016-03-16    0.00" in out
    code, out, _ = relance(capsys, "rates", "list", "--json")
    data = json.loads(out)
    assert data["half_years"][0] == {
        "year": 2026, "half": 1, "first_day": "2026-01-01", "ecb": "2.15", "legal_pro": "2.62",
        "legal_private": "6.67", "source": RateHalfYear.objects.get(year=2026, half=1).source,
        "source_url": RateHalfYear.objects.get(year=2026, half=1).source_url,
    }
    assert len(data["ecb_decisions"]) == 19


def test_rates_add_fills_2026_h2_and_penalties_then_compute(capsys):
    assert relance(capsys, "rates", "add", "--kind", "ecb", "--from", "2026-06-10", "--rate", "2,00")[0] == 0
    assert EcbDecision.objects.get(effective_date=date(2026, 6, 10)).rate == D("2.00")
    code, _, err = relance(capsys, "rates", "add", "--kind", "legal_pro", "--from", "2026-07-01", "--rate", "2.50")
    assert code == 0, err
    assert RateHalfYear.objects.get(year=2026, half=2).legal_rate_other == D("2.50")
    # 16 → 30 June 2026: 15 days at 12.15 → 182250 / 36500; 1 → 10 July: 10 days at 2.00 + 10 = 12.00 → 120000 /
    # 36500; sum 302250 / 36500 = 8.2808… → 8.28.
    code, out, _ = relance(capsys, "penalties", "--amount", "1000", "--due", "2026-06-15", "--on", "2026-07-10", "--json")
    assert json.loads(out)["interest"] == "8.28"


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "legal_pro", "--from", "2026-07-02", "--rate", "2.5"], "début de semestre"),
    (["--kind", "bce", "--from", "2026-07-01", "--rate", "2.5"], "inconnu"),
    (["--kind", "ecb", "--from", "2026-07-01", "--rate", "deux"], "montant illisible"),
    (["--kind", "ecb", "--from", "demain", "--rate", "2"], "date illisible"),
    (["--kind", "ecb", "--from", "2026-07-01", "--rate", "2.125"], "Taux invalide"),
    (["--kind", "ecb", "--from", "2026-07-01"], "obligatoire(s) manquante(s) : --rate"),
])
def test_bad_rates_input_exits_2_and_writes_nothing(capsys, args, message):
    before = (EcbDecision.objects.count(), RateHalfYear.objects.count())
    code, _, err = relance(capsys, "rates", "add", *args)
    assert code == 2 and message in err
    assert (EcbDecision.objects.count(), RateHalfYear.objects.count()) == before


def test_only_an_install_administrator_may_add_rates_as_a_user(capsys, org):
    collector = MembershipFactory(org=org, user=UserFactory(email="col@durand.fr"), role=Role.COLLECTOR).user
    manager = MembershipFactory(org=org, user=UserFactory(email="man@durand.fr"), role=Role.MANAGER).user
    args = ["rates", "add", "--kind", "legal_private", "--from", "2026-07-01", "--rate", "6.5"]
    for person in (collector, manager):  # the tables are global: an organisation's role is not enough
        code, _, err = relance(capsys, *args, "--user", person.email)
        assert code == 2 and err
    assert not RateHalfYear.objects.filter(year=2026, half=2).exists()
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    assert relance(capsys, *args, "--user", manager.email)[0] == 0
    assert RateHalfYear.objects.get(year=2026, half=2).legal_rate_private == D("6.50")


def test_rates_without_an_action_says_which_ones_exist(capsys):
    code, _, err = relance(capsys, "rates")
    assert code == 2 and "relance rates list" in err
