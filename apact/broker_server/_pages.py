"""The broker's HTML pages, for people: served where a browser asks for HTML.

Content negotiation, as the official Pact Broker does it: a GET whose ``Accept`` prefers
``text/html`` (a browser's) gets the page at that URL; HAL clients and ``*/*`` get the
HAL JSON exactly as before. Every negotiated answer says ``Vary: Accept``.

- ``/``: each consumer/provider pair, its latest pact and that pact's latest
  verification (``?branch=`` / ``?tag=`` narrow it to consumer versions so marked);
- ``/pacts/provider/{p}/consumer/{c}/latest`` (``/latest/{tag}``, ``/version/{v}``,
  ``/pact-version/{sha}``, ``/branch/{b}/latest``): the pact, rendered;
- ``/pacticipants/{name}``: its matrix (consumer version x provider version x
  verified?) and what is deployed or released where; ``/matrix/provider/{p}/consumer/{c}``
  the same for one pair;
- ``/pacticipants/{name}/network`` and ``/network``: who consumes whom, an SVG;
- ``.../verification-results/{id}``: one verification result.

Pages are plain HTML and one stylesheet from the package (``/ui/broker.css``): no
script, nothing from another host (their ``Content-Security-Policy`` allows neither).
Every value is escaped by the templates (Jinja2 autoescape), and shown with its controls
and bidirectional overrides as escapes (``\\u202e``): a name that reads backwards after
an override could pass for another, and an override in one cell would reorder the next.
The pages need the same read access as the API.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Match, Route

from .._core._printable import printable
from .._core._types import ASGIApp, Message, Receive, Scope, Send
from . import _graph
from . import _pages_data as data
from . import _pages_pact as rendering
from ._context import broker
from ._domain import latest_publication, pact_document, require_pacticipant, require_verification, require_version
from ._hal import HttpError, not_found, param, segment, timestamp
from ._store import Pacticipant, Publication, Transaction, Version

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_JSON_TYPES = ("application/hal+json", "application/json")

#: pages load their stylesheet and images from the broker, and nothing else
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def wants_html(accept: str | None) -> bool:
    """Whether ``Accept`` prefers HTML: ``text/html`` named with a weight no JSON type
    beats (``*/*`` alone, or no header, is a HAL client's)."""
    if not accept:
        return False
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (piece.strip() for piece in item.split(";"))
        weight = 1.0
        for p in params:
            key, _, value = p.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        media = media.lower()
        weights[media] = max(weights.get(media, 0.0), weight)
    html = max((weights.get(t, 0.0) for t in _HTML_TYPES), default=0.0)
    json_weight = max((weights.get(t, 0.0) for t in _JSON_TYPES), default=0.0)
    return html > 0 and html >= json_weight


class PageRoute(Route):
    """A route that matches only a request that wants HTML: the others fall through to
    the API route at the same path."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not wants_html(Headers(scope=scope).get("accept")):
            return Match.NONE, {}
        return super().matches(scope)


class VaryAccept:
    """ASGI middleware: ``Vary: Accept`` on every GET/HEAD answer, since the same URL
    answers HTML or HAL JSON by ``Accept`` (a cache must not give one to the other)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        async def varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"vary" for name, _ in headers):
                    headers.append((b"vary", b"Accept"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, varying)


def when(stamp: str | None) -> str:
    """``2026-12-02T18:20:36+00:00`` as people read it: ``2026-12-02 18:20:36 UTC``."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    offset = moment.utcoffset()
    zone = " UTC" if offset is not None and not offset else moment.strftime(" %z") if offset is not None else ""
    return moment.strftime("%Y-%m-%d %H:%M:%S") + zone


def shown(value: object) -> object:
    """What a page shows of a value: text with what a browser would hide or act on
    (controls, bidirectional overrides) written as escapes, as the reports write it."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return Markup(text) if isinstance(value, Markup) and text is not value else text


def templates() -> Environment:
    """The pages' templates, from the package, every value escaped and `shown`."""
    environment = Environment(
        loader=PackageLoader("apact.broker_server", "templates"),
        autoescape=select_autoescape(["html", "svg"], default=True),
        finalize=shown,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["status_text"] = data.STATUS_TEXT
    environment.filters["segment"] = segment
    environment.filters["when"] = when
    return environment


def _render(request: Request, template: str, http_status: int = 200, **context: Any) -> Response:
    environment: Environment = request.app.state.pages
    body = environment.get_template(template).render(**context)
    return HTMLResponse(
        body,
        http_status,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )


Page = Callable[[Request], Awaitable[Response]]


def _page(handler: Page) -> Page:
    """The broker's errors (404 for an unknown pacticipant...) as an HTML page."""

    async def page(request: Request) -> Response:
        try:
            return await handler(request)
        except HttpError as error:
            errors = (
                error.errors
                if isinstance(error.errors, list)
                else [f"{field}: {message}" for field, messages in error.errors.items() for message in messages]
            )
            return _render(request, "error.html", error.status, title=f"Error {error.status}", errors=errors)

    return page


# the pages


async def index_page(request: Request) -> Response:
    branch = request.query_params.get("branch") or None
    tag = request.query_params.get("tag") or None
    found = await broker(request).run(lambda tx: data.index(tx, branch=branch, tag=tag))
    return _render(request, "index.html", title="Pacts", index=found, branch=branch, tag=tag)


def _pair(tx: Transaction, request: Request) -> tuple[Pacticipant, Pacticipant]:
    return require_pacticipant(tx, param(request, "provider")), require_pacticipant(tx, param(request, "consumer"))


def _chosen_pact(tx: Transaction, request: Request) -> tuple[Pacticipant, Pacticipant, Publication, Version]:
    provider, consumer = _pair(tx, request)
    params = request.path_params
    if "version" in params:
        version = require_version(tx, consumer, param(request, "version"))
        publication = next(iter(tx.publications(consumer_version_id=version.id, provider_id=provider.id)), None)
        if publication is None:
            raise not_found(f"No pact between {consumer.name} version {version.number} and {provider.name} found")
        return provider, consumer, publication, version
    if "sha" in params:
        sha = param(request, "sha")
        found = tx.publications(provider_id=provider.id, consumer_id=consumer.id, sha=sha)
        if not found:
            raise not_found(f"No pact between {consumer.name} and {provider.name} with SHA '{sha}' found")
        return provider, consumer, found[-1], tx.version_by_id(found[-1].consumer_version_id)
    tag = param(request, "tag") if "tag" in params else None
    branch = param(request, "branch") if "branch" in params else None
    latest = latest_publication(tx, provider, consumer, tag=tag, branch=branch)
    if latest is None:
        which = f" with tag '{tag}'" if tag else f" from branch '{branch}'" if branch else ""
        raise not_found(f"No pact between {consumer.name}{which} and {provider.name} found")
    return provider, consumer, *latest


async def pact_page(request: Request) -> Response:
    def work(tx: Transaction) -> dict[str, Any]:
        provider, consumer, publication, version = _chosen_pact(tx, request)
        document = pact_document(tx, publication.sha)
        status, verification = data.pair_status(tx, publication)
        verified_by = tx.version_by_id(verification.provider_version_id).number if verification else None
        links = data.LINKS
        return {
            "title": f"Pact between {consumer.name} and {provider.name}",
            "consumer": consumer.name,
            "provider": provider.name,
            "version": data.version_view(tx, consumer, version),
            "published_at": timestamp(publication.created_at),
            "specification": rendering.specification(document),
            "interactions": rendering.interactions(document),
            "status": status,
            "verification": verification,
            "verified_by": verified_by,
            "verified_at": timestamp(verification.created_at) if verification else None,
            "verification_url": (
                links.verification(provider.name, consumer.name, verification.sha, verification.id)
                if verification
                else None
            ),
            "badge_url": links.pacts(provider.name, consumer.name) + "/latest/badge",
            "matrix_url": links(f"/matrix/provider/{segment(provider.name)}/consumer/{segment(consumer.name)}"),
            "json_url": links.pact(provider.name, consumer.name, version.number),
        }

    return _render(request, "pact.html", **await broker(request).run(work))


async def pacticipant_page(request: Request) -> Response:
    def work(tx: Transaction) -> dict[str, Any]:
        pacticipant = require_pacticipant(tx, param(request, "pacticipant"))
        return {
            "title": pacticipant.display_name or pacticipant.name,
            "pacticipant": pacticipant,
            "matrix": data.matrix(tx, pacticipant),
            "network_url": data.LINKS.pacticipant(pacticipant.name) + "/network",
        }

    return _render(request, "matrix.html", **await broker(request).run(work))


async def pair_matrix_page(request: Request) -> Response:
    def work(tx: Transaction) -> dict[str, Any]:
        provider, consumer = _pair(tx, request)
        return {
            "title": f"Matrix of {consumer.name} and {provider.name}",
            "pacticipant": None,
            "consumer": consumer.name,
            "provider": provider.name,
            "matrix": data.matrix(tx, consumer, provider),
        }

    return _render(request, "matrix.html", **await broker(request).run(work))


async def network_page(request: Request) -> Response:
    focus = param(request, "pacticipant") if "pacticipant" in request.path_params else None

    def work(tx: Transaction) -> dict[str, Any]:
        edges = data.edges(tx)
        if focus is not None:
            require_pacticipant(tx, focus)
            edges = data.connected(edges, focus)
        return {
            "title": f"Network of {focus}" if focus else "Network",
            "focus": focus,
            "edges": edges,
            "graph": _graph.layout(edges, focus),
        }

    return _render(request, "network.html", **await broker(request).run(work))


async def verification_page(request: Request) -> Response:
    raw_id = param(request, "id")

    def work(tx: Transaction) -> dict[str, Any]:
        provider, consumer = _pair(tx, request)
        sha = param(request, "sha")
        found = require_verification(tx, provider, consumer, sha, raw_id)
        publications = tx.publications(provider_id=provider.id, consumer_id=consumer.id, sha=sha)
        versions = [tx.version_by_id(p.consumer_version_id).number for p in publications]
        return {
            "title": f"Verification of the pact between {consumer.name} and {provider.name}",
            "consumer": consumer.name,
            "provider": provider.name,
            "status": data.status_of(found),
            "provider_version": tx.version_by_id(found.provider_version_id).number,
            "verified_at": timestamp(found.created_at),
            "build_url": found.build_url,
            "consumer_versions": versions,
            "pact_url": data.LINKS.pact_version(provider.name, consumer.name, sha),
            "results": json.dumps(found.test_results, indent=2, ensure_ascii=False) if found.test_results else None,
        }

    return _render(request, "verification.html", **await broker(request).run(work))


async def stylesheet(request: Request) -> Response:
    """The pages' one stylesheet, from the package."""
    source = resources.files("apact.broker_server").joinpath("static/broker.css").read_text(encoding="utf-8")
    return Response(source, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


_PAIR = "/pacts/provider/{provider}/consumer/{consumer}"

#: before the API's routes (they take the requests that do not want HTML)
ROUTES = [
    Route("/ui/broker.css", stylesheet, methods=["GET"]),
    PageRoute("/", _page(index_page), methods=["GET"]),
    PageRoute(_PAIR + "/latest", _page(pact_page), methods=["GET"]),
    PageRoute(_PAIR + "/latest/{tag}", _page(pact_page), methods=["GET"]),
    PageRoute(_PAIR + "/branch/{branch}/latest", _page(pact_page), methods=["GET"]),
    PageRoute(_PAIR + "/version/{version}", _page(pact_page), methods=["GET"]),
    PageRoute(_PAIR + "/pact-version/{sha}", _page(pact_page), methods=["GET"]),
    PageRoute(_PAIR + "/pact-version/{sha}/verification-results/{id}", _page(verification_page), methods=["GET"]),
    PageRoute("/pacticipants/{pacticipant}", _page(pacticipant_page), methods=["GET"]),
    PageRoute("/pacticipants/{pacticipant}/network", _page(network_page), methods=["GET"]),
    PageRoute("/matrix/provider/{provider}/consumer/{consumer}", _page(pair_matrix_page), methods=["GET"]),
    PageRoute("/network", _page(network_page), methods=["GET"]),
]
