"""Reading and writing pact files.

```python
from apact import pactfile

pact = pactfile.load("pacts/Sous Chef-Grill Chef.json")   # any spec version, V1-V4
pactfile.save(pact, "copy.json", spec="V3")                # V2, V3 or V4 (default: as read)
```

Reading checks everything (JSON syntax, spec version, matchers, regexes, date formats,
bodies against their content type) and raises `PactFileError`
naming the file, the interaction and the JSON path. Writing is atomic: the new content
goes to a temporary file in the same directory, which then replaces the target, so a
crash never leaves a half-written pact and readers never see one.

`load`, `loads`, `dumps` and `to_json` pause Python's cyclic garbage collector while
they build the model or the document (on a large pact its collections walked what was
already built: reading 10,000 interactions took over twice as long per interaction as
reading 1,000). The collector is left as it was found: on again after, or still off.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .._core._files import read_file, write_atomically
from .._core._gc import collector_paused
from .._core._types import JSON
from ..errors import PactFileError
from . import _dump, _jsondepth, _parse
from .model import PactFile, Spec

#: ``PactFile`` is defined with the rest of the model (:mod:`apact.pact.model`, which
#: the reader and the writer build on) and offered here too, beside what reads and writes it
__all__ = ["PactFile", "dumps", "load", "loads", "save", "to_json"]


def load(path: str | os.PathLike[str]) -> PactFile:
    """Read a pact file of any specification version."""
    name = os.fspath(path)
    try:
        data = read_file(name)  # (at most 256 MiB)
    except OSError as error:
        raise PactFileError(f"cannot read the file: {error.strerror or error}", file=name) from None
    return loads(data, file=name)


def loads(text: str | bytes, *, file: str | None = None) -> PactFile:
    """Read pact JSON text; ``file`` names it in errors."""
    if isinstance(text, bytes) and text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]  # a UTF-8 byte order mark, as some tools write
    return _parse.loads(text, file=file)


def to_json(pact: PactFile, spec: Spec | str | None = None) -> dict[str, JSON]:
    """The pact as a JSON document (a dict) of ``spec`` (V2, V3 or V4)."""
    return _dump.pact_to_json(pact, Spec.parse(spec) if spec is not None else None)


@collector_paused  # (a large pact's document, its text and the check of it: see `._core._gc`)
def dumps(pact: PactFile, spec: Spec | str | None = None) -> str:
    """The pact as JSON text: two-space indented, UTF-8, a newline at the end. Raises
    `PactWriteError` for a pact nested deeper than it can be read."""
    version = Spec.parse(spec) if spec is not None else None
    text = json.dumps(_dump.pact_to_json(pact, version), indent=2, ensure_ascii=False) + "\n"
    _dump.check_depth(text, pact, version)
    return text


def save(pact: PactFile, path: str | os.PathLike[str], spec: Spec | str | None = None) -> Path:
    """Write the pact to ``path`` atomically; returns the path."""
    target = Path(path)
    write_atomically(target, _jsondepth.utf8(dumps(pact, spec)))
    return target
