"""/imports/: upload a file, read the dry-run report in plain French, confirm to import; the import history."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relance.accounts.permissions import COLLECTOR, role_required
from relance.core.dates import local_today
from relance.core.errors import InputError
from relance.core.reports import ImportReport
from relance.imports.forms import InvoiceUploadForm
from relance.imports.history import import_run, import_run_list, terms_exceeded_text
from relance.imports.models import ImportRun
from relance.imports.parsers.canonical import FRENCH
from relance.imports.services import invoice_import
from relance.imports.sources import Upload, read_sources

SESSION_KEY = "relance_pending_imports"
PENDING_HOURS = 24
HISTORY_PAGE = 20
#: downloadable examples (imports/static/imports/), checked by the real importers in the tests
SAMPLES = {"factures": "modele-factures.csv", "releve": "modele-releve.csv"}
SAMPLE_DIR = Path(__file__).resolve().parent / "static" / "imports"


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _forget_stale_files() -> None:
    """Checked files nobody confirmed within a day are deleted (they may hold customer data)."""
    limit = time.time() - PENDING_HOURS * 3600
    for stale in _pending_dir().iterdir():
        if stale.stat().st_mtime < limit:
            stale.unlink(missing_ok=True)


def _keep(request: HttpRequest, upload: Upload, fmt: str) -> str:
    """Park the checked file until the user confirms; the session ties it to this organisation."""
    _forget_stale_files()
    token = secrets.token_urlsafe(16)
    (_pending_dir() / token).write_bytes(upload.data)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"name": upload.name, "fmt": fmt, "org": request.org.pk}  # type: ignore[attr-defined]
    request.session[SESSION_KEY] = pending
    return token


def _take(request: HttpRequest, token: str) -> tuple[Upload, str] | None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    path = _pending_dir() / Path(token).name
    if entry is None or entry["org"] != request.org.pk or not path.exists():  # type: ignore[attr-defined]
        return None
    data = path.read_bytes()
    path.unlink()
    return Upload(entry["name"], data), entry["fmt"]


def _errors(exc: InputError) -> list[dict[str, object]]:
    return [{"file": p.file, "line": p.line, "field": FRENCH.get(p.field or "", p.field), "message": p.message}
            for p in exc.problems]


def _history(request: HttpRequest) -> dict[str, object]:
    page = Paginator(import_run_list(request.org), HISTORY_PAGE).get_page(request.GET.get("page"))  # type: ignore[attr-defined]
    return {"history": page}


@role_required(COLLECTOR)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = InvoiceUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["fmt"]
        uploaded = form.cleaned_data["file"]
        try:
            with import_run(org=request.org, user=request.user, kind=ImportRun.Kind.INVOICES,  # type: ignore[attr-defined]
                            origin=ImportRun.Origin.WEB, sources=[uploaded], check=True):
                (source,) = read_sources([uploaded])
                report: ImportReport = invoice_import(org=request.org, paths_or_files=[source], fmt=fmt,  # type: ignore[attr-defined]
                                                      dry_run=True, today=local_today())
            context.update(report=report, token=_keep(request, source, fmt), name=source.name)
        except InputError as exc:
            context.update(errors=_errors(exc))
    return render(request, "imports/upload.html", {**context, **_history(request)})


@role_required(COLLECTOR)
@require_http_methods(["POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    taken = _take(request, request.POST.get("token", ""))
    if taken is None:
        messages.error(request, _("Ce contrôle a expiré : déposez le fichier à nouveau."))
        return redirect("imports:upload")
    source, fmt = taken
    try:
        with import_run(org=request.org, user=request.user, kind=ImportRun.Kind.INVOICES,  # type: ignore[attr-defined]
                        origin=ImportRun.Origin.WEB, sources=[source]) as run:
            run.report = report = invoice_import(org=request.org, paths_or_files=[source], fmt=fmt,  # type: ignore[attr-defined]
                                                 today=local_today(), actor=request.user)
    except InputError as exc:  # the ledger changed between the check and the confirmation
        return render(request, "imports/upload.html",
                      {"form": InvoiceUploadForm(), "errors": _errors(exc), **_history(request)})
    messages.success(request, _("Import de %(name)s terminé : %(created)s facture(s) créée(s), %(updated)s mise(s) "
                                "à jour, %(unchanged)s inchangée(s).") % {
        "name": source.name, "created": report.created, "updated": report.updated, "unchanged": report.unchanged})
    if run.terms_exceeded:
        messages.warning(request, terms_exceeded_text(run.terms_exceeded))
    return redirect("imports:upload")


@role_required(COLLECTOR)
@require_http_methods(["GET"])
def sample(request: HttpRequest, name: str) -> HttpResponse:
    """A sample file to start from: the canonical invoice CSV or a bank CSV."""
    filename = SAMPLES.get(name)
    if filename is None:
        raise Http404("Modèle inconnu")
    response = HttpResponse((SAMPLE_DIR / filename).read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
