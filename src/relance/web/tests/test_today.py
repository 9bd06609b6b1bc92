from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from relance.activity.models import Task
from relance.activity.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(org, bob, alice, late_customer, today):
    return {
        "call": task_create(org=org, kind="call", title="Appeler Garage Lefèvre", due=today, customer=late_customer,
                            assignee=bob, body="Bonjour, je vous appelle au sujet de la facture FA-LATE…"),
        "letter": task_create(org=org, kind="letter", title="Courrier à poster", due=today - timedelta(days=2)),
        "alice": task_create(org=org, kind="reply", title="Réponse d'Alice à lire", due=today, assignee=alice),
        "later": task_create(org=org, kind="dispute", title="Litige de la semaine prochaine",
                             due=today + timedelta(days=7)),
    }


def test_today_groups_my_tasks_and_the_team_queue_by_kind(tasks, bob, client_for):
    response = client_for(bob).get(reverse("today"))
    groups = [(kind, [t.title for t in items]) for kind, _label, items in response.context["groups"]]
    assert groups == [("call", ["Appeler Garage Lefèvre"]), ("letter", ["Courrier à poster"])]
    html = response.content.decode()
    assert "Appels à passer" in html and "Script d'appel" in html and "FA-LATE" in html
    assert "en retard depuis le" in html


def test_the_whole_team_s_tasks_are_one_click_away(tasks, bob, client_for):
    response = client_for(bob).get(reverse("today"), {"equipe": "1"})
    assert response.context["total"] == 3


def test_a_task_done_with_htmx_leaves_the_list(tasks, bob, client_for, today):
    c = client_for(bob)
    response = c.post(reverse("task_done", args=[tasks["call"].pk]), {"outcome": "Rappeler lundi"},
                      HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode() == '<span id="today-total" hx-swap-oob="true">1 tâche à faire</span>'
    task = Task.objects.get(pk=tasks["call"].pk)
    assert (task.status, task.done_on, task.outcome) == ("done", today, "Rappeler lundi")
    assert "Appeler Garage Lefèvre" not in c.get(reverse("today")).content.decode()


def test_without_javascript_done_redirects_back_with_a_message(tasks, bob, client_for):
    response = client_for(bob).post(reverse("task_done", args=[tasks["letter"].pk]), follow=True)
    assert "« Courrier à poster » : fait." in response.content.decode()


def test_a_task_already_done_says_so(tasks, bob, client_for):
    c = client_for(bob)
    c.post(reverse("task_done", args=[tasks["letter"].pk]), HTTP_HX_REQUEST="true")
    response = c.post(reverse("task_done", args=[tasks["letter"].pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "déjà" in response.content.decode()


def test_a_viewer_sees_the_list_but_cannot_complete_a_task(tasks, victor, client_for):
    c = client_for(victor)
    html = c.get(reverse("today")).content.decode()
    assert "Courrier à poster" in html and 'name="outcome"' not in html
    assert c.post(reverse("task_done", args=[tasks["letter"].pk])).status_code == 403
    assert Task.objects.get(pk=tasks["letter"].pk).status == "open"


def test_an_outsider_cannot_complete_another_organisation_s_task(tasks, charlie, client_for):
    c = client_for(charlie)
    assert c.post(reverse("task_done", args=[tasks["letter"].pk])).status_code == 404
    assert "Courrier à poster" not in c.get(reverse("today"), {"equipe": "1"}).content.decode()


def test_the_today_list_runs_a_fixed_number_of_queries(org, bob, client_for, today, late_customer,
                                                      django_assert_max_num_queries):
    for i in range(30):
        task_create(org=org, kind=["call", "letter", "contact"][i % 3], title=f"Tâche {i}", due=today,
                    customer=late_customer)
    c = client_for(bob)
    with django_assert_max_num_queries(8):
        assert c.get(reverse("today")).status_code == 200


@pytest.fixture
def approval_task(org, late_customer, today):
    from decimal import Decimal

    from relance.dunning.models import Action, ActionInvoice
    from relance.ledger.models import Invoice

    action = Action.objects.create(org=org, customer=late_customer, step="litigation", channel="task", date=today,
                                   status="awaiting_approval", amount_due=Decimal("1200.00"))
    ActionInvoice.objects.create(action=action, invoice=Invoice.objects.get(number="FA-LATE"), amount=Decimal("1200"))
    return task_create(org=org, kind="approval", title="Contentieux à valider", due=today, customer=late_customer,
                       action_id=action.pk), action


def test_a_manager_approves_from_the_today_list_in_place(approval_task, alice, client_for):
    task, action = approval_task
    c = client_for(alice)
    assert 'value="approve"' in c.get(reverse("today")).content.decode()
    response = c.post(reverse("task_decide", args=[task.pk]), {"do": "approve"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # the engine opened the litigation task: it is what is left to do
    assert "1 tâche à faire" in response.content.decode()
    action.refresh_from_db()
    task.refresh_from_db()
    assert action.status == "task" and action.approved_by == alice and task.status == "done"


def test_cancelling_from_the_today_list(approval_task, alice, client_for):
    task, action = approval_task
    client_for(alice).post(reverse("task_decide", args=[task.pk]), {"do": "cancel"})
    action.refresh_from_db()
    assert action.status == "cancelled"


def test_a_collector_cannot_approve_from_the_today_list(approval_task, bob, client_for):
    task, action = approval_task
    c = client_for(bob)
    assert 'value="approve"' not in c.get(reverse("today")).content.decode()
    assert c.post(reverse("task_decide", args=[task.pk]), {"do": "approve"}).status_code == 403
    action.refresh_from_db()
    assert action.status == "awaiting_approval"
