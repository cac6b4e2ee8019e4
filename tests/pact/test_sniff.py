"""Tests for apact.pact._sniff: content detection and Content-Type helpers."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile

import pytest

from apact.pact._sniff import (
    base_type,
    is_form,
    is_json,
    is_multipart,
    is_text,
    is_xml,
    matches_content_type,
    parse_content_type,
    sniff,
)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    return buf.getvalue()


def _tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        info = tarfile.TarInfo("a.txt")
        info.size = 5
        tf.addfile(info, io.BytesIO(b"hello"))
    return buf.getvalue()


BMP = (
    b"BM"
    + (70).to_bytes(4, "little")
    + b"\x00" * 4
    + (54).to_bytes(4, "little")
    + (40).to_bytes(4, "little")
    + b"\x00" * 52
)

SAMPLES = [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"GIF89a\x01\x00\x01\x00", "image/gif"),
    (b"GIF87a\x01\x00\x01\x00", "image/gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (BMP, "image/bmp"),
    (b"\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00", "image/vnd.microsoft.icon"),
    (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
    (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    (_zip(), "application/zip"),
    (gzip.compress(b"hello", mtime=0), "application/gzip"),
    (b"BZh91AY&SY", "application/x-bzip2"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "application/x-7z-compressed"),
    (_tar(), "application/x-tar"),
    (b"\x00asm\x01\x00\x00\x00", "application/wasm"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
    (b"\xff\xfb\x90\x64\x00", "audio/mpeg"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "video/mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
    (b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00", "audio/mp4"),
    (b"OggS\x00\x02\x00\x00", "audio/ogg"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
    (b"RIFF\x24\x00\x00\x00AVI LIST", "video/x-msvideo"),
    (b"\xfd7zXZ\x00\x00", "application/x-xz"),
    (b"fLaC\x00\x00\x00\x22", "audio/x-flac"),
    (b'<?xml version="1.0"?><a><b/></a>', "application/xml"),
    (b"  <root attr='1'>text</root>\n", "application/xml"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="1"></svg>', "image/svg+xml"),
    (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "application/xhtml+xml"),
    (b"<!DOCTYPE html><html><body>x</body></html>", "text/html"),
    (b"\n<HTML><p>unclosed", "text/html"),
    (b"<p>hi</p>", "text/html"),
    (b"<!-- comment --><div>", "text/html"),
    (b'{"a": [1, 2, {"b": null}]}', "application/json"),
    (b"  [1, 2, 3]  ", "application/json"),
    (b'{"grams": NaN}', "text/plain"),  # Python's json reads it; it is not JSON
    (b"[-Infinity]", "text/plain"),
    (b'\xef\xbb\xbf{"bom": true}', "application/json"),
    (b"{not json}", "text/plain"),
    (b"42", "text/plain"),
    (b"hello world\n", "text/plain"),
    ("héllo wörld\t✓\r\n".encode(), "text/plain"),
    ("utf-16 text".encode("utf-16"), "text/plain"),
    (b"<?xml version='1.0'?><a>", "text/plain"),
    (b"<unclosed", "text/plain"),
    (b"a,b,c\n1,2,3\n", "text/plain"),
    (b"\x00\x01\x02\x03binary", "application/octet-stream"),
    (b"\xc3\x28invalid utf8", "application/octet-stream"),
    (b"text with \x07 bell", "application/octet-stream"),
]


@pytest.mark.parametrize(("data", "expected"), SAMPLES)
def test_sniff(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


def test_sniff_empty_and_buffer_types() -> None:
    assert sniff(b"") is None
    assert sniff(bytes(bytearray(b"GIF89a"))) == "image/gif"
    assert sniff(memoryview(b'{"a":1}')) == "application/json"  # type: ignore[arg-type]


def test_billion_laughs_is_not_expanded() -> None:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
        )
        + b"]><lolz>&lol9;</lolz>"
    )
    assert sniff(lol) == "application/xml"
    assert matches_content_type("application/xml", lol)


def test_deeply_nested_json_does_not_crash() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    assert sniff(deep) in ("application/json", "text/plain")


@pytest.mark.parametrize(
    ("value", "base", "params"),
    [
        ("application/json", "application/json", {}),
        ("Application/JSON; Charset=UTF-8", "application/json", {"charset": "UTF-8"}),
        (
            'multipart/form-data; boundary="a;b=c"; charset=utf-8',
            "multipart/form-data",
            {"boundary": "a;b=c", "charset": "utf-8"},
        ),
        (r'text/plain; title="say \"hi\""', "text/plain", {"title": 'say "hi"'}),
        ("text/plain;charset=utf-8;format=flowed", "text/plain", {"charset": "utf-8", "format": "flowed"}),
        ("  text/html ;  q = 0.5 ", "text/html", {"q": "0.5"}),
        ("text/plain; flag", "text/plain", {"flag": ""}),
        ('text/plain; a="unterminated', "text/plain", {"a": "unterminated"}),
        ("", "", {}),
    ],
)
def test_parse_content_type(value: str, base: str, params: dict[str, str]) -> None:
    assert parse_content_type(value) == (base, params)


def test_base_type() -> None:
    assert base_type("Application/Hal+JSON; charset=utf-8") == "application/hal+json"
    assert base_type(" text/plain ") == "text/plain"


def test_classifiers() -> None:
    for ct in [
        "application/json",
        "application/hal+json",
        "application/vnd.api+json",
        "application/json; charset=utf-8",
        "application/x-json",
        "text/json",
        "application/problem+json",
        "application/json-patch+json",
    ]:
        assert is_json(ct), ct
    for ct in ["text/plain", "application/xml", "image/jpeg", "multipart/form-data"]:
        assert not is_json(ct), ct
    for ct in ["application/xml", "text/xml", "application/atom+xml", "image/svg+xml; q=1"]:
        assert is_xml(ct), ct
    assert not is_xml("application/json") and not is_xml("text/xmlish")
    assert is_text("text/csv") and is_text("TEXT/plain") and not is_text("application/text")
    assert is_form("application/x-www-form-urlencoded; charset=utf-8") and not is_form("multipart/form-data")
    assert is_multipart("multipart/form-data; boundary=x") and is_multipart("multipart/mixed")
    assert not is_multipart("application/json")


@pytest.mark.parametrize(
    ("expected", "data", "result"),
    [
        ("image/png", SAMPLES[0][0], True),
        ("image/png", SAMPLES[1][0], False),
        ("image/jpg", SAMPLES[1][0], True),
        ("image/jpeg; q=1", SAMPLES[1][0], True),
        ("audio/x-wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", True),
        ("application/x-gzip", gzip.compress(b"x", mtime=0), True),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _zip(), True),
        ("application/java-archive", _zip(), True),
        ("application/pdf", _zip(), False),
        ("audio/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", True),
        ("application/json", b'{"a": 1}', True),
        ("application/json", b"42", True),
        ("application/hal+json", b"[1]", True),
        ("application/json", b"{bad", False),
        ("application/json", b"", False),
        ("application/xml", b"<a><b/></a>", True),
        ("text/xml", b'<?xml version="1.0"?><a/>', True),
        ("application/xml", b"<a><b></a>", False),
        ("application/xml", b"plain", False),
        ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"/>', True),
        ("image/svg+xml", b"<a/>", False),
        ("text/plain", b"hello", True),
        ("text/plain", b'{"a": 1}', True),
        ("text/plain", b"<a/>", True),
        ("text/plain", b"", True),
        ("text/plain", SAMPLES[0][0], False),
        ("text/csv", b"a,b\n1,2\n", True),
        ("text/html", b"<!doctype html><p>x", True),
        ("text/html", b"just text", False),
        ("application/octet-stream", b"\x00\x01", True),
        ("application/octet-stream", b"", True),
        ("image/png", b"", False),
        ("application/x-unknown", b"\x00\x01", False),
    ],
)
def test_matches_content_type(expected: str, data: bytes, result: bool) -> None:
    assert matches_content_type(expected, data) is result


def test_json_body_round_trip() -> None:
    body = json.dumps({"items": list(range(100))}).encode()
    assert sniff(body) == "application/json"
    assert matches_content_type("application/vnd.api+json", body)
