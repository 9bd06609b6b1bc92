"""The CLI contract: relance dunning run/explain/approve, promise, dispute — output, exit codes, real SMTP."""

from __future__ import annotations

import json
import socket
from datetime import date
from email import message_from_bytes
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command

from relance.activity.models import Event
from relance.dunning.models import Action, LadderMark
from relance.dunning.tests.test_run import debtor, invoice
from relance.dunning.tests.test_services import at_formal_notice
from relance.ledger.models import Dispute, Promise

D = date.fromisoformat
pytestmark = pytest.mark.django_db


def relance(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        relance(*args)
    assert info.value.returncode == 2
    return str(info.value)


class Sink:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()


def test_a_run_sends_real_email_over_smtp_and_rerunning_the_day_sends_nothing(org, smtp):
    customer = debtor(org, ref="C001")
    invoice(customer, number="FA-001")
    invoice(customer, number="FA-002", amount="300.00", due="2025-03-05")
    payload = json.loads(relance("dunning", "run", "--date", "2025-03-10", "--json"))
    action = Action.objects.get()
    warnings = payload.pop("warnings")
    assert any("relevé bancaire" in w for w in warnings)  # no bank statement yet: the run says so
    assert payload == {
        "date": "2025-03-10", "dry_run": False,
        "actions": [{"id": action.id, "customer": "C001", "step": "reminder_1", "channel": "email", "status": "sent",
                     "invoices": ["FA-001", "FA-002"], "amount_due": "1500.00", "currency": "EUR"}],
        "events": [],
    }
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == [customer.contacts.get().email]
    assert message_from_bytes(envelope.content)["Message-ID"].strip("<>") in action.message_id
    again = json.loads(relance("dunning", "run", "--date", "2025-03-10", "--json"))
    assert again["actions"] == [] and len(smtp.messages) == 1


def test_dry_run_json_has_no_ids_and_writes_nothing(org):
    invoice(debtor(org, ref="C002"), number="FA-010")
    payload = json.loads(relance("dunning", "run", "--date", "2025-03-10", "--dry-run", "--json"))
    assert payload["dry_run"] is True
    assert [(a["id"], a["step"], a["status"], a["invoices"]) for a in payload["actions"]] == [
        (None, "reminder_1", "queued", ["FA-010"])]
    assert not Action.objects.exists()


def test_run_refuses_a_date_before_the_last_real_run_with_exit_code_2(org):
    invoice(debtor(org))
    relance("dunning", "run", "--date", "2025-03-10")
    assert "antérieure" in refused("dunning", "run", "--date", "2025-03-07")
    assert Action.objects.count() == 1


def test_explain_prints_the_reason_in_french(org):
    invoice(debtor(org), number="FA-020")
    text = relance("dunning", "explain", "FA-020", "--date", "2025-03-07")
    assert "FA-020" in text and "10/03/2025" in text
    payload = json.loads(relance("dunning", "explain", "FA-020", "--date", "2025-03-10", "--json"))
    assert payload["step"] == "reminder_1" and payload["rule"] == 3
    assert "Facture inconnue : FA-404" in refused("dunning", "explain", "FA-404")


def test_approve_by_id_or_all_and_refusals(org):
    at_formal_notice(org)
    at_formal_notice(org, ref="C101", number="FA-101")
    relance("dunning", "run", "--date", "2025-05-09")
    first, second = Action.objects.order_by("id")
    assert "Action inconnue : 999" in refused("dunning", "approve", "999", "--date", "2025-05-12")
    assert "l'un ou l'autre" in refused("dunning", "approve", "--date", "2025-05-12")
    relance("dunning", "approve", str(first.id), "--date", "2025-05-12")
    assert "n'attend pas de validation" in refused("dunning", "approve", str(first.id), str(second.id),
                                                    "--date", "2025-05-12")
    second.refresh_from_db()
    assert second.status == "awaiting_approval"  # nothing changed: all checked before anything is done
    relance("dunning", "approve", "--all", "--date", "2025-05-12")
    assert LadderMark.objects.filter(step="formal_notice", day=D("2025-05-12")).count() == 2


def test_approve_all_refuses_everything_when_one_message_would_break_the_spacing(org):
    at_formal_notice(org)
    late, _ = at_formal_notice(org, ref="C101", number="FA-101")
    relance("dunning", "run", "--date", "2025-05-09")
    Action.objects.create(org=org, customer=late, step="reminder_1", channel="email", date=D("2025-05-12"),
                          status="sent", carried_out_on=D("2025-05-12"), amount_due=1)
    message = refused("dunning", "approve", "--all", "--date", "2025-05-13")
    assert "C101" in message and "à partir du 15/05/2025" in message
    assert Action.objects.filter(step="formal_notice", status="awaiting_approval").count() == 2  # nothing changed
    assert not LadderMark.objects.filter(step="formal_notice").exists()


def test_approve_needs_a_manager_when_acting_as_a_user(org, bob, alice):
    at_formal_notice(org)
    relance("dunning", "run", "--date", "2025-05-09")
    assert "n'a pas le droit" in refused("dunning", "approve", "--all", "--date", "2025-05-12", "--user", bob.email)
    relance("dunning", "approve", "--all", "--date", "2025-05-12", "--user", alice.email)
    assert Action.objects.get().approved_by == alice


def test_promise_command_records_a_promise_and_refuses_bad_input(org):
    customer = debtor(org, ref="C300")
    invoice(customer, number="FA-300")
    invoice(customer, number="FA-301")
    out = relance("promise", "C300", "--until", "2025-03-20", "--invoices", "FA-301", "--date", "2025-03-10")
    assert "FA-301" in out
    assert list(Promise.objects.get().invoices.values_list("number", flat=True)) == ["FA-301"]
    assert "Client inconnu : C999" in refused("promise", "C999", "--until", "2025-03-20", "--date", "2025-03-10")
    assert "déjà passée" in refused("promise", "C300", "--until", "2025-03-01", "--date", "2025-03-10")
    assert "Facture inconnue" in refused("promise", "C300", "--until", "2025-03-20", "--invoices", "FA-9",
                                         "--date", "2025-03-10")
    assert Promise.objects.count() == 1
    assert Event.objects.filter(type="promise_recorded").count() == 1


def test_dispute_commands_open_and_resolve(org):
    invoice(debtor(org), number="FA-400")
    relance("dispute", "open", "FA-400", "--reason", "Quantités livrées inférieures", "--date", "2025-03-05")
    assert Dispute.objects.get().status == "open"
    assert "déjà en litige" in refused("dispute", "open", "FA-400", "--reason", "x", "--date", "2025-03-06")
    relance("dispute", "resolve", "FA-400", "--date", "2025-03-07")
    assert Dispute.objects.get().resolved_on == D("2025-03-07")
    assert "pas de litige ouvert" in refused("dispute", "resolve", "FA-400", "--date", "2025-03-08")
    assert "Facture inconnue" in refused("dispute", "resolve", "FA-404")
