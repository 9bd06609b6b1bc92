"""Staff pages against the 1,000,000-invoice database: p50/p95 per page and the ratio to a trivial page.

    uv run python bench/web_pages.py [--postgres] [--runs 30]

Requests the dashboard, the customer list and one customer page (the customer with the most invoices)
with Django's test Client, signed in as an owner. The first ("cold") request of each page is printed
apart: the dashboard's figures are computed then and cached until the ledger changes (at most 5 minutes);
the timed runs measure what a user gets afterwards. `--refresh` recomputes the dashboard on every request
(?actualiser=1) to show the uncached cost. The baseline is the health check (/sante/: one `SELECT 1`) measured in the same
run, so the ratio says what the page costs beyond Django's own request handling. Target: < 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bigdb import ensure_big_database  # noqa: E402


def timed(client, url: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--refresh", action="store_true", help="recompute the dashboard on every request")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = ensure_big_database("postgres" if args.postgres else None)
    os.environ["DEBUG"] = "0"  # no query log: what production does
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client

    from relance.accounts.models import Membership
    from relance.ledger.models import Customer, Invoice

    membership = Membership.objects.select_related("user", "org").filter(role="owner").order_by("id").first()
    if membership is None:
        raise SystemExit("no owner in the benchmark database")
    org = membership.org
    busiest = (Invoice.objects.filter(org=org).values("customer_id").annotate(n=Count("id")).order_by("-n").first())
    customer = Customer.objects.get(pk=busiest["customer_id"])
    client = Client()
    client.force_login(membership.user)
    pages = {
        "health (baseline)": "/sante/",
        "dashboard" + (" (recomputed)" if args.refresh else ""): "/?actualiser=1" if args.refresh else "/",
        "customer list": "/clients/",
        f"customer page ({busiest['n']} invoices)": f"/clients/{customer.pk}/",
    }
    invoices = Invoice.objects.filter(org=org).count()
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{engine}, organisation « {org.name} », {invoices} invoices, {args.runs} runs per page")
    cold = {name: timed(client, url) for name, url in pages.items()}
    samples: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.runs):
        for name, url in pages.items():  # interleaved, so drift hits every page alike
            samples[name].append(timed(client, url))
    base = statistics.median(samples["health (baseline)"])
    print(f"{'page':<34} {'cold ms':>9} {'p50 ms':>9} {'p95 ms':>9} {'p50 / health':>13}")
    for name, values in samples.items():
        p50 = statistics.median(values)
        print(f"{name:<34} {cold[name]:>9.1f} {p50:>9.1f} {percentile(values, 95):>9.1f} {p50 / base:>13.1f}")
    worst = max(percentile(v, 95) for n, v in samples.items() if n != "health (baseline)")
    print(f"target < 200 ms: {'met' if worst < 200 else 'NOT met'} (worst p95 {worst:.0f} ms)")


if __name__ == "__main__":
    main()
