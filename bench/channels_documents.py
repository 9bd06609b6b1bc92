"""What documents cost: letter PDFs and the daily print batch, against the template render alone.

In the same run we measure:
  (a) the baseline: rendering one letter's HTML in the Jinja2 sandbox (no PDF);
  (b) one letter as a PDF (WeasyPrint, with the SEPA QR code);
  (c) a print batch of N letters merged behind its cover sheet (pypdf), from PDFs already produced, with
      the batch footer ("Lot du … — page n / N") laid over every page;
and print the times, the ratios (b)/(a) and (c)/(b), and letters per minute.

    uv run python bench/channels_documents.py [--letters 50]
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
