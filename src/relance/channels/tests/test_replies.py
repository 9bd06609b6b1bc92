from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relance.accounts.models import User
from relance.activity.models import Event, Task
from relance.channels.models import Mailbox, SentMessage, UnfiledReply
from relance.channels.replies import imap_settings, mail_file, mail_parse, strip_quoted
from relance.core.factories import ContactFactory, CustomerFactory
from relance.ledger.models import Customer

EML = Path(__file__).parent / "eml"
TODAY = date(2025, 3, 18)
SENT_ID = "<174213.111.222@atelier-durand.fr>"


def parse(name):
    return mail_parse((EML / name).read_bytes())


def test_a_french_outlook_reply_is_parsed_and_the_quoted_original_stripped():
    mail = parse("reply_outlook_fr.eml")
    assert (mail.from_address, mail.from_name) == ("helene@creperie.fr", "Hélène Lefèvre")
    assert mail.in_reply_to == SENT_ID and mail.references[-1] == SENT_ID
    assert mail.text == ("Bonjour,\n\nNous n'avons jamais reçu la facture FA-2025-002. Pouvez-vous nous la renvoyer "
                         "? Le règlement de la FA-2025-001 part vendredi.\n\nHélène")
    assert not mail.is_bounce


def test_an_english_gmail_reply_keeps_only_the_new_text():
    mail = parse("reply_gmail_en.eml")
    assert mail.text == "Paid yesterday, see the attached remittance <script>alert(1)</script>."
    assert mail.in_reply_to == "" and mail.thread_ids == [SENT_ID]


def test_an_html_only_mail_is_turned_into_text():
    assert "Nous contestons la facture FA-3 : livraison incomplète." in parse("reply_unthreaded.eml").text


def test_a_delivery_status_notification_is_a_permanent_bounce_of_the_original_message():
    mail = parse("bounce_postfix.eml")
    assert mail.is_bounce and mail.permanent_failure
    assert mail.bounced_recipients == ("helene@creperie.fr",) and mail.original_message_id == SENT_ID


def test_a_delayed_delivery_report_is_not_a_failure():
    mail = parse("bounce_delayed.eml")
    assert mail.is_bounce and not mail.permanent_failure and mail.bounced_recipients == ()
    assert mail.original_message_id == SENT_ID


@pytest.mark.parametrize(("text", "kept"), [
    ("Merci\n> ancien", "Merci"),
    ("> cité en tête\nRéponse", "Réponse"),
    ("OK pour vendredi\n-- \nSignature", "OK pour vendredi"),
    ("Oui\nLe lun. 17 mars 2025 à 09:00, Durand <a@b.fr> a écrit :\n> x", "Oui"),
    ("Yes\n-----Original Message-----\nFrom: x", "Yes"),
    ("Bien reçu\n________________________________\nDe : x", "Bien reçu"),
])
def test_quoted_text_is_stripped(text, kept):
    assert strip_quoted(text) == kept


@pytest.fixture
def sent(org):
    customer = CustomerFactory(org=org, name="Crêperie Hélène")
    ContactFactory(customer=customer, email="helene@creperie.fr")
    return SentMessage.objects.create(org=org, customer=customer, channel="email", step="reminder_1",
                                      message_id=SENT_ID, recipients=["helene@creperie.fr"], day=date(2025, 3, 17),
                                      action_id=None)


def test_a_reply_is_filed_on_the_thread_customer_pauses_it_and_asks_someone_to_read(org, sent):
    assert mail_file(parse("reply_outlook_fr.eml"), today=TODAY)
    customer = sent.customer
    customer.refresh_from_db()
    assert customer.paused and customer.pause_reason == "Réponse reçue le 18/03/2025 : à lire"
    event = Event.objects.get(org=org, type="reply_received")
    assert event.customer == customer and "jamais reçu la facture FA-2025-002" in event.data["text"]
    task = Task.objects.get(org=org, kind=Task.Kind.REPLY)
    assert task.customer == customer and task.status == Task.Status.OPEN


def test_the_same_reply_read_twice_is_filed_once(org, sent):
    assert mail_file(parse("reply_outlook_fr.eml"), today=TODAY)
    assert not mail_file(parse("reply_outlook_fr.eml"), today=TODAY)
    assert Event.objects.filter(type="reply_received").count() == 1


def test_without_pause_on_reply_the_ladder_goes_on_but_the_reply_is_filed(org, sent):
    org.pause_on_reply = False
    org.save()
    assert mail_file(parse("reply_outlook_fr.eml"), today=TODAY)
    sent.customer.refresh_from_db()
    assert not sent.customer.paused and Task.objects.filter(kind="reply").count() == 1


def test_an_unthreaded_reply_is_filed_by_sender_address(org):
    customer = CustomerFactory(org=org)
    ContactFactory(customer=customer, email="Claire@Boulangerie.example")
    assert mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    assert Event.objects.get(type="reply_received").customer == customer


def test_a_sender_known_to_two_organisations_is_kept_unfiled_and_pauses_nobody(org, other_org):
    contacts = [ContactFactory(customer=CustomerFactory(org=o), email="claire@boulangerie.example")
                for o in (org, other_org)]
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    assert not Event.objects.exists() and not Task.objects.exists()
    assert not any(Customer.objects.filter(pk__in=[c.customer_id for c in contacts]).values_list("paused", flat=True))
    unfiled = UnfiledReply.objects.get()
    assert unfiled.reason == UnfiledReply.Reason.SEVERAL_ORGANISATIONS and unfiled.mailbox_org is None
    assert unfiled.candidate_orgs == sorted([org.pk, other_org.pk])
    assert "livraison incomplète" in unfiled.text


def test_an_unknown_sender_is_kept_unfiled(org):
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    assert UnfiledReply.objects.get().reason == UnfiledReply.Reason.UNKNOWN_SENDER and not Event.objects.exists()


def test_an_unfiled_reply_read_twice_is_kept_once(org):
    mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    assert UnfiledReply.objects.count() == 1


def test_a_mail_without_sender_does_not_match_contacts_without_email(org):
    ContactFactory(customer=CustomerFactory(org=org), email="")
    assert parse("reply_no_sender.eml").from_address == ""
    assert not mail_file(parse("reply_no_sender.eml"), today=TODAY)
    assert UnfiledReply.objects.get().reason == UnfiledReply.Reason.UNKNOWN_SENDER and not Event.objects.exists()


def test_an_address_shared_by_two_customers_of_one_organisation_asks_which_one(org, other_org):
    first = CustomerFactory(org=org, name="Boulangerie Martin", ref="C1")
    second = CustomerFactory(org=org, name="Pâtisserie Martin", ref="C2")
    for customer in (first, second):
        ContactFactory(customer=customer, email="claire@boulangerie.example")
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    task = Task.objects.get()
    assert task.org == org and task.customer is None and task.kind == Task.Kind.REPLY
    assert "Boulangerie Martin (C1)" in task.body and "Pâtisserie Martin (C2)" in task.body
    assert task.data["candidates"] == [first.pk, second.pk]
    assert not Event.objects.exists() and not Customer.objects.filter(paused=True).exists()
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    assert Task.objects.count() == 1 and not UnfiledReply.objects.exists()


def test_from_an_organisations_mailbox_the_sender_is_looked_up_only_in_that_organisation(org, other_org):
    mine = CustomerFactory(org=org)
    theirs = CustomerFactory(org=other_org)
    for customer in (mine, theirs):
        ContactFactory(customer=customer, email="claire@boulangerie.example")
    assert mail_file(parse("reply_unthreaded.eml"), today=TODAY, org=org)
    assert Event.objects.get(type="reply_received").customer == mine
    theirs.refresh_from_db()
    assert not theirs.paused and not Task.objects.filter(org=other_org).exists()


def test_a_forged_sender_from_another_organisation_is_not_filed_there(org, other_org):
    theirs = CustomerFactory(org=other_org)
    ContactFactory(customer=theirs, email="claire@boulangerie.example")
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY, org=org)
    theirs.refresh_from_db()
    assert not theirs.paused and not Event.objects.exists() and not Task.objects.filter(org=other_org).exists()
    unfiled = UnfiledReply.objects.get()
    assert unfiled.mailbox_org == org and unfiled.reason == UnfiledReply.Reason.UNKNOWN_SENDER
    # It came to this organisation's own mailbox: someone there reads it, on no customer's timeline.
    task = Task.objects.get()
    assert task.org == org and task.customer is None and "client non reconnu" in task.title


def test_an_unknown_sender_in_a_single_organisation_install_is_given_to_that_organisation_to_read(org):
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    task = Task.objects.get(kind=Task.Kind.REPLY)
    assert task.org == org and task.customer is None and "claire@boulangerie.example" in task.body
    assert "livraison incomplète" in task.body and not Customer.objects.filter(paused=True).exists()
    mail_file(parse("reply_unthreaded.eml"), today=TODAY)  # read again: still one task
    assert Task.objects.filter(kind=Task.Kind.REPLY).count() == 1


def test_an_unknown_sender_from_the_shared_mailbox_of_several_organisations_is_given_to_none(org, other_org):
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    assert UnfiledReply.objects.get().reason == UnfiledReply.Reason.UNKNOWN_SENDER
    assert not Task.objects.exists()


def test_a_thread_of_another_organisation_is_not_followed_from_an_organisations_mailbox(org, other_org):
    theirs = CustomerFactory(org=other_org)
    SentMessage.objects.create(org=other_org, customer=theirs, channel="email", message_id=SENT_ID,
                               recipients=["helene@creperie.fr"], day=date(2025, 3, 17))
    assert not mail_file(parse("reply_outlook_fr.eml"), today=TODAY, org=org)
    theirs.refresh_from_db()
    assert not theirs.paused and not Event.objects.exists()
    unfiled = UnfiledReply.objects.get()
    assert unfiled.reason == UnfiledReply.Reason.FOREIGN_THREAD and unfiled.candidate_orgs == [other_org.pk]
    # The same mail read from the install's mailbox follows its thread, whichever organisation sent it.
    assert mail_file(parse("reply_outlook_fr.eml"), today=TODAY)
    assert Event.objects.get(type="reply_received").customer == theirs


def test_the_thread_wins_over_a_sender_known_to_another_organisation(org, other_org, sent):
    ContactFactory(customer=CustomerFactory(org=other_org), email="helene@creperie.fr")
    assert mail_file(parse("reply_outlook_fr.eml"), today=TODAY, org=org)
    assert Event.objects.get(type="reply_received").customer == sent.customer
    assert not Customer.objects.filter(org=other_org, paused=True).exists()


def test_a_bounce_of_another_organisations_message_is_not_filed_from_an_organisations_mailbox(org, other_org):
    theirs = CustomerFactory(org=other_org)
    contact = ContactFactory(customer=theirs, email="helene@creperie.fr")
    SentMessage.objects.create(org=other_org, customer=theirs, channel="email", message_id=SENT_ID,
                               recipients=["helene@creperie.fr"], day=date(2025, 3, 17))
    assert not mail_file(parse("bounce_postfix.eml"), today=TODAY, org=org)
    contact.refresh_from_db()
    assert not contact.email_invalid and not SentMessage.objects.filter(failed=True).exists()


def test_a_bounce_of_no_known_message_is_kept_unfiled(org):
    assert not mail_file(parse("bounce_postfix.eml"), today=TODAY)
    assert UnfiledReply.objects.get().reason == UnfiledReply.Reason.UNMATCHED_BOUNCE


def test_a_mailbox_names_only_an_imap_url_variable(org):
    Mailbox(org=org, url_env="IMAP_URL_DURAND").full_clean()
    for name in ("SECRET_KEY", "DATABASE_URL", "imap_url_durand", "IMAP_URL_"):
        with pytest.raises(ValidationError, match="IMAP_URL_"):
            Mailbox(org=org, url_env=name).full_clean()


def test_a_bounce_marks_the_contact_invalid_and_asks_to_fix_it(org, sent):
    assert mail_file(parse("bounce_postfix.eml"), today=TODAY)
    contact = sent.customer.contacts.get()
    assert contact.email_invalid
    sent.refresh_from_db()
    assert sent.failed
    assert Task.objects.get(kind=Task.Kind.CONTACT).customer == sent.customer
    assert Event.objects.get(type="email_bounced").data["recipients"] == ["helene@creperie.fr"]
    sent.customer.refresh_from_db()
    assert not sent.customer.paused  # a bounce is not a reply


def test_a_delayed_report_changes_nothing_but_the_timeline(org, sent):
    assert mail_file(parse("bounce_delayed.eml"), today=TODAY)
    assert not sent.customer.contacts.get().email_invalid and not Task.objects.exists()
    assert Event.objects.filter(type="email_delayed").count() == 1


def test_the_imap_url_is_read_with_defaults():
    assert imap_settings("imaps://relance%40durand.fr:s3cr%2Ft@imap.example:993/Relances") == {
        "ssl": True, "host": "imap.example", "port": 993, "user": "relance@durand.fr", "password": "s3cr/t",
        "folder": "Relances"}
    assert imap_settings("imap://u:p@127.0.0.1")["port"] == 143
    with pytest.raises(ValueError, match="IMAP_URL"):
        imap_settings("pop3://x")


def test_unfiled_replies_are_listed_for_the_install_operator_only(client, org, other_org, alice):
    for o in (org, other_org):
        ContactFactory(customer=CustomerFactory(org=o), email="claire@boulangerie.example")
    mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    url = reverse("admin:channels_unfiledreply_changelist")
    client.force_login(alice)  # an organisation's owner is not the install operator
    assert client.get(url).status_code == 302
    client.force_login(User.objects.create_superuser("ops@relance.example", "x"))
    page = client.get(url)
    assert page.status_code == 200 and "Question sur mon compte" in page.text
    unfiled = UnfiledReply.objects.get()
    detail = client.get(reverse("admin:channels_unfiledreply_change", args=[unfiled.pk]))
    assert "livraison incomplète" in detail.text
    assert client.get(reverse("admin:channels_mailbox_changelist")).status_code == 200
