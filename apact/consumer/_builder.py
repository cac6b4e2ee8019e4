"""What every interaction builder of the consumer DSL shares: provider states, the
description, the V4 extras (key, pending, comments), and being recorded by its ``Pact``.

`HttpInteractionBuilder` and the message builders of
`apact.messages` build on it. A builder is complete when `missing_part` says
nothing is missing; from then on, every change rebuilds its interaction and records it
with the ``Pact`` (which checks it against the spec version at once, so a mistake fails
at the line that makes it). A builder talks to its ``Pact`` through the
`Recorder` the ``Pact`` hands it, so the builders need not import the ``Pact``
(which imports them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .._core._types import JSON
from ..pact import _writer
from ..pact.model import Interaction, ProviderState, Spec

__all__ = ["InteractionBuilder", "Recorder", "check_description"]

#: the builder's own class, so chained calls keep the subclass (``typing.Self`` is 3.11+)
_B = TypeVar("_B", bound="InteractionBuilder")


def check_description(description: object) -> str:
    if not isinstance(description, str) or not description:
        raise ValueError(f"an interaction description is a non-empty string, got {description!r}")
    return description


@dataclass(frozen=True, slots=True)
class Recorder:
    """What a builder needs of its ``Pact``: the pact's spec version, ``record(builder,
    interaction)`` (takes a (re)built interaction, raising if it cannot be written) and
    ``check_open(what)`` (raises unless the ``async with`` block is open)."""

    spec: Spec
    record: Callable[[InteractionBuilder, Interaction], None]
    check_open: Callable[[str], object]


class InteractionBuilder:
    """The shared part of an interaction being written; each method returns the builder."""

    def __init__(self, recorder: Recorder, description: str | None = None) -> None:
        self._recorder = recorder
        self._spec = recorder.spec
        self._description = None if description is None else check_description(description)
        self._states: list[ProviderState] = []
        self._key: str | None = None
        self._pending = False
        self._comments: dict[str, JSON] | None = None
        #: the interaction's text for the pact file, and the interaction, once complete
        self.entry: _writer.Entry | None = None
        self.interaction: Interaction | None = None

    def given(self: _B, state: str, params: Mapping[str, JSON] | None = None, /, **more: JSON) -> _B:
        """Add a provider state, with parameters (a mapping and/or keywords)."""
        if not isinstance(state, str) or not state:
            raise ValueError(f"a provider state is a non-empty string, got {state!r}")
        self._states.append(ProviderState(state, {**(params or {}), **more}))
        return self._changed()

    def key(self: _B, key: str) -> _B:
        """A V4 interaction key (a stable identifier)."""
        self._v4_only("key")
        self._key = key
        return self._changed()

    def pending(self: _B, pending: bool = True) -> _B:
        """Mark the interaction pending (V4): its failure does not fail verification."""
        self._v4_only("pending")
        self._pending = pending
        return self._changed()

    def comment(self: _B, *texts: str, **values: JSON) -> _B:
        """V4 comments: free texts (``comments.text``) and named values
        (``testname=...``, ``references=...``)."""
        self._v4_only("comment")
        comments = dict(self._comments or {})
        if texts:
            existing = comments.get("text")
            comments["text"] = [*(existing if isinstance(existing, list) else []), *texts]
        comments.update(values)
        self._comments = comments
        return self._changed()

    def _v4_only(self, what: str) -> None:
        if self._spec < Spec.V4:
            raise ValueError(f"an interaction {what} needs spec V4 (this pact is {self._spec.label})")

    def label(self) -> str:
        return repr(self._description) if self._description else "an interaction without a description"

    # -- what each kind of builder says (and ``unmet()``: what the test left undone, --------
    # -- as that kind's own problems, which the Pact collects) ------------------------------

    def missing_part(self) -> str | None:
        """What the interaction still needs, or ``None`` when complete."""
        raise NotImplementedError

    def _build(self, common: dict[str, Any]) -> Interaction:
        """The complete interaction; ``common`` holds the shared keyword arguments of
        the model's interaction classes (description, states, key, pending, comments)."""
        raise NotImplementedError

    def _recorded(self, interaction: Interaction) -> None:
        """Called once the Pact recorded the (re)built interaction."""

    def _changed(self: _B) -> _B:
        if self.missing_part() is None:
            common: dict[str, Any] = {
                "description": self._description,
                "provider_states": tuple(self._states),
                "key": self._key,
                "pending": self._pending,
                "comments": self._comments,
            }
            interaction = self._build(common)
            self._recorder.record(self, interaction)
            self._recorded(interaction)
        return self
