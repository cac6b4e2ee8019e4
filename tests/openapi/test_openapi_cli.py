"""``apact openapi-check``, run as a real subprocess: its report, exit codes (0 fits,
1 does not or nothing checked, 2 cannot check), --spec as a file and as a URL on a
loopback server, --app (FastAPI, a factory, an ASGI app serving its document), the
JUnit and JSON reports, --provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from apact.examples import GRILL_CHEF_PACT

from ..loopback import serving_files
from .openapi_helpers import DOCUMENTS, EXAMPLES, RESTAURANT_PACTS, http, write_pact

KITCHEN = str(DOCUMENTS / "kitchen-3.0.yaml")
RESTAURANT_APP = "restaurant.grill_chef.service:app_from_environment()"


def apact(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apact", "openapi-check", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "GRILL_CHEF_DB": os.devnull},
        check=False,
    )


def orders(directory: Path, cut: object = "ribeye") -> Path:
    return write_pact(
        directory,
        http("the latest order", "/api/v1/orders/latest", body={"cut": cut}),
        http("an order event", "/x") | {"type": "Asynchronous/Messages", "contents": {"content": {"id": 1}}},
        consumer="Waiter",
        provider="Kitchen",
    )


def test_a_fitting_pact_exits_0_with_the_verifiers_report(tmp_path: Path) -> None:
    result = apact(str(orders(tmp_path)), "--spec", KITCHEN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"Verifying 'Kitchen' (OpenAPI 3.0.3 document {KITCHEN}): 1 pact, 2 interactions")
    assert "  passed   the latest order\n" in result.stdout
    assert "  skipped  an order event: a message: only HTTP interactions are checked" in result.stdout
    assert "2 interactions: 1 passed, 0 failed (0 pending, 1 skipped)" in result.stdout


def test_a_pact_that_does_not_fit_exits_1_and_says_where(tmp_path: Path) -> None:
    result = apact(str(orders(tmp_path, cut=3)), "--spec", KITCHEN)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "   $.response.body.cut: the pact expects `cut` as an integer; the OpenAPI document says `string` "
        "(common.yaml: components.schemas.Order.properties.cut)"
    ) in result.stdout
    assert result.stdout.rstrip().endswith("verification FAILED")


def test_the_spec_at_a_url_of_a_server_on_loopback(tmp_path: Path) -> None:
    with serving_files(DOCUMENTS) as url:
        result = apact(str(orders(tmp_path)), "--spec", f"{url}/kitchen-3.0.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"(OpenAPI 3.0.3 document {url}/kitchen-3.0.yaml)" in result.stdout


def test_the_document_of_an_app_a_factory_makes(tmp_path: Path) -> None:
    result = apact(str(RESTAURANT_PACTS), "--app", RESTAURANT_APP, "--app-dir", str(EXAMPLES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 interactions: 6 passed" in result.stdout
    assert "document app.openapi()" in result.stdout


def test_the_document_an_asgi_app_serves_fetched_in_process(tmp_path: Path) -> None:
    (tmp_path / "served.py").write_text(
        "import json\n"
        f"DOCUMENT = json.loads(open({str(DOCUMENTS / 'kitchen-3.1.json')!r}).read())\n"
        "DOCUMENT['paths'] = {'/menu/{day}': DOCUMENT['paths']['/menu/{day}']}\n"
        "async def app(scope, receive, send):\n"
        "    assert scope['type'] == 'http' and scope['path'] == '/docs/openapi.json'\n"
        "    await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-type', b'application/json')]})\n"
        "    await send({'type': 'http.response.body', 'body': json.dumps(DOCUMENT).encode()})\n"
    )
    pacts = write_pact(
        tmp_path / "pacts",
        http("the menu", "/menu/2026-12-01", headers={"Cookie": ["session=abcd"]}, body={"kind": "menu", "dishes": []}),
    )
    result = apact(str(pacts), "--app", "served:app", "--openapi-path", "/docs/openapi.json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(OpenAPI 3.1.0 document the app's /docs/openapi.json)" in result.stdout


def test_junit_and_json_reports(tmp_path: Path) -> None:
    junit, report = tmp_path / "reports" / "openapi.xml", tmp_path / "reports" / "openapi.json"
    result = apact(str(orders(tmp_path, cut=3)), "--spec", KITCHEN, "--junit", str(junit), "--json", str(report))
    assert result.returncode == 1
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "Waiter -> Kitchen"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None and (failure.get("message") or "").startswith(
        "$.response.body.cut: the pact expects `cut` as an integer"
    )
    data = json.loads(report.read_text())
    assert data["ok"] is False and data["summary"]["failed"] == 1
    mismatch = data["pacts"][0]["interactions"][0]["mismatches"][0]
    assert (
        mismatch["path"] == "$.response.body.cut"
        and mismatch["actual"] == "common.yaml: components.schemas.Order.properties.cut"
    )


def test_provider_leaves_other_pacts_out_and_nothing_checked_is_a_failure(tmp_path: Path) -> None:
    result = apact(str(GRILL_CHEF_PACT), str(orders(tmp_path)), "--spec", KITCHEN, "--provider", "Kitchen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{GRILL_CHEF_PACT}: left out: it is for the provider 'Grill Chef', not 'Kitchen'" in result.stdout
    only_messages = write_pact(
        tmp_path / "messages", http("an event", "/x") | {"type": "Asynchronous/Messages", "contents": {"content": {}}}
    )
    nothing = apact(str(only_messages), "--spec", KITCHEN)
    assert nothing.returncode == 1
    assert "Nothing was checked: no pact had an HTTP interaction (--allow-empty accepts that)." in nothing.stderr
    assert apact(str(only_messages), "--spec", KITCHEN, "--allow-empty").returncode == 0


def test_what_it_cannot_check_exits_2_with_a_message(tmp_path: Path) -> None:
    pact = str(orders(tmp_path))
    (tmp_path / "bad.json").write_text("{")
    cases = {
        (
            "--spec",
            str(tmp_path / "nope.yaml"),
            pact,
        ): f"apact openapi-check: error: {tmp_path / 'nope.yaml'}: cannot read the OpenAPI document",
        (
            pact,
        ): "apact openapi-check: error: give the OpenAPI document: --spec FILE|URL or --app MODULE:ATTR (one of them)",
        ("--spec", KITCHEN, str(tmp_path / "bad.json")): "apact openapi-check: error: cannot read a pact: ",
        ("--app", "no_such_module:app", pact): "apact openapi-check: error: cannot import 'no_such_module' for --app",
        ("--app", "json:loads", pact): "apact openapi-check: error: the app raised while serving /openapi.json",
    }
    for args, message in cases.items():
        result = apact(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith(message), (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_the_command_is_listed_with_its_help() -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "apact", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert "openapi-check" in listing.stdout and "check pacts against the provider's OpenAPI document" in listing.stdout
    result = apact("--help")
    assert (
        result.returncode == 0
        and "--spec FILE|URL" in result.stdout
        and "apact openapi-check pacts/ --spec openapi.yaml" in result.stdout
    )
