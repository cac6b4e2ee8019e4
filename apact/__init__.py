"""apact: asyncio-native, pure-Python consumer-driven contract testing (Pact V1-V4).

The public names below are imported on first use, not with the package: apact's
pytest plugin loads this package in every pytest session of a project that has apact
installed, and ``apact --help`` should answer at once, so neither may pay for httpx,
Starlette and the engine (about 0.2 s) before they are needed. ``_EXPORTS`` says
where each name is defined; type checkers read the imports under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._core._version import __version__

if TYPE_CHECKING:
    from .broker.client import BrokerClient
    from .consumer import ConsumerMismatchError, Pact, generate, match
    from .consumer.bodies import Binary, File, Form, Multipart, Text, Xml
    from .consumer.messages import Message
    from .verifier import (
        InteractionResult,
        PactResult,
        PactSource,
        VerificationFailed,
        VerificationResult,
        Verifier,
    )

#: public name -> the module that defines it (a module itself for ``match``/``generate``)
_EXPORTS = {
    "Binary": "apact.consumer.bodies",
    "BrokerClient": "apact.broker.client",
    "ConsumerMismatchError": "apact.consumer",
    "File": "apact.consumer.bodies",
    "Form": "apact.consumer.bodies",
    "InteractionResult": "apact.verifier",
    "Message": "apact.consumer.messages",
    "Multipart": "apact.consumer.bodies",
    "Pact": "apact.consumer",
    "PactResult": "apact.verifier",
    "PactSource": "apact.verifier",
    "Text": "apact.consumer.bodies",
    "VerificationFailed": "apact.verifier",
    "VerificationResult": "apact.verifier",
    "Verifier": "apact.verifier",
    "Xml": "apact.consumer.bodies",
    "generate": "apact.consumer.generate",
    "match": "apact.consumer.match",
}

__all__ = [
    "Binary",
    "BrokerClient",
    "ConsumerMismatchError",
    "File",
    "Form",
    "InteractionResult",
    "Message",
    "Multipart",
    "Pact",
    "PactResult",
    "PactSource",
    "Text",
    "VerificationFailed",
    "VerificationResult",
    "Verifier",
    "Xml",
    "__version__",
    "generate",
    "match",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'apact' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name.endswith("." + name) else getattr(module, name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
