"""Every staff view against the personas of STYLE.md: Alice (owner), Bob (collector), Victor (viewer) and Charlie,
owner of another organisation, who must never reach Alice's data. A refused request changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from relance.activity.models import Event, Task
from relance.activity.services import task_create
from relance.dunning.models import Action, ActionInvoice, Plan
from relance.ledger.models import Contact, Dispute, Invoice, Promise

pytestmark = pytest.mark.django_db
RANK = {"viewer": 0, "collector": 1, "manager": 2, "owner": 3}
PERSONAS = {"alice": "owner", "bob": "collector", "victor": "viewer"}

#: (url name, arguments from the fixture objects, method, lowest role allowed, scoped to one of Alice's rows)
VIEWS = [
    ("dashboard", lambda o: [], "get", "viewer", False),
    ("today", lambda o: [], "get", "viewer", False),
    ("task_done", lambda o: [o["task"].pk], "post", "collector", True),
    ("task_decide", lambda o: [o["approval"].pk], "post", "manager", True),
    ("customer_list", lambda o: [], "get", "viewer", False),
    ("customer_detail", lambda o: [o["customer"].pk], "get", "viewer", True),
    ("customer_call", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_promise", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_dispute_open", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_dispute_resolve", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_pause", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_contact", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_manual", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_portal_revoke", lambda o: [o["customer"].pk], "post", "manager", True),
    ("customer_send_now_preview", lambda o: [o["customer"].pk], "post", "collector", True),
    ("customer_send_now", lambda o: [o["customer"].pk], "post", "collector", True),
    ("invoice_list", lambda o: [], "get", "viewer", False),
    ("invoice_detail", lambda o: [o["invoice"].pk], "get", "viewer", True),
    ("action_list", lambda o: [], "get", "viewer", False),
    ("action_bulk", lambda o: [], "post", "manager", False),
    ("settings", lambda o: [], "get", "manager", False),
    ("member_save", lambda o: [], "post", "owner", False),
    ("plan_list", lambda o: [], "get", "manager", False),
    ("plan_edit", lambda o: [o["plan"].pk], "get", "manager", True),
    ("template_list", lambda o: [], "get", "manager", False),
    ("template_edit", lambda o: ["reminder_1", "email_text", "fr"], "get", "manager", False),
    ("template_preview", lambda o: [], "post", "manager", False),
]
#: what a POST sends: enough to do something real when allowed (so a refusal is visible in the counts)
DATA = {
    "task_done": {"outcome": "fait"}, "task_decide": {"do": "cancel"},
    "customer_call": {"outcome": "reached", "note": "x"}, "customer_promise": {"until": "2099-01-01"},
    "customer_pause": {"reason": "x"}, "customer_contact": {"name": "Nouveau", "email": "n@x.fr"},
    "customer_manual": {"manual": "1"}, "customer_send_now_preview": {"step": "reminder_1", "channel": "email"},
    "customer_send_now": {"step": "reminder_1", "channel": "email"}, "action_bulk": {"do": "cancel"},
    "member_save": {"email": "new@durand.fr", "role": "viewer", "password": "un mot de passe long"},
    "template_preview": {"step": "reminder_1", "part": "email_text", "language": "fr", "source": "x"},
}


@pytest.fixture
def objects(org, plan, late_customer, today, alice, bob, victor, charlie):
    invoice = Invoice.objects.get(number="FA-LATE")
    action = Action.objects.create(org=org, customer=late_customer, step="formal_notice", date=today,
                                   channel="registered_letter", status="awaiting_approval",
                                   amount_due=Decimal("1200.00"))
    ActionInvoice.objects.create(action=action, invoice=invoice, amount=Decimal("1200.00"))
    return {
        "customer": late_customer, "invoice": invoice, "plan": Plan.objects.get(org=org),
        "task": task_create(org=org, kind="letter", title="Courrier à poster", due=today),
        "approval": task_create(org=org, kind="approval", title="Valider", due=today, customer=late_customer,
                                action_id=action.pk),
    }


def counts() -> tuple[int, ...]:
    from relance.accounts.models import Membership

    return tuple(m.objects.count() for m in (Event, Action, Promise, Dispute, Contact, Membership)) + (
        Task.objects.filter(status="open").count(), Action.objects.filter(status="awaiting_approval").count())


def call(client, name, args, method):
    url = reverse(name, args=args)
    return client.get(url) if method == "get" else client.post(url, DATA.get(name, {}))


@pytest.mark.parametrize("persona", ["alice", "bob", "victor"])
@pytest.mark.parametrize(("name", "args", "method", "role", "scoped"), VIEWS, ids=[v[0] for v in VIEWS])
def test_each_member_gets_what_its_role_allows_and_a_refusal_changes_nothing(
        objects, client_for, request, persona, name, args, method, role, scoped):
    client = client_for(request.getfixturevalue(persona))
    allowed = RANK[PERSONAS[persona]] >= RANK[role]
    before = counts()
    response = call(client, name, args(objects), method)
    if allowed:
        assert response.status_code in (200, 302), (name, persona, response.status_code)
    else:
        assert response.status_code == 403, (name, persona, response.status_code)
        assert counts() == before, (name, persona)


@pytest.mark.parametrize(("name", "args", "method", "role", "scoped"), VIEWS, ids=[v[0] for v in VIEWS])
def test_an_outsider_never_reaches_or_changes_alice_s_data(objects, client_for, charlie, name, args, method, role,
                                                          scoped):
    client = client_for(charlie)
    before = counts()
    response = call(client, name, args(objects), method)
    if scoped:
        assert response.status_code == 404, (name, response.status_code)
    else:
        assert response.status_code in (200, 302), (name, response.status_code)
        assert "Garage Lefèvre" not in response.content.decode() and "FA-LATE" not in response.content.decode()
    if method == "post" and name != "member_save":  # Charlie may add a member to his own organisation
        assert counts() == before, name
