"""What a message is made of: plain data, built once from the ORM, then rendered by templates.

Templates only ever see `template_variables(ctx)`: dictionaries of strings, Decimals, dates and ints
(no model instances, no settings), documented in VARIABLES below.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers
from django.utils.translation import gettext_noop

from relance.core.money import ZERO, money

STEPS = ("pre_due", "reminder_1", "reminder_2", "reminder_3", "formal_notice", "litigation")
CHANNELS = ("email", "sms", "letter")
LANGUAGES = ("fr", "en")
FORMAL_NOTICE_DAYS = 8


@dataclass(frozen=True)
class Party:
    """The creditor or the debtor as printed on a document."""

    name: str
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "FR"
    siren: str = ""
    email: str = ""
    phone: str = ""
    ref: str = ""
    kind: str = "b2b"

    @property
    def address_lines(self) -> list[str]:
        lines = [line.strip() for line in self.address.splitlines() if line.strip()]
        city_line = " ".join(p for p in (self.postcode, self.city.upper()) if p)
        if city_line and city_line not in lines:
            lines.append(city_line)
        if self.country and self.country != "FR":
            lines.append(self.country)
        return lines


@dataclass(frozen=True)
class ContactInfo:
    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    outstanding: Decimal
    days_late: int
    interest: Decimal = ZERO
    indemnity: Decimal = ZERO
    document_path: str = ""
    #: the legal module could not compute the interest (a rate is missing): claimed "à parfaire", not as 0
    interest_pending: bool = False


@dataclass(frozen=True)
class PaymentDetails:
    beneficiary: str
    iban: str = ""
    bic: str = ""
    reference: str = ""


@dataclass(frozen=True)
class MessageContext:
    organisation: Party
    customer: Party
    contacts: tuple[ContactInfo, ...]
    step: str
    channel: str
    language: str
    today: date
    invoices: tuple[InvoiceLine, ...]
    payment: PaymentDetails
    portal_link: str = ""
    currency: str = "EUR"
    legal_mentions: str = ""
    logo_path: str = ""
    #: an earlier ladder message (reminder, formal notice) was carried out for the listed invoices
    previous_reminder: bool = False
    #: why the interest of some listed invoices is pending (the legal module's French messages, for the staff)
    penalty_warnings: tuple[str, ...] = ()
    #: the half-years, as (year, half), whose missing rate holds the interest back
    missing_half_years: tuple[tuple[int, int], ...] = ()
    #: what a message outside the ladder adds (a payment plan's `instalment`: seq, due_date, amount, remaining)
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_consumer(self) -> bool:
        return self.customer.kind == "b2c"

    @property
    def total_amount(self) -> Decimal:
        return money(sum((i.amount for i in self.invoices), ZERO))

    @property
    def total_outstanding(self) -> Decimal:
        return money(sum((i.outstanding for i in self.invoices), ZERO))

    @property
    def total_interest(self) -> Decimal:
        return money(sum((i.interest for i in self.invoices), ZERO))

    @property
    def total_indemnity(self) -> Decimal:
        # Never any recovery fee for a consumer (CPCE L111-8), whatever the data says.
        return ZERO if self.is_consumer else money(sum((i.indemnity for i in self.invoices), ZERO))

    @property
    def interest_pending(self) -> bool:
        return any(i.interest_pending for i in self.invoices)

    @property
    def total_claimed(self) -> Decimal:
        """What a letter demands: principal, interest known today and indemnities (a pending interest comes on
        top, "à parfaire")."""
        return money(self.total_outstanding + self.total_interest + self.total_indemnity)

    @property
    def deadline(self) -> date:
        return self.today + timedelta(days=FORMAL_NOTICE_DAYS)


#: what each variable holds, for the template editor (gettext_noop: shown in the reader's language there)
VARIABLES: dict[str, str] = {
    "organisation": gettext_noop("le créancier : name, address_lines, siren, email, phone"),
    "customer": gettext_noop("le client : name, ref, kind (b2b, b2c, public), is_consumer, address_lines, siren"),
    "contact": gettext_noop("le destinataire : name, email, phone, is_department (un service, pas une personne)"),
    "invoices": gettext_noop("liste des factures : number, issue_date, due_date, amount, outstanding, days_late, "
                             "overdue (déjà échue), interest, indemnity, interest_pending (intérêts à parfaire : taux manquant), claimed "
                             "(reste dû + intérêts + indemnité)"),
    "total_amount": gettext_noop("total TTC des factures listées"),
    "total_outstanding": gettext_noop("reste dû total"),
    "penalties": gettext_noop("pénalités (module juridique) : shown, interest, indemnity, total, grand_total "
                              "(total réclamé : principal + intérêts + indemnités), interest_pending (intérêts à "
                              "parfaire, un taux manque), pending_label (le semestre dont le taux manque : "
                              "« 2e semestre 2026 »)"),
    "payment": gettext_noop("règlement : beneficiary, iban, bic, reference"),
    "portal_link": gettext_noop("lien privé vers l'espace client (vide si le portail n'est pas activé)"),
    "step": gettext_noop("étape : pre_due, reminder_1, reminder_2, reminder_3, formal_notice, litigation"),
    "channel": gettext_noop("canal : email, sms, letter (courrier ou recommandé)"),
    "previous_reminder": gettext_noop("vrai si une relance a déjà été envoyée pour ces factures "
                                      "(avant aujourd'hui)"),
    "attention": gettext_noop("(courriers) nom à imprimer après « À l'attention de » (vide si le destinataire est "
                              "déjà nommé)"),
    "attention_line": gettext_noop("(courriers) la ligne « À l'attention de … » complète, accordée à un service "
                                   "(« À l'attention du service comptabilité ») ; vide si le destinataire est déjà "
                                   "nommé"),
    "greeting": gettext_noop("formule d'appel d'un e-mail, sans virgule : « Bonjour Madame Dubois », « Bonjour "
                             "Jean Martin » ou « Bonjour » (contact qui est un service)"),
    "salutation": gettext_noop("formule d'appel d'un courrier, sans virgule : « Madame », « Monsieur » (civilité "
                               "connue) ou « Madame, Monsieur »"),
    "invoices_overdue": gettext_noop("les factures listées déjà échues (même champs que invoices)"),
    "invoices_upcoming": gettext_noop("les factures listées pas encore échues (à échoir)"),
    "language": gettext_noop("langue : fr ou en"),
    "today": gettext_noop("date du jour"),
    "deadline": gettext_noop("date limite de la mise en demeure (jour + 8)"),
    "currency": gettext_noop("devise (EUR)"),
    "legal_mentions": gettext_noop("mentions légales de l'organisation"),
    "qr_code": gettext_noop("(courriers) image du QR code de virement SEPA, à mettre dans <img src>"),
    "logo_uri": gettext_noop("(courriers) image du logo de l'organisation, à mettre dans <img src>"),
}


def phone_display(number: str) -> str:
    """A phone number as printed: national format for a French number ("04 65 71 33 40"), international for
    a foreign one ("+32 2 555 12 34"); anything unparsable as it was typed."""
    try:
        parsed = phonenumbers.parse(number, "FR")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    french = phonenumbers.region_code_for_number(parsed) == "FR"
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if french else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, fmt)


def printed_phone(number: str) -> str:
    """The number as a document prints it: never cut across two lines ("04 65 71 33 40" with no-break spaces)."""
    return phone_display(number).replace(" ", "\u00a0") if number else ""


def _party_vars(party: Party) -> dict[str, Any]:
    data = asdict(party)
    data["address_lines"] = party.address_lines
    data["is_consumer"] = party.kind == "b2c"
    data["phone"] = printed_phone(party.phone)
    return data


_CIVILITIES = frozenset({"m", "mr", "mme", "mlle", "monsieur", "madame", "mademoiselle", "mrs", "ms", "miss",
                         "dr"})


def _name_words(name: str) -> frozenset[str]:
    """The words of a person's name, without accents, case or civility ("Mme LEFÈVRE Hélène")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return frozenset(w for w in re.split(r"[^a-z0-9]+", plain) if w and w not in _CIVILITIES)


def attention_line(customer: Party, contact_name: str) -> str:
    """The contact named under the addressee on a letter, or "" when the addressee line already names them.

    A consumer's contact is usually the consumer: "Hélène Lefèvre" under "Mme LEFÈVRE Hélène" (or under
    "Lefèvre") would repeat the addressee.
    """
    contact, addressee = _name_words(contact_name), _name_words(customer.name)
    if not contact or contact == addressee:
        return ""
    if customer.kind == "b2c" and addressee and (contact <= addressee or addressee <= contact):
        return ""
    return contact_name


#: first word of a department's or role's name (no accents, lower case) → its French article
_DEPARTMENT_ARTICLES = {
    "service": "le", "services": "les", "secretariat": "le", "departement": "le", "pole": "le", "bureau": "le",
    "cabinet": "le", "comptabilite": "la", "direction": "la", "cellule": "la", "facturation": "la",
    "tresorerie": "la", "division": "la", "regie": "la", "gestion": "la", "equipe": "l'", "administration": "l'",
    "accueil": "l'", "agence": "l'", "accounts": "the", "accounting": "the", "finance": "the", "billing": "the",
}
_TITLES = {"m": "Monsieur", "mr": "Monsieur", "monsieur": "Monsieur", "mme": "Madame", "madame": "Madame",
           "mlle": "Madame", "mademoiselle": "Madame", "mrs": "Madame", "ms": "Madame", "miss": "Madame"}
_ENGLISH_TITLES = {"Monsieur": "Mr", "Madame": "Ms"}


def _plain_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return [w for w in re.split(r"[^a-z0-9]+", plain) if w]


def is_department(name: str) -> bool:
    """A contact that is a department or a role ("Service comptabilité", "Direction financière"), not a person."""
    words = _plain_words(name)
    return bool(words) and words[0] in _DEPARTMENT_ARTICLES


def department_phrase(name: str, language: str = "fr") -> str:
    """The department with its article, inside a sentence: "le service comptabilité", "l'équipe achats"."""
    text = name.strip()
    if len(text) > 1 and not text.split()[0].isupper():
        text = text[0].lower() + text[1:]
    if language == "en":
        return f"the {text}"
    article = _DEPARTMENT_ARTICLES.get(_plain_words(name)[0], "le")
    article = "le" if article == "the" else article
    return article + text if article.endswith("'") else f"{article} {text}"


def civility(name: str) -> str:
    """"Madame" or "Monsieur" when the name starts with a title ("Mme Hélène Dubois", "M. Jean Martin")."""
    words = name.split()
    return _TITLES.get(_plain_words(words[0])[0], "") if words and _plain_words(words[0]) else ""


def surname(name: str) -> str:
    """The family name of "Mme Hélène Dubois", "LEFÈVRE Hélène" (capitals mark it) or "Jean Le Gall"."""
    words = name.split()
    if words and civility(name):
        words = words[1:]
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    if capitals:
        return " ".join(w.capitalize() if "-" not in w else "-".join(p.capitalize() for p in w.split("-"))
                        for w in capitals)
    return " ".join(words[1:] if len(words) > 1 else words)


def _addressee(ctx: MessageContext, contact: ContactInfo) -> tuple[str, str]:
    """(civility, surname) of the person a message is addressed to, when a title is known; else ("", "").

    A consumer's title is stored in the customer's name ("Mme Hélène Dubois"); it applies to the contact only
    when the contact is the consumer (not another member of the household).
    """
    names = [contact.name] if contact.name else []
    if ctx.is_consumer and (not contact.name or not attention_line(ctx.customer, contact.name)):
        names.append(ctx.customer.name)
    for name in names:
        if title := civility(name):
            return title, surname(name)
    return "", ""


def greetings(ctx: MessageContext, contact: ContactInfo) -> dict[str, str]:
    """`greeting` (e-mail, "Bonjour Madame Dubois"), `salutation` (letter, "Madame") and `attention_line`."""
    english = ctx.language == "en"
    title, family = _addressee(ctx, contact)
    department = is_department(contact.name)
    person = "" if department else contact.name or (ctx.customer.name if ctx.is_consumer else "")
    if title:
        named = f"{_ENGLISH_TITLES[title] if english else title} {family}".strip()
        greeting, salutation = (f"Dear {named}", f"Dear {named}") if english else (f"Bonjour {named}", title)
    else:
        salutation = "Dear Sir or Madam" if english else "Madame, Monsieur"
        greeting = (f"Dear {person}" if person else salutation) if english else " ".join(("Bonjour", person)).strip()
    attention = attention_line(ctx.customer, contact.name)
    if attention and department:
        line = (f"For the attention of {department_phrase(attention, 'en')}" if english else
                "À l'attention " + _of(department_phrase(attention)))
    else:
        lead = "For the attention of" if english else "À l'attention de"
        line = f"{lead} {attention}" if attention else ""
    return {"greeting": greeting, "salutation": salutation, "attention_line": line}


def _of(phrase: str) -> str:
    """French "de" + article: "du service", "de la direction", "de l'équipe", "des services"."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article):]
    return f"de {phrase}"


def half_year_label(year: int, half: int, language: str) -> str:
    if language == "en":
        return f"{'first' if half == 1 else 'second'} half of {year}"
    return f"{'1er' if half == 1 else '2e'} semestre {year}"


def _pending_label(ctx: MessageContext) -> str:
    labels = [half_year_label(year, half, ctx.language) for year, half in sorted(set(ctx.missing_half_years))]
    return (" and " if ctx.language == "en" else " et ").join(labels)


def penalty_variables(ctx: MessageContext) -> dict[str, Any]:
    """`penalties`: the legal module's figures summed. Consumers owe interest only from the formal notice (the
    legal module decides) and never an indemnity; a pending interest shows the penalties even without a figure."""
    return {
        "shown": ctx.total_interest > 0 or ctx.total_indemnity > 0 or ctx.interest_pending,
        "interest": ctx.total_interest,
        "indemnity": ctx.total_indemnity,
        "total": money(ctx.total_interest + ctx.total_indemnity),
        "grand_total": ctx.total_claimed,
        "interest_pending": ctx.interest_pending,
        "pending_label": _pending_label(ctx),
    }


def template_variables(ctx: MessageContext) -> dict[str, Any]:
    """The documented context: plain dictionaries and values only."""
    contact = ctx.contacts[0] if ctx.contacts else ContactInfo(name=ctx.customer.name)
    invoices = []
    for line in ctx.invoices:
        indemnity = ZERO if ctx.is_consumer else line.indemnity
        invoices.append({**asdict(line), "indemnity": indemnity, "document_path": "",
                         "claimed": money(line.outstanding + line.interest + indemnity),
                         "overdue": line.due_date < ctx.today})
    return {
        "organisation": _party_vars(ctx.organisation),
        "customer": _party_vars(ctx.customer),
        "contact": {**asdict(contact), "phone": printed_phone(contact.phone),
                    "is_department": is_department(contact.name)},
        "invoices": invoices,
        "invoices_overdue": [i for i in invoices if i["overdue"]],
        "invoices_upcoming": [i for i in invoices if not i["overdue"]],
        "total_amount": ctx.total_amount,
        "total_outstanding": ctx.total_outstanding,
        "penalties": penalty_variables(ctx),
        "payment": asdict(ctx.payment),
        "portal_link": ctx.portal_link,
        "step": ctx.step,
        "channel": ctx.channel,
        "previous_reminder": ctx.previous_reminder,
        "attention": attention_line(ctx.customer, contact.name),
        **greetings(ctx, ctx.contacts[0] if ctx.contacts else ContactInfo()),
        "language": ctx.language,
        "today": ctx.today,
        "deadline": ctx.deadline,
        "currency": ctx.currency,
        "legal_mentions": ctx.legal_mentions,
        "qr_code": "",
        "logo_uri": "",
        **ctx.extra,
    }
