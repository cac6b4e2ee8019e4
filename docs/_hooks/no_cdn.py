"""An MkDocs hook: the site loads nothing from a CDN.

Material's offline plugin adds a script from unpkg.com (a shim that lets the search run
from a page opened as a file). A site read offline cannot fetch it, and a reader's browser
should not call a CDN for apact's docs: the hook drops it. Served by any local web server
(``mkdocs serve``, ``python -m http.server -d site``) the search needs no shim.
"""

from __future__ import annotations

from typing import Any


def on_config(config: Any) -> Any:
    polyfills = config.extra.get("polyfills") or []
    config.extra["polyfills"] = [url for url in polyfills if not str(url).startswith(("http://", "https://"))]
    return config
