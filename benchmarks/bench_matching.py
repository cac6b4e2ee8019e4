"""Matching engine benchmark (issue: foundation).

Two workloads, each timed over several runs (best and median printed):

* a response body of 10,000 objects under ``eachLike`` (``type`` with ``min``) with
  ``type``, ``regex`` and ``integer`` rules on their fields;
* a 1 MiB JSON body compared under plain equality.

Target: each under 100 ms on a 2-core machine. Run: ``python benchmarks/bench_matching.py``.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time

from apact.matching import match_response, response_mismatches
from apact.model import Spec
from apact.pact._parse import parse_response


def each_like_case(count: int = 10_000) -> tuple[dict, dict]:
    item = {"id": 1, "name": "Mary", "sku": "SKU-0001", "price": 9.5}
    expected = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {"items": [item]},
        "matchingRules": {
            "body": {
                "$.items": {"matchers": [{"match": "type", "min": 1}]},
                "$.items[*].id": {"matchers": [{"match": "integer"}]},
                "$.items[*].name": {"matchers": [{"match": "type"}]},
                "$.items[*].sku": {"matchers": [{"match": "regex", "regex": "SKU-\\d{4}"}]},
                "$.items[*].price": {"matchers": [{"match": "type"}]},
            }
        },
    }
    actual = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {
            "items": [
                {"id": i, "name": f"item {i}", "sku": f"SKU-{i % 10000:04d}", "price": i / 2 + 0.5}
                for i in range(count)
            ]
        },
    }
    return expected, actual


def equality_case(size: int = 1 << 20) -> tuple[dict, dict]:
    records = []
    total = 0
    i = 0
    while total < size:
        record = {
            "id": i,
            "name": f"record {i}",
            "tags": ["a", "b", "c"],
            "score": i * 1.25,
            "active": i % 2 == 0,
            "note": None,
        }
        records.append(record)
        total += len(json.dumps(record)) + 1
        i += 1
    body = {"records": records}
    expected = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body}
    actual = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": json.loads(json.dumps(body))}
    return expected, actual


def timed(function, runs: int = 7) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
        assert result == [], result[:3]
    return min(samples) * 1000, statistics.median(samples) * 1000


def main() -> int:
    print(f"apact matching benchmark — Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    rows = []
    expected, actual = each_like_case()
    want = parse_response(expected, Spec.V3, strict=False)
    have = parse_response(actual, Spec.V3, strict=False)
    have.body.json()  # the wire body is parsed once, as the mock and verifier do
    rows.append(
        (
            "10,000 objects under eachLike (type, regex, integer)",
            *timed(lambda: response_mismatches(want, have, Spec.V3)),
        )
    )
    rows.append(
        ("  same, from pact JSON dicts (parsing included)", *timed(lambda: match_response(expected, actual, "3.0.0")))
    )
    expected, actual = equality_case()
    size = len(json.dumps(actual["body"]))
    want = parse_response(expected, Spec.V3, strict=False)
    have = parse_response(actual, Spec.V3, strict=False)
    have.body.json()
    rows.append(
        (f"{size / 1048576:.2f} MiB JSON body under equality", *timed(lambda: response_mismatches(want, have, Spec.V3)))
    )
    rows.append(
        ("  same, from pact JSON dicts (parsing included)", *timed(lambda: match_response(expected, actual, "3.0.0")))
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'workload'.ljust(width)}  best ms  median ms  target")
    for name, best, median in rows:
        target = "" if name.startswith("  ") else ("OK (<100 ms)" if median < 100 else "OVER 100 ms")
        print(f"{name.ljust(width)}  {best:7.1f}  {median:9.1f}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
