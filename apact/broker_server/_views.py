"""The HAL JSON of each broker resource (what the official clients read)."""

from __future__ import annotations

from .._core._types import JSONDict
from ._domain import latest_version, with_interaction_ids
from ._hal import Urls, link, timestamp
from ._store import Deployment, Environment, Label, Pacticipant, Transaction, Verification, Version, Webhook


def version_summary(urls: Urls, pacticipant: str, version: Version) -> JSONDict:
    return {
        "number": version.number,
        "_links": {"self": link(urls.version(pacticipant, version.number), title="Version", name=version.number)},
    }


def pacticipant(tx: Transaction, urls: Urls, record: Pacticipant) -> JSONDict:
    base = urls.pacticipant(record.name)
    body: JSONDict = {
        "name": record.name,
        "displayName": record.display_name or record.name,
        "repositoryUrl": record.repository_url,
        "mainBranch": record.main_branch,
        "createdAt": timestamp(record.created_at),
        "updatedAt": timestamp(record.updated_at),
    }
    latest = latest_version(tx, record)
    embedded: JSONDict = {"latest-version": version_summary(urls, record.name, latest)} if latest is not None else {}
    # the official broker embeds the labels always, an empty list included
    embedded["labels"] = [
        {
            "name": found.name,
            "_links": {"self": link(urls.label(record.name, found.name), title="Label", name=found.name)},
        }
        for found in tx.labels(record.id)
    ]
    body["_embedded"] = embedded
    body["_links"] = {
        "self": link(base, title="Pacticipant", name=record.name),
        "versions": link(urls.versions(record.name), title="All application versions"),
        "pb:versions": link(urls.versions(record.name), title="All application versions"),
        "pb:version": link(base + "/versions/{version}", title="Get, create or delete a version", templated=True),
        "pb:version-tag": link(
            base + "/versions/{version}/tags/{tag}", title="Get, create or delete a tag", templated=True
        ),
        "pb:branch-version": link(
            base + "/branches/{branch}/versions/{version}", title="Get or add a branch version", templated=True
        ),
        "pb:branches": link(base + "/branches", title="Branches"),
        "pb:label": link(
            base + "/labels/{label}", title=f"Get, create or delete a label for {record.name}", templated=True
        ),
        "pb:latest-version": link(base + "/latest-version", title="Latest version"),
        "pb:latest-tagged-version": link(
            base + "/latest-version/{tag}", title="Latest version with a tag", templated=True
        ),
    }
    return body


def label(urls: Urls, owner: Pacticipant, record: Label) -> JSONDict:
    """A pacticipant label, as the official broker's (``pacticipant``: no ``pb:`` there)."""
    return {
        "name": record.name,
        "createdAt": timestamp(record.created_at),
        "updatedAt": timestamp(record.updated_at),
        "_links": {
            "self": link(urls.label(owner.name, record.name), title="Label", name=record.name),
            "pacticipant": link(urls.pacticipant(owner.name), title="Pacticipant", name=owner.name),
        },
    }


def version(tx: Transaction, urls: Urls, owner: Pacticipant, record: Version) -> JSONDict:
    url = urls.version(owner.name, record.number)
    environments = tx.environments()
    return {
        "number": record.number,
        "buildUrl": record.build_url,
        "branch": record.branches[-1] if record.branches else None,
        "createdAt": timestamp(record.created_at),
        "_embedded": {
            "branchVersions": [
                {"name": name, "_links": {"self": link(urls.branch_version(owner.name, name, record.number))}}
                for name in record.branches
            ],
            "tags": [
                {"name": name, "_links": {"self": link(urls.tag(owner.name, record.number, name))}}
                for name in record.tags
            ],
        },
        "_links": {
            "self": link(url, title="Version", name=record.number),
            "pb:pacticipant": link(urls.pacticipant(owner.name), title="Pacticipant", name=owner.name),
            "pb:tag": link(url + "/tags/{tag}", title="Get, create or delete a tag", templated=True),
            "pb:record-deployment": [
                link(
                    urls.record("deployed", owner.name, record.number, environment.uuid),
                    title=f"Record deployment to {environment.display_name or environment.name}",
                    name=environment.name,
                )
                for environment in environments
            ],
            "pb:record-release": [
                link(
                    urls.record("released", owner.name, record.number, environment.uuid),
                    title=f"Record release to {environment.display_name or environment.name}",
                    name=environment.name,
                )
                for environment in environments
            ],
        },
    }


def tag(urls: Urls, owner: str, number: str, name: str) -> JSONDict:
    return {
        "name": name,
        "_links": {
            "self": link(urls.tag(owner, number, name), title="Tag", name=name),
            "pb:version": link(urls.version(owner, number), title="Version", name=number),
            "pb:pacticipant": link(urls.pacticipant(owner), title="Pacticipant", name=owner),
        },
    }


def branch(urls: Urls, owner: str, name: str, created_at: str) -> JSONDict:
    return {
        "name": name,
        "createdAt": timestamp(created_at),
        "_links": {
            "self": link(urls.branch(owner, name), title="Branch", name=name),
            "pb:pacticipant": link(urls.pacticipant(owner), title="Pacticipant", name=owner),
        },
    }


def branch_version(urls: Urls, owner: str, branch_name: str, number: str) -> JSONDict:
    return {
        "name": branch_name,
        "number": number,
        "_links": {
            "self": link(urls.branch_version(owner, branch_name, number), title="Branch version", name=number),
            "pb:version": link(urls.version(owner, number), title="Version", name=number),
            "pb:branch": link(urls.branch(owner, branch_name), title="Branch", name=branch_name),
        },
    }


def environment(urls: Urls, record: Environment) -> JSONDict:
    url = urls.environment(record.uuid)
    return {
        "uuid": record.uuid,
        "name": record.name,
        "displayName": record.display_name or record.name,
        "production": record.production,
        "contacts": list(record.contacts),
        "createdAt": timestamp(record.created_at),
        "updatedAt": timestamp(record.updated_at),
        "_links": {
            "self": link(url, title="Environment", name=record.name),
            "pb:currently-deployed-deployed-versions": link(
                url + "/deployed-versions/currently-deployed", title="Versions currently deployed"
            ),
            "pb:currently-supported-released-versions": link(
                url + "/released-versions/currently-supported", title="Versions released and supported"
            ),
            "pb:environments": link(urls("/environments"), title="Environments"),
        },
    }


def deployment(tx: Transaction, urls: Urls, record: Deployment) -> JSONDict:
    version_record = tx.version_by_id(record.version_id)
    owner = tx.pacticipant_by_id(version_record.pacticipant_id)
    place = tx.environment(record.environment_uuid)
    deployed = record.kind == "deployed"
    url = urls.deployed_version(record.uuid) if deployed else urls.released_version(record.uuid)
    body: JSONDict = {"uuid": record.uuid}
    if deployed:
        body.update(
            currentlyDeployed=record.active,
            applicationInstance=record.application_instance,
            target=record.application_instance,
            undeployedAt=timestamp(record.ended_at),
        )
    else:
        body.update(currentlySupported=record.active, supportEndedAt=timestamp(record.ended_at))
    body["createdAt"] = timestamp(record.created_at)
    body["_embedded"] = {
        "version": version_summary(urls, owner.name, version_record),
        "pacticipant": {"name": owner.name, "_links": {"self": link(urls.pacticipant(owner.name))}},
        "environment": environment(urls, place) if place else None,
    }
    body["_links"] = {
        "self": link(url, title="Deployed version" if deployed else "Released version"),
        "pb:version": link(
            urls.version(owner.name, version_record.number), title="Version", name=version_record.number
        ),
        "pb:environment": link(urls.environment(record.environment_uuid), title="Environment"),
    }
    return body


def pact(
    urls: Urls,
    document: JSONDict,
    *,
    consumer: str,
    provider: str,
    consumer_version: str,
    sha: str,
    created_at: str,
    self_url: str,
    metadata: str | None = None,
) -> JSONDict:
    """A stored pact as served: its content, ``_id`` on interactions, HAL links."""
    served = with_interaction_ids(document)
    served["createdAt"] = timestamp(created_at)
    pacts = urls.pacts(provider, consumer)
    served["_links"] = {
        "self": link(self_url, title="Pact", name=f"Pact between {consumer} ({consumer_version}) and {provider}"),
        "pb:consumer": link(urls.pacticipant(consumer), title="Consumer", name=consumer),
        "pb:consumer-version": link(
            urls.version(consumer, consumer_version), title="Consumer version", name=consumer_version
        ),
        "pb:provider": link(urls.pacticipant(provider), title="Provider", name=provider),
        "pb:pact-version": link(urls.pact_version(provider, consumer, sha), title="Pact content version", name=sha),
        "pb:latest-pact-version": link(pacts + "/latest", title="Latest version of this pact"),
        "pb:latest-verification-results": link(
            urls.pact(provider, consumer, consumer_version) + "/verification-results/latest",
            title="Latest verification result",
        ),
        "pb:publish-verification-results": link(
            urls.pact_version(provider, consumer, sha, metadata) + "/verification-results",
            title="Publish verification results",
        ),
        "pb:triggered-webhooks": link(
            urls.pact(provider, consumer, consumer_version) + "/triggered-webhooks",
            title="Webhooks triggered by the publication of this pact",
        ),
    }
    return served


def verification(tx: Transaction, urls: Urls, record: Verification) -> JSONDict:
    consumer = tx.pacticipant_by_id(record.consumer_id).name
    provider = tx.pacticipant_by_id(record.provider_id).name
    number = tx.version_by_id(record.provider_version_id).number
    return {
        "providerName": provider,
        "providerApplicationVersion": number,
        "success": record.success,
        "wip": record.wip,
        "verificationDate": timestamp(record.created_at),
        "buildUrl": record.build_url,
        "testResults": record.test_results,
        "verifiedBy": record.verified_by,
        "_links": {
            "self": link(urls.verification(provider, consumer, record.sha, record.id), title="Verification result"),
            "pb:pact-version": link(urls.pact_version(provider, consumer, record.sha), title="Pact content version"),
            "pb:provider-version": link(urls.version(provider, number), title="Provider version", name=number),
            "pb:provider": link(urls.pacticipant(provider), title="Provider", name=provider),
            "pb:consumer": link(urls.pacticipant(consumer), title="Consumer", name=consumer),
            "pb:triggered-webhooks": link(
                urls.verification(provider, consumer, record.sha, record.id) + "/triggered-webhooks",
                title="Webhooks triggered by the publication of this verification result",
            ),
        },
    }


def webhook_title(record: Webhook) -> str:
    description = record.document.get("description")
    return description if isinstance(description, str) and description else "Webhook"


def webhook(urls: Urls, record: Webhook) -> JSONDict:
    body = dict(record.document)
    request = body.get("request")
    if isinstance(request, dict) and "password" in request:
        body["request"] = {**request, "password": "**********"}
    body["createdAt"] = timestamp(record.created_at)
    body["updatedAt"] = timestamp(record.updated_at)
    body["_links"] = {
        "self": link(urls.webhook(record.uuid), title=webhook_title(record)),
        "pb:webhooks": link(urls("/webhooks"), title="Webhooks"),
        "pb:execute": link(urls.webhook(record.uuid) + "/execute", title="Test the execution of the webhook"),
        "pb:triggered-webhooks": link(
            urls.webhook(record.uuid) + "/triggered-webhooks", title="Every time this webhook was triggered"
        ),
    }
    return body
