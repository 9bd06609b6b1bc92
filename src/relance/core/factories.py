"""The one place test data is built (factory-boy). Tests import from here."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from relance.accounts.models import Membership, Organisation, Role, User
from relance.ledger.models import Contact, Customer, Invoice

PASSWORD = "correct horse battery staple"  # noqa: S105 - test persona password


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Atelier Durand {n} SARL")
    slug = factory.Sequence(lambda n: f"org-{n}")
    siren = "732829320"
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"
    sender_email = "compta@atelier-durand.fr"
    address = "12 rue des Lilas"
    postcode = "69003"
    city = "Lyon"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    org = factory.SubFactory(OrganisationFactory)
    role = Role.COLLECTOR


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    org = factory.SubFactory(OrganisationFactory)
    ref = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"Boulangerie Martin {n}")
    kind = "b2b"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    org = factory.SelfAttribute("customer.org")
    name = "Claire Martin"
    email = factory.Sequence(lambda n: f"compta{n}@client.fr")
    phone = "+33612345678"


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    org = factory.SelfAttribute("customer.org")
    number = factory.Sequence(lambda n: f"FA-2025-{n:05d}")
    issue_date = date(2025, 1, 15)
    due_date = factory.LazyAttribute(lambda o: o.issue_date + timedelta(days=30))
    total_incl_tax = Decimal("1200.00")
    total_excl_tax = Decimal("1000.00")
