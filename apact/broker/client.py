"""A Pact Broker client: publish pacts, fetch pacts to verify, publish verification
results, ask can-i-deploy, record deployments and releases, create environments.

```python
from apact.broker import BrokerClient

async with BrokerClient("https://broker.example", token="...") as broker:   # or the PACT_BROKER_* variables
    await broker.publish_pacts(["pacts/"], consumer_version=git_sha, branch="main")

    pacts = await broker.pacts_for_verification(
        "Grill Chef", selectors=[{"mainBranch": True}, {"deployedOrReleased": True}],
        provider_branch="main", include_pending=True,
    )
    result = await verifier.verify(*pacts.sources)      # pending pacts do not fail it
    await broker.publish_verification_results(result, provider_version=git_sha, branch="main")

    answer = await broker.can_i_deploy("Grill Chef", version=git_sha, to_environment="production")
    print(answer.report())
```

Every operation starts from the broker's index and follows its HAL links, as the
official clients do. See ``docs/broker.md``.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import anyio
import anyio.to_thread
import httpx

from .._core._types import JSON, JSONDict
from ..errors import BrokerError, PactFileError
from ..pact import _jsondepth, pactfile
from ..pact._local import load_pact_files
from ..pact._unreadable import together
from ..pact.model import PactFile
from ._client_http import Hal, configure, links

if TYPE_CHECKING:  # imported where used: publish, can-i-deploy and the rest never load the verifier
    from ..verifier import PactResult, PactSource, VerificationResult

__all__ = [
    "BrokerClient",
    "CanIDeployResult",
    "Environment",
    "MatrixRow",
    "Notice",
    "PactsForVerification",
    "PublishedPact",
    "PublishedVerification",
    "PublishResult",
    "Recorded",
    "VerifiablePact",
    "VerificationNotice",
    "VerificationPublication",
]

#: seconds to wait before each retry of a transient failure
DEFAULT_RETRY_DELAYS = (0.5, 1.0, 2.0)
_FETCH_CONCURRENCY = 8


# -- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a broker wants shown: ``type`` is ``success``, ``info``, ``warning``,
    ``error``, ``danger``, ``debug`` or ``prompt``."""

    type: str
    text: str

    def __str__(self) -> str:
        return self.text if self.type not in ("warning", "error", "danger") else f"{self.type}: {self.text}"


@dataclass(frozen=True, slots=True)
class PublishedPact:
    consumer: str
    provider: str
    #: the pact's URL on the broker (for this consumer version), when the broker gave it
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What `BrokerClient.publish_pacts` did, with the broker's notices."""

    consumer_version: str
    pacts: tuple[PublishedPact, ...]
    notices: tuple[Notice, ...]

    def report(self) -> str:
        return "\n".join(str(notice) for notice in self.notices)


@dataclass(frozen=True, slots=True)
class VerificationNotice:
    """A broker's notice about one pact to verify; ``when`` is ``before_verification`` or
    ``after_verification:success_{true,false}_published_{true,false}``."""

    when: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class VerifiablePact:
    """One pact the broker says the provider should verify, fetched."""

    #: the pact's URL on the broker (a pact-version URL)
    url: str
    #: why it was selected (``latest from main branch``, ``pending``, ...)
    description: str
    #: not yet verified by this provider (branch): a failure must not fail the build
    pending: bool
    #: work in progress: included by ``include_wip_since``, not by a selector (also pending)
    wip: bool
    notices: tuple[VerificationNotice, ...]
    pact: PactFile = field(repr=False)

    @property
    def source(self) -> PactSource:
        """What `apact.Verifier.verify` takes: pending (and WIP) pacts are pending
        sources, and the broker's notices go into the result."""
        from ..verifier import PactSource

        return PactSource(self.pact, self.url, self.pending or self.wip, tuple(self.notices_before()))

    def notices_before(self) -> list[str]:
        return [notice.text for notice in self.notices if notice.when == "before_verification"]

    def notices_after(self, *, success: bool, published: bool) -> list[str]:
        when = f"after_verification:success_{str(success).lower()}_published_{str(published).lower()}"
        return [notice.text for notice in self.notices if notice.when == when]


@dataclass(frozen=True, slots=True)
class PactsForVerification:
    """The pacts a broker selected for a provider: pass `sources` to ``verify()``."""

    provider: str
    pacts: tuple[VerifiablePact, ...]
    #: about the selection itself (a provider the broker does not know, ...)
    notices: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[PactSource, ...]:
        return tuple(pact.source for pact in self.pacts)

    def notices_after(self, result: VerificationResult, published: VerificationPublication | None = None) -> list[str]:
        """The broker's after-verification notices for each pact in ``result`` (chosen by
        its outcome and whether its result was published)."""
        done = {item.pact_url for item in published.published} if published is not None else set()
        found: list[str] = []
        by_url = {pact.url: pact for pact in self.pacts}
        for outcome in result.pacts:
            pact = by_url.get(outcome.source)
            if pact is not None:
                found += pact.notices_after(success=_success(outcome), published=outcome.source in done)
        return found


@dataclass(frozen=True, slots=True)
class PublishedVerification:
    consumer: str
    provider: str
    #: the pact verified (its URL on the broker)
    pact_url: str
    success: bool
    #: the verification result's URL on the broker
    url: str | None = None


@dataclass(frozen=True, slots=True)
class VerificationPublication:
    """What `BrokerClient.publish_verification_results` published, and what it left
    out and why (pacts not from a broker, or not completely verified)."""

    provider_version: str
    published: tuple[PublishedVerification, ...]
    #: ``(pact source, reason)``
    left_out: tuple[tuple[str, str], ...] = ()

    def report(self) -> str:
        lines = [
            f"Published the verification result of {item.consumer} -> {item.provider} "
            f"(success: {str(item.success).lower()}) for {item.provider} version {self.provider_version}"
            for item in self.published
        ]
        lines += [f"Not published for {source}: {reason}" for source, reason in self.left_out]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One row of the matrix can-i-deploy looked at."""

    consumer: str
    consumer_version: str | None
    provider: str
    provider_version: str | None
    #: the verification's outcome, ``None`` when there is none
    success: bool | None
    ignored: bool = False


@dataclass(frozen=True, slots=True)
class CanIDeployResult:
    """The broker's answer: `deployable` is ``True`` (yes), ``False`` (no) or
    ``None`` (unknown: a verification is missing, which means no too)."""

    pacticipant: str
    version: str | None
    branch: str | None
    environment: str | None
    deployable: bool | None
    #: the broker's reasons, each naming the versions and, for failures, the interactions
    reasons: tuple[Notice, ...]
    rows: tuple[MatrixRow, ...] = ()
    #: how many rows that count have no verification result (the broker's summary)
    unknown: int = 0
    #: the tag checked against (``to_tag=``), instead of an environment
    tag: str | None = None

    @property
    def ok(self) -> bool:
        return self.deployable is True

    def __bool__(self) -> bool:
        return self.ok

    def report(self) -> str:
        """A table of the matrix rows, the reasons, and the verdict."""
        lines: list[str] = []
        if self.rows:
            table = [("CONSUMER", "C.VERSION", "PROVIDER", "P.VERSION", "SUCCESS?")]
            table += [
                (
                    row.consumer,
                    row.consumer_version or "?",
                    row.provider,
                    row.provider_version or "?",
                    ("ignored, " if row.ignored else "")
                    + ("unknown" if row.success is None else str(row.success).lower()),
                )
                for row in self.rows
            ]
            widths = [max(len(cells[i]) for cells in table) for i in range(5)]
            lines += [
                "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
                for cells in table
            ]
            lines.append("")
        lines += [reason.text for reason in self.reasons]
        what = (
            f"{self.pacticipant} version {self.version}"
            if self.version
            else f"{self.pacticipant} (latest on branch {self.branch})"
        )
        where = f" to {self.environment}" if self.environment else f" with {self.tag}" if self.tag else ""
        if self.deployable is True:
            verdict = f"can-i-deploy: yes, {what} can be deployed{where}"
        elif self.deployable is False:
            verdict = f"can-i-deploy: no, {what} cannot be deployed{where}"
        else:
            verdict = (
                f"can-i-deploy: no (unknown), {what} cannot be deployed{where} until every verification result is in"
            )
        return "\n".join([*lines, "", verdict]).lstrip("\n")


@dataclass(frozen=True, slots=True)
class Recorded:
    """A deployment, release, undeployment or end of support the broker recorded."""

    kind: Literal["deployment", "release", "undeployment", "support ended"]
    pacticipant: str
    version: str
    environment: str
    application_instance: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        instance = f" (application instance {self.application_instance})" if self.application_instance else ""
        what = f"{self.pacticipant} version {self.version}"
        if self.kind == "undeployment":
            return f"Recorded the undeployment of {what} from {self.environment}{instance}."
        if self.kind == "support ended":
            return f"Recorded the end of support of {what} in {self.environment}."
        return f"Recorded the {self.kind} of {what} to {self.environment}{instance}."


@dataclass(frozen=True, slots=True)
class Environment:
    uuid: str
    name: str
    display_name: str | None = None
    production: bool = False
    url: str | None = None


# -- the client -------------------------------------------------------------------------------------


class BrokerClient:
    """An async client of one Pact Broker.

    ``base_url``, ``token``, ``username`` and ``password`` default to the environment
    variables ``PACT_BROKER_BASE_URL``, ``PACT_BROKER_TOKEN``, ``PACT_BROKER_USERNAME`` and
    ``PACT_BROKER_PASSWORD`` (of ``env`` if given, else ``os.environ``). A token is sent
    as ``Authorization: Bearer``, a username and password as basic auth (a token wins; a
    URL's ``user:password@`` counts as basic auth), and only to the broker's own origin.
    Credentials are never shown: not in ``repr()``, not in errors.

    Transient failures (no connection, 502, 503, 504; a lost response to a request that
    may be repeated) are retried after each of ``retry_delays`` seconds; anything else
    raises `BrokerError`. ``transport`` is httpx's (e.g.
    ``httpx.ASGITransport(app=create_app(...))`` for a broker in-process).

    Use it as ``async with BrokerClient(...) as broker:``, or call `aclose`.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        url, credentials = configure(base_url, token, username, password, os.environ if env is None else env)
        if any(delay < 0 for delay in retry_delays):
            raise ValueError("retry_delays must not be negative")
        self._hal = Hal(
            url,
            credentials,
            timeout=timeout,
            retry_delays=retry_delays,
            transport=transport,
            headers=headers,
        )

    @property
    def base_url(self) -> str:
        return self._hal.base_url

    def __repr__(self) -> str:
        return f"BrokerClient({self.base_url!r}, with {self._hal.credentials.kind})"

    async def __aenter__(self) -> BrokerClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._hal.aclose()

    # -- publishing pacts ----------------------------------------------------------------------------

    async def publish_pacts(
        self,
        pacts: str | os.PathLike[str] | PactFile | Iterable[str | os.PathLike[str] | PactFile],
        *,
        consumer_version: str,
        branch: str | None = None,
        tags: str | Sequence[str] = (),
        build_url: str | None = None,
    ) -> PublishResult:
        """Publish pact files (or the ``*.json`` files of directories, or ``PactFile``
        objects) for ``consumer_version`` of their consumer, with its branch, tags and
        build URL, through ``pb:publish-contracts``; a broker without it gets the older
        per-pact ``PUT``, after the branch and tag ``PUT``s. Files are checked first (a
        `PactFileError` names an invalid one) and sent as written.
        """
        if not consumer_version:
            raise ValueError("consumer_version must not be empty (the commit SHA is a good one)")
        if isinstance(pacts, (str, os.PathLike, PactFile)):
            pacts = [pacts]
        contracts = await _read_contracts(list(pacts))
        by_consumer: dict[str, list[_Contract]] = {}
        for contract in contracts:
            by_consumer.setdefault(contract.consumer, []).append(contract)
        endpoint = await self._hal.find_link("pb:publish-contracts")
        published: list[PublishedPact] = []
        notices: list[Notice] = []
        for consumer, group in by_consumer.items():
            publish = self._publish_contracts if endpoint is not None else self._publish_each
            done, said = await publish(
                endpoint or "", consumer, group, consumer_version, branch, _strings(tags), build_url
            )
            published += done
            notices += said
        return PublishResult(consumer_version, tuple(published), tuple(notices))

    async def _publish_contracts(
        self,
        endpoint: str,
        consumer: str,
        contracts: list[_Contract],
        version: str,
        branch: str | None,
        tags: tuple[str, ...],
        build_url: str | None,
    ) -> tuple[list[PublishedPact], list[Notice]]:
        body: JSONDict = {"pacticipantName": consumer, "pacticipantVersionNumber": version}
        if branch:
            body["branch"] = branch
        if tags:
            body["tags"] = list(tags)
        if build_url:
            body["buildUrl"] = build_url
        body["contracts"] = [
            {
                "consumerName": consumer,
                "providerName": contract.provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(contract.content).decode("ascii"),
            }
            for contract in contracts
        ]
        answer = await self._hal.send(
            "POST",
            endpoint,
            f"publish the pacts of {consumer} version {version}",
            body=body,
            explain={
                409: f"a pact with different content was already published for {consumer} version {version} "
                "(give every build its own version, e.g. the commit SHA)"
            },
        )
        urls = [link.get("href") for link in links(answer.body, "pb:contracts")]
        published = [
            PublishedPact(consumer, contract.provider, str(url) if isinstance(url, str) else None)
            for contract, url in zip(contracts, urls + [None] * (len(contracts) - len(urls)), strict=False)
        ]
        return published, _notices(answer.body)

    async def _publish_each(
        self,
        endpoint: str,
        consumer: str,
        contracts: list[_Contract],
        version: str,
        branch: str | None,
        tags: tuple[str, ...],
        build_url: str | None,
    ) -> tuple[list[PublishedPact], list[Notice]]:
        """The older way: branch and tags first (so webhooks see them), then a PUT per pact."""
        notices = [Notice("info", "This broker has no pb:publish-contracts relation: publishing each pact with PUT.")]
        if branch:
            notices += await self._label_version(consumer, version, branch, ())
        notices += await self._label_version(consumer, version, None, tags)
        if build_url:
            notices.append(
                Notice(
                    "warning", "The build URL was not recorded: this broker takes it only with pb:publish-contracts."
                )
            )
        published: list[PublishedPact] = []
        for contract in contracts:
            action = f"publish the pact between {consumer} version {version} and {contract.provider}"
            url = await self._hal.link(
                "pb:publish-pact",
                action,
                provider=contract.provider,
                consumer=consumer,
                consumerApplicationVersion=version,
            )
            answer = await self._hal.send("PUT", url, action, body=json.loads(contract.content))
            verb = "Published" if answer.status == 201 else "Updated"
            notices.append(
                Notice("success", f"{verb} the pact between {consumer} version {version} and {contract.provider}.")
            )
            published.append(PublishedPact(consumer, contract.provider, url))
        return published, notices

    async def _label_version(
        self, pacticipant: str, version: str, branch: str | None, tags: Sequence[str]
    ) -> list[Notice]:
        """PUT ``version`` of ``pacticipant`` on ``branch`` and give it ``tags``."""
        notices: list[Notice] = []
        if branch:
            action = f"add {pacticipant} version {version} to branch {branch}"
            url = await self._hal.find_link(
                "pb:pacticipant-branch-version", pacticipant=pacticipant, branch=branch, version=version
            )
            if url is None:
                notices.append(Notice("warning", f"The branch {branch} was not recorded: this broker has no branches."))
            else:
                await self._hal.send("PUT", url, action, body={})
        for tag in tags:
            action = f"tag {pacticipant} version {version} with {tag}"
            url = await self._hal.link(
                "pb:pacticipant-version-tag", action, pacticipant=pacticipant, version=version, tag=tag
            )
            await self._hal.send("PUT", url, action, body={})
        return notices

    # -- verifying -------------------------------------------------------------------------------------

    async def pacts_for_verification(
        self,
        provider: str,
        *,
        selectors: Mapping[str, JSON] | Sequence[Mapping[str, JSON]] = (),
        provider_branch: str | None = None,
        provider_tags: str | Sequence[str] = (),
        include_pending: bool = False,
        include_wip_since: str | datetime.date | None = None,
    ) -> PactsForVerification:
        """The pacts ``provider`` should verify, fetched: ``POST`` to the broker's
        ``pb:provider-pacts-for-verification`` with the consumer version ``selectors``
        (``{"mainBranch": True}``, ``{"branch": "b"}``, ``{"deployedOrReleased": True}``,
        ``{"deployed": True, "environment": "production"}``, ``{"matchingBranch": True}``,
        ``{"tag": "t", "latest": True}``, ``{"consumer": "name", ...}``, with
        ``fallbackBranch``/``fallbackTag``; none means the broker's default). With
        ``include_pending`` the broker says which pacts are pending for
        ``provider_branch``; ``include_wip_since`` (a date) adds work-in-progress pacts.
        """
        action = f"fetch the pacts for verification of {provider}"
        if isinstance(selectors, Mapping):
            selectors = [selectors]
        for selector in selectors:
            if not isinstance(selector, Mapping) or not selector:
                raise ValueError(
                    f"a consumer version selector is a non-empty mapping such as {{'mainBranch': True}}, got {selector!r}"
                )
        url = await self._hal.link("pb:provider-pacts-for-verification", action, provider=provider)
        body: JSONDict = {}
        if selectors:
            body["consumerVersionSelectors"] = [dict(selector) for selector in selectors]
        if provider_branch:
            body["providerVersionBranch"] = provider_branch
        if provider_tags:
            body["providerVersionTags"] = list(_strings(provider_tags))
        body["includePendingStatus"] = include_pending
        if include_wip_since is not None:
            since = include_wip_since.isoformat() if isinstance(include_wip_since, datetime.date) else include_wip_since
            body["includeWipPactsSince"] = since
        answer = await self._hal.send("POST", url, action, body=body, accept=(404,))
        if answer.status == 404:
            return PactsForVerification(
                provider,
                (),
                (f"The broker knows no pacticipant {provider!r}: no pact with this provider was published.",),
            )
        embedded = answer.body.get("_embedded")
        found = embedded.get("pacts") if isinstance(embedded, dict) else None
        entries = [entry for entry in found if isinstance(entry, dict)] if isinstance(found, list) else []
        pacts: list[VerifiablePact | None] = [None] * len(entries)
        limiter = anyio.Semaphore(_FETCH_CONCURRENCY)

        async def fetch(index: int, entry: JSONDict) -> None:
            async with limiter:
                pacts[index] = await self._verifiable(entry, provider)

        async with anyio.create_task_group() as group:
            for index, entry in enumerate(entries):
                group.start_soon(fetch, index, entry)
        return PactsForVerification(provider, tuple(pact for pact in pacts if pact is not None))

    async def _verifiable(self, entry: JSONDict, provider: str) -> VerifiablePact:
        href = self._hal.resource_link(entry, "self")
        if href is None:
            raise BrokerError(
                f"could not fetch a pact for verification of {provider}: the broker listed one without a link"
            )
        answer = await self._hal.send("GET", href, f"fetch the pact at {href}")
        pact = await anyio.to_thread.run_sync(functools.partial(pactfile.loads, answer.content, file=href))
        properties = entry.get("verificationProperties")
        properties = properties if isinstance(properties, dict) else {}
        notices = properties.get("notices")
        return VerifiablePact(
            href,
            str(entry.get("shortDescription") or ""),
            properties.get("pending") is True,
            properties.get("wip") is True,
            tuple(
                VerificationNotice(str(notice.get("when") or ""), str(notice.get("text") or ""))
                for notice in (notices if isinstance(notices, list) else [])
                if isinstance(notice, dict)
            ),
            pact,
        )

    async def publish_verification_results(
        self,
        result: VerificationResult | Iterable[PactResult],
        *,
        provider_version: str,
        branch: str | None = None,
        tags: str | Sequence[str] = (),
        build_url: str | None = None,
    ) -> VerificationPublication:
        """Publish each verified pact's result (its ``testResults`` per interaction) to
        the pact's ``pb:publish-verification-results`` link, as ``provider_version`` of
        the provider, first putting that version on ``branch`` and giving it ``tags``.

        Left out, with the reason: pacts that did not come from a broker, and pacts with
        interactions that were not verified (filtered out, or not run after
        ``fail_fast``), whose result would claim more than was checked.
        """
        if not provider_version:
            raise ValueError("provider_version must not be empty (the commit SHA is a good one)")
        from ..verifier import VerificationResult

        outcomes = list(result.pacts if isinstance(result, VerificationResult) else result)
        chosen: list[tuple[PactResult, str]] = []
        left_out: list[tuple[str, str]] = []
        for outcome in outcomes:
            href = (
                self._hal.resource_link(outcome.pact.extra, "pb:publish-verification-results") if outcome.pact else None
            )
            unverified = sum(item.status == "skipped" for item in outcome.interactions)
            if href is None:
                left_out.append(
                    (outcome.source, "it did not come from a Pact Broker (no pb:publish-verification-results link)")
                )
            elif unverified == len(outcome.interactions):
                left_out.append((outcome.source, "none of its interactions was verified"))
            elif unverified:
                left_out.append(
                    (
                        outcome.source,
                        f"{unverified} of its {len(outcome.interactions)} interactions were not verified (skipped)",
                    )
                )
            else:
                chosen.append((outcome, href))
        published: list[PublishedVerification] = []
        if chosen:
            providers = sorted({outcome.provider for outcome, _ in chosen})
            for provider in providers:
                await self._label_version(provider, provider_version, branch, _strings(tags))
            for outcome, href in chosen:
                body = outcome.verification_results(provider_version, build_url=build_url)
                action = f"publish the verification result of {outcome.title} for {outcome.provider} version {provider_version}"
                answer = await self._hal.send("POST", href, action, body=body)
                self_link = self._hal.resource_link(answer.body, "self")
                published.append(
                    PublishedVerification(
                        outcome.consumer, outcome.provider, outcome.source, body["success"] is True, self_link
                    )
                )
        return VerificationPublication(provider_version, tuple(published), tuple(left_out))

    # -- deploying -------------------------------------------------------------------------------------

    async def can_i_deploy(
        self,
        pacticipant: str,
        *,
        version: str | None = None,
        branch: str | None = None,
        to_environment: str | None = None,
        to_tag: str | None = None,
        ignore: Iterable[str | tuple[str, str | None]] = (),
        retry_while_unknown: int = 0,
        retry_interval: float = 10.0,
        on_retry: Callable[[CanIDeployResult, int, int], object] | None = None,
    ) -> CanIDeployResult:
        """Can ``version`` of ``pacticipant`` (or its latest version on ``branch``) be
        deployed to ``to_environment`` (with the versions deployed or released there),
        with the latest versions tagged ``to_tag``, or, with neither, with the latest
        version of everything it integrates with? Asks the broker's matrix (``pb:matrix``).

        ``ignore`` names pacticipants whose rows do not count (``"Name"``, or
        ``("Name", "1.2.3")`` for one version of it). With ``retry_while_unknown=N`` the
        broker is asked again, up to N times ``retry_interval`` seconds apart, while a
        verification result is missing (a provider's verification still running), as the
        official client does; ``on_retry(answer, retry, of)`` is called before each wait.
        """
        if (version is None) == (branch is None):
            raise ValueError("give either version= or branch= (the latest version on that branch)")
        if to_environment and to_tag:
            raise ValueError("give either to_environment= or to_tag=, not both")
        if retry_while_unknown < 0 or retry_interval < 0:
            raise ValueError("retry_while_unknown and retry_interval must not be negative")
        params = [("q[][pacticipant]", pacticipant)]
        params += (
            [("q[][version]", version)]
            if version is not None
            else [("q[][branch]", str(branch)), ("q[][latest]", "true")]
        )
        params.append(("latestby", "cvp"))
        if to_environment:
            params.append(("environment", to_environment))
        else:
            params += [("latest", "true")] + ([("tag", to_tag)] if to_tag else [])
        for ignored in ignore:
            name, ignored_version = (ignored, None) if isinstance(ignored, str) else ignored
            params.append(("ignore[][pacticipant]", name))
            params += [("ignore[][version]", ignored_version)] if ignored_version else []
        what = f"{pacticipant} version {version}" if version else f"the latest {pacticipant} on branch {branch}"
        where = f" to {to_environment}" if to_environment else f" with the versions tagged {to_tag}" if to_tag else ""
        action = f"ask whether {what} can be deployed{where}"
        url = await self._hal.link("pb:matrix", action)
        for retry in range(retry_while_unknown + 1):
            answer = await self._hal.send("GET", url, action, params=params)
            result = _can_i_deploy_result(answer.body, pacticipant, version, branch, to_environment, to_tag)
            if not result.unknown or retry == retry_while_unknown:
                return result
            if on_retry is not None:
                on_retry(result, retry + 1, retry_while_unknown)
            await anyio.sleep(retry_interval)
        raise AssertionError("unreachable")  # pragma: no cover

    async def record_deployment(
        self, pacticipant: str, version: str, environment: str, *, application_instance: str | None = None
    ) -> Recorded:
        """Record that ``version`` of ``pacticipant`` is now deployed to ``environment``
        (replacing what was deployed there, per ``application_instance``)."""
        body: JSONDict = (
            {"applicationInstance": application_instance, "target": application_instance}
            if application_instance
            else {}
        )
        return await self._record("deployment", pacticipant, version, environment, body, application_instance)

    async def record_release(self, pacticipant: str, version: str, environment: str) -> Recorded:
        """Record that ``version`` of ``pacticipant`` was released to ``environment`` (a
        mobile app or library: released versions stay supported alongside each other)."""
        return await self._record("release", pacticipant, version, environment, {}, None)

    async def _record(
        self,
        kind: Literal["deployment", "release"],
        pacticipant: str,
        version: str,
        environment: str,
        body: JSONDict,
        application_instance: str | None,
    ) -> Recorded:
        action = f"record the {kind} of {pacticipant} version {version} to {environment}"
        url = await self._hal.link("pb:pacticipant-version", action, pacticipant=pacticipant, version=version)
        known = await self._hal.send(
            "GET",
            url,
            action,
            explain={
                404: f"the broker knows no version {version} of {pacticipant} "
                "(a version exists once a pact or a verification result was published for it)"
            },
        )
        relation = f"pb:record-{kind}"
        href = self._hal.resource_link(known.body, relation, name=environment)
        if href is None:
            names = [str(item.get("name")) for item in links(known.body, relation) if item.get("name")]
            raise BrokerError(
                f"could not {action}: the broker has no environment called {environment!r} "
                f"(environments: {', '.join(names) or 'none'}; create it with apact create-environment)"
            )
        answer = await self._hal.send("POST", href, action, body=body)
        return Recorded(
            kind, pacticipant, version, environment, application_instance, self._hal.resource_link(answer.body, "self")
        )

    async def record_undeployment(
        self, pacticipant: str, environment: str, *, application_instance: str | None = None
    ) -> tuple[Recorded, ...]:
        """Record that ``pacticipant`` is no longer deployed to ``environment`` (at
        ``application_instance``; without one, the deployment recorded without one), as
        the official ``record-undeployment``: only needed when an application is removed,
        since a new deployment replaces the one before. A `BrokerError` when nothing
        matching is deployed there."""
        instance = f" (application instance {application_instance})" if application_instance else ""
        action = f"record the undeployment of {pacticipant} from {environment}{instance}"
        current = await self._currently_in(environment, "pb:currently-deployed-deployed-versions", pacticipant, action)
        matching = [
            item
            for item in current
            if item.get("applicationInstance", item.get("target")) == application_instance
            and item.get("currentlyDeployed") is not False
        ]
        instances = sorted({str(item["applicationInstance"]) for item in current if item.get("applicationInstance")})
        if not matching and application_instance is None and instances:
            raise BrokerError(
                f"could not {action}: Please specify one of the following application instances to record the "
                f"undeployment from: {', '.join(instances)}"
            )
        if not matching:
            raise BrokerError(f"could not {action}: {pacticipant} is not currently deployed to {environment}{instance}")
        return tuple(
            [
                await self._end(item, {"currentlyDeployed": False}, "undeployment", pacticipant, environment, action)
                for item in matching
            ]
        )

    async def record_support_ended(self, pacticipant: str, version: str, environment: str) -> tuple[Recorded, ...]:
        """Record that ``version`` of ``pacticipant``, released to ``environment``, is no
        longer supported there (as the official ``record-support-ended``). A `BrokerError`
        when that version is not currently released there."""
        action = f"record the end of support of {pacticipant} version {version} in {environment}"
        current = await self._currently_in(environment, "pb:currently-supported-released-versions", pacticipant, action)
        matching = [item for item in current if _version_number(item) == version]
        if not matching:
            raise BrokerError(
                f"could not {action}: {pacticipant} version {version} is not currently released to {environment}"
            )
        return tuple(
            [
                await self._end(item, {"currentlySupported": False}, "support ended", pacticipant, environment, action)
                for item in matching
            ]
        )

    async def _currently_in(self, environment: str, relation: str, pacticipant: str, action: str) -> list[JSONDict]:
        """The deployed (released) versions of ``pacticipant`` in the environment called so."""
        found = {item.name: item for item in await self.environments()}
        if environment not in found or found[environment].url is None:
            raise BrokerError(
                f"could not {action}: the broker has no environment called {environment!r} "
                f"(environments: {', '.join(sorted(found)) or 'none'}; create it with apact create-environment)"
            )
        resource = await self._hal.send("GET", str(found[environment].url), action)
        href = self._hal.resource_link(resource.body, relation)
        if href is None:
            raise BrokerError(f"could not {action}: the broker's environment has no {relation!r} link")
        answer = await self._hal.send("GET", href, action, params=[("pacticipant", pacticipant)])
        embedded = answer.body.get("_embedded")
        items: JSON = None
        if isinstance(embedded, dict):
            items = embedded.get("deployedVersions", embedded.get("releasedVersions"))
        return [item for item in (items if isinstance(items, list) else []) if isinstance(item, dict)]

    async def _end(
        self,
        item: JSONDict,
        body: JSONDict,
        kind: Literal["undeployment", "support ended"],
        pacticipant: str,
        environment: str,
        action: str,
    ) -> Recorded:
        href = self._hal.resource_link(item, "self")
        if href is None:
            raise BrokerError(f"could not {action}: the broker gave no link to the record to change")
        answer = await self._hal.send("PATCH", href, action, body=body)
        instance = answer.body.get("applicationInstance")
        return Recorded(
            kind,
            pacticipant,
            _version_number(answer.body) or _version_number(item) or "?",
            environment,
            instance if isinstance(instance, str) else None,
            href,
        )

    # -- deleting --------------------------------------------------------------------------------------

    async def delete_pact(self, provider: str, consumer: str, consumer_version: str) -> None:
        """Delete the pact ``consumer_version`` of ``consumer`` published for ``provider``
        (``DELETE /pacts/provider/{p}/consumer/{c}/version/{v}``, the official broker's);
        the version itself stays."""
        action = f"delete the pact between {consumer} version {consumer_version} and {provider}"
        url = await self._hal.link(
            "pb:publish-pact", action, provider=provider, consumer=consumer, consumerApplicationVersion=consumer_version
        )
        await self._hal.send("DELETE", url, action, explain={404: "the broker has no such pact"})

    async def delete_version(self, pacticipant: str, version: str) -> None:
        """Delete ``version`` of ``pacticipant`` with its tags, deployments, the pacts it
        published and the verification results it made (``DELETE
        /pacticipants/{p}/versions/{v}``)."""
        action = f"delete version {version} of {pacticipant}"
        url = await self._hal.link("pb:pacticipant-version", action, pacticipant=pacticipant, version=version)
        await self._hal.send(
            "DELETE", url, action, explain={404: f"the broker knows no version {version} of {pacticipant}"}
        )

    async def delete_pacticipant(self, pacticipant: str) -> None:
        """Delete ``pacticipant`` with everything it has: versions, pacts, verification
        results (``DELETE /pacticipants/{p}``)."""
        action = f"delete the pacticipant {pacticipant}"
        url = await self._hal.link("pb:pacticipant", action, pacticipant=pacticipant)
        await self._hal.send("DELETE", url, action, explain={404: f"the broker knows no pacticipant {pacticipant}"})

    async def create_environment(
        self, name: str, *, display_name: str | None = None, production: bool = False
    ) -> Environment:
        """Create an environment (``production`` marks a production one)."""
        action = f"create the environment {name}"
        url = await self._hal.link("pb:environments", action)
        body: JSONDict = {"name": name, "production": production}
        if display_name:
            body["displayName"] = display_name
        answer = await self._hal.send("POST", url, action, body=body)
        return _environment(answer.body, self._hal.resource_link(answer.body, "self"))

    async def environments(self) -> tuple[Environment, ...]:
        """Every environment the broker knows."""
        action = "list the environments"
        answer = await self._hal.send("GET", await self._hal.link("pb:environments", action), action)
        embedded = answer.body.get("_embedded")
        found = embedded.get("environments") if isinstance(embedded, dict) else None
        return tuple(
            _environment(item, self._hal.resource_link(item, "self"))
            for item in (found if isinstance(found, list) else [])
            if isinstance(item, dict)
        )


# -- helpers -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Contract:
    consumer: str
    provider: str
    content: bytes
    origin: str


async def _read_contracts(pacts: list[str | os.PathLike[str] | PactFile]) -> list[_Contract]:
    """Every pact, checked; every one that cannot be read is named (see
    `apact.pact._unreadable`). A directory without pact files is an error only when
    nothing at all was found."""
    if not pacts:
        raise ValueError("no pacts to publish: give pact files or directories")
    contracts: list[_Contract] = []
    errors: list[PactFileError] = []
    empty: list[str] = []
    for pact in pacts:
        if isinstance(pact, PactFile):
            contracts.append(
                _Contract(pact.consumer, pact.provider, _jsondepth.utf8(pactfile.dumps(pact)), "<PactFile>")
            )
            continue
        path = os.fspath(pact)
        loaded, failed = await anyio.to_thread.run_sync(load_pact_files, path)
        if not loaded and not failed:
            empty.append(path)
        contracts += [
            _Contract(local.pact.consumer, local.pact.provider, local.content, local.name) for local in loaded
        ]
        errors += failed
    if errors:
        raise together(errors)
    if not contracts:  # only empty directories: publishing nothing is a mistake
        raise PactFileError("no pact files (*.json) to publish in this directory", file=empty[0])
    return contracts


def _strings(values: str | Iterable[str]) -> tuple[str, ...]:
    """``"dev"`` is one tag, not three."""
    return (values,) if isinstance(values, str) else tuple(values)


def _notices(body: JSONDict) -> list[Notice]:
    found = body.get("notices")
    return [
        Notice(str(item.get("type") or "info"), str(item["text"]))
        for item in (found if isinstance(found, list) else [])
        if isinstance(item, dict) and item.get("text")
    ]


def _success(outcome: PactResult) -> bool:
    """The outcome a broker is told: every replayed interaction passed (pending ones too)."""
    return all(item.status == "passed" for item in outcome.interactions if item.status != "skipped")


def _row(row: JSONDict) -> MatrixRow:
    def side(name: str) -> tuple[str, str | None]:
        party = row.get(name)
        party = party if isinstance(party, dict) else {}
        version = party.get("version")
        number = version.get("number") if isinstance(version, dict) else None
        return str(party.get("name") or "?"), str(number) if number is not None else None

    verification = row.get("verificationResult")
    success = verification.get("success") if isinstance(verification, dict) else None
    return MatrixRow(
        *side("consumer"), *side("provider"), success if isinstance(success, bool) else None, row.get("ignored") is True
    )


def _can_i_deploy_result(
    body: JSONDict, pacticipant: str, version: str | None, branch: str | None, environment: str | None, tag: str | None
) -> CanIDeployResult:
    summary = body.get("summary")
    summary = summary if isinstance(summary, dict) else {}
    deployable = summary.get("deployable")
    reasons = _notices(body)
    if not reasons and isinstance(summary.get("reason"), str):
        reasons = [Notice("info", line) for line in str(summary["reason"]).splitlines() if line]
    rows = body.get("matrix")
    unknown = summary.get("unknown")
    return CanIDeployResult(
        pacticipant,
        version,
        branch,
        environment,
        deployable if isinstance(deployable, bool) else None,
        tuple(reasons),
        tuple(_row(row) for row in (rows if isinstance(rows, list) else []) if isinstance(row, dict)),
        # an older broker without the count: unknown when it could not say yes or no
        unknown if isinstance(unknown, int) and not isinstance(unknown, bool) else int(deployable is None),
        tag,
    )


def _version_number(record: JSONDict) -> str | None:
    """The version number of a deployed or released version record."""
    embedded = record.get("_embedded")
    version = embedded.get("version") if isinstance(embedded, dict) else None
    number = version.get("number") if isinstance(version, dict) else None
    return str(number) if isinstance(number, str) else None


def _environment(body: JSONDict, url: str | None) -> Environment:
    display = body.get("displayName")
    return Environment(
        str(body.get("uuid") or ""),
        str(body.get("name") or ""),
        str(display) if isinstance(display, str) else None,
        body.get("production") is True,
        url,
    )
