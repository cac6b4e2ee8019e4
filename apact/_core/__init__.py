"""Shared plumbing that every layer of apact may use, and that knows nothing of pacts:
serving an ASGI app over real HTTP with hypercorn (``_serve``) and the type aliases
shared across the package (``_types``)."""
