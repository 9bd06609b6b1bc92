"""/banque/: the review queue and the payment report, with every persona."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from relance.activity.models import Event
from relance.banking.services import bank_import, payment_reverse
from relance.banking.tests.builders import camt053, credit
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.models import Invoice, Payment
from relance.ledger.selectors import invoice_outstanding, scoped

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 15)
CORPUS_TXDTLS = "/work/shared/corpus/bank/test-camt053-txdtls.xml"


@pytest.fixture
def unmatched(org):
    """A payment from a known IBAN whose amount fits two invoices of the customer, not one: to review."""
    customer = CustomerFactory(org=org, ref="GAR01", name="Garage Lefèvre", payer_ibans=["FR7630001007941234567890185"])
    a = InvoiceFactory(customer=customer, number="FA-1", total_incl_tax=Decimal("100.00"))
    b = InvoiceFactory(customer=customer, number="FA-2", total_incl_tax=Decimal("100.00"))
    bank_import(org=org, paths=[("r.xml", camt053(credit("100.00", ref="U1", iban="FR7630001007941234567890185",
                                                        remittance="virement mars")))], today=TODAY)
    payment = scoped(Payment, org).get()
    assert payment.status == Payment.Status.UNMATCHED and payment.customer == customer
    return payment, a, b


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(reverse("banking:review")).status_code == 302


def test_the_queue_shows_the_payment_with_the_customers_open_invoices(unmatched, bob, client_for):
    payment, a, b = unmatched
    html = client_for(bob).get(reverse("banking:review")).content.decode()
    assert "virement mars" in html and "Garage Lefèvre" in html
    assert "FA-1" in html and "FA-2" in html and "Affecter le paiement" in html
    assert "plusieurs combinaisons" in html  # why it was not matched automatically


def test_a_collector_assigns_a_payment_in_one_click(unmatched, bob, client_for):
    payment, a, b = unmatched
    response = client_for(bob).post(reverse("banking:assign", args=[payment.pk]), {"invoices": [b.pk]})
    assert response.status_code == 302
    payment.refresh_from_db()
    b.refresh_from_db()
    assert payment.status == Payment.Status.MATCHED and "bob@durand.fr" in payment.match_reason
    assert b.status == Invoice.Status.PAID and invoice_outstanding(a) == Decimal("100.00")
    event = Event.objects.get(org=payment.org, type="payment")
    assert event.actor == bob and "FA-2" in event.message
    html = client_for(bob).get(reverse("banking:review")).content.decode()
    assert "affecté à FA-2" in html and "virement mars" not in html  # confirmed, and gone from the queue


def test_a_payment_spread_over_several_invoices_settles_the_oldest_first(org, bob, client_for):
    customer = CustomerFactory(org=org)
    old = InvoiceFactory(customer=customer, total_incl_tax=Decimal("80.00"), issue_date=date(2025, 1, 1))
    new = InvoiceFactory(customer=customer, total_incl_tax=Decimal("80.00"), issue_date=date(2025, 2, 1))
    bank_import(org=org, paths=[("r.csv", b"Date;Libelle;Montant\n12/03/2025;VIR;100,00\n")], today=TODAY)
    payment = scoped(Payment, org).get()
    client_for(bob).post(reverse("banking:assign", args=[payment.pk]), {"invoices": [new.pk, old.pk]})
    assert invoice_outstanding(old) == 0 and invoice_outstanding(new) == Decimal("60.00")


def test_a_viewer_reads_the_queue_but_cannot_assign(unmatched, victor, client_for):
    payment, a, b = unmatched
    c = client_for(victor)
    html = c.get(reverse("banking:review")).content.decode()
    assert "virement mars" in html and "Affecter le paiement" not in html
    assert c.post(reverse("banking:assign", args=[payment.pk]), {"invoices": [a.pk]}).status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.UNMATCHED


def test_an_outsider_sees_nothing_and_cannot_assign(unmatched, charlie, client_for):
    payment, a, b = unmatched
    c = client_for(charlie)
    assert "virement mars" not in c.get(reverse("banking:review")).content.decode()
    assert c.post(reverse("banking:assign", args=[payment.pk]), {"invoices": [a.pk]}).status_code == 404
    assert not a.allocations.exists()


def test_invoices_of_two_customers_are_refused_with_a_message(unmatched, org, bob, client_for):
    payment, a, b = unmatched
    other = InvoiceFactory(customer=CustomerFactory(org=org))
    response = client_for(bob).post(reverse("banking:assign", args=[payment.pk]), {"invoices": [a.pk, other.pk]},
                                    follow=True)
    assert "un seul client" in response.content.decode()
    assert not a.allocations.exists() and not other.allocations.exists()


def test_another_customer_can_be_chosen_by_code(unmatched, org, bob, client_for):
    payment, a, b = unmatched
    InvoiceFactory(customer=CustomerFactory(org=org, ref="BOUL7", name="Boulangerie"), number="FB-77")
    url = reverse("banking:review") + f"?payment={payment.pk}&client=boul7"
    assert "FB-77" in client_for(bob).get(url).content.decode()


def test_the_queue_warns_when_the_bank_data_is_stale(org, victor, client_for):
    assert "Aucun relevé bancaire" in client_for(victor).get(reverse("banking:review")).content.decode()


# --- Payment report ------------------------------------------------------------------------------

@pytest.fixture
def received(org, other_org):
    customer = CustomerFactory(org=org, ref="C1", name="Garage")
    full = InvoiceFactory(customer=customer, number="FA-2025-0001", total_incl_tax=Decimal("1200.00"))
    part = InvoiceFactory(customer=customer, number="FA-2025-0002", total_incl_tax=Decimal("500.00"))
    gone = InvoiceFactory(customer=customer, number="FA-2025-0003", total_incl_tax=Decimal("70.00"))
    InvoiceFactory(customer=CustomerFactory(org=other_org), number="FA-2025-0009", total_incl_tax=Decimal("9.00"))
    statement = camt053(
        credit("1200.00", ref="R1", remittance="FA-2025-0001", day="2025-03-03"),
        credit("200.00", ref="R2", remittance="FA-2025-0002", day="2025-03-10"),
        credit("70.00", ref="R3", remittance="FA-2025-0003", day="2025-03-11"),
        credit("50.00", ref="R4", remittance="FA-2025-0002", day="2025-04-02"),
    )
    bank_import(org=org, paths=[("r.xml", statement)], today=TODAY)
    bank_import(org=other_org, paths=[("o.csv", b"Date;Libelle;Montant\n05/03/2025;FA-2025-0009;9,00\n")], today=TODAY)
    payment_reverse(org=org, payment=scoped(Payment, org).get(amount=Decimal("70.00")), day=date(2025, 3, 12),
                    reason_code="AC04", today=TODAY)
    return full, part, gone


def test_the_report_lists_money_received_per_invoice_in_the_period(received, victor, client_for):
    response = client_for(victor).get(reverse("banking:report"), {"start": "2025-03-01", "end": "2025-03-31"})
    rows = response.context["rows"]
    assert [(r.invoice_number, r.received, r.fully_paid) for r in rows] == [
        ("FA-2025-0001", Decimal("1200.00"), True), ("FA-2025-0002", Decimal("200.00"), False)]
    assert response.context["total"] == Decimal("1400.00")
    assert "FA-2025-0003" not in response.content.decode()  # reversed by the bank
    assert "FA-2025-0009" not in response.content.decode()  # another organisation's


def test_the_report_exports_csv(received, victor, client_for):
    response = client_for(victor).get(reverse("banking:report"),
                                      {"start": "2025-03-01", "end": "2025-04-30", "format": "csv"})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("numero_facture;code_client")
    assert len(lines) == 4  # header + 1200 + 200 + 50
    assert "FA-2025-0002;C1;Garage;2025-01-15;500,00;EUR;2025-04-02;50,00" in lines[3]


def test_a_reversed_period_is_refused_in_the_form(received, victor, client_for):
    response = client_for(victor).get(reverse("banking:report"), {"start": "2025-04-01", "end": "2025-03-01"})
    assert "doit précéder" in response.content.decode() and response.context["rows"] == []


def test_the_payments_command_prints_the_same_report_as_json(received, org):
    out = StringIO()
    call_command("payments", "--from", "2025-03-01", "--to", "2025-03-31", "--org", org.slug, "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["total"] == "1400.00"
    assert [(i["invoice"], i["received"], i["fully_paid"]) for i in payload["invoices"]] == [
        ("FA-2025-0001", "1200.00", True), ("FA-2025-0002", "200.00", False)]
    assert payload["invoices"][1]["payments"] == [{"date": "2025-03-10", "amount": "200.00", "reference": "NL77ABNA0574908765:R2"}]


def test_the_payments_command_prints_a_french_table_and_refuses_a_reversed_period(received, org):
    out = StringIO()
    call_command("payments", "--from", "2025-03-01", "--to", "2025-03-31", "--org", org.slug, stdout=out)
    assert "FA-2025-0001" in out.getvalue() and "2 facture(s)" in out.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command("payments", "--from", "2025-04-01", "--to", "2025-03-01", "--org", org.slug)
    assert exc.value.returncode == 2


# --- Import page ---------------------------------------------------------------------------------

def _upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from relance.banking.tests.test_parsers import CORPUS

    return SimpleUploadedFile(name, (CORPUS / name).read_bytes())


def test_a_collector_imports_a_statement_from_the_browser(org, bob, client_for):
    response = client_for(bob).post(reverse("banking:upload"), {"files": [_upload("test-camt054.xml")],
                                                                  "format": "auto"})
    assert response.status_code == 200 and response.context["report"].created == 1
    assert "1 paiement(s) créé(s)" in response.content.decode()
    assert scoped(Payment, org).count() == 1


def test_a_dry_run_from_the_browser_writes_nothing(org, bob, client_for):
    response = client_for(bob).post(reverse("banking:upload"), {"files": [_upload("test-camt054.xml")],
                                                                  "dry_run": "1"})
    assert "Simulation" in response.content.decode() and not scoped(Payment, org).exists()


def test_the_malformed_ofx_is_refused_in_the_browser_with_its_lines(org, bob, client_for):
    response = client_for(bob).post(reverse("banking:upload"), {
        "files": [_upload("test-camt054.xml"), _upload("test_ofx_wrong.ofx")]})
    html = response.content.decode()
    assert "rien n'a été enregistré" in html and "TRNAMT" in html and ">42<" in html
    assert not scoped(Payment, org).exists()


def test_a_viewer_cannot_import_and_an_outsider_imports_only_into_his_own_organisation(org, other_org, victor,
                                                                                         charlie, client_for):
    assert client_for(victor).post(reverse("banking:upload"), {"files": [_upload("test-camt054.xml")]}).status_code == 403
    assert "pas d'importer" in client_for(victor).get(reverse("banking:upload")).content.decode()
    client_for(charlie).post(reverse("banking:upload"), {"files": [_upload("test-camt054.xml")]})
    assert not scoped(Payment, org).exists() and scoped(Payment, other_org).count() == 1


def test_a_payment_is_never_assigned_to_an_invoice_in_another_currency(org, bob, client_for):
    invoice = InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("2187.00"))
    bank_import(org=org, paths=[CORPUS_TXDTLS], today=TODAY)  # CHF payments
    payment = scoped(Payment, org).get(amount=Decimal("2187.00"))
    response = client_for(bob).post(reverse("banking:assign", args=[payment.pk]), {"invoices": [invoice.pk]},
                                    follow=True)
    assert "en CHF" in response.content.decode() and not invoice.allocations.exists()
