"""One rule for a directory of pacts, whoever reads it (pact/_local.py): its ``*.json``
files by name, and an empty directory holds no pacts. Verifying nothing fails unless
``allow_empty=True``; publishing nothing is refused, but an empty directory beside a pact
file is not an error."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from apact import BrokerClient, MismatchError, Verifier, openapi
from apact.broker_server import SqliteStore, create_app
from apact.errors import PactFileError
from apact.examples import GRILL_CHEF_PACT
from apact.examples.grill_chef import COMPONENTS, Kitchen, make_app
from apact.pact._local import load_pact_files, pact_files

pytestmark = pytest.mark.anyio


def test_a_directory_is_its_json_files_by_name_and_an_empty_one_holds_none(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(b"{}")
    (tmp_path / "a.json").write_bytes(b"[]")
    (tmp_path / "notes.txt").write_bytes(b"not a pact")
    (tmp_path / "sub.json").mkdir()
    assert pact_files(str(tmp_path)) == [str(tmp_path / "a.json"), str(tmp_path / "b.json")]
    (tmp_path / "empty").mkdir()
    assert pact_files(str(tmp_path / "empty")) == []
    assert load_pact_files(str(tmp_path / "empty")) == ([], [])
    loaded, errors = load_pact_files(str(tmp_path / "missing.json"))
    assert loaded == [] and [str(error) for error in errors] == [
        f"{tmp_path / 'missing.json'}: cannot read the file: No such file or directory"
    ]


def test_every_bad_file_of_a_directory_is_named_not_only_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"[]")
    (tmp_path / "b.json").write_bytes(GRILL_CHEF_PACT.read_bytes())
    (tmp_path / "c.json").write_bytes(b"{")
    loaded, errors = load_pact_files(str(tmp_path))
    assert [local.name for local in loaded] == [str(tmp_path / "b.json")]
    assert loaded[0].content == GRILL_CHEF_PACT.read_bytes() and loaded[0].pact.provider == "Grill Chef"
    assert [error.file for error in errors] == [str(tmp_path / "a.json"), str(tmp_path / "c.json")]


async def test_verifying_an_empty_directory_verifies_nothing_which_fails_unless_allowed(tmp_path: Path) -> None:
    result = await Verifier("Grill Chef", app=make_app(Kitchen(steaks=3))).verify(tmp_path)
    assert result.pacts == ()
    with pytest.raises(MismatchError):
        result.assert_ok()
    result.assert_ok(allow_empty=True)


async def test_publishing_skips_an_empty_directory_but_refuses_to_publish_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    transport = httpx.ASGITransport(app=create_app(SqliteStore()))
    async with BrokerClient("http://broker", transport=transport, retry_delays=(), env={}) as broker:
        with pytest.raises(PactFileError, match="no pact files"):
            await broker.publish_pacts([tmp_path / "empty"], consumer_version="1")
        published = await broker.publish_pacts([tmp_path / "empty", GRILL_CHEF_PACT], consumer_version="1")
    assert [pact.provider for pact in published.pacts] == ["Grill Chef"]


def test_the_openapi_check_reads_directories_the_same_way(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Grill Chef", "version": "1"},
        "paths": {},
        "components": COMPONENTS,
    }
    (tmp_path / "empty").mkdir()
    assert openapi.check(tmp_path / "empty", document).pacts == ()
    (tmp_path / "pacts").mkdir()
    (tmp_path / "pacts" / "grill.json").write_bytes(GRILL_CHEF_PACT.read_bytes())
    assert [pact.source for pact in openapi.check(tmp_path / "pacts", document).pacts] == [
        str(tmp_path / "pacts" / "grill.json")
    ]
