"""Writes to the ledger. Status follows allocations: an invoice is paid when nothing is outstanding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.core.errors import ApplicationError
from relance.ledger.models import Allocation, Invoice, Payment
from relance.ledger.selectors import invoice_outstanding


def phone_to_e164(raw: str, region: str = "FR") -> str:
    """'06 12 34 56 78' → '+33612345678'; raises ValueError with a French message."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"numéro de téléphone illisible : {raw!r}")
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"numéro de téléphone invalide : {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return False
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def invoice_refresh_status(invoice: Invoice) -> Invoice:
    """Open ↔ paid from what is outstanding; cancelled stays cancelled."""
    if invoice.status == Invoice.Status.CANCELLED:
        return invoice
    status = Invoice.Status.PAID if invoice_outstanding(invoice) == 0 else Invoice.Status.OPEN
    if status != invoice.status:
        invoice.status = status
        invoice.save(update_fields=["status", "updated_at"])
    return invoice


@transaction.atomic
def allocation_add(*, org: Organisation, invoice: Invoice, amount: Decimal, day: date,
                   payment: Payment | None = None, credit_note: Invoice | None = None,
                   note: str = "") -> Allocation:
    """Settle part of an invoice. Never more than what is outstanding (the rest stays unapplied credit)."""
    if invoice.org_id != org.id or (payment and payment.org_id != org.id) or (credit_note and credit_note.org_id != org.id):
        raise ApplicationError(_("Facture ou paiement d'une autre organisation."))
    if amount <= 0:
        raise ApplicationError(_("Le montant affecté doit être positif."))
    # Lock the invoice so two people (or a person and a bank import) cannot over-allocate it together.
    list(Invoice.objects.select_for_update().filter(pk=invoice.pk).values_list("pk", flat=True))
    outstanding = invoice_outstanding(invoice)
    if amount > outstanding:
        raise ApplicationError(
            _("Affectation de %(amount)s € supérieure au reste dû de la facture %(number)s (%(outstanding)s €).")
            % {"amount": amount, "number": invoice.number, "outstanding": outstanding}
        )
    source = (
        Allocation.Source.PAYMENT if payment else Allocation.Source.CREDIT_NOTE if credit_note
        else Allocation.Source.ACCOUNTING
    )
    allocation = Allocation.objects.create(
        org=org, invoice=invoice, amount=amount, date=day, payment=payment, credit_note=credit_note,
        source=source, note=note,
    )
    invoice_refresh_status(invoice)
    if credit_note is not None:
        invoice_refresh_status(credit_note)
    return allocation
