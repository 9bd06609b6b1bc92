"""From the ORM to a MessageContext (plain data). The only place channels read ledger rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps

from relance.accounts.models import Organisation
from relance.channels.context import ContactInfo, InvoiceLine, MessageContext, Party, PaymentDetails
from relance.channels.penalties import PenaltyFigures, invoice_penalty_figures
from relance.ledger.models import Contact, Customer, Invoice
from relance.ledger.selectors import open_invoices

REFERENCE_MAX = 140
#: ladder steps whose message counts as an earlier reminder ("Malgré nos relances successives")
REMINDER_STEPS = ("reminder_1", "reminder_2", "reminder_3", "formal_notice", "litigation")
MESSAGE_CHANNELS = ("email", "sms", "letter", "registered_letter")


def org_party(org: Organisation) -> Party:
    return Party(name=org.name, address=org.address, postcode=org.postcode, city=org.city,
                 country=org.country, siren=org.siren, email=org.reply_to or org.sender_email,
                 phone=org.phone)


def customer_party(customer: Customer) -> Party:
    return Party(name=customer.name, address=customer.address, postcode=customer.postcode,
                 city=customer.city, country=customer.country, siren=customer.siren, ref=customer.ref,
                 kind=customer.kind)


def usable_contacts(customer: Customer, channel: str) -> list[Contact]:
    """Billing contacts first; e-mail needs a valid address, SMS a phone (mobility checked by the transport)."""
    contacts = sorted(customer.contacts.all(), key=lambda c: (not c.is_billing, c.pk))
    if channel == "email":
        return [c for c in contacts if c.email and not c.email_invalid and "email" not in c.refused_channels]
    if channel == "sms":
        return [c for c in contacts if c.phone and "sms" not in c.refused_channels]
    return contacts


def payment_reference(customer: Customer, invoices: list[Invoice]) -> str:
    if len(invoices) == 1:
        return invoices[0].payment_reference or invoices[0].number
    return f"{customer.ref} {' '.join(i.number for i in invoices)}"[:REFERENCE_MAX].strip()


def payee_account(org: Organisation, invoices: list[Invoice]) -> tuple[str, str]:
    """(IBAN, BIC) to pay into: the invoices' own payee IBAN (EN 16931 BT-84) when every listed invoice
    carries the same one, else the organisation's. The BIC is the organisation's only for its own IBAN."""
    ibans = {i.payee_iban for i in invoices}
    if len(ibans) == 1 and (iban := ibans.pop()) and iban.replace(" ", "") != org.iban.replace(" ", ""):
        return iban, ""
    return org.iban, org.bic


def invoice_figures(customer: Customer, invoices: Iterable[Invoice], today: date,
                    with_penalties: bool = True) -> list[tuple[Invoice, PenaltyFigures]]:
    """Each invoice with the legal module's penalty figures on `today` (none before the due date step)."""
    return [(inv, invoice_penalty_figures(org=customer.org, invoice=inv, today=today, kind=customer.kind)
             if with_penalties else PenaltyFigures()) for inv in invoices]


def _line(inv: Invoice, figures: PenaltyFigures, today: date) -> InvoiceLine:
    return InvoiceLine(
        number=inv.number, issue_date=inv.issue_date, due_date=inv.due_date, amount=inv.total_incl_tax,
        outstanding=inv.outstanding,  # type: ignore[attr-defined]
        days_late=max((today - inv.due_date).days, 0), interest=figures.interest, indemnity=figures.indemnity,
        document_path=str(inv.document.name) if inv.document else "", interest_pending=bool(figures.pending),
    )


def _annotated(org: Organisation, invoices: Iterable[Invoice] | None, customer: Customer) -> list[Invoice]:
    if invoices is None:
        return list(open_invoices(org).filter(customer=customer).order_by("due_date", "number"))
    # Invoices paid since the action was created drop out of the message.
    ids = [i.pk for i in invoices]
    return list(open_invoices(org).filter(pk__in=ids, customer=customer).order_by("due_date", "number"))


def previous_reminder_sent(org: Organisation, customer: Customer, invoices: list[Invoice], today: date) -> bool:
    """Whether a ladder message (e-mail, SMS or letter, not the courtesy pre-due one) listing one of these
    invoices was carried out before today: only then may a letter speak of "nos relances successives"."""
    if not invoices:
        return False
    try:
        action_model = apps.get_model("dunning", "Action")
    except LookupError:
        return False
    return action_model.objects.filter(
        org=org, customer=customer, step__in=REMINDER_STEPS, channel__in=MESSAGE_CHANNELS, status="sent",
        carried_out_on__lt=today, invoices__in=[i.pk for i in invoices]).exists()


def context_for_customer(*, org: Organisation, customer: Customer, today: date, step: str, channel: str,
                         invoices: Iterable[Invoice] | None = None, language: str | None = None,
                         portal_link: str | None = None) -> MessageContext:
    """The message context for a customer; `invoices` defaults to every open invoice of the customer."""
    if customer.org_id != org.id:
        raise PermissionError("customer of another organisation")
    rows = _annotated(org, invoices, customer)
    if portal_link is None:
        from relance.portal.api import portal_link_for

        portal_link = portal_link_for(customer=customer, today=today) or ""
    contacts = usable_contacts(customer, channel)
    figures = invoice_figures(customer, rows, today, with_penalties=step != "pre_due")
    return MessageContext(
        organisation=org_party(org), customer=customer_party(customer),
        contacts=tuple(ContactInfo(name=c.name, email=c.email, phone=c.phone, role=c.role) for c in contacts),
        step=step, channel=channel, language=language or customer.language or org.language or "fr",
        today=today, invoices=tuple(_line(inv, f, today) for inv, f in figures),
        payment=PaymentDetails(beneficiary=org.name, iban=(account := payee_account(org, rows))[0], bic=account[1],
                               reference=payment_reference(customer, rows)),
        portal_link=portal_link, legal_mentions=org.legal_mentions,
        logo_path=org.logo.path if org.logo else "",
        previous_reminder=step != "pre_due" and previous_reminder_sent(org, customer, rows, today),
        penalty_warnings=tuple(dict.fromkeys(f.pending for _, f in figures if f.pending)),
        missing_half_years=tuple(dict.fromkeys(f.missing_half_year for _, f in figures if f.missing_half_year)),
    )


def action_parts(action: Any) -> tuple[Organisation, Customer, str, str, list[Invoice]]:
    """(org, customer, step code, channel, listed invoices) of a dunning Action, duck-typed."""
    step = getattr(action, "step", "")
    step_code = getattr(step, "code", step) if not isinstance(step, str) else step
    invoices = action.invoices.all() if hasattr(action.invoices, "all") else action.invoices
    return action.org, action.customer, str(step_code), str(action.channel), list(invoices)


def context_for_action(action: Any, *, today: date) -> MessageContext:
    org, customer, step, channel, invoices = action_parts(action)
    channel = "letter" if channel == "registered_letter" else channel
    ctx = context_for_customer(org=org, customer=customer, today=today, step=step, channel=channel,
                               invoices=invoices)
    return replace(ctx, extra=instalment_variables(getattr(action, "data", None) or {}))


def instalment_variables(data: dict[str, Any]) -> dict[str, Any]:
    """A payment plan's instalment reminder (portal/plans.py) names its instalment in the action's data."""
    found = data.get("instalment")
    if not isinstance(found, dict):
        return {}
    return {"instalment": {"seq": int(found["seq"]), "due_date": date.fromisoformat(found["due_date"]),
                           "amount": Decimal(found["amount"]), "remaining": Decimal(found["remaining"])}}


