"""Publishing and fetching pacts, pacts for verification, verification results."""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._core._types import JSON, JSONDict
from ..pact._request_check import document_problems
from . import _selectors as selectors
from . import _views as views
from ._context import broker, urls
from ._domain import (
    PublishedPact,
    add_branch,
    add_tag,
    ensure_pacticipant,
    ensure_version,
    latest_publication,
    pact_document,
    provider_publications,
    publish_pact,
    read_pact,
    require_pacticipant,
    require_verification,
    require_version,
)
from ._domain import latest_pacts as latest_pacts_of_all
from ._hal import (
    Handler,
    HttpError,
    Urls,
    hal,
    header_value,
    invalid,
    json_body,
    link,
    not_found,
    optional_bool,
    optional_string,
    param,
    read_json,
    request_url,
    required_string,
    segment,
    string_list,
    timestamp,
)
from ._store import Pacticipant, Publication, Transaction, Version
from ._webhooks import PUBLICATION_EVENTS, Trigger, content_changed, trigger, verification_events
from ._webhooks_run import WebhookRunner


def _fire(request: Request, uuids: list[str]) -> None:
    """Run the webhooks a committed change triggered, after this response (see `_webhooks_run`)."""
    if uuids:
        runner: WebhookRunner = request.app.state.webhooks
        runner.schedule(broker(request), uuids)


def _triggered(tx: Transaction, u: Urls, outcome: PublishedPact) -> list[str]:
    """Record the webhooks a publication triggers (as the official broker: every publication
    is ``contract_published``; ``contract_content_changed`` when the content is new)."""
    version = tx.version_by_id(outcome.version.id)  # with the tags just added
    status, sha = outcome.status, outcome.publication.sha

    def unchanged(event: str) -> bool:
        if event != "contract_content_changed":
            return False
        return status == "unchanged" or not content_changed(tx, outcome.provider, version, sha, status)

    what = Trigger(outcome.consumer, outcome.provider, version, sha)
    return trigger(tx, u, PUBLICATION_EVENTS, what, unless=unchanged)


# publishing


def _contracts(body: JSONDict, consumer: str) -> list[tuple[str, JSONDict, bool]]:
    """``(provider, pact, merge)`` for each contract of a ``/contracts/publish`` body."""
    contracts = body.get("contracts")
    if not isinstance(contracts, list) or not contracts:
        raise invalid("contracts", "must be a non-empty list")
    found = []
    for index, contract in enumerate(contracts):
        where = f"contracts[{index}]"
        if not isinstance(contract, dict):
            raise invalid(where, "must be an object")
        if contract.get("specification", "pact") != "pact":
            raise invalid(f"{where}.specification", f"'{contract.get('specification')}' is not supported: only 'pact'")
        if contract.get("contentType", "application/json") != "application/json":
            raise invalid(f"{where}.contentType", "only application/json pacts are supported")
        named = contract.get("consumerName", consumer)
        if named != consumer:
            raise invalid(f"{where}.consumerName", f"must be the pacticipantName '{consumer}', got '{named}'")
        provider = required_string(contract, "providerName")
        content = contract.get("content")
        try:
            raw = base64.b64decode(content, validate=True) if isinstance(content, str) else None
        except ValueError:  # not base64 (binascii.Error), or not ASCII
            raw = None
        if raw is None:
            raise invalid(f"{where}.content", "must be the pact JSON, base64-encoded")
        try:
            decoded = read_json(raw)
        except ValueError as error:
            raise invalid(f"{where}.content", f"is not valid JSON: {error}") from None
        pact = _sendable(
            read_pact(decoded, consumer=consumer, provider=provider, field=f"{where}.content"), f"{where}.content"
        )
        merge = contract.get("onConflict") == "merge"
        found.append((provider, pact, merge))
    return found


def _sendable(pact: JSONDict, field: str) -> JSONDict:
    """``pact``, unless a request of it cannot be sent as written (a path not starting
    with ``/`` would let it send a verifier's requests, with the provider's credentials,
    to another host): 400, naming each interaction and JSON path (the first ten)."""
    problems = document_problems(pact)
    if problems:
        said = [f"{problem}" for problem in problems[:10]]
        if len(problems) > 10:
            said.append(f"... and {len(problems) - 10} more")
        raise HttpError(400, {field: said})
    return pact


_LOG_LEVELS = {"warning": "warn", "error": "error", "danger": "error"}


def _pact_notice(published: PublishedPact) -> tuple[str, str]:
    what = (
        f"the pact between {published.consumer.name} version {published.version.number} and {published.provider.name}"
    )
    if published.status == "created":
        return "success", f"Published {what}."
    if published.status == "updated":
        return "warning", f"Updated {what}: its content changed since it was first published."
    return "info", f"The content of {what} is unchanged: identical content was already published."


async def publish_contracts(request: Request) -> Response:
    """``POST /contracts/publish``: a consumer version, its branch and tags, and its pacts."""
    body, u, context = await json_body(request), urls(request), broker(request)
    name = required_string(body, "pacticipantName")
    number = required_string(body, "pacticipantVersionNumber")
    branch = optional_string(body, "branch")
    build_url = optional_string(body, "buildUrl")
    tags = string_list(body, "tags")
    contracts = _contracts(body, name)

    def work(tx: Transaction) -> tuple[JSONDict, list[str]]:
        consumer, _ = ensure_pacticipant(tx, name)
        version, created = ensure_version(tx, consumer, number, build_url)
        if branch:
            add_branch(tx, consumer, version, branch)
        for tag in tags:
            add_tag(tx, version, tag)
        labels = (f" on branch {branch}" if branch else "") + (f" with tags {', '.join(tags)}" if tags else "")
        verb = "Created" if created else "Updated"
        notices = [("success", f"{verb} {name} version {number}{labels}.")]
        published = []
        for provider, pact, merge in contracts:
            outcome = publish_pact(
                tx,
                consumer,
                version,
                provider,
                pact,
                merge=merge,
                allow_modification=context.allow_contract_modification,
            )
            published.append(outcome)
            notices.append(_pact_notice(outcome))
        version_url = u.version(name, number)
        fired = [uuid for outcome in published for uuid in _triggered(tx, u, outcome)]
        return {
            "notices": [{"type": kind, "text": text} for kind, text in notices],
            "logs": [
                {"level": _LOG_LEVELS.get(kind, "info"), "message": text, "deprecationWarning": "Replaced by notices"}
                for kind, text in notices
            ],
            "_embedded": {
                "pacticipant": {"name": name, "_links": {"self": link(u.pacticipant(name), title=name, name=name)}},
                "version": {
                    "number": number,
                    "_links": {"self": link(version_url, title=f"Version {number}", name=number)},
                },
            },
            "_links": {
                "pb:pacticipant": link(u.pacticipant(name), title="Pacticipant", name=name),
                "pb:pacticipant-version": link(version_url, title="Pacticipant version", name=number),
                "pb:pacticipant-version-tags": [link(u.tag(name, number, tag), title="Tag", name=tag) for tag in tags],
                "pb:contracts": [
                    link(
                        u.pact(p.provider.name, name, number),
                        title="Pact",
                        name=f"Pact between {name} ({number}) and {p.provider.name}",
                    )
                    for p in published
                ],
            },
        }, fired

    rendered, fired = await context.run(work)
    _fire(request, fired)
    return hal(rendered)


async def put_pact(request: Request) -> Response:
    """The older way to publish: PUT the pact at its consumer version URL (PATCH merges)."""
    provider, consumer, number = param(request, "provider"), param(request, "consumer"), param(request, "version")
    u, context = urls(request), broker(request)
    pact = _sendable(read_pact(await json_body(request), consumer=consumer, provider=provider, field="pact"), "pact")

    def work(tx: Transaction) -> tuple[JSONDict, int, list[str]]:
        owner, _ = ensure_pacticipant(tx, consumer)
        version, _ = ensure_version(tx, owner, number)
        outcome = publish_pact(
            tx,
            owner,
            version,
            provider,
            pact,
            merge=request.method == "PATCH",
            allow_modification=context.allow_contract_modification,
        )
        rendered = _pact_view(tx, u, outcome.provider, owner, version, outcome.publication)
        return rendered, 201 if outcome.status == "created" else 200, _triggered(tx, u, outcome)

    rendered, status, fired = await context.run(work)
    _fire(request, fired)
    return hal(rendered, status, {"X-Pact-Consumer-Version": header_value(number)})


def _pact_view(
    tx: Transaction,
    u: Urls,
    provider: Pacticipant,
    consumer: Pacticipant,
    version: Version,
    publication: Publication,
    *,
    self_url: str | None = None,
    metadata: str | None = None,
) -> JSONDict:
    return views.pact(
        u,
        pact_document(tx, publication.sha),
        consumer=consumer.name,
        provider=provider.name,
        consumer_version=version.number,
        sha=publication.sha,
        created_at=publication.created_at,
        self_url=self_url or u.pact(provider.name, consumer.name, version.number),
        metadata=metadata,
    )


# fetching


def _pair(tx: Transaction, request: Request) -> tuple[Pacticipant, Pacticipant]:
    return require_pacticipant(tx, param(request, "provider")), require_pacticipant(tx, param(request, "consumer"))


async def get_pact(request: Request) -> Response:
    number, u = param(request, "version"), urls(request)

    def work(tx: Transaction) -> JSONDict:
        provider, consumer = _pair(tx, request)
        version = require_version(tx, consumer, number)
        publication = next(iter(tx.publications(consumer_version_id=version.id, provider_id=provider.id)), None)
        if publication is None:
            raise not_found(f"No pact between {consumer.name} version {number} and {provider.name} found")
        return _pact_view(tx, u, provider, consumer, version, publication)

    return hal(await broker(request).run(work), headers={"X-Pact-Consumer-Version": header_value(number)})


async def delete_pact(request: Request) -> Response:
    """Delete the pact a consumer version published for a provider (the official
    broker's ``DELETE``): the version stays; a pact content no other version published
    goes, with its verification results."""
    number = param(request, "version")

    def work(tx: Transaction) -> None:
        provider, consumer = _pair(tx, request)
        version = require_version(tx, consumer, number)
        if not tx.delete_publications(version.id, provider.id):
            raise not_found(f"No pact between {consumer.name} version {number} and {provider.name} found")

    await broker(request).run(work)
    return Response(status_code=204)


async def get_latest_pact(request: Request) -> Response:
    """The pact of the latest consumer version; ``/latest/{tag}`` and ``/branch/{branch}/latest`` narrow it."""
    tag = param(request, "tag") if "tag" in request.path_params else None
    branch = param(request, "branch") if "branch" in request.path_params else None
    u = urls(request)

    def work(tx: Transaction) -> tuple[JSONDict, str]:
        provider, consumer = _pair(tx, request)
        found = latest_publication(tx, provider, consumer, tag=tag, branch=branch)
        if found is None:
            which = f" with tag '{tag}'" if tag else f" from branch '{branch}'" if branch else ""
            raise not_found(f"No pact between {consumer.name}{which} and {provider.name} found")
        publication, version = found
        return _pact_view(tx, u, provider, consumer, version, publication), version.number

    rendered, number = await broker(request).run(work)
    return hal(rendered, headers={"X-Pact-Consumer-Version": header_value(number)})


async def get_pact_version(request: Request) -> Response:
    """A pact by its content SHA (the URLs pacts-for-verification gives)."""
    sha, u = param(request, "sha"), urls(request)
    metadata = param(request, "metadata") if "metadata" in request.path_params else None
    wanted = selectors.read_metadata(metadata).get("cv")

    def work(tx: Transaction) -> tuple[JSONDict, str]:
        provider, consumer = _pair(tx, request)
        found = [
            (p, tx.version_by_id(p.consumer_version_id))
            for p in tx.publications(provider_id=provider.id, consumer_id=consumer.id, sha=sha)
        ]
        if not found:
            raise not_found(f"No pact between {consumer.name} and {provider.name} with SHA '{sha}' found")
        chosen = [(p, v) for p, v in found if isinstance(wanted, list) and v.number in wanted] or found
        publication, version = chosen[-1]
        self_url = u.pact_version(provider.name, consumer.name, sha, metadata)
        view = _pact_view(tx, u, provider, consumer, version, publication, self_url=self_url, metadata=metadata)
        return view, version.number

    rendered, number = await broker(request).run(work)
    return hal(rendered, headers={"X-Pact-Consumer-Version": header_value(number)})


def _provider_pacts(*, latest: bool, main_branch: bool = False) -> Handler:
    """Pacts of a provider's consumers, as links: the latest of each consumer (``/latest``,
    ``/latest/{tag}``, ``/branch/latest``, ``/branch/{branch}/latest``) or all of them
    (``/branch``, ``/branch/{branch}``); ``/branch`` alone means each consumer's main branch."""

    async def handler(request: Request) -> Response:
        return await _list_provider_pacts(request, latest=latest, main_branch=main_branch)

    return handler


async def _list_provider_pacts(request: Request, *, latest: bool, main_branch: bool) -> Response:
    name, u = param(request, "provider"), urls(request)
    tag = param(request, "tag") if "tag" in request.path_params else None
    branch = param(request, "branch") if "branch" in request.path_params else None

    def work(tx: Transaction) -> JSONDict:
        provider = require_pacticipant(tx, name)
        pacts: list[JSON] = [
            link(
                u.pact(name, consumer.name, version.number),
                title=f"Pact between {consumer.name} (v{version.number}) and {name}",
                name=consumer.name,
            )
            for consumer, _, version in provider_publications(
                tx, provider, tag=tag, branch=branch, main_branch=main_branch, latest=latest
            )
        ]
        provider_link = link(u.pacticipant(name), title=name, name=name)
        return {
            "_links": {
                "self": link(request_url(request, u), title=f"Pact versions for the provider {name}"),
                "provider": provider_link,
                "pb:provider": provider_link,
                "pb:pacts": pacts,
                "pacts": pacts,
            }
        }

    return hal(await broker(request).run(work))


async def latest_pacts(request: Request) -> Response:
    """The latest pact of every consumer and provider pair."""
    u = urls(request)

    def work(tx: Transaction) -> JSONDict:
        found: list[JSON] = []
        for provider, consumer, publication, version in latest_pacts_of_all(tx):
            found.append(
                {
                    "createdAt": timestamp(publication.created_at),
                    "_embedded": {
                        "consumer": {
                            "name": consumer.name,
                            "_links": {"self": link(u.pacticipant(consumer.name))},
                            "_embedded": {"version": {"number": version.number}},
                        },
                        "provider": {"name": provider.name, "_links": {"self": link(u.pacticipant(provider.name))}},
                    },
                    "_links": {
                        "self": [
                            link(u.pacts(provider.name, consumer.name) + "/latest"),
                            link(u.pact(provider.name, consumer.name, version.number)),
                        ]
                    },
                }
            )
        return {"_links": {"self": link(u("/pacts/latest"))}, "pacts": found}

    return hal(await broker(request).run(work))


# pacts for verification


def _query_from_params(request: Request) -> JSONDict:
    params = request.query_params
    body: JSONDict = {}
    if params.get("providerVersionBranch"):
        body["providerVersionBranch"] = params["providerVersionBranch"]
    tags = params.getlist("providerVersionTags[]") or params.getlist("providerVersionTags")
    if tags:
        body["providerVersionTags"] = list(tags)
    if params.get("includePendingStatus"):
        body["includePendingStatus"] = params["includePendingStatus"] == "true"
    if params.get("includeWipPactsSince"):
        body["includeWipPactsSince"] = params["includeWipPactsSince"]
    return body


async def pacts_for_verification(request: Request) -> Response:
    """``POST`` (or ``GET``, without selectors) ``/pacts/provider/{provider}/for-verification``."""
    name, u = param(request, "provider"), urls(request)
    body = await json_body(request) if request.method == "POST" else _query_from_params(request)
    try:
        query = selectors.parse_query(body)
    except selectors.SelectorError as error:
        raise HttpError(400, {"consumerVersionSelectors": [str(error)]}) from None

    def work(tx: Transaction) -> JSONDict:
        provider = require_pacticipant(tx, name)
        pacts, history = selectors.load(tx, provider.id, query)
        found: list[JSON] = []
        for pact in selectors.pacts_for_verification(query, pacts, history):
            url = u.pact_version(name, pact.consumer, pact.sha, pact.metadata())
            properties: JSONDict = {}
            if query.include_pending_status or pact.wip:
                properties["pending"] = pact.pending
            if pact.wip:
                properties["wip"] = True
            properties["notices"] = selectors.notices(pact, name, url, query)
            found.append(
                {
                    "shortDescription": ", ".join(pact.reasons),
                    "verificationProperties": properties,
                    "_links": {
                        "self": link(url, name=f"Pact between {pact.consumer} ({pact.latest.version}) and {name}")
                    },
                }
            )
        return {
            "_embedded": {"pacts": found},
            "_links": {
                "self": link(u(f"/pacts/provider/{segment(name)}/for-verification"), title="Pacts to be verified")
            },
        }

    return hal(await broker(request).run(work))


# verification results


async def publish_verification(request: Request) -> Response:
    sha, u = param(request, "sha"), urls(request)
    metadata = selectors.read_metadata(param(request, "metadata") if "metadata" in request.path_params else None)
    body = await json_body(request)
    success = optional_bool(body, "success")
    if success is None:
        raise invalid("success", "is missing: true or false")
    number = required_string(body, "providerApplicationVersion")
    build_url = optional_string(body, "buildUrl")
    test_results = body.get("testResults", [])
    if not isinstance(test_results, list):
        raise invalid("testResults", "must be a list")
    verified_by = body.get("verifiedBy")
    if verified_by is not None and not isinstance(verified_by, dict):
        raise invalid("verifiedBy", "must be an object")

    def work(tx: Transaction) -> tuple[JSONDict, str, list[str]]:
        provider, consumer = _pair(tx, request)
        publications = tx.publications(provider_id=provider.id, consumer_id=consumer.id, sha=sha)
        if not publications:
            raise not_found(f"No pact between {consumer.name} and {provider.name} with SHA '{sha}' found")
        version, _ = ensure_version(tx, provider, number)
        verification = tx.add_verification(
            sha=sha,
            consumer_id=consumer.id,
            provider_id=provider.id,
            provider_version_id=version.id,
            success=success,
            wip=metadata.get("w") is True,
            build_url=build_url,
            test_results=test_results,
            verified_by=verified_by,
        )
        rendered = views.verification(tx, u, verification)
        pact_version = tx.version_by_id(publications[-1].consumer_version_id)  # the latest with this content
        what = Trigger(consumer, provider, pact_version, sha, verification)
        fired = trigger(tx, u, verification_events(success), what)
        return rendered, u.verification(provider.name, consumer.name, sha, verification.id), fired

    rendered, location, fired = await broker(request).run(work)
    _fire(request, fired)
    return hal(rendered, 201, {"Location": location})


async def get_verification(request: Request) -> Response:
    sha, u = param(request, "sha"), urls(request)
    raw_id = param(request, "id")

    def work(tx: Transaction) -> JSONDict:
        provider, consumer = _pair(tx, request)
        found = require_verification(tx, provider, consumer, sha, raw_id)
        return views.verification(tx, u, found)

    return hal(await broker(request).run(work))


async def latest_verification_for_pact(request: Request) -> Response:
    number, u = param(request, "version"), urls(request)

    def work(tx: Transaction) -> JSONDict:
        provider, consumer = _pair(tx, request)
        version = require_version(tx, consumer, number)
        publication = next(iter(tx.publications(consumer_version_id=version.id, provider_id=provider.id)), None)
        found = tx.verifications(provider_id=provider.id, sha=publication.sha) if publication else []
        if not found:
            raise not_found(
                f"The pact between {consumer.name} version {number} and {provider.name} has no verification result"
            )
        return views.verification(tx, u, found[-1])

    return hal(await broker(request).run(work))


_PAIR = "/pacts/provider/{provider}/consumer/{consumer}"
_PACT_VERSION = _PAIR + "/pact-version/{sha}"

ROUTES = [
    Route("/contracts/publish", publish_contracts, methods=["POST"]),
    Route("/pacts/latest", latest_pacts, methods=["GET"]),
    Route("/pacts/provider/{provider}/latest", _provider_pacts(latest=True), methods=["GET"]),
    Route("/pacts/provider/{provider}/latest/{tag}", _provider_pacts(latest=True), methods=["GET"]),
    Route("/pacts/provider/{provider}/branch", _provider_pacts(latest=False, main_branch=True), methods=["GET"]),
    Route("/pacts/provider/{provider}/branch/latest", _provider_pacts(latest=True, main_branch=True), methods=["GET"]),
    Route("/pacts/provider/{provider}/branch/{branch}", _provider_pacts(latest=False), methods=["GET"]),
    Route("/pacts/provider/{provider}/branch/{branch}/latest", _provider_pacts(latest=True), methods=["GET"]),
    Route("/pacts/provider/{provider}/for-verification", pacts_for_verification, methods=["GET", "POST"]),
    Route(_PAIR + "/version/{version}", get_pact, methods=["GET"]),
    Route(_PAIR + "/version/{version}", put_pact, methods=["PUT", "PATCH"]),
    Route(_PAIR + "/version/{version}/verification-results/latest", latest_verification_for_pact, methods=["GET"]),
    Route(_PAIR + "/latest", get_latest_pact, methods=["GET"]),
    Route(_PAIR + "/latest/{tag}", get_latest_pact, methods=["GET"]),
    Route(_PAIR + "/branch/{branch}/latest", get_latest_pact, methods=["GET"]),
    Route(_PACT_VERSION, get_pact_version, methods=["GET"]),
    Route(_PACT_VERSION + "/metadata/{metadata}", get_pact_version, methods=["GET"]),
    Route(_PACT_VERSION + "/verification-results", publish_verification, methods=["POST"]),
    Route(_PACT_VERSION + "/metadata/{metadata}/verification-results", publish_verification, methods=["POST"]),
    Route(_PACT_VERSION + "/verification-results/{id}", get_verification, methods=["GET"]),
    Route(_PAIR + "/version/{version}", delete_pact, methods=["DELETE"]),
]
