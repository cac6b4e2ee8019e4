"""``apact demo``: the Grill Chef example end to end, with nothing but the package.

1. The Sous Chef's consumer tests run its client code (``apact.examples.sous_chef``)
   against apact's mock provider; passing, they write the pact.
2. The pact is summarised.
3. The Grill Chef (``apact.examples.grill_chef``, a Starlette app) is verified against
   that pact in-process, its provider state set by a handler, and the report printed.

The pact goes to a temporary directory, removed at the end, unless ``--pact-dir`` names
one to keep it in. Exit status 0 when both sides pass, 1 otherwise (``--broken-provider``
shows what a provider that broke the contract looks like).
"""

from __future__ import annotations

import functools
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TextIO

import anyio

from ..consumer import Pact
from ..consumer.match import integer
from ..pact import pactfile
from ..pact._summary import summarize
from ..verifier import Verifier
from .grill_chef import Kitchen, make_app
from .sous_chef import GrillChefClient, NotServedError

CONSUMER, PROVIDER = "Sous Chef", "Grill Chef"


# -- the consumer's tests (as they would be written for pytest) ------------------------------------


async def a_medium_rare_steak_is_cooked(pact_dir: Path) -> None:
    async with Pact(CONSUMER, PROVIDER, pact_dir=pact_dir) as pact:
        (
            pact.given("steaks are available")
            .upon_receiving("a request for a medium-rare steak")
            .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
            .will_respond_with(201, body={"waitingTime": integer(10)})
        )
        assert await GrillChefClient(pact.client).order("medium-rare") == 10


async def a_well_done_steak_is_refused(pact_dir: Path) -> None:
    async with Pact(CONSUMER, PROVIDER, pact_dir=pact_dir) as pact:
        (
            pact.given("steaks are available")
            .upon_receiving("a request for a well-done steak")
            .with_request("POST", "/steaks/", body={"cooking": "well-done"})
            .will_respond_with(422, body={"reason": "we do not serve well-done steaks"})
        )
        try:
            await GrillChefClient(pact.client).order("well-done")
        except NotServedError as refused:
            assert refused.reason == "we do not serve well-done steaks"
        else:
            raise AssertionError("the well-done steak was not refused")


CONSUMER_TESTS: dict[str, Callable[[Path], Awaitable[None]]] = {
    "the Sous Chef orders a medium-rare steak": a_medium_rare_steak_is_cooked,
    "the Sous Chef is refused a well-done steak": a_well_done_steak_is_refused,
}


# -- the provider's verification ----------------------------------------------------------------------


def grill_chef_verifier(*, broken: bool = False) -> Verifier:
    """The Grill Chef's verifier: the app in-process, the provider state as a handler."""
    kitchen = Kitchen()
    verifier = Verifier(PROVIDER, app=make_app(kitchen, waiting_time="ten minutes" if broken else 10))

    @verifier.state("steaks are available")
    async def steaks_are_available(params: dict[str, object]) -> AsyncIterator[None]:
        count = params.get("count", 3)
        kitchen.steaks = count if isinstance(count, int) else 3  # set up ...
        yield  # ... the interaction is replayed here ...
        kitchen.steaks = 0  # ... and torn down

    return verifier


# -- the run ------------------------------------------------------------------------------------------------


def _indent(text: str, prefix: str = "   ") -> str:
    return "\n".join(prefix + line if line else "" for line in text.splitlines())


async def run(pact_dir: Path, *, kept: bool, broken: bool, out: TextIO) -> int:
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    say("apact demo: the Sous Chef (a consumer) and the Grill Chef (its provider), end to end")
    say("the code: apact/examples/sous_chef.py, apact/examples/grill_chef.py and apact/examples/_demo.py")
    say()
    say("1. The Sous Chef's tests run its client against apact's mock provider and write the pact")
    failed = 0
    for name, test in CONSUMER_TESTS.items():
        try:
            await test(pact_dir)
        except AssertionError as failure:
            failed += 1
            say(f"   FAILED  {name}")
            say(_indent(str(failure), "     "))
        else:
            say(f"   passed  {name}")
    path = pact_dir / f"{CONSUMER}-{PROVIDER}.json"
    if failed:
        say(f"\n{failed} consumer test{'s' if failed > 1 else ''} failed: no pact to verify")
        return 1
    where = "" if kept else " (a temporary directory, removed at the end; --pact-dir DIR keeps it)"
    say(f"   pact written: {path}{where}")
    say()
    say("2. The pact: what the Sous Chef expects of the Grill Chef")
    say(_indent(summarize(pactfile.load(path))))
    say()
    say("3. The Grill Chef is verified against the pact, in-process (no server, no port)")
    result = await grill_chef_verifier(broken=broken).verify(path)
    say(_indent(result.report()))
    say()
    if result.ok:
        say("Both sides honour the contract. Next: the getting-started guide (docs/index.md), or")
        say("`python -m apact demo --broken-provider` to see a provider that breaks it.")
        return 0
    say("The Grill Chef broke the contract: the Sous Chef would fail in production.")
    return 1


def run_command(pact_dir: Path | None, *, broken: bool) -> int:
    """Run the demo, keeping the pact in ``pact_dir`` if given (else a temporary directory)."""
    if pact_dir is not None:
        pact_dir.mkdir(parents=True, exist_ok=True)
        return anyio.run(functools.partial(run, pact_dir, kept=True, broken=broken, out=sys.stdout))
    with tempfile.TemporaryDirectory(prefix="apact-demo-") as directory:
        return anyio.run(functools.partial(run, Path(directory), kept=False, broken=broken, out=sys.stdout))
