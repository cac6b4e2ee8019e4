"""What the broker's pages and badges show, read from a `Transaction` as plain records.

The pages (`_pages`), the badges (`_badges`) and the network graph (`_graph`) render
these; nothing here knows HTML. Links are root-relative (``/pacts/...``), so a page never
points at another host, whatever ``Host`` header a client sent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from ._hal import Urls, segment, timestamp
from ._store import Pacticipant, Publication, Transaction, Verification, Version

Status = Literal["verified", "failed", "changed", "unknown"]

#: links in pages are relative to the broker's root: same host, whatever the request said
LINKS = Urls("")

#: the most matrix rows a page shows (as the official broker's UI, newest first)
MATRIX_LIMIT = 100


def status_of(verification: Verification | None, *, verified_before: bool = False) -> Status:
    """``verified``/``failed`` for the pact's latest result; with none, ``changed`` when an
    earlier pact of the same pair was verified (the content changed since), else ``unknown``."""
    if verification is not None:
        return "verified" if verification.success else "failed"
    return "changed" if verified_before else "unknown"


STATUS_TEXT: dict[Status, str] = {
    "verified": "verified",
    "failed": "failed",
    "changed": "not verified (changed since last verified)",
    "unknown": "not verified",
}


def latest_verification(tx: Transaction, publication: Publication) -> Verification | None:
    found = tx.verifications(provider_id=publication.provider_id, sha=publication.sha)
    return max(found, key=lambda v: v.id, default=None)


def pair_status(tx: Transaction, publication: Publication) -> tuple[Status, Verification | None]:
    verification = latest_verification(tx, publication)
    earlier = verification is None and any(
        v.consumer_id == publication.consumer_id for v in tx.verifications(provider_id=publication.provider_id)
    )
    return status_of(verification, verified_before=earlier), verification


@dataclass(frozen=True, slots=True)
class VersionView:
    number: str
    branches: tuple[str, ...]
    tags: tuple[str, ...]
    #: "production (deployed)", "app-store (released)": where it is now
    environments: tuple[str, ...]
    url: str


def version_view(tx: Transaction, owner: Pacticipant, version: Version) -> VersionView:
    places = []
    for deployment in tx.deployments(version_id=version.id, active=True):
        environment = tx.environment(deployment.environment_uuid)
        if environment is not None:
            places.append(f"{environment.display_name or environment.name} ({deployment.kind})")
    return VersionView(
        version.number, version.branches, version.tags, tuple(places), LINKS.version(owner.name, version.number)
    )


@dataclass(frozen=True, slots=True)
class IndexRow:
    consumer: str
    provider: str
    consumer_version: VersionView
    published_at: str
    status: Status
    provider_version: str | None
    verified_at: str | None
    pact_url: str
    matrix_url: str
    badge_url: str
    verification_url: str | None


@dataclass(frozen=True, slots=True)
class Index:
    rows: list[IndexRow]
    branches: list[str]
    tags: list[str]


def index(tx: Transaction, *, branch: str | None, tag: str | None) -> Index:
    """Each consumer/provider pair with its latest pact (from a consumer version on
    ``branch`` / with ``tag`` when given) and that pact's latest verification."""
    latest: dict[tuple[int, int], tuple[Publication, Version]] = {}
    branches: set[str] = set()
    tags: set[str] = set()
    for publication in tx.publications():
        version = tx.version_by_id(publication.consumer_version_id)
        branches.update(version.branches)
        tags.update(version.tags)
        if (branch is None or branch in version.branches) and (tag is None or tag in version.tags):
            latest[(publication.consumer_id, publication.provider_id)] = (publication, version)
    rows = []
    for publication, version in latest.values():
        consumer = tx.pacticipant_by_id(publication.consumer_id)
        provider = tx.pacticipant_by_id(publication.provider_id)
        status, verification = pair_status(tx, publication)
        provider_version = tx.version_by_id(verification.provider_version_id).number if verification else None
        pacts = LINKS.pacts(provider.name, consumer.name)
        rows.append(
            IndexRow(
                consumer=consumer.name,
                provider=provider.name,
                consumer_version=version_view(tx, consumer, version),
                published_at=timestamp(publication.created_at) or "",
                status=status,
                provider_version=provider_version,
                verified_at=timestamp(verification.created_at) if verification else None,
                pact_url=LINKS.pact(provider.name, consumer.name, version.number),
                matrix_url=LINKS(f"/matrix/provider/{segment(provider.name)}/consumer/{segment(consumer.name)}"),
                badge_url=pacts + "/latest/badge",
                verification_url=(
                    LINKS.verification(provider.name, consumer.name, verification.sha, verification.id)
                    if verification
                    else None
                ),
            )
        )
    rows.sort(key=lambda row: (row.consumer.lower(), row.provider.lower()))
    return Index(rows, sorted(branches), sorted(tags))


@dataclass(frozen=True, slots=True)
class MatrixRow:
    consumer: str
    consumer_version: VersionView
    pact_url: str
    published_at: str
    provider: str
    provider_version: VersionView | None
    status: Status
    verified_at: str | None
    verification_url: str | None


@dataclass(frozen=True, slots=True)
class EnvironmentRow:
    environment: str
    production: bool
    #: (pacticipant, version, "deployed"/"released")
    versions: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Matrix:
    rows: list[MatrixRow]
    truncated: bool
    environments: list[EnvironmentRow]


def matrix(tx: Transaction, pacticipant: Pacticipant, other: Pacticipant | None = None) -> Matrix:
    """Consumer version x provider version x verified? for every pact ``pacticipant`` is
    part of (with ``other`` only, when given), newest first; and what of them is deployed
    or released in each environment."""
    publications = [
        p
        for p in tx.publications()
        if pacticipant.id in (p.consumer_id, p.provider_id)
        and (other is None or other.id in (p.consumer_id, p.provider_id))
    ]
    publications.sort(key=lambda p: (p.consumer_version_id, p.id), reverse=True)
    rows: list[MatrixRow] = []
    involved = {pacticipant.id}
    for publication in publications:
        consumer = tx.pacticipant_by_id(publication.consumer_id)
        provider = tx.pacticipant_by_id(publication.provider_id)
        involved.update((consumer.id, provider.id))
        version = tx.version_by_id(publication.consumer_version_id)
        consumer_version = version_view(tx, consumer, version)
        pact_url = LINKS.pact(provider.name, consumer.name, version.number)
        published = timestamp(publication.created_at) or ""
        verifications = sorted(tx.verifications(provider_id=provider.id, sha=publication.sha), key=lambda v: -v.id)
        if not verifications:
            rows.append(
                MatrixRow(
                    consumer.name, consumer_version, pact_url, published, provider.name, None, "unknown", None, None
                )
            )
        for verification in verifications:
            provider_version = version_view(tx, provider, tx.version_by_id(verification.provider_version_id))
            rows.append(
                MatrixRow(
                    consumer.name,
                    consumer_version,
                    pact_url,
                    published,
                    provider.name,
                    provider_version,
                    status_of(verification),
                    timestamp(verification.created_at),
                    LINKS.verification(provider.name, consumer.name, verification.sha, verification.id),
                )
            )
    return Matrix(rows[:MATRIX_LIMIT], len(rows) > MATRIX_LIMIT, environments(tx, involved))


def environments(tx: Transaction, pacticipant_ids: set[int]) -> list[EnvironmentRow]:
    """What versions of these pacticipants each environment has now (deployed or released)."""
    found = []
    for environment in sorted(tx.environments(), key=lambda e: e.name.lower()):
        row = EnvironmentRow(environment.display_name or environment.name, environment.production)
        for deployment in tx.deployments(environment_uuid=environment.uuid, active=True):
            version = tx.version_by_id(deployment.version_id)
            if version.pacticipant_id in pacticipant_ids:
                owner = tx.pacticipant_by_id(version.pacticipant_id)
                row.versions.append((owner.name, version.number, deployment.kind))
        row.versions.sort()
        found.append(row)
    return found


@dataclass(frozen=True, slots=True)
class Edge:
    consumer: str
    provider: str
    status: Status


def edges(tx: Transaction) -> list[Edge]:
    """Who consumes whom, with the status of each pair's latest pact."""
    latest: dict[tuple[int, int], Publication] = {}
    for publication in tx.publications():
        latest[(publication.consumer_id, publication.provider_id)] = publication
    found = []
    for (consumer_id, provider_id), publication in latest.items():
        status, _ = pair_status(tx, publication)
        found.append(Edge(tx.pacticipant_by_id(consumer_id).name, tx.pacticipant_by_id(provider_id).name, status))
    return sorted(found, key=lambda e: (e.consumer.lower(), e.provider.lower()))


def connected(all_edges: list[Edge], name: str) -> list[Edge]:
    """The edges of ``name``'s group: every pacticipant reachable from it either way."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in all_edges:
        neighbours[edge.consumer].add(edge.provider)
        neighbours[edge.provider].add(edge.consumer)
    seen, todo = {name}, [name]
    while todo:
        for other in neighbours[todo.pop()] - seen:
            seen.add(other)
            todo.append(other)
    return [edge for edge in all_edges if edge.consumer in seen]
