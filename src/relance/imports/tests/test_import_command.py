"""relance import invoices|bank: the CLI contract (exit codes, --json, --dry-run, roles)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relance.ledger.models import Invoice
from relance.ledger.selectors import scoped

pytestmark = pytest.mark.django_db
GOOD = "numero_facture;code_client;nom_client;date_facture;montant_ttc\nFA-1;C1;Martin;01/03/2025;120,00\n"


def relance(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "factures.csv"
    path.write_text(GOOD, encoding="utf-8")
    return str(path)


def test_json_prints_exactly_the_documented_summary(org, good):
    out, _ = relance("invoices", good, "--json", "--date", "2025-04-01")
    assert json.loads(out) == {"created": 1, "updated": 0, "unchanged": 0, "errors": []}
    out, _ = relance("invoices", good, "--json")
    assert json.loads(out) == {"created": 0, "updated": 0, "unchanged": 1, "errors": []}


def test_bad_input_exits_2_with_every_error_in_the_json(org, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "FA-2;C1;Martin;31/02/2025;-3\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import", "invoices", str(bad), "--json", stdout=out, stderr=StringIO())
    assert exc.value.returncode == 2
    payload = json.loads(out.getvalue())
    assert (payload["created"], [e["field"] for e in payload["errors"]]) == (0, ["issue_date", "total_incl_tax"])
    assert payload["errors"][0]["line"] == 3 and payload["errors"][0]["file"] == str(bad)
    assert not scoped(Invoice, org).exists()


def test_dry_run_writes_nothing(org, good):
    out, _ = relance("invoices", good, "--dry-run")
    assert "Simulation" in out and "1 créé" in out
    assert not scoped(Invoice, org).exists()


def test_an_explicit_format_is_honoured(org, good):
    with pytest.raises(CommandError) as exc:
        relance("invoices", good, "--format", "fec")
    assert exc.value.returncode == 2 and "en-tête FEC" in str(exc.value)


def test_a_viewer_may_not_import_but_a_collector_may(org, victor, bob, good):
    with pytest.raises(CommandError) as exc:
        relance("invoices", good, "--user", victor.email)
    assert exc.value.returncode == 2
    assert not scoped(Invoice, org).exists()
    relance("invoices", good, "--user", bob.email, "--org", org.slug)
    assert scoped(Invoice, org).count() == 1


def test_an_outsider_cannot_import_into_another_organisation(org, charlie, good):
    with pytest.raises(CommandError) as exc:
        relance("invoices", good, "--org", org.slug, "--user", charlie.email)
    assert exc.value.returncode == 2


def test_a_missing_file_is_bad_input(org):
    with pytest.raises(CommandError) as exc:
        relance("invoices", "/nonexistent/factures.csv")
    assert exc.value.returncode == 2 and "introuvable" in str(exc.value)


def test_bank_statements_are_delegated_to_the_banking_app(org):
    out, _ = relance("bank", "/work/shared/corpus/bank/test-camt053.xml", "--json", "--dry-run")
    assert set(json.loads(out)) == {"created", "updated", "unchanged", "errors"}
