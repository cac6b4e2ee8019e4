"""``apact broker``: a Pact Broker the official Pact tools accept, as a Starlette app.

```python
from apact.broker_server import SqliteStore, create_app, serve

app = create_app(SqliteStore(":memory:"))          # an ASGI app, for tests
await serve(port=9292, database="pact_broker.sqlite", token="s3cret")   # a server
```

``database`` is an SQLite file (the default, nothing else to install) or a PostgreSQL
URL (``postgresql://user:password@host/db``, the ``postgresql`` extra), for a team
running several brokers behind a load balancer; ``open_store`` (``_open.py``) picks the
backend and applies the schema's pending migrations (``_migrations.py``). Database work
runs in worker threads, as many as the store has connections, never on the event loop.

The app speaks the part of the Pact Broker HTTP API the official clients use (see
``docs/broker.md``): the HAL index, pacticipants, versions, branches, tags,
environments, deployments and releases, publishing pacts, pacts for verification with
selectors, pending and WIP pacts, verification results, the matrix and can-i-deploy,
and webhooks that fire (after the triggering response, with retries and logs).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._core._limits import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_SIZE, BodyLimits, WholeBodies
from .._core._types import ASGIApp, JSONDict, Receive, Scope, Send
from . import _api_matrix, _api_pacticipants, _api_pacts, _api_webhooks, _badges, _pages
from ._auth import Authentication, Credentials
from ._base_urls import parse_base_urls
from ._context import Broker, urls
from ._hal import HAL_JSON, HttpError, hal, link
from ._json_only import JsonOnly
from ._open import open_store
from ._sqlite import SqliteStore
from ._store import ConflictError, StorageFullError, Store, UnstorableTextError
from ._webhooks import DEFAULT_METHODS, DEFAULT_RETRY_SCHEDULE, DEFAULT_SCHEMES, WebhookPolicy
from ._webhooks_run import WebhookRunner

if TYPE_CHECKING:
    pass

__all__ = ["SqliteStore", "create_app", "open_store", "serve"]

# relation -> (path, title); a path with {placeholders} is templated
_INDEX = {
    "pb:publish-contracts": ("/contracts/publish", "Publish contracts"),
    "pb:publish-pact": (
        "/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}",
        "Publish a pact",
    ),
    "pb:latest-pact-versions": ("/pacts/latest", "Latest pact versions"),
    "pb:pacticipants": ("/pacticipants", "Pacticipants"),
    "pb:pacticipant": ("/pacticipants/{pacticipant}", "Fetch a pacticipant by name"),
    "pb:latest-version": ("/pacticipants/{pacticipant}/latest-version", "Latest version of a pacticipant"),
    "pb:latest-tagged-version": ("/pacticipants/{pacticipant}/latest-version/{tag}", "Latest version with a tag"),
    "pb:pacticipant-version": ("/pacticipants/{pacticipant}/versions/{version}", "A pacticipant version"),
    "pb:pacticipant-version-tag": ("/pacticipants/{pacticipant}/versions/{version}/tags/{tag}", "A version tag"),
    "pb:pacticipant-branch": ("/pacticipants/{pacticipant}/branches/{branch}", "A pacticipant branch"),
    "pb:pacticipant-branch-version": (
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        "A version on a branch",
    ),
    "pb:latest-provider-pacts": ("/pacts/provider/{provider}/latest", "Latest pacts by provider"),
    "pb:latest-provider-pacts-with-tag": (
        "/pacts/provider/{provider}/latest/{tag}",
        "Latest pacts by provider, tagged",
    ),
    "pb:provider-pacts-for-verification": ("/pacts/provider/{provider}/for-verification", "Pacts to be verified"),
    "beta:provider-pacts-for-verification": ("/pacts/provider/{provider}/for-verification", "Pacts to be verified"),
    "pb:environments": ("/environments", "Environments"),
    "pb:environment": ("/environments/{uuid}", "An environment"),
    "pb:matrix": ("/matrix", "The matrix of verified pacts"),
    "pb:can-i-deploy-pacticipant-version-to-environment": (
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}",
        "Can a version be deployed to an environment?",
    ),
    "pb:can-i-deploy-pacticipant-version-to-tag": (
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}",
        "Can a version be deployed with the versions tagged so?",
    ),
    "pb:integrations": ("/integrations", "Integrations"),
    "pb:webhooks": ("/webhooks", "Webhooks"),
    "pb:webhook": ("/webhooks/{uuid}", "A webhook"),
}


async def index(request: Request) -> Response:
    u = urls(request)
    links: JSONDict = {"self": link(u("/"), title="Index")}
    for relation, (path, title) in _INDEX.items():
        links[relation] = link(u(path), title=title, templated="{" in path)
    return hal({"_links": links})


async def heartbeat(request: Request) -> Response:
    return hal({"ok": True, "_links": {"self": link(urls(request)("/diagnostic/status/heartbeat"))}})


class RawPaths:
    """Route on the path as sent, still percent-encoded.

    A branch called ``feature/x`` arrives as ``feature%2Fx``; decoded first, it would
    no longer fit ``/branches/{branch}``. Handlers decode each parameter themselves.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path")
            path = raw.decode("latin-1").split("?", 1)[0] if raw else quote(scope["path"])
            scope = {**scope, "path": path}
        await self.app(scope, receive, send)


def _hal_error(message: str) -> tuple[bytes, bytes]:
    """The broker's error body, for the ``413`` and ``408`` of `WholeBodies`."""
    return HAL_JSON.encode(), json.dumps({"errors": [message]}).encode()


async def _problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, HttpError)
    return error.response()


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        message = f"No resource at {request.url.path} (start from the index, GET /)"
    elif error.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(error.detail)
    return hal({"errors": [message]}, error.status_code, dict(error.headers or {}))


async def _storage_full(request: Request, error: Exception) -> Response:
    """507: the transaction was rolled back, so the client may simply send it again later."""
    reason = "The broker's storage is full: nothing of this request was saved."
    return hal({"errors": [f"{reason} Free space on the broker's disk, then send it again."]}, 507)


async def _unstorable(request: Request, error: Exception) -> Response:
    """400: a text no store can keep; the transaction was rolled back."""
    return hal({"errors": [f"{error}: nothing of this request was saved"]}, 400)


async def _contended(request: Request, error: Exception) -> Response:
    """503: the transaction kept colliding with concurrent ones and was rolled back each time."""
    reason = "The broker's database was too busy with concurrent changes: nothing of this request was saved."
    return hal({"errors": [f"{reason} Send it again."]}, 503, {"Retry-After": "1"})


async def _crash(request: Request, error: Exception) -> Response:
    return hal({"errors": [f"Internal error: {type(error).__name__}: {error}"]}, 500)


def create_app(
    store: Store,
    *,
    token: str | None = None,
    read_only_token: str | None = None,
    username: str | None = None,
    password: str | None = None,
    base_url: str | None = None,
    allow_contract_modification: bool = True,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    public_badges: bool = False,
    read_only_username: str | None = None,
    read_only_password: str | None = None,
    allow_public_read: bool = False,
    heartbeat_requires_auth: bool = False,
    webhook_schemes: Sequence[str] = DEFAULT_SCHEMES,
    webhook_methods: Sequence[str] = DEFAULT_METHODS,
    webhook_hosts: Sequence[str] = (),
    webhook_retry_schedule: Sequence[float] = DEFAULT_RETRY_SCHEDULE,
    webhook_timeout: float = 10.0,
) -> Starlette:
    """The broker as an ASGI app over ``store``.

    ``token`` (bearer, read and write), ``read_only_token`` (GET and HEAD only) and
    ``username``/``password`` (basic auth, read and write) protect it when given.
    ``base_url`` is the URL clients reach it at, used in every link (default: the URL
    of each request). ``allow_contract_modification=False`` makes publishing different
    content for an existing consumer version and provider a 409, as in a broker with
    ``allow_dangerous_contract_modification`` off.

    ``read_only_username``/``read_only_password`` is a basic-auth user that may only
    read; ``allow_public_read`` lets requests without credentials read (writes still
    need them); ``heartbeat_requires_auth`` protects the heartbeat too. ``base_url`` may
    hold several URLs, space- or comma-separated (a broker reached through a gateway
    and from inside): each request gets the links of the one it was sent to, the first
    when none matches.

    Each request is authenticated before any of its body is read; writes must declare
    a JSON body (else ``415``); a body over ``max_body_size`` bytes is a ``413`` and one
    that takes longer than ``body_timeout`` seconds to arrive a ``408``.

    A browser (``Accept: text/html``) gets HTML pages at the same URLs (see
    `apact.broker_server._pages`); the verification badges need read access unless
    ``public_badges`` (the official broker's ``enable_public_badge_access``).

    Webhooks fire while the app's lifespan runs (any ASGI server runs it; a bare
    ``httpx.ASGITransport`` does not), after the triggering response: only to URLs with
    ``webhook_schemes`` and ``webhook_methods``, to ``webhook_hosts`` when given (names,
    ``*.domain``, IPs, CIDR ranges, ``/regex/``), never to a loopback, private or
    link-local address the host list does not name; retried after each delay of
    ``webhook_retry_schedule`` (seconds), each request given ``webhook_timeout`` seconds.
    """
    credentials = Credentials(
        token,
        read_only_token,
        username,
        password,
        read_only_username,
        read_only_password,
        allow_public_read,
        heartbeat_requires_auth,
    )
    configured = parse_base_urls(base_url)
    webhooks = WebhookRunner(
        WebhookPolicy(
            schemes=tuple(webhook_schemes),
            methods=tuple(m.upper() for m in webhook_methods),
            hosts=tuple(webhook_hosts),
            retry_schedule=tuple(float(delay) for delay in webhook_retry_schedule),
            timeout=webhook_timeout,
        )
    )
    limits = BodyLimits(max_body_size, body_timeout)
    routes = [
        *_badges.ROUTES,  # before /latest/{tag}, which would take "badge" for a tag
        *_pages.ROUTES,  # before the API's: each takes only the requests that want HTML
        Route("/", index, methods=["GET"]),
        Route("/diagnostic/status/heartbeat", heartbeat, methods=["GET"]),
        *_api_pacticipants.ROUTES,
        *_api_pacts.ROUTES,
        *_api_matrix.ROUTES,
        *_api_webhooks.ROUTES,
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with webhooks.running():
            yield

    app = Starlette(
        lifespan=lifespan,
        routes=routes,
        middleware=[
            Middleware(RawPaths),
            Middleware(_badges.PublicBadges, public=public_badges),
            Middleware(Authentication, credentials=credentials),
            Middleware(JsonOnly),
            Middleware(WholeBodies, limits=limits, render=_hal_error),  # whole bodies: see _limits
            Middleware(_pages.VaryAccept),
        ],
        exception_handlers={
            HttpError: _problem,
            HTTPException: _http_error,
            StorageFullError: _storage_full,
            UnstorableTextError: _unstorable,
            ConflictError: _contended,
            Exception: _crash,
        },
    )
    app.state.pages = _pages.templates()
    app.state.broker = Broker(
        store,
        configured[0] if configured else None,
        allow_contract_modification,
        base_urls=configured if len(configured) > 1 else (),
    )
    app.state.webhooks = webhooks
    return app


async def serve(
    host: str = "127.0.0.1",
    port: int = 9292,
    database: str = "pact_broker.sqlite",
    *,
    token: str | None = None,
    read_only_token: str | None = None,
    username: str | None = None,
    password: str | None = None,
    base_url: str | None = None,
    allow_contract_modification: bool = True,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ready: Callable[[str], object] | None = None,
    public_badges: bool = False,
    read_only_username: str | None = None,
    read_only_password: str | None = None,
    allow_public_read: bool = False,
    heartbeat_requires_auth: bool = False,
    webhook_schemes: Sequence[str] = DEFAULT_SCHEMES,
    webhook_methods: Sequence[str] = DEFAULT_METHODS,
    webhook_hosts: Sequence[str] = (),
    webhook_retry_schedule: Sequence[float] = DEFAULT_RETRY_SCHEDULE,
    webhook_timeout: float = 10.0,
) -> None:
    """Serve the broker over HTTP until cancelled (on asyncio or trio).

    ``database`` is an SQLite file (created if missing), ``":memory:"`` or a
    ``postgresql://`` URL; `ValueError` when it cannot be used. ``port=0``
    picks a free port; ``ready`` is called with the broker's URL once it listens.
    """
    from .._core._serve import serve as serve_app  # only a running server needs hypercorn

    store = open_store(database)
    try:
        app = create_app(
            store,
            token=token,
            read_only_token=read_only_token,
            username=username,
            password=password,
            base_url=base_url,
            allow_contract_modification=allow_contract_modification,
            max_body_size=max_body_size,
            body_timeout=body_timeout,
            public_badges=public_badges,
            read_only_username=read_only_username,
            read_only_password=read_only_password,
            allow_public_read=allow_public_read,
            heartbeat_requires_auth=heartbeat_requires_auth,
            webhook_schemes=webhook_schemes,
            webhook_methods=webhook_methods,
            webhook_hosts=webhook_hosts,
            webhook_retry_schedule=webhook_retry_schedule,
            webhook_timeout=webhook_timeout,
        )
        async with serve_app(app, host=host, port=port, graceful_timeout=1, log=True) as url:
            if ready is not None:
                ready(url)
            await anyio.sleep_forever()
    finally:
        store.close()
