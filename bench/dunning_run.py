"""A busy day of dunning over 1,000,000 open invoices and 100,000 customers, against the physical floor.

The database is the demo generator's (`bench/bigdb.py`: `relance demo --open-heavy`, built once, reused).
In the same run we measure:
  (a) the floor: one raw SQL aggregate of what is outstanding on the open invoices, grouped by customer;
  (b) `dunning_run(dry_run=True)` for the bench's busy day: load the ladder state, plan every customer.
and print both times, the ratio (b)/(a), actions planned per second and the process's peak memory.

Two scenarios, each in its own database and process:
  - "first run": the database as imported, no ladder history: every overdue invoice catches up a step;
  - "steady state": a copy in which the ladder already ran on every business day before the busy Monday
    (`bigdb.ensure_steady_database`: millions of ladder marks), the day-to-day case.
`--scenario first|steady|both` (default both).
Each time is given as wall-clock time and as CPU time (this process, plus the PostgreSQL server process
serving our connection when it runs on this machine): on a loaded machine the CPU time is the steadier.

    uv run python bench/dunning_run.py [--sqlite|--postgres] [--customers 100000] [--invoices 1000000]
                                       [--scenario first|steady|both]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bigdb import BENCH_TODAY, ensure_big_database, ensure_steady_database  # noqa: E402

FLOOR_SQL = """
SELECT i.customer_id, SUM(i.total_incl_tax - COALESCE(a.s, 0))
FROM ledger_invoice i
LEFT JOIN (SELECT invoice_id, SUM(amount) AS s FROM ledger_allocation GROUP BY invoice_id) a
       ON a.invoice_id = i.id
WHERE i.org_id = %s AND i.status = 'open' AND i.kind = 'invoice'
GROUP BY i.customer_id
"""


def backend_cpu(connection) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds used so far by the PostgreSQL process serving this connection (0 for SQLite or remote)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(connection, work):  # type: ignore[no-untyped-def]
    """(result, wall seconds, CPU seconds of this process and of its database server process)."""
    wall, cpu, server = time.perf_counter(), time.process_time(), backend_cpu(connection)
    result = work()
    return (result, time.perf_counter() - wall,
            time.process_time() - cpu + backend_cpu(connection) - server)


def measure(url: str, scenario: str) -> None:
    """Runs in a child process so that each database gets its own peak memory figure."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    import django

    django.setup()
    from django.db import connection

    from relance.accounts.models import Organisation
    from relance.core.dates import is_business_day
    from relance.dunning.selectors import open_invoice_rows
    from relance.dunning.services import dunning_run

    org = Organisation.objects.order_by("id").first()
    assert org is not None, "empty bench database"
    floor(connection, org.id)  # warm the caches for both measurements alike
    is_business_day(BENCH_TODAY)  # load the holiday calendars once, as the long-running worker has
    rows, floor_s, floor_cpu = timed(connection, lambda: floor(connection, org.id))
    fetched, fetch_s, fetch_cpu = timed(connection, lambda: sum(1 for _ in open_invoice_rows(org, 0, 2**62)))
    result, run_s, run_cpu = timed(connection, lambda: dunning_run(org=org, today=BENCH_TODAY, dry_run=True))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    actions = len(result.actions)
    print(f"  database        {connection.vendor}, {scenario}   (wall s / CPU s)")
    print(f"  (a) floor       {floor_s:8.2f} / {floor_cpu:6.2f}  (raw SQL aggregate, {rows} customers with open invoices)")
    print(f"  (a') fetch rows {fetch_s:8.2f} / {fetch_cpu:6.2f}  (for reference: the {fetched} open invoice rows "
          f"into Python)")
    print(f"  (b) dry run     {run_s:8.2f} / {run_cpu:6.2f}  ({actions} actions planned for {BENCH_TODAY:%Y-%m-%d})")
    print(f"  ratio (b)/(a)   {run_s / floor_s:8.2f} / {run_cpu / max(floor_cpu, 1e-9):6.2f}  (target ≤ 3)")
    print(f"  actions/s       {actions / run_s:8.0f}")
    print(f"  peak memory     {peak_mib:8.0f} MiB  (target < 1024)")


def floor(connection, org_id: int) -> int:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [org_id])
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="only SQLite")
    parser.add_argument("--postgres", action="store_true", help="only PostgreSQL")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--scenario", choices=["first", "steady", "both"], default="both")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the child process
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.scenario)
        return
    targets = ["sqlite"] * (not args.postgres) + ["postgres"] * (not args.sqlite)
    scenarios = ["first", "steady"] if args.scenario == "both" else [args.scenario]
    for target in targets:
        for scenario in scenarios:
            print(f"== dunning run, {args.customers} customers, {args.invoices} invoices, {target}, "
                  + ("first run after the import (no ladder history)" if scenario == "first"
                     else "steady state (ladder history through the previous business day)"))
            ensure = ensure_big_database if scenario == "first" else ensure_steady_database
            url = ensure(target, customers=args.customers, invoices=args.invoices)
            subprocess.run([sys.executable, __file__, "--measure", url, "--scenario", scenario], check=True)


if __name__ == "__main__":
    main()
