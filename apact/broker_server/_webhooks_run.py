"""Running triggered webhooks: after the triggering response, with retries, and a log.

`WebhookRunner` owns a task group for the app's lifespan: a request that triggers
webhooks hands their UUIDs over once its transaction has committed and answers at
once; each runs in the group, retried after the policy's delays, every attempt's log
stored (secrets redacted). On shutdown the group is cancelled and each webhook still
running or waiting records that it was cancelled.

The request goes to the address checked, never to a second lookup of the name (no
DNS-rebinding window): the name is resolved once, every address it gives is checked
against the policy, and the connection is made to that IP with the original ``Host``
header and, for https, the original name for SNI and certificate checks. Redirects
are not followed and no proxy from the environment is used.
"""

from __future__ import annotations

import base64
import importlib
import ipaddress
import json
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup

from .._core._types import JSONDict
from ._context import Broker
from ._store import Transaction, TriggeredStatus
from ._webhooks import RenderedRequest, WebhookPolicy, address_refusal, host_allowed, render_request

if TYPE_CHECKING:
    import httpx

_REDACTED = "**********"
_SECRET_HEADERS = ("authorization", "token")
_MAX_LOGGED_BODY = 10_000
#: webhook requests in flight at once (a burst of publications queues, not a flood of connections)
_AT_ONCE = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt: whether it succeeded, whether trying again could help, its log."""

    success: bool
    retry: bool
    log: str
    request: dict[str, object] = field(default_factory=dict)
    response: dict[str, object] | None = None


class _RefusedError(Exception):
    """The policy forbids the request: no connection was made, and a retry would not help."""


class _Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, level: str, message: str) -> None:
        moment = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        self.lines.append(f"[{moment}] {level}: {message}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _redact_header(name: str, value: str) -> str:
    return _REDACTED if any(word in name.lower() for word in _SECRET_HEADERS) else value


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo = f"{parts.username or ''}:{_REDACTED}@"
    return parts._replace(netloc=userinfo + parts.netloc.rpartition("@")[2]).geturl()


def _shown_body(body: bytes | None) -> str:
    if not body:
        return ""
    text = body[:_MAX_LOGGED_BODY].decode("utf-8", "replace")
    return text + ("... (truncated)" if len(body) > _MAX_LOGGED_BODY else "")


async def _resolve(policy: WebhookPolicy, host: str, port: int) -> list[str]:
    """The addresses to connect to (in the resolver's order), every one of them checked."""
    try:
        found = await anyio.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise OSError(f"cannot resolve {host}: {error}") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for address in addresses:
        refusal = address_refusal(policy, host, ipaddress.ip_address(address.split("%")[0]))
        if refusal:
            raise _RefusedError(refusal)
    if not addresses:
        raise OSError(f"cannot resolve {host}: no address")
    return addresses


async def send(policy: WebhookPolicy, rendered: RenderedRequest, log: _Log) -> Outcome:
    """Make the webhook's request (once), logging it and its response."""
    # a broker that fires no webhook starts without the HTTP client (a fifth of a second):
    # the first webhook imports it, in a worker thread rather than on the event loop
    if "httpx" not in sys.modules:
        await anyio.to_thread.run_sync(importlib.import_module, "httpx")
    import httpx

    headers = list(rendered.headers)
    if rendered.username is not None:
        token = base64.b64encode(f"{rendered.username}:{rendered.password or ''}".encode()).decode()
        headers.append(("Authorization", f"Basic {token}"))
    shown_request: dict[str, object] = {
        "method": rendered.method,
        "url": _redact_url(rendered.url),
        "headers": {name: _redact_header(name, value) for name, value in headers},
        "body": _shown_body(rendered.body),
    }
    log("INFO", f"{rendered.method} {shown_request['url']}")
    for name, value in headers:
        log("INFO", f"{name}: {_redact_header(name, value)}")
    if rendered.body:
        log("INFO", _shown_body(rendered.body))
    try:
        url = httpx.URL(rendered.url)
        scheme, host = url.scheme.lower(), url.host
        if scheme not in {s.lower() for s in policy.schemes}:
            raise _RefusedError(f"scheme '{scheme}' is not allowed (allowed: {', '.join(policy.schemes)})")
        if rendered.method not in {m.upper() for m in policy.methods}:
            raise _RefusedError(f"method {rendered.method} is not allowed (allowed: {', '.join(policy.methods)})")
        if not host:
            raise _RefusedError(f"the URL '{shown_request['url']}' has no host")
        if not host_allowed(policy, host):
            raise _RefusedError(f"host '{host}' is not in the broker's webhook host list ({', '.join(policy.hosts)})")
        port = url.port or (443 if scheme == "https" else 80)
        addresses = await _resolve(policy, host, port)
    except _RefusedError as refused:
        log("ERROR", f"Refused: {refused}. No request was made.")
        return Outcome(False, False, log.text(), shown_request)
    except (OSError, httpx.InvalidURL) as error:
        log("ERROR", f"Error: {error}")
        return Outcome(False, True, log.text(), shown_request)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.append(("Host", url.netloc.decode("ascii")))
    if not any(name.lower() == "accept-encoding" for name, _ in headers):
        headers.append(("Accept-Encoding", "identity"))  # only the start of a body is read: no decompression
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    exchanged = None
    with anyio.move_on_after(policy.timeout) as deadline:  # the whole exchange, however slowly it drips
        exchanged = await _exchange(policy, rendered, url, host, addresses, headers, extensions, log)
    if deadline.cancelled_caught:
        log("ERROR", f"Timed out: no complete response from {host} within {policy.timeout:g} seconds")
    if exchanged is None:
        return Outcome(False, True, log.text(), shown_request)
    response, content = exchanged
    success = 200 <= response.status_code < 300
    log("INFO", f"HTTP/{response.http_version.removeprefix('HTTP/')} {response.status_code} {response.reason_phrase}")
    shown_response: dict[str, object] = {"status": response.status_code}
    if policy.hosts:
        for name, value in response.headers.items():
            log("INFO", f"{name}: {_redact_header(name, value)}")
        log("INFO", _shown_body(content))
        shown_response["headers"] = {name: _redact_header(name, value) for name, value in response.headers.items()}
        shown_response["body"] = _shown_body(content)
    else:
        log(
            "INFO",
            "Response headers and body not logged: the broker has no webhook host list (as the official "
            "broker, so that webhooks cannot be used to read internal services); set --webhook-host to see them",
        )
    return Outcome(success, not success, log.text(), shown_request, shown_response)


async def _exchange(
    policy: WebhookPolicy,
    rendered: RenderedRequest,
    url: httpx.URL,
    host: str,
    addresses: list[str],
    headers: list[tuple[str, str]],
    extensions: dict[str, str],
    log: _Log,
) -> tuple[httpx.Response, bytes] | None:
    """Send to the first of ``addresses`` that can be connected to; the response and the
    start of its body (`_MAX_LOGGED_BODY` + 1 bytes at most), or None after logging why not."""
    import httpx  # (imported by `send` already)

    async with httpx.AsyncClient(trust_env=False, follow_redirects=False, timeout=policy.timeout) as client:
        for address in addresses:  # the next address only when this one cannot be connected to
            request = client.build_request(
                rendered.method,
                url.copy_with(host=address),
                headers=[(name.encode(), value.encode()) for name, value in headers],  # (httpx encodes a str as ASCII)
                content=rendered.body,
                extensions=extensions,
            )
            try:
                response = await client.send(request, stream=True)
                try:
                    content = b""
                    # only the start of a body is kept; the rest is read (within the deadline) and
                    # dropped: leaving the stream mid-way would leave its generators unclosed
                    async for chunk in response.aiter_raw():
                        if len(content) <= _MAX_LOGGED_BODY:
                            content += chunk[: _MAX_LOGGED_BODY + 1 - len(content)]
                finally:
                    await response.aclose()
                return response, content
            except httpx.ConnectError as error:
                log("ERROR", f"Cannot connect to {host} at {address}: {error or 'no detail'}")
            except httpx.HTTPError as error:
                log("ERROR", f"Error from {host} at {address}: {type(error).__name__}: {error or 'no detail'}")
                return None
    return None


@dataclass(frozen=True, slots=True)
class _Loaded:
    request: JSONDict | None
    variables: dict[str, str]


class WebhookRunner:
    """Runs triggered webhooks in a task group that lives as long as the app's lifespan."""

    def __init__(self, policy: WebhookPolicy) -> None:
        self.policy = policy
        self._group: TaskGroup | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:
            self._group, self._limiter = group, anyio.CapacityLimiter(_AT_ONCE)
            try:
                yield
            finally:
                self._group = None
                group.cancel_scope.cancel()

    def schedule(self, broker: Broker, uuids: list[str]) -> None:
        """Run the triggered webhooks ``uuids`` (committed already) in the background.

        Without a running lifespan (an app driven by ``httpx.ASGITransport``, say) they
        stay recorded as ``not_run``.
        """
        if self._group is None:
            return
        for uuid in uuids:
            self._group.start_soon(self._fire, broker, uuid, name=f"webhook {uuid}")

    async def _fire(self, broker: Broker, uuid: str) -> None:
        schedule = self.policy.retry_schedule
        attempts = len(schedule) + 1
        for attempt in range(attempts):
            try:
                outcome = await self.attempt(broker, uuid, attempt=attempt, attempts=attempts)
            except Exception as error:  # a bug or a database error must not end the task group
                await _crashed(broker, uuid, error)
                return
            if outcome.success or not outcome.retry or attempt == len(schedule):
                return
            try:
                await anyio.sleep(schedule[attempt])
            except anyio.get_cancelled_exc_class():
                await _cancelled(broker, uuid, _Log(), "before its next attempt")
                raise

    async def attempt(self, broker: Broker, uuid: str, *, attempt: int = 0, attempts: int = 1) -> Outcome:
        """One attempt of the triggered webhook ``uuid``, its execution and status recorded."""
        log = _Log()
        try:
            return await self._attempt(broker, uuid, log, attempt, attempts)
        except anyio.get_cancelled_exc_class():
            await _cancelled(broker, uuid, log, "during this attempt")
            raise

    async def _attempt(self, broker: Broker, uuid: str, log: _Log, attempt: int, attempts: int) -> Outcome:
        loaded = await broker.run(lambda tx: _load(tx, uuid))
        if loaded.request is None:
            log("ERROR", "The webhook was deleted: nothing to execute")
            outcome = Outcome(False, False, log.text())
        else:
            log("DEBUG", f"Webhook context {json.dumps(loaded.variables, ensure_ascii=False)}")
            rendered = render_request(loaded.request, loaded.variables)
            if self._limiter is None:  # a test execution without the lifespan
                outcome = await send(self.policy, rendered, log)
            else:
                async with self._limiter:
                    outcome = await send(self.policy, rendered, log)
            retrying = not outcome.success and outcome.retry and attempt + 1 < attempts
            if outcome.success:
                log("INFO", "Successfully executed webhook")
            elif retrying:
                log("INFO", f"Retrying webhook in {self.policy.retry_schedule[attempt]:g} seconds")
            elif attempts > 1 and outcome.retry:
                log("INFO", f"Webhook execution failed after {attempts} attempts")
            else:
                log("INFO", "Webhook execution failed")
            outcome = Outcome(outcome.success, retrying, log.text(), outcome.request, outcome.response)
        status: TriggeredStatus = "success" if outcome.success else "retrying" if outcome.retry else "failure"
        await broker.run(lambda tx: _record(tx, uuid, outcome.success, outcome.log, status))
        return outcome


async def _cancelled(broker: Broker, uuid: str, log: _Log, when: str) -> None:
    """Record, whatever the cancellation, that the broker stopped the webhook ``when``."""
    log("WARN", f"Cancelled {when}: the broker is shutting down; this webhook will not be retried")
    with anyio.CancelScope(shield=True):
        await broker.run(lambda tx: _record(tx, uuid, False, log.text(), "cancelled"))


async def _crashed(broker: Broker, uuid: str, error: Exception) -> None:
    log = _Log()
    log("ERROR", f"Internal error executing the webhook: {type(error).__name__}: {error}")
    with suppress(Exception):  # the database itself may be what failed: then nothing can be recorded
        await broker.run(lambda tx: _record(tx, uuid, False, log.text(), "failure"))


def _load(tx: Transaction, uuid: str) -> _Loaded:
    triggered = tx.triggered_webhook(uuid)
    webhook = tx.webhook(triggered.webhook_uuid) if triggered else None
    request = webhook.document.get("request") if webhook else None
    values = {str(k): str(v) for k, v in triggered.variables.items()} if triggered else {}
    return _Loaded(request if isinstance(request, dict) else None, values)


def _record(tx: Transaction, uuid: str, success: bool, log: str, status: TriggeredStatus) -> None:
    if tx.triggered_webhook(uuid) is not None:
        tx.add_webhook_execution(uuid, success, log)
        tx.set_triggered_webhook_status(uuid, status)
