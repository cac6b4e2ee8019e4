"""A provider that answers what the environment says, for the interoperability cases
that verify one small pact with apact and with pact-python's verifier.

``CANNED`` is JSON: ``{"/path": {"status": 200, "headers": {...}, "body": "<text>"}}``
(``headers`` may be a list of ``[name, value]`` pairs, to send a header several times);
any other path answers 404. ``/health`` answers 200 (for :func:`served`). Every request
to a canned path is noted, and ``/_seen`` answers the list (method, path, query,
headers, body).
"""

from __future__ import annotations

import json
import os
from typing import Any

from apact._core._types import Receive, Scope, Send


def make_app(canned: dict[str, Any]) -> Any:  # noqa: ANN401
    seen: list[dict[str, Any]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        if path == "/_seen":
            answer: dict[str, Any] = {"status": 200, "body": json.dumps(seen)}
        elif path == "/health":
            answer = {"status": 200, "body": "{}"}
        elif path in canned:
            seen.append(
                {
                    "method": scope["method"],
                    "path": path,
                    "query": scope["query_string"].decode("latin-1"),
                    "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in scope["headers"]],
                    "body": body.decode("latin-1"),
                }
            )
            answer = canned[path]
        else:
            answer = {"status": 404, "body": ""}
        given = answer.get("headers", {})
        pairs = given.items() if isinstance(given, dict) else given  # a list of pairs: a header given several times
        headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in pairs]
        await send({"type": "http.response.start", "status": answer["status"], "headers": headers})
        await send({"type": "http.response.body", "body": answer.get("body", "").encode()})

    return app


app = make_app(json.loads(os.environ.get("CANNED", "{}")))
