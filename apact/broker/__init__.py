"""The Pact Broker side of apact.

``apact.broker.server`` is ``apact broker``: a Pact Broker (Starlette app, SQLite
storage) that the official Pact clients accept. See ``docs/broker.md``.
"""
