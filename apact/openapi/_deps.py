"""The libraries the check needs (``pip install 'apact[openapi]'``), asked for with a
clear error rather than an ``ImportError`` from deep inside."""

from __future__ import annotations

import importlib

from ._document import OpenAPIError

#: module -> the distribution that provides it
_NEEDED = {"jsonschema": "jsonschema", "referencing": "referencing"}


def require() -> None:
    """Raise `OpenAPIError` naming what to install if a library is missing."""
    for module, distribution in _NEEDED.items():
        try:
            importlib.import_module(module)
        except ImportError:
            raise OpenAPIError(
                f"checking pacts against OpenAPI documents needs the {distribution!r} package: pip install 'apact[openapi]'"
            ) from None
