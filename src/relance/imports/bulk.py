"""Plain INSERTs (COPY on PostgreSQL) for the import's large batches.

Django's bulk_create spends most of its time compiling SQL for each batch (SQLite allows 999 parameters
per statement, so a 20-column row gives 49 rows per statement). One prepared INSERT run with
executemany does the same work an order of magnitude faster; on PostgreSQL, COPY is faster still.
Values that need it (dates, decimals, JSON, files) still go through the field's get_db_prep_save, so
they are stored exactly as the ORM would store them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

BATCH = 5000
#: fields whose Python value is already what the database driver takes (str, int, bool)
_PLAIN = (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.ForeignKey)


def _preparer(field: models.Field, connection: Any) -> Callable[[models.Model], Any]:
    attname = field.attname
    if isinstance(field, _PLAIN) and not isinstance(field, models.FileField):
        return lambda obj: getattr(obj, attname)
    # the real connection, not the thread-local proxy: a lookup per value would double the cost
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def insert_rows(objs: Sequence[models.Model], *, batch: int = BATCH) -> None:
    """INSERT `objs` (all of one model, primary keys left to the database); pks are not read back."""
    if not objs:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    preparers = [_preparer(f, connection) for f in fields]
    _write(connection, meta.db_table, [str(f.column) for f in fields],
           ([prep(obj) for prep in preparers] for obj in objs), batch)


def _write(connection: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], batch: int) -> None:
    """COPY on PostgreSQL (several times faster than INSERTs, the server parses no SQL per row); else a
    prepared INSERT run with executemany, `batch` rows at a time."""
    _write_batches(connection, table, columns, _batched(rows, batch))


def _batched(rows: Iterable[Sequence[Any]], batch: int) -> Iterator[list[Sequence[Any]]]:
    pending: list[Sequence[Any]] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            yield pending
            pending = []
    if pending:
        yield pending


def _write_batches(connection: Any, table: str, columns: Sequence[str],
                   batches: Iterable[Sequence[Sequence[Any]]]) -> None:
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # identifiers come from the model's metadata; values travel as COPY data, never as SQL
            with cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                for rows in batches:
                    for row in rows:
                        copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        # identifiers come from the model's metadata, values are bound parameters
        sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({placeholders})"  # noqa: S608
        for rows in batches:
            cursor.executemany(sql, rows)


def copy_csv(model: type[models.Model], columns: Sequence[str], data: bytes) -> None:
    """PostgreSQL: COPY rows given as CSV (NULL unquoted and empty, an empty string quoted), one column each
    of `columns` (every column but the primary key): the client does no work per row."""
    connection = connections[DEFAULT_DB_ALIAS]
    assert connection.vendor == "postgresql"
    _check_columns(model, columns)
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    # identifiers come from the model's metadata; values travel as COPY data, never as SQL
    sql = f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(data)


def _check_columns(model: type[models.Model], columns: Sequence[str]) -> None:
    expected = {str(f.column) for f in model._meta.concrete_fields if not f.primary_key}
    if set(columns) != expected or len(columns) != len(expected):
        raise ValueError(f"{model._meta.db_table}: columns {sorted(expected ^ set(columns))} missing or unknown")


def new_row_defaults(model: type[models.Model], names: Sequence[str]) -> dict[str, Any]:
    """Column → what a new instance stores there, for every column but the primary key and `names`
    (attnames): its default, the time of this call for auto_now fields; prepared as the ORM prepares it."""
    connection = connections[DEFAULT_DB_ALIAS]
    blank = model()
    return {str(f.column): f.get_db_prep_save(f.pre_save(blank, True), connection)
            for f in model._meta.concrete_fields if not f.primary_key and f.attname not in names}


def insert_batches(model: type[models.Model], columns: Sequence[str],
                   batches: Iterable[Sequence[Sequence[Any]]]) -> None:
    """INSERT batches of rows (lists of tuples) whose values already are what the ORM would store, one per
    column of `columns`; the caller gives every column but the primary key (see `new_row_defaults`)."""
    _check_columns(model, columns)
    _write_batches(connections[DEFAULT_DB_ALIAS], model._meta.db_table, columns, batches)


def _value_preparer(field: models.Field, connection: Any) -> Callable[[Any], Any] | None:
    """None when the Python value is what the driver takes; else the ORM's own preparation (memoised for dates)."""
    if isinstance(field, _PLAIN) and not isinstance(field, models.FileField):
        return None
    if isinstance(field, models.DecimalField):
        # to_python and adapt_decimalfield_value leave a Decimal as it is on every backend Django ships
        return lambda value: value if type(value) is Decimal else field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        seen: dict[Any, Any] = {}

        def prepare_date(value: Any) -> Any:
            try:
                return seen[value]
            except KeyError:
                prepared = seen[value] = field.get_db_prep_save(value, connection)
                return prepared
        return prepare_date
    return lambda value: field.get_db_prep_save(value, connection)


def insert_tuples(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  batch: int = BATCH) -> None:
    """INSERT rows given as plain tuples of values for the attributes `names` (attnames: customer_id).

    Every other column gets what a new instance would get (its default; the time of this call for
    auto_now fields), prepared once; named values are prepared as the ORM would prepare them.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in fields}
    named = [by_name[n] for n in names]
    blank = model()
    rest = [f for f in fields if f.attname not in names]
    constants = tuple(f.get_db_prep_save(f.pre_save(blank, True), connection) for f in rest)
    preps = [(i, p) for i, f in enumerate(named) if (p := _value_preparer(f, connection)) is not None]

    def prepared(row: Sequence[Any]) -> tuple[Any, ...]:
        if not preps:
            return (*row, *constants)
        values = list(row)
        for i, prep in preps:
            values[i] = prep(values[i])
        return (*values, *constants)

    _write(connection, meta.db_table, [str(f.column) for f in [*named, *rest]], map(prepared, rows), batch)
