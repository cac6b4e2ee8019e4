"""Provider states of the official Pact Broker client's contract, seeded into the store.

``STATES`` maps each state name in ``Pact Broker Client V2-Pact Broker.json`` to a
function that writes it into a broker :class:`~apact.broker_server._store.Transaction`. Any
verifier can use them, through the test state-change endpoint (``contract.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apact._core._types import JSON
from apact.broker_server._domain import (
    add_branch,
    add_tag,
    ensure_pacticipant,
    ensure_version,
    publish_pact,
    update_pacticipant,
)
from apact.broker_server._store import Environment, Transaction, Version

TEST_ENVIRONMENT = "16926ef3-590f-4e3f-838e-719717aa88c9"
DEPLOYABLE_ENVIRONMENT = "cb632df3-0a0d-4227-aac3-60114dd36479"
FOO_VERSION = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
DEPLOYED_VERSION = "ff3adecf-cfc5-4653-a4e3-f1861092f8e0"
WEBHOOK = "696c5f93-1b7f-44bc-8d03-59440fcaa9a0"
CONTACTS = ({"name": "Foo team", "details": {"emailAddress": "foo@bar.com"}},)

State = Callable[[Transaction], None]


def version(
    tx: Transaction, name: str, number: str, *, tags: tuple[str, ...] = (), branch: str | None = None
) -> Version:
    owner, _ = ensure_pacticipant(tx, name)
    found, _ = ensure_version(tx, owner, number)
    for tag in tags:
        add_tag(tx, found, tag)
    if branch:
        add_branch(tx, owner, found, branch)
    return tx.version_by_id(found.id)


def pact(
    tx: Transaction,
    consumer: str,
    number: str,
    provider: str,
    *,
    described: str | None = None,
    tags: tuple[str, ...] = (),
) -> str:
    """Publish a pact (no interactions unless ``described``); its SHA."""
    owner, _ = ensure_pacticipant(tx, consumer)
    found = version(tx, consumer, number, tags=tags)
    interactions: list[Any] = []
    if described:
        interactions = [
            {"description": described, "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}
        ]
    document: dict[str, JSON] = {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": interactions,
    }
    published = publish_pact(tx, owner, found, provider, document, merge=False, allow_modification=True)
    return published.publication.sha


def verify(
    tx: Transaction, consumer: str, provider: str, sha: str, number: str, success: bool, *, tags: tuple[str, ...] = ()
) -> None:
    consumer_id = ensure_pacticipant(tx, consumer)[0].id
    provider_version = version(tx, provider, number, tags=tags)
    tx.add_verification(
        sha=sha,
        consumer_id=consumer_id,
        provider_id=provider_version.pacticipant_id,
        provider_version_id=provider_version.id,
        success=success,
        wip=False,
        build_url=None,
        test_results=[],
        verified_by={"implementation": "states.py"},
    )


def environment(tx: Transaction, name: str, uuid: str, *, contacts: tuple[Any, ...] = ()) -> None:
    tx.save_environment(Environment(uuid, name, name.title(), name == "prod", contacts, "", ""))


def pacticipants(*names: str) -> State:
    def seed(tx: Transaction) -> None:
        for name in names:
            ensure_pacticipant(tx, name)

    return seed


def nothing(tx: Transaction) -> None:
    """States that only describe the index resource, or something absent."""


def foo_verified_by_bar(tx: Transaction, consumer: str = "Foo") -> None:
    verify(tx, consumer, "Bar", pact(tx, consumer, "1.2.3", "Bar"), "4.5.6", True)


def foo_verified_and_failed(tx: Transaction, *, provider_tags: tuple[str, ...] = ()) -> None:
    verify(tx, "Foo", "Bar", pact(tx, "Foo", "1.2.3", "Bar", described="one"), "4.5.6", True, tags=provider_tags)
    verify(tx, "Foo", "Bar", pact(tx, "Foo", "1.2.4", "Bar", described="two"), "9.9.9", False)


def foo_verified_by_two_bars(tx: Transaction, *, first_tags: tuple[str, ...] = ()) -> None:
    sha = pact(tx, "Foo", "1.2.3", "Bar")
    verify(tx, "Foo", "Bar", sha, "4.5.6", True, tags=first_tags)
    verify(tx, "Foo", "Bar", sha, "5.6.7", True)


def two_foos_verified_by_bar(tx: Transaction) -> None:
    verify(tx, "Foo", "Bar", pact(tx, "Foo", "1.2.3", "Bar", described="one"), "4.5.6", True)
    verify(tx, "Foo", "Bar", pact(tx, "Foo", "1.2.4", "Bar", described="two"), "4.5.6", True)


def bar_verified_prod_foos(tx: Transaction) -> None:
    verify(tx, "Foo", "Bar", pact(tx, "Foo", "1.2.3", "Bar", described="one", tags=("prod",)), "4.5.6", True)
    verify(tx, "Foo", "Bar", pact(tx, "Foo", "3.4.5", "Bar", described="two", tags=("prod",)), "4.5.6", False)


def foo_with_environments(*names_and_uuids: tuple[str, str]) -> State:
    def seed(tx: Transaction) -> None:
        version(tx, "Foo", FOO_VERSION)
        for name, uuid in names_and_uuids:
            environment(tx, name, uuid)

    return seed


def deployed_to_test(tx: Transaction, *, uuid: str | None = None, instance: str | None = "customer-1") -> None:
    environment(tx, "test", TEST_ENVIRONMENT)
    deployed = version(tx, "Foo", FOO_VERSION)
    tx.add_deployment("deployed", deployed.id, TEST_ENVIRONMENT, instance, uuid)


def pricing_service(tx: Transaction) -> None:
    owner, _ = ensure_pacticipant(tx, "Pricing Service")
    update_pacticipant(tx, owner, repository_url="git@git.realestate.com.au:business-systems/pricing-service")
    version(tx, "Pricing Service", "1.3.0")


def a_version(name: str, number: str, *, tags: tuple[str, ...] = (), branch: str | None = None) -> State:
    def seed(tx: Transaction) -> None:
        version(tx, name, number, tags=tags, branch=branch)

    return seed


def webhook(tx: Transaction) -> None:
    pacticipants("Condor", "Pricing Service")(tx)
    document: dict[str, JSON] = {
        "description": "a webhook",
        "consumer": {"name": "Condor"},
        "provider": {"name": "Pricing Service"},
        "events": [{"name": "contract_content_changed"}],
        "request": {"method": "POST", "url": "https://webhook"},
    }
    tx.save_webhook(WEBHOOK, document)


def condor_pact(*, tags: tuple[str, ...] = ()) -> State:
    def seed(tx: Transaction) -> None:
        pact(tx, "Condor", "1.3.0", "Pricing Service", tags=tags)

    return seed


STATES: dict[str, State] = {
    "": nothing,
    "an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists": (
        lambda tx: environment(tx, "test", TEST_ENVIRONMENT)
    ),
    "the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6": (
        lambda tx: foo_verified_by_bar(tx, "Foo Thing")
    ),
    "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6": foo_verified_by_bar,
    "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 "
    "unsuccessfully by 9.9.9": lambda tx: foo_verified_and_failed(tx, provider_tags=("prod",)),
    "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version "
    "5.6.7": lambda tx: foo_verified_by_two_bars(tx, first_tags=("prod",)),
    "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by "
    "9.9.9": foo_verified_and_failed,
    "the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6": two_foos_verified_by_bar,
    "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7": foo_verified_by_two_bars,
    "provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed "
    "verification for version 3.4.5 tagged prod": bar_verified_prod_foos,
    "the pacticipant relations are present": nothing,
    "the pb:environments relation exists in the index resource": nothing,
    "the pb:latest-tagged-version relation exists in the index resource": nothing,
    "the pb:latest-version relation exists in the index resource": nothing,
    "the pb:pacticipant-branch relation exists in the index resource": nothing,
    "the pb:pacticipant-version and pb:environments relations exist in the index resource": nothing,
    "the pb:publish-contracts relations exists in the index resource": nothing,
    f"version {FOO_VERSION} of pacticipant Foo exists with 2 environments that aren't test available for "
    "deployment": foo_with_environments(
        ("prod", "8b4f7e6b-1a5c-4b4e-9d47-1c0e2f3a4b5c"), ("dev", "2d6f0a3e-7c1b-4e8f-a9d2-3b4c5d6e7f80")
    ),
    f"version {FOO_VERSION} of pacticipant Foo exists with a test environment available for deployment": (
        foo_with_environments(("test", DEPLOYABLE_ENVIRONMENT))
    ),
    f"version {FOO_VERSION} of pacticipant Foo exists with a test environment available for release": (
        foo_with_environments(("test", DEPLOYABLE_ENVIRONMENT))
    ),
    "an environment with name test exists": lambda tx: environment(tx, "test", TEST_ENVIRONMENT),
    "an environment exists": lambda tx: environment(tx, "test", TEST_ENVIRONMENT, contacts=CONTACTS),
    "an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target "
    "customer-1": deployed_to_test,
    "a currently deployed version exists": lambda tx: deployed_to_test(tx, uuid=DEPLOYED_VERSION),
    "a latest pact between Condor and the Pricing Service exists": condor_pact(),
    "a pact between Condor and the Pricing Service exists": condor_pact(),
    "tagged as prod pact between Condor and the Pricing Service exists": condor_pact(tags=("prod",)),
    "a pact between Condor and the Pricing Service exists for the production version of Condor": condor_pact(
        tags=("prod",)
    ),
    "the 'Pricing Service' and 'Condor' already exist in the pact-broker, and Condor already has a pact published "
    "for version 1.3.0": condor_pact(),
    "no pact between Condor and the Pricing Service exists": nothing,
    "'Condor' does not exist in the pact-broker": nothing,
    "the 'Pricing Service' does not exist in the pact-broker": nothing,
    "the 'Pricing Service' and 'Condor' already exist in the pact-broker": pacticipants("Pricing Service", "Condor"),
    "the 'Pricing Service' already exists in the pact-broker": pricing_service,
    "'Condor' exists in the pact-broker": a_version("Condor", "1.3.0"),
    "'Condor' exists in the pact-broker with version 1.3.0, tagged with 'prod'": a_version(
        "Condor", "1.3.0", tags=("prod",)
    ),
    "'Condor' exists in the pact-broker with the latest tagged 'production' version 1.2.3": a_version(
        "Condor", "1.2.3", tags=("production",)
    ),
    "'Condor' exists in the pact-broker with the latest version 1.2.3": a_version("Condor", "1.2.3"),
    "a branch named main exists for pacticipant Foo": a_version("Foo", "1", branch="main"),
    "a pacticipant with name Foo exists": pacticipants("Foo"),
    "a webhook with the uuid 696c5f93-1b7f-44bc-8d03-59440fcaa9a0 exists": webhook,
}


def contract_states(contract: dict[str, Any]) -> set[str]:
    """Every provider state named in a V2 (or V3/V4) pact document."""
    found = set()
    for interaction in contract.get("interactions", []):
        if "providerState" in interaction:
            found.add(interaction["providerState"] or "")
        for state in interaction.get("providerStates", []) or []:
            found.add(state["name"])
    return found
