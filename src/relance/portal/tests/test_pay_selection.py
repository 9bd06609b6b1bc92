"""What "Payer par virement" asks for: by default what is due now and not held by a promise, a dispute or
a payment plan; the debtor may tick more (an invoice not yet due, to pay early) and the amount, the
reference and the QR code follow the selection."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from relance.core.dates import local_today
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.dunning import services as dunning
from relance.portal.plans import payment_plan_create
from relance.portal.services import portal_link_create
from relance.portal.tests.test_pay_reference import amount_on, reference_on

pytestmark = pytest.mark.django_db


def invoice(customer, number: str, due_in: int, amount: str):
    today = local_today()
    return InvoiceFactory(customer=customer, number=number, issue_date=today - timedelta(days=60),
                          due_date=today + timedelta(days=due_in), total_incl_tax=Decimal(amount))


@pytest.fixture
def held(org, customer, invoices, today):
    """Beside FA-101 and FA-102 (overdue): one due today, one due in 20 days, one promised, one disputed
    and one in the payment plan in progress."""
    made = {
        "today": invoice(customer, "FA-TODAY", 0, "50.00"),
        "later": invoice(customer, "FA-LATER", 20, "400.00"),
        "promised": invoice(customer, "FA-PROMISED", -10, "70.00"),
        "disputed": invoice(customer, "FA-DISPUTED", -10, "90.00"),
        "plan": invoice(customer, "FA-PLAN", -15, "600.00"),
    }
    dunning.promise_record(org=org, customer=customer, until=today + timedelta(days=10), today=today,
                           invoices=[made["promised"]])
    dunning.dispute_open(org=org, invoice=made["disputed"], reason="Montant erroné", today=today)
    payment_plan_create(org=org, customer=customer, invoices=[made["plan"]], today=today,
                        instalments=[(today + timedelta(days=30), Decimal("300.00")),
                                     (today + timedelta(days=60), Decimal("300.00"))])
    return made


def ticked(page: str) -> set[str]:
    return set(re.findall(r'name="factures" value="(\d+)" checked', page))


def offered(page: str) -> set[str]:
    return set(re.findall(r'name="factures" value="(\d+)"', page))


def ids(*invoices) -> set[str]:
    return {str(i.pk) for i in invoices}


def test_by_default_only_what_is_due_now_and_not_held_is_asked(client, url, invoices, held):
    page = client.get(url("payer/")).content.decode()
    assert amount_on(page) == "1\u202f550,50\u00a0€"  # 1 200,00 + 300,50 + 50,00
    assert reference_on(page) == "C-MARTIN FA-101 FA-102 FA-TODAY"
    assert ticked(page) == ids(*invoices, held["today"])
    # Not yet due, promised or in the plan: offered, unticked. Disputed: not offered at all.
    assert offered(page) == ids(*invoices, held["today"], held["later"], held["promised"], held["plan"])
    assert "à échoir le" in page and "paiement promis au" in page and "dans votre échéancier" in page


def test_ticking_an_invoice_not_yet_due_adds_it_to_the_amount_reference_and_qr(client, url, invoices, held):
    chosen = [*invoices, held["today"], held["later"]]
    query = "&".join(f"factures={i.pk}" for i in chosen)
    page = client.get(url(f"payer/?choix=1&{query}")).content.decode()
    assert amount_on(page) == "1\u202f950,50\u00a0€"
    assert reference_on(page) == "C-MARTIN FA-101 FA-102 FA-TODAY FA-LATER"
    assert ticked(page) == ids(*chosen) and 'class="epc-qr"' in page


def test_the_debtor_may_pay_only_one_early_invoice(client, url, held):
    page = client.get(url(f"payer/?choix=1&factures={held['later'].pk}")).content.decode()
    assert amount_on(page) == "400,00\u00a0€" and reference_on(page) == "C-MARTIN FA-LATER"


def test_a_disputed_or_another_customer_s_invoice_cannot_be_ticked_in(client, url, org, invoices, held):
    foreign = InvoiceFactory(customer=CustomerFactory(org=org), number="FA-FOREIGN", total_incl_tax=Decimal("5"))
    query = f"factures={invoices[0].pk}&factures={held['disputed'].pk}&factures={foreign.pk}&factures=x1"
    page = client.get(url(f"payer/?choix=1&{query}")).content.decode()
    assert amount_on(page) == "1\u202f200,00\u00a0€" and reference_on(page) == "C-MARTIN FA-101"
    assert "FA-FOREIGN" not in page and "FA-DISPUTED" not in page


def test_unticking_everything_asks_for_nothing(client, url, held):
    page = client.get(url("payer/?choix=1")).content.decode()
    assert "Rien à payer dans cette sélection" in page
    assert 'id="amount"' not in page and "epc-qr" not in page and ticked(page) == set()


def test_a_customer_with_nothing_due_yet_is_offered_to_pay_early(client, org, today):
    customer = CustomerFactory(org=org, ref="C-EARLY")
    early = invoice(customer, "FA-EARLY", 12, "250.00")
    base = f"/portail/{portal_link_create(customer=customer, today=today)}/payer/"
    page = client.get(base).content.decode()
    assert "Rien à payer dans cette sélection" in page and offered(page) == ids(early) and ticked(page) == set()
    chosen = client.get(f"{base}?choix=1&factures={early.pk}").content.decode()
    assert amount_on(chosen) == "250,00\u00a0€" and reference_on(chosen) == "C-EARLY FA-EARLY"


def test_an_invoice_s_own_pay_button_still_asks_for_that_invoice_even_if_promised(client, url, held):
    page = client.get(url(f"payer/?facture={held['promised'].pk}")).content.decode()
    assert amount_on(page) == "70,00\u00a0€" and reference_on(page) == "C-MARTIN FA-PROMISED"
