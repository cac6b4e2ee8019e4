"""Webhooks, stored but never fired: create, update, read and delete them."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._core._types import JSON, JSONDict
from . import _views as views
from ._context import broker, urls
from ._domain import require_pacticipant
from ._hal import HttpError, hal, json_body, link, param
from ._store import Transaction, new_uuid

EVENTS = (
    "contract_content_changed",
    "contract_published",
    "contract_requiring_verification_published",
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
)


def _check(tx: Transaction, body: JSONDict) -> JSONDict:
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
        elif urlsplit(url).scheme not in ("http", "https"):
            errors["request.url"] = [f"must be an http or https URL, got '{url}'"]
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
        if not isinstance(party, dict) or not (party.get("name") or party.get("label")):
            errors[role] = ['must be {"name": pacticipant} or {"label": label}']
        elif party.get("name") and tx.pacticipant(str(party["name"])) is None:
            errors[f"{role}.name"] = [f"No {role} with name '{party['name']}' found"]
    if errors:
        raise HttpError(400, errors)
    return {**body, "events": events}


async def create_webhook(request: Request) -> Response:
    body, u = await json_body(request), urls(request)
    pair = (param(request, "provider"), param(request, "consumer")) if "provider" in request.path_params else None

    def work(tx: Transaction) -> JSONDict:
        document = dict(body)
        if pair is not None:
            provider, consumer = (require_pacticipant(tx, name) for name in pair)
            document.update(provider={"name": provider.name}, consumer={"name": consumer.name})
        webhook, _ = tx.save_webhook(new_uuid(), _check(tx, document))
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
    uuid, u = param(request, "uuid"), urls(request)
    body = await json_body(request) if request.method == "PUT" else {}

    def work(tx: Transaction) -> tuple[JSONDict | None, int]:
        if request.method == "PUT":
            webhook, created = tx.save_webhook(uuid, _check(tx, body))
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


ROUTES = [
    Route("/webhooks", list_webhooks, methods=["GET"]),
    Route("/webhooks", create_webhook, methods=["POST"]),
    Route("/webhooks/provider/{provider}/consumer/{consumer}", create_webhook, methods=["POST"]),
    Route("/webhooks/{uuid}", webhook_resource, methods=["GET", "PUT", "DELETE"]),
]
