"""Two bank imports of overlapping statements at the same moment still count each transaction once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections

from relance.banking.services import bank_import
from relance.banking.tests.builders import camt053, credit
from relance.ledger.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite's in-memory test database cannot be written by two threads at once")
def test_concurrent_imports_of_overlapping_statements_never_double_count(org):
    entries = [credit(f"{i}.00", ref=f"C{i}") for i in range(1, 41)]
    files = [("a.xml", camt053(*entries[:30])), ("b.xml", camt053(*entries[10:]))]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(source) -> None:
        try:
            start.wait()
            bank_import(org=org, paths=[source], today=date(2025, 3, 15))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert Payment.objects.filter(org=org).count() == 40
