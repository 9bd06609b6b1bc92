"""Benchmark: a generated FEC of 1,000,000 lines imported end to end, against parsing it with polars.

    uv run python bench/imports.py [--lines 1000000] [--postgres]

Uses a throw-away SQLite database, or with --postgres a PostgreSQL database recreated for the run
(DATABASE_URL is set before Django starts). Prints the time to parse
the file with polars (the baseline, measured in the same run), the time of the full import (parse,
checks, bulk writes, allocations, statuses, events), the ratio, and the time of a second import of the
same file (nothing to change).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _timing import StepTimer

COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
           "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
           "ValidDate", "Montantdevise", "Idevise")


def amount(cents: int) -> str:
    return f"{cents // 100:012d},{cents % 100:02d}"  # zero-padded, as some accounting software writes them


def generate(path: Path, lines: int, seed: int = 7) -> int:
    """Sales entries (411 / 706 / 44571) and, for two invoices in three, a lettered bank payment."""
    rng = random.Random(seed)
    start, written, entry, invoices = date(2024, 1, 1), 0, 0, 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\t".join(COLUMNS) + "\r\n")
        while written + 5 <= lines:
            entry += 1
            invoices += 1
            aux = f"C{rng.randrange(2000):05d}"
            day = start + timedelta(days=rng.randrange(360))
            ds, piece = day.strftime("%Y%m%d"), f"FA{invoices:08d}"
            ht = rng.randrange(1000, 500000)
            tva = ht // 5
            paid = rng.random() < 2 / 3
            letter = f"L{invoices}" if paid else ""
            let_date = (day + timedelta(days=30)).strftime("%Y%m%d") if paid else ""
            rows = [
                ("VT", "Ventes", str(entry), ds, "41100000", "Clients", aux, f"Client {aux}", piece, ds,
                 f"Facture {piece}", amount(ht + tva), amount(0), letter, let_date, ds, "", ""),
                ("VT", "Ventes", str(entry), ds, "70600000", "Prestations", "", "", piece, ds, f"Facture {piece}",
                 amount(0), amount(ht), "", "", ds, "", ""),
                ("VT", "Ventes", str(entry), ds, "44571000", "TVA collectée", "", "", piece, ds, f"Facture {piece}",
                 amount(0), amount(tva), "", "", ds, "", ""),
            ]
            if paid:
                entry += 1
                rows += [
                    ("BQ", "Banque", str(entry), let_date, "51200000", "Banque", "", "", f"VIR{invoices}", let_date,
                     "Virement", amount(ht + tva), amount(0), "", "", let_date, "", ""),
                    ("BQ", "Banque", str(entry), let_date, "41100000", "Clients", aux, f"Client {aux}",
                     f"VIR{invoices}", let_date, "Virement", amount(0), amount(ht + tva), letter, let_date,
                     let_date, "", ""),
                ]
            out.write("".join("\t".join(r) + "\r\n" for r in rows))
            written += len(rows)
    return written


PG_SERVER, PG_DATABASE = "postgresql://postgres@127.0.0.1:5432", "relance_bench_imports"


def recreate_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")


def setup_django(tmp: Path, postgres: bool = False) -> None:
    if postgres:
        recreate_postgres()
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}" if postgres else f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("RELANCE_VAR_DIR", str(tmp))
    os.environ["RELANCE_IMPORT_MAX_MB"] = "500"  # a 1M-line FEC weighs ~140 MB; the default cap is 50 MB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def polars_parse(path: Path, runs: int = 3) -> tuple[float, float, int]:
    """The baseline: polars reading the whole file, warmed up once (its first call in a process also starts
    its thread pool), then the median of `runs` reads — the import itself runs with polars warm."""
    import statistics

    import polars as pl

    def read() -> tuple[float, float, int]:
        began, cpu = time.perf_counter(), time.process_time()
        frame = pl.read_csv(path, separator="\t", decimal_comma=True, infer_schema_length=10000,
                            schema_overrides={"CompAuxNum": pl.Utf8, "EcritureLet": pl.Utf8, "DateLet": pl.Utf8})
        return time.perf_counter() - began, time.process_time() - cpu, frame.height

    cold_wall, cold_cpu, rows = read()
    timed = [read() for _ in range(runs)]
    wall, cpu = statistics.median(t[0] for t in timed), statistics.median(t[1] for t in timed)
    print(f"polars parse: first call {cold_wall:.2f} s wall {cold_cpu:.2f} s CPU; then median of {runs} "
          f"{wall:.2f} s wall (range {min(t[0] for t in timed):.2f}–{max(t[0] for t in timed):.2f}), "
          f"{cpu:.2f} s CPU (all threads)")
    return wall, cpu, rows


PHASES = {  # module → functions timed separately (they run one after the other, never nested in each other)
    # _add_record (called once per invoice) is left out: timing each call would cost more than the call
    "relance.imports.services": ("read_sources", "_parse_all", "_merge_customers", "_check_phones",
                                 "_check_payee_ibans", "_load_existing", "_classify", "_load_touched"),
    "relance.imports.table": ("_with_hashes", "_existing", "write_table"),
    "relance.imports.writer": ("_write_customers", "_write_contacts", "_invoice_objects", "_existing_allocations",
                               "_wanted_allocations", "_set_statuses", "_insert_invoices", "_read_back_ids",
                               "_sync_allocations", "_write_events"),
}


class Phases(StepTimer):
    """Wall and CPU time per step of the import (the product's functions wrapped for this run only)."""

    def __init__(self) -> None:
        super().__init__(PHASES)

    def print(self, total_cpu: float) -> None:
        accounted = sum(cpu for _, cpu, _calls in self.spent.values())
        for name, (wall, cpu, _calls) in self.spent.items():
            if cpu >= 0.01 or wall >= 0.01:
                print(f"  {name:<22} {wall:7.2f} s wall {cpu:7.2f} s CPU")
        print(f"  {'(commit, the rest)':<22} {'':>14} {total_cpu - accounted:7.2f} s CPU")


def relance_import(path: Path) -> tuple[float, float, object]:
    from relance.core.factories import OrganisationFactory
    from relance.imports.services import invoice_import

    org = OrganisationFactory(name="Bench SARL", slug="bench")
    with Phases() as phases:
        began, cpu = time.perf_counter(), time.process_time()
        report = invoice_import(org=org, paths_or_files=[path], today=date(2025, 1, 31))
        first, first_cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"relance import CPU time: {first_cpu:.2f} s, by step:")
    phases.print(first_cpu)
    from relance.ledger.models import Allocation, Invoice

    paid = Invoice.objects.filter(org=org, status="paid").count()
    print(f"check: {paid:,} invoices paid (about two in three), "
          f"{Allocation.objects.filter(org=org).count():,} allocations")
    began, cpu = time.perf_counter(), time.process_time()
    again = invoice_import(org=org, paths_or_files=[path], today=date(2025, 1, 31))
    print(f"second import of the same file: {time.perf_counter() - began:.2f} s "
          f"(CPU {time.process_time() - cpu:.2f} s) "
          f"(created {again.created}, updated {again.updated}, unchanged {again.unchanged})")
    return first, first_cpu, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true",
                        help=f"import into a fresh PostgreSQL database {PG_DATABASE} at {PG_SERVER}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="relance-bench-") as tmpdir:
        tmp = Path(tmpdir)
        fec = tmp / "732829320FEC20241231.txt"
        lines = generate(fec, args.lines)
        print(f"FEC: {lines:,} lines, {fec.stat().st_size / 1e6:.0f} MB")
        setup_django(tmp, postgres=args.postgres)
        print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}")
        baseline, baseline_cpu, rows = polars_parse(fec)
        print(f"polars parse (baseline): {baseline:.2f} s ({rows:,} rows)")
        spent, spent_cpu, report = relance_import(fec)
        print(f"relance import end to end: {spent:.2f} s "
              f"(created {report.created}, updated {report.updated}, unchanged {report.unchanged})")
        print(f"ratio import / polars parse: {spent / baseline:.1f} wall, {spent_cpu / baseline_cpu:.1f} CPU "
              "(target ≤ 4; a PostgreSQL server's own work is in the wall time only)")
        print(f"peak memory of the process (polars baseline included): "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        print(f"machine: {os.cpu_count()} CPU, load average {os.getloadavg()[0]:.1f} at the end of the run")


if __name__ == "__main__":
    main()
