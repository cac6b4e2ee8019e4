"""Compatibility module: the Pact Broker server now lives in `apact.broker_server`
(``apact.broker`` is the client).

``apact.broker.server`` keeps working for code written before the package had one
folder per layer."""

from ..broker_server import SqliteStore, create_app, serve

__all__ = ["SqliteStore", "create_app", "serve"]
