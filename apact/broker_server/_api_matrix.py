"""The matrix, can-i-deploy and the list of integrations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._core._types import JSON, JSONDict
from . import _matrix
from ._context import broker, urls
from ._hal import HttpError, hal, link
from ._store import Transaction


async def _answer(request: Request, query: _matrix.MatrixQuery) -> Response:
    u = urls(request)
    names = {s.pacticipant for reading in query.readings for s in reading if s.pacticipant}

    def work(tx: Transaction) -> JSONDict:
        if query.environment is not None and not any(e.name == query.environment for e in tx.environments()):
            # as the official broker: a misspelt environment is an error, not "nothing deployed there"
            raise HttpError(400, [f"Environment with name '{query.environment}' does not exist"])
        try:
            result = _matrix.evaluate(query, _matrix.load(tx, names))
        except _matrix.MatrixError as error:
            raise HttpError(400, error.errors) from None
        return _matrix.render(u, result)

    return hal(await broker(request).run(work))


async def matrix(request: Request) -> Response:
    """``GET /matrix?q[][pacticipant]=...``: see `apact.broker_server._matrix`."""
    try:
        query = _matrix.parse_query(request.url.query)
    except _matrix.MatrixError as error:  # too many selectors: refused before any work
        raise HttpError(400, error.errors) from None
    return await _answer(request, query)


async def can_i_deploy(request: Request) -> Response:
    """``GET /can-i-deploy?pacticipant=Foo&version=1.2.3&environment=production`` (or ``to=tag``)."""
    params = request.query_params
    missing = [name for name in ("pacticipant", "version") if not params.get(name)]
    if missing:
        raise HttpError(400, {name: ["is missing"] for name in missing})
    ignored = params.getlist("ignore[]")
    if len(ignored) > _matrix.MAX_SELECTORS:
        raise HttpError(
            400, [f"can-i-deploy takes at most {_matrix.MAX_SELECTORS} ignore[]; this one has {len(ignored)}"]
        )
    try:  # and the matrix's ignore[][pacticipant]=Foo&ignore[][version]=1, one version of it
        ignore_versions = _matrix.parse_query(request.url.query).ignore
    except _matrix.MatrixError as error:
        raise HttpError(400, error.errors) from None
    selector = _matrix.MatrixSelector(pacticipant=params["pacticipant"], version=params["version"])
    environment, tag = params.get("environment") or None, params.get("to") or params.get("tag") or None
    query = _matrix.MatrixQuery(
        readings=((selector,),),
        latestby="cvpv" if environment else "cvp",
        latest=environment is None,
        tag=tag,
        environment=environment,
        ignore=tuple(_matrix.MatrixSelector(pacticipant=name) for name in ignored) + ignore_versions,
    )
    return await _answer(request, query)


async def integrations(request: Request) -> Response:
    u = urls(request)

    def work(tx: Transaction) -> JSONDict:
        names = {p.id: p.name for p in tx.pacticipants()}
        pairs = sorted({(names[p.consumer_id], names[p.provider_id]) for p in tx.publications()})
        found: list[JSON] = [
            {
                "consumer": {"name": consumer, "_links": {"self": link(u.pacticipant(consumer))}},
                "provider": {"name": provider, "_links": {"self": link(u.pacticipant(provider))}},
                "_links": {"pb:latest-pact": link(u.pacts(provider, consumer) + "/latest")},
            }
            for consumer, provider in pairs
        ]
        return {
            "_embedded": {"integrations": found},
            "_links": {"self": link(u("/integrations"), title="Integrations")},
        }

    return hal(await broker(request).run(work))


ROUTES = [
    Route("/matrix", matrix, methods=["GET"]),
    Route("/can-i-deploy", can_i_deploy, methods=["GET"]),
    Route("/integrations", integrations, methods=["GET"]),
]
