from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from relance.accounts.models import Membership, Organisation
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.dunning.models import Action, ActionInvoice
from relance.ledger.models import Invoice
from relance.web.selectors import staff_explanation

pytestmark = pytest.mark.django_db


@pytest.fixture
def litigation(org, late_customer, today):
    """An escalation awaiting approval (a task channel: approving it needs no transport)."""
    action = Action.objects.create(org=org, customer=late_customer, step="litigation", channel="task",
                                   date=today, status="awaiting_approval", amount_due=Decimal("1200.00"))
    invoice = Invoice.objects.get(number="FA-LATE")
    ActionInvoice.objects.create(action=action, invoice=invoice, amount=Decimal("1200.00"))
    return action


def test_the_invoice_list_shows_open_invoices_soonest_due_first(late_customer, victor, client_for):
    response = client_for(victor).get(reverse("invoice_list"))
    assert [i.number for i in response.context["page"]] == ["FA-LATE", "FA-SOON"]
    assert [i.number for i in client_for(victor).get(reverse("invoice_list"), {"overdue": "1"}).context["page"]] \
        == ["FA-LATE"]


def test_the_invoice_page_explains_the_ladder(late_customer, victor, client_for):
    invoice = Invoice.objects.get(number="FA-LATE")
    response = client_for(victor).get(reverse("invoice_detail", args=[invoice.pk]))
    assert response.status_code == 200
    assert response.context["explanation"].invoice == "FA-LATE"
    # shown in the staff's words: step labels, no rule numbers (web.selectors.staff_explanation)
    assert escape(staff_explanation(response.context["explanation"].text)) in response.content.decode()


def test_the_invoice_page_shows_the_payee_account_the_invoice_states(late_customer, victor, client_for):
    invoice = Invoice.objects.get(number="FA-LATE")
    url = reverse("invoice_detail", args=[invoice.pk])
    assert "compte indiqué par la facture" not in client_for(victor).get(url).content.decode()
    Invoice.objects.filter(pk=invoice.pk).update(payee_iban="DE89370400440532013000")
    html = client_for(victor).get(url).content.decode()
    assert "compte indiqué par la facture" in html and "DE89370400440532013000" in html


def test_an_outsider_cannot_open_another_organisation_s_invoice(late_customer, charlie, client_for):
    invoice = Invoice.objects.get(number="FA-LATE")
    assert client_for(charlie).get(reverse("invoice_detail", args=[invoice.pk])).status_code == 404
    assert not client_for(charlie).get(reverse("invoice_list")).context["page"].object_list


def test_the_action_list_filters_by_status(litigation, org, late_customer, victor, client_for, today):
    Action.objects.create(org=org, customer=late_customer, step="reminder_1", channel="email", status="sent",
                          date=today - timedelta(days=20), amount_due=Decimal("1200.00"))
    c = client_for(victor)
    assert len(c.get(reverse("action_list")).context["page"]) == 2
    only = c.get(reverse("action_list"), {"status": "awaiting_approval"}).context["page"]
    assert [a.pk for a in only] == [litigation.pk]


def test_a_manager_approves_in_bulk_and_the_step_is_carried_out(litigation, alice, client_for):
    response = client_for(alice).post(reverse("action_bulk"), {"ids": [litigation.pk], "do": "approve"}, follow=True)
    assert "1 action validée." in response.content.decode()
    litigation.refresh_from_db()
    assert litigation.status == "task" and litigation.approved_by == alice


def test_cancelling_in_bulk_reports_what_was_refused(litigation, alice, client_for, org, late_customer, today):
    sent = Action.objects.create(org=org, customer=late_customer, step="reminder_1", channel="email", status="sent",
                                 date=today, amount_due=Decimal("1"))
    response = client_for(alice).post(reverse("action_bulk"), {"ids": [litigation.pk, sent.pk], "do": "cancel"},
                                      follow=True)
    html = response.content.decode()
    assert "1 action annulée." in html and "ne peut pas être annulée" in html


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("victor", 403), ("charlie", 302)])
def test_collectors_viewers_and_outsiders_cannot_approve(litigation, persona, status, request, client_for):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("action_bulk"), {"ids": [litigation.pk], "do": "approve"})
    assert response.status_code == status  # the outsider (an owner elsewhere) finds no such action
    litigation.refresh_from_db()
    assert litigation.status == "awaiting_approval"


def test_a_collector_sees_no_approval_checkboxes(litigation, bob, client_for):
    assert 'name="ids"' not in client_for(bob).get(reverse("action_list")).content.decode()


def test_the_action_list_runs_a_bounded_number_of_queries(org, late_customer, alice, client_for, today,
                                                          django_assert_max_num_queries):
    for i in range(60):
        Action.objects.create(org=org, customer=CustomerFactory(org=org), step="reminder_1", channel="email",
                              date=today - timedelta(days=i), status="sent", amount_due=Decimal("10"))
    c = client_for(alice)
    with django_assert_max_num_queries(7):
        assert c.get(reverse("action_list")).status_code == 200
    InvoiceFactory.create_batch(60, customer=late_customer)
    with django_assert_max_num_queries(7):
        assert c.get(reverse("invoice_list")).status_code == 200


def test_revoking_portal_links_is_recorded(late_customer, alice, client_for):
    response = client_for(alice).post(reverse("customer_portal_revoke", args=[late_customer.pk]), follow=True)
    assert "0 lien du portail révoqué." in response.content.decode()


def test_a_collector_cannot_revoke_portal_links_nor_sees_the_button(late_customer, bob, client_for):
    c = client_for(bob)
    assert c.post(reverse("customer_portal_revoke", args=[late_customer.pk])).status_code == 403
    assert reverse("customer_portal_revoke", args=[late_customer.pk]) not in c.get(
        reverse("customer_detail", args=[late_customer.pk])).content.decode()


# --- settings --------------------------------------------------------------------------------------


def test_the_owner_changes_the_contact_rules(org, alice, client_for):
    response = client_for(alice).post(reverse("settings"), {
        "section": "rules", "rules-contact_spacing_days": "5", "rules-min_reminder_amount": "25.00",
        "rules-dunning_time": "09:00", "rules-sending_hours_start": "09:00", "rules-sending_hours_end": "18:00",
        "rules-holidays_region": "alsace_moselle", "rules-bank_staleness_days": "3", "rules-pause_on_reply": "on",
    }, follow=True)
    assert "Paramètres enregistrés." in response.content.decode()
    org.refresh_from_db()
    assert (org.contact_spacing_days, org.min_reminder_amount, org.holidays_region) == (5, Decimal("25.00"),
                                                                                     "alsace_moselle")


def test_sending_hours_must_end_after_they_start(org, alice, client_for):
    response = client_for(alice).post(reverse("settings"), {
        "section": "rules", "rules-contact_spacing_days": "3", "rules-min_reminder_amount": "10",
        "rules-dunning_time": "08:30", "rules-sending_hours_start": "19:00", "rules-sending_hours_end": "09:00",
        "rules-holidays_region": "national", "rules-bank_staleness_days": "3",
    })
    assert "La fin des envois doit être après leur début." in response.content.decode()


def test_an_invalid_iban_is_refused_in_french(org, alice, client_for):
    data = {f"org-{k}": v for k, v in {"name": "Atelier", "iban": "FR00 1234", "payment_terms_days": "30"}.items()}
    response = client_for(alice).post(reverse("settings"), {"section": "org", **data})
    assert response.status_code == 200 and "IBAN" in response.content.decode()
    assert Organisation.objects.get(pk=org.pk).name == "Atelier Durand SARL"


@pytest.mark.parametrize("persona", ["bob", "victor"])
def test_collectors_and_viewers_cannot_open_the_settings(org, persona, request, client_for):
    c = client_for(request.getfixturevalue(persona))
    assert c.get(reverse("settings")).status_code == 403
    assert c.post(reverse("member_save"), {"email": "x@y.fr", "role": "owner", "password": "longenough"}).status_code == 403


def test_the_owner_adds_a_member_and_changes_roles_but_keeps_an_owner(org, alice, bob, client_for):
    c = client_for(alice)
    c.post(reverse("member_save"), {"email": "nina@durand.fr", "role": "viewer", "password": "un mot de passe"})
    nina = Membership.objects.get(org=org, user__email="nina@durand.fr")
    assert nina.role == "viewer" and nina.user.check_password("un mot de passe")
    c.post(reverse("member_save"), {"membership": nina.pk, "role": "manager"})
    assert Membership.objects.get(pk=nina.pk).role == "manager"
    own = Membership.objects.get(org=org, user=alice)
    response = c.post(reverse("member_save"), {"membership": own.pk, "role": "viewer"}, follow=True)
    assert "au moins un propriétaire" in response.content.decode()
    c.post(reverse("member_save"), {"membership": nina.pk, "remove": "1"})
    assert not Membership.objects.filter(pk=nina.pk).exists()


def test_a_manager_edits_settings_but_not_members(org, client_for):
    from relance.core.factories import MembershipFactory, UserFactory

    manager = MembershipFactory(org=org, user=UserFactory(email="max@durand.fr"), role="manager").user
    c = client_for(manager)
    assert c.get(reverse("settings")).status_code == 200
    assert c.post(reverse("member_save"), {"email": "x@y.fr", "role": "owner"}).status_code == 403


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_bulk_actions_never_redirect_elsewhere(litigation, alice, client_for, target):
    response = client_for(alice).post(reverse("action_bulk"), {"ids": [litigation.pk], "do": "cancel", "next": target})
    assert response["Location"] == reverse("action_list")
