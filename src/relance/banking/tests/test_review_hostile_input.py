"""Hostile input on bank pages and files: refused or ignored with a message, never a crash."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from relance.banking.parsers import parse_statement_file
from relance.banking.parsers.common import decode_text
from relance.banking.services import bank_import
from relance.core.errors import InputError
from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.ledger.models import Allocation, Payment
from relance.ledger.selectors import scoped

TODAY = date(2025, 3, 15)


@pytest.mark.django_db
@pytest.mark.parametrize("ids", [["²"], ["١"], ["1²"], ["-1"], [""]])
def test_a_non_ascii_or_bogus_invoice_id_is_ignored_not_a_server_error(org, bob, client_for, ids):
    InvoiceFactory(customer=CustomerFactory(org=org), total_incl_tax=Decimal("100.00"))
    bank_import(org=org, paths=[("r.csv", b"Date;Libelle;Montant\n12/03/2025;VIR;90,00\n")], today=TODAY)
    payment = scoped(Payment, org).get()
    response = client_for(bob).post(reverse("banking:assign", args=[payment.pk]), {"invoices": ids})
    assert response.status_code == 302
    assert not Allocation.objects.filter(payment=payment).exists()


@pytest.mark.parametrize("encoding", ["hex", "base64", "x-unknown-9", "rot13"])
def test_an_xml_or_ofx_naming_a_non_text_encoding_is_read_as_windows_1252(encoding):
    data = f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode() + "Libellé".encode("cp1252")
    assert decode_text(data, encoding).endswith("Libellé")


@pytest.mark.parametrize("encoding", ["hex", "x-unknown-9"])
def test_an_ofx_with_a_bogus_encoding_is_refused_as_input_not_a_crash(encoding):
    data = (f'<?xml version="1.0" encoding="{encoding}"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n'
            "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR</CURDEF>\xe9</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
            ).encode("latin-1")
    try:
        statements = parse_statement_file("x.ofx", data, "ofx")
    except InputError as exc:
        assert exc.problems
    else:
        assert all(s.format == "ofx" for s in statements)
