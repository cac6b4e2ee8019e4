"""Argument types the commands share: a value argparse refuses is a usage error that
names the option (exit 2), never a traceback from where the value is first used."""

from __future__ import annotations

import argparse


def port(text: str) -> int:
    """A TCP port, 0 (a free one) to 65535: past it, ``bind()`` raises OverflowError."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {value}")
    return value
