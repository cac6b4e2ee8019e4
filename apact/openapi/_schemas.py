"""Walking a pact's value (a body, a parameter) through an OpenAPI schema.

The walk follows the value and the schema together: ``$ref`` and ``allOf`` apply
together, ``anyOf``/``oneOf`` are narrowed to the alternatives the value fits, then at
each place

* the *shape* the pact's rules allow (`_shapes`) is compared with the types the
  schema declares (``type``, 3.0's ``nullable``, the types of an ``enum``);
* the example is validated, by ``jsonschema``, against the keywords that constrain a
  value itself (``enum``, ``pattern``, ``format``, ``minimum`` ...);
* objects and arrays are walked into (``properties``, ``patternProperties``,
  ``additionalProperties``, ``items``, ``prefixItems``).

The direction matters. A request is the consumer's: it must hold what the provider
requires (``required`` properties, no ``readOnly`` ones), and every value its rules
allow must be accepted. A response is the provider's, and a pact lists only what the
consumer reads: ``required`` does not apply, but every property the pact expects must
be one the document declares (a renamed field is caught here), not ``writeOnly``, and
of a type the document says it can have.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..matching import Mismatch
from ..matching._mismatch import Kind, show
from ..matching._rules import Node
from ..pact._paths import format_path
from ._document import Location, OpenAPIDocument
from ._shapes import Shape, shape_of, value_type

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

Direction = Literal["request", "response"]
#: a schema where it applies: the schema, the base URI of its references, where it is
Entry = tuple[Any, str, Location]

_MISSING = object()
_NULL = frozenset({"null"})
_MAX_EXPANSION = 256
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_INTEGER_TEXT = re.compile(r"[-+]?\d+")
_NUMBER_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
#: keywords about a value itself, which jsonschema checks on the example
_VALUE_KEYWORDS = frozenset(
    {
        "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems",
    }
)  # fmt: skip
_LENGTH_KEYWORDS = frozenset({"minItems", "maxItems"})
#: keywords only a request must satisfy (a response in a pact is partial)
_REQUEST_KEYWORDS = frozenset({"minProperties", "maxProperties", "dependentRequired"})
_VERBS = {"request": ("sends", "accepts only", "accept"), "response": ("expects", "says", "allow")}


@dataclass(frozen=True, slots=True)
class Place:
    """Where a value is in the interaction: its JSON path and how to name it."""

    kind: Kind
    #: the path to the part (``("response", "body")``, ``("request", "query", "page")``)
    root: tuple[str | int, ...]
    #: how to name the part itself (``the body``, ``the query parameter `page```)
    subject: str
    tokens: tuple[str | int, ...] = ()

    def child(self, token: str | int) -> Place:
        return Place(self.kind, self.root, self.subject, self.tokens + (token,))

    @property
    def path(self) -> str:
        return format_path(self.root + self.tokens)

    def showing(self, value: Any) -> str:  # noqa: ANN401
        """``the body {"a": 1}``, ```table` = 4``."""
        return (
            f"{self.name} {show(value)}" if not self.tokens and self.kind == "body" else f"{self.name} = {show(value)}"
        )

    @property
    def name(self) -> str:
        if not self.tokens:
            return self.subject
        relative = format_path(self.tokens, root="").lstrip(".")
        return f"`{relative}`" if self.kind == "body" else f"{self.subject} (at {relative})"


class _FirstMismatchError(Exception):
    """A quiet walk (choosing among alternatives) met its first mismatch: stop there."""


@dataclass(slots=True, eq=False)
class Applicable:
    """The schemas that apply at a place, and what the walk needs to know of them,
    worked out once per list of schemas (a document's schemas are met again and again):
    references followed and ``allOf`` spread into ``flat``, the ``anyOf``/``oneOf``
    ``groups`` to choose from, the ``not`` schemas."""

    flat: tuple[Entry, ...]
    groups: tuple[tuple[str, tuple[Entry, ...], Location], ...]
    negations: tuple[Entry, ...]
    #: where a ``false`` schema forbids any value
    forbidden: Location | None
    #: (the types declared, where) of the schemas that declare types
    typed: tuple[tuple[frozenset[str], Location], ...] = ()
    #: every type declared (to read text as)
    types: frozenset[str] = frozenset()
    #: the first schema that says how the object's properties are declared
    described: Location | None = None
    #: 3.0: a schema here says ``nullable: true`` (also where another gives the type,
    #: as in ``{allOf: [{$ref: ...}], nullable: true}``, the usual way to write it)
    nullable: bool = False
    #: per property name, per index, per (direction, ...): worked out when first needed
    members: dict[Any, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Walker:
    """One walk of values through schemas, collecting mismatches."""

    document: OpenAPIDocument
    direction: Direction
    mismatches: list[Mismatch] = field(default_factory=list)
    #: choosing among ``anyOf``/``oneOf``: undeclared response properties do not count
    lenient: bool = False
    #: stop at the first mismatch, saying nothing (a trial of an alternative)
    quiet: bool = False
    #: type mismatches found, (path, the types declared): a failed alternative that is
    #: only a type mismatch is reported with its siblings as one
    type_failures: list[tuple[str, frozenset[str]]] = field(default_factory=list)

    # -- the walk -----------------------------------------------------------------------------

    def walk(
        self,
        value: Any,
        place: Place,
        node: Node,
        schemas: Sequence[Entry] | Applicable,
        *,
        textual: bool = False,
        member: bool = False,
    ) -> None:
        """Check ``value`` (the pact's example, under the rules of ``node``) against every
        schema in ``schemas``."""
        applicable = schemas if isinstance(schemas, Applicable) else self.applicable(schemas)
        if applicable.forbidden is not None:
            where = applicable.forbidden
            self.report(
                place,
                None,
                f"the pact {self.verb} {place.name}, which the OpenAPI document does not allow at all ({where}: false)",
                where,
            )
            return
        if applicable.groups:
            chosen = self._choose(value, place, node, applicable, textual)
            if chosen is None:
                return
            applicable = chosen
        if textual and isinstance(value, str):
            value = _coerce(value, applicable.types)
        if member and not self._member_allowed(place, applicable):
            return
        shape = shape_of(value, node.best, textual=textual)
        if not self._types_fit(shape, place, applicable):
            return
        self._constraints(value, shape, place, applicable)
        for entry in applicable.negations:
            if self._fits(value, place, node, entry, textual):
                self.report(
                    place,
                    value,
                    f"the pact {self.verb} {place.showing(value)}; the OpenAPI document says it must not match {entry[2]}",
                    entry[2],
                )
        if isinstance(value, dict):
            self._object(value, place, node, applicable, textual)
        elif isinstance(value, list):
            self._array(value, place, node, applicable, textual)

    def _choose(self, value: Any, place: Place, node: Node, applicable: Applicable, textual: bool) -> Applicable | None:
        """``applicable`` with its ``anyOf``/``oneOf`` groups narrowed to the
        alternatives the value fits (``None`` when a group has none: reported)."""
        entries = list(applicable.flat)
        negations = list(applicable.negations)
        groups = list(applicable.groups)
        chosen_all: list[Entry] = []
        while groups:
            keyword, options, where = groups.pop(0)
            chosen = [entry for entry in options if self._fits(value, place, node, entry, textual)]
            if not chosen:
                trials = [self._trial(value, place, node, entry, textual) for entry in options]
                self._fits_no_alternative(value, place, node, keyword, where, trials, textual)
                return None
            chosen_all += chosen
            more = self.applicable(chosen)
            entries += more.flat
            negations += more.negations
            groups += more.groups
        key = ("chosen", id(applicable), tuple((id(schema), base) for schema, base, _ in chosen_all))
        cache = self.document.cache
        found: Applicable | None = cache.get(key)
        if found is None:
            found = cache[key] = self._summarize(entries, (), negations, None)
            cache[("keep", key)] = (applicable, chosen_all)  # the ids in the key stay theirs
        return found

    def _fits(self, value: Any, place: Place, node: Node, entry: Entry, textual: bool) -> bool:
        """Does the value fit one schema (quietly, stopping at the first mismatch)?"""
        trial = Walker(self.document, self.direction, lenient=True, quiet=True)
        try:
            trial.walk(value, place, node, [entry], textual=textual)
        except _FirstMismatchError:
            return False
        return True

    def _trial(self, value: Any, place: Place, node: Node, entry: Entry, textual: bool) -> Walker:
        trial = Walker(self.document, self.direction, lenient=True)
        trial.walk(value, place, node, [entry], textual=textual)
        return trial

    @property
    def verb(self) -> str:
        return _VERBS[self.direction][0]

    # -- $ref, allOf, anyOf, oneOf, not -----------------------------------------------------------

    def applicable(self, schemas: Sequence[Entry]) -> Applicable:
        """What applies where ``schemas`` all apply (cached per list of schemas)."""
        key = ("applicable", tuple((id(schema), base) for schema, base, _ in schemas))
        cache = self.document.cache
        found: Applicable | None = cache.get(key)
        if found is None:
            found = cache[key] = self._expand(schemas)
            cache[("keep", key)] = tuple(schemas)  # the ids in the key stay theirs
        return found

    def _expand(self, schemas: Sequence[Entry]) -> Applicable:
        flat: list[Entry] = []
        groups: list[tuple[str, tuple[Entry, ...], Location]] = []
        negations: list[Entry] = []
        seen: set[int] = set()
        stack = list(reversed(schemas))
        while stack:
            schema, base, where = stack.pop()
            if schema is False:
                return Applicable((), (), (), where)
            if not isinstance(schema, dict) or id(schema) in seen:
                continue
            seen.add(id(schema))
            if len(seen) > _MAX_EXPANSION:
                break
            ref = schema.get("$ref")
            if isinstance(ref, str):
                target, target_base, target_where = self.document.lookup(base, ref, where.child("$ref"))
                stack.append((target, target_base, target_where))
                if self.document.is_30:
                    continue  # 3.0: a reference's siblings are ignored
            flat.append((schema, base, where))
            for index, part in reversed(list(enumerate(schema.get("allOf") or []))):
                stack.append((part, base, where.child("allOf", index)))
            for keyword in ("anyOf", "oneOf"):
                options = schema.get(keyword)
                if isinstance(options, list) and options:
                    groups.append(
                        (
                            keyword,
                            tuple((option, base, where.child(keyword, index)) for index, option in enumerate(options)),
                            where,
                        )
                    )
            if "not" in schema:
                negations.append((schema["not"], base, where.child("not")))
        return self._summarize(flat, groups, negations, None)

    def _summarize(
        self,
        flat: list[Entry],
        groups: Sequence[tuple[str, tuple[Entry, ...], Location]],
        negations: list[Entry],
        forbidden: Location | None,
    ) -> Applicable:
        typed = []
        types: set[str] = set()
        described = None
        for schema, _, where in flat:
            declared = _declared(schema, self.document.is_30)
            if declared is not None:
                typed.append((declared, where))
                types |= declared
            if described is None and any(
                key in schema for key in ("properties", "patternProperties", "additionalProperties")
            ):
                described = where
        nullable = self.document.is_30 and any(schema.get("nullable") is True for schema, _, _ in flat)
        return Applicable(
            tuple(flat),
            tuple(groups),
            tuple(negations),
            forbidden,
            tuple(typed),
            frozenset(types),
            described,
            nullable=nullable,
        )

    def _fits_no_alternative(
        self, value: Any, place: Place, node: Node, keyword: str, where: Location, trials: list[Walker], textual: bool
    ) -> None:
        declared: set[str] = set()
        if all(
            len(trial.mismatches) == 1 and trial.type_failures and trial.type_failures[0][0] == place.path
            for trial in trials
        ):
            for trial in trials:
                declared |= trial.type_failures[0][1]
            shape = shape_of(value, node.best, textual=textual)
            self._type_mismatch(shape, frozenset(declared), place, where)
            return
        closest = min(trials, key=lambda trial: len(trial.mismatches))
        self.report(
            place,
            value,
            f"the pact {self.verb} {place.showing(value)}, which fits none of the {keyword} alternatives of the "
            f"OpenAPI document ({where}.{keyword}); the closest: {closest.mismatches[0].message}",
            where.child(keyword),
        )

    # -- one place ---------------------------------------------------------------------------

    def _types_fit(self, shape: Shape, place: Place, applicable: Applicable) -> bool:
        if applicable.nullable and shape.types == _NULL:
            return True
        for declared, where in applicable.typed:
            if self.direction == "request":
                fits = all(_admits(name, declared) for name in shape.types)
            else:
                fits = any(
                    _admits(name, declared) or (name == "number" and "integer" in declared) for name in shape.types
                )
            if not fits:
                self._type_mismatch(shape, declared, place, where)
                return False
        return True

    def _type_mismatch(self, shape: Shape, declared: frozenset[str], place: Place, where: Location) -> None:
        if self.quiet:
            raise _FirstMismatchError
        verb, says, _ = _VERBS[self.direction]
        rule = f" (by its `{shape.rule}` rule)" if shape.rule else ""
        types = " or ".join(f"`{name}`" for name in sorted(declared))
        self.type_failures.append((place.path, declared))
        self.report(
            place,
            shape.describe(),
            f"the pact {verb} {place.name} as {shape.describe()}{rule}; the OpenAPI document {says} {types} ({where})",
            where,
        )

    def _constraints(self, value: Any, shape: Shape, place: Place, applicable: Applicable) -> None:
        skip_lengths = shape.widened and isinstance(value, list)
        key = ("constraints", self.direction, skip_lengths)
        checks = applicable.members.get(key)
        if checks is None:
            checks = applicable.members[key] = [
                (validator, where)
                for schema, _, where in applicable.flat
                for validator in (self._validator(schema, skip_lengths),)
                if validator is not None
            ]
        if value is None and applicable.nullable:
            return
        for validator, where in checks:
            error = next(iter(validator.iter_errors(value)), None)
            if error is not None:
                verb, _, accept = _VERBS[self.direction]
                self.report(
                    place,
                    value,
                    f"the pact {verb} {place.showing(value)}; the OpenAPI document does not {accept} it: "
                    f"{error.message} ({where.child(str(error.validator))})",
                    where.child(str(error.validator)),
                )
                return

    def _validator(self, schema: dict[str, Any], skip_lengths: bool) -> Validator | None:
        """A jsonschema validator for the keywords of ``schema`` about the value itself."""
        key = ("validator", id(schema), self.direction, skip_lengths)
        cache = self.document.cache
        if key in cache:
            found: Validator | None = cache[key]
            return found
        keywords = _VALUE_KEYWORDS | (frozenset() if skip_lengths else _LENGTH_KEYWORDS)
        if self.direction == "request":
            keywords |= _REQUEST_KEYWORDS
        own = {name: value for name, value in schema.items() if name in keywords}
        if "exclusiveMinimum" in own and isinstance(own["exclusiveMinimum"], bool) and "minimum" not in own:
            own.pop("exclusiveMinimum")
        if "exclusiveMaximum" in own and isinstance(own["exclusiveMaximum"], bool) and "maximum" not in own:
            own.pop("exclusiveMaximum")
        validator = _make_validator(self.document, own) if own else None
        cache[key] = validator
        cache[("keep", key)] = schema  # the id stays this schema's while cached
        return validator

    def _member_allowed(self, place: Place, applicable: Applicable) -> bool:
        """A property that is ``readOnly`` is not sent, one that is ``writeOnly`` is not
        answered."""
        flag = "readOnly" if self.direction == "request" else "writeOnly"
        for schema, _, where in applicable.flat:
            if schema.get(flag) is True:
                verb = self.verb
                why = "the provider sets it" if flag == "readOnly" else "it is never in responses"
                self.report(
                    place,
                    None,
                    f"the pact {verb} {place.name}, which the OpenAPI document marks {flag}: {why} ({where}.{flag})",
                    where.child(flag),
                )
                return False
        return True

    # -- objects and arrays --------------------------------------------------------------------

    def _object(self, value: dict[str, Any], place: Place, node: Node, applicable: Applicable, textual: bool) -> None:
        if self.direction == "request":
            self._required(value, place, applicable)
        described = applicable.described
        for key, item in value.items():
            found = applicable.members.get(key)
            if found is None:
                entries, declared, forbidden = _member(key, applicable.flat)
                found = applicable.members[key] = (self.applicable(entries), declared, forbidden)
            children, declared, forbidden = found
            if forbidden is not None and not (self.direction == "response" and declared):
                child = place.child(key)
                self.report(
                    child,
                    item,
                    f"the pact {self.verb} {child.name}, which the OpenAPI document does not allow ({forbidden}: false)",
                    forbidden,
                )
                continue
            if not declared and described is not None and self.direction == "response" and not self.lenient:
                child = place.child(key)
                hint = _closest(key, applicable.flat)
                self.report(
                    child,
                    item,
                    f"the pact expects {child.name}; the OpenAPI document does not declare it ({described}){hint}",
                    described,
                )
                continue
            self.walk(item, place.child(key), node.child(key), children, textual=textual, member=True)

    def _required(self, value: dict[str, Any], place: Place, applicable: Applicable) -> None:
        required = applicable.members.get(("required",))
        if required is None:
            required = applicable.members[("required",)] = list(self._required_names(applicable))
        for name, where in required:
            if name not in value:
                child = place.child(name)
                self.report(
                    child,
                    None,
                    f"the pact does not send {child.name}, which the OpenAPI document requires ({where}.required)",
                    where.child("required"),
                )

    def _required_names(self, applicable: Applicable) -> Iterator[tuple[str, Location]]:
        """The properties a request must send: required, and not ``readOnly`` (those
        the provider sets)."""
        for schema, base, where in applicable.flat:
            required = schema.get("required")
            if not isinstance(required, list):
                continue
            properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
            for name in required:
                if not isinstance(name, str):
                    continue
                if name in properties:
                    read_only = self.applicable([(properties[name], base, where.child("properties", name))])
                    if any(entry[0].get("readOnly") is True for entry in read_only.flat):
                        continue
                yield name, where

    def _array(self, value: list[Any], place: Place, node: Node, applicable: Applicable, textual: bool) -> None:
        for index, item in enumerate(value):
            key = ("item", index)
            found = applicable.members.get(key)
            if found is None:
                entries, limit = _item(index, applicable.flat, self.document.is_30)
                found = applicable.members[key] = (self.applicable(entries), limit)
            children, limit = found
            if limit is not None:
                allowed, where = limit
                child = place.child(index)
                self.report(
                    child,
                    item,
                    f"the pact {self.verb} {child.name}; the OpenAPI document allows {allowed} item(s) at most ({where}.items: false)",
                    where.child("items"),
                )
                return
            self.walk(item, place.child(index), node.child(index), children, textual=textual)

    # -- reporting ---------------------------------------------------------------------------

    def report(self, place: Place, expected: Any, message: str, where: Location) -> None:
        if self.quiet:
            raise _FirstMismatchError
        self.mismatches.append(Mismatch(place.kind, place.path, _json(expected), str(where), message))


def _member(key: str, flat: tuple[Entry, ...]) -> tuple[list[Entry], bool, Location | None]:
    """The schemas of property ``key`` of an object, whether one declares it, and where
    it is forbidden (``additionalProperties: false``) if anywhere."""
    children: list[Entry] = []
    declared = False
    forbidden: Location | None = None
    for schema, base, where in flat:
        matched = False
        properties = schema.get("properties")
        if isinstance(properties, dict) and key in properties:
            children.append((properties[key], base, where.child("properties", key)))
            matched = True
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern, child in patterns.items():
                if _search(pattern, key):
                    children.append((child, base, where.child("patternProperties", pattern)))
                    matched = True
        if not matched:
            extra = schema.get("additionalProperties", _MISSING)
            if extra is False or (extra is _MISSING and schema.get("unevaluatedProperties") is False):
                forbidden = forbidden or where.child(
                    "additionalProperties" if extra is False else "unevaluatedProperties"
                )
            elif extra is True:
                matched = True
            elif isinstance(extra, dict):
                children.append((extra, base, where.child("additionalProperties")))
                matched = True
        declared = declared or matched
    return children, declared, forbidden


def _item(index: int, flat: tuple[Entry, ...], is_30: bool) -> tuple[list[Entry], tuple[int, Location] | None]:
    """The schemas of item ``index`` of an array, or (how many items are allowed,
    where) when ``items: false`` forbids it."""
    children: list[Entry] = []
    for schema, base, where in flat:
        prefix = None if is_30 else schema.get("prefixItems")
        items = schema.get("items", _MISSING)
        if isinstance(prefix, list) and index < len(prefix):
            children.append((prefix[index], base, where.child("prefixItems", index)))
        elif isinstance(items, list):  # an old tuple form
            if index < len(items):
                children.append((items[index], base, where.child("items", index)))
        elif items is False:
            return [], (len(prefix) if isinstance(prefix, list) else 0, where)
        elif isinstance(items, dict):
            children.append((items, base, where.child("items")))
    return children, None


def _declared(schema: dict[str, Any], is_30: bool) -> frozenset[str] | None:
    """The types a schema allows (``None``: it does not say)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {name for name in declared if isinstance(name, str)}
    elif isinstance(schema.get("enum"), list) and schema["enum"]:
        types = {_schema_type(item) for item in schema["enum"]}
    elif "const" in schema:
        types = {_schema_type(schema["const"])}
    else:
        return None
    if is_30 and schema.get("nullable") is True:
        types.add("null")
    return frozenset(types)


def _coerce(text: str, types: frozenset[str]) -> Any:  # noqa: ANN401
    """Text from a query, header, path or form as the type the schema gives it."""
    if not types or "string" in types:
        return text
    if "integer" in types and _INTEGER_TEXT.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER_TEXT.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and _INTEGER_TEXT.fullmatch(text) else number
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    return text


def _closest(key: str, flat: tuple[Entry, ...]) -> str:
    """``; the closest it declares is `waitTime``` for a property that may have been renamed."""
    names = [
        name for schema, _, _ in flat if isinstance(schema.get("properties"), dict) for name in schema["properties"]
    ]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return f"; the closest it declares is `{close[0]}`" if close else ""


def _admits(name: str, declared: frozenset[str]) -> bool:
    """Does a schema declaring ``declared`` accept every value of the pact type ``name``?"""
    if name in ("integer", "decimal"):
        return "number" in declared or (name == "integer" and "integer" in declared)
    return name in declared


def _schema_type(value: object) -> str:
    name = value_type(value)
    return "number" if name == "decimal" else name


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _json(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, list, dict)) or value is None else str(value)


def _make_validator(document: OpenAPIDocument, schema: dict[str, Any]) -> Validator:
    from jsonschema import Draft4Validator, Draft202012Validator

    key = "format checker"
    checker = document.cache.get(key)
    if checker is None:
        checker = document.cache[key] = _format_checker()
    if document.is_30:
        return Draft4Validator(schema, format_checker=checker)
    return Draft202012Validator(schema, format_checker=checker)


def _format_checker() -> Any:
    """jsonschema's format checks, and OpenAPI's integer formats."""
    from jsonschema import FormatChecker

    checker = FormatChecker()

    @checker.checks("int32")
    def int32(value: object) -> bool:
        return not isinstance(value, int) or isinstance(value, bool) or -(2**31) <= value < 2**31

    @checker.checks("int64")
    def int64(value: object) -> bool:
        return not isinstance(value, int) or isinstance(value, bool) or -(2**63) <= value < 2**63

    if "date-time" not in checker.checkers:  # jsonschema checks it only with an optional package

        @checker.checks("date-time")
        def date_time(value: object) -> bool:
            if not isinstance(value, str):
                return True
            if not _DATE_TIME.fullmatch(value):
                return False
            try:
                plain = re.sub(r"\.\d+", "", value.upper().replace("Z", "+00:00").replace(" ", "T"))
                datetime.datetime.fromisoformat(plain)  # the ranges: no 2024-02-30
            except ValueError:
                return False
            return True

    return checker
