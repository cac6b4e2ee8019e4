"""Comparing bodies: which comparison a body gets depends on its content type.

From the specification: a body absent from the pact means "any body"; a body present
but empty (or JSON ``null``) means "no body"; otherwise the expected content type
(the body's own, the Content-Type header, or what the bytes look like) chooses the
comparison: JSON, XML, form fields, multipart parts, text, or bytes.
"""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from .._core._types import JSON
from ..pact import _sniff
from ..pact._jsondepth import JsonTooDeepError
from ..pact._paths import format_token
from ..pact.model import _UNSET, Body, RuleList, effective_type
from ._compiled import Compiled, remember
from ._json import Walk, compare_json, compare_objects
from ._mismatch import show
from ._rules import EMPTY, Node, check_equal, check_rules
from ._xml import XmlError, XmlTooDeepError, compare_xml, parse_xml


def _family(content_type: str) -> str:
    if _sniff.is_json(content_type):
        return "json"
    if _sniff.is_xml(content_type):
        return "xml"
    if _sniff.is_form(content_type):
        return "form"
    if _sniff.is_multipart(content_type):
        return "multipart"
    if _sniff.is_text(content_type):
        return "text"
    return content_type


def compare_bodies(
    walk: Walk,
    root: str,
    expected: Body | None,
    actual: Body | None,
    expected_type: str | None,
    actual_type: str | None,
    rules: Mapping[str, RuleList] | None,
) -> None:
    """Compare two bodies; ``root`` is the path mismatches start from (``$.body``)."""
    if expected is None:
        return
    # (`Body.is_empty` written out here and below: a call each costs more than the test)
    if expected.null or not expected.content:
        if actual is not None and not actual.is_empty:
            walk.fail(root, "", _preview(actual), f"expected no body, got {_preview_text(actual)}")
        return
    compiled = walk.compiled
    node = compiled.node(rules) if rules else EMPTY
    if expected_type:
        want_type, family = compiled.declared.get(expected_type) or _declared(compiled, expected_type)
    else:
        want_type = effective_type(expected, expected_type)
        family = compiled.families.get(want_type) or remember(compiled.families, want_type, lambda: _family(want_type))
    if actual is None or actual.null or not actual.content:
        walk.fail(root, _preview(expected), None, f"expected a body ({want_type}), but it is missing or empty")
        return
    if actual_type:
        have_type, have_family = compiled.declared.get(actual_type) or _declared(compiled, actual_type)
    else:
        have_type, have_family = want_type, family
    if actual_type and have_family != family and not _root_content_type_rule(node):
        walk.fail(
            root,
            want_type,
            have_type,
            f"expected a body of type {want_type}, got {have_type}",
            kind="body type",
        )
        return
    if family == "json":
        _compare_json_bodies(walk, root, node, expected, actual)
    elif family == "xml":
        _compare_xml_bodies(walk, root, node, expected, actual)
    elif family == "form":
        _compare_forms(walk, root, node, expected, actual)
    elif family == "multipart":
        _compare_multipart(walk, root, node, expected, actual, expected_type or want_type, actual_type or have_type)
    elif family == "text":
        _compare_text(walk, root, node, expected, actual)
    else:
        _compare_bytes(walk, root, node, expected, actual)


def _declared(compiled: Compiled, content_type: str) -> tuple[str, str]:
    """A declared content type's base type and family, kept in ``compiled``."""
    base = _sniff.base_type(content_type)
    return remember(compiled.declared, content_type, lambda: (base, _family(base)))


def _root_content_type_rule(node: Node) -> bool:
    rules = node.best
    return rules is not None and any(m.match in ("contentType", "content-type") for m in rules.matchers)


def _preview(body: Body) -> JSON:
    """What a mismatch shows of a body: its JSON value, or (some of) its text."""
    if body._json is not _UNSET and not isinstance(body._json, JsonTooDeepError):
        return body.json()
    try:
        text = body.text()
    except UnicodeDecodeError:
        return f"<{len(body.content)} bytes>"
    return text if len(text) <= 200 else text[:199] + "…"


def _preview_text(body: Body) -> str:
    return show(_preview(body))


def _compare_json_bodies(walk: Walk, root: str, node: Node, expected: Body, actual: Body) -> None:
    want: Any = expected._json  # (a pact's JSON body is parsed as it is read: Body.json's call saved)
    if want is _UNSET or isinstance(want, JsonTooDeepError):
        try:
            want = expected.json()
        except JsonTooDeepError as error:
            walk.fail(root, None, None, f"the pact's body is {_too_deep(error, root)}")
            return
        except ValueError:
            # the pact's own body is not JSON: compare it as text
            _compare_text(walk, root, node, expected, actual)
            return
    try:
        have = actual.json()
    except JsonTooDeepError as error:
        walk.fail(root, want, _preview(actual), f"expected a JSON body, got one {_too_deep(error, root)}")
        return
    except (ValueError, UnicodeDecodeError) as error:
        walk.fail(
            root,
            want,
            _preview(actual),
            f"expected a JSON body, got text that is not JSON ({error}): {_preview_text(actual)}",
        )
        return
    if node is not EMPTY and type(want) is dict and type(have) is dict:
        compare_objects(walk, root, node, want, have)  # (as compare_json would, a call less)
    else:
        compare_json(walk, root, node, want, have)


def _too_deep(error: JsonTooDeepError, root: str) -> str:
    return f"nested more than {error.limit} levels deep (at {error.path(root)}): {error.why}"


def _compare_xml_bodies(walk: Walk, root: str, node: Node, expected: Body, actual: Body) -> None:
    try:
        want = parse_xml(expected.content)
    except XmlTooDeepError as error:
        walk.fail(root, None, None, f"the pact's body has XML {error.describe(root)}")
        return
    except XmlError:
        _compare_text(walk, root, node, expected, actual)
        return
    try:
        have = parse_xml(actual.content)
    except XmlTooDeepError as error:
        walk.fail(
            root, _preview(expected), _preview(actual), f"expected an XML body, got one with {error.describe(root)}"
        )
        return
    except XmlError as error:
        walk.fail(
            root,
            _preview(expected),
            _preview(actual),
            f"expected an XML body, got a body that is not well-formed XML ({error})",
        )
        return
    compare_xml(walk, root, node, want, have)


def _compare_text(walk: Walk, root: str, node: Node, expected: Body, actual: Body) -> None:
    want = expected.content.decode(errors="replace")
    try:
        have = actual.text()
    except UnicodeDecodeError:
        walk.fail(
            root, want, f"<{len(actual.content)} bytes>", "expected a text body, got bytes that are not UTF-8 text"
        )
        return
    rules = node.best
    if rules is None:
        if want != have:
            walk.fail(root, want, have, f"expected {show(want)}, got {show(have)}" + _first_difference(want, have))
        return
    for reason in check_rules(rules, want, have, textual=True):
        walk.fail(root, want, have, reason)


def _first_difference(want: str, have: str) -> str:
    for index, (a, b) in enumerate(zip(want, have)):
        if a != b:
            return f" (first difference at character {index})"
    return f" (lengths {len(want)} and {len(have)})"


def _compare_bytes(walk: Walk, root: str, node: Node, expected: Body, actual: Body) -> None:
    rules = node.best
    if rules is not None:
        for reason in check_rules(rules, expected.content, actual.content):
            walk.fail(root, f"<{len(expected.content)} bytes>", f"<{len(actual.content)} bytes>", reason)
        return
    if expected.content != actual.content:
        walk.fail(
            root,
            f"<{len(expected.content)} bytes>",
            f"<{len(actual.content)} bytes>",
            f"expected the same {len(expected.content)} bytes, got {len(actual.content)} different bytes"
            + _first_byte_difference(expected.content, actual.content),
        )


def _first_byte_difference(want: bytes, have: bytes) -> str:
    for index, (a, b) in enumerate(zip(want, have)):
        if a != b:
            return f" (first difference at byte {index})"
    return ""


def _form_fields(body: Body) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.content.decode(errors="replace"), keep_blank_values=True):
        fields.setdefault(key, []).append(value)
    return fields


def _compare_forms(walk: Walk, root: str, node: Node, expected: Body, actual: Body) -> None:
    want, have = _form_fields(expected), _form_fields(actual)
    compare_value_lists(walk, root, node, want, have, what="form field")


def compare_value_lists(
    walk: Walk,
    root: str,
    node: Node,
    want: Mapping[str, list[str]],
    have: Mapping[str, list[str]],
    *,
    what: str,
    rules_by_name: Mapping[str, RuleList] | None = None,
) -> None:
    """Maps of names to lists of strings (query parameters, form fields): every expected
    name with its values in order; unexpected names fail requests."""
    for name, values in want.items():
        path = root + format_token(name)
        if name not in have:
            walk.fail(
                path,
                values,
                None,
                f"expected {what} {show(name)} (with {show(values if len(values) != 1 else values[0])}), but it is missing",
            )
            continue
        got_values = have[name]
        rules = rules_by_name.get(name) if rules_by_name is not None else node.child(name).best
        if rules is not None:
            for index, value in enumerate(got_values):
                example = values[index] if index < len(values) else (values[0] if values else "")
                for reason in check_rules(rules, example, value, textual=True):
                    walk.fail(f"{path}[{index}]" if len(got_values) > 1 else path, example, value, reason)
            low = next((m.get("min") for m in rules.matchers if isinstance(m.get("min"), int)), None)
            if isinstance(low, int) and len(got_values) < low:
                walk.fail(path, values, got_values, f"expected at least {low} values, got {len(got_values)}")
            continue
        if got_values != values:
            for index, (a, b) in enumerate(zip(values, got_values)):
                if a != b:
                    walk.fail(
                        f"{path}[{index}]" if max(len(values), len(got_values)) > 1 else path,
                        a,
                        b,
                        check_equal(a, b) or "",
                    )
            if len(values) != len(got_values):
                walk.fail(
                    path,
                    values,
                    got_values,
                    f"expected {len(values)} value(s) {show(values)}, got {len(got_values)}: {show(got_values)}",
                )
    if walk.strict:
        for name, values in have.items():
            if name not in want:
                walk.fail(
                    root + format_token(name),
                    None,
                    values,
                    f"unexpected {what} {show(name)}={show(values if len(values) != 1 else values[0])}",
                )


def _parts(body: Body, content_type: str) -> dict[str, tuple[str | None, bytes]] | None:
    """multipart -> {part name: (part content type, part bytes)}; None if unparsable."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body.content)
    except Exception:  # noqa: BLE001 - any parser failure means "not multipart"
        return None
    if not message.is_multipart():
        return None
    parts: dict[str, tuple[str | None, bytes]] = {}
    for index, part in enumerate(message.iter_parts()):
        name = part.get_param("name", header="content-disposition") or f"part{index}"
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        parts[str(name)] = (part.get_content_type() if part.get("content-type") else None, payload)
    return parts


def _compare_multipart(
    walk: Walk, root: str, node: Node, expected: Body, actual: Body, expected_type: str, actual_type: str
) -> None:
    want = _parts(expected, expected_type)
    have = _parts(actual, actual_type)
    if want is None:
        _compare_bytes(walk, root, node, expected, actual)
        return
    if have is None:
        walk.fail(
            root,
            "multipart",
            _preview(actual),
            "expected a multipart body, got a body that is not multipart (or has another boundary)",
        )
        return
    for name, (part_type, content) in want.items():
        path = root + format_token(name)
        if name not in have:
            walk.fail(path, name, None, f"expected the part {show(name)}, but it is missing")
            continue
        have_type, have_content = have[name]
        part_node = node.child(name)
        compare_bodies(
            walk,
            path,
            Body(content, part_type),
            Body(have_content, have_type),
            part_type,
            have_type,
            _rebase(part_node),
        )
    if walk.strict:
        for name in have:
            if name not in want:
                walk.fail(root + format_token(name), None, name, f"unexpected part {show(name)}")


def _rebase(node: Node) -> dict[str, RuleList] | None:
    """Rules found at a part's place, to apply to the part's own body."""
    return {"$": node.best} if node.best is not None else None


__all__ = ["compare_bodies", "compare_value_lists"]
