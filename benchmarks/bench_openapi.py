"""Benchmark for apact.openapi: 1,000 interactions checked against a 200-path document.

The document is generated (OpenAPI 3.1, as FastAPI writes them): 200 paths, half of them
templated (``/kitchens{n}/{id}``), each schema a ``$ref`` into ``components`` with eight
properties (an enum, a date-time, an optional field as ``anyOf`` with ``null``, a nested
object, an array of objects), query parameters (an integer, an exploded array). The
pact has 1,000 interactions over those paths (GET with query, path parameter and a
response under ``type``/``integer``/``regex``/``eachLike`` rules; POST with a request
body; a 404), all fitting the document.

Prints the time to load the document and to check the pact against it, fastest of
``--repeat`` runs, against the target (issue 15): the check under 1 s.
Run: ``python benchmarks/bench_openapi.py`` (``--quick``: small sizes, one run, a smoke test).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from typing import Any

from apact import openapi
from apact.model import PactFile
from apact.pactfile import loads

TARGET = 1.0


def make_document(paths: int) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Kitchens", "version": "1.0"},
        "paths": {},
        "components": {"schemas": {}},
    }
    schemas = document["components"]["schemas"]
    schemas["Problem"] = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}
    for n in range(paths // 2):
        name = f"Order{n}"
        schemas[name] = {
            "type": "object",
            "required": ["id", "cut", "status"],
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "cut": {"type": "string", "minLength": 1},
                "status": {"type": "string", "enum": ["cooking", "ready", "served"]},
                "servedAt": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
                "table": {"type": "integer", "minimum": 1},
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "chef": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "stars": {"type": "integer", "maximum": 3}},
                },
                "sides": {"type": "array", "items": {"$ref": f"#/components/schemas/Side{n}"}},
            },
        }
        schemas[f"Side{n}"] = {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
        }
        ref = {"$ref": f"#/components/schemas/{name}"}
        problem = {
            "description": "a problem",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        document["paths"][f"/kitchens{n}/orders"] = {
            "get": {
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                ],
                "responses": {
                    "200": {
                        "description": "orders",
                        "content": {"application/json": {"schema": {"type": "array", "items": ref}}},
                    }
                },
            },
            "post": {
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                "responses": {
                    "201": {"description": "taken", "content": {"application/json": {"schema": ref}}},
                    "422": problem,
                },
            },
        }
        document["paths"][f"/kitchens{n}/orders/{{orderId}}"] = {
            "parameters": [{"name": "orderId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "responses": {
                    "200": {"description": "an order", "content": {"application/json": {"schema": ref}}},
                    "404": problem,
                }
            },
        }
    return document


def _rules(rules: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {"body": {path: {"matchers": matchers, "combine": "AND"} for path, matchers in rules.items()}}


def _json(content: Any) -> dict[str, Any]:  # noqa: ANN401
    return {"contentType": "application/json", "encoded": False, "content": content}


def make_pact(interactions: int, paths: int) -> PactFile:
    import json

    order = {"id": 1, "cut": "ribeye", "status": "ready", "servedAt": "2026-12-01T19:30:00Z", "table": 4, "note": None,
             "chef": {"name": "Ann", "stars": 3}, "sides": [{"name": "fries", "price": 3.5}]}  # fmt: skip
    items = []
    for number in range(interactions):
        n = number % (paths // 2)
        kind = number % 4
        if kind == 0:
            request = {
                "method": "GET",
                "path": f"/kitchens{n}/orders",
                "query": {"page": ["2"], "status": ["ready", "served"]},
            }
            response = {"status": 200, "body": _json([order]), "matchingRules": _rules(
                {"$": [{"match": "type", "min": 1}], "$[*].id": [{"match": "integer"}], "$[*].status": [{"match": "regex", "regex": "ready|served"}]}
            )}  # fmt: skip
        elif kind == 1:
            body = {key: value for key, value in order.items() if key != "id"}
            request = {
                "method": "POST",
                "path": f"/kitchens{n}/orders",
                "headers": {"Content-Type": ["application/json"]},
                "body": _json(body),
            }
            response = {
                "status": 201,
                "body": _json(order),
                "matchingRules": _rules({"$.id": [{"match": "integer"}], "$.cut": [{"match": "type"}]}),
            }
        elif kind == 2:
            request = {"method": "GET", "path": f"/kitchens{n}/orders/{number}"}
            response = {
                "status": 200,
                "body": _json(order),
                "matchingRules": _rules({"$.sides": [{"match": "type", "min": 1}]}),
            }
        else:
            request = {"method": "GET", "path": f"/kitchens{n}/orders/{number}"}
            response = {"status": 404, "body": _json({"reason": f"no order {number}"})}
        for part in (request, response):
            if "body" in part:
                part.setdefault("headers", {})["Content-Type"] = ["application/json"]
        items.append(
            {
                "type": "Synchronous/HTTP",
                "description": f"interaction {number}",
                "request": request,
                "response": response,
            }
        )
    text = json.dumps({"consumer": {"name": "Waiter"}, "provider": {"name": "Kitchens"}, "interactions": items,
                       "metadata": {"pactSpecification": {"version": "4.0"}}})  # fmt: skip
    return loads(text, file="bench.json")


def measure(interactions: int, paths: int, repeat: int) -> tuple[float, float, float, float]:
    """(seconds to load the document, seconds to check the pact, CPU seconds of that
    check), the fastest runs; and the first run's seconds for both (the lazy imports of
    jsonschema and referencing included)."""
    source = make_document(paths)
    pact = make_pact(interactions, paths)
    load_best = check_best = cpu_best = float("inf")
    first = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        document = openapi.load(source)  # a fresh document: nothing cached from the last run
        loaded, cpu = time.perf_counter(), time.process_time()
        result = openapi.check(pact, document)
        done, cpu_done = time.perf_counter(), time.process_time()
        if not result.ok or result.count("passed") != interactions:
            raise SystemExit("the benchmark's pact does not fit its document:\n" + result.report())
        load_best, check_best, cpu_best = (
            min(load_best, loaded - started),
            min(check_best, done - loaded),
            min(cpu_best, cpu_done - cpu),
        )
        first = first or done - started
    return load_best, check_best, cpu_best, first


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 interactions, 20 paths, one run (a smoke test)")
    parser.add_argument("--repeat", type=int, default=5, help="runs, the fastest counts (default: 5)")
    options = parser.parse_args(argv)
    interactions, paths, repeat = (50, 20, 1) if options.quick else (1000, 200, options.repeat)
    load, check, cpu, first = measure(interactions, paths, repeat)
    verdict = "OK" if check < TARGET else "TOO SLOW"
    busy = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"apact openapi benchmark — Python {platform.python_version()} on {platform.machine()}, {platform.system()}, "
          f"{os.cpu_count()} CPUs, load average {busy}")  # fmt: skip
    print(f"{interactions:,} interactions against a {paths}-path OpenAPI 3.1 document, fastest of {repeat}")
    print(f"  load the document (references resolved)  {load * 1000:8.1f} ms")
    print(f"  check the pact                           {check * 1000:8.1f} ms   {verdict} (< {TARGET:.0f} s)")
    print(f"    of which CPU time of this process      {cpu * 1000:8.1f} ms")
    print(f"  per interaction                          {check / interactions * 1e6:8.1f} µs")
    print(f"  first run, load and check, imports incl. {first * 1000:8.1f} ms")
    return 0 if options.quick or check < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
