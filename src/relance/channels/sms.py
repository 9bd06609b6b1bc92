"""SMS: GSM-7 text in one or two segments, a transport chosen by SMS_URL, sent only in office hours.

Transports share healthchecks' small interface: `send()` returns a provider id or raises
`TransportError(message, permanent=…)`; the caller decides to retry or give up.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import unicodedata
import urllib.error
import urllib.request
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from relance.accounts.models import Organisation
from relance.activity.services import event_record
from relance.channels.api import DeliveryOutcome
from relance.channels.context import MessageContext
from relance.channels.models import SentMessage
from relance.channels.rendering import render_part
from relance.core.dates import is_business_day
from relance.ledger.models import Customer
from relance.ledger.services import is_mobile

PARIS = ZoneInfo("Europe/Paris")
MAX_SEGMENTS = 2
# GSM 03.38 default alphabet and its extension table (extension characters cost two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
# French letters and typography outside GSM-7, mapped to the closest GSM-7 text.
TRANSLITERATION = {
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "…": "...", "â": "a", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "û": "u",
    "ç": "c", "œ": "oe", "Œ": "OE", "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I",
    "Ô": "O", "Ù": "U", "Û": "U", "Ÿ": "Y", "ÿ": "y", "á": "a", "í": "i", "ó": "o", "ú": "u",
}


SENDER_MAX = 11
#: legal forms dropped from a company name before it is cut to an SMS sender ID
LEGAL_FORMS = frozenset({"sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "selarl", "selas", "scop", "ei", "eirl",
                         "gie", "sca", "scs"})


def sms_sender(org: Organisation) -> str:
    """The alphanumeric sender ID of the organisation's SMS (operators: 3 to 11 letters or digits, at least one
    letter, no accents): its sender name, else its name, without accents, punctuation or legal form
    ("Atelier Durand SARL" → "AtelierDura")."""
    for source in (org.sender_name, org.name):
        plain = unicodedata.normalize("NFKD", source or "").encode("ascii", "ignore").decode()
        words = [w for w in re.split(r"[^A-Za-z0-9]+", plain) if w and w.casefold() not in LEGAL_FORMS]
        sender = "".join(words)[:SENDER_MAX]  # no spaces: not every operator accepts them
        if len(sender) >= 3 and re.search(r"[A-Za-z]", sender):
            return sender
    return "Relance"


def gsm7_normalise(text: str) -> str:
    """Text made only of GSM-7 characters (French accents kept where GSM-7 has them: é è à ù…)."""
    out = []
    for char in " ".join(text.split()):
        char = TRANSLITERATION.get(char, char)
        out.append("".join(c if c in GSM7_BASIC or c in GSM7_EXTENSION else "?" for c in char))
    return "".join(out)


def septets(text: str) -> int:
    return sum(2 if c in GSM7_EXTENSION else 1 for c in text)


def segment_count(text: str) -> int:
    """Segments of a GSM-7 message: 160 septets alone, 153 each once concatenated."""
    length = septets(text)
    return 1 if length <= 160 else math.ceil(length / 153)


def sms_text(raw: str, *, max_segments: int = MAX_SEGMENTS) -> str:
    """GSM-7 text cut at a word boundary to fit `max_segments` segments."""
    text = gsm7_normalise(raw)
    limit = 160 if max_segments == 1 else 153 * max_segments
    if septets(text) <= limit:
        return text
    kept: list[str] = []
    used = 3  # the "..." that ends a cut text
    for word in text.split(" "):
        cost = septets(word) + (1 if kept else 0)
        if used + cost > limit:
            break
        kept.append(word)
        used += cost
    return " ".join(kept) + "..."


def in_sending_window(now: datetime, *, region: str = "national", start: time = time(9),
                      end: time = time(19)) -> bool:
    """Business days (French holidays), between `start` and `end` Europe/Paris time."""
    local = now.astimezone(PARIS)
    return is_business_day(local.date(), region) and start <= local.time() < end


def next_sending_moment(now: datetime, *, region: str = "national", start: time = time(9),
                        end: time = time(19)) -> datetime:
    """The first moment at or after `now` inside the sending window (aware datetime, Europe/Paris)."""
    local = now.astimezone(PARIS)
    if in_sending_window(local, region=region, start=start, end=end):
        return local
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    while not is_business_day(day, region):
        day += timedelta(days=1)
    return datetime.combine(day, start, tzinfo=PARIS)


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport:
    def send(self, *, to: str, text: str, sender: str) -> str:
        raise NotImplementedError


class FileTransport(Transport):
    """Writes one JSON file per SMS into a directory (the default: nothing leaves the machine)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def send(self, *, to: str, text: str, sender: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        sms_id = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
        payload = {"id": sms_id, "to": to, "sender": sender, "text": text, "segments": segment_count(text)}
        (self.directory / f"{sms_id}.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        return sms_id


class BrevoTransport(Transport):
    """Brevo transactional SMS API: brevo://API_KEY@SENDER (sender: 3–11 letters or a number)."""

    ENDPOINT = "https://api.brevo.com/v3/transactionalSMS/send"

    def __init__(self, api_key: str, sender: str, endpoint: str = "") -> None:
        self.api_key, self.sender, self.endpoint = api_key, sender, endpoint or self.ENDPOINT
        if not self.endpoint.startswith(("https://", "http://")):
            raise ValueError("SMS_URL : l'adresse de l'API Brevo doit être en http(s).")

    def send(self, *, to: str, text: str, sender: str) -> str:
        body = json.dumps({"sender": (self.sender or sender)[:11], "recipient": to.lstrip("+"), "content": text,
                           "type": "transactional"}).encode()
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers={  # noqa: S310
            "api-key": self.api_key, "content-type": "application/json", "accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - http(s) checked above
                return str(json.loads(response.read() or b"{}").get("messageId", ""))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:200]
            permanent = 400 <= exc.code < 500 and exc.code != 429
            raise TransportError(f"Brevo a refusé le SMS ({exc.code}) : {detail}", permanent=permanent)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransportError(f"Brevo injoignable : {exc}", permanent=False)


def transport_from_url(url: str) -> Transport:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileTransport(unquote(parsed.path) or str(settings.VAR_DIR / "sms"))
    if parsed.scheme == "brevo":
        endpoint = parse_qs(parsed.query).get("endpoint", [""])[0]
        key, _, sender = parsed.netloc.rpartition("@")  # not .hostname: it lower-cases the sender name
        return BrevoTransport(unquote(key), unquote(sender), endpoint)
    raise ValueError(f"SMS_URL : schéma non pris en charge {parsed.scheme!r} (file:// ou brevo://)")


def mobile_numbers(ctx: MessageContext) -> list[str]:
    return [c.phone for c in ctx.contacts if c.phone and is_mobile(c.phone)]


def sms_deliver(*, org: Organisation, customer: Customer, ctx: MessageContext, today: date,
                action_id: int | None = None, now: datetime | None = None,
                transport: Transport | None = None) -> DeliveryOutcome:
    """Send the step's SMS to the customer's first mobile number, in office hours only."""
    now = now or timezone.now()
    numbers = mobile_numbers(ctx)
    if not numbers:
        return DeliveryOutcome(ok=False, error="Aucun numéro de mobile pour ce client.", permanent=True)
    if not in_sending_window(now, region=org.holidays_region, start=org.sending_hours_start,
                             end=org.sending_hours_end):
        retry_at = next_sending_moment(now, region=org.holidays_region, start=org.sending_hours_start,
                                       end=org.sending_hours_end)
        return DeliveryOutcome(ok=False, permanent=False, retry_at=retry_at,
                               error=f"Hors des heures d'envoi des SMS : envoi reporté au {retry_at:%d/%m/%Y à %H:%M}.")
    text = sms_text(render_part(ctx, "sms", org=org))
    try:
        provider_id = (transport or transport_from_url(settings.SMS_URL)).send(
            to=numbers[0], text=text, sender=sms_sender(org))
    except TransportError as exc:
        return DeliveryOutcome(ok=False, error=exc.message, permanent=exc.permanent)
    SentMessage.objects.create(org=org, customer=customer, action_id=action_id, channel="sms", step=ctx.step,
                               message_id=provider_id, recipients=[numbers[0]], day=today)
    event_record(org=org, customer=customer, type="sms_sent", day=today, message=f"SMS envoyé : {text}",
                 data={"to": numbers[0], "segments": segment_count(text), "step": ctx.step, "action_id": action_id})
    return DeliveryOutcome(ok=True, message_id=provider_id)
