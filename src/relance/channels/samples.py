"""A fictitious customer used to check templates before they are saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from relance.channels.context import ContactInfo, InvoiceLine, MessageContext, Party, PaymentDetails


def sample_context(*, step: str = "reminder_2", channel: str = "email", language: str = "fr",
                   kind: str = "b2b") -> MessageContext:
    today = date(2025, 3, 17)
    return MessageContext(
        organisation=Party(name="Atelier Exemple SARL", address="1 rue de l'Exemple", postcode="75001",
                           city="Paris", siren="732829320", email="compta@exemple.fr", phone="+33140000000"),
        customer=Party(name="Client Exemple", address="2 avenue du Client", postcode="69003", city="Lyon",
                       ref="C0001", kind=kind, siren="552100554"),
        contacts=(ContactInfo(name="Claire Exemple", email="claire@client.fr", phone="+33612345678"),),
        step=step, channel=channel, language=language, today=today,
        invoices=(
            InvoiceLine(number="FA-0001", issue_date=date(2025, 1, 10), due_date=date(2025, 2, 9),
                        amount=Decimal("1200.00"), outstanding=Decimal("1200.00"), days_late=36,
                        interest=Decimal("15.56"), indemnity=Decimal("40.00")),
            InvoiceLine(number="FA-0002", issue_date=date(2025, 1, 20), due_date=date(2025, 2, 19),
                        amount=Decimal("480.00"), outstanding=Decimal("230.00"), days_late=26,
                        interest=Decimal("2.15"), indemnity=Decimal("40.00")),
        ),
        payment=PaymentDetails(beneficiary="Atelier Exemple SARL", iban="FR7630006000011234567890189",
                               bic="AGRIFRPP", reference="C0001 FA-0001 FA-0002"),
        portal_link="https://relance.example/portail/exemple/",
        previous_reminder=step not in ("pre_due", "reminder_1"),
    )
