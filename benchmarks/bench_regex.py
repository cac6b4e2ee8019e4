"""Micro-benchmark for apact._regex.

Prints microseconds per call for typical Pact patterns (which run on ``re``)
and for hostile patterns on 1 MB values (which run on the linear-time lazy
DFA).  Run: ``.venv/bin/python benchmarks/bench_regex.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from apact._regex import _nfa_engines, compile_regex

TYPICAL = [
    (r"\d+", "12345", "search"),
    (r"\d+", "12345", "fullmatch"),
    (r"^[a-z]+$", "hello", "fullmatch"),
    (
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "123e4567-e89b-12d3-a456-426614174000",
        "fullmatch",
    ),
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "2024-01-31T12:34:56", "fullmatch"),
    (r"^[\w.+-]+@[\w-]+\.[\w.-]+$", "john.doe@example.com", "fullmatch"),
    (r"(foo|bar)+", "foobarfoo", "fullmatch"),
    (r"application/.*json", "application/hal+json", "fullmatch"),
]

HOSTILE = [
    (r"(a+)+$", "a" * 1_000_000 + "!", "search"),
    (r"(\w+\s?)*$", "ab " * 333_333 + "!", "fullmatch"),
    (r"\s*\s*\s*$", " " * 1_000_000 + "x", "search"),
    (r"(.*a){20}", "a" * 19 + "b" * 1_000_000, "search"),
]


def per_call(fn: Callable[[str], object], value: str, budget: float = 0.3) -> float:
    """Average seconds per call, repeating until ``budget`` seconds have passed."""
    calls, start = 0, time.perf_counter()
    while True:
        fn(value)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return elapsed / calls


def main() -> None:
    print("typical patterns (bounded re path)          apact µs   raw re µs")
    for pattern, value, mode in TYPICAL:
        regex = compile_regex(pattern)
        ours = per_call(getattr(regex, mode), value)
        raw = per_call(getattr(re.compile(regex.translated), mode), value)
        print(f"  {mode:9} {pattern[:32]:32} {ours * 1e6:9.2f} {raw * 1e6:10.2f}")

    print("typical patterns forced onto the lazy DFA   apact µs")
    for pattern, value, mode in TYPICAL:
        search, full = _nfa_engines(pattern)
        engine = search if mode == "search" else full
        print(f"  {mode:9} {pattern[:32]:32} {per_call(engine.run, value) * 1e6:9.2f}")

    print("hostile patterns, 1 MB values (lazy DFA)    ms/call   result")
    for pattern, value, mode in HOSTILE:
        fn = getattr(compile_regex(pattern), mode)
        result = fn(value)
        print(f"  {mode:9} {pattern:32} {per_call(fn, value, 1.0) * 1e3:9.1f}   {result}")


if __name__ == "__main__":
    main()
