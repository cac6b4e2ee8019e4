"""Webhooks that fire: the events a change raises, the webhooks they trigger, the
``${pactbroker.*}`` template variables, and the rules a webhook's request must follow.

The rules are the official Pact Broker's whitelists (allowed schemes, methods and
hosts) plus one it leaves to the network: no request to a loopback, private,
link-local or unspecified address unless the host list names it. Executing the
requests (retries, logs, the connection to the checked address) is `_webhooks_run`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote_plus, urlsplit

from .._core._types import JSON, JSONDict
from ._hal import Urls, without_controls
from ._store import Pacticipant, Transaction, Verification, Version, Webhook, new_uuid

EVENTS = (
    "contract_content_changed",
    "contract_published",
    "contract_requiring_verification_published",
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
)

#: the official broker's default: seven attempts over about 38 minutes
DEFAULT_RETRY_SCHEDULE = (10.0, 60.0, 120.0, 300.0, 600.0, 1200.0)
DEFAULT_SCHEMES = ("https",)
DEFAULT_METHODS = ("POST",)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class WebhookPolicy:
    """What a webhook may call, and how often it is tried.

    ``hosts`` empty allows any public host; otherwise a host must match an entry: an
    exact name, ``*.example.com`` (one label more, as TLS certificates match), an IP
    or CIDR range, or ``/regex/``. An address that is not public (loopback, private,
    link-local, unspecified...) is refused unless an IP/CIDR entry contains it or an
    exact entry names the host. ``retry_schedule`` gives the seconds to wait before
    each retry after a failure (its length is the number of retries).
    """

    schemes: tuple[str, ...] = DEFAULT_SCHEMES
    methods: tuple[str, ...] = DEFAULT_METHODS
    hosts: tuple[str, ...] = ()
    retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    timeout: float = 10.0

    def __post_init__(self) -> None:
        for host in self.hosts:
            _host_rule(host)  # a bad entry fails at start, not at the first webhook
        if any(delay < 0 for delay in self.retry_schedule):
            raise ValueError("webhook retry delays must be zero or more seconds")


def _host_rule(entry: str) -> Network | re.Pattern[str] | str:
    """One ``hosts`` entry, parsed: a network, a regex, or a (lower-case) name."""
    text = entry.strip()
    if len(text) > 2 and text.startswith("/") and text.endswith("/"):
        try:
            return re.compile(text[1:-1])
        except re.error as error:
            raise ValueError(f"webhook host {entry!r} is not a valid regular expression: {error}") from None
    try:
        return ipaddress.ip_network(text.strip("[]"), strict=False)
    except ValueError:
        pass
    if not text or any(c in text for c in "/:@ "):
        raise ValueError(f"webhook host {entry!r} is not a host name, *.domain, IP, CIDR range or /regex/")
    return text.lower()


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def host_allowed(policy: WebhookPolicy, host: str) -> bool:
    """Whether ``host`` (a name or IP literal, as in the URL) matches the host list."""
    if not policy.hosts:
        return True
    name, address = host.lower().strip("[]"), _literal(host)
    for rule in map(_host_rule, policy.hosts):
        if isinstance(rule, re.Pattern):
            if rule.search(name):
                return True
        elif isinstance(rule, str):
            if rule.startswith("*."):
                head, _, rest = name.partition(".")
                if head and rest == rule[2:]:
                    return True
            elif rule == name:
                return True
        elif address is not None and address.version == rule.version and address in rule:
            return True
    return False


def _kind(address: Address) -> str | None:
    """Why ``address`` is not a public one, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _kind(address.ipv4_mapped)
    for kind, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return kind
    return None if address.is_global else "non-public"


def address_refusal(policy: WebhookPolicy, host: str, address: Address) -> str | None:
    """Why a webhook may not connect to ``address`` (``host`` resolved to it), or None."""
    kind = _kind(address)
    if kind is None:
        return None
    name = host.lower().strip("[]")
    for rule in map(_host_rule, policy.hosts):
        if isinstance(rule, str) and not rule.startswith("*.") and rule == name:
            return None
        if not isinstance(rule, (str, re.Pattern)) and address.version == rule.version and address in rule:
            return None
    shown = f"{host}, which resolves to {address}," if _literal(host) is None else str(address)
    return (
        f"{shown} is a {kind} address: webhooks may not call it (server-side request forgery) unless "
        f"the broker's webhook host list names it (--webhook-host {address} or APACT_BROKER_WEBHOOK_HOSTS)"
    )


def request_problems(policy: WebhookPolicy, request: JSONDict) -> dict[str, list[str]]:
    """What the policy refuses in a webhook's ``request``, by field (checked when it is saved)."""
    problems: dict[str, list[str]] = {}
    method = request.get("method")
    if isinstance(method, str) and method.upper() not in {m.upper() for m in policy.methods}:
        problems["request.method"] = [
            f"must be one of {', '.join(policy.methods)}, got '{method}' (allow more with --webhook-method)"
        ]
    url = request.get("url")
    if isinstance(url, str):
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError as error:
            problems["request.url"] = [f"is not a valid URL: {error}"]
            return problems
        if parts.scheme.lower() not in {s.lower() for s in policy.schemes}:
            problems["request.url"] = [
                f"scheme must be {' or '.join(policy.schemes)}, got '{parts.scheme}' (allow more with --webhook-scheme)"
            ]
        elif "${" in (parts.netloc or ""):
            pass  # a templated host is checked when the webhook runs
        elif not host:
            problems["request.url"] = [f"has no host: '{url}'"]
        elif not host_allowed(policy, host):
            problems["request.url"] = [
                f"host '{host}' is not in the broker's webhook host list ({', '.join(policy.hosts)})"
            ]
        else:
            address = _literal(host)
            refusal = address_refusal(policy, host, address) if address is not None else None
            if refusal:
                problems["request.url"] = [refusal]
    return problems


# which webhooks an event triggers


def _names(document: JSONDict) -> set[str]:
    events = document.get("events")
    if not isinstance(events, list):
        return set()
    return {str(event.get("name")) for event in events if isinstance(event, dict)}


def _matches(party: JSON, pacticipant: Pacticipant, labels: Callable[[Pacticipant], set[str]]) -> bool:
    """Whether a webhook's ``consumer`` or ``provider`` filter takes ``pacticipant``: none
    takes all; ``{"name": ...}`` that pacticipant; ``{"label": ...}`` every pacticipant
    with the label (both given: both must hold), as the official broker."""
    if party is None:
        return True
    if not isinstance(party, dict):
        return False
    name, label = party.get("name"), party.get("label")
    if not isinstance(name, (str, type(None))) or not isinstance(label, (str, type(None))) or not (name or label):
        return False
    if name and name != pacticipant.name:
        return False
    return not label or label in labels(pacticipant)


def webhooks_for(
    tx: Transaction, events: Iterable[str], consumer: Pacticipant, provider: Pacticipant
) -> dict[str, list[Webhook]]:
    """For each of ``events`` that fires any, the enabled webhooks whose consumer and
    provider filters fit (one read of the webhooks, however many events; a pacticipant's
    labels read only when a filter names one)."""
    known: dict[int, set[str]] = {}

    def labels(pacticipant: Pacticipant) -> set[str]:
        if pacticipant.id not in known:
            known[pacticipant.id] = {label.name for label in tx.labels(pacticipant.id)}
        return known[pacticipant.id]

    fitting = [
        webhook
        for webhook in tx.webhooks()
        if webhook.document.get("enabled", True) is not False
        and _matches(webhook.document.get("consumer"), consumer, labels)
        and _matches(webhook.document.get("provider"), provider, labels)
    ]
    found: dict[str, list[Webhook]] = {}
    for event in events:
        listening = [webhook for webhook in fitting if event in _names(webhook.document)]
        if listening:
            found[event] = listening
    return found


def content_changed(
    tx: Transaction, provider: Pacticipant, version: Version, sha: str, status: Literal["created", "updated"]
) -> bool:
    """The official ``contract_content_changed`` rule for a new publication.

    Republishing different content for the same version is a change. Otherwise, with
    tags, it is a change when, for any tag, the content differs from the previous
    version with that tag (or there is none: a new tag counts); without tags, when it
    differs from the previous consumer version's pact (or this is the first).
    """
    if status == "updated":
        return True
    earlier = [
        p
        for p in tx.publications(provider_id=provider.id, consumer_id=version.pacticipant_id)
        if p.consumer_version_id < version.id
    ]
    if not version.tags:
        return not earlier or earlier[-1].sha != sha
    unseen = set(version.tags)  # the tags whose previous version is still to be found
    for publication in reversed(earlier):
        found = unseen.intersection(tx.version_by_id(publication.consumer_version_id).tags)
        if found and publication.sha != sha:
            return True
        unseen -= found
        if not unseen:
            return False
    return True  # a tag no earlier version had


# template variables

_GITHUB = {True: "success", False: "failure", None: "pending"}
_BITBUCKET = {True: "SUCCESSFUL", False: "FAILED", None: "INPROGRESS"}
_AZURE = {True: "succeeded", False: "failed", None: "pending"}
_GITLAB = {True: "success", False: "failed", None: "running"}

#: the placeholders of an ``execute`` with no pact to take values from
PLACEHOLDERS = {"consumerName": "placeholder-consumer", "providerName": "placeholder-provider"}


def variables(
    tx: Transaction,
    urls: Urls,
    *,
    event: str,
    consumer: Pacticipant,
    provider: Pacticipant,
    version: Version | None,
    sha: str | None,
    verification: Verification | None,
    provider_version: Version | None = None,
) -> dict[str, str]:
    """The ``${pactbroker.*}`` values for an event on the pact ``sha`` of ``version``.

    As the official broker: without a triggering verification, the pact's latest one
    gives the verification values (empty, and "pending" statuses, when there is none).
    ``provider_version`` (the one to verify, for ``contract_requiring_verification_published``)
    gives the provider version values instead of the verification's.
    """
    if verification is None and sha is not None:
        found = tx.verifications(provider_id=provider.id, sha=sha)
        verification = found[-1] if found else None
    if provider_version is None and verification is not None:
        provider_version = tx.version_by_id(verification.provider_version_id)
    success = verification.success if verification else None
    if verification is not None:
        build_url = verification.build_url or ""
    else:
        build_url = (version.build_url if version else None) or ""
    values = {
        "pactUrl": urls.pact_version(provider.name, consumer.name, sha) if sha else "",
        "verificationResultUrl": (
            urls.verification(provider.name, consumer.name, verification.sha, verification.id) if verification else ""
        ),
        "consumerName": consumer.name,
        "providerName": provider.name,
        "consumerVersionNumber": version.number if version else "",
        "providerVersionNumber": provider_version.number if provider_version else "",
        "consumerVersionTags": ", ".join(version.tags) if version else "",
        "providerVersionTags": ", ".join(provider_version.tags) if provider_version else "",
        "consumerVersionBranch": version.branches[-1] if version and version.branches else "",
        "providerVersionBranch": (
            provider_version.branches[-1] if provider_version and provider_version.branches else ""
        ),
        "consumerLabels": ", ".join(label.name for label in tx.labels(consumer.id)),
        "providerLabels": ", ".join(label.name for label in tx.labels(provider.id)),
        "githubVerificationStatus": _GITHUB[success],
        "bitbucketVerificationStatus": _BITBUCKET[success],
        "azureDevOpsVerificationStatus": _AZURE[success],
        "gitlabVerificationStatus": _GITLAB[success],
        "buildUrl": build_url,
        "eventName": event,
        "currentlyDeployedProviderVersionNumber": "",
    }
    return values


_VARIABLE = re.compile(r"\$\{pactbroker\.([A-Za-z0-9_]+)\}")


def render(template: str, values: dict[str, str], escape: Callable[[str], str] = str) -> str:
    """``template`` with each known ``${pactbroker.name}`` replaced; unknown ones stay as written."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return escape(values[name]) if name in values else match.group(0)

    return _VARIABLE.sub(value, template)


def _render_json(value: JSON, values: dict[str, str]) -> JSON:
    if isinstance(value, str):
        return render(value, values)
    if isinstance(value, list):
        return [_render_json(item, values) for item in value]
    if isinstance(value, dict):
        return {render(key, values): _render_json(item, values) for key, item in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class RenderedRequest:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes | None
    username: str | None
    password: str | None


def render_request(request: JSONDict, values: dict[str, str]) -> RenderedRequest:
    """The HTTP request a webhook makes for ``values``.

    In the URL, values are form-encoded (as the official broker's ``CGI.escape``); in
    headers they go in as they are but for the controls no header may hold (percent-
    encoded: a CR LF in a pacticipant's name cannot add a header), and are sent as
    UTF-8; in a text body as they are; in a JSON body they are put in the JSON strings
    (so a quote in a value cannot break the JSON).
    """
    headers = request.get("headers")
    rendered_headers = (
        [(str(name), render(str(value), values, without_controls)) for name, value in headers.items()]
        if isinstance(headers, dict)
        else []
    )
    body = request.get("body")
    if body is None:
        payload = None
    elif isinstance(body, str):
        payload = render(body, values).encode()
    else:
        payload = json.dumps(_render_json(body, values), ensure_ascii=False).encode()
    username, password = request.get("username"), request.get("password")
    return RenderedRequest(
        method=str(request.get("method", "POST")).upper(),
        url=render(str(request.get("url", "")), values, quote_plus),
        headers=rendered_headers,
        body=payload,
        username=username if isinstance(username, str) else None,
        password=password if isinstance(password, str) else None,
    )


# triggering


@dataclass(frozen=True, slots=True)
class Trigger:
    """What happened, for `trigger`: an event on a pact (and maybe a verification of it)."""

    consumer: Pacticipant
    provider: Pacticipant
    version: Version | None
    sha: str | None
    verification: Verification | None = None


def trigger(
    tx: Transaction,
    urls: Urls,
    events: Iterable[str],
    what: Trigger,
    *,
    unless: Callable[[str], bool] = lambda event: False,
) -> list[str]:
    """Record a triggered webhook for each webhook each event fires; their UUIDs, to run
    once this transaction has committed. ``unless(event)`` drops an event that has
    webhooks (asked only then: it may be costly)."""
    uuids = []
    version = tx.version_by_id(what.version.id) if what.version else None  # its tags may be newer
    for event, webhooks in webhooks_for(tx, events, what.consumer, what.provider).items():
        if unless(event):
            continue
        if event == REQUIRING_VERIFICATION:  # once per provider version that has to verify it
            targets: list[Version | None] = list(requiring_verification(tx, what.provider, what.sha or ""))
        else:
            targets = [None]
        for provider_version in targets:
            values = variables(
                tx,
                urls,
                event=event,
                consumer=what.consumer,
                provider=what.provider,
                version=version,
                sha=what.sha,
                verification=what.verification,
                provider_version=provider_version,
            )
            for webhook in webhooks:
                triggered = tx.add_triggered_webhook(
                    uuid=new_uuid(),
                    webhook_uuid=webhook.uuid,
                    event_name=event,
                    trigger_type="resource_creation",
                    consumer_id=what.consumer.id,
                    provider_id=what.provider.id,
                    consumer_version_id=version.id if version else None,
                    verification_id=what.verification.id if what.verification else None,
                    variables=dict(values),
                )
                uuids.append(triggered.uuid)
    return uuids


REQUIRING_VERIFICATION = "contract_requiring_verification_published"


def requiring_verification(tx: Transaction, provider: Pacticipant, sha: str) -> list[Version]:
    """The provider versions that have to verify the content ``sha`` (the official rule):
    the latest version of the provider's main branch and every version currently
    deployed or released and supported, each once, that has no result for it yet."""
    candidates: dict[int, Version] = {}
    if provider.main_branch:
        latest = next((v for v in reversed(tx.versions(provider.id)) if provider.main_branch in v.branches), None)
        if latest is not None:
            candidates[latest.id] = latest
    for deployment in tx.deployments(active=True):
        deployed = tx.version_by_id(deployment.version_id)
        if deployed.pacticipant_id == provider.id:
            candidates.setdefault(deployed.id, deployed)
    verified = {v.provider_version_id for v in tx.verifications(provider_id=provider.id, sha=sha)}
    return [candidate for candidate in candidates.values() if candidate.id not in verified]


PUBLICATION_EVENTS = ("contract_published", "contract_content_changed", REQUIRING_VERIFICATION)


def verification_events(success: bool) -> list[str]:
    outcome = "provider_verification_succeeded" if success else "provider_verification_failed"
    return ["provider_verification_published", outcome]
