"""The broker's storage interface: its records and the `Store` protocol.

Everything the broker keeps goes through `Transaction`, a small record-level
interface (find, list, add, update). The broker's logic (publishing, selectors, pending
and WIP pacts, the matrix) is plain Python on top of it, so another SQL database only
has to implement these methods. One `Store.transaction` is one unit of work: it
commits when the block ends and rolls back if the block raises. Implementations may
block: the server calls them from worker threads (as many at once as the store's
``capacity``), never on the event loop. apact ships `SqliteStore` and `PostgresStore`
(``_postgres.py``); `open_store` (``_open.py``) picks one from a path or a URL.
"""

from __future__ import annotations

import json
import random
import time
import uuid as uuidlib
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal, Protocol, TypeVar

from .._core._types import JSON, JSONDict

DeploymentKind = Literal["deployed", "released"]
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def new_uuid() -> str:
    return str(uuidlib.uuid4())


@dataclass(frozen=True, slots=True)
class Pacticipant:
    id: int
    name: str
    display_name: str | None
    repository_url: str | None
    main_branch: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Label:
    """A pacticipant's label (the official broker's: ``mobile``, ``team-payments``...)."""

    pacticipant_id: int
    name: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Version:
    """A pacticipant version; ``id`` also orders versions (creation order)."""

    id: int
    pacticipant_id: int
    number: str
    build_url: str | None
    created_at: str
    branches: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Branch:
    id: int
    pacticipant_id: int
    name: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Environment:
    uuid: str
    name: str
    display_name: str | None
    production: bool
    contacts: tuple[JSONDict, ...]
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Deployment:
    """A deployed version (``kind="deployed"``) or a released one (``"released"``).

    ``active`` is "currently deployed" for a deployment and "currently supported" for a
    release; ``ended_at`` records when it stopped being so.
    """

    uuid: str
    kind: DeploymentKind
    version_id: int
    environment_uuid: str
    application_instance: str | None
    active: bool
    created_at: str
    ended_at: str | None


@dataclass(frozen=True, slots=True)
class Publication:
    """A pact published by a consumer version for a provider (its latest revision)."""

    id: int
    consumer_id: int
    consumer_version_id: int
    provider_id: int
    sha: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Verification:
    id: int
    sha: str
    consumer_id: int
    provider_id: int
    provider_version_id: int
    success: bool
    wip: bool
    build_url: str | None
    test_results: JSON
    verified_by: JSON
    created_at: str


@dataclass(frozen=True, slots=True)
class Webhook:
    uuid: str
    document: JSONDict
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class PactHead:
    """The latest version of a consumer (``kind="latest"``, ``label=None``), or of one of its
    branches or tags, that published a pact with a given provider (see `Transaction.pact_heads`)."""

    consumer_id: int
    kind: Literal["latest", "branch", "tag"]
    label: str | None
    version_id: int


# webhook executions (triggered webhooks and their logs) ------------------------------

TriggeredStatus = Literal["not_run", "retrying", "success", "failure", "cancelled"]


@dataclass(frozen=True, slots=True)
class TriggeredWebhook:
    """One firing of a webhook for one event: what it was for, and how it went.

    ``variables`` are the template values computed when the event happened (so a retry
    sends what the first attempt sent); ``trigger_type`` is ``"resource_creation"`` (an
    event) or ``"user"`` (``POST /webhooks/{uuid}/execute``).
    """

    uuid: str
    webhook_uuid: str
    event_name: str
    trigger_type: str
    status: TriggeredStatus
    consumer_id: int | None
    provider_id: int | None
    consumer_version_id: int | None
    verification_id: int | None
    variables: JSONDict
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class WebhookExecution:
    """One attempt of a triggered webhook: its log (secrets redacted) and outcome."""

    id: int
    triggered_uuid: str
    success: bool
    logs: str
    created_at: str


class StorageFullError(Exception):
    """No room left for a transaction's writes; none of them was kept (the server answers 507)."""


class UnstorableTextError(ValueError):
    """A text the broker was given (a name, a version number, a branch, a URL...) holds
    a NUL character: PostgreSQL cannot store one, so neither store takes it, and the
    same request gets the same answer on both (a 400; nothing of the change is kept)."""

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 60 else text[:57] + "..."
        super().__init__(
            f"{json.dumps(shown)} holds a NUL character (\\u0000), which the broker cannot keep "
            "(in a name, a version number, a branch, a tag, an environment or a URL)"
        )


class ConflictError(Exception):
    """The transaction collided with a concurrent one and was rolled back; running it
    again (`atomically` does) sees the other's writes."""


class Transaction(Protocol):
    """Record-level access to the broker's data, inside one transaction."""

    # pacticipants
    def pacticipant(self, name: str) -> Pacticipant | None: ...
    def pacticipant_by_id(self, id: int) -> Pacticipant: ...
    def pacticipants(self) -> list[Pacticipant]: ...
    def add_pacticipant(self, name: str) -> Pacticipant: ...
    def update_pacticipant(self, pacticipant: Pacticipant) -> Pacticipant: ...
    def delete_pacticipant(self, id: int) -> None: ...

    # pacticipant labels (migration 5)
    def labels(self, pacticipant_id: int) -> list[Label]:
        """The pacticipant's labels, by name."""
        ...

    def add_label(self, pacticipant_id: int, name: str) -> tuple[Label, bool]:
        """The label (added if the pacticipant lacks it), and whether it was added now."""
        ...

    def delete_label(self, pacticipant_id: int, name: str) -> bool: ...
    def labelled(self, name: str) -> list[Pacticipant]:
        """The pacticipants with the label ``name``, as `pacticipants` orders them."""
        ...

    # versions, branches, tags
    def version(self, pacticipant_id: int, number: str) -> Version | None: ...
    def version_by_id(self, id: int) -> Version: ...
    def versions(self, pacticipant_id: int) -> list[Version]: ...
    def add_version(self, pacticipant_id: int, number: str, build_url: str | None) -> Version: ...
    def set_build_url(self, version_id: int, build_url: str) -> None: ...
    def branch(self, pacticipant_id: int, name: str) -> Branch | None: ...
    def branches(self, pacticipant_id: int) -> list[Branch]: ...
    def add_branch_version(self, version_id: int, branch: str) -> bool: ...
    def delete_branch(self, pacticipant_id: int, name: str) -> bool: ...
    def add_tag(self, version_id: int, name: str) -> bool: ...
    def delete_tag(self, version_id: int, name: str) -> bool: ...
    def tag_first_created(self, pacticipant_id: int, name: str) -> str | None: ...

    # environments, deployments and releases
    def environment(self, uuid: str) -> Environment | None: ...
    def environments(self) -> list[Environment]: ...
    def save_environment(self, environment: Environment) -> Environment: ...
    def delete_environment(self, uuid: str) -> None: ...
    def add_deployment(
        self,
        kind: DeploymentKind,
        version_id: int,
        environment_uuid: str,
        application_instance: str | None,
        uuid: str | None = None,
    ) -> Deployment: ...
    def deployment(self, uuid: str) -> Deployment | None: ...
    def deployments(
        self,
        *,
        kind: DeploymentKind | None = None,
        environment_uuid: str | None = None,
        version_id: int | None = None,
        active: bool | None = None,
    ) -> list[Deployment]: ...
    def end_deployment(self, uuid: str) -> Deployment: ...

    # pacts
    def add_pact_content(self, sha: str, consumer_id: int, provider_id: int, content: str) -> None: ...
    def pact_content(self, sha: str) -> str | None: ...
    def add_publication(self, consumer_version_id: int, provider_id: int, sha: str) -> Publication: ...
    def publications(
        self,
        *,
        provider_id: int | None = None,
        consumer_id: int | None = None,
        consumer_version_id: int | None = None,
        sha: str | None = None,
    ) -> list[Publication]: ...

    # verification results
    def add_verification(
        self,
        *,
        sha: str,
        consumer_id: int,
        provider_id: int,
        provider_version_id: int,
        success: bool,
        wip: bool,
        build_url: str | None,
        test_results: JSON,
        verified_by: JSON,
    ) -> Verification: ...
    def verification(self, id: int) -> Verification | None: ...
    def verifications(self, *, provider_id: int | None = None, sha: str | None = None) -> list[Verification]: ...

    # webhooks
    def webhook(self, uuid: str) -> Webhook | None: ...
    def webhooks(self) -> list[Webhook]: ...
    def save_webhook(self, uuid: str, document: JSONDict) -> tuple[Webhook, bool]: ...
    def delete_webhook(self, uuid: str) -> bool: ...

    # deleting pacts and versions (housekeeping: the official broker's DELETE endpoints)
    def delete_version(self, id: int) -> None:
        """The version, its branches' and tags' links, deployments, the pacts it published
        and the verifications it made; then pact contents no publication refers to any
        more, with their verification results."""
        ...

    def delete_publications(self, consumer_version_id: int, provider_id: int) -> int:
        """The pact ``consumer_version_id`` published for ``provider_id`` (how many were
        deleted), then pact contents no publication refers to, with their results."""
        ...

    # webhook executions (added with firing webhooks; see TriggeredWebhook)
    def add_triggered_webhook(
        self,
        *,
        uuid: str,
        webhook_uuid: str,
        event_name: str,
        trigger_type: str,
        consumer_id: int | None,
        provider_id: int | None,
        consumer_version_id: int | None,
        verification_id: int | None,
        variables: JSONDict,
    ) -> TriggeredWebhook: ...
    def triggered_webhook(self, uuid: str) -> TriggeredWebhook | None: ...
    def triggered_webhooks(
        self,
        *,
        webhook_uuid: str | None = None,
        consumer_version_id: int | None = None,
        provider_id: int | None = None,
        verification_id: int | None = None,
    ) -> list[TriggeredWebhook]: ...
    def set_triggered_webhook_status(self, uuid: str, status: TriggeredStatus) -> None: ...
    def add_webhook_execution(self, triggered_uuid: str, success: bool, logs: str) -> WebhookExecution: ...
    def webhook_executions(self, triggered_uuid: str) -> list[WebhookExecution]: ...

    # --- narrowed and bulk reads for the hot paths (brokerperf, issue 13) ---------------------
    # for-verification, the matrix and the latest pacts read only the rows they need, in a
    # few queries whatever the size of the history, rather than one query per record
    def versions_by_ids(self, ids: Collection[int]) -> list[Version]:
        """These versions (those that exist), by id."""
        ...

    def latest_version_id(
        self, pacticipant_id: int, *, branch: str | None = None, tag: str | None = None
    ) -> int | None:
        """The id of the pacticipant's latest version (on ``branch``, with ``tag``, if given)."""
        ...

    def integrations_of(self, pacticipant_id: int) -> set[tuple[int, int]]:
        """The (consumer id, provider id) pairs with a pact published, this pacticipant's among them."""
        ...

    def consumers_of(self, provider_id: int) -> list[int]:
        """The ids of the pacticipants that have published a pact with the provider."""
        ...

    def integration_heads(self) -> list[tuple[int, int, int]]:
        """(consumer id, provider id, version id): for every consumer and provider, the latest
        consumer version with a pact with the provider."""
        ...

    def pact_heads(
        self,
        provider_id: int,
        consumer_ids: Collection[int],
        *,
        branches: Collection[str] | None = (),
        tags: Collection[str] | None = (),
    ) -> list[PactHead]:
        """The latest version of each consumer with a pact with the provider (``kind="latest"``),
        and the latest such version on each of the consumer's branches in ``branches`` and with
        each of its tags in ``tags`` (``None``: all of the consumer's branches, tags)."""
        ...

    def pact_versions_labelled(
        self, provider_id: int, consumer_ids: Collection[int], *, branches: Collection[str], tags: Collection[str]
    ) -> set[int]:
        """Every version of these consumers on one of ``branches`` or with one of ``tags`` that has
        a pact with the provider."""
        ...

    def publications_of(self, provider_id: int | None, consumer_version_ids: Collection[int]) -> list[Publication]:
        """The provider's (``None``: any provider's) publications by these consumer versions, as
        ``publications`` orders them."""
        ...

    def verifications_of(self, provider_id: int, shas: Collection[str]) -> list[Verification]:
        """The provider's verifications of these pact contents, by id."""
        ...

    # --- end of the brokerperf reads ------------------------------------------------------------


class Store(Protocol):
    """Where the broker keeps its data; see `Transaction`.

    ``capacity`` is how many transactions the store runs at once (its connections):
    the broker runs no more worker threads than that.
    """

    capacity: int

    def transaction(self, *, optimistic: bool = False) -> AbstractContextManager[Transaction]:
        """A unit of work: commits on success, rolls back on an exception (a failed
        commit included); raises `StorageFullError` when there is no room to write.

        It may raise `ConflictError` when a concurrent transaction got in its way (always
        possible on a database server; with ``optimistic=True`` on SQLite too, which then
        lets readers run in parallel instead of taking the write lock up front).
        """
        ...

    def close(self) -> None: ...


ATTEMPTS = 20


def atomically(store: Store, work: Callable[[Transaction], T]) -> T:
    """Run ``work`` in one transaction of ``store``, again after a `ConflictError`.

    The first attempt is optimistic (readers in parallel); a retry is not (SQLite takes
    its write lock up front, so it cannot conflict again; PostgreSQL retries take turns
    on an advisory lock, though an optimistic transaction may still beat one). Retries back off with jitter,
    so that two brokers racing for the same row do not collide again in step.
    """
    for attempt in range(ATTEMPTS):
        try:
            with store.transaction(optimistic=attempt == 0) as tx:
                return work(tx)
        except ConflictError:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, min(0.25, 0.002 * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover
