"""Where apact's in-process verification time goes, measured against its floor (issue 14).

`bench_verifier`'s limit compares apact's in-process verification with the app called
directly. This script splits apact's share of it: in one process, interleaved, it times
loops over the same pact (the Grill Chef pact of `bench_verifier`, each interaction with
its provider state) that do less than apact does:

* ``direct``: the app called directly, its state set up and torn down around each
  request (`bench_verifier.call_directly`: the limit);
* ``floor``: the least a verifier must do per interaction: the state handler, the ASGI
  request built from the pact's, the response parsed and compared (the body with
  apact's compiled rules, ``compare_json``; the status and the headers by hand); no
  deadline, no report, one loop;
* ``sent`` and ``parsed``: the floor's first steps alone, to show where its cost lies:
  the state handler, the request built from the pact's and the answer collected (its
  headers decoded, its status checked); then its body parsed too (not compared);
* ``handmade``: the floor's first steps, the answer then checked by a function written
  by hand for this very pact (`_by_hand`: no engine, no rules read): the least any
  comparison of these answers can cost;
* ``lean`` and ``lean+json``: a verification path of its own, as lean as one keeping
  what apact guarantees can be: each interaction's request checked before anything is
  sent, the state's setup, the app's call and the teardown each in the spare scope
  under its deadline (`Spare.start`), the ASGI call built from the pact's request, a
  result per interaction with its duration; the answer checked by hand (``lean``) or
  as the floor checks it, with apact's compiled rules (``lean+json``);
* ``+states``, ``+send``, ``+match``: the floor with one of apact's own steps in place of
  its bare one: the states (``provider_states``, each step under a deadline in a spare
  scope), the request (``build_request`` and ``AppSender.send``), the comparison
  (``response_mismatches``);
* ``+steps``: the floor with all three;
* ``+units``: what ``Verifier.verify`` does per interaction: choosing it (its request
  checked), planning the units, running each (its states, its replay, its verdict);
* ``apact``: ``Verifier.verify`` of the pact already read (``+units``, and the run
  around them: the lifespan, the target, the result).

Each loop checks every verdict (a loop that compares nothing would be no floor). The
differences say what each of apact's steps costs beyond its bare form, and what the
verifier around the steps costs. CPU time (``time.process_time``), the median of
``--rounds``. Needs starlette (``fastapi`` for ``--framework fastapi``). Run:
``python benchmarks/bench_floor.py [--framework starlette] [--interactions 1000]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_verifier  # noqa: E402

from apact import Verifier  # noqa: E402
from apact.matching import response_mismatches  # noqa: E402
from apact.matching._compiled import Compiled  # noqa: E402
from apact.matching._json import compare_json, new_walk  # noqa: E402
from apact.pact import pactfile  # noqa: E402
from apact.pact._request_check import request_problems  # noqa: E402
from apact.pact.model import _UNSET, HttpResponse  # noqa: E402
from apact.verifier._asgi import call_app  # noqa: E402
from apact.verifier._bounded import Spare, scope_class  # noqa: E402
from apact.verifier._replay import Settings, build_request  # noqa: E402
from apact.verifier._sources import PactSource  # noqa: E402
from apact.verifier._states import provider_states  # noqa: E402
from apact.verifier._targets import AppSender, _new_body, _new_response  # noqa: E402
from apact.verifier._verifier import _new_result, _Run, _Selection  # noqa: E402

#: the loops with apact's own steps in them: (states, send, match)
VARIANTS = {
    "floor": (False, False, False),
    "+states": (True, False, False),
    "+send": (False, True, False),
    "+match": (False, False, True),
    "+steps": (True, True, True),
}


async def _bare_request(app: Any, request: Any) -> tuple[int, dict[str, list[str]], bytes]:  # noqa: ANN401
    """The pact's request sent to ``app`` as an ASGI call built by hand."""
    body = request.body.content if request.body is not None else b""
    scope = bench_verifier.asgi_scope(request.method, request.path, request.headers or {}, body)
    answer: dict[str, Any] = {"chunks": []}
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        else:
            answer["chunks"].append(message.get("body", b""))

    await app(scope, receive, send)
    received: dict[str, list[str]] = {}
    for name, value in answer["headers"]:
        received.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    return answer["status"], received, b"".join(answer["chunks"])


def _bare_compare(
    expected: HttpResponse, status: int, headers: dict[str, list[str]], body: bytes, compiled: Compiled
) -> bool:
    walk = new_walk("status", False, compiled)
    if status != expected.status:
        walk.fail("$.status", expected.status, status, "status")
    lowered = {name.lower(): values for name, values in headers.items()}
    for name, values in (expected.headers or {}).items():
        if lowered.get(name.lower(), [None])[0] != values[0]:
            walk.fail("$.headers", values, None, "header")
    rules = expected.matching_rules.get("body")
    compare_json(walk, "$.body", compiled.node(rules), expected.body.json(), json.loads(body))  # type: ignore[union-attr]
    return not walk.mismatches


_COOKING = re.compile("^(rare|medium-rare|medium)$")


def _by_hand(expected: HttpResponse, status: int, headers: dict[str, list[str]], data: Any) -> bool:  # noqa: ANN401
    """Whether the engine would pass an answer to `bench_verifier`'s pact, written by hand
    for its three kinds of interaction (``data``: the answer's body, parsed): the least
    a comparison of these answers can cost."""
    if status != expected.status or headers.get("content-type") != ["application/json"] or type(data) is not dict:
        return False
    example: Any = expected.body.json()  # type: ignore[union-attr]
    if status == 201:  # waitingTime: integer; cooking: as in the pact
        return type(data.get("waitingTime")) is int and data.get("cooking") == example["cooking"]
    if status == 422:
        return bool(data.get("reason") == example["reason"])
    # id: integer; cooking: regex; sides: eachLike (min 1) of a name (type) and a price (number)
    cooking, sides = data.get("cooking"), data.get("sides")
    return (
        type(data.get("id")) is int
        and type(cooking) is str
        and _COOKING.match(cooking) is not None
        and type(sides) is list
        and len(sides) >= 1
        and all(
            type(side) is dict and type(side.get("name")) is str and type(side.get("price")) in (int, float)
            for side in sides
        )
    )


def grill_chef(app: Any, kitchen: dict[str, int]) -> tuple[Verifier, Callable[[dict[str, Any]], AsyncIterator[None]]]:  # noqa: ANN401
    """A `Verifier` of ``app`` with `bench_verifier`'s state handler, and the handler."""

    async def steaks(params: dict[str, Any]) -> AsyncIterator[None]:
        kitchen["steaks"] = params["count"]
        yield
        kitchen["steaks"] = 0

    verifier = Verifier(bench_verifier.PROVIDER, app=app)
    verifier.state(bench_verifier.STATE)(steaks)
    return verifier, steaks


async def loop(app: Any, kitchen: dict[str, int], pact: Any, states: bool, send: bool, match: bool) -> float:  # noqa: ANN401
    """One pass over ``pact``'s interactions, with apact's steps where asked; the CPU
    seconds it took."""
    verifier, steaks = grill_chef(app, kitchen)
    handlers = verifier._all_handlers  # noqa: SLF001  (the handlers as the verifier keeps them)
    compiled, sender, scope_of = Compiled(), AppSender(app, {}), scope_class()
    verdicts = []
    started = time.process_time()
    with Spare(scope_of) as spare:
        for interaction in pact.interactions:
            expected = interaction.response
            if states:
                setup = provider_states(
                    interaction.provider_states, handlers, None, timeout=30.0, scope_of=scope_of, spare=spare
                )
                await setup.__aenter__()
            else:
                handler = steaks(dict(interaction.provider_states[0].params))
                await handler.__anext__()
            if send:
                received = (await sender.send(build_request(interaction.request, {}), 30.0, spare=spare)).response
                status, headers, body = received.status, received.headers, received.body.content  # type: ignore[union-attr]
            else:
                status, headers, body = await _bare_request(app, interaction.request)
            if states:
                await setup.__aexit__(None, None, None)
            else:
                async for _ in handler:
                    pass
            if match:
                # (made as AppSender makes it, to compare the comparisons alone)
                actual = _new_response(status, headers, _new_body(body, None, False, _UNSET, None), {}, {})
                verdicts.append(not response_mismatches(expected, actual, compiled=compiled))
            else:
                verdicts.append(_bare_compare(expected, status, headers, body, compiled))
    elapsed = time.process_time() - started
    assert all(verdicts), f"{verdicts.count(False)} interactions failed"
    return elapsed


async def units(app: Any, kitchen: dict[str, int], pact: Any) -> float:  # noqa: ANN401
    """``verify()``'s work per interaction, without the run around it: the CPU seconds of
    choosing, planning and running every unit."""
    verifier, _ = grill_chef(app, kitchen)
    run = _Run(fail_fast=False, scope_of=scope_class())
    settings = Settings(AppSender(app, {}), verifier.request_timeout, {}, [])
    everything = _Selection(consumers=None, description=None, state=None, no_state=False)
    started = time.process_time()
    # (the verifier's own steps, as `Verifier._verify` takes them)
    chosen = verifier._choose([PactSource(pact, "bench.json")], everything, run)  # noqa: SLF001
    planned = verifier._plan(item for each in chosen for item in each.items)  # noqa: SLF001
    with Spare(run.scope_of) as spare:
        for unit in planned:
            await verifier._run_unit(unit, settings, None, run, spare)  # noqa: SLF001
    elapsed = time.process_time() - started
    failed = [result.description for result in run.results.values() if result.status != "passed"]
    assert len(run.results) == len(pact.interactions) and not failed, failed[:3]
    return elapsed


def _status(expected: HttpResponse, status: int, headers: dict[str, list[str]], body: bytes) -> bool:
    return status == expected.status


def _parsed(expected: HttpResponse, status: int, headers: dict[str, list[str]], body: bytes) -> bool:
    return status == expected.status and json.loads(body) is not None


def _handmade(expected: HttpResponse, status: int, headers: dict[str, list[str]], body: bytes) -> bool:
    return _by_hand(expected, status, headers, json.loads(body))


#: the verdict of each loop on the floor's first steps: the status alone (``sent``), the
#: body parsed too (``parsed``), the answer checked by `_by_hand` (``handmade``)
FIRST_STEPS = {"sent": _status, "parsed": _parsed, "handmade": _handmade}


async def first_steps(
    app: Any,  # noqa: ANN401
    kitchen: dict[str, int],
    pact: Any,  # noqa: ANN401
    verdict: Callable[[HttpResponse, int, dict[str, list[str]], bytes], bool],
) -> float:
    """The floor's loop up to sending the request, the answer judged by ``verdict``
    (`FIRST_STEPS`); the CPU seconds it took."""
    _, steaks = grill_chef(app, kitchen)
    verdicts = []
    started = time.process_time()
    for interaction in pact.interactions:
        handler = steaks(dict(interaction.provider_states[0].params))
        await handler.__anext__()
        status, headers, body = await _bare_request(app, interaction.request)
        async for _ in handler:
            pass
        verdicts.append(verdict(interaction.response, status, headers, body))
    elapsed = time.process_time() - started
    assert all(verdicts), f"{verdicts.count(False)} interactions failed"
    return elapsed


async def lean(app: Any, kitchen: dict[str, int], pact: Any, engine: bool) -> float:  # noqa: ANN401
    """A lean verification path (see the module docstring): ``engine``, the answer
    compared as the floor compares it, else by `_by_hand`; the CPU seconds it took."""
    _, steaks = grill_chef(app, kitchen)
    compiled, results = Compiled(), {}
    started = time.process_time()
    with Spare(scope_class()) as spare:
        for index, interaction in enumerate(pact.interactions):
            request = interaction.request
            if request_problems(request):  # (none here: every request can be sent)
                continue
            began = time.perf_counter()
            # (each step run in the spare, under its deadline only if it suspends; written
            # out rather than in a helper: a coroutine per step is what apact avoids too)
            handler = steaks(dict(interaction.provider_states[0].params))
            step: Any = handler.__anext__()
            done, value = spare.start(step)
            if not done:
                await spare.finish(step, value, 30.0)
            # (this pact's requests: plain paths, no query, one value per header)
            headers = [(b"host", b"testserver")]
            for name, values in (request.headers or {}).items():
                headers.append((name.lower().encode("latin-1"), values[0].encode("latin-1")))
            body = request.body.content if request.body is not None else b""
            if body:
                headers.append((b"content-length", str(len(body)).encode()))
            path = request.path
            call = call_app(app, request.method, path, path.encode("ascii"), b"", headers, body, None)
            done, answer = spare.start(call)
            if not done:
                answer = await spare.finish(call, answer, 30.0)
            step = handler.__anext__()
            try:
                done, value = spare.start(step)
                if not done:
                    await spare.finish(step, value, 30.0)
            except StopAsyncIteration:
                pass  # the teardown ran to the handler's end
            received: dict[str, list[str]] = {}
            for name, value in answer.headers:
                received.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
            if engine:
                passed = _bare_compare(interaction.response, answer.status, received, answer.body, compiled)
            else:
                passed = _by_hand(interaction.response, answer.status, received, json.loads(answer.body))
            results[index] = _new_result(
                interaction.description,
                interaction.kind,
                "passed" if passed else "failed",
                interaction.provider_states,
                (),
                (),
                time.perf_counter() - began,
                False,
                None,
                None,
                None,
                None,
                index,
                interaction.key,
                None,
                None,
                interaction.comments,
            )
    elapsed = time.process_time() - started
    failed = [result.description for result in results.values() if result.status != "passed"]
    assert len(results) == len(pact.interactions) and not failed, failed[:3]
    return elapsed


async def measure(framework: str, size: int, rounds: int) -> dict[str, float]:
    """Milliseconds per interaction of each loop (median of ``rounds``, interleaved)."""
    app = bench_verifier.APPS[framework]()
    kitchen = app.state.kitchen
    document = bench_verifier.make_pact(size)
    pact = pactfile.loads(json.dumps(document).encode(), file="bench.json")
    requests = bench_verifier._direct_requests(document)  # noqa: SLF001
    runs: dict[str, Callable[[], Coroutine[Any, Any, float]]] = {
        "direct": lambda: bench_verifier.call_directly(app, kitchen, requests),
    }
    for name, verdict in FIRST_STEPS.items():
        runs[name] = lambda verdict=verdict: first_steps(app, kitchen, pact, verdict)
    runs |= {
        "floor": lambda: loop(app, kitchen, pact, *VARIANTS["floor"]),
        "lean": lambda: lean(app, kitchen, pact, engine=False),
        "lean+json": lambda: lean(app, kitchen, pact, engine=True),
    }
    for name, flags in VARIANTS.items():
        if name != "floor":
            runs[name] = lambda flags=flags: loop(app, kitchen, pact, *flags)

    runs["+units"] = lambda: units(app, kitchen, pact)

    async def apact() -> float:
        elapsed, ok = await bench_verifier.verify_in_process(app, kitchen, pact)
        assert ok, "apact's verification failed"
        return elapsed

    runs["apact"] = apact
    for run in runs.values():  # once each before timing: imports, first-time compilation
        await run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            times[name].append(await run())
    return {name: statistics.median(values) * 1000 / size for name, values in times.items()}


def report(framework: str, size: int, rounds: int, figures: dict[str, float]) -> None:
    print(
        f"apact in-process against its floor, {framework}, {size:,} interactions — Python {platform.python_version()}, {date.today()}"
    )
    print(f"(CPU ms per interaction, median of {rounds}, interleaved; own: beyond the app called directly)")
    direct = figures["direct"]
    print(f"{'loop':>9}  {'ms':>7}  {'ratio':>6}  {'own':>7}")
    for name, value in figures.items():
        print(f"{name:>9}  {value:7.4f}  {value / direct:5.2f}x  {value - direct:7.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=sorted(bench_verifier.APPS), default="starlette")
    parser.add_argument("--interactions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="30 interactions, one round (a smoke test)")
    args = parser.parse_args()
    size, rounds = (30, 1) if args.quick else (args.interactions, args.rounds)
    report(args.framework, size, rounds, anyio.run(measure, args.framework, size, rounds))


if __name__ == "__main__":
    main()
