"""``apact.bodies``, kept for compatibility: the consumer DSL's bodies; ``apact.Text``, ``apact.Form``, ... are the way to use them, now in `apact.consumer.bodies`."""

from .consumer.bodies import (
    Binary,
    File,
    Form,
    Multipart,
    Text,
    Xml,
)

__all__ = [
    "Binary",
    "File",
    "Form",
    "Multipart",
    "Text",
    "Xml",
]
