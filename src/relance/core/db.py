"""Database helpers shared by selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Func

from relance.core.money import CENT


class Money(Func):
    """An SQL money expression rounded to the cent and returned as an exact 2-place Decimal.

    SQLite computes decimal arithmetic and SUM() in floating point: 99999.79 − 89999.82 comes back as
    9999.96999999999. Rounding in SQL, then quantizing on the way out, gives the exact cents on every backend.
    """

    function = "ROUND"
    template = "%(function)s(%(expressions)s, 2)"
    output_field = DecimalField(max_digits=14, decimal_places=2)

    def get_db_converters(self, connection: Any) -> list[Any]:
        return [*super().get_db_converters(connection), self._quantize]

    @staticmethod
    def _quantize(value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(CENT)


#: Rows sampled per index by ANALYZE: enough for the query planner, fast on a million-row table.
ANALYSIS_LIMIT = 1000


def sqlite_statistics_refresh(using: str = "default") -> bool:
    """Refresh SQLite's query-planner statistics (no-op elsewhere); True when it ran.

    Without statistics — a database that grew from empty, or a table rebuilt by a migration — SQLite can pick
    a poor index and a page over a large ledger goes from milliseconds to minutes. Run after migrations,
    after an import and once a day by the worker; `analysis_limit` keeps it to milliseconds per index.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True
