"""apact: asyncio-native, pure-Python consumer-driven contract testing (Pact V1-V4)."""

__version__ = "0.1.0"

from .verifier import (  # noqa: E402
    InteractionResult,
    PactResult,
    PactSource,
    VerificationFailed,
    VerificationResult,
    Verifier,
)

__all__ = [
    "InteractionResult",
    "PactResult",
    "PactSource",
    "VerificationFailed",
    "VerificationResult",
    "Verifier",
    "__version__",
]
