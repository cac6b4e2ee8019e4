"""Check pacts against the provider's OpenAPI document, without running the provider.

```python
from apact import openapi

document = openapi.load("openapi.yaml")          # a file, a URL, a dict, or app= (FastAPI)
result = openapi.check("pacts/", document)      # a VerificationResult
result.assert_ok()                              # the verifier's report on failure
```

Each HTTP interaction is looked up in the document (path template, method) and its
parameters, request body, status, response headers and response body are compared with
what the document declares, the pact's matching rules widening its examples (an
``integer`` rule means any integer). Every mismatch says what the pact expects, what
the document says, and where (``components.schemas.Order.properties.waitingTime``).
Message interactions are skipped: they would need an AsyncAPI document.

Needs ``pip install 'apact[openapi]'`` (jsonschema, referencing, PyYAML). See
``docs/openapi.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._core._api import publish
from ._document import Location, OpenAPIDocument, OpenAPIError

if TYPE_CHECKING:
    from ..verifier import VerificationResult
    from ._check import DocumentSource, PactSource

__all__ = ["Location", "OpenAPIDocument", "OpenAPIError", "check", "fetch", "load"]

publish(__name__, globals(), ["Location", "OpenAPIDocument", "OpenAPIError"])


def load(
    source: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    *,
    app: object = None,
    timeout: float = 30.0,
) -> OpenAPIDocument:
    """Read an OpenAPI 3.0 or 3.1 document: ``source`` is a file (JSON or YAML), an
    HTTP(S) URL or the document as a dict; or ``app=`` a FastAPI app (its
    ``app.openapi()``). Every file or URL its ``$ref`` references reach is read too.

    Raises `OpenAPIError` naming the document and the place in it for a document
    that cannot be used.
    """
    from . import _deps, _load

    _deps.require()
    return _load.load(source, app=app, timeout=timeout)


async def fetch(app: Any, path: str = "/openapi.json") -> OpenAPIDocument:
    """The document any ASGI app serves at ``path``, fetched in-process (no server)."""
    from . import _deps, _load

    _deps.require()
    return await _load.fetch(app, path)


def check(
    pacts: PactSource | Sequence[PactSource],
    document: DocumentSource,
    *,
    provider: str | None = None,
) -> VerificationResult:
    """Check every interaction of ``pacts`` (files, directories, URLs or
    `PactFile` objects) against ``document`` (an
    `OpenAPIDocument`, or a file, URL or dict to `load`).

    Returns a `VerificationResult`, one verdict per interaction:
    ``passed``; ``failed`` with mismatches (each: where in the interaction, what the pact
    expects, what the document says and where); ``pending`` for a pending interaction
    that fails; ``skipped`` with the reason for what cannot be checked (messages). Parts
    not checked (an XML body, ...) are listed in its ``notices``. With ``provider``,
    pacts for another provider are left out (and said so in the notices).
    """
    from . import _check, _deps

    _deps.require()
    return _check.check(pacts, document, provider=provider)
