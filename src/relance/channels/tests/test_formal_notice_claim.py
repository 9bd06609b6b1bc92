"""What a formal notice claims: per invoice the principal still due, the interest to the letter date (legal
module) and, for professionals, the 40 € indemnity; then the total. A missing rate leaves the interest "à
parfaire" — never a guessed or zero figure — and the staff are told before sending. Letters keep their closing
with the end of the body, in one font."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D
from html import unescape
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from relance.activity.services import event_record
from relance.channels.builders import context_for_customer
from relance.channels.letters import letter_render
from relance.channels.penalties import interest_pending_warning
from relance.channels.rendering import render_part
from relance.core.factories import ContactFactory, CustomerFactory, InvoiceFactory
from relance.ledger.services import allocation_add
from relance.legal.api import customer_indemnities, invoice_penalties

TODAY = date(2025, 3, 17)  # 1st half-year 2025: ECB 3.15 % → B2B 13.15 %, public 11.15 %, legal rate 3.71 %
UNKNOWN_DAY = date(2026, 8, 17)  # 2nd half-year 2026: no rate shipped (LEGAL-FR.md)
MENTIONS = "SARL au capital de 10 000 € — RCS Lyon 732 829 320 — TVA FR12732829320 — " * 3


def plain(text: str) -> str:
    """Visible text, one space between words (the narrow no-break spaces of French amounts too)."""
    body = re.sub(r"<head>.*?</head>", " ", text, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u202f", " ").replace("\xa0", " ").split())


def notice_texts(org, customer, today=TODAY):
    """(context, letter text, e-mail text) of a formal notice listing every open invoice of the customer."""
    ctx = context_for_customer(org=org, customer=customer, today=today, step="formal_notice", channel="letter",
                               portal_link="")
    return ctx, plain(render_part(ctx, "letter", org=org)), plain(render_part(ctx, "email_text", org=org))


def two_invoices(org, kind, *, notice_on=None):
    """1 000 € due 31 January (45 days late on 17 March) and 2 400 € due 14 February, 400 € of it paid on
    28 February (the interest runs on 2 400 € for 14 days, then on 2 000 € for 17 days)."""
    customer = CustomerFactory(org=org, kind=kind, name=f"Client {kind}")
    ContactFactory(customer=customer)
    first = InvoiceFactory(customer=customer, number="FA-1", due_date=date(2025, 1, 31),
                           total_incl_tax=D("1000.00"))
    second = InvoiceFactory(customer=customer, number="FA-2", due_date=date(2025, 2, 14),
                            total_incl_tax=D("2400.00"))
    allocation_add(org=org, invoice=second, amount=D("400.00"), day=date(2025, 2, 28))
    if notice_on:
        event_record(org=org, customer=customer, type="formal_notice", day=notice_on,
                     data={"invoices": ["FA-1", "FA-2"]})
    return customer, [first, second]


@dataclass(frozen=True)
class Claim:
    kind: str
    notice_on: date | None
    interest: tuple[str, str]  # per invoice, to the cent
    indemnity: str
    total: str  # as printed


CLAIMS = [
    # 1000 × 13.15 % × 45 / 365 = 16.21 ; (2400 × 14 + 2000 × 17) × 13.15 % / 365 = 24.35
    Claim("b2b", None, ("16.21", "24.35"), "80.00", "3 120,56 €"),
    # public buyer: ECB + 8 points, frozen: 11.15 %
    Claim("public", None, ("13.75", "20.65"), "80.00", "3 114,40 €"),
    # consumer, no formal notice yet: no interest, never an indemnity
    Claim("b2c", None, ("0.00", "0.00"), "0.00", "3 000,00 €"),
    # consumer after a formal notice on 28 February: legal rate 3.71 % for 17 days on the balance
    Claim("b2c", date(2025, 2, 28), ("1.73", "3.46"), "0.00", "3 005,19 €"),
]


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.kind}-{'notice' if c.notice_on else 'first'}")
def test_the_formal_notice_claims_principal_interest_and_indemnities_to_the_cent(org, claim):
    customer, invoices = two_invoices(org, claim.kind, notice_on=claim.notice_on)
    ctx, letter, email = notice_texts(org, customer)

    assert [line.outstanding for line in ctx.invoices] == [D("1000.00"), D("2000.00")]
    assert [line.interest for line in ctx.invoices] == [D(v) for v in claim.interest]
    # the figures are the legal module's own, never recomputed here
    assert [line.interest for line in ctx.invoices] == [invoice_penalties(org=org, invoice=i, today=TODAY).interest
                                                         for i in invoices]
    assert ctx.total_indemnity == D(claim.indemnity)
    assert ctx.total_claimed == D("3000.00") + sum(D(v) for v in claim.interest) + D(claim.indemnity)
    for text in (letter, email):
        assert f"Total réclamé : {claim.total}" in text
        assert f"mettons en demeure de nous régler la somme de {claim.total} dans un délai de 8 jours" in text
        assert "à parfaire" not in text
    if claim.kind == "b2c":
        assert "40,00 €" not in letter and "Indemnité" not in letter and "indemnité forfaitaire" not in email
    else:
        assert "Indemnité forfaitaire" in letter and "indemnité forfaitaire 40,00 €" in email
        assert "Indemnités forfaitaires pour frais de recouvrement (40 € par facture) : 80,00 €" in email
    if claim.notice_on or claim.kind != "b2c":
        interest = sum(D(v) for v in claim.interest)
        assert f"Intérêts de retard au 17/03/2025 : {interest:.2f}".replace(".", ",") + " €" in email
        assert "Intérêts au 17/03/2025" in letter
    else:
        assert "Intérêts" not in letter and "fait courir les intérêts au taux légal" in letter


def test_each_invoice_line_shows_its_own_total_and_partial_payment(org):
    customer, _ = two_invoices(org, "b2b")
    _, letter, email = notice_texts(org, customer)
    # FA-2: 2 400 € invoiced, 2 000 € still due, 24,35 € interest, 40 € indemnity
    assert "FA-2 14/02/2025 31 j 2 400,00 € 2 000,00 € 24,35 € 40,00 € 2 064,35 €" in letter
    assert ("Facture FA-2 du 15/01/2025, échéance le 14/02/2025 (31 jours de retard) : montant 2 400,00 €, "
            "principal restant dû 2 000,00 €, intérêts de retard 24,35 €, indemnité forfaitaire 40,00 € — "
            "total 2 064,35 €") in email
    assert "Total 3 000,00 € 40,56 € 80,00 € 3 120,56 €" in letter


def test_an_english_formal_notice_states_the_same_total(org):
    customer, _ = two_invoices(org, "b2b")
    customer.language = "en"
    customer.save()
    ctx, letter, email = notice_texts(org, customer)
    assert ctx.language == "en"
    assert "Total claimed: 3 120,56 €" in letter and "formal notice to pay 3 120,56 € within 8 days" in email


# --- A half-year's rate is missing --------------------------------------------------------------------------------


def unknown_rate_customer(org, kind, *, notice_on=None):
    customer = CustomerFactory(org=org, kind=kind, name=f"Client {kind}")
    ContactFactory(customer=customer)
    first = InvoiceFactory(customer=customer, number="FB-1", issue_date=date(2026, 5, 15), due_date=date(2026, 6, 15),
                           total_incl_tax=D("1000.00"))
    allocation_add(org=org, invoice=first, amount=D("300.00"), day=date(2026, 7, 1))
    InvoiceFactory(customer=customer, number="FB-2", issue_date=date(2026, 6, 20), due_date=date(2026, 7, 20),
                   total_incl_tax=D("500.00"))
    if notice_on:
        event_record(org=org, customer=customer, type="formal_notice", day=notice_on,
                     data={"invoices": ["FB-1", "FB-2"]})
    return customer


@dataclass(frozen=True)
class Pending:
    kind: str
    notice_on: date | None
    pending: tuple[bool, bool]  # per invoice: is its interest waiting for the rate?
    interest: str  # what is known
    indemnity: str
    total: str  # as printed


PENDING = [
    Pending("b2b", None, (True, True), "0.00", "80.00", "1 280,00 €"),
    # a public buyer's rate is frozen at the half-year the delay started: FB-1 (due in June) is known,
    # (1000 × 16 + 700 × 47) × 10.15 % / 365 = 13.60 ; FB-2 (due in July) waits
    Pending("public", None, (False, True), "13.60", "80.00", "1 293,60 €"),
    Pending("b2c", date(2026, 7, 31), (True, True), "0.00", "0.00", "1 200,00 €"),
]


@pytest.mark.parametrize("case", PENDING, ids=lambda c: c.kind)
def test_a_missing_rate_leaves_the_interest_a_parfaire_and_still_claims_principal_and_indemnities(org, case):
    customer = unknown_rate_customer(org, case.kind, notice_on=case.notice_on)
    ctx, letter, email = notice_texts(org, customer, today=UNKNOWN_DAY)

    assert tuple(line.interest_pending for line in ctx.invoices) == case.pending
    assert ctx.interest_pending and ctx.total_interest == D(case.interest)
    assert ctx.total_claimed == D("1200.00") + D(case.interest) + D(case.indemnity)
    # one rule for the indemnity with or without a rate: the customer page's figure
    assert ctx.total_indemnity == D(case.indemnity) == customer_indemnities(org=org, customer=customer,
                                                                             today=UNKNOWN_DAY)
    for text in (letter, email):
        assert f"Total réclamé : {case.total}, outre les intérêts de retard à parfaire" in text
        assert f"la somme de {case.total}, outre les intérêts de retard à parfaire, dans un délai de 8 jours" in text
        assert "le taux de référence du 2e semestre 2026 n'est pas encore disponible" in text
        assert not re.search(r"(?<!\d)0,00 €", text)  # never a zero interest figure
    known = "13,60 € + " if case.kind == "public" else ""
    assert f"Intérêts de retard au 17/08/2026 : {known}à parfaire" in email
    assert "FB-2 20/07/2026 28 j 500,00 € 500,00 € à parfaire" in letter
    # the staff see why before sending, and what the letter says instead
    warning = interest_pending_warning(ctx)
    rate = "taux de l'intérêt légal (autres cas)" if case.kind == "b2c" else "taux BCE"
    assert f"{rate} du 2e semestre 2026 inconnu" in warning and "à parfaire" in warning


def test_a_consumer_without_formal_notice_owes_no_interest_so_no_rate_is_missing(org):
    customer = unknown_rate_customer(org, "b2c")
    ctx, letter, email = notice_texts(org, customer, today=UNKNOWN_DAY)
    assert not ctx.interest_pending and interest_pending_warning(ctx) == ""
    assert "à parfaire" not in letter and "Total réclamé : 1 200,00 €" in letter
    assert "la présente mise en demeure fait courir les intérêts au taux légal" in email


def test_the_send_now_preview_tells_the_staff_the_interest_could_not_be_computed(org, bob, client_for):
    from relance.core.dates import local_today
    from relance.dunning.plans import plan_create_standard
    from relance.legal.models import RateHalfYear
    from relance.legal.rates import HalfYear

    today = local_today()
    current = HalfYear.of(today)
    RateHalfYear.objects.filter(year=current.year, half=current.half).delete()
    plan_create_standard(org=org)
    customer = CustomerFactory(org=org, name="Garage Lefèvre", address="3 rue du Port", postcode="13002",
                               city="Marseille")
    ContactFactory(customer=customer, email="compta@lefevre.fr")
    InvoiceFactory(customer=customer, number="FA-LATE", issue_date=today - timedelta(days=70),
                   due_date=today - timedelta(days=40), total_incl_tax=D("1200.00"))

    def preview() -> str:
        response = client_for(bob).post(reverse("customer_send_now_preview", args=[customer.pk]),
                                        {"step": "formal_notice", "channel": "registered_letter"},
                                        HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return unescape(response.content.decode())

    html = preview()
    assert 'id="send-now-interest"' in html and "Intérêts de retard non calculés" in html
    assert f"du {current.label} inconnu" in html and "à parfaire" in html
    RateHalfYear.objects.create(year=current.year, half=current.half, ecb_rate=D("2.15"),
                                legal_rate_other=D("2.62"), legal_rate_private=D("6.67"))
    assert 'id="send-now-interest"' not in preview()


# --- The letter's PDF --------------------------------------------------------------------------------------------


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    """Each page's text as poppler's pdftotext reads it."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [plain(page) for page in text.split("\f")[:-1]]


def fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def consumer_notice(org):
    org.legal_mentions = MENTIONS
    org.save()
    customer = CustomerFactory(org=org, kind="b2c", name="Mme Hélène Lefèvre")
    ContactFactory(customer=customer, name="Hélène Lefèvre")
    InvoiceFactory(customer=customer, number="FA-9", due_date=date(2025, 1, 15), total_incl_tax=D("1234.56"))
    return context_for_customer(org=org, customer=customer, today=TODAY, step="formal_notice", channel="letter",
                                portal_link="")


def test_a_one_invoice_formal_notice_that_used_to_spill_its_legal_mentions_fits_on_one_page(org, tmp_path):
    # Before: two pages, the second holding only the organisation's legal mentions and the footer.
    data, count = letter_render(consumer_notice(org), org=org)
    pages = pdf_pages(data, tmp_path)
    assert count == len(pages) == 1
    assert "Total réclamé : 1 234,56 €" in pages[0] and "RCS Lyon 732 829 320" in pages[0]
    assert "Page 1 / 1" in pages[0]


def test_the_footer_uses_the_body_s_sans_serif_font(org):
    data, _ = letter_render(consumer_notice(org), org=org)
    assert fonts(data) and all("Sans" in name and "Serif" not in name for name in fonts(data)), fonts(data)


@pytest.mark.parametrize("count", [1, 2, 4, 8, 14])
def test_a_longer_notice_keeps_its_closing_with_the_end_of_the_body(org, tmp_path, count):
    org.legal_mentions = MENTIONS
    org.save()
    customer = CustomerFactory(org=org, kind="b2b", name="Négoce Pro")
    ContactFactory(customer=customer)
    for n in range(count):
        InvoiceFactory(customer=customer, number=f"FC-{n:02d}", due_date=date(2025, 1, 31),
                       total_incl_tax=D("1000.00"))
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="formal_notice", channel="letter",
                               portal_link="")
    data, _ = letter_render(ctx, org=org)
    pages = pdf_pages(data, tmp_path)
    footer = re.compile(r"Atelier Durand SARL|Page \d+ / \d+")
    assert all(footer.sub("", page).strip() for page in pages), "a page with only the footer"
    last = pages[-1]
    for closing in ("À défaut de règlement dans ce délai", "Veuillez agréer", "Référence à indiquer",
                    "RCS Lyon 732 829 320"):
        assert closing in last, (count, closing)
    # 1000 × 13.15 % × 45 / 365 = 16.21 per invoice, plus 40 €
    total = f"{D('1056.21') * count:,.2f}".replace(",", " ").replace(".", ",")
    assert f"Total réclamé : {total} €" in " ".join(pages)


def test_the_qr_code_asks_for_the_total_claimed(org, tmp_path):
    customer, _ = two_invoices(org, "b2b")
    ctx = context_for_customer(org=org, customer=customer, today=TODAY, step="formal_notice", channel="letter",
                               portal_link="")
    data, _ = letter_render(ctx, org=org)
    (tmp_path / "l.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "l.pdf"), str(tmp_path / "p")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", *sorted(str(p) for p in tmp_path.glob("p*.png"))],
                             capture_output=True, text=True).stdout
    assert "EUR3120.56" in decoded.split("\n")


def test_the_litigation_file_claims_the_interest_a_parfaire_when_a_rate_is_missing(org):
    """The lawyer's file says what the formal notice said: no 0,00 € interest while the rate is unknown."""
    import json
    import zipfile

    from relance.channels.litigation import litigation_file

    customer = unknown_rate_customer(org, "b2b")
    archive = zipfile.ZipFile(BytesIO(litigation_file(org=org, customer=customer, today=UNKNOWN_DAY)))
    pages = PdfReader(BytesIO(archive.read("01-dossier-contentieux.pdf"))).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).replace("\u202f", " ").replace("\xa0", " ").split())
    assert "outre les intérêts de retard à parfaire (taux de référence manquant)" in text
    assert "intérêts à parfaire (taux de référence manquant)" in text and "à parfaire" in text
    data = json.loads(archive.read("02-donnees-injonction-de-payer.json"))
    assert data["claim"]["interest_pending"] is True
    assert [i["interest_pending"] for i in data["invoices"]] == [True, True]
    assert data["claim"]["total"] == "1280.00"  # principal 1 200 € + 2 × 40 €; the interest is not guessed
