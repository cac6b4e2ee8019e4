"""The Django Grill Chef proves that it honours the Sous Chef's pact, in-process.

apact calls Django's ASGI application directly (no server, no port). Django runs each
sync view in a worker thread of its own, with that thread's database connection; the
provider states are written with the ORM, called from async state handlers through
``sync_to_async``. Both sides see the same data because pytest-django's
``transaction=True`` database commits it (see ``docs/django.md``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from grill.models import Order, Steak
from grill.provider_states import clear_kitchen, steaks_available
from kitchen_project.asgi import application

from apact import Verifier

pytestmark = pytest.mark.anyio
HERE = Path(__file__).resolve().parents[1]
PACTS = HERE / "pacts"  # the Sous Chef's pact (apact's built-in example pact)


def cooked_orders() -> list[tuple[str, str, int]]:
    return list(Order.objects.values_list("cut", "cooking", "waiting_time"))


def with_states(verifier: Verifier, cooked: list[tuple[str, str, int]]) -> Verifier:
    """The provider states, the ORM called from async handlers through ``sync_to_async``.
    ``cooked`` collects the orders each interaction left in the database."""

    @verifier.state("steaks are available")
    async def steaks_are_available(params: dict[str, Any]) -> AsyncIterator[None]:
        await sync_to_async(steaks_available)(params.get("count", 3))
        yield
        cooked.extend(await sync_to_async(cooked_orders)())
        await sync_to_async(clear_kitchen)()

    return verifier


@pytest.mark.django_db(transaction=True)
async def test_the_grill_chef_honours_its_pact_in_process() -> None:
    cooked: list[tuple[str, str, int]] = []
    verifier = with_states(Verifier("Grill Chef", app=application), cooked)
    result = await verifier.verify(PACTS)
    print(result.report())
    result.assert_ok()
    # the view ordered the steak through the ORM, from the fridge the state filled
    assert cooked == [("ribeye", "medium-rare", 10)]
    assert await Steak.objects.acount() == 0  # and every teardown ran


@pytest.mark.django_db
@pytest.mark.usefixtures("requests_keep_the_test_connection")
def test_the_grill_chef_honours_its_pact_from_a_sync_test() -> None:
    """A sync test: ``async_to_sync`` runs the verification with this thread as the one
    every ``sync_to_async`` call and every view comes back to, so the ORM works inside the
    test's transaction (rolled back at the end) and plain ``django_db`` is enough, once
    the requests leave the test's connection open (``requests_keep_the_test_connection``)."""
    cooked: list[tuple[str, str, int]] = []
    verifier = with_states(Verifier("Grill Chef", app=application), cooked)
    result = async_to_sync(verifier.verify)(PACTS)
    print(result.report())
    result.assert_ok()
    assert cooked == [("ribeye", "medium-rare", 10)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("broken_kitchen")
async def test_a_broken_view_fails_naming_the_interaction_and_the_json_path() -> None:
    verifier = with_states(Verifier("Grill Chef", app=application), [])
    result = await verifier.verify(PACTS)
    report = result.report()
    print(report)
    assert not result.ok
    verdicts = {interaction.description: interaction.status for interaction in result.interactions}
    assert verdicts == {"a request for a medium-rare steak": "failed", "a request for a well-done steak": "passed"}
    failures = report.split("Failures:", 1)[1]
    assert "a request for a medium-rare steak" in failures
    assert "$.body.waitingTime: expected an integer" in failures
    assert "10 minutes" in failures


@pytest.mark.django_db(transaction=True)
async def test_a_sync_state_handler_using_the_orm_fails_with_synchronous_only_operation() -> None:
    """The trap the async handlers avoid: a sync handler runs on the event loop's thread,
    where Django refuses database access."""
    verifier = Verifier("Grill Chef", app=application)

    @verifier.state("steaks are available")
    def steaks_are_available() -> None:
        steaks_available()

    result = await verifier.verify(PACTS)
    assert not result.ok
    assert all(interaction.status == "failed" for interaction in result.interactions)
    assert "SynchronousOnlyOperation" in result.report()
    assert await Steak.objects.acount() == 0  # nothing was written


@pytest.mark.parametrize("handler", ["asgi", "wsgi"])
def test_the_grill_chef_verified_by_apact_verify_on_the_command_line(tmp_path: Path, handler: str) -> None:
    """``apact verify --app``, the states set through the test-only ``/_pact/state`` view,
    on a migrated SQLite file of its own; through Django's ASGI handler and its WSGI one."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kitchen_project.settings",
        "GRILL_CHEF_DB": str(tmp_path / "grill-chef.sqlite3"),
        "GRILL_CHEF_PROVIDER_STATES": "1",
    }
    migrate = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    verify = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "apact",
            "verify",
            "--app",
            f"kitchen_project.{handler}:application",
            "--state-change-url",
            "/_pact/state",
            "--no-progress",
            "pacts",
        ],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "2 passed, 0 failed" in verify.stdout, verify.stdout
