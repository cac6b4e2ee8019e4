"""apact: asyncio-native, pure-Python consumer-driven contract testing (Pact V1-V4).

The public names are listed once, in the imports under ``TYPE_CHECKING`` below (each
``from .module import Name as Name``, the explicit re-export that type checkers read).
At run time those imports do not run: apact's pytest plugin loads this package in every
pytest session of a project that has apact installed, and ``apact --help`` should answer
at once, so neither may pay for httpx, Starlette and the engine (about 0.2 s) before
they are needed. The first use of a name reads that same block (`_exports`) to
find where the name lives, imports it from there and keeps it.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any

from ._core._api import renamed
from ._core._version import __version__ as __version__

if TYPE_CHECKING:
    # the public API: one line a name, grouped by where it lives
    from .broker.client import BrokerClient as BrokerClient
    from .consumer import ConsumerMismatchError as ConsumerMismatchError
    from .consumer import Pact as Pact
    from .consumer import generate as generate
    from .consumer import match as match
    from .consumer.bodies import Binary as Binary
    from .consumer.bodies import File as File
    from .consumer.bodies import Form as Form
    from .consumer.bodies import Multipart as Multipart
    from .consumer.bodies import Text as Text
    from .consumer.bodies import Xml as Xml
    from .consumer.messages import Message as Message
    from .errors import ApactError as ApactError
    from .errors import BrokerError as BrokerError
    from .errors import GenerationError as GenerationError
    from .errors import MismatchError as MismatchError
    from .errors import PactFileError as PactFileError
    from .errors import PactWriteError as PactWriteError
    from .errors import ProviderStartError as ProviderStartError
    from .errors import UnreadablePactsError as UnreadablePactsError
    from .openapi import OpenAPIError as OpenAPIError
    from .verifier import InteractionResult as InteractionResult
    from .verifier import PactResult as PactResult
    from .verifier import PactSource as PactSource
    from .verifier import VerificationFailedError as VerificationFailedError
    from .verifier import VerificationProblem as VerificationProblem
    from .verifier import VerificationResult as VerificationResult
    from .verifier import Verifier as Verifier


@functools.lru_cache(maxsize=1)
def _exports() -> dict[str, str]:
    """Public name -> the module it is imported from, read from the ``TYPE_CHECKING``
    block of this file (parsed on first use only, so ``import apact`` stays cheap)."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    return {
        alias.asname or alias.name: f"{__name__}.{node.module}"
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


_renamed = renamed(__name__, {"VerificationFailed": "VerificationFailedError"}, stacklevel=3)


def __getattr__(name: str) -> Any:
    if name == "__all__":  # ``from apact import *``
        return sorted([*_exports(), "__version__"])
    module_name = _exports().get(name)
    if module_name is None:
        return _renamed(name)
    module = importlib.import_module(module_name)
    value = getattr(module, name) if hasattr(module, name) else importlib.import_module(f"{module_name}.{name}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_exports()})
