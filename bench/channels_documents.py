"""What documents cost: letter PDFs and the daily print batch, against the template render alone.

In the same run we measure:
  (a) the baseline: rendering one letter's HTML in the Jinja2 sandbox (no PDF);
  (b) one letter as a PDF (WeasyPrint, with the SEPA QR code);
  (c) a print batch of N letters merged behind its cover sheet (pypdf), from PDFs already produced, with
      the batch footer ("Lot du … — page n / N") laid over every page;
and print the times, the ratios (b)/(a) and (c)/(b), and letters per minute.

Then the account statement attached to every e-mail reminder, as CPU time of this process per statement
(a throw-away SQLite database: N customers with a few open invoices each, one of them disputed):
  (d) the baseline: the same statement rendered as before (pdf.html_to_pdf: its stylesheet inline and parsed
      for each document, a new font configuration each time, the payment block in flex layout);
  (e) statement_pdf: the stylesheet parsed once, the font configuration kept, the QR code floated (same pages);
  (f) statement_pdf asked again for a customer already rendered (several messages to one customer on one day);
and print the ratios (d)/(e) and (d)/(f).

    uv run python bench/channels_documents.py [--letters 50] [--statements 50] [--statement-invoices 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")


def timed(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=50)
    parser.add_argument("--statements", type=int, default=50)
    parser.add_argument("--statement-invoices", type=int, default=5)
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"  # never the real database
    import django

    django.setup()
    from django.conf import settings
    from pypdf import PdfReader

    from relance.channels.letters import _merge_pdfs, letter_html, letter_render
    from relance.channels.models import Document
    from relance.channels.pdf import html_to_document
    from relance.channels.samples import sample_context

    ctx = sample_context(step="formal_notice")
    letter_render(ctx, org=None)  # warm up fonts and caches
    html = timed(lambda: letter_html(ctx, org=None), 20)
    pdf = timed(lambda: letter_render(ctx, org=None), 5)
    with tempfile.TemporaryDirectory() as tmp:
        settings.MEDIA_ROOT = tmp
        data, pages = letter_render(ctx, org=None)
        docs = []
        for i in range(args.letters):
            (Path(tmp) / f"l{i}.pdf").write_bytes(data)
            docs.append(Document(path=f"l{i}.pdf", pages=pages, day=date(2025, 3, 17)))
        cover = PdfReader(io.BytesIO(html_to_document("<p>Lot</p>").write_pdf()))
        parts = [cover, *(PdfReader(str(Path(tmp) / d.path)) for d in docs)]
        total = sum(len(p.pages) + len(p.pages) % 2 for p in parts)  # duplex: whole sheets
        batch = timed(lambda: _merge_pdfs(parts, day=date(2025, 3, 17), total=total, duplex=True), 3)
    print(f"(a) letter HTML (sandbox render): {html * 1000:.1f} ms")
    print(f"(b) letter PDF (WeasyPrint + QR): {pdf * 1000:.0f} ms  — ratio (b)/(a) {pdf / html:.0f}x, "
          f"{60 / pdf:.0f} letters/min")
    print(f"(c) print batch of {args.letters} letters ({pages} pages each) merged: {batch * 1000:.0f} ms "
          f"— ratio (c)/(b) {batch / pdf:.2f}")
    statements(args.statements, args.statement_invoices)
    workdir.cleanup()


#: the payment block as the statement laid it out before (flex layout; the float draws the same pixels)
FLEX_PAYMENT = ".payment { display: flex; gap: 6mm; page-break-inside: avoid; }\n.payment img { width: 30mm; height: 30mm; }"
FLOAT_PAYMENT = (".payment { display: flow-root; page-break-inside: avoid; }\n"
                 ".payment img { float: left; width: 30mm; height: 30mm; }\n.payment img + div { margin-left: 36mm; }")


def cpu_per_call(func, items) -> float:
    start = time.process_time()
    for item in items:
        func(item)
    return (time.process_time() - start) / len(items)


def statements(count: int, invoices: int) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command

    from relance.channels import statement
    from relance.channels.pdf import html_to_pdf
    from relance.core.factories import CustomerFactory, InvoiceFactory, OrganisationFactory
    from relance.dunning.services import dispute_open

    call_command("migrate", verbosity=0)
    today = date(2025, 3, 17)
    org = OrganisationFactory(name="Atelier Durand SARL", slug="bench")
    customers = []
    for c in range(count):
        customer = CustomerFactory(org=org, ref=f"C{c:04d}", name=f"Client {c} SAS")
        rows = [InvoiceFactory(customer=customer, number=f"FA-{c:04d}-{i:03d}", total_incl_tax=Decimal("120.00") + c + i,
                               issue_date=date(2025, 1, 2) + timedelta(days=i),
                               due_date=date(2025, 2, 1) + timedelta(days=5 * i)) for i in range(invoices)]
        dispute_open(org=org, invoice=rows[0], reason="Livraison incomplète", today=today)
        customers.append(customer)

    def baseline(customer):  # type: ignore[no-untyped-def]
        html = statement.statement_html(org=org, customer=customer, today=today, inline_css=True)
        assert FLOAT_PAYMENT in html, "statement.css changed: update FLOAT_PAYMENT"
        return html_to_pdf(html.replace(FLOAT_PAYMENT, FLEX_PAYMENT))

    def kept(customer):  # type: ignore[no-untyped-def]
        return statement.statement_pdf(org=org, customer=customer, today=today)

    baseline(customers[0])  # warm up fonts, templates and caches on both paths
    kept(customers[0])
    statement._render.cache_clear()
    before = cpu_per_call(baseline, customers)
    after = cpu_per_call(kept, customers)  # every customer once: nothing comes from the shared cache
    recent = customers[-min(count, 32):]  # well within what the process keeps (statement._render)
    shared = cpu_per_call(kept, recent)  # the same statements again: laid out once per process
    print(f"(d) statement PDF, generic rendering ({invoices} invoices, CPU over {count}): {before * 1000:.0f} ms")
    print(f"(e) statement PDF, stylesheet and fonts kept: {after * 1000:.0f} ms — ratio (d)/(e) {before / after:.2f}x")
    print(f"(f) same statement again for the same customer: {shared * 1000:.0f} ms — ratio (d)/(f) "
          f"{before / shared:.1f}x")


if __name__ == "__main__":
    main()
