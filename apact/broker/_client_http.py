"""The broker client's HTTP: HAL navigation, credentials, retries and errors.

Every request goes through `Hal.send`, which retries transient failures (a
connection that could not be made, 502, 503, 504; a read that failed for requests that
may be repeated) after the configured delays, and turns anything else that is not a
success into a `BrokerError` saying what was attempted, the
request, and what the broker answered. Credentials never appear in a message: URLs lose
their user info, and the token and password are masked wherever they would show.

Links are found from the index (``GET`` the base URL) and followed; templated hrefs
(``/pacticipants/{pacticipant}``) are expanded with every value percent-encoded, so
names with spaces or slashes reach the right resource.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

import anyio
import httpx

from .._core._answers import AnswerTooLargeError, bound_answer
from .._core._limits import format_size
from .._core._types import JSON, JSONDict
from ..errors import BrokerError

#: statuses worth another try: a proxy or load balancer with no broker behind it yet
TRANSIENT_STATUSES = frozenset({502, 503, 504})
#: methods whose request may be repeated when its response was lost
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_HINTS = {
    401: "the broker wants credentials: give a token (--broker-token, PACT_BROKER_TOKEN) or a username "
    "and password (--broker-username/--broker-password, PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD)",
    403: "the credentials are valid but not allowed to do this (a read-only token?)",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    """A bearer token, or a username and password for basic auth (the token wins)."""

    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def header(self) -> str | None:
        """The ``Authorization`` header's value, if any."""
        if self.token:
            return f"Bearer {self.token}"
        if self.username is not None:
            pair = f"{self.username}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode()
        return None

    @property
    def kind(self) -> str:
        return "a bearer token" if self.token else "basic auth" if self.username is not None else "no credentials"

    def redact(self, text: str) -> str:
        """``text`` with the token and password (and their basic-auth encoding) masked."""
        secrets = [secret for secret in (self.token, self.password) if secret and len(secret) >= 3]
        if self.username is not None and self.password:
            secrets.append(base64.b64encode(f"{self.username}:{self.password}".encode()).decode())  # basic auth
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


class _BrokerAuth(httpx.Auth):
    """The ``Authorization`` header, sent to the broker's own origin only: a link that
    points elsewhere (a pact's, say) never receives the credentials."""

    def __init__(self, header: str, origin: tuple[str, str, int | None]) -> None:
        self._header = header
        self._origin = origin

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if origin(request.url) == self._origin:
            request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "<broker credentials>"


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))


def broker_auth(base_url: str, credentials: Credentials) -> httpx.Auth | None:
    """The credentials as an ``httpx.Auth`` that only the broker's origin receives."""
    header = credentials.header()
    return _BrokerAuth(header, origin(httpx.URL(base_url))) if header else None


def split_base_url(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user info or trailing slash, username, password)``."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"the Pact Broker URL must start with http:// or https://, got {_strip_user_info(url)!r}")
    parts = urlsplit(url)
    username = password = None
    netloc = parts.netloc
    if "@" in netloc:
        user_info, netloc = netloc.rsplit("@", 1)
        name, _, secret = user_info.partition(":")
        username, password = unquote(name), unquote(secret)
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), parts.query, "")), username, password


def configure(
    base_url: str | None,
    token: str | None,
    username: str | None,
    password: str | None,
    env: Mapping[str, str],
) -> tuple[str, Credentials]:
    """The broker's URL (no user info, no trailing slash) and credentials, from the
    arguments, else ``PACT_BROKER_BASE_URL``, ``PACT_BROKER_TOKEN``,
    ``PACT_BROKER_USERNAME`` and ``PACT_BROKER_PASSWORD`` in ``env``, else the URL's
    ``user:password@``."""
    url = base_url or env.get("PACT_BROKER_BASE_URL") or ""
    if not url:
        raise ValueError("no Pact Broker URL: pass base_url= (--broker-url) or set PACT_BROKER_BASE_URL")
    url, url_username, url_password = split_base_url(url)
    token = token if token is not None else env.get("PACT_BROKER_TOKEN") or None
    if username is None and password is None:
        username = env.get("PACT_BROKER_USERNAME") or url_username
        password = env.get("PACT_BROKER_PASSWORD") or url_password
    return url, Credentials(token, username, password)


def _strip_user_info(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.split("@", 1)[-1]
    host, slash, path = rest.partition("/")
    return scheme + sep + host.rsplit("@", 1)[-1] + slash + path


def expand(href: str, values: Mapping[str, str]) -> str:
    """A templated href with each ``{name}`` replaced by its value, percent-encoded."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(name)
        return quote(values[name], safe="")

    return _TEMPLATE.sub(value, href)


@dataclass(frozen=True, slots=True)
class Answer:
    """A response that was not an error: its status, JSON body (``{}`` if none) and bytes."""

    status: int
    body: JSONDict
    content: bytes


class Hal:
    """One broker's HTTP client: ``await hal.send("GET", url, "read the index")``."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float,
        retry_delays: Sequence[float],
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        from .._core._version import __version__

        self.base_url = base_url
        self.credentials = credentials
        self.timeout = timeout
        self.retry_delays = tuple(retry_delays)
        self._client = httpx.AsyncClient(
            auth=broker_auth(base_url, credentials),
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
            event_hooks={"response": [bound_answer]},
            headers={
                "Accept": "application/hal+json, application/json",
                "User-Agent": f"apact/{__version__}",
                **(headers or {}),
            },
        )
        self._index: JSONDict | None = None

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- links ----------------------------------------------------------------------------------------

    async def index(self) -> JSONDict:
        if self._index is None:
            self._index = (await self.send("GET", self.base_url, "read the Pact Broker's index")).body
        return self._index

    async def link(self, relation: str, action: str, **values: str) -> str:
        """The index's ``relation``, expanded; a `BrokerError` if the broker has none."""
        href = await self.find_link(relation, **values)
        if href is None:
            raise BrokerError(
                f"could not {action}: the Pact Broker at {self.base_url} has no {relation!r} relation in its index "
                "(is it a Pact Broker, and a recent one?)",
                url=self.base_url,
            )
        return href

    async def find_link(self, relation: str, **values: str) -> str | None:
        return self.resource_link(await self.index(), relation, **values)

    def resource_link(self, resource: JSONDict, relation: str, *, name: str | None = None, **values: str) -> str | None:
        """The href of ``resource``'s link ``relation`` (the one called ``name`` among
        several), expanded with ``values`` and made absolute; ``None`` if absent."""
        found = links(resource, relation)
        if name is not None:
            found = [item for item in found if item.get("name") == name]
        if not found or not isinstance(found[0].get("href"), str):
            return None
        href = str(found[0]["href"])
        try:
            href = expand(href, values)
        except KeyError as missing:
            raise BrokerError(f"the broker's {relation!r} link {href} needs a value for {missing}") from None
        return str(httpx.URL(self.base_url + "/").join(href))

    # -- requests -------------------------------------------------------------------------------------

    async def send(
        self,
        method: str,
        url: str,
        action: str,
        *,
        body: JSON | None = None,
        params: Sequence[tuple[str, str]] = (),
        accept: Sequence[int] = (),
        explain: Mapping[int, str] | None = None,
    ) -> Answer:
        """Send the request, with retries; an `Answer` for a 2xx (or a status in
        ``accept``), else a `BrokerError` (``explain`` gives the message for a
        status, instead of the broker's)."""
        attempts = len(self.retry_delays) + 1
        content = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        shown = self._shown(url)
        query = urlencode(params, safe="[]") if params else None  # q[][pacticipant]=..., as the official clients send
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._exchange(method, url, content, headers, query)
            except httpx.RequestError as error:  # (a redirect loop and an undecodable body too)
                before_sending = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
                retried = isinstance(error, httpx.TransportError)
                if retried and not last and (before_sending or method in IDEMPOTENT):
                    await anyio.sleep(self.retry_delays[attempt])
                    continue
                tried = f" (tried {attempt + 1} times)" if attempt else ""
                if isinstance(error, _SlowAnswerError):  # reached, but the answer is wrong
                    problem = f"{method} {shown} {error}"
                elif isinstance(error, AnswerTooLargeError):
                    problem = f"{method} {shown} answered more than {format_size(error.limit)}"
                else:
                    problem = f"cannot reach the Pact Broker at {self.base_url}: {_describe(error, self._client.max_redirects)}"
                raise self._error(f"could not {action}: {problem}{tried}", method=method, url=shown) from None
            if response.status_code in TRANSIENT_STATUSES and not last:
                await anyio.sleep(self.retry_delays[attempt])
                continue
            if response.is_success or response.status_code in accept:
                body = self._json(response, action, method, shown)
                return Answer(response.status_code, body, response.content)
            raise self._failure(response, action, method, shown, attempt + 1, explain or {})
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str] | None, query: str | None
    ) -> httpx.Response:
        """One request and its whole answer, within the timeout. httpx's timeout bounds
        each read, not the answer: a body trickled a byte at a time held a command (and a
        CI job) for ever. (Its size is bounded as it arrives: `apact._core._answers`.)"""
        try:
            with anyio.fail_after(self.timeout):
                return await self._client.request(method, url, content=content, headers=headers, params=query)
        except TimeoutError:
            raise _SlowAnswerError(f"gave no whole answer within {self.timeout:g} s") from None

    def _shown(self, url: str) -> str:
        return self.credentials.redact(_strip_user_info(url))

    def _json(self, response: httpx.Response, action: str, method: str, url: str) -> JSONDict:
        if not response.content.strip():
            return {}
        try:
            value = response.json()
        except (ValueError, RecursionError) as error:
            what = "JSON nested too deep to read" if isinstance(error, RecursionError) else "something that is not JSON"
            raise self._error(
                f"could not {action}: {method} {url} answered {response.status_code} with {what} "
                f"({response.headers.get('content-type', 'no content type')}): is {self.base_url} a Pact Broker?",
                status=response.status_code,
                method=method,
                url=url,
            ) from None
        return value if isinstance(value, dict) else {"value": value}

    def _failure(
        self, response: httpx.Response, action: str, method: str, url: str, attempts: int, explain: Mapping[int, str]
    ) -> BrokerError:
        status = response.status_code
        detail = broker_says(response)
        phrase = httpx.codes.get_reason_phrase(status) or response.reason_phrase  # HTTP/2 and hypercorn send none
        message = f"could not {action}: {method} {url} answered {status} {phrase}".rstrip()
        if status in explain:
            message += f": {explain[status]}"
        if detail:
            message += f": {detail}" if status not in explain else f" (the broker says: {detail})"
        hint = _HINTS.get(status)
        if hint and status == 401 and self.credentials.kind != "no credentials":
            given = "bearer token" if self.credentials.token else "username and password"
            hint = f"the broker refused the {given} given: check it"
        if hint:
            message += f" ({hint})"
        if status >= 500:
            message += f" (the broker failed{f' {attempts} times' if attempts > 1 else ''}; see its logs)"
        return self._error(message, status=status, method=method, url=url, detail=detail)

    def _error(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        detail: str | None = None,
    ) -> BrokerError:
        redact = self.credentials.redact
        return BrokerError(
            redact(message),
            status=status,
            method=method,
            url=url,
            detail=redact(detail) if detail is not None else None,
        )


def links(resource: JSONDict, relation: str) -> list[dict[str, JSON]]:
    """Every link ``relation`` of ``resource`` (a HAL link may be one object or a list)."""
    everything = resource.get("_links")
    found = everything.get(relation) if isinstance(everything, dict) else None
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list):
        return [item for item in found if isinstance(item, dict)]
    return []


def broker_says(response: httpx.Response, limit: int = 500) -> str | None:
    """The broker's own message in an error response: its ``errors`` (a list, or lists
    per field), its error ``notices``, a problem's ``detail``, or the start of the text."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        text = response.text.strip()
        return _shorten(" ".join(text.split()), limit) if text else None
    messages: list[str] = []
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):
            messages += [str(item) for item in errors]
        elif isinstance(errors, dict):
            for name, problems in errors.items():
                for problem in problems if isinstance(problems, list) else [problems]:
                    messages.append(f"{name}: {problem}")
        elif isinstance(errors, str):
            messages.append(errors)
        notices = body.get("notices")
        if isinstance(notices, list):
            for notice in notices:
                if isinstance(notice, dict) and notice.get("type") in ("error", "danger") and notice.get("text"):
                    if str(notice["text"]) not in messages:
                        messages.append(str(notice["text"]))
        for key in ("detail", "title", "message", "error"):
            if not messages and isinstance(body.get(key), str):
                messages.append(str(body[key]))
    if not messages:
        text = response.text.strip()
        return _shorten(" ".join(text.split()), limit) if text else None
    return _shorten("; ".join(messages), limit)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _SlowAnswerError(httpx.TimeoutException):
    """An answer not whole within the timeout, though each read was (see `Hal._exchange`)."""


def _describe(error: httpx.RequestError, max_redirects: int) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return f"no answer in time ({type(error).__name__})"
    if isinstance(error, httpx.TooManyRedirects):
        return f"it redirected more than {max_redirects} times (a redirect loop?)"
    if isinstance(error, httpx.DecodingError):
        return f"the answer's body could not be decoded as its Content-Encoding says ({text})"
    return text
