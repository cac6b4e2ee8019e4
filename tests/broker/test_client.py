"""The broker client against ``apact broker`` in-process (httpx's ASGI transport). The
broker, on SQLite in memory, only serves the client here: its answers are tested on
both backends in tests/broker_server (and the whole flow in test_client_flow.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from apact import Verifier, pactfile
from apact.broker import BrokerClient, BrokerError
from apact.broker_server import SqliteStore, create_app
from apact.errors import PactFileError
from apact.examples import GRILL_CHEF_PACT

from .client_helpers import client_of, grill_chef_verifier, through
from .grill import grill, sous_chef_pact, write_pact

pytestmark = pytest.mark.anyio


async def test_the_whole_cycle_in_process() -> None:
    """publish, fetch (pending), verify, publish results (no longer pending), deploy,
    can-i-deploy yes; a breaking provider version fails and can-i-deploy says no, naming
    the consumer and the interaction."""
    store = SqliteStore()
    async with client_of(create_app(store)) as broker:
        published = await broker.publish_pacts(
            [GRILL_CHEF_PACT], consumer_version="1.0.0", branch="main", tags=["dev"], build_url="https://ci/1"
        )
        assert [str(n) for n in published.notices] == [
            "Created Sous Chef version 1.0.0 on branch main with tags dev.",
            "Published the pact between Sous Chef version 1.0.0 and Grill Chef.",
        ]
        assert [(p.consumer, p.provider) for p in published.pacts] == [("Sous Chef", "Grill Chef")]
        assert published.pacts[0].url == "http://broker/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0"
        production = await broker.create_environment("production", display_name="Production", production=True)
        assert (production.name, production.display_name, production.production) == ("production", "Production", True)

        pacts = await broker.pacts_for_verification(
            "Grill Chef", selectors=[{"mainBranch": True}], provider_branch="main", include_pending=True
        )
        (pact,) = pacts.pacts
        assert (pact.pending, pact.wip, pact.description) == (True, False, "latest from branch main (1.0.0)")
        assert pact.pact.consumer == "Sous Chef" and len(pact.pact.interactions) == 2
        result = await grill_chef_verifier().verify(*pacts.sources)
        assert result.ok and result.pacts[0].pending
        assert any("is in pending state" in notice for notice in result.notices)  # shown in the report
        assert "is being verified because" in result.report()

        sent = await broker.publish_verification_results(
            result, provider_version="1.0.0", branch="main", tags=["prod"], build_url="https://ci/2"
        )
        assert [(p.consumer, p.success) for p in sent.published] == [("Sous Chef", True)]
        assert sent.published[0].url and "/verification-results/" in sent.published[0].url
        assert pacts.notices_after(result, sent) == [
            "This pact is no longer in pending state for a version of Grill Chef from branch 'main': a successful "
            "verification result has been published. From now on, a failing verification fails the build."
        ]
        for name in ("Grill Chef", "Sous Chef"):
            recorded = await broker.record_deployment(name, "1.0.0", "production", application_instance="blue")
            assert str(recorded) == (
                f"Recorded the deployment of {name} version 1.0.0 to production (application instance blue)."
            )
        yes = await broker.can_i_deploy("Sous Chef", version="1.0.0", to_environment="production")
        assert yes.ok and yes.deployable is True
        assert yes.report().endswith("can-i-deploy: yes, Sous Chef version 1.0.0 can be deployed to production")
        assert "Sous Chef  1.0.0      Grill Chef  1.0.0      true" in yes.report()

        again = await broker.pacts_for_verification(
            "Grill Chef", selectors=[{"deployedOrReleased": True}], provider_branch="main", include_pending=True
        )
        assert not again.pacts[0].pending  # verified on main now
        broken = await grill_chef_verifier("ten minutes").verify(*again.sources)
        assert not broken.ok
        await broker.publish_verification_results(broken, provider_version="2.0.0", branch="main")
        no = await broker.can_i_deploy("Grill Chef", version="2.0.0", to_environment="production")
        assert not no and no.deployable is False
        assert [r.text for r in no.reasons] == [
            "The verification of the pact between version 1.0.0 of Sous Chef and version 2.0.0 of Grill Chef "
            "failed; failed interactions: 'a request for a medium-rare steak'"
        ]
        assert no.report().endswith("can-i-deploy: no, Grill Chef version 2.0.0 cannot be deployed to production")

    with store.transaction() as tx:
        grill = tx.pacticipant("Grill Chef")
        assert grill is not None
        versions = {v.number: (v.branches, v.tags) for v in tx.versions(grill.id)}
        assert versions == {"1.0.0": (("main",), ("prod",)), "2.0.0": (("main",), ())}
        assert [(v.success, v.build_url) for v in tx.verifications(provider_id=grill.id)] == [
            (True, "https://ci/2"),
            (False, None),
        ]
        sous_chef = tx.pacticipant("Sous Chef")
        assert sous_chef is not None
        (version,) = tx.versions(sous_chef.id)
        assert (version.build_url, version.branches, version.tags) == ("https://ci/1", ("main",), ("dev",))
    store.close()


async def test_can_i_deploy_by_branch_and_without_an_environment() -> None:
    async with client_of(create_app(SqliteStore())) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1", branch="main")
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="2", branch="feat/x")
        unknown = await broker.can_i_deploy("Sous Chef", branch="feat/x")
        assert unknown.deployable is None and not unknown
        assert unknown.rows[0].consumer_version == "2"  # the latest on that branch
        assert "There is no verified pact between version 2 of Sous Chef" in unknown.report()
        assert unknown.report().endswith(
            "can-i-deploy: no (unknown), Sous Chef (latest on branch feat/x) cannot be deployed until every "
            "verification result is in"
        )
        with pytest.raises(ValueError, match="either version= or branch="):
            await broker.can_i_deploy("Sous Chef")


async def test_names_with_spaces_and_slashes_are_encoded() -> None:
    seen: list[str] = []
    document = sous_chef_pact()
    document["consumer"]["name"] = "Sous Chef/Night"
    async with client_of(through(create_app(SqliteStore()), seen)) as broker:
        await broker.create_environment("pre-prod")
        await broker.publish_pacts(
            [pactfile.loads(json.dumps(document))], consumer_version="1.0 beta", branch="feat/rare steak"
        )
        pacts = await broker.pacts_for_verification("Grill Chef", selectors=[{"branch": "feat/rare steak"}])
        assert [p.pact.consumer for p in pacts.pacts] == ["Sous Chef/Night"]
        await broker.record_release("Sous Chef/Night", "1.0 beta", "pre-prod")
        answer = await broker.can_i_deploy("Sous Chef/Night", version="1.0 beta", to_environment="pre-prod")
        assert answer.rows[0].consumer_version == "1.0 beta"
    assert "GET /pacticipants/Sous%20Chef%2FNight/versions/1.0%20beta" in seen
    assert "POST /pacts/provider/Grill%20Chef/for-verification" in seen


async def test_publish_files_and_directories_of_several_consumers(tmp_path: Path) -> None:
    other = sous_chef_pact()
    other["consumer"]["name"] = "Pastry Chef"
    write_pact(tmp_path, sous_chef_pact(), "a.json")
    write_pact(tmp_path, other, "b.json")
    (tmp_path / "notes.txt").write_text("not a pact")
    seen: list[str] = []
    async with client_of(through(create_app(SqliteStore()), seen)) as broker:
        published = await broker.publish_pacts([tmp_path], consumer_version="7", tags=["a", "b"])
        assert sorted((p.consumer, p.provider) for p in published.pacts) == [
            ("Pastry Chef", "Grill Chef"),
            ("Sous Chef", "Grill Chef"),
        ]
        fetched = await broker.pacts_for_verification("Grill Chef", selectors=[{"tag": "b", "latest": True}])
        assert sorted(p.pact.consumer for p in fetched.pacts) == ["Pastry Chef", "Sous Chef"]
    assert seen.count("POST /contracts/publish") == 2  # one per consumer


async def test_an_older_broker_gets_the_per_pact_put_after_the_branch_and_tags() -> None:
    def older(index: dict[str, Any]) -> None:
        del index["_links"]["pb:publish-contracts"]

    seen: list[str] = []
    store = SqliteStore()
    async with client_of(through(create_app(store), seen, index=older)) as broker:
        published = await broker.publish_pacts(
            [GRILL_CHEF_PACT], consumer_version="1.0.0", branch="main", tags=["dev", "rc"], build_url="https://ci"
        )
    assert [s for s in seen if not s.startswith("GET")] == [
        "PUT /pacticipants/Sous%20Chef/branches/main/versions/1.0.0",
        "PUT /pacticipants/Sous%20Chef/versions/1.0.0/tags/dev",
        "PUT /pacticipants/Sous%20Chef/versions/1.0.0/tags/rc",
        "PUT /pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0",
    ]
    assert [str(n) for n in published.notices] == [
        "This broker has no pb:publish-contracts relation: publishing each pact with PUT.",
        "warning: The build URL was not recorded: this broker takes it only with pb:publish-contracts.",
        "Published the pact between Sous Chef version 1.0.0 and Grill Chef.",
    ]
    with store.transaction() as tx:
        consumer = tx.pacticipant("Sous Chef")
        assert consumer is not None
        (version,) = tx.versions(consumer.id)
        assert (version.branches, version.tags) == (("main",), ("dev", "rc"))
        assert len(tx.publications(consumer_id=consumer.id)) == 1
    store.close()


async def test_a_changed_pact_for_a_published_version_is_a_clear_409() -> None:
    changed = sous_chef_pact(rare=True)
    async with client_of(create_app(SqliteStore(), allow_contract_modification=False)) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1.0.0")
        with pytest.raises(BrokerError) as caught:
            await broker.publish_pacts([pactfile.loads(json.dumps(changed))], consumer_version="1.0.0")
    error = caught.value
    assert error.status == 409
    assert str(error).startswith(
        "could not publish the pacts of Sous Chef version 1.0.0: POST http://broker/contracts/publish answered "
        "409 Conflict: a pact with different content was already published for Sous Chef version 1.0.0 (give every "
        "build its own version, e.g. the commit SHA) (the broker says: "
    )
    assert error.detail and "Sous Chef" in error.detail


async def test_pact_files_are_checked_before_anything_is_sent(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"consumer": {"name": "A"}, "provider": {"name": "B"}, "interactions": "no"}')
    seen: list[str] = []
    async with client_of(through(create_app(SqliteStore()), seen)) as broker:
        with pytest.raises(PactFileError, match=str(bad)):
            await broker.publish_pacts([GRILL_CHEF_PACT, bad], consumer_version="1")
        (tmp_path / "empty").mkdir()
        with pytest.raises(PactFileError, match="no pact files"):
            await broker.publish_pacts([tmp_path / "empty"], consumer_version="1")
        with pytest.raises(PactFileError, match="cannot read the file"):
            await broker.publish_pacts([tmp_path / "missing.json"], consumer_version="1")
        with pytest.raises(ValueError, match="consumer_version"):
            await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="")
    assert seen == []


async def test_pending_and_wip_pacts_are_verified_without_failing_the_run() -> None:
    store = SqliteStore()
    async with client_of(create_app(store)) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1", branch="main")
        rare = pactfile.loads(json.dumps(sous_chef_pact(rare=True)))
        await broker.publish_pacts([rare], consumer_version="2", branch="feat/rare")

        first = await broker.pacts_for_verification(
            "Grill Chef",
            selectors=[{"mainBranch": True}],
            provider_branch="main",
            include_pending=True,
            include_wip_since="2020-01-01",
        )
        assert [(p.pact.consumer, p.pending, p.wip) for p in first.pacts] == [
            ("Sous Chef", True, False),
            ("Sous Chef", True, True),
        ]
        assert all(source.pending for source in first.sources)
        result = await Verifier("Grill Chef", app=grill(10), ignore_missing_states=True).verify(*first.sources)
        assert result.ok  # the rare steak fails, in a WIP pact
        assert [i.status for i in result.pacts[1].interactions] == ["passed", "passed", "pending"]
        sent = await broker.publish_verification_results(result, provider_version="1", branch="main")
        assert [p.success for p in sent.published] == [True, False]

        second = await broker.pacts_for_verification(
            "Grill Chef", selectors=[{"mainBranch": True}], provider_branch="main", include_pending=True
        )
        assert [(p.pending, p.wip) for p in second.pacts] == [(False, False)]
        broken = await Verifier("Grill Chef", app=grill("ten"), ignore_missing_states=True).verify(*second.sources)
        assert not broken.ok  # no longer pending: its failure counts
    with store.transaction() as tx:
        provider = tx.pacticipant("Grill Chef")
        assert provider is not None
        assert [(v.success, v.wip) for v in tx.verifications(provider_id=provider.id)] == [(True, False), (False, True)]
    store.close()


async def test_an_unknown_provider_has_nothing_to_verify() -> None:
    async with client_of(create_app(SqliteStore())) as broker:
        found = await broker.pacts_for_verification("Nobody")
    assert found.pacts == ()
    assert found.notices == ("The broker knows no pacticipant 'Nobody': no pact with this provider was published.",)


async def test_invalid_selectors_are_refused() -> None:
    async with client_of(create_app(SqliteStore())) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1")
        with pytest.raises(ValueError, match="non-empty mapping"):
            await broker.pacts_for_verification("Grill Chef", selectors=[{}])
        with pytest.raises(BrokerError) as caught:
            await broker.pacts_for_verification("Grill Chef", selectors=[{"mainBrnch": True}])
    assert caught.value.status == 400
    assert "mainBrnch" in str(caught.value)


async def test_results_are_published_only_for_broker_pacts_verified_completely() -> None:
    async with client_of(create_app(SqliteStore())) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1")
        fetched = await broker.pacts_for_verification("Grill Chef")
        verifier = grill_chef_verifier()
        local = await verifier.verify(GRILL_CHEF_PACT)
        filtered = await verifier.verify(*fetched.sources, description="medium-rare")
        nothing = await verifier.verify(*fetched.sources, description="nothing")
        sent = await broker.publish_verification_results(
            [*local.pacts, *filtered.pacts, *nothing.pacts], provider_version="1"
        )
    assert sent.published == ()
    assert [reason for _, reason in sent.left_out] == [
        "it did not come from a Pact Broker (no pb:publish-verification-results link)",
        "1 of its 2 interactions were not verified (skipped)",
        "none of its interactions was verified",
    ]
    assert sent.report().startswith(f"Not published for {GRILL_CHEF_PACT}: it did not come from a Pact Broker")


async def test_recording_needs_a_known_version_and_environment() -> None:
    async with client_of(create_app(SqliteStore())) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1")
        await broker.create_environment("test")
        await broker.create_environment("production", production=True)
        with pytest.raises(BrokerError) as unknown_version:
            await broker.record_deployment("Sous Chef", "9", "test")
        with pytest.raises(BrokerError) as unknown_environment:
            await broker.record_release("Sous Chef", "1", "staging")
        with pytest.raises(BrokerError) as duplicate:
            await broker.create_environment("test")
        assert sorted(e.name for e in await broker.environments()) == ["production", "test"]
        released = await broker.record_release("Sous Chef", "1", "production")
    assert unknown_version.value.status == 404
    assert str(unknown_version.value).startswith(
        "could not record the deployment of Sous Chef version 9 to test: GET "
        "http://broker/pacticipants/Sous%20Chef/versions/9 answered 404 Not Found: the broker knows no version 9 "
        "of Sous Chef (a version exists once a pact or a verification result was published for it)"
    )
    assert str(unknown_environment.value) == (
        "could not record the release of Sous Chef version 1 to staging: the broker has no environment called "
        "'staging' (environments: production, test; create it with apact create-environment)"
    )
    assert duplicate.value.status == 409
    assert "Another environment with name 'test' already exists" in str(duplicate.value)
    assert str(released) == "Recorded the release of Sous Chef version 1 to production."
    assert released.url and "/released-versions/" in released.url


# -- credentials -------------------------------------------------------------------------------------------


async def test_token_basic_auth_and_a_read_only_token() -> None:
    app = create_app(
        SqliteStore(), token="s3cret-token", read_only_token="peek-token", username="chef", password="grill-pass"
    )
    async with client_of(app, token="s3cret-token") as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1")
    async with client_of(app, username="chef", password="grill-pass") as broker:
        assert (await broker.pacts_for_verification("Grill Chef")).pacts
    async with client_of(app, token="peek-token") as broker:
        assert (await broker.pacts_for_verification("Grill Chef")).pacts
        with pytest.raises(BrokerError) as read_only:
            await broker.create_environment("test")
    async with client_of(app) as broker:
        with pytest.raises(BrokerError) as anonymous:
            await broker.create_environment("test")
    async with client_of(app, token="wrong-token") as broker:
        with pytest.raises(BrokerError) as wrong:
            await broker.create_environment("test")
    assert read_only.value.status == 403
    assert "(the credentials are valid but not allowed to do this (a read-only token?))" in str(read_only.value)
    assert anonymous.value.status == 401
    assert "the broker wants credentials: give a token (--broker-token, PACT_BROKER_TOKEN)" in str(anonymous.value)
    assert wrong.value.status == 401
    assert "the broker refused the a bearer token given" not in str(wrong.value)
    assert "the broker refused the bearer token given: check it" in str(wrong.value)
    for error in (read_only.value, anonymous.value, wrong.value):
        for secret in ("s3cret-token", "peek-token", "wrong-token", "grill-pass"):
            assert secret not in str(error)


async def test_the_environment_variables_and_a_url_with_credentials() -> None:
    app = create_app(SqliteStore(), token="env-token", username="chef", password="url-pass")
    env = {"PACT_BROKER_BASE_URL": "http://broker/", "PACT_BROKER_TOKEN": "env-token"}
    async with BrokerClient(transport=httpx.ASGITransport(app=app), env=env) as broker:
        assert broker.base_url == "http://broker"
        await broker.create_environment("test")
        assert repr(broker) == "BrokerClient('http://broker', with a bearer token)"
    env = {"PACT_BROKER_BASE_URL": "http://broker", "PACT_BROKER_USERNAME": "chef", "PACT_BROKER_PASSWORD": "url-pass"}
    async with BrokerClient(transport=httpx.ASGITransport(app=app), env=env) as broker:
        assert len(await broker.environments()) == 1
    async with BrokerClient("http://chef:url-pass@broker", transport=httpx.ASGITransport(app=app), env={}) as broker:
        assert broker.base_url == "http://broker"
        assert repr(broker) == "BrokerClient('http://broker', with basic auth)"
        assert len(await broker.environments()) == 1
    with pytest.raises(ValueError, match="PACT_BROKER_BASE_URL"):
        BrokerClient(env={})
    with pytest.raises(ValueError, match="must start with http"):
        BrokerClient("chef:url-pass@broker:9292", env={})
    try:
        BrokerClient("ftp://chef:url-pass@broker", env={})
    except ValueError as error:
        assert "url-pass" not in str(error)


async def test_credentials_go_to_the_broker_only() -> None:
    """A pact whose publish link points at another host gets no Authorization header."""
    seen: dict[str, str | None] = {}
    pact = json.loads(GRILL_CHEF_PACT.read_text())
    pact["_links"] = {"pb:publish-verification-results": {"href": "https://elsewhere.example/results"}}

    def handle(request: httpx.Request) -> httpx.Response:
        seen[str(request.url)] = request.headers.get("Authorization")
        if request.url.path == "/":
            return httpx.Response(
                200, json={"_links": {"pb:pacticipant-branch-version": {"href": "/b/{branch}/{version}/{pacticipant}"}}}
            )
        return httpx.Response(201, json={})

    async with client_of(httpx.MockTransport(handle), token="t0ken-value") as broker:
        result = await grill_chef_verifier().verify(pactfile.loads(json.dumps(pact)))
        await broker.publish_verification_results(result, provider_version="1", branch="main")
    assert seen == {
        "http://broker": "Bearer t0ken-value",
        "http://broker/b/main/1/Grill%20Chef": "Bearer t0ken-value",
        "https://elsewhere.example/results": None,
    }


async def test_one_pact_one_tag_one_selector_need_no_list() -> None:
    store = SqliteStore()
    async with client_of(create_app(store)) as broker:
        published = await broker.publish_pacts(str(GRILL_CHEF_PACT), consumer_version="1", tags="dev")
        assert [str(n) for n in published.notices][0] == "Created Sous Chef version 1 with tags dev."
        pacts = await broker.pacts_for_verification("Grill Chef", selectors={"tag": "dev"}, provider_tags="ci")
        result = await grill_chef_verifier().verify(*pacts.sources)
        await broker.publish_verification_results(result, provider_version="9", tags="prod")
    with store.transaction() as tx:
        grill = tx.pacticipant("Grill Chef")
        assert grill is not None
        assert [v.tags for v in tx.versions(grill.id)] == [("prod",)]
    store.close()
