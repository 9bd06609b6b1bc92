"""The import history, recorded around an import by its caller (web views, `relance import`), never by the services.

    with import_run(org=org, user=user, kind=ImportRun.Kind.INVOICES, origin=ImportRun.Origin.WEB,
                    sources=[upload]) as run:
        run.report = invoice_import(...)
    run.terms_exceeded  # invoice numbers created or updated by this import beyond the legal payment terms

A refused import (InputError or ApplicationError) is recorded as refused and the error goes on unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from relance.accounts.models import Organisation
from relance.core.errors import ApplicationError, InputError
from relance.core.reports import ImportReport
from relance.imports.models import ImportRun
from relance.imports.parsers.canonical import FRENCH
from relance.ledger.models import Invoice, Payment
from relance.ledger.selectors import scoped

SUMMARY_PROBLEMS = 5  # the history shows the first problems; the page or the command listed them all
SUMMARY_CHARS = 2000
HASH_CHUNK = 1024 * 1024
SHOWN_NUMBERS = 10


@dataclass
class RunWatch:
    """What the caller hands back (the report) and what the history learns after the import."""

    org: Organisation
    kind: str
    check: bool
    report: ImportReport | None = None
    terms_exceeded: list[str] = field(default_factory=list)
    payments_matched: int = 0
    _flagged_before: set[tuple[int, str]] = field(default_factory=set)
    _last_payment: int = 0


@contextmanager
def import_run(*, org: Organisation, user: Any, kind: str, origin: str, sources: Iterable[Any],
               check: bool = False) -> Iterator[RunWatch]:
    """Record one import of `sources` (paths, uploads or (name, bytes) pairs) in the history.

    `check=True` is the web page's check before confirmation: only a refusal is recorded (the confirmed
    import records its own row)."""
    started, files = timezone.now(), file_facts(sources)
    watch = RunWatch(org=org, kind=kind, check=check)
    if not check:
        _before(watch)
    try:
        yield watch
    except (InputError, ApplicationError) as exc:
        import_run_record(org=org, user=user, kind=kind, origin=origin, files=files, started_at=started,
                          error=exc)
        raise
    if check or watch.report is None or watch.report.dry_run:
        return
    _after(watch)
    import_run_record(org=org, user=user, kind=kind, origin=origin, files=files, started_at=started,
                      report=watch.report, terms_exceeded=len(watch.terms_exceeded),
                      payments_matched=watch.payments_matched)


def import_run_record(*, org: Organisation, user: Any, kind: str, origin: str, files: list[dict[str, Any]],
                      started_at: datetime, report: ImportReport | None = None,
                      error: InputError | ApplicationError | None = None, terms_exceeded: int = 0,
                      payments_matched: int = 0) -> ImportRun:
    run = ImportRun(org=org, user=user if getattr(user, "is_authenticated", False) else None, kind=kind,
                    origin=origin, files=files, started_at=started_at, finished_at=timezone.now(),
                    terms_exceeded=terms_exceeded, payments_matched=payments_matched)
    if error is not None:
        run.outcome = ImportRun.Outcome.REFUSED
        run.errors, run.error_summary = error_summary(error)
    else:
        assert report is not None
        run.outcome = ImportRun.Outcome.OK
        run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    run.save()
    return run


def import_run_list(org: Organisation) -> QuerySet[ImportRun]:
    """The organisation's history, latest first."""
    return scoped(ImportRun, org).select_related("user").order_by("-started_at", "-id")


def error_summary(error: InputError | ApplicationError) -> tuple[int, str]:
    """(number of problems, the first ones as text)."""
    if isinstance(error, ApplicationError):
        return 1, error.message[:SUMMARY_CHARS]
    # the column as the page names it (the French header of the canonical CSV), not the internal field name
    lines = [str(replace(p, field=FRENCH.get(p.field or "", p.field))) for p in error.problems[:SUMMARY_PROBLEMS]]
    if len(error.problems) > SUMMARY_PROBLEMS:
        lines.append(f"… et {len(error.problems) - SUMMARY_PROBLEMS} autre(s) problème(s).")
    return len(error.problems), "\n".join(lines)[:SUMMARY_CHARS]


def file_facts(sources: Iterable[Any]) -> list[dict[str, Any]]:
    """Name, size and sha256 of each source, without keeping a large file in memory twice."""
    return [_facts(source) for source in sources]


def _facts(source: Any) -> dict[str, Any]:
    if isinstance(source, tuple):
        name, data = source
        return {"name": _base(name), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if isinstance(source, (str, Path)):
        return _path_facts(Path(source))
    data = getattr(source, "data", None)  # imports.sources.Upload
    if isinstance(data, bytes):
        return {"name": _base(source.name), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return _uploaded_facts(source)


def _path_facts(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                digest.update(chunk)
    except OSError:  # the import itself says why (missing, a folder…)
        return {"name": path.name, "size": None, "sha256": ""}
    return {"name": path.name, "size": path.stat().st_size, "sha256": digest.hexdigest()}


def _uploaded_facts(upload: Any) -> dict[str, Any]:
    """A Django UploadedFile (even one too large to import): read by chunks, then rewound for the import."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"name": _base(upload.name or ""), "size": upload.size, "sha256": digest.hexdigest()}


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]


def terms_exceeded_text(numbers: list[str]) -> str:
    """The legal flag of the imported invoices, in one sentence naming the first ones."""
    shown = ", ".join(numbers[:SHOWN_NUMBERS]) + ("…" if len(numbers) > SHOWN_NUMBERS else "")
    return ngettext(
        "%(n)s facture a un délai de paiement au-delà du maximum légal entre professionnels (60 jours, ou 45 jours "
        "fin de mois) : %(numbers)s. Elle est importée et signalée sur la facture.",
        "%(n)s factures ont un délai de paiement au-delà du maximum légal entre professionnels (60 jours, ou 45 "
        "jours fin de mois) : %(numbers)s. Elles sont importées et signalées sur chaque facture.",
        len(numbers)) % {"n": len(numbers), "numbers": shown}


# --- What the import changed, learnt from the ledger before and after ------------------------------

def _flagged(org: Organisation) -> dict[tuple[int, str], str]:
    """(id, content hash) → number of the organisation's invoices flagged for their payment terms."""
    rows = scoped(Invoice, org).filter(terms_exceeded=True).values_list("id", "content_hash", "number")
    return {(pk, content_hash): number for pk, content_hash, number in rows.iterator(chunk_size=10_000)}


def _before(watch: RunWatch) -> None:
    if watch.kind == ImportRun.Kind.INVOICES:
        # An invoice the import creates or updates gets a new id or a new content hash: comparing the flagged
        # (id, hash) pairs finds them without reading the files again.
        watch._flagged_before = set(_flagged(watch.org))
    else:
        watch._last_payment = scoped(Payment, watch.org).aggregate(last=Max("pk"))["last"] or 0


def _after(watch: RunWatch) -> None:
    if watch.kind == ImportRun.Kind.INVOICES:
        after = _flagged(watch.org)
        watch.terms_exceeded = sorted(n for key, n in after.items() if key not in watch._flagged_before)
    else:
        watch.payments_matched = scoped(Payment, watch.org).filter(
            pk__gt=watch._last_payment, status=Payment.Status.MATCHED, bank_transaction_id__isnull=False).count()
