"""Pacts for verification: consumer version selectors, pending pacts and WIP pacts.

The provider posts what it is (``providerVersionBranch``, ``providerVersionTags``) and
which consumer versions it wants (``consumerVersionSelectors``); the broker answers with
the distinct pact contents those versions published, each marked pending or not, plus
the work-in-progress pacts when ``includeWipPactsSince`` is given.

Selectors (several keys in one selector narrow it; several selectors add up):

* ``{"mainBranch": true}``: the latest version from each consumer's main branch;
* ``{"branch": "b"}``: the latest version from branch b (``"fallbackBranch"`` is used for a
  consumer with no pact from b; ``"latest": false`` means every version from b);
* ``{"matchingBranch": true}``: the latest version from the provider's own branch;
* ``{"tag": "t"}``: every version tagged t; with ``"latest": true`` only the latest
  (``"fallbackTag"`` as for branches);
* ``{"latest": true}``: the latest version of each consumer;
* ``{"deployed": true}``, ``{"released": true}``, ``{"deployedOrReleased": true}``, each
  optionally with ``"environment"``; ``{"environment": "e"}`` alone is deployed or
  released in e;
* ``"consumer": "name"`` restricts any of them to one consumer.

With no selectors, the default is the latest version of each consumer's main branch (the
overall latest for a consumer without one) plus everything deployed or released.

A pact is *pending* when its content has never been successfully verified (outside a WIP
run) by a provider version on ``providerVersionBranch`` (nor, before that branch was
first seen, by any provider version); with tags instead of a branch, by a version with
each tag; with neither, by any version. A pending pact's failure must not fail the build.

*WIP* pacts are the latest pact of each consumer branch and consumer tag, published
since ``includeWipPactsSince``, not selected explicitly and still pending for the
provider branch (or tags).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from .._core._types import JSON, JSONDict
from ._store import Pacticipant, Transaction

_SELECTOR_KEYS = {
    "mainBranch": bool,
    "branch": str,
    "fallbackBranch": str,
    "matchingBranch": bool,
    "tag": str,
    "fallbackTag": str,
    "latest": bool,
    "deployed": bool,
    "released": bool,
    "deployedOrReleased": bool,
    "environment": str,
    "consumer": str,
}


class SelectorError(ValueError):
    """A pacts-for-verification query that cannot be answered; the message says why."""


@dataclass(frozen=True, slots=True)
class Selector:
    main_branch: bool = False
    branch: str | None = None
    fallback_branch: str | None = None
    matching_branch: bool = False
    tag: str | None = None
    fallback_tag: str | None = None
    latest: bool | None = None
    deployed: bool = False
    released: bool = False
    deployed_or_released: bool = False
    environment: str | None = None
    consumer: str | None = None


@dataclass(frozen=True, slots=True)
class VerificationQuery:
    selectors: tuple[Selector, ...] = ()
    provider_version_branch: str | None = None
    provider_version_tags: tuple[str, ...] = ()
    include_pending_status: bool = False
    include_wip_pacts_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConsumerPact:
    """One consumer version's pact with the provider, as the selectors see it."""

    consumer: str
    main_branch: str | None
    version: str
    order: int
    branches: frozenset[str]
    tags: frozenset[str]
    deployed_to: frozenset[str]
    released_to: frozenset[str]
    sha: str
    published_at: str


@dataclass(frozen=True, slots=True)
class ProviderVerification:
    sha: str
    success: bool
    wip: bool
    branches: frozenset[str]
    tags: frozenset[str]
    created_at: str


@dataclass(frozen=True, slots=True)
class ProviderHistory:
    """What the provider has verified, and when its branches and tags first appeared."""

    verifications: tuple[ProviderVerification, ...] = ()
    branch_created: Mapping[str, str] = field(default_factory=dict)
    tag_created: Mapping[str, str] = field(default_factory=dict)
    # the verifications of each content: `is_pending` looks one up per pact, not through all
    by_sha: Mapping[str, tuple[ProviderVerification, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_sha: dict[str, list[ProviderVerification]] = {}
        for verification in self.verifications:
            by_sha.setdefault(verification.sha, []).append(verification)
        object.__setattr__(self, "by_sha", {sha: tuple(found) for sha, found in by_sha.items()})


@dataclass(frozen=True, slots=True)
class VerifiablePact:
    """A distinct pact content to verify, with the consumer versions that selected it."""

    consumer: str
    sha: str
    versions: tuple[ConsumerPact, ...]
    reasons: tuple[str, ...]
    pending: bool
    wip: bool = False

    @property
    def latest(self) -> ConsumerPact:
        return max(self.versions, key=lambda pact: pact.order)

    def metadata(self) -> str:
        """The pact URL's metadata segment: which consumer versions, and whether WIP."""
        data: JSONDict = {"cv": [pact.version for pact in self.versions]}
        if self.wip:
            data["w"] = True
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def read_metadata(segment: str | None) -> JSONDict:
    """The inverse of `VerifiablePact.metadata` (``{}`` for anything unreadable)."""
    if not segment:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):  # a hand-made segment, nested past the parser's limit
        return {}
    return data if isinstance(data, dict) else {}


# parsing


def parse_selector(raw: JSON, index: int) -> Selector:
    where = f"consumerVersionSelectors[{index}]"
    if not isinstance(raw, dict):
        raise SelectorError(f"{where} must be a JSON object, got {json.dumps(raw)}")
    for key, value in raw.items():
        kind = _SELECTOR_KEYS.get(key)
        if kind is None:
            known = ", ".join(_SELECTOR_KEYS)
            raise SelectorError(f"{where} has an unknown property '{key}' (known: {known})")
        if value is not None and not isinstance(value, kind):
            raise SelectorError(f"{where}.{key} must be a {'boolean' if kind is bool else 'string'}")
    selector = Selector(
        main_branch=raw.get("mainBranch") is True,
        branch=_text(raw.get("branch")),
        fallback_branch=_text(raw.get("fallbackBranch")),
        matching_branch=raw.get("matchingBranch") is True,
        tag=_text(raw.get("tag")),
        fallback_tag=_text(raw.get("fallbackTag")),
        latest=latest if isinstance(latest := raw.get("latest"), bool) else None,
        deployed=raw.get("deployed") is True,
        released=raw.get("released") is True,
        deployed_or_released=raw.get("deployedOrReleased") is True,
        environment=_text(raw.get("environment")),
        consumer=_text(raw.get("consumer")),
    )
    _check(selector, where)
    return selector


def _text(value: JSON) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _check(selector: Selector, where: str) -> None:
    by_branch = selector.main_branch or selector.branch is not None or selector.matching_branch
    by_deployment = selector.deployed or selector.released or selector.deployed_or_released
    kinds = sum([by_branch, selector.tag is not None, by_deployment or selector.environment is not None])
    if kinds == 0 and selector.latest is not True:
        raise SelectorError(
            f"{where} selects nothing: give mainBranch, branch, matchingBranch, tag, latest, deployed, "
            "released, deployedOrReleased or environment"
        )
    if kinds > 1 or (selector.main_branch + (selector.branch is not None) + selector.matching_branch) > 1:
        raise SelectorError(f"{where} mixes branch, tag and deployment criteria; use one selector for each")
    if by_deployment and selector.latest is not None:
        raise SelectorError(f"{where}: 'latest' cannot be combined with deployed or released versions")
    if selector.fallback_branch is not None and selector.branch is None:
        raise SelectorError(f"{where}: fallbackBranch needs a branch")
    if selector.fallback_tag is not None and (selector.tag is None or selector.latest is not True):
        raise SelectorError(f"{where}: fallbackTag needs a tag and latest: true")


def parse_query(body: JSONDict) -> VerificationQuery:
    raw_selectors = body.get("consumerVersionSelectors") or []
    if not isinstance(raw_selectors, list):
        raise SelectorError("consumerVersionSelectors must be a list")
    branch = body.get("providerVersionBranch")
    if branch is not None and not isinstance(branch, str):
        raise SelectorError("providerVersionBranch must be a string")
    raw_tags = body.get("providerVersionTags") or []
    if not isinstance(raw_tags, list) or not all(isinstance(tag, str) for tag in raw_tags):
        raise SelectorError("providerVersionTags must be a list of strings")
    tags = [tag for tag in raw_tags if isinstance(tag, str)]
    pending = body.get("includePendingStatus", False)
    if not isinstance(pending, bool):
        raise SelectorError("includePendingStatus must be true or false")
    selectors = tuple(parse_selector(raw, index) for index, raw in enumerate(raw_selectors))
    if any(selector.matching_branch for selector in selectors) and not branch:
        raise SelectorError("a matchingBranch selector needs providerVersionBranch")
    return VerificationQuery(
        selectors=selectors,
        provider_version_branch=branch or None,
        provider_version_tags=tuple(tags),
        include_pending_status=pending,
        include_wip_pacts_since=_since(body.get("includeWipPactsSince")),
    )


def _since(value: JSON) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = datetime.combine(date.fromisoformat(value), datetime.min.time())
            except ValueError:
                moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    raise SelectorError(f"includeWipPactsSince must be a date like 2024-01-31, got {json.dumps(value)}")


# selecting


def _latest_per_consumer(pacts: Iterable[ConsumerPact]) -> list[ConsumerPact]:
    latest: dict[str, ConsumerPact] = {}
    for pact in pacts:
        if pact.consumer not in latest or pact.order > latest[pact.consumer].order:
            latest[pact.consumer] = pact
    return list(latest.values())


def _by_label(
    pacts: list[ConsumerPact], kind: str, name: str, fallback: str | None, latest: bool
) -> list[tuple[ConsumerPact, str]]:
    """Versions on a branch (``kind="branch"``) or with a tag, per consumer: the latest
    only if ``latest``; a consumer with none uses ``fallback`` instead."""
    where = "from branch" if kind == "branch" else "with tag"
    found: list[tuple[ConsumerPact, str]] = []
    for consumer in sorted({pact.consumer for pact in pacts}):
        mine = [pact for pact in pacts if pact.consumer == consumer]
        chosen = name
        labelled = [pact for pact in mine if name in (pact.branches if kind == "branch" else pact.tags)]
        if not labelled and fallback is not None:
            chosen = fallback
            labelled = [pact for pact in mine if fallback in (pact.branches if kind == "branch" else pact.tags)]
        label = f"latest {where} {chosen}" if latest else f"{where} {chosen}"
        if chosen != name:
            label += f" (fallback: none {where} {name})"
        found += [(pact, label) for pact in (_latest_per_consumer(labelled) if latest else labelled)]
    return found


def select(
    selector: Selector, pacts: list[ConsumerPact], provider_branch: str | None
) -> list[tuple[ConsumerPact, str]]:
    """The consumer pacts one selector picks, each with a short reason."""
    if selector.consumer is not None:
        pacts = [pact for pact in pacts if pact.consumer == selector.consumer]
    if selector.main_branch:
        found: list[tuple[ConsumerPact, str]] = []
        for main in sorted({pact.main_branch for pact in pacts if pact.main_branch}):
            mine = [pact for pact in pacts if pact.main_branch == main]
            found += _by_label(mine, "branch", main, None, selector.latest is not False)
        return found
    if selector.matching_branch:
        assert provider_branch is not None
        return _by_label(pacts, "branch", provider_branch, None, selector.latest is not False)
    if selector.branch is not None:
        return _by_label(pacts, "branch", selector.branch, selector.fallback_branch, selector.latest is not False)
    if selector.tag is not None:
        return _by_label(pacts, "tag", selector.tag, selector.fallback_tag, selector.latest is True)
    if selector.deployed or selector.released or selector.deployed_or_released or selector.environment:
        deployed = selector.deployed or selector.deployed_or_released or not selector.released
        released = selector.released or selector.deployed_or_released or not selector.deployed
        found = []
        for pact in pacts:
            for environment in sorted(pact.deployed_to if deployed else ()):
                if selector.environment in (None, environment):
                    found.append((pact, f"deployed to {environment}"))
            for environment in sorted(pact.released_to if released else ()):
                if selector.environment in (None, environment):
                    found.append((pact, f"released in {environment}"))
        return found
    return [(pact, "latest") for pact in _latest_per_consumer(pacts)]


def default_selectors(pacts: list[ConsumerPact]) -> tuple[Selector, ...]:
    """Each consumer's latest main-branch version (else latest), and all deployed or released."""
    selectors = []
    for consumer in sorted({pact.consumer for pact in pacts}):
        mine = [pact for pact in pacts if pact.consumer == consumer]
        on_main = any(pact.main_branch and pact.main_branch in pact.branches for pact in mine)
        selectors.append(
            Selector(main_branch=True, consumer=consumer) if on_main else Selector(latest=True, consumer=consumer)
        )
    return (*selectors, Selector(deployed=True), Selector(released=True))


def is_pending(sha: str, history: ProviderHistory, branch: str | None, tags: tuple[str, ...]) -> bool:
    """Has this content never been verified successfully by the provider branch (or tags)?"""
    passed = [v for v in history.by_sha.get(sha, ()) if v.success and not v.wip]
    if branch:
        return _pending_for([v for v in passed if branch in v.branches], passed, history.branch_created.get(branch))
    if tags:
        return any(
            _pending_for([v for v in passed if tag in v.tags], passed, history.tag_created.get(tag)) for tag in tags
        )
    return not passed


def _pending_for(by_it: list[ProviderVerification], passed: list[ProviderVerification], first_seen: str | None) -> bool:
    if by_it:
        return False
    # a new provider branch (or tag) inherits what was verified before it existed
    return not any(first_seen is None or v.created_at < first_seen for v in passed)


def pacts_for_verification(
    query: VerificationQuery, pacts: list[ConsumerPact], history: ProviderHistory
) -> list[VerifiablePact]:
    """The answer to a pacts-for-verification query, sorted by consumer then version."""
    selectors = query.selectors or default_selectors(pacts)
    chosen: dict[tuple[str, str], tuple[dict[int, ConsumerPact], list[str]]] = {}
    for selector in selectors:
        for pact, reason in select(selector, pacts, query.provider_version_branch):
            versions, reasons = chosen.setdefault((pact.consumer, pact.sha), ({}, []))
            versions[pact.order] = pact
            described = f"{reason} ({pact.version})"
            if described not in reasons:
                reasons.append(described)
    found = [
        VerifiablePact(
            consumer=consumer,
            sha=sha,
            versions=tuple(versions[order] for order in sorted(versions)),
            reasons=tuple(reasons),
            pending=is_pending(sha, history, query.provider_version_branch, query.provider_version_tags),
        )
        for (consumer, sha), (versions, reasons) in chosen.items()
    ]
    found += _wip(query, pacts, history, set(chosen))
    return sorted(found, key=lambda pact: (pact.consumer.lower(), pact.latest.order))


def _wip(
    query: VerificationQuery, pacts: list[ConsumerPact], history: ProviderHistory, selected: set[tuple[str, str]]
) -> list[VerifiablePact]:
    since = query.include_wip_pacts_since
    branch, tags = query.provider_version_branch, query.provider_version_tags
    if since is None or not (branch or tags):
        return []
    latest_by_label: dict[tuple[str, str, str], ConsumerPact] = {}
    for pact in pacts:
        for kind, names in (("branch", pact.branches), ("tag", pact.tags)):
            for name in names:
                label = (pact.consumer, kind, name)
                if label not in latest_by_label or pact.order > latest_by_label[label].order:
                    latest_by_label[label] = pact
    heads: dict[tuple[str, str], tuple[dict[int, ConsumerPact], list[str]]] = {}
    for (_, kind, name), head in sorted(latest_by_label.items()):
        key = (head.consumer, head.sha)
        if key in selected or _parse_time(head.published_at) < since:
            continue
        if not is_pending(head.sha, history, branch, tags):
            continue
        versions, reasons = heads.setdefault(key, ({}, []))
        versions[head.order] = head
        where = f"from branch {name}" if kind == "branch" else f"with tag {name}"
        reasons.append(f"latest {where} ({head.version}), work in progress")
    return [
        VerifiablePact(consumer, sha, tuple(versions[o] for o in sorted(versions)), tuple(reasons), True, True)
        for (consumer, sha), (versions, reasons) in heads.items()
    ]


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# notices


def notices(pact: VerifiablePact, provider: str, url: str, query: VerificationQuery) -> list[JSON]:
    """What a verifier should print before and after verifying ``pact``."""
    versions = ", ".join(version.version for version in pact.versions)
    if pact.wip:
        text = (
            f"The pact at {url} is being verified because it is a 'work in progress' pact: "
            f"{'; '.join(pact.reasons)}. It has not yet been successfully verified by "
            f"{_provider_side(provider, query)}, so a failure will not fail the build."
        )
    else:
        text = (
            f"The pact at {url} is being verified because consumer version(s) {versions} of {pact.consumer} "
            f"match the selectors: {'; '.join(pact.reasons)}."
        )
    found: list[JSON] = [{"when": "before_verification", "text": text}]
    if not (query.include_pending_status or pact.wip):
        return found
    side = _provider_side(provider, query)
    if pact.pending:
        found.append(
            {
                "when": "before_verification",
                "text": f"This pact is in pending state for this version of {provider} because a successful "
                f"verification result for {side} has not yet been published. If this verification fails, "
                "it will not cause the overall build to fail.",
            }
        )
        still = f"This pact is still in pending state for {side}"
        found += [
            {"when": "after_verification:success_true_published_false", "text": f"{still}: the successful "
             "verification result has not been published."},
            {"when": "after_verification:success_false_published_false", "text": f"{still}: no successful "
             "verification result has been published."},
            {"when": "after_verification:success_true_published_true", "text": f"This pact is no longer in "
             f"pending state for {side}: a successful verification result has been published. From now on, "
             "a failing verification fails the build."},
            {"when": "after_verification:success_false_published_true", "text": f"{still}: the verification "
             "failed."},
        ]  # fmt: skip
    else:
        found.append(
            {
                "when": "before_verification",
                "text": f"This pact has been successfully verified before by {side}. If this verification "
                "fails, it will fail the build.",
            }
        )
    return found


def _provider_side(provider: str, query: VerificationQuery) -> str:
    if query.provider_version_branch:
        return f"a version of {provider} from branch '{query.provider_version_branch}'"
    if query.provider_version_tags:
        return f"a version of {provider} tagged {', '.join(repr(t) for t in query.provider_version_tags)}"
    return provider


# loading from the store


def load(
    tx: Transaction, provider_id: int, query: VerificationQuery | None = None
) -> tuple[list[ConsumerPact], ProviderHistory]:
    """What `pacts_for_verification` needs about one provider to answer ``query``.

    Not the provider's whole history: only the consumer versions some selector (or the
    defaults, or WIP) can pick, found by the store with indexes (see `_candidates`), and
    the verifications of their contents; a few queries, whatever the history's size. The
    answer is the same as over every pact (``query=None`` loads them all).
    """
    environments = {environment.uuid: environment.name for environment in tx.environments()}
    consumers = {p.id: p for p in tx.pacticipants()}
    active = tx.deployments(active=True)
    if query is None:
        publications = tx.publications(provider_id=provider_id)
    else:
        wanted = _candidates(tx, provider_id, query, consumers, {d.version_id for d in active})
        publications = tx.publications_of(provider_id, wanted)
    versions = {version.id: version for version in tx.versions_by_ids({p.consumer_version_id for p in publications})}
    deployed: dict[int, set[str]] = {}
    released: dict[int, set[str]] = {}
    for deployment in active:
        by_kind = deployed if deployment.kind == "deployed" else released
        by_kind.setdefault(deployment.version_id, set()).add(environments[deployment.environment_uuid])
    pacts = []
    for publication in publications:
        consumer = consumers[publication.consumer_id]
        version = versions[publication.consumer_version_id]
        pacts.append(
            ConsumerPact(
                consumer=consumer.name,
                main_branch=consumer.main_branch,
                version=version.number,
                order=version.id,
                branches=frozenset(version.branches),
                tags=frozenset(version.tags),
                deployed_to=frozenset(deployed.get(version.id, ())),
                released_to=frozenset(released.get(version.id, ())),
                sha=publication.sha,
                published_at=publication.created_at,
            )
        )
    if query is None:
        found = tx.verifications(provider_id=provider_id)
        branch_names = [branch.name for branch in tx.branches(provider_id)]
    else:
        found = tx.verifications_of(provider_id, {pact.sha for pact in pacts})
        branch_names = [query.provider_version_branch] if query.provider_version_branch else []
    provider_versions = {version.id: version for version in tx.versions_by_ids({v.provider_version_id for v in found})}
    verifications = tuple(
        ProviderVerification(
            sha=v.sha,
            success=v.success,
            wip=v.wip,
            branches=frozenset(provider_versions[v.provider_version_id].branches),
            tags=frozenset(provider_versions[v.provider_version_id].tags),
            created_at=v.created_at,
        )
        for v in found
    )
    if query is None:
        tags = {tag for version in tx.versions(provider_id) for tag in version.tags}
    else:
        tags = set(query.provider_version_tags)
    branches = [branch for name in branch_names if (branch := tx.branch(provider_id, name)) is not None]
    history = ProviderHistory(
        verifications=verifications,
        branch_created={branch.name: branch.created_at for branch in branches},
        tag_created={tag: first for tag in sorted(tags) if (first := tx.tag_first_created(provider_id, tag))},
    )
    return pacts, history


def _candidates(
    tx: Transaction,
    provider_id: int,
    query: VerificationQuery,
    consumers: Mapping[int, Pacticipant],
    deployed: set[int],
) -> set[int]:
    """The consumer versions whose pacts some selector of ``query`` may pick.

    Each consumer's latest version, and the latest on each branch and tag a selector
    names (on every branch and tag with WIP pacts: their heads are the WIP candidates);
    every version on a branch or with a tag that a selector wants all of; the deployed
    and released versions. A selector that takes the latest of a branch (or tag) only
    needs that branch's latest version; one that falls back only needs to know whether
    the branch has any, which its latest version says.
    """
    ids = tx.consumers_of(provider_id)
    named = [c for c in ids if c in consumers]
    selectors = query.selectors or (Selector(main_branch=True), Selector(deployed_or_released=True))
    main_branches = {main for c in named if (main := consumers[c].main_branch)}
    latest_branches: set[str] = set(main_branches)  # the defaults ask whether a consumer has a main branch
    latest_tags: set[str] = set()
    every_branch: set[str] = set()
    every_tag: set[str] = set()
    for selector in selectors:
        latest = selector.latest is not False
        if selector.main_branch:
            (latest_branches if latest else every_branch).update(main_branches)
        if selector.matching_branch and query.provider_version_branch:
            (latest_branches if latest else every_branch).add(query.provider_version_branch)
        for name in (selector.branch, selector.fallback_branch):
            if name is not None:
                (latest_branches if latest else every_branch).add(name)
        for name in (selector.tag, selector.fallback_tag):
            if name is not None:
                (latest_tags if selector.latest is True else every_tag).add(name)
    wip = query.include_wip_pacts_since is not None and bool(
        query.provider_version_branch or query.provider_version_tags
    )
    heads = tx.pact_heads(
        provider_id,
        named,
        branches=None if wip else latest_branches,
        tags=None if wip else latest_tags,
    )
    found = {head.version_id for head in heads}
    if every_branch or every_tag:
        found |= tx.pact_versions_labelled(provider_id, named, branches=every_branch, tags=every_tag)
    return found | deployed
