"""Verification status badges, at the official Pact Broker's badge URLs, drawn here.

The official broker fetches its badges from shields.io (or redirects there); this one
draws the same flat badge itself, so a README's image never depends on another host:
``<consumer>/<provider> pact | verified`` (bright green), ``failed`` (red), ``changed``
(orange: the pact changed since it was last verified) or ``unknown`` (grey). ``?label=
consumer`` or ``provider`` shows one name, ``?initials=true`` initials.

Badges need read access like the rest of the broker unless the broker was started with
``public_badges`` (the official ``enable_public_badge_access``): then `PublicBadges`
answers them before authentication, and only them.
"""

from __future__ import annotations

import re
from html import escape

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._core._printable import printable
from .._core._types import ASGIApp, Receive, Scope, Send
from . import _pages_data as data
from ._context import broker
from ._domain import latest_publication
from ._hal import param
from ._store import Pacticipant, Publication, Transaction, Verification

COLOURS = {"verified": "#4c1", "failed": "#e05d44", "changed": "#fe7d37", "unknown": "#9f9f9f"}
_NARROW = set("fijlrt.,:;!|' ()[]")
_WIDE = set("mwMW@%")


def _text_width(text: str) -> int:
    """About how wide ``text`` is in 11px Verdana (as shields.io lays it out)."""
    width = 0.0
    for char in text:
        width += 4.0 if char in _NARROW else 10.0 if char in _WIDE else 7.5 if char.isupper() else 6.8
    return round(width)


def svg(label: str, status: str, colour: str) -> str:
    """A flat badge: ``label`` on grey, ``status`` on ``colour`` (both escaped; their
    controls and bidirectional overrides written as escapes, which XML could not hold
    or which would turn a name around)."""
    label, status = printable(label), printable(status)
    left, right = _text_width(label) + 10, _text_width(status) + 10
    total = left + right
    shown_label, shown_status = escape(label), escape(status)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{shown_label}: {shown_status}">'
        f"<title>{shown_label}: {shown_status}</title>"
        f'<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        f'<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:g}" y="15" fill="#010101" fill-opacity=".3">{shown_label}</text>'
        f'<text x="{left / 2:g}" y="14">{shown_label}</text>'
        f'<text x="{left + right / 2:g}" y="15" fill="#010101" fill-opacity=".3">{shown_status}</text>'
        f'<text x="{left + right / 2:g}" y="14">{shown_status}</text></g></svg>'
    )


def _initials(name: str) -> str:
    parts = [p for p in re.split(r"[\s_\-]", name) if p]
    if len(parts) == 1:
        parts = [p for p in re.sub(r"([a-z\d])([A-Z])", r"\1_\2", name).split("_") if p]
    return "".join(p[0] for p in parts).lower() if len(parts) > 1 else name.lower()


def title(
    consumer: str, provider: str, *, label: str | None, initials: bool, tags: tuple[str | None, str | None]
) -> str:
    """``sous chef/grill chef pact``, as the official badge words it."""
    names = []
    for name, tag in ((consumer, tags[0]), (provider, tags[1])):
        shown = _initials(name) if initials else name.lower()
        names.append(shown + (f" ({tag})" if tag else ""))
    chosen = (label or "").lower()
    named = names[0] if chosen == "consumer" else names[1] if chosen == "provider" else "/".join(names)
    return f"{named} pact".lower()


def _badge(request: Request, label: str, status: str) -> Response:
    body = svg(label, status, COLOURS.get(status, COLOURS["unknown"]))
    return Response(
        body, media_type="image/svg+xml", headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    )


def _pair(tx: Transaction, request: Request) -> tuple[Pacticipant, Pacticipant] | None:
    provider = tx.pacticipant(param(request, "provider"))
    consumer = tx.pacticipant(param(request, "consumer"))
    return (provider, consumer) if provider is not None and consumer is not None else None


def _latest_untagged(tx: Transaction, provider: Pacticipant, consumer: Pacticipant) -> Publication | None:
    for publication in reversed(tx.publications(provider_id=provider.id, consumer_id=consumer.id)):
        if not tx.version_by_id(publication.consumer_version_id).tags:
            return publication
    return None


async def pact_badge(request: Request) -> Response:
    """``/pacts/provider/{p}/consumer/{c}/latest[/{tag}|-untagged]/badge``."""
    tag = param(request, "tag") if "tag" in request.path_params else None
    untagged = request.url.path.endswith("/latest-untagged/badge")
    options = request.query_params

    def work(tx: Transaction) -> tuple[str, str] | None:
        pair = _pair(tx, request)
        if pair is None:
            return None
        provider, consumer = pair
        if untagged:
            publication = _latest_untagged(tx, provider, consumer)
        else:
            found = latest_publication(tx, provider, consumer, tag=tag)
            publication = found[0] if found else None
        if publication is None:
            return None
        status, _ = data.pair_status(tx, publication)
        named = title(
            consumer.name, provider.name, label=options.get("label"), initials=_yes(options), tags=(None, None)
        )
        return named, status

    found = await broker(request).run(work)
    return _badge(request, *(found or ("pact not found", "unknown")))


async def matrix_badge(request: Request) -> Response:
    """``/matrix/provider/{p}/latest/{provider_tag}/consumer/{c}/latest/{tag}/badge``: the
    latest pact from a consumer version with ``tag``, verified by a provider version with
    ``provider_tag``?"""
    tag, provider_tag = param(request, "tag"), param(request, "provider_tag")
    options = request.query_params

    def work(tx: Transaction) -> tuple[str, str] | None:
        pair = _pair(tx, request)
        if pair is None:
            return None
        provider, consumer = pair
        found = latest_publication(tx, provider, consumer, tag=tag)
        if found is None:
            return None
        publication = found[0]
        verifications: list[Verification] = [
            v
            for v in tx.verifications(provider_id=provider.id, sha=publication.sha)
            if provider_tag in tx.version_by_id(v.provider_version_id).tags
        ]
        latest = max(verifications, key=lambda v: v.id, default=None)
        named = title(
            consumer.name, provider.name, label=options.get("label"), initials=_yes(options), tags=(tag, provider_tag)
        )
        return named, data.status_of(latest)

    found = await broker(request).run(work)
    return _badge(request, *(found or ("pact not found", "unknown")))


def _yes(options: QueryParams) -> bool:
    return (options.get("initials") or "").lower() in ("true", "1", "yes")


_PAIR = "/pacts/provider/{provider}/consumer/{consumer}"
#: before the API's routes: ``/latest/{tag}`` would otherwise take ``badge`` for a tag
ROUTES = [
    Route(_PAIR + "/latest/badge", pact_badge, methods=["GET"]),
    Route(_PAIR + "/latest-untagged/badge", pact_badge, methods=["GET"]),
    Route(_PAIR + "/latest/{tag}/badge", pact_badge, methods=["GET"]),
    Route("/matrix/provider/{provider}/latest/{provider_tag}/consumer/{consumer}/latest/{tag}/badge", matrix_badge),
]

_BADGE_PATH = re.compile(
    r"/pacts/provider/[^/]+/consumer/[^/]+/(latest(/[^/]+)?|latest-untagged)/badge"
    r"|/matrix/provider/[^/]+/latest/[^/]+/consumer/[^/]+/latest/[^/]+/badge"
)


class PublicBadges:
    """ASGI middleware, outside authentication: with ``public`` on, a GET of a badge goes
    straight to the app's router (README images cannot send credentials); any other
    request, and every request with ``public`` off, goes on to authentication."""

    def __init__(self, app: ASGIApp, public: bool) -> None:
        self.app = app
        self.public = public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.public
            and scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and _BADGE_PATH.fullmatch(scope["path"])
        ):
            await scope["app"].router(scope, receive, send)
            return
        await self.app(scope, receive, send)
