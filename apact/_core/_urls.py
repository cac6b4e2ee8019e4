"""Whether a URL given as an option (a provider's, a broker's own) is an http:// or
https:// URL with a host: said when it is given, rather than by every request later.
Here, below every layer, since the verifier and the broker server both take one."""

from __future__ import annotations

from urllib.parse import urlsplit


def http_url_problem(url: str) -> str | None:
    """Why ``url`` is not an http:// or https:// URL with a host (``"is not an http://
    or https:// URL"``, ``"has no host"``, ``"is not a URL: Invalid IPv6 URL"``), or
    ``None``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not one)
    except ValueError as error:
        return f"is not a URL: {error}"
    if parts.scheme.lower() not in ("http", "https"):
        return "is not an http:// or https:// URL"
    if not parts.hostname or any(character.isspace() or not character.isprintable() for character in parts.netloc):
        return "has no host" if not parts.hostname else "is not a URL: its host holds a space or a control"
    return None
