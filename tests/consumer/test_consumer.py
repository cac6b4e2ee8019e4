"""``async with Pact(...)``: the builder, bodies, the pact file, failures, real HTTP."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest

from apact import Binary, ConsumerMismatchError, File, Form, Multipart, Pact, Text, Xml, generate, match, pactfile
from apact.errors import PactWriteError

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100"
    "05fe02fe0000000049454e44ae426082"
)


def steak(pact: Pact, cooking: str = "medium-rare") -> None:
    (
        pact.given("steaks are available")
        .upon_receiving(f"a request for a {cooking} steak")
        .with_request("POST", "/steaks/", body={"cooking": cooking})
        .will_respond_with(201, body={"waitingTime": match.integer(10)})
    )


def read(path: Path) -> Any:
    return json.loads(path.read_text())


# -- the documented examples run --------------------------------------------------------------


def _readme_consumer_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("<!-- consumer:start -->") : text.index("<!-- consumer:end -->")]
    return re.findall(r"^```python\n(.*?)^```", section, re.S | re.M)


async def test_the_readme_quickstart_runs_as_written_and_writes_the_pact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    blocks = _readme_consumer_blocks()
    assert 'async with Pact("Sous Chef", "Grill Chef", pact_dir="pacts") as pact:' in blocks[-1]
    for block in blocks:
        exec(compile(block, "README.md (consumer)", "exec"), namespace)
    await namespace["test_order_a_steak"]()  # type: ignore[operator]
    written = pactfile.load(tmp_path / "pacts" / "Sous Chef-Grill Chef.json")
    assert [i.description for i in written.interactions] == ["a request for a steak"]


async def test_the_readmes_failure_report_is_what_apact_prints() -> None:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("<!-- consumer:start -->") : text.index("<!-- consumer:end -->")]
    shown = re.search(r"^```\n(pact between .*?)^```", section, re.S | re.M)
    assert shown is not None
    with pytest.raises(ConsumerMismatchError) as raised:
        async with Pact("Sous Chef", "Grill Chef", pact_dir=None) as pact:
            (
                pact.given("steaks are available")
                .upon_receiving("a request for a steak")
                .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
                .will_respond_with(201, body={"waitingTime": match.integer(10)})
            )
            await pact.client.post("/steaks/", json={"cooking": "well-done"})
    assert str(raised.value) + "\n" == shown.group(1)


def test_the_grill_chef_example_writes_the_seed_pact(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            str(ROOT / "examples" / "grill_chef" / "test_sous_chef.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = read(tmp_path / "pacts" / "Sous Chef-Grill Chef.json")
    seed = read(ROOT / "apact" / "examples" / "sous-chef-grill-chef.json")
    assert written["interactions"] == seed["interactions"]
    well_done = written["interactions"][1]
    assert (well_done["response"]["status"], well_done["response"]["body"]["content"]) == (
        422,
        {"reason": "we do not serve well-done steaks"},
    )


# -- the pact file ------------------------------------------------------------------------------


async def test_a_passing_block_writes_a_v4_pact_naming_apact(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path) as pact:
        steak(pact)
        steak(pact, "rare")
        assert (await pact.client.post("/steaks/", json={"cooking": "rare"})).json() == {"waitingTime": 10}
        assert (await pact.client.post("/steaks/", json={"cooking": "medium-rare"})).status_code == 201
        assert not (tmp_path / "Sous Chef-Grill Chef.json").exists()  # only when the block ends
    document = read(tmp_path / "Sous Chef-Grill Chef.json")
    assert document["metadata"] == {"apact": {"version": "0.1.0"}, "pactSpecification": {"version": "4.0"}}
    assert [i["description"] for i in document["interactions"]] == [
        "a request for a medium-rare steak",
        "a request for a rare steak",
    ]
    first = document["interactions"][0]
    assert first["request"]["headers"] == {"Content-Type": ["application/json"]}
    assert first["response"]["matchingRules"] == {
        "body": {"$.waitingTime": {"matchers": [{"match": "integer"}], "combine": "AND"}}
    }
    assert pact.file == tmp_path / "Sous Chef-Grill Chef.json"


async def test_tests_merge_into_one_file_and_overwrite_replaces_it(tmp_path: Path) -> None:
    for cooking in ("rare", "medium", "rare"):
        async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path) as pact:
            steak(pact, cooking)
            await pact.client.post("/steaks/", json={"cooking": cooking})
    descriptions = [i["description"] for i in read(tmp_path / "Sous Chef-Grill Chef.json")["interactions"]]
    assert descriptions == ["a request for a medium steak", "a request for a rare steak"]
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, overwrite=True) as pact:
        steak(pact, "blue")
        await pact.client.post("/steaks/", json={"cooking": "blue"})
    assert [i["description"] for i in read(tmp_path / "Sous Chef-Grill Chef.json")["interactions"]] == [
        "a request for a blue steak"
    ]


async def test_a_v3_pact_cannot_be_merged_into_a_v4_file(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path) as pact:
        steak(pact)
        await pact.client.post("/steaks/", json={"cooking": "medium-rare"})
    with pytest.raises(PactWriteError, match="the file holds a V4 pact and this Pact writes V3"):
        async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V3") as pact:
            steak(pact)
            await pact.client.post("/steaks/", json={"cooking": "medium-rare"})
    assert read(tmp_path / "Sous Chef-Grill Chef.json")["metadata"]["pactSpecification"] == {"version": "4.0"}


async def test_v3_and_v2_pacts_are_written_in_their_own_format(tmp_path: Path) -> None:
    for spec in ("V3", "V2"):
        async with Pact("c", spec, pact_dir=tmp_path, spec=spec) as pact:
            (
                pact.given("a state")
                .upon_receiving("a search")
                .with_request(
                    "GET", "/items", query={"q": "a b", "page": match.integer(2)}, headers={"Accept": ["a/b", "c/d"]}
                )
                .will_respond_with(200, body={"items": match.each_like({"id": match.integer(1)})})
            )
            response = await pact.client.get("/items", params={"q": "a b", "page": "7"}, headers={"Accept": "a/b, c/d"})
            assert response.json() == {"items": [{"id": 1}]}
        document = read(tmp_path / f"c-{spec}.json")
        interaction = document["interactions"][0]
        if spec == "V3":
            assert interaction["providerStates"] == [{"name": "a state"}]
            assert interaction["request"]["query"] == {"q": ["a b"], "page": ["2"]}
            assert interaction["request"]["matchingRules"] == {
                "query": {"page": {"matchers": [{"match": "integer"}], "combine": "AND"}}
            }
            assert interaction["response"]["body"] == {"items": [{"id": 1}]}
        else:
            assert interaction["providerState"] == "a state"
            assert interaction["request"]["query"] == "q=a+b&page=2"
            assert interaction["request"]["headers"] == {"Accept": "a/b, c/d"}
            assert interaction["request"]["matchingRules"] == {"$.query.page": {"match": "type"}}
            assert interaction["response"]["matchingRules"] == {
                "$.body.items": {"match": "type", "min": 1},
                "$.body.items[*].id": {"match": "type"},
            }
        assert pactfile.load(tmp_path / f"c-{spec}.json").spec.label == spec


async def test_v4_key_comments_and_pending(tmp_path: Path) -> None:
    async with Pact("c", "p", pact_dir=tmp_path) as pact:
        (
            pact.upon_receiving("settings")
            .with_request("GET", "/settings")
            .will_respond_with(200)
            .key("get-settings")
            .comment("first", "second", testname="test_settings")
            .pending()
        )
        await pact.client.get("/settings")
    interaction = read(tmp_path / "c-p.json")["interactions"][0]
    assert interaction["key"] == "get-settings"
    assert interaction["pending"] is True
    assert interaction["comments"] == {"text": ["first", "second"], "testname": "test_settings"}
    with pytest.raises(ValueError, match=r"an interaction key needs spec V4 \(this pact is V3\)"):
        Pact("c", "p", spec="V3", pact_dir=None).upon_receiving("x").key("k")


async def test_no_pact_dir_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    async with Pact("c", "p", pact_dir=None) as pact:
        steak(pact)
        await pact.client.post("/steaks/", json={"cooking": "medium-rare"})
    assert list(tmp_path.iterdir()) == []
    assert pact.file is None


# -- failures -----------------------------------------------------------------------------------


async def test_a_missing_request_fails_the_block_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(ConsumerMismatchError) as raised:
        async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path) as pact:
            steak(pact)
            pact.upon_receiving("the menu").with_request("GET", "/menu", query={"lang": "en"}).will_respond_with(200)
            await pact.client.post("/steaks/", json={"cooking": "medium-rare"})
    assert isinstance(raised.value, AssertionError)
    assert str(raised.value) == (
        "pact between Sous Chef and Grill Chef: 1 problem, no pact file written\n\n"
        '1. missing request: "the menu" expected GET /menu?lang=en, but no such request was made'
    )
    assert list(tmp_path.iterdir()) == []


async def test_every_unexpected_request_is_reported_with_its_mismatches(tmp_path: Path) -> None:
    with pytest.raises(ConsumerMismatchError) as raised:
        async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path) as pact:
            (
                pact.upon_receiving("an order")
                .with_request(
                    "POST",
                    "/orders",
                    headers={"X-Table": match.integer(3)},
                    body={"items": match.each_like({"sku": "A1"})},
                )
                .will_respond_with(201)
            )
            await pact.client.post("/orders", headers={"X-Table": "3"}, json={"items": [{"sku": "A1"}]})
            await pact.client.post("/orders", headers={"X-Table": "three"}, json={"items": []})
            await pact.client.delete("/orders")
    problems = raised.value.problems
    assert len(problems) == 2
    assert str(raised.value).splitlines()[2:] == [
        "1. unexpected request: POST /orders",
        '     closest interaction: "an order"',
        '       $.headers[\'X-Table\']: expected an integer (like "3"), got "three" (string)',
        "       $.body.items: expected at least 1 item, got 0",
        "       --- expected body (example)",
        "       +++ actual body",
        "       @@ -1,7 +1,3 @@",
        "        {",
        '       -  "items": [',
        "       -    {",
        '       -      "sku": "A1"',
        "       -    }",
        "       -  ]",
        '       +  "items": []',
        "        }",
        "",
        "2. unexpected request: DELETE /orders",
        '     closest interaction: "an order"',
        "       $.method: expected method POST, got DELETE",
        "       $.headers['X-Table']: expected header X-Table: \"3\", but it is missing",
        "       $.headers['Content-Type']: expected header Content-Type: \"application/json\", but it is missing",
        "       $.body: expected a body (application/json), but it is missing or empty",
    ]


async def test_a_request_body_with_nan_is_not_json(tmp_path: Path) -> None:
    # Python's json reads NaN as a number; the mock, like the official core's, does not
    with pytest.raises(ConsumerMismatchError) as raised:
        async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path) as pact:
            pact.upon_receiving("a weighed order").with_request(
                "POST", "/orders", body={"grams": match.number(1.5)}
            ).will_respond_with(201)
            headers = {"Content-Type": "application/json"}
            assert (await pact.client.post("/orders", content=b'{"grams": 2.5}', headers=headers)).status_code == 201
            assert (await pact.client.post("/orders", content=b'{"grams": NaN}', headers=headers)).status_code == 500
    assert "$.body: expected a JSON body, got text that is not JSON (NaN is not JSON" in str(raised.value)


async def test_an_exception_in_the_block_propagates_with_the_problems_attached(tmp_path: Path) -> None:
    with pytest.raises(httpx.HTTPStatusError) as raised:
        async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path) as pact:
            steak(pact)
            response = await pact.client.post("/steaks/", json={"cooking": "raw"})
            response.raise_for_status()
    notes = getattr(raised.value, "__notes__", [])
    assert notes[0].startswith("apact: pact between Sous Chef and Grill Chef: 2 problems, no pact file written")
    assert '$.body.cooking: expected "medium-rare", got "raw"' in notes[0]
    assert list(tmp_path.iterdir()) == []


def test_the_problems_attached_to_an_uncaught_exception_are_printed_under_its_traceback(tmp_path: Path) -> None:
    # outside pytest, as a user's script: Python 3.10 has no add_note and prints no notes
    # itself, so this holds only because apact's notes are where 3.11+ and exceptiongroup
    # (which anyio brings on 3.10) print them
    script = tmp_path / "order.py"
    script.write_text(
        "import anyio\n"
        "from apact import Pact\n"
        "async def main():\n"
        "    async with Pact('Sous Chef', 'Grill Chef', pact_dir=None) as pact:\n"
        "        pact.upon_receiving('the menu').with_request('GET', '/menu').will_respond_with(200)\n"
        "        raise KeyError('boom')\n"
        "anyio.run(main)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-4:] == [
        "KeyError: 'boom'",
        "apact: pact between Sous Chef and Grill Chef: 1 problem, no pact file written",
        "",
        '1. missing request: "the menu" expected GET /menu, but no such request was made',
    ]


async def test_an_exception_without_problems_propagates_unchanged(tmp_path: Path) -> None:
    with pytest.raises(KeyError) as raised:
        async with Pact("c", "p", pact_dir=tmp_path):
            raise KeyError("boom")
    assert not hasattr(raised.value, "__notes__")
    assert list(tmp_path.iterdir()) == []


async def test_an_unfinished_interaction_is_a_problem() -> None:
    with pytest.raises(
        ConsumerMismatchError,
        match=r"1\. incomplete interaction: 'the menu' has no response \(call \.will_respond_with\(\.\.\.\)\)",
    ):
        async with Pact("c", "p", pact_dir=None) as pact:
            pact.upon_receiving("the menu").with_request("GET", "/menu")
    with pytest.raises(
        ConsumerMismatchError, match=r"incomplete interaction: an interaction without a description has no description"
    ):
        async with Pact("c", "p", pact_dir=None) as pact:
            pact.given("a state")


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: p.upon_receiving("a").upon_receiving("b"), ValueError, "this interaction is already called 'a'"),
        (lambda p: p.upon_receiving(""), ValueError, "an interaction description is a non-empty string"),
        (lambda p: p.given(""), ValueError, "a provider state is a non-empty string"),
        (
            lambda p: p.upon_receiving("a").with_request("GET", "/").will_respond_with(99),
            ValueError,
            "a response status is an integer from 100 to 599",
        ),
        (
            lambda p: p.upon_receiving("a").with_request("GET", "/", body={"when": object()}),
            TypeError,
            r"\$\.request\.body\.when: object is not JSON",
        ),
        (
            lambda p: p.upon_receiving("a").with_request("GET", "/", headers={"X": [1, [2]]}),
            TypeError,
            r"\$\.request\.headers\.X: expected text",
        ),
    ],
)
def test_builder_mistakes_fail_at_the_line_that_makes_them(make: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make(Pact("c", "p", pact_dir=None))  # type: ignore[operator]


def test_two_interactions_with_the_same_description_and_states_are_refused() -> None:
    pact = Pact("c", "p", pact_dir=None)
    pact.given("s").upon_receiving("a").with_request("GET", "/1").will_respond_with(200)
    pact.given("t").upon_receiving("a").with_request("GET", "/2").will_respond_with(200)  # other state: fine
    with pytest.raises(ValueError, match=r'two interactions are "a" \(given s\): give them different descriptions'):
        pact.given("s").upon_receiving("a").with_request("GET", "/3").will_respond_with(200)


def test_v2_refuses_what_it_cannot_say_at_the_builder_line() -> None:
    pact = Pact("c", "p", pact_dir=None, spec="V2")
    with pytest.raises(PactWriteError, match=r"\$\.response\.body\.flags: match\.each_value needs spec V3"):
        pact.upon_receiving("a").with_request("GET", "/").will_respond_with(
            200, body={"flags": match.each_value({"a": True}, match.boolean())}
        )
    with pytest.raises(PactWriteError, match="several provider states need spec V3 or later"):
        pact.given("x").given("y").upon_receiving("b").with_request("GET", "/").will_respond_with(200)
    with pytest.raises(ValueError, match="spec must be 'V2', 'V3' or 'V4', got 'V5'"):
        Pact("c", "p", spec="V5")  # type: ignore[arg-type]


async def test_the_client_and_serving_exist_only_inside_the_block() -> None:
    pact = Pact("c", "p", pact_dir=None)
    with pytest.raises(
        RuntimeError, match=r"pact\.client is only available inside `async with Pact\(\.\.\.\) as pact:`"
    ):
        pact.client  # noqa: B018
    with pytest.raises(
        RuntimeError, match=r"the mock provider is not served over HTTP: use Pact\(\.\.\., serve_http=True\)"
    ):
        pact.url  # noqa: B018
    async with pact:
        with pytest.raises(RuntimeError, match="already in use"):
            await pact.__aenter__()
        assert isinstance(pact.client, httpx.AsyncClient)
        assert pact.client is pact.client
        with pytest.raises(RuntimeError, match="not served over HTTP"):
            pact.url  # noqa: B018


# -- matchers and bodies through the mock ----------------------------------------------------------


async def test_matchers_in_path_query_headers_and_status(tmp_path: Path) -> None:
    async with Pact("c", "p", pact_dir=tmp_path) as pact:
        (
            pact.upon_receiving("an item")
            .with_request(
                "GET",
                match.regex(r"/items/\d+", "/items/1"),
                query={"expand": match.regex("owner|tags", "owner"), "tag": ["a", "b"]},
                headers={"Authorization": match.regex(r"Bearer \w+", "Bearer abc")},
            )
            .will_respond_with(
                match.status_code("success", 202),
                headers={"X-Request-Id": match.uuid(), "X-Count": match.integer(3)},
                body={"id": generate.uuid(), "at": match.datetime()},
            )
        )
        response = await pact.client.get(
            "/items/77",
            params=[("expand", "tags"), ("tag", "a"), ("tag", "b")],
            headers={"Authorization": "Bearer xyz"},
        )
    assert response.status_code == 202
    assert response.headers["x-count"] == "3"
    assert re.fullmatch("[0-9a-f-]{36}", response.headers["x-request-id"])
    assert response.json()["id"] != "e2490de5-5bd3-43d5-b7c4-526e33f71304"  # generated, not the example
    interaction = read(tmp_path / "c-p.json")["interactions"][0]
    assert interaction["request"]["path"] == "/items/1"
    assert interaction["request"]["query"] == {"expand": ["owner"], "tag": ["a", "b"]}
    assert interaction["response"]["matchingRules"]["status"] == {
        "$": {"matchers": [{"match": "statusCode", "status": "success"}], "combine": "AND"}
    }
    assert set(interaction["response"]["generators"]["header"]) == {"X-Request-Id"}  # X-Count has an example


async def test_text_xml_form_multipart_and_binary_bodies(tmp_path: Path) -> None:
    async with Pact("c", "p", pact_dir=tmp_path) as pact:
        pact.upon_receiving("a greeting").with_request("GET", "/greeting").will_respond_with(
            200, body=Text(match.regex(r"Hello, \w+!", "Hello, Alice!"))
        )
        pact.upon_receiving("a note").with_request("PUT", "/note", body="plain text").will_respond_with(204)
        pact.upon_receiving("an xml order").with_request(
            "PUT",
            "/orders",
            body=Xml("<order id='1'><item>steak</item></order>", rules={"$.order['@id']": match.integer(1)}),
        ).will_respond_with(202)
        pact.upon_receiving("a login").with_request(
            "POST", "/login", body=Form({"user": "alice", "age": match.integer(30), "topic": ["a", "b"]})
        ).will_respond_with(303, headers={"Location": "/home"})
        pact.upon_receiving("an upload").with_request(
            "POST",
            "/photos",
            body=Multipart({"photo": File(PNG, "image/png", "steak.png"), "caption": match.like("rare")}),
        ).will_respond_with(201)
        pact.upon_receiving("a blob").with_request("PUT", "/blob", body=b"\x00\x01\xff").will_respond_with(
            200, body=match.content_type("image/png", PNG)
        )
        pact.upon_receiving("an exact blob").with_request(
            "PUT", "/exact", body=Binary(b"\x00\x02", "application/x-thing")
        ).will_respond_with(204)
        client = pact.client
        greeting = await client.get("/greeting")
        assert (greeting.text, greeting.headers["content-type"]) == ("Hello, Alice!", "text/plain")
        assert (
            await client.put("/note", content="plain text", headers={"Content-Type": "text/plain"})
        ).status_code == 204
        xml = "<order id='99'><item>steak</item></order>"
        assert (
            await client.put("/orders", content=xml, headers={"Content-Type": "application/xml"})
        ).status_code == 202
        login = await client.post("/login", data={"user": "alice", "age": "41", "topic": ["a", "b"]})
        assert login.status_code == 303, login.text
        other_png = PNG[:-4] + b"\x00\x00\x00\x00"  # other bytes, still a PNG
        upload = await client.post(
            "/photos", files={"photo": ("x.png", other_png, "image/png")}, data={"caption": "blue"}
        )
        assert upload.status_code == 201, upload.text
        blob = await client.put("/blob", content=b"\x00\x01\xff", headers={"Content-Type": "application/octet-stream"})
        assert (blob.content, blob.headers["content-type"]) == (PNG, "image/png")
        assert (
            await client.put("/exact", content=b"\x00\x02", headers={"Content-Type": "application/x-thing"})
        ).status_code == 204
    written = {i.description: i for i in pactfile.load(tmp_path / "c-p.json").interactions}
    upload_rules = written["an upload"].request.matching_rules  # type: ignore[union-attr]
    assert upload_rules["header"]["Content-Type"].matchers[0].get("regex") == r"^multipart/form-data;\s*boundary=.+$"
    assert upload_rules["body"]["$.photo"].matchers[0].to_json() == {"match": "contentType", "value": "image/png"}
    assert written["a login"].request.body.content == b"user=alice&age=30&topic=a&topic=b"  # type: ignore[union-attr]
    assert written["a blob"].response.body.content == PNG  # type: ignore[union-attr]


async def test_a_wrong_body_type_is_reported() -> None:
    with pytest.raises(
        ConsumerMismatchError,
        match=r"\$\.body: expected a body of type application/x-www-form-urlencoded, got application/json",
    ):
        async with Pact("c", "p", pact_dir=None) as pact:
            pact.upon_receiving("a login").with_request(
                "POST", "/login", body=Form({"user": "alice"})
            ).will_respond_with(200)
            await pact.client.post("/login", json={"user": "alice"})


async def test_a_given_content_type_header_wins() -> None:
    async with Pact("c", "p", pact_dir=None) as pact:
        pact.upon_receiving("hal").with_request("GET", "/").will_respond_with(
            200, headers={"Content-Type": "application/hal+json"}, body={"_links": {}}
        )
        response = await pact.client.get("/")
    assert response.headers["content-type"] == "application/hal+json"
    assert response.json() == {"_links": {}}


# -- real HTTP -------------------------------------------------------------------------------------


async def test_serve_http_gives_a_real_url_for_clients_in_threads_and_processes(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, serve_http=True) as pact:
        steak(pact)
        steak(pact, "rare")
        url = pact.url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)

        def order_in_a_thread() -> dict[str, object]:
            request = urllib.request.Request(
                url + "/steaks/", data=b'{"cooking": "rare"}', headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request) as response:
                return json.loads(response.read())  # type: ignore[no-any-return]

        assert await anyio.to_thread.run_sync(order_in_a_thread) == {"waitingTime": 10}
        script = (
            "import json, sys, urllib.request\n"
            "request = urllib.request.Request(sys.argv[1] + '/steaks/', data=b'{\"cooking\": \"medium-rare\"}',"
            " headers={'Content-Type': 'application/json'})\n"
            "print(urllib.request.urlopen(request).status)\n"
        )
        result = await anyio.run_process([sys.executable, "-c", script, url])
        assert result.stdout.decode().strip() == "201"
    assert len(read(tmp_path / "Sous Chef-Grill Chef.json")["interactions"]) == 2


async def test_serve_on_demand_and_cors_preflight_over_http() -> None:
    async with Pact("c", "p", pact_dir=None, cors=True) as pact:
        pact.upon_receiving("a put").with_request("PUT", "/x", body={"a": 1}).will_respond_with(204)
        url = await pact.serve()
        assert await pact.serve() == url == pact.url
        async with httpx.AsyncClient() as client:
            preflight = await client.options(
                url + "/x",
                headers={
                    "Origin": "http://app.test",
                    "Access-Control-Request-Method": "PUT",
                    "Access-Control-Request-Headers": "content-type",
                },
            )
            assert preflight.status_code == 204
            assert preflight.headers["access-control-allow-origin"] == "http://app.test"
            put = await client.put(url + "/x", json={"a": 1}, headers={"Origin": "http://app.test"})
            assert put.status_code == 204 and put.headers["access-control-allow-origin"] == "http://app.test"


@pytest.mark.parametrize("part", ["request", "response"])
@pytest.mark.parametrize(
    ("body", "content_type", "said"),
    [
        (
            "well done",
            "application/xml",
            "the body is not well-formed XML although its content type is application/xml",
        ),
        (b"{well done", "application/json", "the body is not valid JSON although its content type is application/json"),
    ],
)
async def test_a_body_that_is_not_what_its_content_type_says_is_refused_where_it_is_written(
    part: str, body: object, content_type: str, said: str
) -> None:
    """No mock, stub or verifier can match it (the official core cannot either): the
    consumer test would pass on a pact that no provider can meet."""
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None) as pact:
        builder = pact.upon_receiving("a steak in XML")
        headers = {"Content-Type": content_type}
        with pytest.raises(
            ValueError, match=r"^the (request|response) of 'a steak in XML': \$\.(request|response)\.body: "
        ) as caught:
            if part == "request":
                builder.with_request("POST", "/steaks", headers=headers, body=body)
            else:
                builder.with_request("GET", "/steaks").will_respond_with(200, headers=headers, body=body)
        assert said in str(caught.value)
        assert str(caught.value).startswith(f"the {part} of 'a steak in XML': $.{part}.body: ")
        builder.with_request("GET", "/steaks").will_respond_with(200)
        assert (await pact.client.get("/steaks")).status_code == 200


@pytest.mark.parametrize(
    "body", ["rare \ud800", Text("rare \ud800"), Form({"cooking": "rare \ud800"}), Xml("<steak>\ud800</steak>")]
)
async def test_a_text_body_holding_a_lone_surrogate_is_refused_where_it_is_written(body: object) -> None:
    """No UTF-8 text holds one (a JSON body keeps it as its escape, ``\\ud800``)."""
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None) as pact:
        builder = pact.upon_receiving("a steak")
        with pytest.raises(ValueError, match=r"^\$\.request\.body: the text holds a lone surrogate \(\\ud800\)"):
            builder.with_request("POST", "/steaks", body=body)
        builder.with_request("POST", "/steaks", body={"cooking": "rare \ud800"}).will_respond_with(201)
        sent = await pact.client.post(
            "/steaks", content=b'{"cooking": "rare \\ud800"}', headers={"Content-Type": "application/json"}
        )
        assert sent.status_code == 201


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # each was Python's own error, or a RecursionError, with no place named
        (
            {"steak": _nested(200)},
            r"^\$\.request\.body\.steak\[0\]\[0\].*: JSON nested more than 127 levels deep: apact writes",
        ),
        ({"steak": _nested(5000)}, r"^\$\.request\.body\.steak\[0\].*: JSON nested more than 127 levels deep"),
        (
            {"steak": {"weight": 10**5000}},
            r"^\$\.request\.body\.steak\.weight: an integer of more than 4,300 digits",
        ),
        (match.like({"weight": 10**5000}), r"^\$\.request\.body\.weight: an integer of more than 4,300 digits"),
    ],
)
async def test_a_json_body_no_reader_takes_is_refused_where_it_is_written(body: object, said: str) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None) as pact:
        builder = pact.upon_receiving("a steak")
        with pytest.raises(ValueError, match=said):
            builder.with_request("POST", "/steaks", body=body)
        with pytest.raises(ValueError, match=said.replace("request", "response")):
            builder.with_request("GET", "/steaks").will_respond_with(200, body=body)
        builder.will_respond_with(200)
        assert (await pact.client.get("/steaks")).status_code == 200


async def test_a_pact_block_leaves_none_of_apacts_objects_for_the_collector() -> None:
    """A suite runs thousands of blocks: each left its Pact, builders, interactions and
    mock in a reference cycle (the Pact <-> its builders' recorder), for the cyclic
    collector to find and walk; they are freed with the Pact now."""

    async def one_test() -> None:
        async with Pact("Sous Chef", "Grill Chef", pact_dir=None) as pact:
            (
                pact.upon_receiving("a steak")
                .given("steaks are available", count=1)
                .with_request("POST", "/steaks/", body={"cooking": match.like("rare")})
                .will_respond_with(201, body={"waitingTime": match.integer(10)})
            )
            assert (await pact.client.post("/steaks/", json={"cooking": "medium"})).status_code == 201

    await one_test()  # (first-time imports and caches)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        await one_test()
        gc.collect()
        ours = [type(thing).__name__ for thing in gc.garbage if type(thing).__module__.startswith("apact")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert ours == []
