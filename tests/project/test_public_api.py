"""The public API is one coherent thing: every public name is exported, documented in the
API reference, and says that its home is the public module users import it from; every
exception is an ``*Error`` importable from ``apact``; renamed names keep working with a
DeprecationWarning; and type checkers see the names of ``apact`` (not ``Any``)."""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
import warnings
from pathlib import Path

import pytest

import apact
from apact.errors import ApactError

ROOT = Path(__file__).resolve().parents[2]

#: the modules users import from (the compatibility modules re-export some of these)
PUBLIC_MODULES = [
    "apact",
    "apact.broker",
    "apact.broker.client",
    "apact.consumer",
    "apact.consumer.bodies",
    "apact.consumer.generate",
    "apact.consumer.match",
    "apact.consumer.messages",
    "apact.consumer.mock",
    "apact.errors",
    "apact.matching",
    "apact.openapi",
    "apact.pact.model",
    "apact.pact.pactfile",
    "apact.verifier",
]


def _all_modules() -> list[types.ModuleType]:
    names = [
        info.name for info in pkgutil.walk_packages(apact.__path__, "apact.") if not info.name.endswith("__main__")
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # importing a module warns nothing
        return [importlib.import_module(name) for name in ["apact", *names]]


def _public_objects() -> list[tuple[str, str, object]]:
    found = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            found.append((module_name, name, getattr(module, name)))
    return found


def _is_public(module: str) -> bool:
    return not any(part.startswith("_") for part in module.split("."))


# -- exported ------------------------------------------------------------------------------------


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_is_exported(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = module.__all__
    assert names == sorted(set(names), key=names.index), "a name is listed twice"
    namespace: dict[str, object] = {}
    exec(f"from {module_name} import *", namespace)  # noqa: S102
    assert set(names) <= set(namespace)
    assert set(names) <= set(dir(module))


def test_the_facade_lists_each_name_once_and_imports_it_from_where_it_is_defined() -> None:
    source = (ROOT / "apact" / "__init__.py").read_text()
    listed = re.findall(r"^    from \.[\w.]+ import (\w+) as (\w+)$", source, re.MULTILINE)
    assert len(listed) == len(apact.__all__) - 1  # all but __version__
    assert all(name == alias for name, alias in listed)  # the explicit re-export form
    assert sorted(alias for _, alias in listed) == sorted(set(apact.__all__) - {"__version__"})


def test_every_public_class_and_function_reports_a_public_module_as_its_home() -> None:
    wrong = []
    for module_name, name, value in _public_objects():
        # a type alias is neither (on Python 3.10 ``isinstance(Callable[..., X], type)``
        # is true: the alias forwards ``__class__`` to its origin)
        if isinstance(value, types.GenericAlias) or not isinstance(value, (type, types.FunctionType)):
            continue
        home = value.__module__
        if not _is_public(home) or getattr(importlib.import_module(home), value.__name__, None) is not value:
            wrong.append(f"{module_name}.{name}: __module__ = {home!r}")
    assert wrong == []


# -- exceptions ----------------------------------------------------------------------------------


def _exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module in _all_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__.startswith("apact"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_every_exception_is_named_error_and_nothing_else_is() -> None:
    exceptions = _exception_classes()
    assert len(exceptions) > 20  # the walk found them
    assert [e.__qualname__ for e in exceptions if not e.__name__.endswith("Error")] == []
    not_exceptions = [
        f"{module.__name__}.{name}"
        for module in _all_modules()
        for name, value in vars(module).items()
        if isinstance(value, type)
        and value.__name__.endswith("Error")
        and not issubclass(value, BaseException)
        and value.__module__ == module.__name__
    ]
    assert not_exceptions == []


def test_every_public_exception_apact_raises_on_purpose_is_exported_from_apact() -> None:
    exceptions = [e for e in _exception_classes() if issubclass(e, ApactError) and not e.__name__.startswith("_")]
    expected = {
        "ApactError",
        "BrokerError",
        "ConsumerMismatchError",
        "GenerationError",
        "MismatchError",
        "OpenAPIError",
        "PactFileError",
        "PactWriteError",
        "ProviderStartError",
        "UnreadablePactsError",
        "VerificationFailedError",
    }
    assert {e.__name__ for e in exceptions} == expected
    assert all(getattr(apact, e.__name__) is e for e in exceptions)
    assert expected <= set(apact.__all__)


# -- documented ----------------------------------------------------------------------------------


def _documented() -> set[str]:
    """Every dotted name a mkdocstrings directive in docs/ renders."""
    rendered: set[str] = set()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text()
        for match in re.finditer(r"^::: ([\w.]+)\n((?:    .*\n)*)", text, re.MULTILINE):
            target, options = match.group(1), match.group(2)
            rendered.add(target)
            members = re.findall(r"^        - (\w+)$", options, re.MULTILINE)
            try:
                module = importlib.import_module(target)
            except ImportError:
                continue
            for name in members or getattr(module, "__all__", []):
                rendered.add(f"{target}.{name}")
    return rendered


def test_every_name_of_apact_is_in_the_api_reference() -> None:
    rendered = _documented()
    missing = []
    for name in apact.__all__:
        value = getattr(apact, name)
        if isinstance(value, types.ModuleType):  # match, generate (where the facade takes them from)
            shown = f"{apact._exports()[name]}.{name}" in rendered
        elif isinstance(value, (type, types.FunctionType)):
            shown = f"{value.__module__}.{value.__name__}" in rendered
        else:
            continue  # __version__
        if not shown:
            missing.append(name)
    assert missing == []


# -- renamed names -------------------------------------------------------------------------------

RENAMED = [
    ("apact", "VerificationFailed", "apact.verifier.VerificationFailedError"),
    ("apact.verifier", "VerificationFailed", "apact.verifier.VerificationFailedError"),
    ("apact.verifier", "VerificationError", "apact.verifier.VerificationProblem"),
    ("apact.model", "Message", "apact.pact.model.MessageContents"),
    ("apact.mock", "describe", "apact.pact._describe.interaction_line"),
    ("apact.mock", "request_line", "apact.pact._describe.request_line"),
    ("apact.mock", "body_diff", "apact.consumer.mock._body_diff"),
    ("apact.mock", "request_from_asgi", "apact.consumer.mock._request_from_asgi"),
    ("apact.pactfile", "write_atomically", "apact._core._files.write_atomically"),
]


@pytest.mark.parametrize(("module_name", "old", "new"), RENAMED)
def test_an_old_name_still_works_and_warns(module_name: str, old: str, new: str) -> None:
    home, _, attribute = new.rpartition(".")
    wanted = getattr(importlib.import_module(home), attribute)
    module = importlib.import_module(module_name)
    with pytest.warns(DeprecationWarning, match=rf"{re.escape(module_name)}\.{old} is deprecated") as caught:
        assert getattr(module, old) is wanted
    assert caught[0].filename == __file__  # the warning points at the user's line
    with pytest.warns(DeprecationWarning):
        namespace: dict[str, object] = {}
        exec(f"from {module_name} import {old}", namespace)  # noqa: S102
        assert namespace[old] is wanted
    assert old not in module.__all__


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Pactt'"):
        _ = apact.Pactt
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = importlib.import_module("apact.mock").nothing


# -- type checkers -------------------------------------------------------------------------------

USER_CODE = """\
from apact import ApactError, Message, Pact, PactFileError, VerificationFailedError, Verifier, match


async def test_order() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir="pacts") as pact:
        pact.upon_receiving("a request").with_request("GET", "/").will_respond_with(200, body=match.integer(1))


def handle(error: ApactError, message: Message) -> str:
    if isinstance(error, (PactFileError, VerificationFailedError)):
        return str(error) + str(message.metadata)
    return str(Verifier.__name__)
"""


# checked by tests/project/test_typing.py, in the same mypy run as the whole tree
