"""A big database for benchmarks, built once with the demo generator and reused.

    from bigdb import ensure_big_database          # from another bench/ script
    url = ensure_big_database()                       # SQLite file under var/bench/
    url = ensure_big_database("postgres")             # PostgreSQL database relance_bench (…_C_I_S if not default)
    os.environ["DATABASE_URL"] = url                  # then set up Django / run `relance …`

The database holds `customers` customers and `invoices` invoices, nine in ten left open (`relance demo
--open-heavy`), history ending on `today` (a fixed Monday, so the dunning ladder has a busy day). A marker
table records the parameters; a database built with the same parameters is reused, any other is rebuilt.
The build runs `relance migrate` and `relance demo` in a child process (Django stays unconfigured here).

`python bench/bigdb.py [--sqlite|--postgres] [--customers N] [--invoices N] [--rebuild] [--steady]` prints
the build time and the peak memory of the build.

`ensure_steady_database(...)` (`--steady`) returns a copy of that database in which the ladder has already
run on every business day before `today` (the "steady state" of a busy Monday, rather than the first run
after an import): see `write_ladder_history`.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_DIR / "var" / "bench"
BENCH_TODAY = date(2025, 6, 16)  # a Monday, not a holiday
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/relance_bench"
MARKER = "relance_bench_marker"


def default_url(customers: int, invoices: int, seed: int) -> str:
    return f"sqlite:///{BENCH_DIR / f'bench-{customers}-{invoices}-{seed}.sqlite3'}"


def ensure_big_database(url: str | None = None, customers: int = 100_000, invoices: int = 1_000_000, seed: int = 1,
                        today: date = BENCH_TODAY, rebuild: bool = False) -> str:
    """Return a DATABASE_URL holding that demo ledger, building it first when needed.

    `url`: None or "sqlite" (a file under var/bench/), "postgres" (database relance_bench), or a full URL.
    """
    url = _resolve(url, customers, invoices, seed)
    wanted = {"customers": customers, "invoices": invoices, "seed": seed, "today": today.isoformat(),
              "open_heavy": True, "generator": 1}
    with _lock(url):
        marker = read_marker(url)
        if not rebuild and marker is not None and marker.get("params") == wanted:
            _migrate(url)  # migrations added since the build apply to the big database too
            return url
        _drop(url)
        stats = _build(url, wanted)
        _write_marker(url, {"params": wanted, **stats})
    return url


def ensure_steady_database(url: str | None = None, customers: int = 100_000, invoices: int = 1_000_000,
                           seed: int = 1, today: date = BENCH_TODAY, rebuild: bool = False) -> str:
    """The big database's copy with the ladder history of every business day before `today` (built once)."""
    base = ensure_big_database(url, customers=customers, invoices=invoices, seed=seed, today=today)
    steady = _steady_url(base)
    wanted = {"base": (read_marker(base) or {}).get("params"), "history_through": "previous business day",
              "history": 1}
    with _lock(steady):
        marker = read_marker(steady)
        if not rebuild and marker is not None and marker.get("params") == wanted:
            _migrate(steady)
            return steady
        started = time.monotonic()
        with _lock(base):  # nobody rebuilds the base while it is copied
            _copy(base, steady)
        _drop_marker(steady)
        subprocess.run([sys.executable, __file__, "--write-history", steady, "--today", today.isoformat()],
                       env=_env(steady), check=True, cwd=PROJECT_DIR)
        _analyze(steady)
        _write_marker(steady, {"params": wanted, "build_seconds": round(time.monotonic() - started, 1),
                               "built_at": time.strftime("%Y-%m-%d %H:%M:%S")})
    return steady


def _steady_url(base: str) -> str:
    if _is_sqlite(base):
        path = _sqlite_path(base)
        return f"sqlite:///{path.with_name(path.stem + '-steady' + path.suffix)}"
    return f"{base}_steady"


def _copy(base: str, target: str) -> None:
    if _is_sqlite(base):
        _drop(target)
        with sqlite3.connect(_sqlite_path(base)) as src, sqlite3.connect(_sqlite_path(target)) as dst:
            src.backup(dst)
        return
    name, source = urlparse(target).path.strip("/"), urlparse(base).path.strip("/")
    with _pg_connect(base, dbname="postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def _drop_marker(url: str) -> None:
    drop = f"DROP TABLE IF EXISTS {MARKER}"
    if _is_sqlite(url):
        with sqlite3.connect(_sqlite_path(url)) as conn:
            conn.execute(drop)
    else:
        with _pg_connect(url) as conn:
            conn.execute(drop)


def _analyze(url: str) -> None:
    if _is_sqlite(url):
        with sqlite3.connect(_sqlite_path(url)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("ANALYZE")
    else:
        with _pg_connect(url) as conn:
            conn.execute("VACUUM ANALYZE")


def ladder_history(due: date, steps, through: date) -> list[tuple[str, date]]:  # type: ignore[no-untyped-def]
    """The steps an invoice due on `due` would have carried out by `through`, had the run gone every business
    day: each step on the first business day on or after its trigger (rule 2), one step a day at most (rule 13),
    pre_due only before the due date (rule 4), an approval given on the day it is asked for (rule 12).
    Grouping (rule 5) and spacing (rule 6) are not simulated: each invoice climbs on its own."""
    from decimal import Decimal

    from relance.core.dates import next_business_day
    from relance.dunning import planner

    inv = planner.Invoice(0, 0, due, Decimal("1.00"))
    done: list[tuple[str, date]] = []
    day = due - timedelta(days=60)
    while True:
        step = planner.next_step(inv, steps, day)
        if step is None:
            return done
        day = next_business_day(max(day, planner.trigger_date(inv, step, steps)))
        if day > through:
            return done
        if step.is_pre_due and day >= due:
            continue  # rule 4: next_step skips it from that day on
        inv.marks[step.code] = planner.Mark(day)
        done.append((step.code, day))
        day += timedelta(days=1)


def write_ladder_history(today: date) -> None:
    """Ladder marks as of the business day before `today`, for every open invoice, set-based: one
    INSERT … SELECT per (due date, step). Needs Django set up (DATABASE_URL is the copy)."""
    from django.db import connection, transaction

    from relance.accounts.models import Organisation
    from relance.core.dates import is_business_day
    from relance.dunning.models import LadderMark
    from relance.dunning.plans import PlanChooser
    from relance.ledger.models import Invoice

    through = today - timedelta(days=1)
    while not is_business_day(through):
        through -= timedelta(days=1)
    org = Organisation.objects.order_by("id").first()
    assert org is not None, "empty bench database"
    steps = PlanChooser(org).default
    dues = (Invoice.objects.filter(org=org, status="open", kind="invoice", due_date__lte=through)
            .values_list("due_date", flat=True).distinct())
    sql = (f"INSERT INTO {LadderMark._meta.db_table} (org_id, customer_id, invoice_id, step, day, skipped) "  # noqa: S608
           f"SELECT org_id, customer_id, id, %s, %s, %s FROM {Invoice._meta.db_table} "
           f"WHERE org_id = %s AND status = 'open' AND kind = 'invoice' AND due_date = %s")
    rows = 0
    if connection.vendor == "sqlite":  # a throw-away copy: no need to survive a power cut while it is written
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    with transaction.atomic(), connection.cursor() as cursor:
        for due in sorted(set(dues)):
            for code, day in ladder_history(due, steps, through):
                cursor.execute(sql, [code, day, False, org.id, due])
                rows += cursor.rowcount
    print(f"ladder history through {through}: {rows} marks")


def _resolve(url: str | None, customers: int, invoices: int, seed: int) -> str:
    if url in (None, "", "sqlite"):
        return os.environ.get("BENCH_DATABASE_URL") if url is None and os.environ.get("BENCH_DATABASE_URL") \
            else default_url(customers, invoices, seed)  # type: ignore[return-value]
    if url in ("postgres", "postgresql"):
        default = (customers, invoices, seed) == (100_000, 1_000_000, 1)
        return POSTGRES_URL if default else f"{POSTGRES_URL}_{customers}_{invoices}_{seed}"
    return url


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def _sqlite_path(url: str) -> Path:
    return Path(urlparse(url).path)


@contextmanager
def _lock(url: str) -> Iterator[None]:
    """Two bench scripts asking for the same database at once: the second waits for the first build."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    name = _sqlite_path(url).name if _is_sqlite(url) else urlparse(url).path.strip("/")
    with open(BENCH_DIR / f".lock-{name}", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# --- the marker ------------------------------------------------------------------------------------------


def _pg_connect(url: str, dbname: str | None = None):  # type: ignore[no-untyped-def]
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                           user=parsed.username or "postgres", password=parsed.password,
                           dbname=dbname or parsed.path.strip("/"), autocommit=True)


def read_marker(url: str) -> dict | None:
    """What the database was built with (and how long it took), or None if not (fully) built."""
    query = f"SELECT payload FROM {MARKER}"  # noqa: S608 - constant table name
    try:
        if _is_sqlite(url):
            path = _sqlite_path(url)
            if not path.exists():
                return None
            with sqlite3.connect(path) as conn:
                row = conn.execute(query).fetchone()
        else:
            with _pg_connect(url) as conn:
                row = conn.execute(query).fetchone()
    except Exception:  # no database, no table: not built
        return None
    return json.loads(row[0]) if row else None


def _write_marker(url: str, payload: dict) -> None:
    create = f"CREATE TABLE {MARKER} (payload TEXT NOT NULL)"
    insert = f"INSERT INTO {MARKER} (payload) VALUES (%s)"  # noqa: S608 - constant table name
    if _is_sqlite(url):
        with sqlite3.connect(_sqlite_path(url)) as conn:
            conn.execute(create)
            conn.execute(insert.replace("%s", "?"), (json.dumps(payload),))
    else:
        with _pg_connect(url) as conn:
            conn.execute(create)
            conn.execute(insert, (json.dumps(payload),))


# --- building -----------------------------------------------------------------------------------------------


def _drop(url: str) -> None:
    if _is_sqlite(url):
        path = _sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = urlparse(url).path.strip("/")
    with _pg_connect(url, dbname="postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _env(url: str) -> dict[str, str]:
    # the bench database's demo login must not replace the developer's var/demo_login.txt
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "RELANCE_VAR_DIR": str(BENCH_DIR / "var")}


RELANCE = [sys.executable, "-m", "relance.cli"]


def _migrate(url: str) -> None:
    subprocess.run([*RELANCE, "migrate", "--no-input", "--skip-checks", "-v", "0"], env=_env(url), check=True,
                   cwd=PROJECT_DIR)


def _build(url: str, params: dict) -> dict:
    env = _env(url)
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = before.ru_utime + before.ru_stime
    _migrate(url)
    subprocess.run([*RELANCE, "demo", "--skip-checks", "--open-heavy", "--today", params["today"], "--seed", str(params["seed"]),
                    "--customers", str(params["customers"]), "--invoices", str(params["invoices"]),
                    "--org-name", "Banc d'essai SAS"], env=env, check=True, cwd=PROJECT_DIR,
                   stdout=subprocess.DEVNULL)
    _analyze(url)
    # ru_maxrss of the children is the largest child's peak (KiB on Linux): the demo build.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"build_seconds": round(time.monotonic() - started, 1),
            # CPU time of the Python side only (the database server's work is not in it)
            "build_cpu_seconds": round(children.ru_utime + children.ru_stime - cpu_before, 1),
            "build_peak_mib": round(children.ru_maxrss / 1024, 1), "built_at": time.strftime("%Y-%m-%d %H:%M:%S")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="only the SQLite database")
    parser.add_argument("--postgres", action="store_true", help="only the PostgreSQL database")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build even when a matching database exists")
    parser.add_argument("--steady", action="store_true", help="also the copy with the ladder history")
    parser.add_argument("--write-history", help=argparse.SUPPRESS)  # internal: the child process
    parser.add_argument("--today", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_history:
        os.environ["DATABASE_URL"] = args.write_history
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
        sys.path.insert(0, str(PROJECT_DIR / "src"))
        import django

        django.setup()
        write_ladder_history(date.fromisoformat(args.today))
        return
    targets = ["sqlite"] * (not args.postgres) + ["postgres"] * (not args.sqlite)
    for target in targets:
        before = read_marker(_resolve(target, args.customers, args.invoices, args.seed))
        url = ensure_big_database(target, customers=args.customers, invoices=args.invoices, seed=args.seed,
                                  rebuild=args.rebuild)
        marker = read_marker(url) or {}
        reused = before is not None and before == marker
        print(f"{target}: {args.invoices:,} factures / {args.customers:,} clients — "
              f"{'réutilisée' if reused else 'construite'} : construction {marker.get('build_seconds')} s "
              f"(CPU côté Python {marker.get('build_cpu_seconds', '?')} s), "
              f"mémoire maximale {marker.get('build_peak_mib')} Mio ({marker.get('built_at')}) → {url}")
        if args.steady:
            steady = ensure_steady_database(target, customers=args.customers, invoices=args.invoices,
                                            seed=args.seed, rebuild=args.rebuild)
            marker = read_marker(steady) or {}
            print(f"{target} (historique de relance) : {marker.get('build_seconds')} s "
                  f"({marker.get('built_at')}) → {steady}")


if __name__ == "__main__":
    main()
