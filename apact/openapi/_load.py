"""Reading an OpenAPI document: from a file (JSON or YAML), a URL, a dict, a FastAPI app
(``app.openapi()``) or any ASGI app serving it (fetched in-process).

Loading reads every file or URL the document's ``$ref`` references reach, checks that
each reference resolves and that the parts apact walks have the shape OpenAPI gives
them, so a broken document fails here, once, with the place named, rather than in the
middle of a check.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

from .._core._files import read_file
from ._document import Location, OpenAPIDocument, OpenAPIError

if TYPE_CHECKING:
    import httpx

#: the HTTP methods an OpenAPI path item can hold
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: keys whose values are data, not OpenAPI objects: a ``$ref`` in them is not a reference
_DATA_KEYS = frozenset({"example", "enum", "const", "default"})
_PARAMETER_PLACES = frozenset({"query", "header", "path", "cookie"})
_VERSION = re.compile(r"3\.(\d+)(\.\d+)?(-[\w.]+)?")


def load(
    source: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    *,
    app: object = None,
    timeout: float = 30.0,
) -> OpenAPIDocument:
    """Read an OpenAPI 3.0 or 3.1 document: ``source`` is a file (JSON or YAML), an
    HTTP(S) URL or the document as a dict; or ``app=`` a FastAPI app (its
    ``app.openapi()``; for other ASGI apps, ``await fetch(app)``)."""
    if (source is None) == (app is None):
        raise OpenAPIError("give the OpenAPI document (a file, a URL or a dict) or app=, not both")
    if app is not None:
        return _from_app(app)
    if isinstance(source, Mapping):
        return build(check_size(dict(source), "<dict>"), "<dict>", Path.cwd().as_uri() + "/")
    name = os.fspath(source)  # type: ignore[arg-type]
    if _is_url(name):
        with _client(timeout) as client:
            data, content_type = _get(client, name, name, None)
            return build(parse(data, name, content_type), name, name, client=client)
    path = Path(name)
    try:
        data = read_file(path)  # (at most 256 MiB)
    except OSError as error:
        raise OpenAPIError(f"{name}: cannot read the OpenAPI document: {error.strerror or error}") from None
    return build(parse(data, name, None), name, path.resolve().as_uri())


async def fetch(app: Any, path: str = "/openapi.json") -> OpenAPIDocument:
    """Fetch the document an ASGI app serves at ``path``, in-process (no server)."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://openapi.apact") as client:
        try:
            response = await client.get(path, headers={"Accept": "application/json, application/yaml"})
        except Exception as error:  # the app raised: say so rather than show a traceback
            raise OpenAPIError(f"the app raised while serving {path}: {type(error).__name__}: {error}") from None
    source = f"the app's {path}"
    if response.status_code != 200:
        raise OpenAPIError(f"{source}: cannot fetch the OpenAPI document: HTTP {response.status_code}")
    contents = parse(response.content, source, response.headers.get("content-type"))
    return build(contents, source, urljoin("http://openapi.apact", path))


def _from_app(app: object) -> OpenAPIDocument:
    make = getattr(app, "openapi", None)
    if not callable(make):
        raise OpenAPIError(
            f"app= takes an app with an openapi() method (FastAPI); {type(app).__name__} has none: "
            "for any ASGI app serving its document, use `await apact.openapi.fetch(app)`"
        )
    contents = make()
    if not isinstance(contents, Mapping):
        raise OpenAPIError(f"app.openapi() returned {type(contents).__name__}, not a document")
    return build(json.loads(json.dumps(contents)), "app.openapi()", Path.cwd().as_uri() + "/")


# -- parsing -------------------------------------------------------------------------------------


#: deeper than any real document, and shallow enough for every recursive walk of it
MAX_DEPTH = 200
#: values a document may hold once YAML's aliases are expanded (a large real one, the
#: GitHub API's, holds about a third of that): ten aliases of ten aliases of ... of a
#: list of ten would otherwise be walked a billion times
MAX_VALUES = 1_000_000


def check_size(value: Any, source: str) -> Any:  # noqa: ANN401
    """``value``, if it is at most `MAX_DEPTH` deep and `MAX_VALUES` large (its aliases
    counted each time they appear: a YAML alias inside itself is infinitely deep); else
    an `OpenAPIError`, rather than a RecursionError or a walk that never ends."""
    stack = [(value, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise OpenAPIError(
                f"{source}: the document holds more than {MAX_VALUES:,} values once its YAML aliases are "
                "expanded: apact reads no larger one"
            )
        if isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise _too_deep(source)
            stack.extend((item, depth + 1) for item in (node.values() if isinstance(node, dict) else node))
    return value


def _too_deep(source: str) -> OpenAPIError:
    return OpenAPIError(
        f"{source}: the document is nested more than {MAX_DEPTH} levels deep: apact reads no deeper one"
    )


def parse(data: bytes, source: str, content_type: str | None) -> Any:
    """JSON or YAML text as JSON values; which one from the name or content type, else
    JSON first."""
    lowered = (content_type or "").lower()
    suffix = Path(urlsplit(source).path).suffix.lower()
    if suffix in (".yaml", ".yml") or "yaml" in lowered:
        return _parse_yaml(data, source)
    try:
        return check_size(json.loads(data), source)
    except RecursionError:
        raise _too_deep(source) from None
    except UnicodeDecodeError:
        raise OpenAPIError(f"{source}: the OpenAPI document is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        if suffix == ".json" or "json" in lowered:
            raise OpenAPIError(
                f"{source}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
            ) from None
    return _parse_yaml(data, source)


def _parse_yaml(data: bytes, source: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise OpenAPIError(f"{source}: reading YAML needs PyYAML: pip install 'apact[openapi]'") from None
    try:
        return _jsonable(check_size(yaml.safe_load(data), source))
    except RecursionError:
        raise _too_deep(source) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise OpenAPIError(f"{source}: not valid YAML: {problem}{where}") from None


def _jsonable(value: Any) -> Any:
    """YAML's extras as JSON: keys as strings (``200:`` is ``"200"``), dates as text."""
    if isinstance(value, dict):
        return {_key(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _key(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


# -- building ------------------------------------------------------------------------------------


def build(
    contents: Any, source: str, uri: str, *, client: httpx.Client | None = None, timeout: float = 30.0
) -> OpenAPIDocument:
    """The document for ``contents``: its references' resources read, every reference
    and the parts apact walks checked."""
    from referencing import Registry, Resource

    if not isinstance(contents, dict):
        raise OpenAPIError(f"{source}: an OpenAPI document is an object, not {_describe(contents)}")
    _check_version(contents, source)
    resources: dict[str, Any] = {uri: contents}
    names: dict[str, str] = {uri: ""}
    references: list[tuple[str, str, Location]] = []
    queue = [uri]
    own_client = client is None
    try:
        while queue:
            current = queue.pop()
            for base, ref, where in _references(resources[current], current, Location(current, (), names[current])):
                target = urldefrag(urljoin(base, ref))[0]
                if target not in resources:
                    if client is None and _is_url(target):
                        client = _client(timeout)
                    resources[target] = _retrieve(target, source, where, client)
                    names[target] = _name(target, uri)
                    queue.append(target)
                references.append((base, ref, where))
    finally:
        if own_client and client is not None:
            client.close()
    registry: Registry[Any] = Registry().with_resources(
        (key, Resource.opaque(value)) for key, value in resources.items()
    )
    document = OpenAPIDocument(contents, source, uri, registry, names)
    for base, ref, where in references:
        document.lookup(base, ref, where)
    _check_structure(document)
    return document


def _check_version(contents: dict[str, Any], source: str) -> None:
    version = contents.get("openapi")
    if version is None and "swagger" in contents:
        raise OpenAPIError(
            f"{source}: a Swagger {contents.get('swagger')} document: apact reads OpenAPI 3.0 and 3.1 (convert it first)"
        )
    if not isinstance(version, str):
        raise OpenAPIError(f"{source}: not an OpenAPI document: it has no `openapi` version string")
    if not _VERSION.fullmatch(version):
        raise OpenAPIError(f"{source}: OpenAPI {version}: apact reads OpenAPI 3.0 and 3.1")


def _references(value: Any, base: str, where: Location) -> Iterator[tuple[str, str, Location]]:
    """Every ``$ref`` in a resource: (base URI, the reference, where it is)."""
    stack: list[tuple[Any, Location]] = [(value, where)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield base, ref, place.child("$ref")
            for key, child in item.items():
                if key not in _DATA_KEYS and not key.startswith("x-") and isinstance(child, (dict, list)):
                    stack.append((child, place.child(key)))
        elif isinstance(item, list):
            stack.extend(
                (child, place.child(index)) for index, child in enumerate(item) if isinstance(child, (dict, list))
            )


def _retrieve(uri: str, source: str, where: Location, client: httpx.Client | None) -> Any:
    prefix = f"{source}: {where}"
    if _is_url(uri):
        assert client is not None
        data, content_type = _get(client, uri, prefix, where)
        return parse(data, uri, content_type)
    if not uri.startswith("file:"):
        raise OpenAPIError(f"{prefix}: cannot read {uri!r}: only files and HTTP(S) URLs can be referred to")
    path = url2pathname(urlsplit(uri).path)
    try:
        data = read_file(path)
    except OSError as error:
        raise OpenAPIError(f"{prefix}: cannot read the referenced file {path}: {error.strerror or error}") from None
    return parse(data, path, None)


def _client(timeout: float) -> httpx.Client:
    """Each answer whole within ``timeout`` and at most 256 MiB (`apact._core._answers`:
    imported, httpx with it, only when a URL is fetched)."""
    from .._core._answers import sync_client

    return sync_client(timeout)


def _get(client: httpx.Client, url: str, prefix: str, where: Location | None) -> tuple[bytes, str | None]:
    import httpx

    try:
        response = client.get(url, headers={"Accept": "application/json, application/yaml, */*"})
    except httpx.HTTPError as error:
        raise OpenAPIError(f"{prefix}: cannot fetch {url}: {error}") from None
    if response.status_code != 200:
        raise OpenAPIError(f"{prefix}: cannot fetch {url}: HTTP {response.status_code}")
    return response.content, response.headers.get("content-type")


def _name(uri: str, main: str) -> str:
    """A referenced resource as messages name it: a path relative to the document's
    directory (or the URL)."""
    if uri.startswith("file:") and main.startswith("file:"):
        target = url2pathname(urlsplit(uri).path)
        home = os.path.dirname(url2pathname(urlsplit(main).path))
        return os.path.relpath(target, home)
    return uri


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _describe(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


# -- structure -----------------------------------------------------------------------------------


def _check_structure(document: OpenAPIDocument) -> None:
    """The parts a check walks have the shape OpenAPI gives them (a full validation of
    the document is a job for an OpenAPI linter: this only keeps the check's own
    messages clear)."""
    root = document.root()
    paths = document.contents.get("paths", {})
    if not isinstance(paths, dict):
        raise _malformed(document, root.child("paths"), "`paths` must be an object")
    for template, item in paths.items():
        where = root.child("paths", template)
        if not template.startswith("/"):
            raise _malformed(document, where, f"a path must start with '/', got {template!r}")
        item, base, where = document.resolve(item, document.uri, where)
        if not isinstance(item, dict):
            raise _malformed(document, where, "a path item must be an object")
        _check_parameters(document, item.get("parameters"), base, where.child("parameters"))
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            if not isinstance(operation, dict):
                raise _malformed(document, where.child(method), "an operation must be an object")
            _check_parameters(document, operation.get("parameters"), base, where.child(method, "parameters"))
            responses = operation.get("responses", {})
            if not isinstance(responses, dict):
                raise _malformed(document, where.child(method, "responses"), "`responses` must be an object")
            body = operation.get("requestBody")
            if body is not None:
                body, _, body_where = document.resolve(body, base, where.child(method, "requestBody"))
                if not isinstance(body, dict) or not isinstance(body.get("content", {}), dict):
                    raise _malformed(document, body_where, "a request body must be an object with a `content` object")


def _check_parameters(document: OpenAPIDocument, parameters: Any, base: str, where: Location) -> None:
    if parameters is None:
        return
    if not isinstance(parameters, list):
        raise _malformed(document, where, "`parameters` must be an array")
    for index, parameter in enumerate(parameters):
        parameter, _, place = document.resolve(parameter, base, where.child(index))
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
            raise _malformed(document, place, "a parameter must be an object with a `name`")
        if parameter.get("in") not in _PARAMETER_PLACES:
            raise _malformed(
                document, place, f"parameter {parameter['name']!r}: `in` must be query, header, path or cookie"
            )


def _malformed(document: OpenAPIDocument, where: Location, reason: str) -> OpenAPIError:
    return OpenAPIError(f"{document.source}: {where}: {reason}")
