"""Pure parts of the portal: QR drawing, content sniffing, instalment split, token shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance.portal.epc import epc_qr_svg
from relance.portal.services import instalments_split
from relance.portal.tokens import token_hash, token_new, token_well_formed
from relance.portal.uploads import sniff_image, sniff_type

IBAN = "FR7630006000011234567890189"


def test_the_qr_svg_has_no_script_or_style():
    svg = epc_qr_svg(name="A <b>", iban=IBAN, bic="", amount=Decimal("10.00"), reference="x", title="QR")
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg and "<b>" not in svg


@pytest.mark.parametrize("head,expected", [
    (b"%PDF-1.7\n", ("application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n\0\0", ("image/png", "png")),
    (b"\xff\xd8\xff\xe0\0\x10JFIF", ("image/jpeg", "jpg")),
    (b"<html>%PDF-", None),
    (b" %PDF-1.4", None),
    (b"GIF89a", None),
    (b"", None),
])
def test_proof_types_are_decided_by_magic_bytes(head, expected):
    assert sniff_type(head) == expected


@pytest.mark.parametrize("head,expected", [
    (b"GIF89a\0\0", "image/gif"), (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"), (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"<svg xmlns=", None), (b"%PDF-1.4", None),
])
def test_logos_are_raster_images_only(head, expected):
    assert sniff_image(head) == expected


@settings(max_examples=60, deadline=None)
@given(total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2),
       count=st.integers(min_value=1, max_value=24),
       first=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_instalments_add_up_to_the_total_monthly_with_the_remainder_last(total, count, first):
    schedule = instalments_split(total=total, count=count, first_date=first)
    assert len(schedule) == count
    assert sum(a for _, a in schedule) == total
    amounts = [a for _, a in schedule]
    assert all(a == amounts[0] for a in amounts[:-1])
    assert Decimal("0") <= amounts[-1] - amounts[0] < Decimal("0.01") * count
    dates = [d for d, _ in schedule]
    assert dates[0] == first and dates == sorted(dates)
    assert all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in pairwise(dates))


def test_instalments_on_the_31st_fall_on_the_last_day_of_short_months():
    days = [d for d, _ in instalments_split(total=Decimal("300.00"), count=3, first_date=date(2025, 1, 31))]
    assert days == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]


def test_tokens_are_unique_well_formed_and_hashed():
    tokens = {token_new() for _ in range(200)}
    assert len(tokens) == 200 and all(token_well_formed(t) for t in tokens)
    assert len({token_hash(t) for t in tokens}) == 200
    assert not token_well_formed("a" * 42) and not token_well_formed("é" * 43) and not token_well_formed("a/" * 21 + "a")
