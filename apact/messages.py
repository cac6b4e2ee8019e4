"""``apact.messages``, kept for compatibility: message pacts on the consumer side, now in `apact.consumer.messages`."""

from .consumer.messages import (
    AsyncMessageBuilder,
    HandlerFailed,
    Message,
    SyncMessageBuilder,
    UnexpectedMessage,
    UnhandledMessage,
)

__all__ = [
    "AsyncMessageBuilder",
    "HandlerFailed",
    "Message",
    "SyncMessageBuilder",
    "UnexpectedMessage",
    "UnhandledMessage",
]
