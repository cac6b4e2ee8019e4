"""Servers for the hostile-pact tests: a provider and an "attacker", both recording
whatever reaches them, on loopback over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apact._serve import serve
from apact._types import ASGIApp, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as it reached a server."""

    method: str
    raw_path: bytes
    query: bytes
    #: header names lower-cased, values decoded as Latin-1 (the bytes as they came)
    headers: dict[str, str]
    body: bytes


def recording(seen: list[Seen], body: bytes = b'{"ok": true}') -> ASGIApp:
    """An ASGI app answering ``200 {"ok": true}`` (or ``body``) to any request, noting it in ``seen``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        received = b""
        while True:
            message = await receive()
            received += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        seen.append(Seen(scope["method"], scope["raw_path"], scope["query_string"], headers, received))
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return app


@dataclass(slots=True)
class Servers:
    """The provider's base URL, the attacker's ``host:port``, and what reached each."""

    provider: str
    attacker: str
    to_provider: list[Seen] = field(default_factory=list)
    to_attacker: list[Seen] = field(default_factory=list)


@asynccontextmanager
async def provider_and_attacker() -> AsyncIterator[Servers]:
    to_provider: list[Seen] = []
    to_attacker: list[Seen] = []
    async with serve(recording(to_provider)) as provider, serve(recording(to_attacker)) as attacker:
        yield Servers(provider, attacker.removeprefix("http://"), to_provider, to_attacker)


def http_interaction(description: str, request: dict[str, Any], *, v2: bool = False) -> dict[str, Any]:
    """An interaction answered ``200 {"ok": true}`` (V4, or V2 with ``v2``)."""
    if v2:
        response: dict[str, Any] = {
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": {"ok": True},
        }
        return {"description": description, "request": request, "response": response}
    body = {"contentType": "application/json", "encoded": False, "content": {"ok": True}}
    response = {"status": 200, "headers": {"Content-Type": ["application/json"]}, "body": body}
    return {"type": "Synchronous/HTTP", "description": description, "request": request, "response": response}


def pact_document(*interactions: dict[str, Any], v2: bool = False) -> dict[str, Any]:
    return {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "2.0.0" if v2 else "4.0"}},
    }


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2))
    return path
