"""Provider verification benchmark (issue 4): apact against pact-python 4.2's verifier.

A FastAPI "Grill Chef" app with a provider state ("steaks are available", its count as
a param), pacts of 10, 100 and 1,000 interactions (orders that are cooked, orders that
are refused, steaks looked up: integer, type and eachLike matchers), verified by:

* apact in-process (the app called directly; the state set by a Python handler, with
  its own setup and teardown around every interaction: the default rule);
* apact over HTTP to the app served by uvicorn, ``concurrency=8``; the state handler
  (``shared=True``: these interactions only read the stock) posts to the app's
  state-change endpoint, so interactions with the same state share one setup;
* pact-python 4.2's verifier (the Rust core) over HTTP to the same uvicorn server,
  states through the same state-change endpoint (setup and teardown per interaction).

Every measurement runs in a fresh child process (timed around the verification only;
peak memory is that process's maximum RSS), against one uvicorn server in its own
process; each is repeated (``--repeat``, default 3) and the fastest run counts, the
highest peak memory. Needs fastapi and uvicorn (benchmark-only: ``pip install fastapi uvicorn``);
pact-python is optional. Run: ``python benchmarks/bench_verifier.py [--sizes 10,100]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROVIDER = "Grill Chef"
STATE = "steaks are available"


# -- the provider ---------------------------------------------------------------------------------


def make_app() -> Any:  # noqa: ANN401  (fastapi is imported only where the app runs)
    """The FastAPI Grill Chef (``uvicorn --factory bench_verifier:make_app``)."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    kitchen = {"steaks": 0}
    app = FastAPI()

    @app.post("/steaks/", status_code=201)
    async def order(order: dict[str, Any]) -> Any:  # noqa: ANN401
        cooking = order.get("cooking")
        if cooking == "well-done":
            return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
        if kitchen["steaks"] <= 0:
            return JSONResponse({"reason": "no steaks left"}, status_code=503)
        return {"waitingTime": 10 + kitchen["steaks"], "cooking": cooking}

    @app.get("/steaks/{steak_id}")
    async def steak(steak_id: int) -> Any:  # noqa: ANN401
        if kitchen["steaks"] <= 0:
            return JSONResponse({"reason": "no steaks left"}, status_code=404)
        return {"id": steak_id, "cooking": "medium-rare", "sides": [{"name": "fries", "price": 3.5}]}

    @app.post("/_pact/state")
    async def state(change: dict[str, Any]) -> dict[str, Any]:
        if change.get("state") == STATE:
            kitchen["steaks"] = int(change.get("params", {}).get("count", 1)) if change.get("action") == "setup" else 0
        return {}

    app.state.kitchen = kitchen
    return app


def make_starlette_app() -> Any:  # noqa: ANN401
    """The same Grill Chef on bare Starlette (no validation layer: a cheaper app, so
    apact's own share of the time shows more)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    kitchen = {"steaks": 0}

    async def order(request: Request) -> JSONResponse:
        cooking = (await request.json()).get("cooking")
        if cooking == "well-done":
            return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
        if kitchen["steaks"] <= 0:
            return JSONResponse({"reason": "no steaks left"}, status_code=503)
        return JSONResponse({"waitingTime": 10 + kitchen["steaks"], "cooking": cooking}, status_code=201)

    async def steak(request: Request) -> JSONResponse:
        if kitchen["steaks"] <= 0:
            return JSONResponse({"reason": "no steaks left"}, status_code=404)
        steak_id = int(request.path_params["steak_id"])
        return JSONResponse({"id": steak_id, "cooking": "medium-rare", "sides": [{"name": "fries", "price": 3.5}]})

    app = Starlette(
        routes=[Route("/steaks/", order, methods=["POST"]), Route("/steaks/{steak_id}", steak, methods=["GET"])]
    )
    app.state.kitchen = kitchen
    return app


APPS = {"fastapi": make_app, "starlette": make_starlette_app}


def make_pact(count: int) -> dict[str, Any]:
    """A V4 pact of ``count`` interactions, all needing the state (5 different counts)."""
    interactions = []
    for i in range(count):
        state = [{"name": STATE, "params": {"count": i % 5 + 1}}]
        kind = i % 3
        if kind == 0:
            cooking = ("rare", "medium-rare", "medium")[i // 3 % 3]
            request = {
                "method": "POST",
                "path": "/steaks/",
                "headers": {"Content-Type": ["application/json"]},
                "body": {"contentType": "application/json", "encoded": False, "content": {"cooking": cooking}},
            }
            response = {
                "status": 201,
                "headers": {"Content-Type": ["application/json"]},
                "body": {
                    "contentType": "application/json",
                    "encoded": False,
                    "content": {"waitingTime": 12, "cooking": cooking},
                },
                "matchingRules": {"body": {"$.waitingTime": {"combine": "AND", "matchers": [{"match": "integer"}]}}},
            }
        elif kind == 1:
            request = {
                "method": "POST",
                "path": "/steaks/",
                "headers": {"Content-Type": ["application/json"]},
                "body": {"contentType": "application/json", "encoded": False, "content": {"cooking": "well-done"}},
            }
            response = {
                "status": 422,
                "headers": {"Content-Type": ["application/json"]},
                "body": {
                    "contentType": "application/json",
                    "encoded": False,
                    "content": {"reason": "we do not serve well-done steaks"},
                },
            }
        else:
            request = {"method": "GET", "path": f"/steaks/{i}"}
            response = {
                "status": 200,
                "headers": {"Content-Type": ["application/json"]},
                "body": {
                    "contentType": "application/json",
                    "encoded": False,
                    "content": {"id": i, "cooking": "rare", "sides": [{"name": "chips", "price": 2.5}]},
                },
                "matchingRules": {
                    "body": {
                        "$.id": {"combine": "AND", "matchers": [{"match": "integer"}]},
                        "$.cooking": {
                            "combine": "AND",
                            "matchers": [{"match": "regex", "regex": "^(rare|medium-rare|medium)$"}],
                        },
                        "$.sides": {"combine": "AND", "matchers": [{"match": "type", "min": 1}]},
                        "$.sides[*].name": {"combine": "AND", "matchers": [{"match": "type"}]},
                        "$.sides[*].price": {"combine": "AND", "matchers": [{"match": "number"}]},
                    }
                },
            }
        interactions.append(
            {
                "type": "Synchronous/HTTP",
                "description": f"interaction {i:04d}",
                "providerStates": state,
                "request": request,
                "response": response,
                "pending": False,
            }
        )
    return {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": PROVIDER},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def peak_rss_kib() -> int:
    """This process's peak resident memory, KiB.

    ``VmHWM`` of ``/proc/self/status`` on Linux: ``ru_maxrss`` would also count the
    parent's memory, which Linux carries over into a child started by fork (or vfork) and
    exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- one measurement (in a child process) -----------------------------------------------------------


def measure(mode: str, pact_path: str, base_url: str) -> dict[str, Any]:
    if mode.startswith("baseline"):  # what the process holds before verifying anything
        import apact  # noqa: F401

        if mode == "baseline-in-process":
            make_app()
        return {"seconds": 0.0, "ok": True, "peak_rss_kib": peak_rss_kib()}
    if mode == "pact-python":
        os.environ["PACT_DO_NOT_TRACK"] = "true"
        from pact import Verifier as PactPythonVerifier

        verifier = (
            PactPythonVerifier(PROVIDER, host="127.0.0.1")
            .add_transport(url=base_url)
            .add_source(pact_path)
            .state_handler(f"{base_url}/_pact/state", teardown=True, body=True)
        )
        started = time.perf_counter()
        try:
            verifier.verify()
            ok = True
        except RuntimeError:
            ok = False
        seconds = time.perf_counter() - started
    else:
        import anyio

        seconds, ok = anyio.run(_apact, mode, pact_path, base_url)
    return {"seconds": seconds, "ok": ok, "peak_rss_kib": peak_rss_kib()}


async def _apact(mode: str, pact_path: str, base_url: str) -> tuple[float, bool]:
    from collections.abc import AsyncIterator

    import httpx

    from apact import Verifier

    if mode == "apact-in-process":
        app = make_app()
        kitchen = app.state.kitchen
        verifier = Verifier(PROVIDER, app=app)

        @verifier.state(STATE)
        async def steaks(params: dict[str, Any]) -> AsyncIterator[None]:
            kitchen["steaks"] = params["count"]
            yield
            kitchen["steaks"] = 0

        started = time.perf_counter()
        result = await verifier.verify(pact_path)
        return time.perf_counter() - started, result.ok

    async with httpx.AsyncClient(base_url=base_url) as admin:
        verifier = Verifier(PROVIDER, base_url=base_url, concurrency=8 if mode == "apact-http-c8" else 1)

        @verifier.state(STATE, shared=True)
        async def steaks_over_http(params: dict[str, Any]) -> AsyncIterator[None]:
            await admin.post("/_pact/state", json={"state": STATE, "action": "setup", "params": params})
            yield
            await admin.post("/_pact/state", json={"state": STATE, "action": "teardown", "params": params})

        started = time.perf_counter()
        result = await verifier.verify(pact_path)
        return time.perf_counter() - started, result.ok


# -- the limit: the app called directly (issue 14) -----------------------------------------------


def asgi_scope(method: str, path: str, headers: dict[str, list[str]], body: bytes) -> dict[str, Any]:
    """The ASGI scope of a request built by hand (a Host header, the body's length), as
    the direct calls (and `bench_floor`'s floor) send it."""
    raw = [(b"host", b"testserver")]
    raw += [(name.lower().encode("latin-1"), values[0].encode("latin-1")) for name, values in headers.items()]
    if body:
        raw.append((b"content-length", str(len(body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "extensions": {},
        "state": {},
    }


def _direct_requests(pact: dict[str, Any]) -> list[tuple[int, dict[str, Any], bytes]]:
    """Each interaction's state param, ASGI scope and body, as built for the direct calls
    (before the clock starts: what is timed is the app's own work and the state setup)."""
    requests = []
    for interaction in pact["interactions"]:
        request = interaction["request"]
        body = json.dumps(request["body"]["content"]).encode() if "body" in request else b""
        scope = asgi_scope(request["method"], request["path"], request.get("headers", {}), body)
        requests.append((interaction["providerStates"][0]["params"]["count"], scope, body))
    return requests


async def call_directly(app: Any, kitchen: dict[str, int], requests: list[tuple[int, dict[str, Any], bytes]]) -> float:  # noqa: ANN401
    """The limit: every request sent to the app as an ASGI callable, its state set up and
    torn down around it by the same kind of handler as apact's (an async generator);
    returns the seconds it took."""
    from collections.abc import AsyncIterator

    async def steaks(count: int) -> AsyncIterator[None]:
        kitchen["steaks"] = count
        yield
        kitchen["steaks"] = 0

    started = time.process_time()
    for count, scope, body in requests:
        state = steaks(count)
        await state.__anext__()
        chunks: list[bytes] = []
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}  # noqa: B023

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))  # noqa: B023

        await app(dict(scope, state={}), receive, send)
        assert chunks, "the app sent no body"
        await state.aclose()
    return time.process_time() - started


async def verify_in_process(app: Any, kitchen: dict[str, int], source: Any) -> tuple[float, bool]:  # noqa: ANN401
    """apact's in-process verification of ``source`` (a file, or a pact already read)."""
    from collections.abc import AsyncIterator

    from apact import Verifier

    verifier = Verifier(PROVIDER, app=app)

    @verifier.state(STATE)
    async def steaks(params: dict[str, Any]) -> AsyncIterator[None]:
        kitchen["steaks"] = params["count"]
        yield
        kitchen["steaks"] = 0

    started = time.process_time()
    result = await verifier.verify(source)
    return time.process_time() - started, result.ok


async def limit_ratios(sizes: list[int], frameworks: list[str], repeat: int) -> list[dict[str, Any]]:
    """apact's in-process time against the app called directly, per framework and size:
    one process, the two interleaved, best of ``repeat`` each."""
    from apact.pact._local import load_pact_files

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for framework in frameworks:
            app = APPS[framework]()
            kitchen = app.state.kitchen
            for size in sizes:
                pact = make_pact(size)
                path = Path(tmp) / f"pact-{size}.json"
                path.write_text(json.dumps(pact))
                requests = _direct_requests(pact)
                (read,), _ = load_pact_files(str(path))
                await call_directly(app, kitchen, requests[:10])  # warm both paths up
                await verify_in_process(app, kitchen, read.pact)
                best = {"direct": float("inf"), "apact": float("inf"), "apact+read": float("inf")}
                for _ in range(repeat):
                    best["direct"] = min(best["direct"], await call_directly(app, kitchen, requests))
                    for key, source in (("apact", read.pact), ("apact+read", str(path))):
                        seconds, ok = await verify_in_process(app, kitchen, source)
                        if not ok:
                            raise SystemExit(f"apact did not verify the {framework} app ({size} interactions)")
                        best[key] = min(best[key], seconds)
                rows.append({"framework": framework, "size": size, **best})
    return rows


def print_limit(rows: list[dict[str, Any]], repeat: int) -> None:
    print(f"\napact in-process against the app called directly (one process, interleaved, best of {repeat})")
    print("(ms per interaction; apact: the pact already read, as the direct calls get their requests built;")
    print(" +read: verify() given the file, reading and checking the pact included)")
    print(f"{'framework':>10}{'interactions':>14}{'direct':>9}{'apact':>9}{'ratio':>8}{'+read':>9}{'ratio':>8}")
    for row in rows:
        size = row["size"]
        direct, apact, read = (row[key] / size * 1000 for key in ("direct", "apact", "apact+read"))
        print(
            f"{row['framework']:>10}{size:>14,}{direct:>9.3f}{apact:>9.3f}{apact / direct:>7.2f}x"
            f"{read:>9.3f}{read / direct:>7.2f}x"
        )


# -- `apact verify` start-up (issue 14) ----------------------------------------------------------------

#: what the ``apact`` command runs
_CLI = "import sys, apact.cli; sys.exit(apact.cli.main(sys.argv[1:]))"

#: the same, noting the modules loaded when the first connection is opened (an audit hook: no
#: cost until then but a call per audited event) into the file named by the first argument
_CLI_MODULES = """\
import sys
def _hook(event, args, _seen=[]):
    if event == "socket.connect" and not _seen:
        _seen.append(1)
        with open(sys.argv[1], "w") as out:
            out.write("\\n".join(sorted(sys.modules)))
sys.addaudithook(_hook)
import apact.cli
sys.exit(apact.cli.main(sys.argv[2:]))
"""

#: imports the modules named in the file (one a line), and only those: an import of any
#: other fails, as an optional import held back by the command line does there (httpx's own
#: command line, trio: `apact.cli._imports`), so the run imports what the command loaded
#: and no more; then leaves without the interpreter's clean-up (which the first request
#: does not wait for either: timed to the end of the process, it made the imports look
#: longer than the whole start-up)
_IMPORT_THESE = """\
import importlib, os, sys
names = open(sys.argv[1]).read().split()
allowed = set(names)
class OnlyThese:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in allowed:
            raise ModuleNotFoundError(f"No module named {name!r} (not loaded by the command)", name=name)
        return None
sys.meta_path.insert(0, OnlyThese)
for name in names:
    if name not in sys.modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass
sys.stdout.flush()
os._exit(0)
"""


def startup(repeat: int = 5, python: str = sys.executable, env: dict[str, str] | None = None) -> dict[str, float]:
    """Seconds from starting ``apact verify --base-url`` (with ``python``) to its first request
    reaching a server (best of ``repeat``); from starting ``python -c "import os; os._exit(0)"``; and from starting
    a process that imports the modules that run had loaded at its first connection (all, and
    all but apact's), to its end. The difference between the last and the first is apact's
    set-up: arguments, reading the pact, the HTTP client, the event loop."""
    import http.server
    import threading

    arrivals: list[float] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            arrivals.append(time.monotonic())  # CLOCK_MONOTONIC: one clock for every process
            body = json.dumps({"id": 1, "cooking": "rare", "sides": [{"name": "chips", "price": 2.5}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    pact = make_pact(3)
    pact["interactions"] = [{**pact["interactions"][2], "providerStates": []}]
    best = {key: float("inf") for key in ("python", "import", "import others", "first request")}
    try:
        with tempfile.TemporaryDirectory() as tmp:

            def run(*args: str) -> str:
                """``python *args``'s output; run in the temporary directory, as ``-c`` puts
                the current directory first on ``sys.path`` (a checkout's apact would shadow
                the venv's)."""
                done = subprocess.run([python, *args], check=True, capture_output=True, text=True, env=env, cwd=tmp)  # noqa: S603
                return done.stdout + done.stderr

            path = Path(tmp) / "pact.json"
            path.write_text(json.dumps(pact))
            verify = ["verify", str(path), "--base-url", url, "--no-progress"]
            modules = Path(tmp) / "modules.txt"
            run("-c", _CLI_MODULES, str(modules), *verify)
            loaded = set(run("-c", "import sys; print(*sys.modules)").split())
            needed = [name for name in modules.read_text().split() if name not in loaded and name != "__main__"]
            modules.write_text("\n".join(needed))
            others = Path(tmp) / "others.txt"  # the same without apact's own: what any httpx client pays
            others.write_text("\n".join(name for name in needed if name.split(".")[0] != "apact"))
            for _ in range(repeat):
                started = time.monotonic()
                run("-c", "import os; os._exit(0)")  # the interpreter's start, no clean-up
                best["python"] = min(best["python"], time.monotonic() - started)
                for key, names in (("import", modules), ("import others", others)):
                    started = time.monotonic()
                    run("-c", _IMPORT_THESE, str(names))
                    best[key] = min(best[key], time.monotonic() - started)
                arrivals.clear()
                started = time.monotonic()
                run("-c", _CLI, *verify)
                best["first request"] = min(best["first request"], arrivals[0] - started)
            best["modules"] = len(needed)
            best["runs"] = repeat
            best.update(_import_shares(run("-X", "importtime", "-c", _CLI, *verify)))
    finally:
        server.shutdown()
        server.server_close()
    return best


def _import_shares(traced: str) -> dict[str, float]:
    """Seconds of ``-X importtime``'s self time per top-level package, in the output of one
    run of ``apact verify`` (the tracing slows every import: these are shares, not figures)."""
    shares: dict[str, float] = {}
    for line in traced.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = line[len("import time:") :].split("|")
        package = name.strip().split(".")[0]
        shares[f"self {package}"] = shares.get(f"self {package}", 0.0) + int(own) / 1e6
    return shares


#: the packages ``print_startup`` names; the others are summed as the standard library's
_PACKAGES = ("apact", "httpx", "httpcore", "h11", "h2", "hpack", "hyperframe", "anyio", "sniffio", "idna", "certifi")


def print_startup(best: dict[str, float], title: str = "") -> None:
    imports, others = best["import"] - best["python"], best["import others"] - best["python"]
    setup = best["first request"] - best["import"]
    modules = f"{best.get('modules', 0):.0f} modules loaded by the first request"
    print(f"\n`apact verify --base-url` start-up{title}, best of {best.get('runs', 5):.0f} (seconds)")
    print(f"  to the first request       {best['first request']:.3f}")
    print(f"    the interpreter          {best['python']:.3f}  (python -c 'os._exit(0)')")
    print(f"    imports                  {imports:.3f}  ({modules}, imported by python -c)")
    print(f"      not apact's            {others:.3f}  (the same but apact's: the standard library, httpx, anyio...)")
    # the rest; the import runs pay their own exit, so a set-up below that reads as negative
    shown = f"{setup:.3f}" if setup >= 0 else "~0    "
    print(f"    apact's set-up           {shown}  (the rest: arguments, the pact read, the HTTP client, the loop)")
    shares = {key[5:]: value for key, value in best.items() if key.startswith("self ")}
    if shares:
        total = sum(shares.values())
        named = [(name, shares.pop(name)) for name in _PACKAGES if name in shares]
        named.sort(key=lambda item: -item[1])
        others = sum(shares.values())
        parts = ", ".join(f"{name} {value / total:.0%}" for name, value in [*named, ("others (stdlib)", others)])
        print(f"  imports by package (-X importtime self time, one run): {parts}")


def clean_venv(directory: Path) -> str:
    """A new venv in ``directory`` with this checkout installed as a user gets it (``pip
    install .``: not editable, its bytecode compiled at install, no test extras); its python."""
    subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True)  # noqa: S603
    python = str(directory / "bin" / "python")
    subprocess.run(  # noqa: S603
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(HERE.parent)],
        check=True,
        capture_output=True,
    )
    return python


def startup_report(repeat: int, venv: str | None, clean: bool) -> None:
    """The start-up in this interpreter (the development venv, as its environment has it),
    then in ``venv`` or a clean venv (``PYTHONDONTWRITEBYTECODE`` unset, as a user's shell)."""
    print(
        f"apact verify start-up — Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}"
    )
    bytecode = "PYTHONDONTWRITEBYTECODE set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "bytecode written"
    print_startup(startup(repeat), f" in this venv ({sys.prefix}; {bytecode})")
    user_env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if venv is not None:
        python = str(Path(venv) / "bin" / "python")
        print_startup(startup(repeat, python, user_env), f" in {venv} (PYTHONDONTWRITEBYTECODE unset)")
    if clean:
        with tempfile.TemporaryDirectory() as tmp:
            python = clean_venv(Path(tmp) / "venv")
            print_startup(
                startup(repeat, python, user_env),
                " in a clean venv (pip install ., no extras; PYTHONDONTWRITEBYTECODE unset)",
            )


# -- orchestration --------------------------------------------------------------------------------------


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    from apact.verifier._process import free_port

    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench_verifier:make_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=HERE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/docs", timeout=1).close()  # noqa: S310
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("uvicorn did not start") from None
            time.sleep(0.05)


def measure_in_child(mode: str, pact_path: Path, url: str) -> dict[str, Any]:
    output = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", mode, str(pact_path), url],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts (default 3)")
    parser.add_argument(
        "--limit-sizes", default="10,100,1000,10000", help="sizes of the in-process limit measurement (issue 14)"
    )
    parser.add_argument("--limit-repeat", type=int, default=5, help="runs of the limit measurement; best counts")
    parser.add_argument("--limit-only", action="store_true", help="only the limit measurement (in this process)")
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help="only `apact verify`'s start-up: in this venv, and in --startup-venv and/or a --clean-venv",
    )
    parser.add_argument("--startup-venv", metavar="DIR", help="also measure the start-up with this venv's python")
    parser.add_argument(
        "--clean-venv",
        action="store_true",
        help="also measure it in a new venv (in a temporary directory) with this checkout pip-installed, no extras",
    )
    parser.add_argument("--startup-repeat", type=int, default=5, help="runs of the start-up measurement; best counts")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "PACT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    if args.startup_only:
        startup_report(args.startup_repeat, args.startup_venv, args.clean_venv)
        return
    if args.limit_only:
        import anyio

        print(f"apact in-process limit benchmark — Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
        limit_sizes = [int(size) for size in args.limit_sizes.split(",")]
        rows = anyio.run(limit_ratios, limit_sizes, list(APPS), args.limit_repeat)
        print_limit(rows, args.limit_repeat)
        print_startup(startup())
        return
    try:
        import pact  # noqa: F401

        peer = True
    except ImportError:
        peer = False
    modes = ["apact-in-process", "apact-http-c1", "apact-http-c8"] + (["pact-python"] if peer else [])
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"apact provider verification benchmark — Python {platform.python_version()} on {platform.machine()}, "
        f"{platform.system()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}"
    )
    if not peer:
        print("(pact-python is not installed: its column is left out)")
    server, url = start_server()
    results: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for size in sizes:
                path = Path(tmp) / f"pact-{size}.json"
                path.write_text(json.dumps(make_pact(size)))
                for mode in modes:
                    runs = [measure_in_child(mode, path, url) for _ in range(args.repeat)]
                    fastest = min(runs, key=lambda run: run["seconds"])
                    results[mode, size] = {
                        **fastest,
                        "ok": all(run["ok"] for run in runs),
                        "peak_rss_kib": max(run["peak_rss_kib"] for run in runs),
                    }
    finally:
        server.terminate()
        server.wait()
    header = f"{'interactions':>12}" + "".join(f"{mode:>20}" for mode in modes)
    print(f"\ntotal seconds (ms per interaction), fastest of {args.repeat} runs")
    print(header)
    for size in sizes:
        cells = "".join(
            f"{results[mode, size]['seconds']:>10.3f} ({results[mode, size]['seconds'] / size * 1000:>6.2f})"
            for mode in modes
        )
        print(f"{size:>12}{cells}")
    failed = [f"{mode} {size}" for (mode, size), r in results.items() if not r["ok"]]
    if failed:
        print("NOT VERIFIED (the numbers above are not comparable):", ", ".join(failed))
    if peer:
        print("\nspeed-up over pact-python (its time / apact's time)")
        print(f"{'interactions':>12}" + "".join(f"{mode:>20}" for mode in modes[:-1]))
        for size in sizes:
            base = results["pact-python", size]["seconds"]
            print(f"{size:>12}" + "".join(f"{base / results[mode, size]['seconds']:>19.1f}x" for mode in modes[:-1]))
    biggest = max(sizes)
    base = {
        mode: measure_in_child(mode, Path(), url)["peak_rss_kib"] / 1024
        for mode in ("baseline-in-process", "baseline-http")
    }
    print(f"\npeak memory (max RSS of the verifying process) for {biggest} interactions, MiB")
    print(f"  {'':<18} {'peak':>7}  {'before verifying (imports, app)':>32}")
    for mode in modes:
        before = (
            base["baseline-in-process"]
            if mode == "apact-in-process"
            else base["baseline-http"]
            if mode.startswith("apact")
            else None
        )
        note = f"{before:>32.1f}" if before is not None else f"{'':>32}"
        print(f"  {mode:<18} {results[mode, biggest]['peak_rss_kib'] / 1024:>7.1f}  {note}")


if __name__ == "__main__":
    main()
