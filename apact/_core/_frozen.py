"""Making instances of frozen slots dataclasses at the cost of plain ones, where it counts.

A frozen dataclass's ``__init__`` stores each field through ``object.__setattr__``
(its own ``__setattr__`` refuses): about 0.1 µs a field, where a plain attribute store
costs a twentieth of that. An interaction's replay makes about seven such objects (the
request to send, the app's answer, the response, its body, the verdict of 17 fields...):
measured, 8 µs per interaction, as much as comparing the response.

`builder` gives, for a frozen slots dataclass, a function taking every field in order
that fills an instance of a *twin*: a plain class with the same ``__slots__`` (so the
same layout), stored into with plain stores, then turned into the dataclass by assigning
its ``__class__``, which Python allows between classes of the same layout. The result is
an ordinary instance (its type, equality, hash, repr and frozenness are the dataclass's),
five times cheaper to make. It takes no defaults and runs no ``__post_init__``: the
caller gives each value as ``__init__`` would have stored it, so it is for the few places
that make these objects once per interaction, not a replacement for the constructor.
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def builder(cls: type[T]) -> Callable[..., T]:
    """A function ``(*every field in order) -> cls instance`` (see the module docstring).

    ``cls`` must be a frozen dataclass made with ``slots=True``; a class this cannot be
    done for (no slots, a ``__weakref__`` or other extra slot, a Python that refuses the
    ``__class__`` assignment) gets a function calling the constructor instead, with the
    same arguments (fields with ``init=False`` are then left to ``__post_init__``)."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = [field.name for field in fields]
    if not _twinnable(cls, names):
        return _by_constructor(cls, fields)
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": tuple(names), "__module__": __name__})
    stores = "".join(f"    made.{name} = {name}\n" for name in names)
    source = f"def build({', '.join(names)}):\n    made = twin()\n{stores}    made.__class__ = cls\n    return made\n"
    namespace: dict[str, Any] = {"twin": twin, "cls": cls}
    exec(source, namespace)  # as dataclasses makes __init__: one plain store per field
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = build.__name__ = f"build_{cls.__name__}"
    try:  # the layout check is the interpreter's: try it once
        build(*(None for _ in names))
    except TypeError:
        return _by_constructor(cls, fields)
    return build


def _twinnable(cls: type, names: list[str]) -> bool:
    params = getattr(cls, "__dataclass_params__", None)
    return (
        params is not None
        and params.frozen
        and tuple(getattr(cls, "__slots__", ())) == tuple(names)
        and all(name.isidentifier() and not keyword.iskeyword(name) for name in names)
        and all(not getattr(base, "__slots__", ()) for base in cls.__mro__[1:])
    )


def _by_constructor(cls: type[T], fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., T]:
    init = [field.init for field in fields]

    def build(*values: Any) -> T:  # noqa: ANN401
        return cls(*(value for value, given in zip(values, init) if given))

    return build


__all__ = ["builder"]
