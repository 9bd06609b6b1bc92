"""What the `relance` command line says: French messages alone on stderr, the state of the database, a reader
that goes away (`| head`), and human output in French (steps, channels, amounts)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import OperationalError

from relance.cli import main
from relance.core.commands import NOT_INITIALISED, NOT_UP_TO_DATE
from relance.core.factories import OrganisationFactory
from relance.dunning.management.commands import dunning as dunning_command
from relance.dunning.models import Action, LadderMark
from relance.dunning.tests.test_run import debtor, invoice
from relance.dunning.tests.test_services import at_formal_notice

D = date.fromisoformat
RELANCE = str(Path(sys.executable).parent / "relance")
CORPUS = Path("/work/shared/corpus/einvoice")
NEGATIVE_DUE = CORPUS / "cii/EN16931_Einfach_negativePaymentDue.cii.xml"
THOUSANDS, BEFORE_SYMBOL = "\u202f", "\xa0"


def relance(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        relance(*args)
    assert info.value.returncode == 2
    return str(info.value)


@pytest.fixture
def console(monkeypatch):
    """console(*args) runs `relance ARGS` through the console script in this process (the test database):
    returns (exit code, stdout, stderr)."""
    # Django closes the connections after a command; the test's transaction must outlive it.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str, stdout: io.TextIOBase | None = None) -> tuple[int, str, str]:
        out, err = stdout or StringIO(), StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        with pytest.raises(SystemExit) as info:
            main(["relance", *args])
        monkeypatch.undo()
        monkeypatch.setattr(connections, "close_all", lambda: None)
        code = info.value.code or 0
        return int(code), out.getvalue() if isinstance(out, StringIO) else "", err.getvalue()

    return run


# --- 1. A refusal prints its French message alone -----------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_prints_only_the_french_message_on_stderr_with_exit_code_2(org, console):
    code, out, err = console("dunning", "approve", "--date", "2025-05-12")
    assert code == 2 and out == ""
    assert err == "Indiquez des numéros d'action ou --all (l'un ou l'autre).\n"


def test_the_real_script_prints_no_exception_name_either():
    done = subprocess.run([RELANCE, "penalties", "--amount", "douze", "--due", "2025-03-01", "--on", "2025-04-01"],
                          capture_output=True, text=True, timeout=60, env={**os.environ})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("--amount : montant illisible") and "CommandError" not in done.stderr


# --- 2. Not initialised, or not up to date -------------------------------------------------------------


def test_a_database_never_migrated_is_not_initialised(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    done = subprocess.run([RELANCE, "dunning", "run"], capture_output=True, text=True, timeout=60, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", NOT_INITIALISED + "\n")


@pytest.mark.django_db
def test_a_database_with_pending_migrations_says_it_is_not_up_to_date(org, monkeypatch):
    recorder = MigrationRecorder(connection)
    latest = max(name for app, name in recorder.applied_migrations() if app == "ledger")
    recorder.record_unapplied("ledger", latest)  # as after an upgrade that brings a new migration

    def new_column_missing(**kwargs):
        raise OperationalError("no such column: ledger_invoice.new_field")

    monkeypatch.setattr(dunning_command, "dunning_run", new_column_missing)
    assert refused("dunning", "run", "--date", "2025-03-10") == NOT_UP_TO_DATE


@pytest.mark.django_db
def test_a_database_error_on_an_up_to_date_database_stays_an_unexpected_error(org, monkeypatch):
    def disk_full(**kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(dunning_command, "dunning_run", disk_full)
    with pytest.raises(OperationalError):  # exit code 1, not disguised as a missing migration
        relance("dunning", "run", "--date", "2025-03-10")


# --- 3. A reader that goes away ------------------------------------------------------------------------


def closed_pipe() -> io.TextIOWrapper:
    """A stdout whose reader has gone, writing each line at once (the error comes in the middle of a command)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    return io.TextIOWrapper(os.fdopen(write_end, "wb"), encoding="utf-8", line_buffering=True)


@pytest.mark.django_db
def test_a_reader_that_goes_away_ends_the_command_quietly(console):
    stdout = closed_pipe()
    code, _, err = console("rates", "list", stdout=stdout)
    assert code == 0 and err == ""


@pytest.mark.django_db
def test_a_broken_pipe_that_is_not_stdout_is_an_unexpected_error(console, monkeypatch):
    from relance.legal.management.commands import rates

    def socket_gone(self, options):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(rates.Command, "list", socket_gone)
    read_end, write_end = os.pipe()
    try:
        with pytest.raises(BrokenPipeError):
            console("rates", "list", stdout=io.TextIOWrapper(os.fdopen(write_end, "wb"), encoding="utf-8"))
    finally:
        os.close(read_end)


# --- 4. Dunning in French --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_names_the_step_the_channel_and_the_amount_in_french(org):
    customer = debtor(org, ref="C001")
    fa = invoice(customer, number="FA-001", amount="4480.57")
    LadderMark.objects.create(org=org, customer=customer, invoice=fa, step="reminder_1", day=D("2025-03-10"))
    out, _ = relance("dunning", "run", "--date", "2025-03-24")
    email, sms = Action.objects.order_by("id")
    amount = f"4{THOUSANDS}480,57{BEFORE_SYMBOL}€"
    assert f"#{email.id} C001 — Deuxième relance — E-mail envoyé — {amount} — FA-001" in out
    assert f"#{sms.id} C001 — Deuxième relance — SMS envoyé — {amount} — FA-001" in out
    assert "reminder_2" not in out and "4480.57" not in out and " sent" not in out


@pytest.mark.django_db
def test_a_dry_run_says_what_it_would_send_and_names_events_in_french(org):
    customer = debtor(org, kind="b2c", ref="P9")
    fa = invoice(customer, number="FA-OLD", due="2023-03-10")  # consumer claim: time-barred after 10/03/2025
    LadderMark.objects.create(org=org, customer=customer, invoice=fa, step="reminder_1", day=D("2023-03-17"))
    out, _ = relance("dunning", "run", "--date", "2025-03-11", "--dry-run")
    assert "P9 — Créance prescrite, plus de relance — FA-OLD" in out
    assert "limitation_reached" not in out and "événement" not in out
    invoice(debtor(org, ref="C002"), number="FA-002")
    out, _ = relance("dunning", "run", "--date", "2025-03-10", "--dry-run")
    assert f"- C002 — Première relance — E-mail à envoyer — 1{THOUSANDS}200,00{BEFORE_SYMBOL}€ — FA-002" in out
    assert not Action.objects.exists()  # a simulation records nothing


@pytest.mark.django_db
def test_a_run_on_a_day_off_says_why_nothing_was_sent(org):
    invoice(debtor(org, ref="C001"), number="FA-001")
    saturday, _ = relance("dunning", "run", "--date", "2025-06-21")
    assert "samedi 21/06/2025 : jour non ouvré, aucune relance" in saturday
    bastille_day, _ = relance("dunning", "run", "--date", "2025-07-14", "--dry-run")
    assert "lundi 14/07/2025 : jour férié, aucune relance" in bastille_day
    monday, _ = relance("dunning", "run", "--date", "2025-06-23")
    assert "non ouvré" not in monday and "Première relance" in monday


@pytest.mark.django_db
def test_approve_says_what_was_done_in_french(org):
    at_formal_notice(org)
    relance("dunning", "run", "--date", "2025-05-09")
    action = Action.objects.get()
    out, _ = relance("dunning", "approve", str(action.id), "--date", "2025-05-12")
    assert out == (f"#{action.id} C100 — Mise en demeure — Lettre recommandée produite pour l'envoi postal — "
                   f"1{THOUSANDS}200,00{BEFORE_SYMBOL}€\n")


@pytest.mark.django_db
def test_explain_keeps_codes_and_rules_with_the_step_label_beside_the_code(org):
    invoice(debtor(org, ref="C001"), number="FA-001")
    out, _ = relance("dunning", "explain", "FA-001", "--date", "2025-03-10")
    assert "« reminder_1 » (première relance)" in out and "(règle 3)" in out


# --- 5. Import warnings in French amounts ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_warning_shows_the_amount_the_french_way(org):
    out, err = relance("import", "invoices", str(NEGATIVE_DUE), "--dry-run")
    assert f"reste dû -529,87{BEFORE_SYMBOL}€" in err and "-529.87" not in err
    assert out.startswith("Simulation, rien n'a été enregistré : 1 créé(s)")


# --- 6. Several organisations ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_precisez_org_lists_the_organisations(org, other_org):
    message = refused("dunning", "run", "--date", "2025-03-10")
    assert message == "Plusieurs organisations existent : précisez --org IDENTIFIANT (concurrent, durand)."


@pytest.mark.django_db
def test_precisez_org_names_at_most_ten_organisations(db):
    for n in range(12):
        OrganisationFactory(slug=f"client-{n:02d}")
    message = refused("dunning", "run", "--date", "2025-03-10")
    shown = ", ".join(f"client-{n:02d}" for n in range(10))
    assert message.endswith(f"({shown}, … (12 en tout)).")
