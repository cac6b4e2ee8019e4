"""Pacticipants, versions, tags, branches, environments, deployments and releases."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .._core._types import JSON, JSONDict
from . import _views as views
from ._context import broker, urls
from ._domain import (
    add_branch,
    add_tag,
    ensure_pacticipant,
    ensure_version,
    environment_named,
    latest_version,
    require_environment,
    require_pacticipant,
    require_version,
    update_pacticipant,
)
from ._hal import (
    Handler,
    HttpError,
    Urls,
    hal,
    invalid,
    json_body,
    link,
    not_found,
    optional_bool,
    optional_string,
    param,
    request_url,
    required_string,
)
from ._store import Deployment, DeploymentKind, Environment, Pacticipant, Transaction, new_uuid

# pacticipants


def _pacticipants(tx: Transaction, u: Urls, records: list[Pacticipant], self_url: str) -> JSONDict:
    found: list[JSON] = [views.pacticipant(tx, u, p) for p in records]
    return {
        "pacticipants": found,
        "_embedded": {"pacticipants": found},
        "_links": {
            "self": link(self_url, title="Pacticipants"),
            "pacticipants": [link(u.pacticipant(p.name), title=p.name) for p in records],
        },
    }


async def list_pacticipants(request: Request) -> Response:
    u = urls(request)
    return hal(await broker(request).run(lambda tx: _pacticipants(tx, u, tx.pacticipants(), u("/pacticipants"))))


_PACTICIPANT_FIELDS = {
    "display_name": ("displayName", "display_name"),
    "repository_url": ("repositoryUrl", "repository_url"),
    "main_branch": ("mainBranch", "main_branch"),
}


def _pacticipant_changes(body: JSONDict, *, replace_all: bool) -> dict[str, str | None]:
    changes: dict[str, str | None] = {}
    for attribute, names in _PACTICIPANT_FIELDS.items():
        if replace_all or any(name in body for name in names):
            changes[attribute] = optional_string(body, *names)
    return changes


async def create_pacticipant(request: Request) -> Response:
    body = await json_body(request)
    name = required_string(body, "name")
    u = urls(request)

    def work(tx: Transaction) -> JSONDict:
        if tx.pacticipant(name) is not None:
            raise HttpError(409, {"name": [f"A pacticipant with name '{name}' already exists"]})
        created, _ = ensure_pacticipant(tx, name)
        return views.pacticipant(
            tx, u, update_pacticipant(tx, created, **_pacticipant_changes(body, replace_all=False))
        )

    return hal(await broker(request).run(work), 201)


async def get_pacticipant(request: Request) -> Response:
    name, u = param(request, "pacticipant"), urls(request)
    return hal(await broker(request).run(lambda tx: views.pacticipant(tx, u, require_pacticipant(tx, name))))


async def put_pacticipant(request: Request) -> Response:
    """PUT replaces the pacticipant's properties, PATCH changes the ones given; both create."""
    name, u = param(request, "pacticipant"), urls(request)
    body = await json_body(request, required=False)
    changes = _pacticipant_changes(body, replace_all=request.method == "PUT")

    def work(tx: Transaction) -> tuple[JSONDict, bool]:
        record, created = ensure_pacticipant(tx, name)
        return views.pacticipant(tx, u, update_pacticipant(tx, record, **changes)), created

    rendered, created = await broker(request).run(work)
    return hal(rendered, 201 if created else 200)


async def delete_pacticipant(request: Request) -> Response:
    name = param(request, "pacticipant")
    await broker(request).run(lambda tx: tx.delete_pacticipant(require_pacticipant(tx, name).id))
    return Response(status_code=204)


# labels (the official broker's pacticipant labels)


async def label_resource(request: Request) -> Response:
    """GET a pacticipant's label, PUT one (creating the pacticipant if needed: 201 and
    ``Location`` when the label is new), DELETE one."""
    name, label_name, u = param(request, "pacticipant"), param(request, "label"), urls(request)

    def work(tx: Transaction) -> tuple[JSONDict | None, int]:
        if request.method == "PUT":
            owner, _ = ensure_pacticipant(tx, name)
            record, created = tx.add_label(owner.id, label_name)
            return views.label(u, owner, record), 201 if created else 200
        owner = require_pacticipant(tx, name)
        if request.method == "DELETE":
            if not tx.delete_label(owner.id, label_name):
                raise not_found(f"Pacticipant '{name}' has no label '{label_name}'")
            return None, 204
        for record in tx.labels(owner.id):
            if record.name == label_name:
                return views.label(u, owner, record), 200
        raise not_found(f"Pacticipant '{name}' has no label '{label_name}'")

    rendered, status = await broker(request).run(work)
    if rendered is None:
        return Response(status_code=204)
    return hal(rendered, status, {"Location": u.label(name, label_name)} if status == 201 else None)


async def labelled_pacticipants(request: Request) -> Response:
    """The pacticipants with a label (``GET /pacticipants/label/{label}``), as ``/pacticipants`` lists them."""
    label_name, u = param(request, "label"), urls(request)
    return hal(
        await broker(request).run(lambda tx: _pacticipants(tx, u, tx.labelled(label_name), request_url(request, u)))
    )


# versions


async def list_versions(request: Request) -> Response:
    name, u = param(request, "pacticipant"), urls(request)

    def work(tx: Transaction) -> JSONDict:
        owner = require_pacticipant(tx, name)
        found: list[JSON] = [views.version(tx, u, owner, v) for v in reversed(tx.versions(owner.id))]
        return {
            "_embedded": {"versions": found},
            "_links": {"self": link(u.versions(name), title="Versions"), "pb:pacticipant": link(u.pacticipant(name))},
        }

    return hal(await broker(request).run(work))


async def get_version(request: Request) -> Response:
    name, number, u = param(request, "pacticipant"), param(request, "version"), urls(request)

    def work(tx: Transaction) -> JSONDict:
        owner = require_pacticipant(tx, name)
        return views.version(tx, u, owner, require_version(tx, owner, number))

    return hal(await broker(request).run(work))


async def delete_version(request: Request) -> Response:
    """Delete a version (the official broker's ``DELETE``), with its tags, branch links,
    deployments, the pacts it published and the verification results it made."""
    name, number = param(request, "pacticipant"), param(request, "version")

    def work(tx: Transaction) -> None:
        tx.delete_version(require_version(tx, require_pacticipant(tx, name), number).id)

    await broker(request).run(work)
    return Response(status_code=204)


def _tag_names(value: JSON) -> list[str]:
    if value is None:
        return []
    names = (
        [item.get("name") if isinstance(item, dict) else item for item in value] if isinstance(value, list) else None
    )
    if names is None or not all(isinstance(name, str) and name.strip() for name in names):
        raise invalid("tags", "must be a list of tag names")
    return names  # type: ignore[return-value]


async def put_version(request: Request) -> Response:
    name, number, u = param(request, "pacticipant"), param(request, "version"), urls(request)
    body = await json_body(request, required=False)
    build_url = optional_string(body, "buildUrl")
    branch = optional_string(body, "branch")
    tags = _tag_names(body.get("tags"))

    def work(tx: Transaction) -> tuple[JSONDict, bool]:
        owner, _ = ensure_pacticipant(tx, name)
        record, created = ensure_version(tx, owner, number, build_url)
        if branch:
            add_branch(tx, owner, record, branch)
        for tag_name in tags:
            add_tag(tx, record, tag_name)
        return views.version(tx, u, tx.pacticipant_by_id(owner.id), tx.version_by_id(record.id)), created

    rendered, created = await broker(request).run(work)
    return hal(rendered, 201 if created else 200)


async def get_latest_version(request: Request) -> Response:
    name, u = param(request, "pacticipant"), urls(request)
    tag_name = param(request, "tag") if "tag" in request.path_params else None

    def work(tx: Transaction) -> JSONDict:
        owner = require_pacticipant(tx, name)
        found = latest_version(tx, owner, tag=tag_name)
        if found is None:
            tagged = f" with tag '{tag_name}'" if tag_name else ""
            raise not_found(f"Pacticipant '{name}' has no version{tagged}")
        return views.version(tx, u, owner, found)

    return hal(await broker(request).run(work))


# tags


async def tag_resource(request: Request) -> Response:
    """GET a tag, PUT one (creating the pacticipant and version if needed), DELETE one."""
    name, number, tag_name = param(request, "pacticipant"), param(request, "version"), param(request, "tag")
    u = urls(request)

    def work(tx: Transaction) -> tuple[JSONDict | None, int]:
        if request.method == "PUT":
            owner, _ = ensure_pacticipant(tx, name)
            record, _ = ensure_version(tx, owner, number)
            created = add_tag(tx, record, tag_name)
            return views.tag(u, name, number, tag_name), 201 if created else 200
        record = require_version(tx, require_pacticipant(tx, name), number)
        if tag_name not in record.tags:
            raise not_found(f"Version '{number}' of '{name}' has no tag '{tag_name}'")
        if request.method == "DELETE":
            tx.delete_tag(record.id, tag_name)
            return None, 204
        return views.tag(u, name, number, tag_name), 200

    rendered, status = await broker(request).run(work)
    return Response(status_code=204) if rendered is None else hal(rendered, status)


# branches


async def list_branches(request: Request) -> Response:
    name, u = param(request, "pacticipant"), urls(request)

    def work(tx: Transaction) -> JSONDict:
        owner = require_pacticipant(tx, name)
        found: list[JSON] = [views.branch(u, name, b.name, b.created_at) for b in reversed(tx.branches(owner.id))]
        return {"_embedded": {"branches": found}, "_links": {"self": link(u.pacticipant(name) + "/branches")}}

    return hal(await broker(request).run(work))


async def branch_resource(request: Request) -> Response:
    name, branch_name, u = param(request, "pacticipant"), param(request, "branch"), urls(request)

    def work(tx: Transaction) -> JSONDict | None:
        owner = require_pacticipant(tx, name)
        found = tx.branch(owner.id, branch_name)
        if found is None:
            raise not_found(f"Pacticipant '{name}' has no branch '{branch_name}'")
        if request.method == "DELETE":
            tx.delete_branch(owner.id, branch_name)
            return None
        return views.branch(u, name, found.name, found.created_at)

    rendered = await broker(request).run(work)
    return Response(status_code=204) if rendered is None else hal(rendered)


async def branch_version_resource(request: Request) -> Response:
    """GET whether a version is on a branch; PUT it there (creating what is needed)."""
    name, branch_name, number = param(request, "pacticipant"), param(request, "branch"), param(request, "version")
    u = urls(request)

    def work(tx: Transaction) -> tuple[JSONDict, int]:
        if request.method == "PUT":
            owner, _ = ensure_pacticipant(tx, name)
            record, _ = ensure_version(tx, owner, number)
            created = add_branch(tx, owner, record, branch_name)
            return views.branch_version(u, name, branch_name, number), 201 if created else 200
        record = require_version(tx, require_pacticipant(tx, name), number)
        if branch_name not in record.branches:
            raise not_found(f"Version '{number}' of '{name}' is not on branch '{branch_name}'")
        return views.branch_version(u, name, branch_name, number), 200

    rendered, status = await broker(request).run(work)
    return hal(rendered, status)


# environments


def _contacts(value: JSON) -> tuple[JSONDict, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid("contacts", 'must be a list of objects like {"name": ..., "details": {...}}')
    return tuple(item for item in value if isinstance(item, dict))


def _environment_from(body: JSONDict, uuid: str) -> Environment:
    name = required_string(body, "name")
    if any(character.isspace() for character in name):
        raise invalid("name", f"cannot contain spaces, got '{name}' (use displayName for a readable name)")
    return Environment(
        uuid=uuid,
        name=name,
        display_name=optional_string(body, "displayName"),
        production=bool(optional_bool(body, "production")),
        contacts=_contacts(body.get("contacts")),
        created_at="",
        updated_at="",
    )


def _check_unique(tx: Transaction, environment: Environment) -> None:
    clash = environment_named(tx, environment.name)
    if clash is not None and clash.uuid != environment.uuid:
        raise HttpError(409, {"name": [f"Another environment with name '{environment.name}' already exists"]})


async def list_environments(request: Request) -> Response:
    u = urls(request)
    wanted = request.query_params.get("name")

    def work(tx: Transaction) -> JSONDict:
        found = [e for e in tx.environments() if wanted is None or e.name == wanted]
        return {
            "_embedded": {"environments": [views.environment(u, e) for e in found]},
            "_links": {
                "self": link(u("/environments"), title="Environments"),
                "pb:environments": [
                    link(u.environment(e.uuid), title=e.display_name or e.name, name=e.name) for e in found
                ],
            },
        }

    return hal(await broker(request).run(work))


async def create_environment(request: Request) -> Response:
    body, u = await json_body(request), urls(request)
    uuid = optional_string(body, "uuid") or new_uuid()
    environment = _environment_from(body, uuid)

    def work(tx: Transaction) -> JSONDict:
        if tx.environment(uuid) is not None:
            raise HttpError(409, {"uuid": [f"An environment with UUID '{uuid}' already exists"]})
        _check_unique(tx, environment)
        return views.environment(u, tx.save_environment(environment))

    return hal(await broker(request).run(work), 201)


async def environment_resource(request: Request) -> Response:
    """GET, PUT (create or replace) or DELETE one environment."""
    uuid, u = param(request, "uuid"), urls(request)
    body = await json_body(request) if request.method == "PUT" else {}

    def work(tx: Transaction) -> tuple[JSONDict | None, int]:
        if request.method == "PUT":
            environment = _environment_from(body, uuid)
            _check_unique(tx, environment)
            created = tx.environment(uuid) is None
            return views.environment(u, tx.save_environment(environment)), 201 if created else 200
        found = require_environment(tx, uuid)
        if request.method == "DELETE":
            tx.delete_environment(found.uuid)
            return None, 204
        return views.environment(u, found), 200

    rendered, status = await broker(request).run(work)
    return Response(status_code=204) if rendered is None else hal(rendered, status)


# deployments and releases


def _record(kind: DeploymentKind) -> Handler:
    async def record(request: Request) -> Response:
        """Record that a version was deployed to (or released in) an environment."""
        name, number, uuid = param(request, "pacticipant"), param(request, "version"), param(request, "uuid")
        body, u = await json_body(request, required=False), urls(request)
        instance = optional_string(body, "applicationInstance", "target") if kind == "deployed" else None

        def work(tx: Transaction) -> tuple[JSONDict, int]:
            owner = require_pacticipant(tx, name)
            record_version = require_version(tx, owner, number)
            environment = require_environment(tx, uuid)
            for existing in tx.deployments(kind=kind, environment_uuid=environment.uuid, active=True):
                if existing.version_id == record_version.id and existing.application_instance == instance:
                    return views.deployment(tx, u, existing), 200
                same_slot = tx.version_by_id(existing.version_id).pacticipant_id == owner.id
                if kind == "deployed" and same_slot and existing.application_instance == instance:
                    tx.end_deployment(existing.uuid)  # the new version replaces the old one
            added = tx.add_deployment(kind, record_version.id, environment.uuid, instance)
            return views.deployment(tx, u, added), 201

        rendered, status = await broker(request).run(work)
        return hal(rendered, status)

    return record


def _list_for_version(kind: DeploymentKind) -> Handler:
    async def listing(request: Request) -> Response:
        name, number, uuid, u = (
            param(request, "pacticipant"),
            param(request, "version"),
            param(request, "uuid"),
            urls(request),
        )

        def work(tx: Transaction) -> JSONDict:
            record_version = require_version(tx, require_pacticipant(tx, name), number)
            found = tx.deployments(
                kind=kind, version_id=record_version.id, environment_uuid=require_environment(tx, uuid).uuid
            )
            return {
                "_embedded": {f"{kind}Versions": [views.deployment(tx, u, d) for d in found]},
                "_links": {"self": link(request_url(request, u))},
            }

        return hal(await broker(request).run(work))

    return listing


def _current_in_environment(kind: DeploymentKind) -> Handler:
    async def current(request: Request) -> Response:
        """The versions currently deployed to (or supported in) an environment, optionally filtered."""
        uuid, u = param(request, "uuid"), urls(request)
        pacticipant_name = request.query_params.get("pacticipant")
        instance = request.query_params.get("applicationInstance") or request.query_params.get("target")

        def work(tx: Transaction) -> JSONDict:
            environment = require_environment(tx, uuid)
            found: list[JSON] = []
            for record in tx.deployments(kind=kind, environment_uuid=environment.uuid, active=True):
                owner = tx.pacticipant_by_id(tx.version_by_id(record.version_id).pacticipant_id)
                if pacticipant_name not in (None, owner.name) or instance not in (None, record.application_instance):
                    continue
                found.append(views.deployment(tx, u, record))
            return {
                "_embedded": {f"{kind}Versions": found},
                "_links": {
                    "self": link(
                        request_url(request, u),
                        title=f"Versions {kind} in {environment.display_name or environment.name}",
                    ),
                    "pb:environment": link(u.environment(environment.uuid), name=environment.name),
                },
            }

        return hal(await broker(request).run(work))

    return current


def _deployment_resource(kind: DeploymentKind) -> Handler:
    flag = "currentlyDeployed" if kind == "deployed" else "currentlySupported"

    async def resource(request: Request) -> Response:
        """GET a deployed (released) version, or PATCH it to ``{"currentlyDeployed": false}``."""
        uuid, u = param(request, "uuid"), urls(request)
        body = await json_body(request) if request.method == "PATCH" else {}
        wanted = optional_bool(body, flag)

        def work(tx: Transaction) -> JSONDict:
            found: Deployment | None = tx.deployment(uuid)
            if found is None or found.kind != kind:
                raise not_found(f"No {kind} version with UUID '{uuid}' found")
            if wanted is False:
                found = tx.end_deployment(uuid)
            elif wanted is True and not found.active:
                raise HttpError(422, {flag: [f"cannot be set back to true; record a new {kind} version instead"]})
            return views.deployment(tx, u, found)

        return hal(await broker(request).run(work))

    return resource


_VERSION = "/pacticipants/{pacticipant}/versions/{version}"

ROUTES = [
    Route("/pacticipants", list_pacticipants, methods=["GET"]),
    Route("/pacticipants", create_pacticipant, methods=["POST"]),
    Route("/pacticipants/{pacticipant}", get_pacticipant, methods=["GET"]),
    Route("/pacticipants/{pacticipant}", put_pacticipant, methods=["PUT", "PATCH"]),
    Route("/pacticipants/{pacticipant}", delete_pacticipant, methods=["DELETE"]),
    Route("/pacticipants/{pacticipant}/versions", list_versions, methods=["GET"]),
    Route(_VERSION, get_version, methods=["GET"]),
    Route(_VERSION, put_version, methods=["PUT"]),
    Route("/pacticipants/{pacticipant}/latest-version", get_latest_version, methods=["GET"]),
    Route("/pacticipants/{pacticipant}/latest-version/{tag}", get_latest_version, methods=["GET"]),
    Route(_VERSION + "/tags/{tag}", tag_resource, methods=["GET", "PUT", "DELETE"]),
    Route("/pacticipants/{pacticipant}/labels/{label}", label_resource, methods=["GET", "PUT", "DELETE"]),
    Route("/pacticipants/{pacticipant}/branches", list_branches, methods=["GET"]),
    Route("/pacticipants/{pacticipant}/branches/{branch}", branch_resource, methods=["GET", "DELETE"]),
    Route(
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        branch_version_resource,
        methods=["GET", "PUT"],
    ),
    Route(_VERSION + "/deployed-versions/environment/{uuid}", _record("deployed"), methods=["POST"]),
    Route(_VERSION + "/deployed-versions/environment/{uuid}", _list_for_version("deployed"), methods=["GET"]),
    Route(_VERSION + "/released-versions/environment/{uuid}", _record("released"), methods=["POST"]),
    Route(_VERSION + "/released-versions/environment/{uuid}", _list_for_version("released"), methods=["GET"]),
    Route("/environments", list_environments, methods=["GET"]),
    Route("/environments", create_environment, methods=["POST"]),
    Route("/environments/{uuid}", environment_resource, methods=["GET", "PUT", "DELETE"]),
    Route(
        "/environments/{uuid}/deployed-versions/currently-deployed",
        _current_in_environment("deployed"),
        methods=["GET"],
    ),
    Route(
        "/environments/{uuid}/released-versions/currently-supported",
        _current_in_environment("released"),
        methods=["GET"],
    ),
    Route("/deployed-versions/{uuid}", _deployment_resource("deployed"), methods=["GET", "PATCH"]),
    Route("/released-versions/{uuid}", _deployment_resource("released"), methods=["GET", "PATCH"]),
    Route(_VERSION, delete_version, methods=["DELETE"]),
    # after the pacticipant's own routes: a pacticipant named "label" keeps its versions
    Route("/pacticipants/label/{label}", labelled_pacticipants, methods=["GET"]),
]
