"""Optional authentication for the broker: a bearer token, a read-only token, a
read-write and a read-only basic-auth user, public reading, a protected heartbeat.

With none configured the broker is open. Otherwise every request but the heartbeat
needs ``Authorization: Bearer <token>`` or HTTP basic credentials: 401 without valid
ones, 403 for read-only credentials on anything but GET, HEAD and OPTIONS, and the POST
that asks for the pacts to verify (a read, as in the Pact Broker's Docker image).
``allow_public_read`` lets requests without credentials read (as the official broker's
``PACT_BROKER_ALLOW_PUBLIC_READ``); ``heartbeat_requires_auth`` makes the heartbeat a
read like any other (``PACT_BROKER_PUBLIC_HEARTBEAT=false``).
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass

from starlette.datastructures import Headers

from .._core._limits import declares_body
from .._core._types import ASGIApp, Receive, Scope, Send
from ._hal import HttpError

OPEN_PATHS = frozenset({"/diagnostic/status/heartbeat"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: a POST that only reads: a provider's CI fetches its pacts with a read-only token
FOR_VERIFICATION = re.compile(r"/pacts/provider/[^/]+/for-verification")


def _same(given: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True, slots=True)
class Credentials:
    token: str | None = None
    read_only_token: str | None = None
    username: str | None = None
    password: str | None = None
    read_only_username: str | None = None
    read_only_password: str | None = None
    allow_public_read: bool = False
    heartbeat_requires_auth: bool = False

    def __post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise ValueError("basic auth needs both a username and a password")
        if (self.read_only_username is None) != (self.read_only_password is None):
            raise ValueError("the read-only basic auth user needs both a username and a password")
        if self.read_only_token is not None and self.read_only_token == self.token:
            raise ValueError("the read-only token must differ from the token")
        if self.read_only_username is not None and self.read_only_username == self.username:
            raise ValueError("the read-only username must differ from the read-write one")

    @property
    def required(self) -> bool:
        return any(
            value is not None for value in (self.token, self.read_only_token, self.username, self.read_only_username)
        )

    @property
    def basic(self) -> bool:
        return self.username is not None or self.read_only_username is not None

    def access(self, authorization: str | None) -> str | None:
        """``"write"``, ``"read"`` or None for the value of an Authorization header."""
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            if _same(value, self.token):
                return "write"
            return "read" if _same(value, self.read_only_token) else None
        if scheme.lower() == "basic" and self.basic:
            try:
                username, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8
                return None
            # both pairs compared, whichever matches: the time taken says nothing of which
            write = _same(username, self.username) & _same(password, self.password)
            read = _same(username, self.read_only_username) & _same(password, self.read_only_password)
            return "write" if write else "read" if read else None
        return None

    def challenge(self) -> str:
        return 'Basic realm="apact broker"' if self.basic else 'Bearer realm="apact broker"'


class Authentication:
    """ASGI middleware enforcing `Credentials`, before any of a request's body is
    read: a refused client's body is never read (its connection is closed)."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        credentials = self.credentials
        if (
            scope["type"] != "http"
            or not credentials.required
            or (scope["path"] in OPEN_PATHS and not credentials.heartbeat_requires_auth)
        ):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization")
        access = credentials.access(header)
        if access is None and not header and credentials.allow_public_read:
            access = "public"  # reads without credentials; wrong credentials are still refused
        if access is None:
            problem = "the credentials given were not accepted" if header else "this broker needs credentials"
            how = "send 'Authorization: Bearer <token>'" + (" or HTTP basic auth" if credentials.basic else "")
            headers = {"WWW-Authenticate": self.credentials.challenge(), **_closing(scope)}
            await HttpError(401, [f"Unauthorized: {problem}; {how}"], headers).response()(scope, receive, send)
            return
        reading = scope["method"] in READ_METHODS or (
            scope["method"] == "POST" and FOR_VERIFICATION.fullmatch(scope["path"]) is not None
        )
        if access == "public" and not reading:
            message = f"Unauthorized: this broker lets anyone read, but {scope['method']} needs credentials"
            headers = {"WWW-Authenticate": credentials.challenge(), **_closing(scope)}
            await HttpError(401, [message], headers).response()(scope, receive, send)
            return
        if access == "read" and not reading:
            message = f"Forbidden: read-only credentials allow only reading (GET, HEAD), not {scope['method']}"
            await HttpError(403, [message], _closing(scope)).response()(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _closing(scope: Scope) -> dict[str, str]:
    """``Connection: close`` when a body follows that will not be read."""
    return {"Connection": "close"} if declares_body(scope) else {}
