"""Comparing XML bodies.

Paths name elements by their local name from the root element down
(``$.animals.alligator``), attributes with ``@`` (``$.animals.alligator['@name']``) and
an element's text with ``#text``. Children are compared by name: a rule on a child's
path (``type``, ``min``...) makes every actual child of that name match the first
expected one; without a rule they are compared in order. A rule's ``min`` and ``max``
count an element's children, its text one of them. Element and attribute names
compare with their namespace URI, not their prefix. Unexpected attributes and children
fail requests and pass responses, like unexpected JSON keys.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from itertools import zip_longest

from ..pact._jsondepth import MAX_DEPTH, show_place
from ..pact._paths import format_token
from ..pact.model import RuleList
from ._json import Walk
from ._mismatch import show
from ._rules import Node, check_equal, check_rules, kind_of, merge

Element = ElementTree.Element


class XmlError(ValueError):
    pass


class XmlTooDeepError(XmlError):
    """Elements nested deeper than JSON may be (the comparison recurses as they nest)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names  # the elements' local names, from the root element to the one past the limit
        super().__init__(self.describe("$"))

    def describe(self, root: str) -> str:
        return (
            f"elements nested more than {MAX_DEPTH} levels deep (at {show_place(self.names, root)}): "
            f"apact compares XML at most {MAX_DEPTH} levels deep, as deep as it reads JSON"
        )


def parse_xml(data: bytes) -> Element:
    """Parse a document, refusing entity declarations (no entity-expansion bombs) and
    elements nested deeper than `MAX_DEPTH`."""
    if b"<!ENTITY" in data:
        raise XmlError("XML entity declarations are not supported")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise XmlError(str(error)) from None
    _check_depth(root)
    return root


def _check_depth(root: Element) -> None:
    """Level by level, with no recursion (the parser itself does not recurse)."""
    level = [root]
    for _ in range(MAX_DEPTH):
        level = [child for element in level for child in element]
        if not level:
            return
    # too deep: find the first element past the limit, depth first
    path = [root]
    children = [iter(root)]
    while len(path) <= MAX_DEPTH:
        child = next(children[-1], None)
        if child is None:
            children.pop()
            path.pop()
        else:
            path.append(child)
            children.append(iter(child))
    raise XmlTooDeepError(tuple(local(str(element.tag)) for element in path))


def local(name: str) -> str:
    return name.rsplit("}", 1)[-1] if name.startswith("{") else name


def shown_name(name: str) -> str:
    if name.startswith("{"):
        uri, _, rest = name[1:].partition("}")
        return f"{rest} (namespace {uri})"
    return name


def compare_xml(walk: Walk, root_path: str, node: Node, expected: Element, actual: Element) -> None:
    name = local(expected.tag)
    _compare_element(walk, root_path + format_token(name), node.child(name), expected, actual)


def _compare_element(walk: Walk, path: str, node: Node, expected: Element, actual: Element) -> None:
    rules = node.best
    reasons: list[str] = []
    if rules is None:
        if expected.tag != actual.tag:
            reasons.append(f"expected element <{shown_name(expected.tag)}>, got <{shown_name(actual.tag)}>")
    else:
        reasons = _element_rules(rules, node.cascaded, expected, actual)
    if reasons:
        for reason in reasons:
            walk.fail(path, f"<{local(expected.tag)}>", f"<{local(actual.tag)}>", reason)
        return
    _compare_attributes(walk, path, node, expected, actual)
    _compare_children(walk, path, node, expected, actual)
    _compare_text(walk, path, node, expected, actual)


def _element_rules(rules: RuleList, cascaded: bool, expected: Element, actual: Element) -> list[str]:
    """Rules at an element's own place: names must agree under type/equality rules,
    ``min``/``max`` count its children, its text one of them (as the official core
    counts a leaf element's text: ``<id>7</id>`` has one). Rules about values (regex,
    integer, ...) apply to the element's text and attributes, where they cascade."""
    reasons = []
    children = len(actual) + (1 if _text(actual) else 0)
    for matcher in rules.matchers:
        kind = kind_of(matcher)
        if kind in ("type", "equality", "values"):
            if expected.tag != actual.tag:
                reasons.append(f"expected element <{shown_name(expected.tag)}>, got <{shown_name(actual.tag)}>")
                continue
            if kind == "type" and not cascaded:
                low, high = matcher.get("min"), matcher.get("max")
                if isinstance(low, int) and children < low:
                    reasons.append(f"expected at least {_children(low)} (elements and text), got {children}")
                if isinstance(high, int) and children > high:
                    reasons.append(f"expected at most {_children(high)} (elements and text), got {children}")
        elif kind == "notEmpty" and not cascaded:
            if not children and not _text(actual) and not actual.attrib:
                reasons.append(f"expected a non-empty <{local(actual.tag)}> element")
    if rules.combine == "OR" and len(reasons) < len(rules.matchers):
        return []
    return reasons


def _children(count: int) -> str:
    return f"{count} {'child' if count == 1 else 'children'}"


def _compare_attributes(walk: Walk, path: str, node: Node, expected: Element, actual: Element) -> None:
    wanted = expected.attrib
    found = actual.attrib
    if walk.strict:
        for name in found:
            if name not in wanted:
                walk.fail(
                    path + format_token("@" + local(name)),
                    None,
                    found[name],
                    f"unexpected attribute {shown_name(name)}={show(found[name])} "
                    "(a request may only carry what the pact lists)",
                )
    for name, value in wanted.items():
        attr_path = path + format_token("@" + local(name))
        if name not in found:
            walk.fail(attr_path, value, None, f"expected attribute {shown_name(name)}={show(value)}, but it is missing")
            continue
        _compare_text_value(walk, attr_path, node.child("@" + local(name)), value, found[name])


def _groups(element: Element) -> dict[str, list[Element]]:
    groups: dict[str, list[Element]] = {}
    for child in element:
        if isinstance(child.tag, str):  # skip comments and processing instructions
            groups.setdefault(child.tag, []).append(child)
    return groups


def _compare_children(walk: Walk, path: str, node: Node, expected: Element, actual: Element) -> None:
    wanted = _groups(expected)
    found = _groups(actual)
    positions = {id(child): index for index, child in enumerate(c for c in actual if isinstance(c.tag, str))}

    def node_for(name: str, child: Element) -> Node:
        # rules address a child element as parent.name or as parent[index].name
        return merge(node.child(name), node.child(positions[id(child)]).child(name))

    for tag, actual_children in found.items():
        name = local(tag)
        child_path = path + format_token(name)
        expected_children = wanted.get(tag)
        count = len(actual_children)
        if expected_children is None:
            if walk.strict or node_for(name, actual_children[0]).defined:
                walk.fail(child_path, None, f"<{name}>", f"unexpected child element <{shown_name(tag)}>")
            continue
        if node_for(name, actual_children[0]).defined:
            # a rule covers these children: each must match the first expected one
            for index, child in enumerate(actual_children):
                where = _indexed(child_path, index, count)
                _compare_element(walk, where, node_for(name, child), expected_children[0], child)
            continue
        total = max(len(expected_children), count)
        for index, (want, have) in enumerate(zip_longest(expected_children, actual_children)):
            where = _indexed(child_path, index, total)
            if want is None:
                if walk.strict:
                    walk.fail(
                        where,
                        None,
                        f"<{name}>",
                        f"unexpected child element <{shown_name(tag)}> (expected {len(expected_children)} of them, got {count})",
                    )
            elif have is None:
                walk.fail(
                    where,
                    f"<{name}>",
                    None,
                    f"expected child element <{shown_name(tag)}>, but it is missing (expected {len(expected_children)} of them, got {count})",
                )
            else:
                _compare_element(walk, where, node_for(name, have), want, have)
    for tag in wanted:
        if tag not in found:
            walk.fail(
                path + format_token(local(tag)),
                f"<{local(tag)}>",
                None,
                f"expected child element <{shown_name(tag)}>, but it is missing",
            )


def _indexed(path: str, index: int, count: int) -> str:
    return f"{path}[{index}]" if count > 1 else path


def _text(element: Element) -> str:
    parts = [(element.text or "").strip()]
    parts.extend((child.tail or "").strip() for child in element)
    return "".join(parts)


def _compare_text(walk: Walk, path: str, node: Node, expected: Element, actual: Element) -> None:
    text_node = node.child("#text")
    want, have = _text(expected), _text(actual)
    if text_node.best is None and not want and not have:
        return
    _compare_text_value(walk, path + format_token("#text"), text_node, want, have)


def _compare_text_value(walk: Walk, path: str, node: Node, expected: str, actual: str) -> None:
    rules = node.best
    if rules is None:
        reason = check_equal(expected, actual)
        if reason is not None:
            walk.fail(path, expected, actual, reason)
        return
    for reason in check_rules(rules, expected, actual, cascaded=node.cascaded, textual=True):
        walk.fail(path, expected, actual, reason)
