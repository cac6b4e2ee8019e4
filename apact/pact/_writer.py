"""Writing pact files: merge with what is there, under a lock, atomically.

`write_pact` is what ``Pact`` calls when a test passes:

* **merge**: the interactions already in the file are kept, except those with the
  same description and provider states as a new one, which it replaces; the result
  is sorted (description, then states), so the file does not depend on the order
  tests ran in. ``overwrite=True`` writes only the new interactions;
* **spec versions never mix**: merging into a file of another spec version raises
  `PactWriteError` (nothing is converted silently);
* **safe across processes** (pytest-xdist, CI jobs sharing a disk): read-merge-write
  happens under an exclusive lock on a lock file next to the pact
  (``.{name}.lock``; ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), there
  only while a writer holds it (on POSIX), and the new content replaces the file
  atomically (``apact._core._files.write_atomically``), so readers never see a
  half-written pact; a new pact file gets the mode the umask allows, an existing one
  keeps its own;
* **flat cost as the file grows**: the other interactions are never re-parsed into
  the model nor re-serialised. The file is kept as a list of interaction texts;
  the process remembers the bytes it last read or wrote for each path, with their
  texts, and reuses them when the file on disk holds exactly those bytes (a byte
  comparison, not a timestamp). A file written by another process is read with
  ``json.loads`` and its interactions re-indented once.
"""

from __future__ import annotations

import bisect
import functools
import json
import json.encoder
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._core._files import locked, write_atomically
from .._core._types import JSON
from ..errors import PactFileError, PactWriteError
from . import _jsondepth
from ._dump import check_depth, pact_to_json
from ._parse import spec_of
from .model import Interaction, PactFile, Spec

__all__ = ["write_pact"]

_SECTIONS = ("interactions", "messages")
#: writes provider states as the text that identifies them (an immutable encoder)
_KEYS = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Entry:
    """One interaction as it sits in a pact file (see `entry`)."""

    section: str  # "interactions", or "messages" for V3 message pacts
    #: what identifies it: description, then provider states as JSON text (also the sort order)
    key: tuple[str, str]
    text: bytes  # the interaction's JSON, indented for its place in the file


@dataclass(frozen=True, slots=True)
class _Contents:
    """A pact file taken apart: its interactions kept as text, sorted, per section."""

    data: bytes
    spec: Spec
    consumer: str
    provider: str
    metadata: dict[str, JSON]
    extra: dict[str, JSON]
    sections: dict[str, list[Entry]]


class _Memo:
    """The contents this process last read or wrote at one path."""

    __slots__ = ("contents",)

    def __init__(self) -> None:
        self.contents: _Contents | None = None


@functools.lru_cache(maxsize=64)
def _memo(path: str) -> _Memo:
    return _Memo()


def write_pact(
    path: Path,
    consumer: str,
    provider: str,
    entries: Sequence[Entry],
    spec: Spec,
    *,
    overwrite: bool = False,
) -> Path:
    """Merge ``entries`` (from `entry`) into the pact file at ``path`` (see the
    module docs)."""
    path = Path(path)
    memo = _memo(os.path.abspath(path))
    with locked(path):
        current = None if overwrite else _read(path, memo)
        if current is not None:
            _check_same_pact(path, current, consumer, provider, spec)
            sections = {name: list(items) for name, items in current.sections.items()}
            metadata, extra = current.metadata, current.extra
        else:
            sections, metadata, extra = {}, {}, {}
        for item in entries:
            _insert(sections.setdefault(item.section, []), item)
        if all(sections.get(section) for section in _SECTIONS):
            raise PactWriteError(
                f"{path}: a {spec.label} pact holds HTTP interactions or messages, not both, and this would "
                "write messages beside the HTTP interactions already there (or the other way round): use "
                "spec='V4', or write the messages to a pact file of their own (another consumer or provider name)"
            )
        ours: dict[str, JSON] = {"apact": {"version": _version()}, "pactSpecification": {"version": spec.version}}
        metadata = dict(sorted({**metadata, **ours}.items()))
        data = _render(consumer, provider, sections, metadata, extra)
        if current is None or data != current.data:  # an unchanged pact is left alone
            write_atomically(path, data, durable=False)
        memo.contents = _Contents(data, spec, consumer, provider, metadata, extra, sections)
    return path


def _insert(items: list[Entry], item: Entry) -> None:
    """Put ``item`` in the sorted ``items``, replacing the one with the same key."""
    index = bisect.bisect_left(items, item.key, key=_key)
    if index < len(items) and items[index].key == item.key:
        items[index] = item
    else:
        items.insert(index, item)


def _key(item: Entry) -> tuple[str, str]:
    return item.key


def _version() -> str:
    from .._core._version import __version__

    return __version__


def entry(interaction: Interaction, spec: Spec) -> Entry:
    """An interaction serialised for ``spec`` (raises `PactWriteError` if that
    version cannot express it)."""
    document = pact_to_json(PactFile("", "", (interaction,), spec), spec)
    section = "messages" if document.get("messages") else "interactions"
    raw = document[section][0]  # type: ignore[index]
    states = _KEYS.encode([[s.name, s.params] for s in interaction.provider_states])
    text = _indent(raw)
    check_depth(text, PactFile("", "", (interaction,), spec), spec, levels_above=2)  # in the document, in its array
    return Entry(section, (interaction.description, states), text)


def _indent(raw: JSON) -> bytes:
    """``raw`` as ``json.dumps(raw, indent=2, ensure_ascii=False)`` writes it, indented
    four more spaces (its place in the file). Written out here because the standard
    library's indenting encoder is pure Python and took most of the time of a write."""
    out: list[str] = ["    "]
    _pretty(raw, "    ", out)
    return _jsondepth.utf8("".join(out))


_string = json.encoder.encode_basestring  # the C encoder, non-ASCII kept


def _pretty(value: JSON, pad: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + pad + "  "
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator + _string(key) + ": ")
            _pretty(item, pad + "  ", out)
            separator = "," + inner
        out.append("\n" + pad + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = "\n" + pad + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _pretty(item, pad + "  ", out)
            separator = "," + inner
        out.append("\n" + pad + "]")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        out.append(repr(value))
    else:
        out.append(json.dumps(value))  # NaN and infinities, as json writes them


def _check_same_pact(path: Path, current: _Contents, consumer: str, provider: str, spec: Spec) -> None:
    if current.spec != spec:
        raise PactWriteError(
            f"{path}: the file holds a {current.spec.label} pact and this Pact writes {spec.label}; "
            f"apact does not convert pact files silently: use spec={current.spec.label!r}, "
            "delete the file, or pass overwrite=True"
        )
    if (current.consumer, current.provider) != (consumer, provider):
        raise PactWriteError(
            f"{path}: the file is the pact between {current.consumer!r} and {current.provider!r}, "
            f"not between {consumer!r} and {provider!r}"
        )


def _read(path: Path, memo: _Memo) -> _Contents | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise PactWriteError(f"{path}: cannot read the pact file to merge into it: {error.strerror or error}") from None
    known = memo.contents
    if known is not None and known.data == data:
        return known
    try:
        return _take_apart(data, known) or _parse(data)
    except (ValueError, KeyError, TypeError) as error:
        if isinstance(error, PactFileError):
            reason = error.reason
        elif isinstance(error, _jsondepth.JsonTooDeepError):
            reason = str(error)
        else:
            reason = f"{type(error).__name__}: {error}"
        raise PactWriteError(
            f"{path}: cannot merge into this file, it is not a pact apact can read ({reason}); "
            "delete it or pass overwrite=True"
        ) from None


def _take_apart(data: bytes, known: _Contents | None) -> _Contents | None:
    """A file laid out as apact writes it (another process wrote it since we last
    looked), taken apart without parsing it all: the interactions are cut out of the
    text (see `_elements`), the rest is parsed on its own, and only interactions
    this process has not seen before are parsed. ``None`` when the file is laid out
    otherwise (checked: the pieces put back together must give the same bytes)."""
    arrays: dict[str, list[bytes]] = {}
    pieces: list[bytes] = []
    position = 0
    for section in _SECTIONS:
        marker = b'\n  "' + section.encode() + b'": ['
        start = data.find(marker, position)
        if start < 0:
            continue
        inside = start + len(marker)
        if data.startswith(b"]", inside):
            continue
        close = data.find(b"\n  ]", inside)
        texts = _elements(data[inside:close]) if close >= 0 else None
        if texts is None:
            return None
        arrays[section] = texts
        pieces.append(data[position:inside])
        position = close + 3  # keep the "]"
    pieces.append(data[position:])
    spec, consumer, provider, metadata, extra = _header(_jsondepth.loads(b"".join(pieces)))
    seen = {e.text: e for entries in known.sections.values() for e in entries} if known is not None else {}
    sections: dict[str, list[Entry]] = {}
    for section, texts in arrays.items():
        found: dict[tuple[str, str], Entry] = {}
        for text in texts:
            item = seen.get(text)
            if item is None or item.section != section:
                raw = _jsondepth.loads(text)
                item = Entry(section, (raw["description"], _raw_states(raw)), text)
            found[item.key] = item  # a later duplicate wins, as in a merge
        sections[section] = [found[key] for key in sorted(found)]
    as_found = {section: [Entry(section, ("", ""), text) for text in texts] for section, texts in arrays.items()}
    if _render(consumer, provider, as_found, metadata, extra) != data:
        return None
    return _Contents(data, spec, consumer, provider, metadata, extra, sections)


def _parse(data: bytes) -> _Contents:
    """Any pact file: parsed whole, its interactions serialised again."""
    document = _jsondepth.loads(data)
    spec, consumer, provider, metadata, extra = _header(document)
    sections: dict[str, list[Entry]] = {}
    for section in _SECTIONS:
        found: dict[tuple[str, str], Entry] = {}
        for raw in document.get(section) or ():
            key = (raw["description"], _raw_states(raw))
            found[key] = Entry(section, key, _indent(raw))
        if found:
            sections[section] = [found[key] for key in sorted(found)]
    return _Contents(data, spec, consumer, provider, metadata, extra, sections)


def _header(document: object) -> tuple[Spec, str, str, dict[str, JSON], dict[str, JSON]]:
    """Spec version, consumer, provider, metadata and other top-level attributes."""
    if not isinstance(document, dict):
        raise PactFileError("a pact file must hold a JSON object")
    metadata = document.get("metadata")
    extra = {k: v for k, v in document.items() if k not in ("consumer", "provider", "metadata", *_SECTIONS)}
    return (
        spec_of(document),
        document["consumer"]["name"],
        document["provider"]["name"],
        metadata if isinstance(metadata, dict) else {},
        extra,
    )


def _elements(array: bytes) -> list[bytes] | None:
    """The items of a top-level array as ``json.dumps(indent=2)`` writes them: objects
    from a line ``    {`` to a line ``    }`` (their own lines are indented deeper, and
    JSON strings cannot hold raw newlines), separated by ``,``."""
    texts = []
    position = 0
    while (start := array.find(b"\n    {\n", position)) >= 0:
        end = array.find(b"\n    }", start)
        if end < 0:
            return None
        texts.append(array[start + 1 : end + 6])
        position = end + 6
    return texts


def _raw_states(raw: dict[str, JSON]) -> str:
    states = raw.get("providerStates")
    if isinstance(states, list):
        pairs = [[s["name"], s.get("params") or {}] for s in states if isinstance(s, dict)]
    elif isinstance(raw.get("providerState"), str) and raw["providerState"]:
        pairs = [[raw["providerState"], {}]]
    else:
        pairs = []
    return _KEYS.encode(pairs)


def _render(
    consumer: str, provider: str, sections: dict[str, list[Entry]], metadata: dict[str, JSON], extra: dict[str, JSON]
) -> bytes:
    """The file's bytes, as ``json.dumps(document, indent=2)`` would write them."""
    present = tuple(s for s in _SECTIONS if sections.get(s)) or ("interactions",)
    frame = _frame(
        json.dumps(
            {"consumer": consumer, "provider": provider, "present": present, "extra": extra, "metadata": metadata}
        )
    )
    out = [frame[0]]
    for section, after in zip(present, frame[1:]):
        items = sections.get(section)
        if items:
            out.append(b"[\n")
            for item in items:
                out.append(item.text)
                out.append(b",\n")
            out[-1] = b"\n  ]"
        else:
            out.append(b"[]")
        out.append(after)
    return b"".join(out)


@functools.lru_cache(maxsize=16)
def _frame(described: str) -> tuple[bytes, ...]:
    """The file's bytes around its interaction arrays (the same for every write until
    the metadata changes)."""
    parts = json.loads(described)
    document: dict[str, JSON] = {"consumer": {"name": parts["consumer"]}, "provider": {"name": parts["provider"]}}
    for section in parts["present"]:
        document[section] = f"\x00{section}\x00"
    for key, value in parts["extra"].items():
        document.setdefault(key, value)
    document["metadata"] = parts["metadata"]
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    pieces = []
    for section in parts["present"]:
        before, text = text.split(json.dumps(f"\x00{section}\x00"), 1)
        pieces.append(before.encode())
    pieces.append(text.encode())
    return tuple(pieces)
