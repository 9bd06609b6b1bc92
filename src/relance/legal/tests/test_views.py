from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from relance.core.factories import UserFactory
from relance.legal.models import EcbDecision, RateHalfYear

pytestmark = pytest.mark.django_db
URL = "/parametres/taux/"
ECB = {"effective_date": "2026-06-10", "rate": "2,00", "source": "Communiqué BCE", "source_url": ""}
HALF = {"year": "2026", "half": "2", "ecb_rate": "2.00", "legal_rate_other": "2.50", "legal_rate_private": "6.50",
        "source": "Arrêté du 15 juin 2026", "source_url": ""}


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "connexion" in response["Location"]


def test_someone_without_a_membership_may_not_read(client_for):
    assert client_for(UserFactory(email="nobody@example.fr")).get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["victor", "bob"])
def test_members_read_both_tables_without_the_edit_forms(client_for, persona, request):
    response = client_for(request.getfixturevalue(persona)).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "1er semestre 2024" in body and "15,21" in body  # the 3× floor above ECB + 10 (14,50)
    assert "16/03/2016" in body  # the oldest ECB decision
    assert "Ajouter une décision BCE" not in body and "Modifier" not in body


def _install_admin(user):
    """The rate tables are global to the install: only install administrators (staff) edit them."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_an_install_administrator_sees_the_forms_with_csrf_tokens(client_for, alice):
    body = client_for(_install_admin(alice)).get(URL).content.decode()
    assert "Ajouter une décision BCE" in body and "Ajouter un semestre" in body
    assert body.count("csrfmiddlewaretoken") >= 3  # logout + both forms


@pytest.mark.parametrize("persona", ["victor", "bob"])
def test_a_collector_or_viewer_cannot_add_or_edit(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))
    row = RateHalfYear.objects.get(year=2025, half=1)
    assert client.post(URL + "bce/ajouter/", ECB).status_code == 403
    assert client.post(URL + "semestres/ajouter/", HALF).status_code == 403
    assert client.post(f"{URL}semestres/{row.pk}/", {**HALF, "legal_rate_other": "9"}).status_code == 403
    assert not EcbDecision.objects.filter(effective_date=date(2026, 6, 10)).exists()
    assert RateHalfYear.objects.get(pk=row.pk).legal_rate_other == D("3.71")


def test_an_install_administrator_adds_an_ecb_decision_that_sets_the_next_half_year(client_for, alice):
    response = client_for(_install_admin(alice)).post(URL + "bce/ajouter/", ECB)
    assert response.status_code == 302
    assert EcbDecision.objects.get(effective_date=date(2026, 6, 10)).rate == D("2.00")
    assert RateHalfYear.objects.get(year=2026, half=2).ecb_rate == D("2.00")


def test_a_manager_who_is_install_administrator_adds_then_edits_a_half_year(client_for, org):
    from relance.accounts.models import Role
    from relance.core.factories import MembershipFactory

    manager = MembershipFactory(org=org, user=UserFactory(email="mia@durand.fr"), role=Role.MANAGER).user
    client = client_for(_install_admin(manager))
    assert client.post(URL + "semestres/ajouter/", HALF).status_code == 302
    row = RateHalfYear.objects.get(year=2026, half=2)
    assert (row.legal_rate_other, row.legal_rate_private) == (D("2.50"), D("6.50"))
    assert client.get(f"{URL}semestres/{row.pk}/").status_code == 200
    assert client.post(f"{URL}semestres/{row.pk}/", {**HALF, "legal_rate_other": "2,55"}).status_code == 302
    assert RateHalfYear.objects.get(pk=row.pk).legal_rate_other == D("2.55")


def test_bad_input_is_refused_with_a_french_message(client_for, alice):
    client = client_for(_install_admin(alice))
    response = client.post(URL + "bce/ajouter/", {**ECB, "rate": "beaucoup"})
    assert response.status_code == 400 and "Saisissez un nombre" in response.content.decode()
    duplicate = client.post(URL + "semestres/ajouter/", {**HALF, "year": "2025", "half": "1"})
    assert duplicate.status_code == 400 and "existe déjà" in duplicate.content.decode()
    assert RateHalfYear.objects.get(year=2025, half=1).legal_rate_other == D("3.71")


def test_editing_an_ecb_decision_recomputes_the_half_years(client_for, alice):
    decision = EcbDecision.objects.get(effective_date=date(2024, 12, 18))
    response = client_for(_install_admin(alice)).post(f"{URL}bce/{decision.pk}/", {**ECB, "rate": "3.20"})
    assert response.status_code == 302
    assert EcbDecision.objects.get(pk=decision.pk).effective_date == date(2024, 12, 18)  # the date is not editable
    assert RateHalfYear.objects.get(year=2025, half=1).ecb_rate == D("3.20")


def test_posting_without_the_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(URL + "bce/ajouter/", ECB).status_code == 403
    assert not EcbDecision.objects.filter(effective_date=date(2026, 6, 10)).exists()
