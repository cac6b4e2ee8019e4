"""Content types: detection from bytes, parsing, and classification.

Used by the Pact ``contentType`` matcher (a body must *be* of a type, judged
from its bytes, not from a header) and by body handling, which picks JSON,
XML, form or plain-text comparison from a ``Content-Type`` header.

`sniff` checks binary magic numbers first (unambiguous), then the
text-like families in the order that keeps them apart: XML declaration, HTML
(the WHATWG sniffing tags), other well-formed XML, JSON object/array, UTF-8
text.  XML is parsed with expat and entity declarations abort the parse, so a
"billion laughs" body cannot expand.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Callable, Mapping

from ._jsondepth import strict_loads

__all__ = [
    "base_type",
    "is_form",
    "is_json",
    "is_multipart",
    "is_text",
    "is_xml",
    "matches_content_type",
    "parse_content_type",
    "sniff",
]

OCTET_STREAM = "application/octet-stream"

# Leading HTML tags per the WHATWG MIME sniffing standard (case-insensitive,
# followed by a space or '>').
_HTML_TAGS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<script",
    b"<iframe",
    b"<h1",
    b"<div",
    b"<font",
    b"<table",
    b"<a",
    b"<style",
    b"<title",
    b"<b",
    b"<body",
    b"<br",
    b"<p",
    b"<!--",
)
_TAG_END = b" \t\n\r\x0c>"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_FTYP_BRANDS = {
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
    b"3g2a": "video/3gpp2",
}

# Different names for one format (canonical name is what sniff() returns).
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/x-icon": "image/vnd.microsoft.icon",
    "image/ico": "image/vnd.microsoft.icon",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "image/tif": "image/tiff",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "application/x-gzip": "application/gzip",
    "application/x-zip-compressed": "application/zip",
    "application/x-zip": "application/zip",
    "application/x-pdf": "application/pdf",
    "video/avi": "video/x-msvideo",
    "video/msvideo": "video/x-msvideo",
    "application/x-bzip": "application/x-bzip2",
    "application/x-wasm": "application/wasm",
    "application/ogg": "audio/ogg",
    "video/ogg": "audio/ogg",
    "audio/vorbis": "audio/ogg",
    "audio/opus": "audio/ogg",
    "audio/mp4": "video/mp4",
    "application/mp4": "video/mp4",
    "audio/x-m4a": "video/mp4",
    "audio/flac": "audio/x-flac",
    "application/x-rar": "application/vnd.rar",
    "application/x-rar-compressed": "application/vnd.rar",
    "application/x-ustar": "application/x-tar",
    "application/x-gtar": "application/x-tar",
    "text/x-html": "text/html",
}
# Formats that are ZIP containers: a sniffed ZIP satisfies them.
_ZIP_BASED = re.compile(
    r"application/(?:java-archive|epub\+zip|vnd\.openxmlformats-officedocument\..*"
    r"|vnd\.oasis\.opendocument\..*|vnd\.android\.package-archive|x-java-archive|.*\+zip)"
)


#: the metadata keys that carry a message's content type (the official tools write
#: ``contentType``; the others are read too)
CONTENT_TYPE_KEYS = ("contentType", "content-type", "Content-Type")


def content_type_in(metadata: Mapping[str, object]) -> str | None:
    """The content type a message's metadata declares, if any."""
    for key in CONTENT_TYPE_KEYS:
        value = metadata.get(key)
        if isinstance(value, str):
            return value
    return None


def _magic(data: bytes) -> str | None:
    """Binary formats recognisable from their first bytes."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and len(data) >= 12:
        kind = data[8:12]
        if kind == b"WEBP":
            return "image/webp"
        if kind == b"WAVE":
            return "audio/wav"
        if kind == b"AVI ":
            return "video/x-msvideo"
    if (
        head.startswith(b"BM")
        and len(data) >= 18
        and data[6:10] == b"\x00\x00\x00\x00"
        and (int.from_bytes(data[14:18], "little") in (12, 16, 40, 52, 56, 64, 108, 124))
    ):
        return "image/bmp"
    if head.startswith(b"\x00\x00\x01\x00") and len(data) >= 6 and data[4:6] != b"\x00\x00":
        return "image/vnd.microsoft.icon"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "application/zip"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if head.startswith(b"BZh") and len(head) > 3 and 0x31 <= head[3] <= 0x39:
        return "application/x-bzip2"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "application/x-7z-compressed"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "application/x-xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "application/zstd"
    if head.startswith((b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")):
        return "application/vnd.rar"
    if data[257:262] == b"ustar":
        return "application/x-tar"
    if head.startswith(b"\x00asm"):
        return "application/wasm"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] in (0xFB, 0xF3, 0xF2)):
        return "audio/mpeg"
    if data[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(data[8:12], "video/mp4")
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/x-flac"
    if head.startswith(b"MThd"):
        return "audio/midi"
    if head.startswith(b"wOFF"):
        return "font/woff"
    if head.startswith(b"wOF2"):
        return "font/woff2"
    return None


def _decode_text(data: bytes) -> str | None:
    """The text of ``data`` if it is UTF-8 (or BOM-marked UTF-16) without control characters."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if _TEXT_CONTROLS.search(text):
        return None
    return text


class _XmlRefusedError(Exception):
    """Entity declarations are not expanded (billion-laughs protection)."""


def _xml_root(data: bytes | str) -> str | None:
    """Root element name of a well-formed XML document, else None.

    A document declaring entities counts as XML with root ``""`` without being
    expanded.
    """
    parser = xml.parsers.expat.ParserCreate()
    root: list[str] = []

    def start(name: str, attrs: object) -> None:
        if not root:
            root.append(name)

    def refuse(*args: object) -> None:
        raise _XmlRefusedError

    parser.StartElementHandler = start
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except _XmlRefusedError:
        return root[0] if root else ""
    except (xml.parsers.expat.ExpatError, ValueError):
        return None
    return root[0] if root else None


def _xml_type(root: str) -> str:
    local = root.rsplit(":", 1)[-1].lower()
    if local == "svg":
        return "image/svg+xml"
    if local == "html":
        return "application/xhtml+xml"
    return "application/xml"


def _is_html(lead: bytes) -> bool:
    lowered = lead[:16].lower()
    for tag in _HTML_TAGS:
        if lowered.startswith(tag):
            after = lowered[len(tag) : len(tag) + 1]
            if tag == b"<!--" or (after and after in _TAG_END):
                return True
    return False


def _is_json_document(data: bytes) -> bool:
    try:
        strict_loads(data)  # (NaN is not JSON)
    except (ValueError, RecursionError):
        return False
    return True


def sniff(data: bytes) -> str | None:
    """Detect a MIME type from content; None for empty data.

    Returns the canonical name of a binary format found by magic number,
    ``application/xml`` / ``image/svg+xml`` / ``application/xhtml+xml`` for
    well-formed XML, ``text/html``, ``application/json`` for a JSON object or
    array, ``text/plain`` for UTF-8 text, else ``application/octet-stream``.
    """
    if not data:
        return None
    data = bytes(data)
    found = _magic(data)
    if found is not None:
        return found
    text = _decode_text(data)
    if text is None:
        return OCTET_STREAM
    lead = text.lstrip().encode("utf-8", "replace")[:64]
    if lead.startswith(b"<?xml"):
        root = _xml_root(data)
        return _xml_type(root) if root is not None else "text/plain"
    if _is_html(lead):
        return "text/html"
    if lead.startswith(b"<"):
        root = _xml_root(data)
        return _xml_type(root) if root is not None else "text/plain"
    if lead[:1] in (b"{", b"[") and _is_json_document(data):
        return "application/json"
    return "text/plain"


# =============================================================================
# Content-Type parsing and classification
# =============================================================================

_PARAM = re.compile(r';\s*([^\s=;]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"?|[^;]*))?', re.S)


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into (lower-cased base type, parameters).

    Parameter names are lower-cased; quoted values are unquoted (``\\"``
    escapes honoured, semicolons inside quotes kept).  Malformed parts are
    skipped rather than rejected, as HTTP clients do.
    """
    base, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for m in _PARAM.finditer(";" + rest):
        name, raw = m.group(1).lower(), (m.group(2) or "").strip()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1] if raw.endswith('"') and len(raw) > 1 else raw[1:])
        params.setdefault(name, raw)
    return base.strip().lower(), params


def base_type(content_type: str) -> str:
    """``type/subtype`` lower-cased, without parameters or whitespace."""
    return content_type.split(";", 1)[0].strip().lower()


def _split(ct: str) -> tuple[str, str]:
    main, _, sub = base_type(ct).partition("/")
    return main, sub


def is_json(ct: str) -> bool:
    """application/json, any ``+json`` type, ``application/*json*``, text/json."""
    main, sub = _split(ct)
    return (main == "application" and "json" in sub) or sub.endswith("+json") or (main == "text" and sub == "json")


def is_xml(ct: str) -> bool:
    """application/xml, text/xml and any ``+xml`` type."""
    main, sub = _split(ct)
    return (main in ("application", "text") and sub == "xml") or sub.endswith("+xml")


def is_text(ct: str) -> bool:
    """Any ``text/*`` type."""
    return _split(ct)[0] == "text"


def is_form(ct: str) -> bool:
    """application/x-www-form-urlencoded."""
    return base_type(ct) == "application/x-www-form-urlencoded"


def is_multipart(ct: str) -> bool:
    """Any ``multipart/*`` type."""
    return _split(ct)[0] == "multipart"


def _canonical(ct: str) -> str:
    base = base_type(ct)
    return _ALIASES.get(base, base)


def _family_check(expected: str) -> Callable[[bytes], bool] | None:
    """Content checks for the text-like families, which magic cannot decide."""
    if expected == OCTET_STREAM:
        return lambda data: True
    if is_json(expected):
        return lambda data: bool(data) and _is_json_document(data)
    if expected == "image/svg+xml":
        return lambda data: _decode_text(data) is not None and _xml_type(_xml_root(data) or "") == "image/svg+xml"
    if is_xml(expected):
        return lambda data: bool(data) and _decode_text(data) is not None and _xml_root(data) is not None
    if expected == "text/html":
        return lambda data: sniff(data) == "text/html"
    if is_text(expected):
        return lambda data: _decode_text(data) is not None
    return None


def matches_content_type(expected: str, data: bytes) -> bool:
    """Whether ``data`` is of the ``expected`` type (Pact ``contentType`` matcher).

    Binary types compare the sniffed type with the expected one, allowing
    aliases (``image/jpg``), container families (a ZIP satisfies ``.docx``,
    ``audio/mp4`` matches an MP4).  Text families are judged by content:
    ``text/plain`` (and other ``text/*``) accept any UTF-8 text, JSON types need
    a valid JSON document, XML types well-formed XML (``image/svg+xml`` an svg
    root), ``text/html`` HTML; ``application/octet-stream`` accepts anything.
    """
    data = bytes(data)
    wanted = _canonical(expected)
    check = _family_check(wanted)
    if check is not None:
        return check(data)
    found = sniff(data)
    if found is None:
        return False
    if found == wanted:
        return True
    return found == "application/zip" and _ZIP_BASED.fullmatch(wanted) is not None
