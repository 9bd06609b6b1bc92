"""SQLite's query-planner statistics are refreshed after migrations and imports (a table rebuilt by a
migration, or grown from empty by a first import, would otherwise be planned blind)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from relance.core.apps import _after_migrate
from relance.core.db import sqlite_statistics_refresh
from relance.imports.services import invoice_import

CORPUS = Path("/work/shared/corpus/einvoice")
# The refresh is SQLite's planner statistics (a no-op elsewhere, checked by the first test on every backend;
# PostgreSQL's autovacuum keeps its own). The SQLite run of CI exercises these; the PostgreSQL run cannot.
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="SQLite planner statistics (sqlite_stat1); covered by CI's SQLite run")


def analysed_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def forget_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("DELETE FROM sqlite_stat1")


def test_the_refresh_runs_on_sqlite_only(db):
    assert sqlite_statistics_refresh() is (connection.vendor == "sqlite")


@sqlite_only
def test_an_invoice_import_leaves_the_invoice_table_analysed(org):
    forget_statistics()
    assert "ledger_invoice" not in analysed_tables()
    invoice_import(org=org, paths_or_files=[CORPUS / "cii/EN16931_Einfach.cii.xml"], today=date(2025, 3, 17))
    assert "ledger_invoice" in analysed_tables()


@sqlite_only
def test_a_migrate_run_refreshes_the_statistics_only_when_it_applied_something(org, customer_with_invoice):
    forget_statistics()
    _after_migrate(using="default", plan=[])
    assert analysed_tables() == set()
    _after_migrate(using="default", plan=[("a migration", False)])
    assert "ledger_invoice" in analysed_tables()


@pytest.fixture
def customer_with_invoice(org):
    from relance.core.factories import InvoiceFactory

    return InvoiceFactory(org=org)
