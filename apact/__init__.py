"""apact: asyncio-native, pure-Python consumer-driven contract testing (Pact V1-V4)."""

__version__ = "0.1.0"
