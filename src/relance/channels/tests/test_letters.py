from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from relance.activity.models import Event
from relance.channels.builders import context_for_customer
from relance.channels.letters import letter_produce, letter_render, print_batch
from relance.channels.models import Document
from relance.channels.pdf import EpcError, epc_payload, media_path
from relance.channels.samples import sample_context
from relance.core.errors import ApplicationError
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory

TODAY = date(2025, 3, 17)
MM = 72 / 25.4


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_the_epc_payload_follows_epc069_12():
    payload = epc_payload(name="Atelier Durand SARL", iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP",
                          amount=Decimal("1527.7"), reference="C0001 FA-0001 FA-0002")
    assert payload.split("\n") == ["BCD", "002", "1", "SCT", "AGRIFRPP", "Atelier Durand SARL",
                                   "FR7630006000011234567890189", "EUR1527.70", "", "", "C0001 FA-0001 FA-0002"]


def test_a_creditor_reference_goes_in_the_structured_field():
    payload = epc_payload(name="X", iban="FR7630006000011234567890189", amount=Decimal("10"),
                          reference="RF18 5390 0754 7034")
    assert payload.split("\n")[9:] == ["RF18539007547034"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"iban": ""}, "IBAN manquant"), ({"amount": Decimal("0")}, "hors des limites"),
    ({"amount": Decimal("1000000000")}, "hors des limites"),
])
def test_an_impossible_qr_code_is_refused(kwargs, message):
    args = {"name": "X", "iban": "FR7630006000011234567890189", "amount": Decimal("10")} | kwargs
    with pytest.raises(EpcError, match=message):
        epc_payload(**args)


def test_a_long_name_and_reference_are_cut_to_the_epc_limits():
    payload = epc_payload(name="N" * 100, iban="FR7630006000011234567890189", amount=Decimal("1"),
                          reference="R" * 300)
    lines = payload.split("\n")
    assert len(lines[5]) == 70 and len(lines[10]) == 140 and len(payload.encode()) <= 331


def test_a_formal_notice_letter_is_an_a4_pdf_with_the_address_in_the_envelope_window(tmp_path):
    data, pages = letter_render(sample_context(step="formal_notice"), org=None)
    reader = PdfReader(BytesIO(data))
    assert pages == len(reader.pages) >= 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    text = pdf_text(data)
    for expected in ("LETTRE RECOMMANDÉE AVEC AR", "MISE EN DEMEURE DE PAYER", "FA-0001",
                     "FA-0002", "8 jours", "25 mars 2025", "L441-10", "injonction de payer",
                     "FR7630006000011234567890189", "C0001 FA-0001 FA-0002", "Page 1 /"):
        assert expected in text, expected
    # Where the recipient's name sits on the sheet: 110 mm from the left, 45–70 mm from the top.
    pdf = tmp_path / "l.pdf"
    pdf.write_bytes(data)
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    line = next(line for line in bbox.splitlines() if ">Client<" in line)
    x_min = float(line.split('xMin="')[1].split('"')[0]) / MM
    y_min = float(line.split('yMin="')[1].split('"')[0]) / MM
    assert 109 <= x_min <= 112 and 45 <= y_min <= 70


def test_the_letter_qr_code_decodes_to_the_epc_payload(tmp_path):
    data, _ = letter_render(sample_context(step="reminder_3"), org=None)
    (tmp_path / "l.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "l.pdf"), str(tmp_path / "p")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", *sorted(str(p) for p in tmp_path.glob("p*.png"))],
                             capture_output=True, text=True).stdout
    assert decoded.strip().split("\n") == ["BCD", "002", "1", "SCT", "AGRIFRPP", "Atelier Exemple SARL",
                                           "FR7630006000011234567890189", "EUR1527.71", "", "",
                                           "C0001 FA-0001 FA-0002"]


def test_a_consumer_letter_has_no_penalty_breakdown_with_indemnity():
    text = pdf_text(letter_render(sample_context(step="reminder_3", kind="b2c"), org=None)[0])
    assert "Indemnité" not in text and "40 €" not in text and "1 430,00" in text.replace("\u202f", " ")


def test_a_template_cannot_fetch_local_files_into_a_pdf(org):
    from relance.channels.models import Template

    Template.objects.create(org=org, step="reminder_1", part="letter", language="fr",
                            source='<p>Bonjour</p><img src="file:///etc/hostname"><p>{{ customer.name }}</p>')
    data, _ = letter_render(sample_context(step="reminder_1"), org=org)
    reader = PdfReader(BytesIO(data))
    assert "Client Exemple" in pdf_text(data) and not reader.pages[0].images


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def make_letter(org, name, step="reminder_3", registered=False):
    customer = CustomerFactory(org=org, name=name, address="3 place du Marché", postcode="13001", city="Marseille")
    ContactFactory(customer=customer)
    InvoiceFactory(customer=customer, total_incl_tax=Decimal("500.00"), due_date=date(2025, 1, 31))
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step=step, channel="letter")
    return letter_produce(org=org, customer=customer, ctx=ctx, registered=registered, today=TODAY, action_id=None)


def test_a_produced_letter_is_kept_for_the_print_batch_and_noted_on_the_timeline(org, media):
    doc = make_letter(org, "Bar des Sports")
    assert media_path(doc.path).read_bytes().startswith(b"%PDF")
    assert doc.kind == Document.Kind.LETTER and doc.pages >= 1
    assert Event.objects.get(org=org, type="letter_produced").customer == doc.customer


def test_a_formal_notice_is_recorded_for_consumer_interest(org, media):
    doc = make_letter(org, "M. Dupont", step="formal_notice", registered=True)
    assert doc.kind == Document.Kind.REGISTERED_LETTER
    event = Event.objects.get(org=org, type="formal_notice")
    assert event.date == TODAY and event.data["invoices"] == [doc.customer.invoices.get().number]


def test_the_daily_print_batch_has_every_letter_each_on_a_new_sheet(org, other_org, media):
    docs = [make_letter(org, "Bar des Sports"), make_letter(org, "Café de la Gare", "formal_notice", True)]
    make_letter(other_org, "Chez Charlie")
    data, total = print_batch(org=org, day=TODAY)
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == total == 2 + sum(d.pages + d.pages % 2 for d in docs)
    cover = reader.pages[0].extract_text()
    assert "Lot d'impression du 17/03/2025" in cover and "2 courriers" in cover and "Recommandé avec AR" in cover
    text = pdf_text(data)
    assert "Bar des Sports" in text and "Café de la Gare" in text and "Chez Charlie" not in text


def test_one_task_a_day_asks_the_team_to_print_and_post_the_letters(org, media):
    from relance.activity.models import Task

    make_letter(org, "Bar des Sports")
    make_letter(org, "Café de la Gare", "formal_notice", True)
    task = Task.objects.get(org=org, kind=Task.Kind.LETTER)
    assert task.title == "Imprimer et poster les courriers du 17/03/2025 (2)"
    assert "/documents/lot/2025-03-17/" in task.body and "Dont 1 en recommandé" in task.body


def test_the_organisation_logo_is_printed_on_the_letterhead(org, media):
    import segno

    logo = media / "logo.png"
    segno.make_qr("logo").save(str(logo), scale=4)
    org.logo.name = str(logo)
    org.save()
    customer = CustomerFactory(org=org)
    InvoiceFactory(customer=customer, total_incl_tax=Decimal("90.00"), due_date=date(2025, 1, 31))
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="reminder_1", channel="letter")
    reader = PdfReader(BytesIO(letter_render(ctx, org=org)[0]))
    assert len(reader.pages[0].images) == 2  # the logo and the SEPA QR code


def test_an_empty_print_batch_is_refused_with_a_message(org, media):
    with pytest.raises(ApplicationError, match="Aucun courrier à imprimer le 17/03/2025"):
        print_batch(org=org, day=TODAY)


def test_penalty_figures_come_from_the_legal_module_and_never_for_consumers(org, media):
    from relance.core.money import format_eur
    from relance.legal.api import invoice_penalties

    customer = CustomerFactory(org=org, name="Négoce Pro")
    invoice = InvoiceFactory(customer=customer, total_incl_tax=Decimal("1000.00"), due_date=date(2025, 1, 31))
    expected = invoice_penalties(org=org, invoice=invoice, today=TODAY)
    assert expected.interest > 0 and expected.indemnity == Decimal("40.00")
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="reminder_3", channel="letter")
    assert (ctx.total_interest, ctx.total_indemnity) == (expected.interest, expected.indemnity)
    text = pdf_text(letter_render(ctx, org=org)[0])
    assert format_eur(expected.interest) in text and "40,00\u00a0€" in text
    customer.kind = "b2c"
    customer.save()
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="reminder_3", channel="letter")
    assert ctx.total_indemnity == 0 and ctx.total_interest == 0  # no formal notice yet: no consumer interest


def pdftotext_pages(data: bytes, tmp_path) -> list[str]:
    """The batch read by poppler's pdftotext, one text per page (pages end with a form feed)."""
    path = tmp_path / "lot.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def batch_numbers(text: str) -> list[tuple[int, int]]:
    return [(int(n), int(of)) for n, of in re.findall(r"Lot du 17/03/2025 — page (\d+) / (\d+)", text)]


def test_the_print_batch_numbers_every_page_and_keeps_one_letter_per_sheet(org, media, tmp_path):
    short = make_letter(org, "Bar des Sports")
    customer = CustomerFactory(org=org, name="Café de la Gare", postcode="69002", city="Lyon")
    ContactFactory(customer=customer)
    for n in range(20):
        InvoiceFactory(customer=customer, number=f"FA-{n:03d}", total_incl_tax=Decimal("90.00"),
                       due_date=date(2025, 1, 31))
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="reminder_3", channel="letter")
    long = letter_produce(org=org, customer=customer, ctx=ctx, registered=False, today=TODAY)
    assert long.pages == 3  # an odd count above one: its last sheet gets a blank back

    data, total = print_batch(org=org, day=TODAY)
    pages = pdftotext_pages(data, tmp_path)
    sheets = [2, short.pages + short.pages % 2, 4]  # cover (1 page + blank back), then each letter
    assert len(pages) == total == len(PdfReader(BytesIO(data)).pages) == sum(sheets)
    for number, text in enumerate(pages, start=1):
        assert batch_numbers(text) == [(number, total)], (number, text)
    # The blank back of the cover and of the three-page letter carry the batch footer only.
    assert pages[1] == f"Lot du 17/03/2025 — page 2 / {total}"
    assert pages[-1] == f"Lot du 17/03/2025 — page {total} / {total}"
    # Each letter starts on a right-hand page (odd number) and keeps its own "Page x / y".
    first_long = 3 + sheets[1]
    assert first_long % 2 == 1 and "Café de la Gare" in pages[first_long - 1]
    for own in range(1, 4):
        assert f"Page {own} / 3" in pages[first_long - 2 + own]
    assert "Bar des Sports" in pages[2] and f"Page 1 / {short.pages}" in pages[2]
    # The cover lists where each letter is in the batch.
    assert f"{first_long}–{first_long + 2}" in pages[0] and f"{total} pages numérotées" in pages[0]


def test_a_single_sided_batch_has_no_blank_pages_and_is_still_numbered(org, media, tmp_path):
    doc = make_letter(org, "Bar des Sports")
    data, total = print_batch(org=org, day=TODAY, duplex=False)
    pages = pdftotext_pages(data, tmp_path)
    assert len(pages) == total == 1 + doc.pages
    assert [batch_numbers(text) for text in pages] == [[(n, total)] for n in range(1, total + 1)]
    assert all(text != f"Lot du 17/03/2025 — page {n} / {total}" for n, text in enumerate(pages, start=1))
