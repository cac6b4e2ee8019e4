"""The minimal shape of the plugin pacts the Rust core writes (protobuf over gRPC, CSV
over HTTP), for the plugin tests."""

from __future__ import annotations

from typing import Any


def plugin_pact() -> dict[str, Any]:
    protobuf = {
        "type": "Synchronous/Messages",
        "description": "calculate rectangle area request",
        "interactionMarkup": {"markup": "```protobuf\nmessage ShapeMessage {}\n```\n", "markupType": "COMMON_MARK"},
        "pluginConfiguration": {"protobuf": {"descriptorKey": "d588", "service": "Calculator/calculateOne"}},
        "request": {
            "contents": {
                "content": "EgoNAABAQBUAAIBA",
                "contentType": "application/protobuf;message=ShapeMessage",
                "contentTypeHint": "BINARY",
                "encoded": "base64",
            },
            "matchingRules": {"body": {"$.rectangle.length": {"combine": "AND", "matchers": [{"match": "number"}]}}},
            "metadata": {"contentType": "application/protobuf;message=ShapeMessage"},
        },
        "response": [
            {
                "contents": {
                    "content": "DQAAQEE=",
                    "contentType": "application/protobuf;message=AreaResponse",
                    "contentTypeHint": "BINARY",
                    "encoded": "base64",
                },
                "metadata": {"contentType": "application/protobuf;message=AreaResponse"},
            }
        ],
        "transport": "grpc",
    }
    csv = {
        "type": "Synchronous/HTTP",
        "description": "request for a CSV report",
        "pluginConfiguration": {"csv": {"csvHeaders": False}},
        "request": {"method": "GET", "path": "/reports/report001.csv"},
        "response": {
            "status": 200,
            "headers": {"content-type": ["text/csv"]},
            "body": {
                "content": "Name,100,2000-01-01\n",
                "contentType": "text/csv;charset=utf-8",
                "contentTypeHint": "DEFAULT",
                "encoded": False,
            },
            "matchingRules": {
                "body": {
                    "column:1": {"combine": "AND", "matchers": [{"match": "type"}]},
                    "column:2": {"combine": "AND", "matchers": [{"match": "number"}]},
                }
            },
            "generators": {"body": {"column:3": {"format": "yyyy-MM-dd", "type": "DateTime"}}},
        },
        "transport": "http",
    }
    plain = {
        "type": "Synchronous/HTTP",
        "description": "a plain request",
        "request": {"method": "GET", "path": "/health"},
        "response": {"status": 200},
        "transport": "http",
    }
    return {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": [protobuf, csv, plain],
        "metadata": {
            "pactSpecification": {"version": "4.0"},
            "plugins": [
                {
                    "configuration": {"d588": {"protoFile": 'syntax = "proto3";'}},
                    "name": "protobuf",
                    "version": "0.3.0",
                },
                {"configuration": {}, "name": "csv", "version": "0.0.3"},
            ],
        },
    }
