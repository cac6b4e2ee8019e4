"""The Grill Chef (provider of the built-in Sous Chef pact), and the official ``pact`` CLI.

``grill(waiting_time)`` answers the Sous Chef pact; ``grill("ten")`` is the breaking
change (a string where the pact wants an integer).
"""

from __future__ import annotations

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
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apact.examples import GRILL_CHEF_PACT


def grill(waiting_time: object = 10) -> Starlette:
    async def steaks(request: Request) -> Response:
        cooking = (await request.json()).get("cooking")
        if cooking == "medium-rare":
            return JSONResponse({"waitingTime": waiting_time}, 201)
        return JSONResponse({"reason": f"we do not serve {cooking} steaks"}, 422)

    async def state(request: Request) -> Response:
        return JSONResponse({})

    return Starlette(
        routes=[Route("/steaks/", steaks, methods=["POST"]), Route("/_pact/state", state, methods=["POST"])]
    )


def sous_chef_pact(*, rare: bool = False) -> dict[str, Any]:
    """The built-in pact; with ``rare``, one more interaction the Grill Chef does not serve."""
    document: dict[str, Any] = json.loads(GRILL_CHEF_PACT.read_text())
    if rare:
        extra = json.loads(json.dumps(document["interactions"][0]))
        extra["description"] = "a request for a rare steak"
        extra["request"]["body"]["content"] = {"cooking": "rare"}
        document["interactions"].append(extra)
    return document


def write_pact(directory: Path, document: dict[str, Any], name: str = "Sous Chef-Grill Chef.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(document))
    return path


def pact_cli() -> str:
    """The ``pact`` binary of pact-python-cli (next to this Python, else on PATH); skips without it."""
    found = shutil.which("pact", path=str(Path(sys.executable).parent)) or shutil.which("pact")
    if found is None:
        pytest.skip("the official pact CLI is not installed (pip install pact-python-cli)")
    return found


async def run_pact(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """Run the official ``pact`` CLI; output is decoded in ``.stdout`` (stderr merged)."""
    environment = {**os.environ, "PACT_DO_NOT_TRACK": "true", "PACT_BROKER_HTTP_RETRIES": "1", "NO_COLOR": "1"}
    with anyio.fail_after(timeout):
        return await anyio.run_process([pact_cli(), *args], env=environment, check=False, stderr=subprocess.STDOUT)


def text(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode(errors="replace")
