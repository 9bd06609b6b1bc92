"""/relances/: the approvals list — managers approve, others may look, outsiders see nothing."""

from __future__ import annotations

from datetime import date

import pytest

from relance.accounts.models import Role
from relance.core.factories import MembershipFactory, UserFactory
from relance.dunning.models import Action, LadderMark
from relance.dunning.services import dunning_run
from relance.dunning.tests.test_services import at_formal_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(org):
    at_formal_notice(org, ref="C500", number="FA-500")
    dunning_run(org=org, today=date(2025, 5, 9))
    return Action.objects.get()


@pytest.fixture
def manager(org):
    return MembershipFactory(org=org, user=UserFactory(email="marie@durand.fr"), role=Role.MANAGER).user


def test_the_list_shows_actions_awaiting_approval_with_their_invoices(client_for, alice, pending):
    page = client_for(alice).get("/relances/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "FA-500" in html and "Mise en demeure" in html and "Valider" in html


def test_a_manager_approves_with_a_post_and_the_action_is_carried_out(client_for, manager, pending):
    response = client_for(manager).post(f"/relances/{pending.pk}/valider/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status != "awaiting_approval" and pending.approved_by == manager
    assert LadderMark.objects.filter(step="formal_notice").exists()


def test_a_viewer_or_collector_sees_the_list_without_buttons_and_gets_403_on_approve(client_for, victor, bob,
                                                                                      pending):
    for user in (victor, bob):
        client = client_for(user)
        assert "<button" not in client.get("/relances/").content.decode().split("<main")[1]
        assert client.post(f"/relances/{pending.pk}/valider/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == "awaiting_approval"


def test_approving_needs_a_post(client_for, alice, pending):
    assert client_for(alice).get(f"/relances/{pending.pk}/valider/").status_code == 405


def test_an_outsider_sees_nothing_of_another_organisation(client_for, charlie, pending):
    client = client_for(charlie)
    assert "FA-500" not in client.get("/relances/").content.decode()
    assert client.post(f"/relances/{pending.pk}/valider/").status_code == 404
    pending.refresh_from_db()
    assert pending.status == "awaiting_approval"


def test_csrf_is_enforced_on_approve(alice, pending):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(f"/relances/{pending.pk}/valider/").status_code == 403


def test_the_approval_confirmation_is_in_the_manager_s_language(client_for, manager, pending):
    from django.urls import reverse

    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.post(f"/relances/{pending.pk}/valider/", follow=True).content.decode()
    assert f"approved for {pending.customer.name}" in page and "validée" not in page


def test_the_approvals_page_is_in_the_main_navigation(client_for, alice, pending):
    page = client_for(alice).get("/").content.decode()
    nav = page.split('aria-label="Navigation principale"')[1].split("</nav>")[0]
    assert 'href="/relances/"' in nav and "À valider" in nav


def test_an_approval_too_close_to_the_last_message_is_refused_in_plain_words(org, pending):
    from relance.dunning.services import approval_spacing_problem

    day = pending.date
    Action.objects.create(org=org, customer=pending.customer, step="reminder_3", channel="letter", date=day,
                          status=Action.Status.SENT, carried_out_on=day, amount_due=pending.amount_due)
    problem = approval_spacing_problem(org=org, action=pending, today=day)
    assert f"le client {pending.customer.ref} a reçu un message le {day:%d/%m/%Y}" in problem
    assert "3 jours d'écart" in problem and "règle" not in problem  # no internal rule numbers for staff
