"""``apact.generate``, kept for compatibility: the consumer DSL's generators; ``from apact import generate`` is the way to use them, now in `apact.consumer.generate`."""

from .consumer.generate import (
    boolean,
    date,
    datetime,
    decimal,
    hexadecimal,
    integer,
    mock_server_url,
    provider_state,
    regex,
    string,
    time,
    uuid,
)

__all__ = [
    "boolean",
    "date",
    "datetime",
    "decimal",
    "hexadecimal",
    "integer",
    "mock_server_url",
    "provider_state",
    "regex",
    "string",
    "time",
    "uuid",
]
