"""pactman's side of ``run_all.py``: the same workloads, run by pactman 2.31 in its own venv.

pactman cannot be imported next to pact-python 3+ (its ``try: import pact`` lets an
``AttributeError`` escape), so it runs in a separate interpreter::

    python3 -m venv /tmp/pactman-venv && /tmp/pactman-venv/bin/pip install pactman
    python benchmarks/run_all.py --pactman /tmp/pactman-venv/bin/python

This script imports neither apact nor anything outside pactman's own dependencies
(requests, urllib3). It runs one workload and prints one JSON line:
``{"seconds": ..., "peak_rss_kib": ..., ...}``. pactman writes V2/V3 pacts and reads V2/V3
pacts (not V4), so it is given the benchmark's pacts written as V3.

Its consumer side patches urllib3 (the default; requests only), answers the interactions
of a ``with pact:`` block in the order they were defined, and writes the pact file on
every matched request (read, append, rewrite; no lock). Its verifier sends each request
with requests and sets provider states with a callable (setup only: pactman has no
teardown).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _peak() -> int:
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


def _pact(directory: Path, mode: str) -> Any:  # noqa: ANN401
    from pactman import Consumer, Provider

    return Consumer("Sous Chef").has_pact_with(
        Provider("Grill Chef"), pact_dir=str(directory), version="3.0.0", file_write_mode=mode
    )


def cycles(
    count: int, directory: Path, mode: str, prefix: str = "a request for steak", failures: list[str] | None = None
) -> float:
    """``count`` whole consumer tests: a Pact, one interaction, one request, the write.

    With ``failures``, a failing test is recorded there (its exception's name) and the
    next one runs, as under pytest.
    """
    import requests
    from pactman import Like

    session = requests.Session()
    started = time.perf_counter()
    for n in range(count):
        pact = _pact(directory, mode)
        (
            pact.given("steaks are available")
            .upon_receiving(f"{prefix} {n}")
            .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
            .will_respond_with(201, body={"waitingTime": Like(10)})
        )
        try:
            with pact:
                response = session.post(pact.uri + "/steaks/", json={"cooking": "medium-rare"})
                assert response.status_code == 201
        except Exception as error:
            if failures is None:
                raise
            failures.append(type(error).__name__)
            pact.stop_mocking()  # what leaving the block would have done
    return time.perf_counter() - started


def bulk(count: int, directory: Path) -> float:
    """One pact of ``count`` interactions (one path each), each requested once."""
    import requests
    from pactman import Like

    session = requests.Session()
    started = time.perf_counter()
    pact = _pact(directory, "overwrite")
    for n in range(count):
        pact.given(None).upon_receiving(f"a request for steak {n}").with_request(
            "GET", f"/steaks/{n}"
        ).will_respond_with(200, body={"id": Like(n), "cooking": "rare"})
    with pact:
        for n in range(count):  # pactman answers in the order the interactions were defined
            assert session.get(f"{pact.uri}/steaks/{n}").status_code == 200
    return time.perf_counter() - started


def verify(pact_path: str, base_url: str) -> tuple[float, bool]:
    """Verify a V3 pact against the server at ``base_url``, states through its endpoint."""
    import requests
    from pactman.verifier.broker_pact import BrokerPact
    from pactman.verifier.result import Result

    class Quiet(Result):
        def warn(self, message: str) -> None:
            pass

        def fail(self, message: str, path: object = None) -> bool:
            self.success = self.FAIL
            return not message

    session = requests.Session()

    def provider_setup(name: str, **params: Any) -> None:  # noqa: ANN401
        session.post(f"{base_url}/_pact/state", json={"state": name, "action": "setup", "params": params})

    started = time.perf_counter()
    pact = BrokerPact(json.loads(Path(pact_path).read_text()), Quiet)
    for interaction in pact.interactions:
        interaction.verify_with_callable_setup(base_url, provider_setup)
    return time.perf_counter() - started, pact.success


def match(case_path: str, repeat: int) -> tuple[float, bool]:
    """Best seconds of ``repeat`` comparisons of an actual response with an expected one."""
    from pactman.verifier.result import Result
    from pactman.verifier.verify import ResponseVerifier

    case = json.loads(Path(case_path).read_text())

    class Failed(Result):
        def fail(self, message: str, path: object = None) -> bool:
            self.success = self.FAIL
            self.message = message
            return not message

    class Pact:
        semver = type("semver", (), {"major": 3})()
        version = "3.0.0"
        consumer = "Sous Chef"

    class Response:
        status_code = case["actual"]["status"]
        headers = case["actual"]["headers"]
        text = ""

        def json(self) -> Any:  # noqa: ANN401
            return case["actual"]["body"]

    best, ok = float("inf"), True
    for _ in range(repeat):
        result = Failed()
        started = time.perf_counter()
        ResponseVerifier(Pact(), case["expected"], result).verify(Response())
        best = min(best, time.perf_counter() - started)
        ok = ok and result.success
    return best, ok


def main(argv: list[str]) -> int:
    workload, params = argv[0], json.loads(argv[1])
    out: dict[str, Any] = {}
    if workload == "cycles":
        with tempfile.TemporaryDirectory() as tmp:
            out["seconds"] = cycles(params["count"], Path(tmp), "overwrite")
    elif workload == "bulk":
        with tempfile.TemporaryDirectory() as tmp:
            out["seconds"] = bulk(params["count"], Path(tmp))
    elif workload == "writer":  # one of several processes merging into one file
        barrier = Path(params["barrier"])
        (barrier / f"ready-{params['index']}").touch()
        while len(list(barrier.glob("ready-*"))) < params["total"]:
            time.sleep(0.001)
        out["failures"] = []
        out["seconds"] = cycles(params["count"], Path(params["directory"]), "merge", params["prefix"], out["failures"])
    elif workload == "verify":
        out["seconds"], out["ok"] = verify(params["pact"], params["base_url"])
    elif workload == "match":
        out["seconds"], out["ok"] = match(params["case"], params["repeat"])
    else:
        raise SystemExit(f"unknown workload {workload!r}")
    out["peak_rss_kib"] = _peak()
    import pactman.__version__ as version

    out["version"] = version.__version__
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
