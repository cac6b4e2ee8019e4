"""Shapes a pact may have that apact reads as the official core does, but that no
current Pact tool writes: said as warnings (the verifier's notices), so that a pact
read with a guess says so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Spec

_SPEC_KEYS = ("pactSpecification", "pact-specification", "pactSpecificationVersion")


def oddities(document: Mapping[str, Any], spec: Spec) -> list[str]:
    """The warnings for ``document`` (read as ``spec``)."""
    found: list[str] = []
    metadata = document.get("metadata")
    section = next((metadata[key] for key in _SPEC_KEYS if isinstance(metadata, dict) and key in metadata), None)
    version = section.get("version") if isinstance(section, dict) else section
    if version is None:
        found.append(f"no pact specification version: read as {spec.label}, as its shape implies")
    for key in ("interactions", "messages"):
        items = document.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                found += _interaction(item, f"$.{key}[{index}]", spec)
    return found


def _interaction(item: Mapping[str, Any], where: str, spec: Spec) -> list[str]:
    found: list[str] = []
    if isinstance(item.get("providerStates"), str):
        found.append(f"{where}.providerStates is a string: read as one provider state of that name")
    for part, old in (("request", "requestMatchingRules"), ("response", "responseMatchingRules")):
        value = item.get(part)
        if isinstance(value, dict) and old in value and value.get("matchingRules") is None:
            found.append(f"{where}.{part}.{old}: the old name of matchingRules, read as matchingRules")
    if spec >= Spec.V4 and item.get("type", "Synchronous/HTTP") == "Synchronous/HTTP":
        for part in ("request", "response"):
            value = item.get(part)
            if isinstance(value, dict) and value.get("body") is not None and not _v4_form(value["body"]):
                found.append(f"{where}.{part}.body is not in the V4 body form: read as before V4")
    contents = item.get("contents")
    if (
        spec >= Spec.V4
        and item.get("type") == "Asynchronous/Messages"
        and contents is not None
        and not (isinstance(contents, dict) and ("content" in contents or "contentType" in contents))
    ):
        found.append(f"{where}.contents is not in the V4 body form: read as before V4")
    if "content" in item and "contents" not in item and item.get("type", "Asynchronous/Messages") != "Synchronous/HTTP":
        found.append(f"{where}.content: read as the message's contents (the official core ignores it)")
    generators = item.get("generators")
    if isinstance(generators, dict) and "content" in generators:
        found.append(f"{where}.generators.content: read as the body's generators (the official core ignores them)")
    return found


def _v4_form(body: object) -> bool:
    """As the reader decides: an object with the V4 body's keys (or an empty one)."""
    return isinstance(body, dict) and (not body or bool({"content", "contentType", "encoded"} & body.keys()))
