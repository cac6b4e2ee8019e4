"""Webhooks: create, update, read and delete them; test one (``POST /webhooks/{uuid}/execute``);
read what fired (triggered webhooks and their logs). Firing is `_webhooks` and `_webhooks_run`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from .._core._types import JSON, JSONDict
from . import _views as views
from ._context import broker, urls
from ._domain import require_pacticipant, require_verification, require_version
from ._hal import HttpError, Urls, hal, json_body, link, not_found, param, segment, timestamp
from ._store import Pacticipant, Transaction, TriggeredWebhook, new_uuid
from ._webhooks import EVENTS, PLACEHOLDERS, WebhookPolicy, request_problems, variables
from ._webhooks_run import WebhookRunner


def runner(request: Request) -> WebhookRunner:
    found: WebhookRunner = request.app.state.webhooks
    return found


def _check(tx: Transaction, body: JSONDict, policy: WebhookPolicy) -> JSONDict:
    """The webhook document to store, or a 400 naming every invalid field."""
    errors: dict[str, list[str]] = {}
    request = body.get("request")
    if not isinstance(request, dict):
        errors["request"] = ['is missing: give the HTTP request to make ({"method": ..., "url": ...})']
    else:
        method = request.get("method")
        if not isinstance(method, str) or not method.strip():
            errors["request.method"] = ["is missing"]
        url = request.get("url")
        if not isinstance(url, str) or not url.strip():
            errors["request.url"] = ["is missing"]
        if "request.method" not in errors and "request.url" not in errors:
            errors.update(request_problems(policy, request))
    events = body.get("events", [{"name": "contract_content_changed"}])
    names = (
        [event.get("name") if isinstance(event, dict) else None for event in events]
        if isinstance(events, list)
        else [None]
    )
    unknown = [name for name in names if name not in EVENTS]
    if unknown or not names:
        errors["events"] = [f'must be a non-empty list of {{"name": event}}, the events being {", ".join(EVENTS)}']
    for role in ("consumer", "provider"):
        party: JSON = body.get(role)
        if party is None:
            continue
        if (
            not isinstance(party, dict)
            or not (party.get("name") or party.get("label"))
            or any(key in party and not isinstance(party[key], str) for key in ("name", "label"))
        ):
            errors[role] = ['must be {"name": pacticipant} or {"label": label}']
        elif party.get("name") and tx.pacticipant(str(party["name"])) is None:
            errors[f"{role}.name"] = [f"No {role} with name '{party['name']}' found"]
    if errors:
        raise HttpError(400, errors)
    return {**body, "events": events}


async def create_webhook(request: Request) -> Response:
    body, u, policy = await json_body(request), urls(request), runner(request).policy
    pair = (param(request, "provider"), param(request, "consumer")) if "provider" in request.path_params else None

    def work(tx: Transaction) -> JSONDict:
        document = dict(body)
        if pair is not None:
            provider, consumer = (require_pacticipant(tx, name) for name in pair)
            document.update(provider={"name": provider.name}, consumer={"name": consumer.name})
        webhook, _ = tx.save_webhook(new_uuid(), _check(tx, document, policy))
        return views.webhook(u, webhook)

    return hal(await broker(request).run(work), 201)


async def list_webhooks(request: Request) -> Response:
    u = urls(request)

    def work(tx: Transaction) -> JSONDict:
        webhooks = tx.webhooks()
        return {
            "_embedded": {"webhooks": [views.webhook(u, webhook) for webhook in webhooks]},
            "_links": {
                "self": link(u("/webhooks"), title="Webhooks"),
                "pb:webhooks": [link(u.webhook(w.uuid), title=views.webhook_title(w)) for w in webhooks],
            },
        }

    return hal(await broker(request).run(work))


async def webhook_resource(request: Request) -> Response:
    """GET, PUT (create or replace) or DELETE one webhook."""
    uuid, u, policy = param(request, "uuid"), urls(request), runner(request).policy
    body = await json_body(request) if request.method == "PUT" else {}

    def work(tx: Transaction) -> tuple[JSONDict | None, int]:
        if request.method == "PUT":
            webhook, created = tx.save_webhook(uuid, _check(tx, body, policy))
            return views.webhook(u, webhook), 201 if created else 200
        found = tx.webhook(uuid)
        if found is None:
            raise HttpError(404, [f"No webhook with UUID '{uuid}' found"])
        if request.method == "DELETE":
            tx.delete_webhook(uuid)
            return None, 204
        return views.webhook(u, found), 200

    rendered, status = await broker(request).run(work)
    return Response(status_code=204) if rendered is None else hal(rendered, status)


# firing: test executions, triggered webhooks and their logs


def _logs_url(u: Urls, triggered: TriggeredWebhook) -> str:
    return u.webhook(triggered.webhook_uuid) + f"/trigger/{segment(triggered.uuid)}/logs"


def _triggered_view(tx: Transaction, u: Urls, triggered: TriggeredWebhook) -> JSONDict:
    executions = tx.webhook_executions(triggered.uuid)
    return {
        "name": triggered.event_name,
        "uuid": triggered.uuid,
        "eventName": triggered.event_name,
        "triggerType": triggered.trigger_type,
        "status": triggered.status,
        "numberOfAttemptsMade": len(executions),
        "createdAt": timestamp(triggered.created_at),
        "updatedAt": timestamp(triggered.updated_at),
        "_links": {
            "pb:logs": link(_logs_url(u, triggered), title="Webhook execution logs"),
            "logs": link(_logs_url(u, triggered), title="Webhook execution logs"),
            "pb:webhook": link(u.webhook(triggered.webhook_uuid), title="Webhook"),
        },
    }


def _triggered_list(tx: Transaction, u: Urls, self_url: str, found: list[TriggeredWebhook]) -> JSONDict:
    return {
        "_embedded": {"triggeredWebhooks": [_triggered_view(tx, u, t) for t in found]},
        "_links": {"self": link(self_url, title="Triggered webhooks")},
    }


async def execute_webhook(request: Request) -> Response:
    """``POST /webhooks/{uuid}/execute``: run the webhook now, once, with the latest pact
    (and verification) it fits, or placeholders; answer with its request, response and log."""
    uuid, u, context, run = param(request, "uuid"), urls(request), broker(request), runner(request)

    def work(tx: Transaction) -> str:
        webhook = tx.webhook(uuid)
        if webhook is None:
            raise not_found(f"No webhook with UUID '{uuid}' found")
        names = [_named(tx, webhook.document.get(role)) for role in ("consumer", "provider")]
        values, ids = _latest_values(tx, u, names[0], names[1])
        triggered = tx.add_triggered_webhook(
            uuid=new_uuid(),
            webhook_uuid=uuid,
            event_name="test",
            trigger_type="user",
            consumer_id=ids[0],
            provider_id=ids[1],
            consumer_version_id=ids[2],
            verification_id=None,
            variables=dict(values),
        )
        return triggered.uuid

    triggered_uuid = await context.run(work)
    outcome = await run.attempt(context, triggered_uuid)
    body: JSONDict = {
        "success": outcome.success,
        "request": outcome.request,  # type: ignore[dict-item]
        "response": outcome.response,  # type: ignore[dict-item]
        "logs": outcome.log,
        "_links": {
            "self": link(u.webhook(uuid) + "/execute", title="Test the execution of the webhook"),
            "pb:webhook": link(u.webhook(uuid), title="Webhook"),
            "pb:logs": link(u.webhook(uuid) + f"/trigger/{segment(triggered_uuid)}/logs", title="Logs"),
        },
    }
    return hal(body, 200 if outcome.success else 500)


def _named(tx: Transaction, party: JSON) -> Pacticipant | None:
    name = party.get("name") if isinstance(party, dict) else None
    return tx.pacticipant(name) if isinstance(name, str) else None


def _latest_values(
    tx: Transaction, u: Urls, consumer: Pacticipant | None, provider: Pacticipant | None
) -> tuple[dict[str, str], tuple[int | None, int | None, int | None]]:
    """The variables of a test execution: from the latest pact between the webhook's
    consumer and provider (any, when it names neither), or placeholders."""
    best = None
    for candidate_provider in [provider] if provider else tx.pacticipants():
        for publication in reversed(tx.publications(provider_id=candidate_provider.id)):
            if consumer is None or publication.consumer_id == consumer.id:
                if best is None or publication.id > best[0].id:
                    best = (publication, candidate_provider)
                break
    if best is None:
        values = {name: "" for name in ("pactUrl", "consumerVersionNumber", "providerVersionNumber")}
        values.update(PLACEHOLDERS, eventName="test", githubVerificationStatus="pending")
        if consumer:
            values["consumerName"] = consumer.name
        if provider:
            values["providerName"] = provider.name
        return values, (consumer.id if consumer else None, provider.id if provider else None, None)
    publication, found_provider = best
    found_consumer = tx.pacticipant_by_id(publication.consumer_id)
    version = tx.version_by_id(publication.consumer_version_id)
    values = variables(
        tx,
        u,
        event="test",
        consumer=found_consumer,
        provider=found_provider,
        version=version,
        sha=publication.sha,
        verification=None,
    )
    return values, (found_consumer.id, found_provider.id, version.id)


async def webhook_triggered(request: Request) -> Response:
    """``GET /webhooks/{uuid}/triggered-webhooks``: every firing of one webhook."""
    uuid, u = param(request, "uuid"), urls(request)

    def work(tx: Transaction) -> JSONDict:
        if tx.webhook(uuid) is None and not tx.triggered_webhooks(webhook_uuid=uuid):
            raise not_found(f"No webhook with UUID '{uuid}' found")
        found = tx.triggered_webhooks(webhook_uuid=uuid)
        return _triggered_list(tx, u, u.webhook(uuid) + "/triggered-webhooks", found)

    return hal(await broker(request).run(work))


async def pact_triggered(request: Request) -> Response:
    """``GET /pacts/provider/{p}/consumer/{c}/version/{v}/triggered-webhooks``."""
    u, number = urls(request), param(request, "version")

    def work(tx: Transaction) -> JSONDict:
        provider = require_pacticipant(tx, param(request, "provider"))
        consumer = require_pacticipant(tx, param(request, "consumer"))
        version = require_version(tx, consumer, number)
        found = [
            t
            for t in tx.triggered_webhooks(consumer_version_id=version.id, provider_id=provider.id)
            if t.verification_id is None
        ]
        return _triggered_list(tx, u, u.pact(provider.name, consumer.name, number) + "/triggered-webhooks", found)

    return hal(await broker(request).run(work))


async def verification_triggered(request: Request) -> Response:
    """``GET .../pact-version/{sha}/verification-results/{id}/triggered-webhooks``."""
    u, raw_id, sha = urls(request), param(request, "id"), param(request, "sha")

    def work(tx: Transaction) -> JSONDict:
        provider = require_pacticipant(tx, param(request, "provider"))
        consumer = require_pacticipant(tx, param(request, "consumer"))
        found = require_verification(tx, provider, consumer, sha, raw_id)
        self_url = u.verification(provider.name, consumer.name, sha, found.id) + "/triggered-webhooks"
        return _triggered_list(tx, u, self_url, tx.triggered_webhooks(verification_id=found.id))

    return hal(await broker(request).run(work))


async def triggered_logs(request: Request) -> Response:
    """``GET /webhooks/{uuid}/trigger/{trigger}/logs``: every attempt's log, as text."""
    uuid, trigger = param(request, "uuid"), param(request, "trigger")

    def work(tx: Transaction) -> str:
        found = tx.triggered_webhook(trigger)
        if found is None or found.webhook_uuid != uuid:
            raise not_found(f"No triggered webhook '{trigger}' for webhook '{uuid}' found")
        executions = tx.webhook_executions(trigger)
        if not executions:
            return f"Webhook {uuid} was triggered by {found.event_name} ({found.status}); no attempt has run yet.\n"
        return "\n".join(execution.logs for execution in executions)

    return PlainTextResponse(await broker(request).run(work))


_PACT = "/pacts/provider/{provider}/consumer/{consumer}"

ROUTES = [
    Route("/webhooks", list_webhooks, methods=["GET"]),
    Route("/webhooks", create_webhook, methods=["POST"]),
    Route("/webhooks/provider/{provider}/consumer/{consumer}", create_webhook, methods=["POST"]),
    Route("/webhooks/{uuid}", webhook_resource, methods=["GET", "PUT", "DELETE"]),
    Route("/webhooks/{uuid}/execute", execute_webhook, methods=["POST"]),
    Route("/webhooks/{uuid}/triggered-webhooks", webhook_triggered, methods=["GET"]),
    Route("/webhooks/{uuid}/trigger/{trigger}/logs", triggered_logs, methods=["GET"]),
    Route(_PACT + "/version/{version}/triggered-webhooks", pact_triggered, methods=["GET"]),
    Route(
        _PACT + "/pact-version/{sha}/verification-results/{id}/triggered-webhooks",
        verification_triggered,
        methods=["GET"],
    ),
]
