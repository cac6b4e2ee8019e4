"""Where documents come from, and documents that cannot be used: each fails when it is
loaded, with a message naming the document and the place in it (never a traceback)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette

from apact import openapi
from apact._core import _answers, _files
from apact._core._serve import serve
from apact.errors import PactFileError
from apact.openapi._check import read_pacts

from ..loopback import serving_files, unending
from .openapi_helpers import DOCUMENTS, found, http, pact

MINIMAL: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}


def test_a_document_at_a_url_and_the_files_it_refers_to_are_fetched(tmp_path: Path) -> None:
    with serving_files(DOCUMENTS) as url:
        document = openapi.load(f"{url}/kitchen-3.0.yaml")
        assert document.source == f"{url}/kitchen-3.0.yaml"
        assert f"{url}/common.yaml" in document.names.values()
    # the check itself needs no network: every reference was read when loading
    interaction = http("an order", "/api/v1/orders/42", body={"waitingTime": "soon"})
    assert found(openapi.check(pact(interaction), document)) == {
        "an order": [
            (
                "$.response.body.waitingTime",
                f"the pact expects `waitingTime` as a string; the OpenAPI document says `integer` ({url}/common.yaml: "
                "components.schemas.Order.properties.waitingTime)",
            )
        ]
    }


def test_a_url_that_does_not_answer_the_document(tmp_path: Path) -> None:
    with serving_files(tmp_path) as url, pytest.raises(openapi.OpenAPIError) as raised:
        openapi.load(f"{url}/openapi.json")
    assert str(raised.value) == f"{url}/openapi.json: cannot fetch {url}/openapi.json: HTTP 404"


def test_a_recursive_schema_is_walked_as_deep_as_the_pact_goes() -> None:
    tree = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
        },
    }
    document = {
        **MINIMAL,
        "paths": {
            "/tree": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "t",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}},
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Tree": tree}},
    }
    body = {"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]}
    assert found(openapi.check(pact(http("a tree", "/tree", body=body)), document)) == {
        "a tree": [
            (
                "$.response.body.children[0].children[0].name",
                "the pact expects `children[0].children[0].name` as an integer; the OpenAPI document says `string` "
                "(components.schemas.Tree.properties.name)",
            )
        ]
    }


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def unusable(tmp_path: Path) -> dict[str, tuple[Any, str]]:
    """case -> (what is loaded, the message after the document's name)"""
    paths = {
        "/a": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gone"}}},
                    }
                }
            }
        }
    }
    return {
        "no such file": (str(tmp_path / "missing.yaml"), "cannot read the OpenAPI document: No such file or directory"),
        "bad JSON": (
            write(tmp_path, "bad.json", '{"openapi": "3.1.0",\n  "paths": }'),
            "not valid JSON: Expecting value (line 2, column 12)",
        ),
        "bad YAML": (
            write(tmp_path, "bad.yaml", "openapi: 3.0.3\npaths:\n  - a\n  b: c\n"),
            "not valid YAML: expected <block end>, but found '?' (line 4, column 3)",
        ),
        "Swagger 2.0": (
            {"swagger": "2.0", "paths": {}},
            "a Swagger 2.0 document: apact reads OpenAPI 3.0 and 3.1 (convert it first)",
        ),
        "no version": ({"paths": {}}, "not an OpenAPI document: it has no `openapi` version string"),
        "a version from elsewhere": ({"openapi": "4.0.0"}, "OpenAPI 4.0.0: apact reads OpenAPI 3.0 and 3.1"),
        "not an object": (write(tmp_path, "list.json", "[1, 2]"), "an OpenAPI document is an object, not an array"),
        "a reference to nowhere": (
            {**MINIMAL, "paths": paths},
            "paths./a.get.responses.200.content.application/json.schema.$ref: $ref '#/components/schemas/Gone' leads nowhere",
        ),
        "a file that is not there": (
            {**MINIMAL, "components": {"schemas": {"A": {"$ref": "other.yaml#/B"}}}},
            f"components.schemas.A.$ref: cannot read the referenced file {Path.cwd() / 'other.yaml'}: No such file or directory",
        ),
        "a parameter without a name": (
            {**MINIMAL, "paths": {"/a": {"get": {"parameters": [{"in": "query"}], "responses": {}}}}},
            "paths./a.get.parameters[0]: a parameter must be an object with a `name`",
        ),
        "a parameter in a wrong place": (
            {**MINIMAL, "paths": {"/a": {"parameters": [{"name": "x", "in": "body"}]}}},
            "paths./a.parameters[0]: parameter 'x': `in` must be query, header, path or cookie",
        ),
        "paths that are not an object": ({**MINIMAL, "paths": []}, "paths: `paths` must be an object"),
        "a path without its slash": ({**MINIMAL, "paths": {"a": {}}}, "paths.a: a path must start with '/', got 'a'"),
        # a traceback (RecursionError) before: while parsing, or walking what was parsed
        "JSON nested too deep to parse": (
            write(tmp_path, "deep.json", '{"openapi": "3.1.0", "x": ' + "[" * 5000 + "]" * 5000 + "}"),
            "nested more than 200 levels deep",
        ),
        "JSON nested too deep to walk": (
            write(tmp_path, "deeper.json", '{"openapi": "3.1.0", "x": ' + '{"a": ' * 600 + "1" + "}" * 600 + "}"),
            "nested more than 200 levels deep",
        ),
        "YAML nested too deep": (
            write(tmp_path, "deep.yaml", "openapi: 3.0.3\nx: " + "[" * 5000 + "]" * 5000 + "\n"),
            "nested more than 200 levels deep",
        ),
        "a YAML alias inside itself": (
            write(tmp_path, "self.yaml", "openapi: 3.0.3\nx: &a [1, *a]\n"),
            "nested more than 200 levels deep",
        ),
        "YAML aliases that expand a billion times": (
            write(
                tmp_path,
                "laughs.yaml",
                "openapi: 3.0.3\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                + "".join(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 10)),
            ),
            "holds more than 1,000,000 values once its YAML aliases are expanded",
        ),
        "a dict nested too deep": (
            {**MINIMAL, "x": json.loads('{"a": ' * 300 + "1" + "}" * 300)},
            "nested more than 200 levels deep",
        ),
        "a circle of references": (
            {
                **MINIMAL,
                "paths": {"/a": {"$ref": "#/components/pathItems/B"}},
                "components": {"pathItems": {"B": {"$ref": "#/paths/~1a"}}},
            },
            "$ref goes round in a circle",
        ),
    }


CASES = list(unusable(Path("/tmp")))


@pytest.mark.parametrize("case", CASES)
def test_an_unusable_document_is_refused_saying_where_and_why(tmp_path: Path, case: str) -> None:
    source, message = unusable(tmp_path)[case]
    with pytest.raises(openapi.OpenAPIError) as raised:
        openapi.load(source)
    name = source if isinstance(source, str) else "<dict>"
    assert str(raised.value).startswith(f"{name}: "), str(raised.value)
    assert message in str(raised.value)


def test_check_reads_the_document_itself_and_refuses_an_unusable_one(tmp_path: Path) -> None:
    with pytest.raises(openapi.OpenAPIError, match="not valid JSON"):
        openapi.check(pact(http("x", "/x")), write(tmp_path, "bad.json", "{"))


def test_app_takes_fastapi_apps_and_says_what_to_do_with_others() -> None:
    with pytest.raises(openapi.OpenAPIError) as raised:
        openapi.load(app=Starlette())
    assert "Starlette has none: for any ASGI app serving its document, use `await apact.openapi.fetch(app)`" in str(
        raised.value
    )
    with pytest.raises(openapi.OpenAPIError) as raised:
        anyio.run(openapi.fetch, Starlette())
    assert str(raised.value) == "the app's /openapi.json: cannot fetch the OpenAPI document: HTTP 404"
    with pytest.raises(openapi.OpenAPIError, match="not both"):
        openapi.load(MINIMAL, app=Starlette())


def test_without_its_libraries_it_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['jsonschema'] = None\n"
        "from apact import openapi\n"
        "try:\n"
        "    openapi.load({'openapi': '3.1.0'})\n"
        "except openapi.OpenAPIError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == "checking pacts against OpenAPI documents needs the 'jsonschema' package: pip install 'apact[openapi]'"
    )


def test_yaml_keys_and_dates_are_read_as_json_has_them(tmp_path: Path) -> None:
    shutil.copy(DOCUMENTS / "common.yaml", tmp_path / "common.yaml")
    text = (DOCUMENTS / "kitchen-3.0.yaml").read_text().replace('version: "1.0"', "version: 2026-12-01")
    document = openapi.load(write(tmp_path, "kitchen.yaml", text))
    assert document.contents["info"]["version"] == "2026-12-01"
    assert "200" in document.contents["paths"]["/orders"]["get"]["responses"]  # written as 200: in the YAML
    json.dumps(document.contents)  # nothing but JSON in it


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_document_file_without_end_is_an_error_not_the_memory_filled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_files, "MAX_READ_SIZE", 1024 * 1024)
    with pytest.raises(openapi.OpenAPIError) as refused:
        openapi.load("/dev/zero")
    assert str(refused.value) == "/dev/zero: cannot read the OpenAPI document: it is larger than 1 MiB"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["trickled", "endless", "declared"])
async def test_a_document_whose_answer_never_ends_is_an_error_not_a_hang(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx's timeout bounds each read: a server trickling the document a byte at a time
    held the check (and a CI job) for ever, and one answering without end filled the memory."""
    monkeypatch.setattr(_answers, "MAX_ANSWER_SIZE", 1024 * 1024)
    async with serve(unending(kind)) as url:
        document = f"{url}/openapi.json"
        with pytest.raises(openapi.OpenAPIError) as raised:
            await anyio.to_thread.run_sync(functools.partial(openapi.load, document, timeout=1))
        if kind == "endless":  # and a pact fetched from a URL for the check
            with pytest.raises(PactFileError) as refused:
                await anyio.to_thread.run_sync(read_pacts, [document])
            assert str(refused.value) == f"{document}: cannot fetch the pact: the answer is larger than 1 MiB"
    said = "no whole answer within 1 s" if kind == "trickled" else "the answer is larger than 1 MiB"
    assert str(raised.value) == f"{document}: cannot fetch {document}: {said}"
