"""SMS wording: the French abbreviation "réf." and a sender ID operators accept (≤ 11 letters or digits)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from relance.channels.context import STEPS
from relance.channels.rendering import render_part
from relance.channels.samples import sample_context
from relance.channels.sms import FileTransport, sms_deliver, sms_sender
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory


@pytest.mark.parametrize("step", [*STEPS, "instalment_reminder"])
def test_french_sms_say_ref_with_its_accent(step):
    text = render_part(sample_context(step=step), "sms")
    assert " ref." not in text.casefold().replace("réf.", "") and "Ref." not in text
    if step != "pre_due":
        assert "réf. C0001 FA-0001 FA-0002" in text.replace("Réf.", "réf.")


class Org:
    def __init__(self, name: str, sender_name: str = "") -> None:
        self.name, self.sender_name = name, sender_name


@pytest.mark.parametrize(("name", "sender_name", "expected"), [
    ("Atelier Durand SARL", "", "AtelierDura"),
    ("Atelier Durand SARL", "Durand", "Durand"),
    ("Boulangerie Hélène & Fils SAS", "", "Boulangerie"),
    ("Crêperie Noël", "", "CreperieNoe"),
    ("SAS Zoé", "", "Zoe"),
    ("Atelier Durand SARL", "Service comptabilité Durand", "Servicecomp"),
    ("123", "", "Relance"),  # digits only would read as a phone number
    ("AB SARL", "", "Relance"),  # too short for operators
])
def test_the_sms_sender_is_eleven_letters_or_digits_at_most(name, sender_name, expected):
    sender = sms_sender(Org(name, sender_name))  # type: ignore[arg-type]
    assert sender == expected
    assert 3 <= len(sender) <= 11 and sender.isascii() and sender.isalnum()


@pytest.mark.django_db
def test_the_sms_goes_out_with_the_short_sender(org, tmp_path):
    org.name, org.sender_name = "Atelier Durand Menuiserie SARL", ""
    org.save()
    customer = CustomerFactory(org=org)
    ContactFactory(customer=customer, phone="+33612345678")
    InvoiceFactory(customer=customer, due_date=date(2025, 2, 1))
    from relance.channels.builders import context_for_customer

    ctx = context_for_customer(org=org, customer=customer, today=date(2025, 3, 17), step="reminder_2",
                               channel="sms", portal_link="")
    sent: list[str] = []

    class Recording(FileTransport):
        def send(self, *, to: str, text: str, sender: str) -> str:
            sent.append(sender)
            return super().send(to=to, text=text, sender=sender)

    outcome = sms_deliver(org=org, customer=customer, ctx=ctx, today=date(2025, 3, 17),
                          now=datetime(2025, 3, 17, 10, tzinfo=UTC), transport=Recording(str(tmp_path)))
    assert outcome.ok and sent == ["AtelierDura"]
