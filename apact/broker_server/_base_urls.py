"""Several base URLs for one broker (``--base-url "https://pact.example http://pact.internal:9292"``).

A broker reached through a gateway and from inside the network has a URL for each; its
links must use the one the client used, or a client inside is sent outside. As the
official broker does with several ``PACT_BROKER_BASE_URL`` values, a request gets the
configured URL whose scheme, host and port are the ones it was sent to (as forwarded by
a proxy's ``X-Forwarded-*`` headers, else as received), and the first one otherwise.
Only configured URLs are ever handed out, so a client's headers choose among them and
cannot make the broker link anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.requests import Request

from .._core._urls import http_url_problem

_SEPARATORS = re.compile(r"[\s,]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_base_urls(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The URLs of a space- or comma-separated string (or of a list of such strings),
    without trailing slashes; ``ValueError`` naming one that is not an http(s) URL."""
    if value is None:
        return ()
    texts = [value] if isinstance(value, str) else list(value)
    found: list[str] = []
    for text in texts:
        for url in _SEPARATORS.split(text.strip()):
            if not url:
                continue
            problem = http_url_problem(url)
            if problem is not None:
                raise ValueError(f"--base-url {url!r} {problem}")
            found.append(url.rstrip("/"))
    return tuple(dict.fromkeys(found))


def _origin(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    parts = urlsplit(f"{scheme.lower()}://{netloc}")
    try:
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.scheme not in _DEFAULT_PORTS:
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def choose_base_url(request: Request, configured: tuple[str, ...]) -> str | None:
    """The configured URL matching the request's origin, else the first (``None`` when
    none is configured: the request's own URL is used)."""
    if len(configured) < 2:
        return configured[0] if configured else None
    received = request.url
    asked: list[tuple[str, str, int] | None] = []
    forwarded_host = request.headers.get("x-forwarded-host")
    if forwarded_host:
        scheme = request.headers.get("x-forwarded-proto", received.scheme).split(",")[0].strip()
        asked.append(_origin(scheme, forwarded_host.split(",")[0].strip()))
    asked.append(_origin(received.scheme, received.netloc))
    for origin in asked:
        for url in configured:
            parts = urlsplit(url)
            if origin is not None and _origin(parts.scheme, parts.netloc) == origin:
                return url
    return configured[0]
