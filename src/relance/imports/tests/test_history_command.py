"""`relance import invoices|bank` records the import history; the legal payment-terms flag in its output."""

from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relance.banking.tests.builders import csv_statement
from relance.core.errors import ApplicationError, InputError, InputProblem
from relance.imports.history import error_summary, import_run_list
from relance.imports.models import ImportRun

pytestmark = pytest.mark.django_db
GOOD = "numero_facture;code_client;nom_client;date_facture;montant_ttc\nFA-1;C1;Martin;01/03/2025;120,00\n"
LONG_TERMS = ("numero_facture;code_client;nom_client;date_facture;date_echeance;montant_ttc\n"
              "FA-LONG;C1;Martin;02/01/2025;30/06/2025;500,00\n")


def relance(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "factures.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_an_import_records_who_ran_it_and_the_file(org, bob, good):
    relance("invoices", str(good), "--user", "BOB@durand.fr")
    run = ImportRun.objects.get()
    assert (run.org, run.user, run.kind, run.origin, run.outcome, run.created) == (org, bob, "invoices", "cli", "ok", 1)
    data = good.read_bytes()
    assert run.files == [{"name": "factures.csv", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}]


def test_without_user_the_run_is_the_operator_s(org, good):
    relance("invoices", str(good))
    assert ImportRun.objects.get().user is None


def test_a_refused_import_is_recorded_and_still_exits_2(org, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "FA-2;C1;Martin;31/02/2025;-3\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        relance("invoices", str(bad))
    assert exc.value.returncode == 2
    run = ImportRun.objects.get()
    assert (run.outcome, run.errors, run.created) == ("refused", 2, 0)
    assert "bad.csv, ligne 3" in run.error_summary and run.files[0]["size"] == bad.stat().st_size


def test_a_missing_file_is_recorded_as_refused_without_size(org, tmp_path, good):
    with pytest.raises(CommandError) as exc:
        relance("invoices", str(good), str(tmp_path / "absent.csv"))
    assert exc.value.returncode == 2
    run = ImportRun.objects.get()
    assert [f["name"] for f in run.files] == ["factures.csv", "absent.csv"]
    assert (run.files[1]["size"], run.files[1]["sha256"]) == (None, "")
    assert run.outcome == "refused" and "introuvable" in run.error_summary


def test_a_dry_run_is_not_recorded(org, good):
    relance("invoices", str(good), "--dry-run")
    with pytest.raises(CommandError):
        relance("invoices", "/nonexistent.csv", "--dry-run")
    assert not ImportRun.objects.exists()


def test_a_bank_import_is_recorded_as_such(org, tmp_path):
    path = tmp_path / "releve.csv"
    path.write_bytes(csv_statement(("12/03/2025", "VIR CLIENT INCONNU", "250,00")))
    relance("bank", str(path))
    run = ImportRun.objects.get()
    assert (run.kind, run.origin, run.created, run.payments_matched) == ("bank", "cli", 1, 0)


def test_the_text_output_names_invoices_beyond_the_legal_terms(org, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(LONG_TERMS, encoding="utf-8")
    out, _ = relance("invoices", str(path))
    assert out.splitlines()[0] == "Import terminé : 1 créé(s), 0 mis à jour, 0 inchangé(s)."
    assert "1 facture a un délai de paiement au-delà du maximum légal" in out and "FA-LONG" in out
    assert ImportRun.objects.get().terms_exceeded == 1


def test_json_stays_the_documented_document_and_the_flag_goes_to_stderr(org, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(LONG_TERMS, encoding="utf-8")
    out, err = relance("invoices", str(path), "--json")
    assert json.loads(out) == {"created": 1, "updated": 0, "unchanged": 0, "errors": []}
    assert "FA-LONG" in err


def test_the_history_is_scoped_by_organisation(org, other_org, good):
    relance("invoices", str(good), "--org", "concurrent")
    assert list(import_run_list(org)) == [] and import_run_list(other_org).count() == 1


def test_the_error_summary_keeps_the_first_problems_and_counts_them_all():
    problems = [InputProblem("f.csv", n, "montant_ttc", "illisible") for n in range(2, 12)]
    count, text = error_summary(InputError(problems))
    assert count == 10 and text.count("illisible") == 5 and text.endswith("… et 5 autre(s) problème(s).")
    assert error_summary(ApplicationError("Organisation inconnue : x")) == (1, "Organisation inconnue : x")
