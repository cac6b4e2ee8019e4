"""`_core._frozen.builder`: instances made by it are the dataclass's own."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from apact._core._frozen import builder
from apact.pact.model import _UNSET, Body, HttpResponse
from apact.verifier import InteractionResult


@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    label: str = dataclasses.field(default="", compare=False)
    size: int = dataclasses.field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", self.x * self.y)


def test_a_built_instance_is_the_dataclass_own() -> None:
    build = builder(Point)
    made = build(2, 3, "a", 6)
    assert type(made) is Point
    assert made == Point(2, 3, "a")
    assert hash(made) == hash(Point(2, 3, "a"))
    assert repr(made) == repr(Point(2, 3, "a"))
    assert pickle.loads(pickle.dumps(made)) == made
    assert dataclasses.replace(made, y=4) == Point(2, 4, "a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.x = 5  # type: ignore[misc]
    for instance in (made, Point(2, 3, "a")):  # no other attribute, either way (slots)
        with pytest.raises((AttributeError, TypeError)):
            instance.other = 1  # type: ignore[attr-defined]


def test_the_models_made_per_interaction() -> None:
    body = builder(Body)(b"{}", "application/json", False, _UNSET, None)
    assert body == Body(b"{}", "application/json")
    assert body.json() == {}
    response = builder(HttpResponse)(201, {"a": ["b"]}, body, {}, {})
    assert response == HttpResponse(201, {"a": ["b"]}, Body(b"{}", "application/json"))
    fields = [field.name for field in dataclasses.fields(InteractionResult)]
    values: dict[str, Any] = {name: None for name in fields} | {"description": "d", "kind": "k", "status": "passed"}
    made = builder(InteractionResult)(*values.values())
    assert made == InteractionResult(**values)
    assert made.passed


@dataclasses.dataclass(frozen=True)
class NoSlots:
    x: int
    y: int = dataclasses.field(init=False, default=1)


@dataclasses.dataclass(frozen=True)
class ExtraSlot:
    __slots__ = ("x", "extra")  # a slot that is no field: another layout than the fields'
    x: int


@pytest.mark.parametrize("cls", [NoSlots, ExtraSlot])
def test_a_class_without_the_same_layout_is_made_by_its_constructor(cls: type) -> None:
    build: Any = builder(cls)
    values = [1] + [None] * (len(dataclasses.fields(cls)) - 1)
    made = build(*values)
    assert type(made) is cls
    assert made == cls(1)
