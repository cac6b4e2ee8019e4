"""The forms a verification result takes: the console report, JSON, JUnit XML, and the
body of a Pact Broker verification result."""

from __future__ import annotations

import base64
import json
import os
import re
import xml.etree.ElementTree as ElementTree
from typing import TYPE_CHECKING

import anyio

from .._core._printable import escaped, printable
from .._core._types import JSON
from ..matching import Mismatch
from ..matching._mismatch import QUOTE_LIMIT, cut, listed, more, quote
from ..pact._jsondepth import utf8
from ..pact._paths import PathError, format_path, parse_path
from ..pact.model import Body, HttpResponse, MessageContents
from ._shapes import ErrorLike, InteractionLike, PactLike, Status, VerificationLike

if TYPE_CHECKING:
    from collections.abc import Mapping

_LABELS = {"passed": "passed ", "failed": "FAILED ", "pending": "pending", "skipped": "skipped"}
_MAX_DIFF_LINES = 60
_DIFFED_LINES = 2000


# -- text ------------------------------------------------------------------------------------------


def render_text(result: VerificationLike, *, verbose: bool = False, table: bool = False) -> str:
    interactions = result.interactions
    lines = [
        f"Verifying {result.provider!r} ({result.target or 'no target'}): "
        f"{_count(len(result.pacts), 'pact')}, {_count(len(interactions), 'interaction')}"
    ]
    for pact in result.pacts:
        lines += ["", f"{pact.title}{'  [pending pact]' if pact.pending else ''}  ({pact.source})"]
        for item in pact.interactions:
            line = f"  {_LABELS[item.status]}  {item.description}"
            if item.given:
                line += f"  (given {item.given})"
            if item.status == "skipped" and item.reason:
                line += f": {item.reason}"
            elif verbose and item.status != "skipped":
                line += f"  [{item.request or ''} {item.duration * 1000:.1f} ms]"
            lines.append(line)
            lines += ["             " + text for text in comment_lines(item.comments)]
    failed = [(pact, item) for pact in result.pacts for item in pact.interactions if item.status == "failed"]
    pending = [(pact, item) for pact in result.pacts for item in pact.interactions if item.status == "pending"]
    for title, group in (("Failures", failed), ("Pending failures (reported, not failing the verification)", pending)):
        if group:
            lines += ["", f"{title}:"]
            for number, (pact, item) in enumerate(group, 1):
                lines += [""] + _failure(number, pact, item)
    if result.notices:
        lines += ["", "Notices:"]
        for notice in result.notices:
            first, *rest = notice.splitlines() or [""]
            lines.append(f"  - {first}")
            lines += [f"    {line}" for line in rest]
    if table:
        lines += ["", *summary_table(result)]
    verdict = (
        "verification INTERRUPTED"
        if result.interrupted
        else "verification passed"
        if result.ok
        else "verification FAILED"
    )
    lines += [
        "",
        f"{_count(len(interactions), 'interaction')}: {result.count('passed')} passed, {result.count('failed')} failed "
        f"({result.count('pending')} pending, {result.count('skipped')} skipped) in {result.duration:.2f} s - {verdict}",
    ]
    return printable("\n".join(lines))


def summary_table(result: VerificationLike) -> list[str]:
    """A row per pact (and a total): how many interactions passed, failed, ..."""
    statuses: tuple[Status, ...] = ("passed", "failed", "pending", "skipped")
    rows = [["pact", *statuses]]
    rows += [
        [pact.title + ("  [pending]" if pact.pending else ""), *(str(pact.count(s)) for s in statuses)]
        for pact in result.pacts
    ]
    rows.append(["total", *(str(result.count(s)) for s in statuses)])
    widths = [max(len(row[column]) for row in rows) for column in range(len(statuses) + 1)]
    return [
        "  "
        + "  ".join(
            [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:]))]
        ).rstrip()
        for row in rows
    ]


def comment_lines(comments: Mapping[str, JSON] | None) -> list[str]:
    """A V4 interaction's comments, a line each: ``# text`` for each ``text``,
    ``testname: ...``, and any other key (references) with its value as JSON."""
    if not comments:
        return []
    lines: list[str] = []
    text = comments.get("text")
    for entry in text if isinstance(text, list) else [text] if text is not None else []:
        lines.append("# " + cut(entry if isinstance(entry, str) else json.dumps(entry, ensure_ascii=False)))
    for key, value in comments.items():
        if key != "text":
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
            lines.append(f"{key}: {cut(shown)}")
    return lines


def interaction_text(pact: PactLike, item: InteractionLike) -> str:
    """What went wrong with one interaction (as in the report's failures), with the
    pact's source: a pytest item's failure message."""
    return printable("\n".join([*_failure(None, pact, item), f"   pact: {pact.source}"]))


def _failure(number: int | None, pact: PactLike, item: InteractionLike) -> list[str]:
    lines = [
        f"{number}) {pact.title}: {item.description}" if number is not None else f"{pact.title}: {item.description}"
    ]
    if item.given:
        lines.append(f"   given {item.given}")
    lines += ["   " + text for text in comment_lines(item.comments)]
    if item.request:
        lines.append(f"   request: {item.request}")
    shown, hidden = listed(item.mismatches)
    for mismatch in shown:
        lines.append(f"   {mismatch}")
    if hidden:
        lines.append(f"   {more(hidden)}")
    for error in item.errors:
        lines.append(f"   {error.kind}: {cut(error.message)}")
        if error.traceback:
            lines += ["     " + cut(line) for line in error.traceback.rstrip().splitlines()]
    if any(m.kind == "body" for m in item.mismatches) and item.expected is not None and item.response is not None:
        diff = body_diff(_body(item.expected), _body(item.response))
        if diff:
            lines.append(
                f"   {'body' if isinstance(item.response, HttpResponse) else 'contents'} (- expected, + actual):"
            )
            lines += ["     " + line for line in diff]
    if item.output:
        lines.append("   the provider server printed meanwhile:")
        lines += ["     " + line for line in item.output.splitlines()]
    return lines


def _body(part: HttpResponse | MessageContents) -> Body | None:
    return part.body if isinstance(part, HttpResponse) else part.contents


def body_diff(expected: Body | None, actual: Body | None) -> list[str]:
    """A unified diff of two bodies (pretty JSON when both are JSON), or ``[]``; at most
    ``_MAX_DIFF_LINES`` lines of at most `QUOTE_LIMIT` characters, of the first
    ``_DIFFED_LINES`` lines of each body (diffing costs more than linear time)."""
    want, have = _pretty(expected), _pretty(actual)
    if want is None or have is None or want == have:
        return []
    import difflib  # only when a body differs: a passing run needs no diff

    longest = max(len(want), len(have))
    lines = list(difflib.unified_diff(want[:_DIFFED_LINES], have[:_DIFFED_LINES], lineterm="", n=3))[
        2:
    ]  # drop the ---/+++ header
    lines = [line for line in lines if not line.startswith("@@")] if len(want) + len(have) < 40 else lines
    if len(lines) > _MAX_DIFF_LINES:
        lines = lines[:_MAX_DIFF_LINES] + [f"... ({len(lines) - _MAX_DIFF_LINES} more lines)"]
    if longest > _DIFFED_LINES:
        lines.append(f"... (only the first {_DIFFED_LINES:,} of {longest:,} lines compared)")
    return [cut(line) for line in lines]


def _pretty(body: Body | None) -> list[str] | None:
    if body is None or body.is_empty:
        return [] if body is not None else None
    try:
        return json.dumps(body.json(), indent=2, ensure_ascii=False, sort_keys=False).splitlines()
    except (ValueError, UnicodeDecodeError):
        pass
    try:
        return body.text().splitlines()
    except UnicodeDecodeError:
        return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


# -- JSON ------------------------------------------------------------------------------------------------


def to_json(result: VerificationLike) -> dict[str, JSON]:
    return {
        "provider": result.provider,
        "target": result.target,
        "ok": result.ok,
        "interrupted": result.interrupted,
        "summary": {
            "interactions": len(result.interactions),
            **{status: result.count(status) for status in ("passed", "failed", "pending", "skipped")},
        },
        "duration": round(result.duration, 6),
        "notices": list(result.notices),
        "pacts": [_pact_json(pact) for pact in result.pacts],
    }


def json_text(result: VerificationLike) -> str:
    return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"


def _pact_json(pact: PactLike) -> dict[str, JSON]:
    return {
        "consumer": pact.consumer,
        "provider": pact.provider,
        "source": pact.source,
        "specification": pact.pact.spec.version if pact.pact is not None else None,
        "pending": pact.pending,
        "ok": pact.ok,
        "interactions": [_interaction_json(item) for item in pact.interactions],
    }


def _interaction_json(item: InteractionLike) -> dict[str, JSON]:
    shown, hidden = listed(item.mismatches)
    data: dict[str, JSON] = {
        "description": item.description,
        "type": item.kind,
        "status": item.status,
        "pending": item.pending,
        "providerStates": [{"name": s.name, "params": dict(s.params)} for s in item.provider_states],
        "request": item.request,
        "duration": round(item.duration, 6),
        "mismatches": [m.to_json() for m in shown],
        "errors": [_error_json(e) for e in item.errors],
    }
    if item.comments:
        data["comments"] = dict(item.comments)
    if hidden:
        data["mismatchesNotShown"] = hidden
    if item.reason is not None:
        data["reason"] = item.reason
    if item.key is not None:
        data["key"] = item.key
    if item.interaction_id is not None:
        data["interactionId"] = item.interaction_id
    if item.response is not None:
        data["response"] = _response_json(item.response)
    if item.output is not None:
        data["output"] = item.output
    return data


def _error_json(error: ErrorLike) -> dict[str, JSON]:
    """The error as the console shows it: its message and each traceback line cut."""
    traceback = error.traceback
    if traceback is not None:
        traceback = "\n".join(cut(line) for line in traceback.split("\n"))
    return {**error.to_json(), "message": cut(error.message), "traceback": traceback}


def _response_json(response: HttpResponse | MessageContents) -> dict[str, JSON]:
    if isinstance(response, MessageContents):
        return {"contents": _body_json(response.contents), "metadata": quote(dict(response.metadata))}
    headers: dict[str, JSON] = {name: list(values) for name, values in (response.headers or {}).items()}
    return {"status": response.status, "headers": headers, "body": _body_json(response.body)}


def _body_json(body: Body | None) -> JSON:
    """The body's text, cut to `QUOTE_LIMIT` characters; or the base64 of its
    first `QUOTE_LIMIT` bytes, and how many bytes were left out."""
    if body is None or not body.content:
        return None
    try:
        return cut(body.text())
    except UnicodeDecodeError:
        hidden = len(body.content) - QUOTE_LIMIT
        quoted: dict[str, JSON] = {"base64": base64.b64encode(body.content[:QUOTE_LIMIT]).decode()}
        if hidden > 0:
            quoted["bytesNotShown"] = hidden
        return quoted


# -- JUnit XML ------------------------------------------------------------------------------------------


def to_junit_xml(result: VerificationLike) -> str:
    root = ElementTree.Element(
        "testsuites",
        name=f"pact verification of {result.provider}",
        tests=str(len(result.interactions)),
        failures=str(sum(1 for i in result.interactions if i.status == "failed" and i.mismatches)),
        errors=str(sum(1 for i in result.interactions if i.status == "failed" and not i.mismatches)),
        skipped=str(result.count("skipped") + result.count("pending")),
        time=f"{result.duration:.3f}",
    )
    for pact in result.pacts:
        items = pact.interactions
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=pact.title,
            tests=str(len(items)),
            failures=str(sum(1 for i in items if i.status == "failed" and i.mismatches)),
            errors=str(sum(1 for i in items if i.status == "failed" and not i.mismatches)),
            skipped=str(sum(1 for i in items if i.status in ("skipped", "pending"))),
            time=f"{sum(i.duration for i in items):.3f}",
        )
        ElementTree.SubElement(
            ElementTree.SubElement(suite, "properties"), "property", name="source", value=pact.source
        )
        for number, item in enumerate(items, 1):
            name = item.description + (f" (given {item.given})" if item.given else "")
            case = ElementTree.SubElement(
                suite, "testcase", classname=pact.title, name=name, time=f"{item.duration:.6f}"
            )
            if item.comments:
                properties = ElementTree.SubElement(case, "properties")
                for line in comment_lines(item.comments):
                    ElementTree.SubElement(properties, "property", name="comment", value=line)
            details = "\n".join(_failure(number, pact, item))
            first = _first_problem(item)
            if item.status == "failed":
                tag = "failure" if item.mismatches else "error"
                element = ElementTree.SubElement(
                    case, tag, message=first, type="mismatch" if item.mismatches else "error"
                )
                element.text = details
                if item.output:
                    ElementTree.SubElement(case, "system-out").text = item.output
            elif item.status == "pending":
                ElementTree.SubElement(case, "skipped", message=f"pending interaction failed: {first}")
                ElementTree.SubElement(case, "system-out").text = details
            elif item.status == "skipped":
                ElementTree.SubElement(case, "skipped", message=item.reason or "skipped")
    ElementTree.indent(root)
    text = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _NOT_IN_XML.sub(escaped, text) + "\n"


#: the characters XML 1.0 cannot hold (control characters but tab and line breaks, lone
#: surrogates, U+FFFE and U+FFFF), which an answer or a pact may: ElementTree writes them
#: as they are, and no parser reads the file back
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _first_problem(item: InteractionLike) -> str:
    if item.mismatches:
        return str(item.mismatches[0])
    if item.errors:
        return cut(str(item.errors[0]))
    return ""


# -- files ------------------------------------------------------------------------------------------------


async def write_text(path: str | os.PathLike[str], text: str) -> None:
    target = anyio.Path(os.fspath(path))
    await target.parent.mkdir(parents=True, exist_ok=True)
    await target.write_bytes(utf8(text))  # (JSON keeps a lone surrogate as its escape)


# -- Pact Broker ------------------------------------------------------------------------------------------


def verification_results(
    pact: PactLike,
    provider_version: str,
    *,
    build_url: str | None = None,
    extra: Mapping[str, JSON] | None = None,
) -> dict[str, JSON]:
    """The verification-results body, in the shape the official verifiers publish."""
    from .._core._version import __version__

    replayed = [item for item in pact.interactions if item.status != "skipped"]
    body: dict[str, JSON] = {
        "success": all(item.status == "passed" for item in replayed),
        "providerApplicationVersion": provider_version,
        "testResults": [_test_result(item) for item in replayed],
        "verifiedBy": {"implementation": "apact", "version": __version__},
    }
    if build_url is not None:
        body["buildUrl"] = build_url
    if extra:
        body.update(extra)
    return body


def _test_result(item: InteractionLike) -> dict[str, JSON]:
    entry: dict[str, JSON] = {
        "interactionId": item.interaction_id or item.key or "",
        "interactionDescription": item.description,
        "success": item.status == "passed",
    }
    if item.mismatches:
        entry["mismatches"] = _broker_mismatches(item.mismatches)
    if item.errors:
        entry["exceptions"] = [{"message": cut(error.message)} for error in item.errors]
    return entry


def _broker_mismatches(mismatches: tuple[Mismatch, ...]) -> list[JSON]:
    shown, hidden = listed(mismatches)
    entries: list[JSON] = [_broker_mismatch(m) for m in shown]
    if hidden:
        entries.append({"attribute": "mismatches", "description": more(hidden)})
    return entries


def _broker_mismatch(mismatch: Mismatch) -> dict[str, JSON]:
    quoted = mismatch.to_json()
    # the broker's verification results know the attributes of pact-ruby's: a body of
    # another content type is a difference of the body there
    attribute = "body" if mismatch.kind == "body type" else mismatch.kind
    entry: dict[str, JSON] = {"attribute": attribute, "description": quoted["message"]}
    identifier = _identifier(mismatch)
    if identifier is not None:
        entry["identifier"] = cut(identifier)
    entry["expected"] = quoted["expected"]
    entry["actual"] = quoted["actual"]
    return entry


def _identifier(mismatch: Mismatch) -> str | None:
    """The header, query parameter or metadata key, or the body path from the body's root."""
    if mismatch.kind in ("status", "method", "path"):
        return None
    try:
        tokens = parse_path(mismatch.path)
    except PathError:
        return mismatch.path
    if mismatch.kind in ("body", "body type"):
        return format_path(tokens[1:])
    return str(tokens[1]) if len(tokens) > 1 else None
