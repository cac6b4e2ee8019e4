"""apact: asyncio-native, pure-Python consumer-driven contract testing (Pact V1-V4)."""

__version__ = "0.1.0"

from . import generate, match  # noqa: E402
from .bodies import Binary, File, Form, Multipart, Text, Xml  # noqa: E402
from .broker.client import BrokerClient  # noqa: E402
from .consumer import ConsumerMismatchError, Pact  # noqa: E402
from .messages import Message  # noqa: E402
from .verifier import (  # noqa: E402
    InteractionResult,
    PactResult,
    PactSource,
    VerificationFailed,
    VerificationResult,
    Verifier,
)

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
