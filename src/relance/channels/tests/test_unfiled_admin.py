"""The install operator's decisions on unfiled replies, through the real admin: file on a customer, ignore."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse

from relance.accounts.models import User
from relance.activity.models import Event, Task
from relance.channels.models import SentMessage, UnfiledReply
from relance.channels.replies import mail_file, mail_parse, unfiled_file
from relance.core.dates import local_today
from relance.core.errors import ApplicationError
from relance.core.factories import ContactFactory, CustomerFactory, OrganisationFactory
from relance.ledger.models import Contact, Customer

EML = Path(__file__).parent / "eml"
SENT_ID = "<174213.111.222@atelier-durand.fr>"
SENDER = "claire@boulangerie.example"
CHANGELIST = "admin:channels_unfiledreply_changelist"


def parse(name):
    return mail_parse((EML / name).read_bytes())


def file_url(unfiled):
    return reverse("admin:channels_unfiledreply_file", args=[unfiled.pk])


def ignore_url(unfiled):
    return reverse("admin:channels_unfiledreply_ignore", args=[unfiled.pk])


@pytest.fixture
def ops(db):
    return User.objects.create_superuser("ops@relance.example", "x")


@pytest.fixture
def shared(org, other_org):
    """The sender is a contact of one customer in each organisation: the shared mailbox keeps the reply."""
    mine = CustomerFactory(org=org, ref="C-DURAND", name="Boulangerie Claire")
    theirs = CustomerFactory(org=other_org, ref="C-CONC", name="Claire chez le concurrent")
    for customer in (mine, theirs):
        ContactFactory(customer=customer, email=SENDER)
    assert not mail_file(parse("reply_unthreaded.eml"), today=local_today())
    return UnfiledReply.objects.get()


def reply_filed(customer):
    """What filing a reply leaves behind, the author of the event aside."""
    event = Event.objects.get(type="reply_received")
    task = Task.objects.get(kind=Task.Kind.REPLY, customer=customer)
    customer.refresh_from_db()
    return {"event": (event.org_id, event.customer_id, event.date, event.message, event.data),
            "task": (task.org_id, task.title, task.body, task.due_date, task.status, task.action_id, task.data,
                     task.assignee_id),
            "customer": (customer.paused, customer.pause_reason)}


def automatic_filing(mail_name, customer, **kwargs):
    """What mail_file leaves for this mail when it can file it on `customer`, then undone."""
    with transaction.atomic():
        assert mail_file(parse(mail_name), today=local_today(), **kwargs)
        state = reply_filed(customer)
        transaction.set_rollback(True)
    return state


def test_filing_a_reply_does_what_automatic_filing_does_and_records_who_filed_it(client, ops, org, other_org):
    mine = CustomerFactory(org=org, ref="C-DURAND", name="Boulangerie Claire")
    ContactFactory(customer=mine, email=SENDER)
    automatic = automatic_filing("reply_unthreaded.eml", mine)
    assert automatic["customer"][0] and automatic["event"][4]["from"] == SENDER
    # Known to another organisation too: the shared mailbox keeps it, and the operator files it.
    ContactFactory(customer=CustomerFactory(org=other_org), email=SENDER)
    assert not mail_file(parse("reply_unthreaded.eml"), today=local_today())
    unfiled = UnfiledReply.objects.get()
    assert not Event.objects.exists() and not Customer.objects.filter(paused=True).exists()

    client.force_login(ops)
    page = client.post(file_url(unfiled), {"org": org.pk, "customer_ref": "C-DURAND"}, follow=True)
    assert "Réponse classée sur Boulangerie Claire (C-DURAND)" in page.text
    assert reply_filed(mine) == automatic
    assert Event.objects.get(type="reply_received").actor == ops
    unfiled.refresh_from_db()
    assert (unfiled.status, unfiled.customer, unfiled.handled_by) == (UnfiledReply.Status.FILED, mine, ops)
    assert unfiled.handled_at is not None
    assert not Customer.objects.filter(org=other_org, paused=True).exists()
    assert not Task.objects.filter(org=other_org).exists()


def test_a_reply_on_another_organisations_thread_is_filed_with_its_thread(client, ops, org, other_org):
    theirs = CustomerFactory(org=other_org, ref="C9")
    SentMessage.objects.create(org=other_org, customer=theirs, channel="email", message_id=SENT_ID,
                               recipients=["helene@creperie.fr"], day=date(2025, 3, 17))
    automatic = automatic_filing("reply_outlook_fr.eml", theirs)  # read from the install's mailbox
    assert automatic["event"][4]["in_reply_to"] == SENT_ID
    assert not mail_file(parse("reply_outlook_fr.eml"), today=local_today(), org=org)
    unfiled = UnfiledReply.objects.get()
    assert unfiled.candidate_orgs == [other_org.pk]

    client.force_login(ops)
    form = client.get(file_url(unfiled))
    assert form.status_code == 200 and f"<code>{theirs.ref}</code>" in form.text  # the thread's customer
    client.post(file_url(unfiled), {"org": other_org.pk, "customer_ref": "C9"})
    assert reply_filed(theirs) == automatic


def test_an_organisation_the_mail_did_not_point_to_is_refused(client, ops, shared):
    outsider = CustomerFactory(org=OrganisationFactory(name="Tierce SAS", slug="tierce"), ref="C-TIERS")
    client.force_login(ops)
    page = client.post(file_url(shared), {"org": outsider.org_id, "customer_ref": "C-TIERS"})
    assert page.status_code == 200 and "pas une des organisations possibles" in page.text
    assert "Tierce SAS" not in page.text  # not even offered
    shared.refresh_from_db()
    assert shared.status == UnfiledReply.Status.PENDING
    assert not Event.objects.exists() and not Task.objects.exists()
    with pytest.raises(ApplicationError, match="ne fait pas partie des organisations possibles"):
        unfiled_file(unfiled=shared, customer=outsider, by=None, today=local_today())
    assert not Event.objects.exists()


def test_a_customer_code_of_another_organisation_is_not_found_in_the_chosen_one(client, ops, org, shared):
    client.force_login(ops)
    page = client.post(file_url(shared), {"org": org.pk, "customer_ref": "C-CONC"})
    assert "Aucun client de code « C-CONC » chez Atelier Durand SARL." in page.text
    assert not Event.objects.exists()


def test_without_candidates_any_organisation_may_be_chosen(client, ops, org, other_org):
    assert not mail_file(parse("reply_unthreaded.eml"), today=local_today())  # unknown sender, shared mailbox
    unfiled = UnfiledReply.objects.get()
    assert unfiled.candidate_orgs == []
    theirs = CustomerFactory(org=other_org, ref="C7")
    client.force_login(ops)
    client.post(file_url(unfiled), {"org": other_org.pk, "customer_ref": "C7"})
    assert Event.objects.get(type="reply_received").customer == theirs


def test_a_reply_cannot_be_filed_twice(client, ops, org, other_org, shared):
    client.force_login(ops)
    client.post(file_url(shared), {"org": org.pk, "customer_ref": "C-DURAND"})
    again = client.post(file_url(shared), {"org": other_org.pk, "customer_ref": "C-CONC"}, follow=True)
    assert "Cette réponse est déjà classée." in again.text
    assert Event.objects.filter(type="reply_received").count() == 1
    assert not Customer.objects.filter(org=other_org, paused=True).exists()
    # Two clicks at the same time: the second one finds it decided, whatever it held in memory.
    stale = UnfiledReply.objects.get()
    stale.status = UnfiledReply.Status.PENDING
    with pytest.raises(ApplicationError, match=r"déjà classée \(sur Boulangerie Claire"):
        unfiled_file(unfiled=stale, customer=Customer.objects.get(ref="C-CONC"), by=ops, today=local_today())
    assert Event.objects.filter(type="reply_received").count() == 1
    # Read again from the mailbox: neither kept again nor filed twice.
    assert not mail_file(parse("reply_unthreaded.eml"), today=local_today())
    assert UnfiledReply.objects.count() == 1 and Event.objects.count() == 1


def test_a_reply_already_on_the_timeline_is_not_filed_again(client, ops, org, other_org):
    theirs = CustomerFactory(org=other_org, ref="C9")
    SentMessage.objects.create(org=other_org, customer=theirs, channel="email", message_id=SENT_ID,
                               recipients=["helene@creperie.fr"], day=date(2025, 3, 17))
    mail_file(parse("reply_outlook_fr.eml"), today=local_today(), org=org)  # kept: foreign thread
    assert mail_file(parse("reply_outlook_fr.eml"), today=local_today())  # then filed from the shared mailbox
    client.force_login(ops)
    page = client.post(file_url(UnfiledReply.objects.get()), {"org": other_org.pk, "customer_ref": "C9"},
                       follow=True)
    assert "déjà sur la chronologie de Concurrent SA" in page.text
    assert Event.objects.count() == 1 and UnfiledReply.objects.get().status == UnfiledReply.Status.PENDING


def test_the_organisations_task_to_read_it_is_settled_when_it_is_filed(client, ops, org, other_org):
    mine = CustomerFactory(org=org, ref="C1")
    assert not mail_file(parse("reply_unthreaded.eml"), today=local_today(), org=org)  # its own mailbox
    to_read = Task.objects.get(org=org, customer=None)
    assert "client non reconnu" in to_read.title
    client.force_login(ops)
    client.post(file_url(UnfiledReply.objects.get()), {"org": org.pk, "customer_ref": "C1"})
    to_read.refresh_from_db()
    assert to_read.status == Task.Status.DONE and to_read.done_on == local_today()
    assert Task.objects.get(status=Task.Status.OPEN).customer == mine


def test_an_unmatched_bounce_is_filed_as_a_bounce(client, ops, org):
    customer = CustomerFactory(org=org, ref="C1")
    contact = ContactFactory(customer=customer, email="helene@creperie.fr")
    assert not mail_file(parse("bounce_postfix.eml"), today=local_today())
    unfiled = UnfiledReply.objects.get()
    assert unfiled.reason == UnfiledReply.Reason.UNMATCHED_BOUNCE
    client.force_login(ops)
    client.post(file_url(unfiled), {"org": org.pk, "customer_ref": "C1"})
    contact.refresh_from_db()
    assert contact.email_invalid
    assert Event.objects.get(type="email_bounced").data["recipients"] == ["helene@creperie.fr"]
    assert Task.objects.get(kind=Task.Kind.CONTACT).customer == customer
    customer.refresh_from_db()
    assert not customer.paused and not Event.objects.filter(type="reply_received").exists()


def test_the_list_action_leads_to_the_form_for_one_reply(client, ops, shared):
    client.force_login(ops)
    changelist = client.get(reverse(CHANGELIST))
    assert "Classer sur un client…" in changelist.text and "Ignorer (courriel indésirable)" in changelist.text
    response = client.post(reverse(CHANGELIST), {"action": "file_action", ACTION_CHECKBOX_NAME: [shared.pk],
                                                 "index": 0})
    assert response.status_code == 302 and response["Location"] == file_url(shared)
    form = client.get(response["Location"])
    assert "Atelier Durand SARL" in form.text and "Concurrent SA" in form.text and "C-DURAND" in form.text
    change = client.get(reverse("admin:channels_unfiledreply_change", args=[shared.pk]))
    assert file_url(shared) in change.text and ignore_url(shared) in change.text


def test_ignoring_asks_for_confirmation_then_sets_the_mail_aside(client, ops, shared):
    client.force_login(ops)
    data = {"action": "ignore_action", ACTION_CHECKBOX_NAME: [shared.pk]}
    confirm = client.post(reverse(CHANGELIST), {**data, "index": 0})
    assert confirm.status_code == 200 and "Oui, ignorer" in confirm.text and SENDER in confirm.text
    shared.refresh_from_db()
    assert shared.status == UnfiledReply.Status.PENDING
    done = client.post(reverse(CHANGELIST), {**data, "post": "yes"}, follow=True)
    assert "1 réponse(s) ignorée(s) (courriel indésirable)." in done.text
    shared.refresh_from_db()
    assert (shared.status, shared.handled_by, shared.customer) == (UnfiledReply.Status.IGNORED, ops, None)
    assert not Event.objects.exists() and not Task.objects.exists()
    refused = client.post(file_url(shared), {"org": shared.candidate_orgs[0], "customer_ref": "C-DURAND"},
                          follow=True)
    assert "Cette réponse est déjà ignorée." in refused.text and not Event.objects.exists()
    change = client.get(reverse("admin:channels_unfiledreply_change", args=[shared.pk]))
    assert file_url(shared) not in change.text


def test_ignoring_from_the_reply_page_settles_the_organisations_task(client, ops, org):
    mail_file(parse("reply_unthreaded.eml"), today=local_today())  # single organisation: it is asked to read
    unfiled = UnfiledReply.objects.get()
    client.force_login(ops)
    assert "Oui, ignorer" in client.get(ignore_url(unfiled)).text
    client.post(ignore_url(unfiled))
    unfiled.refresh_from_db()
    assert unfiled.status == UnfiledReply.Status.IGNORED
    assert Task.objects.get().status == Task.Status.CANCELLED


def test_only_the_install_operator_decides(client, alice, org, shared):
    staff = User.objects.create_user(email="staff@durand.fr", password="x", is_staff=True)
    client.force_login(staff)  # staff without the model's permissions: refused as today
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(file_url(shared)).status_code == 403
    # Even given the model's permissions, an organisation's staff user sees the list but cannot decide.
    staff.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="channels", codename__in=["view_unfiledreply", "delete_unfiledreply"]))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    changelist = client.get(reverse(CHANGELIST))
    assert changelist.status_code == 200 and "Classer sur un client" not in changelist.text
    assert client.post(file_url(shared), {"org": org.pk, "customer_ref": "C-DURAND"}).status_code == 403
    assert client.post(ignore_url(shared)).status_code == 403
    client.post(reverse(CHANGELIST), {"action": "ignore_action", ACTION_CHECKBOX_NAME: [shared.pk], "post": "yes"})
    assert file_url(shared) not in client.get(reverse("admin:channels_unfiledreply_change", args=[shared.pk])).text
    client.force_login(alice)  # an organisation's owner, not staff: sent to the admin's login page
    response = client.post(file_url(shared), {"org": org.pk, "customer_ref": "C-DURAND"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    shared.refresh_from_db()
    assert shared.status == UnfiledReply.Status.PENDING and not Event.objects.exists()
    assert not Contact.objects.filter(email_invalid=True).exists()


def test_the_list_names_the_possible_organisations_in_one_query_whatever_the_rows(client, ops, shared,
                                                                                  org, other_org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ops)

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse(CHANGELIST))
        assert page.status_code == 200
        return page.text, len(queries)

    text, one_row = list_queries()
    assert ", ".join(sorted([org.name, other_org.name])) in text
    for n in range(3):
        UnfiledReply.objects.create(reason=shared.reason, day=shared.day, message_id=f"<more-{n}@x>",
                                    candidate_orgs=shared.candidate_orgs)
    text, four_rows = list_queries()
    assert text.count(", ".join(sorted([org.name, other_org.name]))) == 4 and four_rows == one_row
