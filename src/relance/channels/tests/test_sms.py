from __future__ import annotations

import json
import threading
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.channels.builders import context_for_customer
from relance.channels.models import SentMessage
from relance.channels.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    BrevoTransport,
    FileTransport,
    TransportError,
    gsm7_normalise,
    in_sending_window,
    segment_count,
    septets,
    sms_deliver,
    sms_text,
    transport_from_url,
)
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("text", "segments"), [
    ("", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("€" * 80, 1), ("€" * 81, 2), ("é" * 160, 1), ("[" * 153, 2),
])
def test_segments_are_counted_in_gsm7_septets(text, segments):
    assert segment_count(text) == segments


@pytest.mark.parametrize(("raw", "gsm"), [
    ("Échéance dépassée à Noël", "Échéance dépassée à Noel"),
    ("Fête, tâche, maïs, cœur, ça", "Fete, tache, mais, coeur, ca"),
    ("1\u202f430,00\u00a0€ «\u00a0dû\u00a0»", '1 430,00 € " du "'),
    ("L’avoir — réglé…", "L'avoir - réglé..."),
    ("Café 😀", "Café ?"),
])
def test_french_text_is_mapped_to_gsm7_keeping_the_accents_it_has(raw, gsm):
    assert gsm7_normalise(raw) == gsm


@given(st.text(max_size=600))
@settings(max_examples=40, deadline=None)
def test_any_text_becomes_gsm7_within_two_segments(raw):
    text = sms_text(raw)
    assert set(text) <= GSM7_BASIC | GSM7_EXTENSION
    assert segment_count(text) <= 2 and septets(text) <= 306


@pytest.mark.parametrize(("moment", "allowed"), [
    (datetime(2025, 3, 17, 9, 0, tzinfo=PARIS), True),      # Monday 09:00
    (datetime(2025, 3, 17, 8, 59, tzinfo=PARIS), False),
    (datetime(2025, 3, 17, 18, 59, tzinfo=PARIS), True),
    (datetime(2025, 3, 17, 19, 0, tzinfo=PARIS), False),
    (datetime(2025, 3, 15, 11, 0, tzinfo=PARIS), False),    # Saturday
    (datetime(2025, 5, 1, 11, 0, tzinfo=PARIS), False),     # Labour Day
    (datetime(2025, 3, 17, 8, 30, tzinfo=ZoneInfo("UTC")), True),  # 09:30 in Paris
])
def test_sms_go_only_on_business_days_between_9_and_19_paris_time(moment, allowed):
    assert in_sending_window(moment) is allowed


@pytest.fixture
def customer(org):
    customer = CustomerFactory(org=org, name="Garage Éric")
    ContactFactory(customer=customer, phone="+33612345678")
    InvoiceFactory(customer=customer, number="FA-9", total_incl_tax=Decimal("1430.00"), due_date=date(2025, 2, 1))
    return customer


def deliver(org, customer, moment, transport):
    ctx = context_for_customer(org=org, customer=customer, today=moment.date(), step="reminder_2", channel="sms",
                               portal_link="")
    return sms_deliver(org=org, customer=customer, ctx=ctx, today=moment.date(), now=moment, transport=transport)


def test_the_file_transport_writes_the_sms_and_it_is_recorded(org, customer, tmp_path):
    outcome = deliver(org, customer, datetime(2025, 3, 17, 10, tzinfo=PARIS), FileTransport(str(tmp_path)))
    assert outcome.ok
    [written] = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert written["to"] == "+33612345678" and written["segments"] <= 2
    assert "1 430,00 €" in written["text"] and "2e relance" in written["text"]
    assert SentMessage.objects.get(org=org, channel="sms").message_id == written["id"]


def test_outside_office_hours_the_sms_is_retried_later_not_failed(org, customer, tmp_path):
    outcome = deliver(org, customer, datetime(2025, 3, 17, 20, tzinfo=PARIS), FileTransport(str(tmp_path)))
    assert not outcome.ok and not outcome.permanent and list(tmp_path.iterdir()) == []
    assert outcome.retry_at == datetime(2025, 3, 18, 9, tzinfo=PARIS)
    assert "reporté au 18/03/2025 à 09:00" in outcome.error


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2025, 3, 17, 10, 30, tzinfo=PARIS), datetime(2025, 3, 17, 10, 30, tzinfo=PARIS)),
    (datetime(2025, 3, 17, 7, 0, tzinfo=PARIS), datetime(2025, 3, 17, 9, 0, tzinfo=PARIS)),
    (datetime(2025, 3, 14, 19, 0, tzinfo=PARIS), datetime(2025, 3, 17, 9, 0, tzinfo=PARIS)),  # Friday evening
    (datetime(2025, 4, 30, 20, 0, tzinfo=PARIS), datetime(2025, 5, 2, 9, 0, tzinfo=PARIS)),   # 1 May holiday
    (datetime(2025, 12, 24, 19, 30, tzinfo=PARIS), datetime(2025, 12, 26, 9, 0, tzinfo=PARIS)),
])
def test_the_next_sending_moment_skips_nights_weekends_and_holidays(now, expected):
    from relance.channels.sms import next_sending_moment

    assert next_sending_moment(now) == expected


def test_landline_numbers_never_get_an_sms(org, customer, tmp_path):
    customer.contacts.update(phone="+33140000000")
    outcome = deliver(org, customer, datetime(2025, 3, 17, 10, tzinfo=PARIS), FileTransport(str(tmp_path)))
    assert not outcome.ok and outcome.permanent and "mobile" in outcome.error


class BrevoStub(BaseHTTPRequestHandler):
    """A local HTTP endpoint speaking Brevo's transactional SMS API (status chosen by the test)."""

    requests: list[dict] = []
    status = 201

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        BrevoStub.requests.append({"key": self.headers["api-key"], **body})
        self.send_response(BrevoStub.status)
        self.send_header("content-type", "application/json")
        self.end_headers()
        reply = {"messageId": 1511882900176220} if self.status < 300 else {"code": "invalid_parameter"}
        self.wfile.write(json.dumps(reply).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def brevo():
    server = HTTPServer(("127.0.0.1", 0), BrevoStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    BrevoStub.requests, BrevoStub.status = [], 201
    yield f"http://127.0.0.1:{server.server_port}/v3/transactionalSMS/send"
    server.shutdown()


def test_the_brevo_transport_posts_the_api_request(brevo):
    transport = transport_from_url(f"brevo://SECRETKEY@Durand?endpoint={brevo}")
    assert isinstance(transport, BrevoTransport)
    assert transport.send(to="+33612345678", text="Bonjour", sender="x") == "1511882900176220"
    assert BrevoStub.requests == [{"key": "SECRETKEY", "sender": "Durand", "recipient": "33612345678",
                                   "content": "Bonjour", "type": "transactional"}]


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (401, True), (429, False), (503, False)])
def test_brevo_errors_are_permanent_or_temporary(brevo, status, permanent):
    BrevoStub.status = status
    with pytest.raises(TransportError) as exc:
        BrevoTransport("k", "Durand", brevo).send(to="+33612345678", text="x", sender="x")
    assert exc.value.permanent is permanent and str(status) in exc.value.message


def test_an_unknown_sms_url_is_refused_in_french():
    with pytest.raises(ValueError, match="SMS_URL"):
        transport_from_url("carrier-pigeon://x")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("step", ["pre_due", "reminder_1", "reminder_2", "reminder_3", "formal_notice",
                                  "litigation"])
def test_default_sms_fit_two_segments_without_being_cut(step, language):
    from relance.channels.rendering import render_part
    from relance.channels.samples import sample_context

    raw = render_part(sample_context(step=step, language=language, channel="sms"), "sms")
    text = sms_text(raw)
    assert text == gsm7_normalise(raw) and segment_count(text) <= 2
    if language == "fr" and step == "formal_notice":
        assert "adressée par courrier recommandé" in text  # GSM-7 keeps é
