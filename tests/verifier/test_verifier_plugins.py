"""A pact interaction that needs a Pact plugin (protobuf over gRPC, CSV...) is never
passed silently (issue 16): apact runs no plugins, so the report says "not run: needs
plugin X" and the verification fails, unless ``skip_plugin_interactions=True``."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact import pactfile
from apact.verifier import Verifier

from ..pact.plugin_shapes import plugin_pact

pytestmark = pytest.mark.anyio


def app() -> Starlette:
    return Starlette(routes=[Route("/health", lambda request: JSONResponse({}))])


async def test_plugin_interactions_fail_by_default_saying_what_they_need() -> None:
    result = await Verifier("Grill Chef", app=app()).verify(pactfile.loads(json.dumps(plugin_pact())))
    assert [(i.description, i.status) for i in result.interactions] == [
        ("calculate rectangle area request", "failed"),
        ("request for a CSV report", "failed"),
        ("a plain request", "passed"),
    ]
    report = result.report()
    assert "plugin: not run: needs plugin protobuf (apact runs no Pact plugins)" in report
    assert "plugin: not run: needs plugin csv (apact runs no Pact plugins)" in report
    assert not result.ok


async def test_a_transport_alone_names_what_is_needed() -> None:
    document = plugin_pact()
    del document["interactions"][0]["pluginConfiguration"]
    result = await Verifier("Grill Chef", app=app()).verify(pactfile.loads(json.dumps(document)))
    assert "plugin: not run: needs a plugin for the grpc transport" in result.report()


async def test_skip_plugin_interactions_skips_them_saying_why() -> None:
    verifier = Verifier("Grill Chef", app=app(), skip_plugin_interactions=True)
    result = await verifier.verify(pactfile.loads(json.dumps(plugin_pact())))
    result.assert_ok()
    assert [i.status for i in result.interactions] == ["skipped", "skipped", "passed"]
    assert result.interactions[0].reason == (
        "not run: needs plugin protobuf (apact runs no Pact plugins); skipped: skip_plugin_interactions=True"
    )


async def test_plugin_markup_alone_names_the_pacts_plugins() -> None:
    """An interaction of a content-type plugin (server-sent events, as pact-php writes
    it) has no ``pluginConfiguration`` and an ``http`` transport: its ``interactionMarkup``
    and the pact's ``plugins`` say it needs one. The core loads the pact's plugins and
    fails without them; apact must not pass it as plain HTTP."""
    sse = {
        "type": "Synchronous/HTTP",
        "description": "request for events",
        "interactionMarkup": {"markup": "# SSE Events\n", "markupType": "COMMON_MARK"},
        "request": {"method": "GET", "path": "/health"},
        "response": {
            "status": 200,
            "body": {"content": "retry:100\n\n", "contentType": "text/event-stream", "encoded": False},
            "matchingRules": {"body": {"retry": {"combine": "AND", "matchers": [{"match": "integer"}]}}},
        },
        "transport": "http",
    }
    document = plugin_pact()
    document["interactions"] = [sse]
    document["metadata"]["plugins"] = [{"configuration": {}, "name": "sse", "version": "0.1.0"}]
    result = await Verifier("Grill Chef", app=app()).verify(pactfile.loads(json.dumps(document)))
    assert [(i.description, i.status) for i in result.interactions] == [("request for events", "failed")]
    assert "plugin: not run: needs plugin sse (apact runs no Pact plugins)" in result.report()
    del document["metadata"]["plugins"]
    result = await Verifier("Grill Chef", app=app()).verify(pactfile.loads(json.dumps(document)))
    assert "plugin: not run: needs a plugin (its interactionMarkup is a plugin's)" in result.report()
