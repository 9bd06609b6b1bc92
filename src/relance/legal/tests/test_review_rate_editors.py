"""The rate tables are global to the install: members of any organisation read them, only install admins edit."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relance.accounts.models import Role
from relance.core.factories import MembershipFactory, UserFactory
from relance.legal.models import EcbDecision, RateHalfYear

pytestmark = pytest.mark.django_db
URL = "/parametres/taux/"
ECB = {"effective_date": "2026-06-10", "rate": "2,00", "source": "Communiqué BCE", "source_url": ""}
HALF = {"year": "2026", "half": "2", "ecb_rate": "2.00", "legal_rate_other": "2.50", "legal_rate_private": "6.50",
        "source": "Arrêté du 15 juin 2026", "source_url": ""}


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_an_owner_or_manager_of_an_organisation_cannot_change_the_shared_tables(client_for, other_org, role):
    member = MembershipFactory(org=other_org, user=UserFactory(email=f"{role}@autre.fr"), role=role).user
    client = client_for(member)
    row = RateHalfYear.objects.get(year=2025, half=1)
    decision = EcbDecision.objects.get(effective_date=date(2024, 12, 18))
    assert client.post(URL + "bce/ajouter/", ECB).status_code == 403
    assert client.post(URL + "semestres/ajouter/", HALF).status_code == 403
    assert client.get(f"{URL}semestres/{row.pk}/").status_code == 403
    assert client.post(f"{URL}semestres/{row.pk}/", {**HALF, "legal_rate_other": "9"}).status_code == 403
    assert client.post(f"{URL}bce/{decision.pk}/", {**ECB, "rate": "9"}).status_code == 403
    assert not EcbDecision.objects.filter(effective_date=date(2026, 6, 10)).exists()
    assert RateHalfYear.objects.get(pk=row.pk).legal_rate_other == D("3.71")
    assert EcbDecision.objects.get(pk=decision.pk).rate != D("9")


def test_members_read_the_tables_and_are_told_who_may_edit_them(client_for, alice):
    body = client_for(alice).get(URL).content.decode()
    assert "1er semestre 2024" in body
    assert "Seuls les administrateurs de l&#x27;installation peuvent modifier" in body or \
        "Seuls les administrateurs de l'installation peuvent modifier" in body
    assert "Ajouter une décision BCE" not in body and "Modifier" not in body


def test_an_install_administrator_who_is_a_member_edits_them(client_for, alice):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    client = client_for(alice)
    assert "Ajouter une décision BCE" in client.get(URL).content.decode()
    assert client.post(URL + "bce/ajouter/", ECB).status_code == 302
    assert EcbDecision.objects.get(effective_date=date(2026, 6, 10)).rate == D("2.00")


def _rates(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("rates", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_the_command_refuses_a_manager_and_accepts_an_install_administrator(org):
    manager = MembershipFactory(org=org, user=UserFactory(email="mia@durand.fr"), role=Role.MANAGER).user
    admin = UserFactory(email="admin@relance.fr", is_staff=True)
    args = ["add", "--kind", "ecb", "--from", "2026-06-10", "--rate", "2"]
    code, message = _rates(*args, "--user", manager.email)
    assert code == 2 and "administrateur de l'installation" in message
    assert not EcbDecision.objects.filter(effective_date=date(2026, 6, 10)).exists()
    assert _rates(*args, "--user", admin.email)[0] == 0
    assert EcbDecision.objects.filter(effective_date=date(2026, 6, 10)).exists()


def test_the_command_reads_the_user_from_relance_user(monkeypatch, org):
    manager = MembershipFactory(org=org, user=UserFactory(email="mia@durand.fr"), role=Role.MANAGER).user
    monkeypatch.setenv("RELANCE_USER", manager.email)
    code, _ = _rates("add", "--kind", "ecb", "--from", "2026-06-10", "--rate", "2")
    assert code == 2
    assert not EcbDecision.objects.filter(effective_date=date(2026, 6, 10)).exists()
