"""Every staff URL with an id, tried by the owner of ANOTHER organisation: 404 or 403, never data, never a write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from relance.channels.models import Document
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.models import Allocation, Invoice, Payment
from relance.portal.models import PaymentClaim, PaymentPlan, PortalToken

pytestmark = pytest.mark.django_db
DAY = date(2025, 3, 17)


@pytest.fixture
def victim(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = CustomerFactory(org=org, ref="V1")
    InvoiceFactory(customer=customer, total_incl_tax=Decimal("100.00"), issue_date=date(2025, 1, 1),
                   due_date=date(2025, 1, 31))
    (tmp_path / "l.pdf").write_bytes(b"%PDF-1.4 secret")
    doc = Document.objects.create(org=org, customer=customer, kind=Document.Kind.REGISTERED_LETTER, day=DAY,
                                  path="l.pdf")
    claim = PaymentClaim.objects.create(org=org, customer=customer, paid_on=DAY, recorded_on=DAY,
                                        proof_type="application/pdf")
    claim.proof.save("p.pdf", ContentFile(b"%PDF-1.4 proof"), save=True)
    plan = PaymentPlan.objects.create(org=org, customer=customer, instalments_requested=3, first_date=DAY,
                                      total=Decimal("100.00"), requested_on=DAY)
    payment = Payment.objects.create(org=org, date=DAY, amount=Decimal("100.00"), currency="EUR")
    PortalToken.objects.create(org=org, customer=customer, token_hash="x" * 64, created_on=DAY,
                               expires_on=date(2099, 1, 1))
    return {"customer": customer, "doc": doc, "claim": claim, "plan": plan, "payment": payment}


def urls(v):
    c = v["customer"].pk
    return [
        ("get", reverse("channels:download", args=[v["doc"].pk])),
        ("get", reverse("channels:statement", args=[c])),
        ("get", reverse("channels:litigation", args=[c])),
        ("post", reverse("channels:registered_letter", args=[v["doc"].pk])),
        ("post", reverse("portal:revoke", args=[c])),
        ("get", reverse("portal:proof", args=[v["claim"].pk])),
        ("get", reverse("portal:staff_plan", args=[v["plan"].pk])),
        ("post", reverse("portal:staff_plan", args=[v["plan"].pk])),
        ("post", reverse("banking:assign", args=[v["payment"].pk])),
    ]


def test_an_owner_of_another_organisation_reaches_nothing_by_id(victim, charlie, client_for):
    client = client_for(charlie)
    for method, url in urls(victim):
        data = {"tracking_number": "1A", "decision": "approve", "instalments": "3", "first_date": "2025-04-01",
                "invoices": [str(i) for i in Invoice.objects.filter(customer=victim["customer"]).values_list("pk", flat=True)]}
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert b"secret" not in response.content and b"proof" not in getattr(response, "content", b"")
    victim["doc"].refresh_from_db()
    victim["plan"].refresh_from_db()
    assert victim["doc"].tracking_number == "" and victim["plan"].status == PaymentPlan.Status.REQUESTED
    assert PortalToken.objects.get(customer=victim["customer"]).revoked_at is None
    assert not Allocation.objects.filter(payment=victim["payment"]).exists()


def test_the_same_ids_do_work_for_the_organisations_own_owner(victim, alice, client_for):
    client = client_for(alice)
    assert client.get(reverse("channels:download", args=[victim["doc"].pk])).status_code == 200
    assert client.get(reverse("portal:proof", args=[victim["claim"].pk])).status_code == 200
    assert client.get(reverse("portal:staff_plan", args=[victim["plan"].pk])).status_code == 200
