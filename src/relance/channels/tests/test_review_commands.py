"""The documents and letters commands: debtor data never chooses the folder, unwritable paths exit 2 in French."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relance.channels.pdf import safe_filename
from relance.core.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(org):
    customer = CustomerFactory(org=org, ref="../../etc/C9", name="Garage")
    InvoiceFactory(customer=customer, number="FA-1", total_incl_tax=Decimal("10.00"),
                   issue_date=date(2025, 1, 1), due_date=date(2025, 1, 31))
    return customer


def test_the_default_statement_file_stays_in_the_current_folder(hostile, tmp_path, monkeypatch):
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    call_command("documents", "statement", hostile.ref, "--date", "2025-03-17")
    assert [p.name for p in work.iterdir()] == ["releve-..-..-etc-C9-2025-03-17.pdf"]
    assert not (tmp_path / "etc").exists()


def test_an_unwritable_output_is_refused_with_exit_code_2(hostile, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("documents", "statement", hostile.ref, "--output", str(tmp_path / "absent" / "r.pdf"))
    assert caught.value.returncode == 2 and "Impossible d'écrire" in str(caught.value)


@pytest.mark.parametrize(("name", "expected"), [
    ("releve-A/B-2025.pdf", "releve-A-B-2025.pdf"),
    ("..", "document"),
    ("a\r\nb.pdf", "a b.pdf"),
    ("..\\x.pdf", "-x.pdf"),
])
def test_a_file_name_from_debtor_data_is_one_plain_name(name, expected):
    assert safe_filename(name) == expected
