"""Hostile files are refused quickly, in bounded memory, with a French reason."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject, StreamObject

from relance.core.errors import InputError
from relance.imports.parsers import parse_bytes
from relance.imports.services import invoice_import
from relance.imports.sources import Upload, read_sources
from relance.ledger.models import Invoice
from relance.ledger.selectors import scoped

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol9;</ID></Invoice>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">
<rsm:ExchangedDocument>&xxe;</rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"""

CORPUS_PDF = Path("/work/shared/corpus/einvoice/facturx-fnfe/correct__Facture_FR_BASICWL.pdf")


def refused(data: bytes, name: str) -> str:
    start = time.monotonic()
    with pytest.raises(InputError) as exc:
        parse_bytes(data, file=name)
    assert time.monotonic() - start < 10  # bounded: no expansion, no decompression
    return exc.value.problems[0].message


def test_a_billion_laughs_file_is_refused_without_expanding_entities():
    message = refused(BILLION_LAUGHS, "lol.xml")
    assert "DTD" in message and "sécurité" in message


def test_an_external_entity_is_never_resolved():
    message = refused(EXTERNAL_ENTITY, "xxe.xml")
    assert "DTD" in message and "root:" not in message


def test_a_file_over_the_size_cap_is_refused_before_being_read(tmp_path, settings):
    big = tmp_path / "enorme.csv"
    with big.open("wb") as fh:  # a sparse 200 MB file: refusing it must not read it
        fh.truncate(200 * 1024 * 1024)
    with pytest.raises(InputError) as exc:
        read_sources([big])
    assert "trop volumineux (200 Mo)" in exc.value.problems[0].message
    assert "50 Mo" in exc.value.problems[0].message


def test_the_size_cap_is_configurable(monkeypatch):
    monkeypatch.setenv("RELANCE_IMPORT_MAX_MB", "1")
    with pytest.raises(InputError) as exc:
        read_sources([Upload("a.csv", b"x" * (1024 * 1024 + 1))])
    assert "1 Mo" in exc.value.problems[0].message


def test_an_uploaded_file_over_the_cap_is_refused_from_its_declared_size():
    class Uploaded(io.BytesIO):
        name, size = "gros.xlsx", 300 * 1024 * 1024

    with pytest.raises(InputError):
        read_sources([Uploaded(b"")])


def test_a_zip_bomb_workbook_is_refused_before_inflating():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    message = refused(out.getvalue(), "bombe.xlsx")
    assert "zip bomb" in message


def test_a_truncated_pdf_is_refused_clearly():
    message = refused(CORPUS_PDF.read_bytes()[:20000], "tronque.pdf")
    assert "PDF" in message


def test_garbage_after_the_pdf_magic_is_refused_clearly():
    message = refused(b"%PDF-1.7\n" + bytes(range(256)) * 50, "faux.pdf")
    assert "PDF illisible" in message or "ne contient pas" in message


def _pdf_with_attachment(name: str, stream: StreamObject) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment(name, b"placeholder")
    # swap the embedded file's stream for the hostile one
    names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    filespec = names[1].get_object()
    filespec["/EF"][NameObject("/F")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_whose_embedded_xml_is_a_decompression_bomb_is_refused():
    import zlib

    bomb = StreamObject()
    bomb._data = zlib.compress(b"<" + b"a" * (60 * 1024 * 1024), 9)
    bomb[NameObject("/Filter")] = NameObject("/FlateDecode")
    bomb[NameObject("/Type")] = NameObject("/EmbeddedFile")
    message = refused(_pdf_with_attachment("factur-x.xml", bomb), "bombe.pdf")
    assert "PDF" in message or "sécurité" in message


def test_a_pdf_with_a_malformed_embedded_file_is_refused():
    broken = StreamObject()
    broken._data = b"this is not deflate data at all"
    broken[NameObject("/Filter")] = NameObject("/FlateDecode")
    message = refused(_pdf_with_attachment("factur-x.xml", broken), "casse.pdf")
    assert "PDF illisible" in message or "XML illisible" in message


def test_a_pdf_without_invoice_xml_is_refused_with_a_clear_message():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    message = refused(out.getvalue(), "simple.pdf")
    assert "ne contient pas de facture électronique" in message


def test_an_embedded_billion_laughs_is_refused_too():
    plain = DecodedStreamObject()
    plain.set_data(BILLION_LAUGHS)
    plain[NameObject("/Type")] = NameObject("/EmbeddedFile")
    message = refused(_pdf_with_attachment("factur-x.xml", plain), "lol.pdf")
    assert "DTD" in message


@pytest.mark.django_db
def test_a_hostile_file_among_good_ones_means_nothing_is_written(org):
    with pytest.raises(InputError):
        invoice_import(org=org, paths_or_files=[CORPUS_PDF, Upload("lol.xml", BILLION_LAUGHS)],
                       today=date(2025, 4, 1))
    assert not scoped(Invoice, org).exists()
