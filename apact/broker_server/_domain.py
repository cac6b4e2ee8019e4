"""The broker's operations on its records: plain functions over a `Transaction`.

They raise `HttpError` (404, 400, 409) for the caller to
render. A function that creates what it needs says so in its name (``ensure_...``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, Literal

from .._core._types import JSON, JSONDict
from ._hal import HttpError, invalid, not_found
from ._store import Environment, Pacticipant, Publication, Transaction, Verification, Version

# a pacticipant without a main branch gets the first of these it is seen on (as the
# Ruby Pact Broker does by default)
MAIN_BRANCH_CANDIDATES = ("develop", "main", "master")


def require_pacticipant(tx: Transaction, name: str) -> Pacticipant:
    found = tx.pacticipant(name)
    if found is None:
        raise not_found(f"No pacticipant with name '{name}' found")
    return found


def ensure_pacticipant(tx: Transaction, name: str) -> tuple[Pacticipant, bool]:
    """The pacticipant called ``name``, and whether it was created now."""
    found = tx.pacticipant(name)
    if found is not None:
        return found, False
    if not name.strip():
        raise invalid("name", "cannot be blank")
    return tx.add_pacticipant(name), True


def require_version(tx: Transaction, pacticipant: Pacticipant, number: str) -> Version:
    found = tx.version(pacticipant.id, number)
    if found is None:
        raise not_found(f"No version '{number}' of pacticipant '{pacticipant.name}' found")
    return found


def ensure_version(
    tx: Transaction, pacticipant: Pacticipant, number: str, build_url: str | None = None
) -> tuple[Version, bool]:
    """The version ``number`` of ``pacticipant``, and whether it was created now."""
    found = tx.version(pacticipant.id, number)
    if found is not None:
        if build_url and build_url != found.build_url:
            tx.set_build_url(found.id, build_url)
            found = tx.version_by_id(found.id)
        return found, False
    if not number.strip():
        raise invalid("version", "cannot be blank")
    return tx.add_version(pacticipant.id, number, build_url), True


def add_branch(tx: Transaction, pacticipant: Pacticipant, version: Version, branch: str) -> bool:
    """Put ``version`` on ``branch``; the first candidate branch becomes the main branch."""
    if not branch.strip():
        raise invalid("branch", "cannot be blank")
    created = tx.add_branch_version(version.id, branch)
    current = tx.pacticipant_by_id(pacticipant.id)
    if current.main_branch is None and branch in MAIN_BRANCH_CANDIDATES:
        update_pacticipant(tx, current, main_branch=branch)
    return created


def add_tag(tx: Transaction, version: Version, tag: str) -> bool:
    if not tag.strip():
        raise invalid("tag", "cannot be blank")
    return tx.add_tag(version.id, tag)


def latest_version(tx: Transaction, pacticipant: Pacticipant, *, tag: str | None = None) -> Version | None:
    """The pacticipant's most recently created version (with ``tag``, if given)."""
    found = tx.latest_version_id(pacticipant.id, tag=tag)  # by index: not every version read
    return tx.version_by_id(found) if found is not None else None


#: the largest row id a store holds (SQLite's INTEGER, PostgreSQL's bigint)
_MAX_ID = 2**63 - 1


def require_verification(
    tx: Transaction, provider: Pacticipant, consumer: Pacticipant, sha: str, raw_id: str
) -> Verification:
    """The verification result ``raw_id`` (a path segment) of the pact ``sha`` between
    the two. An id that is not ASCII digits (``"\u00b2"`` is a digit to `str.isdigit`,
    not to `int`) or past 64 bits names no row: a 404, not an error from the store."""
    number = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
    found = tx.verification(number) if number is not None and number <= _MAX_ID else None
    if found is None or found.sha != sha or found.provider_id != provider.id or found.consumer_id != consumer.id:
        raise not_found(f"No verification result {raw_id} for this pact found")
    return found


def require_environment(tx: Transaction, uuid: str) -> Environment:
    found = tx.environment(uuid)
    if found is None:
        raise not_found(f"No environment with UUID '{uuid}' found")
    return found


def environment_named(tx: Transaction, name: str) -> Environment | None:
    return next((environment for environment in tx.environments() if environment.name == name), None)


def update_pacticipant(tx: Transaction, pacticipant: Pacticipant, **changes: Any) -> Pacticipant:
    return tx.update_pacticipant(replace(pacticipant, **changes))


# pacts


def _canonical(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pact_sha(document: JSONDict) -> str:
    """The pact version's identity: a SHA-1 of its content, whatever the interaction order."""
    normal = dict(document)
    for key in ("interactions", "messages"):
        items = normal.get(key)
        if isinstance(items, list):
            normal[key] = sorted(items, key=_canonical)
    return hashlib.sha1(_canonical(normal).encode()).hexdigest()


def interaction_id(interaction: JSON) -> str:
    return hashlib.sha1(_canonical(interaction).encode()).hexdigest()


def with_interaction_ids(document: JSONDict) -> JSONDict:
    """The pact with an ``_id`` on each interaction (verifiers report results by it)."""
    served = dict(document)
    for key in ("interactions", "messages"):
        items = served.get(key)
        if isinstance(items, list):
            served[key] = [
                {**item, "_id": interaction_id(item)} if isinstance(item, dict) and "_id" not in item else item
                for item in items
            ]
    return served


def interaction_descriptions(document: JSONDict) -> dict[str, str]:
    """``_id`` -> description for every interaction of a stored pact."""
    found: dict[str, str] = {}
    for key in ("interactions", "messages"):
        items = document.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    found[str(item.get("_id") or interaction_id(item))] = str(item.get("description", ""))
    return found


def read_pact(content: JSON, *, consumer: str | None, provider: str | None, field: str = "content") -> JSONDict:
    """A pact document from a request, checked against the consumer and provider expected."""
    if not isinstance(content, dict):
        raise invalid(field, "must be a pact: a JSON object")
    document = {key: value for key, value in content.items() if key not in ("_links", "createdAt")}
    for role, expected in (("consumer", consumer), ("provider", provider)):
        party = document.get(role)
        name = party.get("name") if isinstance(party, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise invalid(field, f"the pact has no {role} name ({role}.name)")
        if expected is not None and name != expected:
            raise invalid(field, f"the pact's {role} is '{name}', but it is published for {role} '{expected}'")
    return document


def _interaction_key(interaction: JSON) -> str:
    if not isinstance(interaction, dict):
        return _canonical(interaction)
    states = interaction.get("providerStates", interaction.get("providerState"))
    return _canonical([interaction.get("description"), states])


def merge_pacts(existing: JSONDict, new: JSONDict) -> JSONDict:
    """``new`` on top of ``existing``: interactions with the same description and states are replaced."""
    merged = dict(existing)
    merged.update({key: value for key, value in new.items() if key not in ("interactions", "messages")})
    for key in ("interactions", "messages"):
        old_items, new_items = existing.get(key), new.get(key)
        if not isinstance(old_items, list) or not isinstance(new_items, list):
            if isinstance(new_items, list):
                merged[key] = new_items
            continue
        replaced = {_interaction_key(item) for item in new_items}
        merged[key] = [item for item in old_items if _interaction_key(item) not in replaced] + new_items
    return merged


PublishStatus = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class PublishedPact:
    consumer: Pacticipant
    provider: Pacticipant
    version: Version
    publication: Publication
    status: PublishStatus


def publish_pact(
    tx: Transaction,
    consumer: Pacticipant,
    version: Version,
    provider_name: str,
    document: JSONDict,
    *,
    merge: bool,
    allow_modification: bool,
) -> PublishedPact:
    """Store ``document`` as ``version``'s pact with the provider (created if needed)."""
    provider, _ = ensure_pacticipant(tx, provider_name)
    existing = next(iter(tx.publications(consumer_version_id=version.id, provider_id=provider.id)), None)
    if existing is not None and merge:
        stored = tx.pact_content(existing.sha)
        if stored is not None:
            document = merge_pacts(json.loads(stored), document)
    sha = pact_sha(document)
    if existing is not None and existing.sha == sha:
        return PublishedPact(consumer, provider, version, existing, "unchanged")
    if existing is not None and not allow_modification:
        raise HttpError(
            409,
            {
                "content": [
                    f"Cannot change the content of the pact for {consumer.name} version {version.number} and "
                    f"provider {provider.name}: this broker does not allow pacts to be modified. Publish the "
                    "changed pact with a new consumer version (e.g. the new git commit)."
                ]
            },
        )
    tx.add_pact_content(sha, consumer.id, provider.id, json.dumps(document, ensure_ascii=False))
    publication = tx.add_publication(version.id, provider.id, sha)
    return PublishedPact(consumer, provider, version, publication, "created" if existing is None else "updated")


def pact_document(tx: Transaction, sha: str) -> JSONDict:
    stored = tx.pact_content(sha)
    if stored is None:
        raise not_found(f"No pact with SHA '{sha}' found")
    document: JSONDict = json.loads(stored)
    return document


def latest_publication(
    tx: Transaction,
    provider: Pacticipant,
    consumer: Pacticipant,
    *,
    tag: str | None = None,
    branch: str | None = None,
) -> tuple[Publication, Version] | None:
    """The pact of the latest consumer version (with the tag or on the branch, if given)."""
    if tag is not None and branch is not None:  # both: no route asks this, read them all
        candidates = [p.consumer_version_id for p in tx.publications(provider_id=provider.id, consumer_id=consumer.id)]
    else:  # the store finds the one version by index, whatever the history's size
        heads = tx.pact_heads(
            provider.id, [consumer.id], branches=[branch] if branch else (), tags=[tag] if tag else ()
        )
        kind = "tag" if tag is not None else "branch" if branch is not None else "latest"
        candidates = [head.version_id for head in heads if head.kind == kind]
    publications = tx.publications_of(provider.id, candidates)
    versions = {version.id: version for version in tx.versions_by_ids(candidates)}
    for publication in reversed(publications):
        version = versions[publication.consumer_version_id]
        if (tag is None or tag in version.tags) and (branch is None or branch in version.branches):
            return publication, version
    return None


def provider_publications(
    tx: Transaction,
    provider: Pacticipant,
    *,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
    latest: bool = True,
) -> list[tuple[Pacticipant, Publication, Version]]:
    """The pacts of ``provider``'s consumers: each consumer's latest one, or all of them
    (``latest=False``), from versions with ``tag``, on ``branch`` or on the consumer's
    main branch, if given; sorted by consumer, then version.

    Only the versions that can be the answer are read (found by index: the latest of each
    consumer, branch or tag, or every version on the branch or with the tag), then checked
    as before.
    """
    consumers = {p.id: p for p in tx.pacticipants()}
    ids = [id for id in tx.consumers_of(provider.id) if id in consumers]
    branches = (
        {c.main_branch for id in ids if (c := consumers[id]).main_branch}
        if main_branch
        else ({branch} if branch is not None else set())
    )
    tags = {tag} if tag is not None else set()
    if latest and not (tags and branches):
        candidates = {head.version_id for head in tx.pact_heads(provider.id, ids, branches=branches, tags=tags)}
        publications = tx.publications_of(provider.id, candidates)
    elif branches or tags:
        publications = tx.publications_of(
            provider.id, tx.pact_versions_labelled(provider.id, ids, branches=branches, tags=tags)
        )
    else:
        publications = tx.publications(provider_id=provider.id)
    versions = {version.id: version for version in tx.versions_by_ids({p.consumer_version_id for p in publications})}
    found: dict[tuple[int, int], tuple[Pacticipant, Publication, Version]] = {}
    for publication in publications:
        consumer = consumers.get(publication.consumer_id) or tx.pacticipant_by_id(publication.consumer_id)
        version = versions[publication.consumer_version_id]
        wanted_branch = consumer.main_branch if main_branch else branch
        if (tag is not None and tag not in version.tags) or (main_branch and wanted_branch is None):
            continue
        if wanted_branch is not None and wanted_branch not in version.branches:
            continue
        found[(consumer.id, 0 if latest else version.id)] = (consumer, publication, version)
    return sorted(found.values(), key=lambda item: (item[0].name.lower(), item[2].id))


def latest_pacts(tx: Transaction) -> list[tuple[Pacticipant, Pacticipant, Publication, Version]]:
    """Every integration's latest pact (provider, consumer, publication, version), by
    provider then consumer: what `provider_publications` gives for each provider, in a
    few queries for them all."""
    pacticipants = {p.id: p for p in tx.pacticipants()}
    heads = {(consumer, provider): version for consumer, provider, version in tx.integration_heads()}
    publications = {
        (p.consumer_id, p.provider_id): p
        for p in tx.publications_of(None, set(heads.values()))
        if heads.get((p.consumer_id, p.provider_id)) == p.consumer_version_id
    }
    versions = {v.id: v for v in tx.versions_by_ids({p.consumer_version_id for p in publications.values()})}
    found = [
        (pacticipants[provider], pacticipants[consumer], publication, versions[publication.consumer_version_id])
        for (consumer, provider), publication in publications.items()
    ]
    return sorted(found, key=lambda item: (item[0].name.lower(), item[0].id, item[1].name.lower(), item[3].id))
