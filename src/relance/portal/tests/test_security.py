from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from relance.core.factories import CustomerFactory, InvoiceFactory
from relance.portal.models import PaymentClaim
from relance.portal.services import portal_link_create, portal_revoke
from relance.portal.tokens import token_new
from relance.portal.uploads import MAX_PROOF_BYTES

pytestmark = pytest.mark.django_db


def test_unknown_expired_revoked_and_malformed_links_get_the_very_same_page(client, org, customer, alice, today):
    expired = portal_link_create(customer=customer, today=today - timedelta(days=91))
    english = CustomerFactory(org=org, language="en")
    revoked = portal_link_create(customer=english, today=today)
    portal_revoke(org=org, customer=english, actor=alice, today=today)
    pages = {name: client.get(f"/portail/{raw}/") for name, raw in {
        "unknown": token_new(), "expired": expired, "revoked": revoked, "malformed": "abc", "long": "x" * 500,
    }.items()}

    assert {r.status_code for r in pages.values()} == {404}
    assert len({r.content for r in pages.values()}) == 1
    page = pages["unknown"].content.decode()
    assert "Ce lien n'est pas valide" in page and "This link is not valid" in page
    assert "Boulangerie" not in page and "Atelier Durand" not in page


@pytest.mark.parametrize("suffix", ["payer/", "jai-paye/", "promesse/", "litige/", "echeancier/", "releve/",
                                    "facture/1/", "logo/"])
def test_every_debtor_page_refuses_a_guessed_link(client, suffix):
    response = client.get(f"/portail/{token_new()}/{suffix}")
    assert response.status_code == 404 and "Ce lien n'est pas valide" in response.content.decode()


def test_a_link_cannot_reach_another_customers_invoice_by_changing_the_id(client, url, org, today):
    foreign = InvoiceFactory(customer=CustomerFactory(org=org))
    foreign.document.save("f.pdf", SimpleUploadedFile("f.pdf", b"%PDF-1.4 secret"))
    assert client.get(url(f"facture/{foreign.pk}/")).status_code == 404


def test_portal_pages_carry_a_strict_csp_and_no_referrer(client, url):
    for response in (client.get(url()), client.get(url("payer/")), client.get(f"/portail/{token_new()}/")):
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"]


def test_portal_pages_have_no_inline_script_or_style(client, url):
    for suffix in ("", "payer/", "jai-paye/", "promesse/", "litige/", "echeancier/"):
        page = client.get(url(suffix)).content.decode()
        assert "<script" not in page and "style=" not in page and "<style" not in page


@override_settings(PORTAL_RATE_LIMITS={"GET": (3, 100), "POST": (2, 100)})
def test_a_link_is_rate_limited(client, url):
    statuses = [client.get(url()).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(url())
    assert limited["Retry-After"] == "60" and "Trop de requêtes" in limited.content.decode()
    assert "Content-Security-Policy" in limited


@override_settings(PORTAL_RATE_LIMITS={"GET": (100, 5), "POST": (100, 5)})
def test_an_ip_guessing_links_is_rate_limited(client):
    statuses = [client.get(f"/portail/{token_new()}/").status_code for _ in range(6)]
    assert statuses == [404] * 5 + [429]
    other_ip = Client(REMOTE_ADDR="10.1.2.3")
    assert other_ip.get(f"/portail/{token_new()}/").status_code == 404


@override_settings(PORTAL_RATE_LIMITS={"GET": (100, 100), "POST": (2, 100)})
def test_posts_are_held_to_a_stricter_limit(client, url, today):
    data = {"paid_on": today.isoformat()}
    statuses = [client.post(url("jai-paye/"), data).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert PaymentClaim.objects.count() == 2
    assert client.get(url()).status_code == 200


def test_the_limit_window_is_one_minute(url, client):
    from relance.portal.ratelimit import rate_limit_hit

    now = timezone.now()
    assert not any(rate_limit_hit(key="k", limit=2, now=now) for _ in range(2))
    assert rate_limit_hit(key="k", limit=2, now=now)
    assert not rate_limit_hit(key="k", limit=2, now=now + timedelta(minutes=1))


def test_an_oversized_proof_is_refused(client, url, today):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_PROOF_BYTES, "application/pdf")
    response = client.post(url("jai-paye/"), {"paid_on": today.isoformat(), "proof": big})
    assert response.status_code == 200
    assert "Le fichier dépasse 5 Mo." in response.content.decode()
    assert not PaymentClaim.objects.exists()


@pytest.mark.parametrize("name,content,declared", [
    ("avis.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    ("photo.png", b"GIF89a....", "image/png"),
    ("virement.jpg", b"MZ\x90\x00 an executable", "image/jpeg"),
])
def test_a_proof_whose_content_is_not_pdf_png_or_jpeg_is_refused_whatever_its_name(
        client, url, today, name, content, declared):
    upload = SimpleUploadedFile(name, content, declared)
    response = client.post(url("jai-paye/"), {"paid_on": today.isoformat(), "proof": upload})
    assert response.status_code == 200
    assert "Le fichier doit être un PDF, un PNG ou un JPEG." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PaymentClaim.objects.exists()


def test_a_jpeg_named_dot_txt_is_kept_as_a_jpeg(client, url, today):
    upload = SimpleUploadedFile("scan.txt", b"\xff\xd8\xff\xe0 JFIF", "text/plain")
    client.post(url("jai-paye/"), {"paid_on": today.isoformat(), "proof": upload})
    claim = PaymentClaim.objects.get()
    assert claim.proof_type == "image/jpeg" and claim.proof.name.endswith(".jpg")


def test_forms_need_the_csrf_token(url, today):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url("jai-paye/"), {"paid_on": today.isoformat()})
    assert response.status_code == 403
    assert not PaymentClaim.objects.exists()


def test_a_post_with_the_csrf_token_and_origin_null_is_accepted(url, today):
    # Under `Referrer-Policy: no-referrer` browsers send `Origin: null` on form posts.
    strict = Client(enforce_csrf_checks=True)
    strict.get(url("jai-paye/"))
    token = strict.cookies["csrftoken"].value
    response = strict.post(url("jai-paye/"), {"paid_on": today.isoformat(), "csrfmiddlewaretoken": token},
                           HTTP_ORIGIN="null")
    assert response.status_code == 302
    assert PaymentClaim.objects.count() == 1


def test_a_post_from_a_foreign_origin_is_refused_even_with_a_token(url, today):
    strict = Client(enforce_csrf_checks=True)
    strict.get(url("jai-paye/"))
    token = strict.cookies["csrftoken"].value
    response = strict.post(url("jai-paye/"), {"paid_on": today.isoformat(), "csrfmiddlewaretoken": token},
                           HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not PaymentClaim.objects.exists()


def test_a_huge_upload_is_refused_before_its_body_is_read(client, url, today):
    huge = SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * (MAX_PROOF_BYTES + 300 * 1024), "application/pdf")
    response = client.post(url("jai-paye/"), {"paid_on": today.isoformat(), "proof": huge})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.content.decode()
    assert "Content-Security-Policy" in response
    assert not PaymentClaim.objects.exists()


def test_a_missing_document_behind_a_live_link_is_a_404_with_the_portal_headers(client, url, invoices):
    response = client.get(url(f"facture/{invoices[0].pk}/"))
    assert response.status_code == 404
    assert "Document introuvable" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer" and "frame-ancestors 'none'" in response["Content-Security-Policy"]
