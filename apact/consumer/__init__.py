"""The consumer side: ``async with Pact(...)``, the HTTP and message interaction
builders, the mock provider, bodies, the ``match``/``generate`` DSL and the stub
server. See :mod:`apact.consumer._pact` for how a ``Pact`` block works."""

from ._pact import ConsumerMismatchError, HttpInteractionBuilder, MissingRequest, Pact

__all__ = ["ConsumerMismatchError", "HttpInteractionBuilder", "MissingRequest", "Pact"]
