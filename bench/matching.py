"""Matching 10,000 bank transactions against 100,000 open invoices, end to end.

A temporary SQLite database is filled with bulk inserts (customers, open invoices, known payer IBANs),
then one generated camt.053 statement of 10,000 credits goes through `bank_import` (parse, dedupe,
payments, matching, allocations, timeline events). The baseline, measured in the same run over the same
data, is the least any matcher must do: read the open invoices' numbers from the database and look each
transaction's label up in a dict.

    uv run python bench/matching.py [--invoices 100000] [--transactions 10000] [--postgres]
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
from decimal import Decimal
from pathlib import Path

from _timing import StepTimer

TODAY = date(2025, 6, 16)


def setup_django(postgres: bool) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="relance-bench-matching-"))
    os.environ["RELANCE_VAR_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = ("postgres://postgres@127.0.0.1:5432/relance_bench_matching" if postgres
                                  else f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    if postgres:
        _recreate_postgres()
    call_command("migrate", verbosity=0)
    return tmp


def _recreate_postgres() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS relance_bench_matching")
        conn.execute("CREATE DATABASE relance_bench_matching")


def rf_reference(payload: str) -> str:
    from stdnum.iso7064 import mod_97_10

    check = 98 - int(mod_97_10._to_base10(payload + "RF00")) % 97
    return f"RF{check:02d}{payload}"


def iban_for(n: int) -> str:
    from schwifty import IBAN

    return str(IBAN.generate("FR", bank_code="3000100794", account_code=f"{n:011d}"))


def fill(n_invoices: int, n_customers: int, rng: random.Random):
    from relance.accounts.models import Organisation
    from relance.ledger.models import Customer, Invoice

    org = Organisation.objects.create(name="Bench SARL", slug="bench")
    customers = Customer.objects.bulk_create(
        [Customer(org=org, ref=f"C{c:06d}", name=f"Client {c:06d} {rng.choice(['SARL', 'SAS', 'SA'])}",
                  payer_ibans=[iban_for(c)] if c % 2 == 0 else []) for c in range(n_customers)],
        batch_size=2000)
    invoices = []
    for i in range(n_invoices):
        customer = customers[i % n_customers]
        cents = rng.randrange(1000, 5_000_000)
        invoices.append(Invoice(
            org=org, customer=customer, number=f"FA-2025-{i:06d}", issue_date=TODAY - timedelta(days=i % 300),
            due_date=TODAY - timedelta(days=i % 300 - 30), total_incl_tax=Decimal(cents) / 100,
            payment_reference=rf_reference(f"{i:010d}") if i % 10 == 0 else ""))
    Invoice.objects.bulk_create(invoices, batch_size=2000)
    return org, customers, invoices


def transactions(invoices, customers, n: int, rng: random.Random) -> list[dict]:
    """A realistic mix: numbers in labels (several spellings), RF references, known IBANs, names, amounts, unknowns."""
    targets = rng.sample(range(len(invoices)), n)
    amounts: dict[Decimal, int] = {}
    for inv in invoices:
        amounts[inv.total_incl_tax] = amounts.get(inv.total_incl_tax, 0) + 1
    txs = []
    for k, i in enumerate(targets):
        inv, kind = invoices[i], k % 10
        customer_no = i % len(customers)
        tx = {"amount": inv.total_incl_tax, "remittance": "VIREMENT", "name": "", "iban": "", "ref": f"BENCH{k:08d}"}
        if kind < 4:
            spelled = rng.choice([inv.number, inv.number.replace("-", " "), inv.number.replace("-", "").lower()])
            tx["remittance"] = f"VIR SEPA REGLEMENT FACTURE {spelled} MERCI"
        elif kind == 4 and inv.payment_reference:
            tx["remittance"] = f"REF {inv.payment_reference}"
        elif kind in (4, 5) and customer_no % 2 == 0:
            tx["iban"] = iban_for(customer_no)
        elif kind == 6:
            tx["name"] = customers[customer_no].name.upper()
        elif kind == 9:
            tx["amount"] = Decimal(rng.randrange(1, 999)) + Decimal("0.01")  # matches nothing: review queue
        txs.append(tx)
    return txs


def camt(txs: list[dict]) -> bytes:
    entries = "".join(
        f'<Ntry><Amt Ccy="EUR">{t["amount"]}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{TODAY}</Dt></BookgDt><AcctSvcrRef>{t['ref']}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<RltdPties><Dbtr><Nm>{t['name']}</Nm></Dbtr><DbtrAcct><Id><IBAN>{t['iban']}</IBAN></Id></DbtrAcct>"
        f"</RltdPties><RmtInf><Ustrd>{t['remittance']}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for t in txs)
    return (f'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            f"<BkToCstmrStmt><Stmt><Id>BENCH</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>"
            f"{entries}</Stmt></BkToCstmrStmt></Document>").encode()


class Clock:
    """Wall time and this process's CPU time: on a busy shared machine the CPU time is the steadier figure
    (SQLite runs in-process, so it is counted; a PostgreSQL server's own work is not)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


#: steps of bank_import timed separately (wrapped for the run only; payments_create contains the last five)
STEPS = ("_parse_all", "_known", "_statement_row", "payments_create", "open_book", "match_payment",
         "allocations_bulk_add", "_customers_learn", "_pending_reversals_apply")


class Steps(StepTimer):
    def __init__(self) -> None:
        super().__init__({"relance.banking.services": STEPS})

    def print(self) -> None:
        inner = sum(self.spent[n][1] for n in ("open_book", "match_payment", "allocations_bulk_add",
                                                "_customers_learn"))
        for name, (wall, cpu, calls) in self.spent.items():
            print(f"  {name:<26} {wall:7.2f} s wall {cpu:7.2f} s CPU ({int(calls):,} call(s))")
        print(f"  {'payments_create, the rest':<26} (payment, event rows and their INSERTs) "
              f"{self.spent['payments_create'][1] - inner:7.2f} s CPU")


def baseline(org, txs: list[dict]) -> int:
    """Read the open invoices' numbers and look every label's words up in a dict."""
    from relance.banking.matching import normalise_number, tokens
    from relance.ledger.models import Invoice

    index = dict(Invoice.objects.filter(org=org, status="open").values_list("number", "id"))
    index = {normalise_number(k): v for k, v in index.items()}
    found = 0
    for t in txs:
        words = tokens(t["remittance"])
        found += any("".join(words[i:j]) in index for i in range(len(words)) for j in range(i + 1, min(i + 4, len(words)) + 1))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    rng = random.Random(42)
    setup_django(args.postgres)

    from relance.banking.matching import PaymentFacts, match_payment
    from relance.banking.parsers import parse_statement_file
    from relance.banking.selectors import open_book
    from relance.banking.services import bank_import
    from relance.ledger.models import Payment

    started = time.perf_counter()
    org, customers, invoices = fill(args.invoices, args.customers, rng)
    print(f"database: {args.invoices:,} open invoices, {args.customers:,} customers in "
          f"{time.perf_counter() - started:.1f} s ({'PostgreSQL' if args.postgres else 'SQLite'})")
    txs = transactions(invoices, customers, args.transactions, rng)
    data = camt(txs)

    with Clock() as base:
        base_found = baseline(org, txs)
    with Clock() as parse:
        [statement] = parse_statement_file("bench.xml", data)
    with Clock() as load:
        book = open_book(org)
    with Clock() as decide:
        decisions = [match_payment(PaymentFacts(ln.amount, ln.currency, ln.remittance, ln.payer_name, ln.payer_iban),
                                   book) for ln in statement.lines]
    from django.db import connection

    statements = [0]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements[0] += 1
        return execute(sql, params, many, context)

    load_before = os.getloadavg()[0]
    with Steps() as steps, connection.execute_wrapper(count), Clock() as total:
        report = bank_import(org=org, paths=[("bench.xml", data)], today=TODAY)
    matched = Payment.objects.filter(org=org, status="matched").count()
    rules: dict[str, int] = {}
    for d in decisions:
        rules[d.rule] = rules.get(d.rule, 0) + 1

    n = args.transactions
    print(f"statement: {len(data) / 1e6:.1f} MB camt.053 of {n:,} credits, parsed in {parse}")
    print(f"open book (load {args.invoices:,} invoices + indexes): {load}; decisions alone: {decide}, "
          f"{decide.wall / n * 1e6:.0f} µs per transaction")
    print(f"rules: {', '.join(f'{k} {v}' for k, v in sorted(rules.items()))}")
    print(f"bank_import end to end (parse, dedupe, match, payments, allocations, events): {total}, by step:")
    steps.print()
    print(f"database round trips during the import: {statements[0]} SQL statements through Django (an "
          f"executemany counts once, a COPY on PostgreSQL not at all), {statements[0] / n:.3f} per transaction; "
          f"load average {load_before:.1f} before it")
    print(f"per transaction: {total.wall / n * 1000:.2f} ms (CPU {total.cpu / n * 1000:.2f} ms); created "
          f"{report.created:,}, matched {matched:,}, to review {report.created - matched:,}")
    print(f"baseline (read open invoice numbers + dict lookup of each label): {base}, {base_found:,} found")
    print(f"ratio end to end / baseline: {total.wall / base.wall:.1f}x wall, {total.cpu / base.cpu:.1f}x CPU")
    print(f"target under 10 s: {'met' if total.wall < 10 else 'missed'} (wall), "
          f"{'met' if total.cpu < 10 else 'missed'} (CPU)")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"machine: {os.cpu_count()} CPU, load average {os.getloadavg()[0]:.1f} at the end of the run")


if __name__ == "__main__":
    main()
