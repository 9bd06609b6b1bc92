"""Letters: one A4 PDF per letter (window envelope layout), and the daily print batch."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from relance.accounts.models import Organisation
from relance.activity.models import Task
from relance.activity.services import event_record, task_create
from relance.channels.context import MessageContext
from relance.channels.models import Document
from relance.channels.pdf import (
    EpcError,
    epc_payload,
    html_to_document,
    logo_uri,
    media_path,
    qr_data_uri,
    store_pdf,
)
from relance.channels.rendering import render_part
from relance.core.errors import ApplicationError
from relance.ledger.models import Customer

LETTER_KINDS = (Document.Kind.LETTER, Document.Kind.REGISTERED_LETTER)


def letter_qr(ctx: MessageContext) -> str:
    try:
        payload = epc_payload(name=ctx.payment.beneficiary, iban=ctx.payment.iban, bic=ctx.payment.bic,
                              amount=ctx.total_claimed, reference=ctx.payment.reference)
    except EpcError:
        return ""  # no IBAN or nothing to pay: the letter still goes, without a QR code
    return qr_data_uri(payload)


def letter_html(ctx: MessageContext, *, org: Organisation | None) -> str:
    return render_part(ctx, "letter", org=org,
                       extra={"qr_code": letter_qr(ctx), "logo_uri": logo_uri(ctx.logo_path)})


def letter_render(ctx: MessageContext, *, org: Organisation | None) -> tuple[bytes, int]:
    document = html_to_document(letter_html(ctx, org=org), allowed={logo_uri(ctx.logo_path)} - {""})
    return document.write_pdf(), len(document.pages)


@transaction.atomic
def letter_produce(*, org: Organisation, customer: Customer, ctx: MessageContext, registered: bool,
                   today: date, action_id: int | None = None) -> Document:
    """Make the letter's PDF, keep it for the day's print batch, and note it on the timeline."""
    data, pages = letter_render(ctx, org=org)
    kind = Document.Kind.REGISTERED_LETTER if registered else Document.Kind.LETTER
    name = f"{org.slug}-{customer.ref}-{ctx.step}-{action_id or 'manuel'}.pdf".replace("/", "_")
    path = store_pdf(folder="letters", name=name, day=today, data=data)
    document = Document.objects.create(org=org, customer=customer, kind=kind, step=ctx.step, day=today,
                                       path=path, pages=pages, action_id=action_id)
    event_record(org=org, customer=customer, type="letter_produced", day=today,
                 message=f"Courrier « {ctx.step} » prêt pour l'envoi" + (" en recommandé" if registered else ""),
                 data={"document_id": document.pk, "path": path, "action_id": action_id,
                       "invoices": [i.number for i in ctx.invoices]})
    _post_task(org=org, day=today)
    if ctx.step == "formal_notice":
        # The legal module reads this event: a consumer owes interest from the formal notice.
        event_record(org=org, customer=customer, type="formal_notice", day=today,
                     message="Mise en demeure de payer produite (lettre recommandée)",
                     data={"document_id": document.pk, "action_id": action_id,
                           "invoices": [i.number for i in ctx.invoices]})
    return document


def _post_task(*, org: Organisation, day: date) -> None:
    """One task a day for the team: print the batch and post it (kept up to date as letters are added)."""
    letters = Document.objects.filter(org=org, kind__in=LETTER_KINDS, day=day)
    registered = letters.filter(kind=Document.Kind.REGISTERED_LETTER).count()
    title = f"Imprimer et poster les courriers du {day:%d/%m/%Y} ({letters.count()})"
    body = (f"Lot d'impression : /documents/lot/{day:%Y-%m-%d}/"
            + (f"\nDont {registered} en recommandé avec AR : noter les numéros de suivi sur /documents/."
               if registered else ""))
    task = Task.objects.filter(org=org, kind=Task.Kind.LETTER, status=Task.Status.OPEN,
                               data__batch_day=day.isoformat()).first()
    if task is None:
        task_create(org=org, kind=Task.Kind.LETTER, title=title, due=day, body=body,
                    data={"batch_day": day.isoformat()})
    else:
        task.title, task.body = title, body
        task.save(update_fields=["title", "body"])


def batch_letters(*, org: Organisation, day: date) -> list[Document]:
    return list(Document.objects.filter(org=org, kind__in=LETTER_KINDS, day=day)
                .select_related("customer").order_by("kind", "customer__name", "id"))


def print_batch(*, org: Organisation, day: date, duplex: bool = True) -> tuple[bytes, int]:
    """One PDF with every letter of the day behind a cover sheet listing them.

    Each letter starts on a new sheet: with `duplex`, a blank page follows any part with an odd page count.
    Every page carries the batch footer "Lot du JJ/MM/AAAA — page n / N"; letters keep their own numbering.
    """
    from pypdf import PdfReader

    letters = batch_letters(org=org, day=day)
    if not letters:
        raise ApplicationError(_("Aucun courrier à imprimer le %(day)s.") % {"day": f"{day:%d/%m/%Y}"})
    readers = [PdfReader(str(media_path(doc.path))) for doc in letters]
    cover, rows, total = _batch_cover(org, day, letters, [len(r.pages) for r in readers], duplex=duplex)
    parts = [PdfReader(_bytes_io(cover.write_pdf())), *readers]
    return _merge_pdfs(parts, day=day, total=total, duplex=duplex), total


def _sheet_pages(pages: int, *, duplex: bool) -> int:
    """Pages a part takes in the batch: rounded up to whole sheets when printing both sides."""
    return pages + pages % 2 if duplex else pages


def _batch_cover(org: Organisation, day: date, letters: list[Document], counts: list[int], *,
                 duplex: bool) -> tuple[Any, list[dict[str, Any]], int]:
    """The cover, its rows (each letter's first and last page in the batch) and the batch's page count.

    The cover's own length moves every letter's page numbers: render until it stops changing (a long
    day's list can take two cover pages).
    """
    cover_pages = 1
    for _attempt in range(3):
        rows, start = [], _sheet_pages(cover_pages, duplex=duplex) + 1
        for doc, pages in zip(letters, counts, strict=True):
            rows.append({"doc": doc, "first": start, "last": start + pages - 1, "pages": pages})
            start += _sheet_pages(pages, duplex=duplex)
        cover = html_to_document(render_to_string("channels/print_batch_cover.html", {
            "org": org, "day": day, "rows": rows, "total_pages": start - 1, "duplex": duplex}))
        if len(cover.pages) == cover_pages:
            return cover, rows, start - 1
        cover_pages = len(cover.pages)
    raise ApplicationError(_("La page de garde du lot d'impression ne se stabilise pas."))  # pragma: no cover


BATCH_FOOTER_CSS = (
    "@page { size: A4; margin: 0 0 10mm 0; @bottom-center { content: '%s' counter(page) ' / ' counter(pages); "
    "font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7pt; color: #57534e; } }"
)


def _batch_footers(day: date, total: int) -> Any:
    """`total` transparent A4 pages, each with "Lot du JJ/MM/AAAA — page n / N", to lay over the batch."""
    from pypdf import PdfReader

    css = BATCH_FOOTER_CSS % f"Lot du {day:%d/%m/%Y} — page "
    body = '<div style="break-after: page"></div>' * (total - 1) + "<div></div>"
    document = html_to_document(f"<html><head><style>{css}</style></head><body>{body}</body></html>")
    if len(document.pages) != total:  # pragma: no cover - a WeasyPrint change would break the numbering
        raise RuntimeError(f"batch footers: {len(document.pages)} pages for {total}")
    return PdfReader(_bytes_io(document.write_pdf()))


def _merge_pdfs(parts: list[Any], *, day: date, total: int, duplex: bool) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for reader in parts:
        for page in reader.pages:
            writer.add_page(page)
        if duplex and len(reader.pages) % 2:
            last = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(last.width), height=float(last.height))
    footers = _batch_footers(day, total)
    for page, footer in zip(writer.pages, footers.pages, strict=True):
        page.merge_page(footer)
    out = _bytes_io(b"")
    writer.write(out)
    return out.getvalue()


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
