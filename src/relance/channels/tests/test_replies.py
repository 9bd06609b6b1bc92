from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from relance.activity.models import Event, Task
from relance.channels.models import SentMessage
from relance.channels.replies import imap_settings, mail_file, mail_parse, strip_quoted
from relance.core.factories import ContactFactory, CustomerFactory

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


def test_a_sender_known_to_two_organisations_is_not_filed_anywhere(org, other_org):
    for o in (org, other_org):
        ContactFactory(customer=CustomerFactory(org=o), email="claire@boulangerie.example")
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)
    assert not Event.objects.exists()


def test_an_unknown_sender_is_not_filed(org):
    assert not mail_file(parse("reply_unthreaded.eml"), today=TODAY)


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
