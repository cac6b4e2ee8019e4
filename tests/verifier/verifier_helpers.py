"""Helpers for the verifier's tests: small pacts written in the test, a served app."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apact import pactfile
from apact.model import PactFile

HERE = Path(__file__).resolve().parent
HYPERCORN = [sys.executable, "-m", "hypercorn"]


def interaction(
    description: str,
    path: str = "/steaks/",
    *,
    method: str = "GET",
    status: int = 200,
    body: Any = None,  # noqa: ANN401
    request_body: Any = None,  # noqa: ANN401
    states: list[dict[str, Any]] | None = None,
    **extra: Any,  # noqa: ANN401
) -> dict[str, Any]:
    """A V4 HTTP interaction as pact JSON."""
    request: dict[str, Any] = {"method": method, "path": path}
    if request_body is not None:
        request["headers"] = {"Content-Type": ["application/json"]}
        request["body"] = {"contentType": "application/json", "encoded": False, "content": request_body}
    response: dict[str, Any] = {"status": status}
    if body is not None:
        response["headers"] = {"Content-Type": ["application/json"]}
        response["body"] = {"contentType": "application/json", "encoded": False, "content": body}
    result: dict[str, Any] = {
        "type": "Synchronous/HTTP",
        "description": description,
        "request": request,
        "response": response,
    }
    if states:
        result["providerStates"] = states
    result.update(extra)
    return result


def pact(*interactions: dict[str, Any], consumer: str = "Sous Chef", provider: str = "Grill Chef") -> PactFile:
    return pactfile.loads(
        json.dumps(document(*interactions, consumer=consumer, provider=provider)), file=f"{consumer}.json"
    )


def document(
    *interactions: dict[str, Any], consumer: str = "Sous Chef", provider: str = "Grill Chef"
) -> dict[str, Any]:
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def alive(pid: int) -> bool:
    """Whether a process with this PID exists (and is not a zombie)."""
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.EPERM
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def app_command(port: str = "{port}", module: str = "verifier_app:app", *, bind_as_is: bool = False) -> list[str]:
    """hypercorn serving ``module`` on 127.0.0.1:``port`` (or on ``port`` itself, a
    hypercorn bind such as ``fd://5``, with ``bind_as_is``)."""
    return [*HYPERCORN, module, "--bind", port if bind_as_is else f"127.0.0.1:{port}"]


def app_env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, **extra}


@contextlib.contextmanager
def served(module: str = "verifier_app:app", **env: str) -> Iterator[str]:
    """``module`` served by hypercorn in a subprocess; yields its base URL. The socket
    is bound here and handed to hypercorn (``fd://``): a port picked free and bound
    later by the server could be taken in between (another worker's outgoing
    connections draw from the same ephemeral ports)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        process = subprocess.Popen(  # noqa: S603
            app_command(f"fd://{listener.fileno()}", module, bind_as_is=True),
            env={**os.environ, **app_env(**env)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        delay = 0.02
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=1):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"the test server did not start: {output}") from None
                time.sleep(delay)  # a sync fixture polling a subprocess; back-off, not synchronisation
                delay = min(delay * 1.5, 0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def core_verdicts(verifier: Any) -> dict[str, bool]:  # noqa: ANN401  (pact-python's Verifier)
    """Run pact-python's ``verifier``: whether each interaction passed, by description
    (its ``verify()`` raises when any fails)."""
    try:
        verifier.verify()
    except RuntimeError:
        pass
    return {item["description"]: item["result"] == "OK" for item in verifier.results["interactionResults"]}
