"""Navigating JSON documents in assertions.

apact types a JSON document as the ``JSON`` union, which is right for the library but
makes every ``document["pacts"][0]`` in a test an error under ``mypy --strict``. A test
asserts the shape it walks through, so it reads the document as ``Any`` on purpose.
"""

from __future__ import annotations

from typing import Any


def tree(document: object) -> Any:
    """The same document, typed for walking by key and index in a test's assertions."""
    return document
