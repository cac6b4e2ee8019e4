"""apact's pytest plugin, registered through the ``pytest11`` entry point.

**Consumer side**: the ``pact`` fixture is a new `Pact` for each test,
its settings shared through the ``pact`` marker (on a module: ``pytestmark``):

```python
pytestmark = [pytest.mark.anyio, pytest.mark.pact("Sous Chef", "Grill Chef")]

async def test_order_a_steak(pact):
    async with pact:
        pact.upon_receiving("a request for a steak").with_request(...).will_respond_with(...)
        ...
```

Every test merges its interactions into ``{consumer}-{provider}.json`` in the pact
directory (``--apact-pact-dir``, ``$APACT_PACT_DIR``, the ``apact_pact_dir`` ini
option, else ``<rootdir>/pacts``), under a file lock: safe with pytest-xdist.

**Provider side**: `interaction_tests` makes one test per interaction:

```python
test_grill_chef = interaction_tests(verifier, "pacts/")
```

See ``docs/pytest.md``. This module loads in every pytest session, so it imports
nothing heavy at the top: apact's own modules are imported when a fixture or
`interaction_tests` is used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._stash import VERIFICATIONS

if TYPE_CHECKING:
    from ..consumer import Pact
    from ..openapi import OpenAPIDocument
    from ..pact.model import PactFile
    from ..verifier import Auth, Source, Verifier

__all__ = ["interaction_tests", "openapi_tests"]

#: the settings the ``pact`` marker takes (positionally: consumer, provider)
_PACT_SETTINGS = ("consumer", "provider", "spec", "pact_dir", "serve_http", "cors")
_PACT_MARKER = (
    "pact(consumer, provider, *, spec='V4', pact_dir=None, serve_http=False, cors=False): "
    "the settings of the `pact` fixture (apact) for the tests it marks; on a module "
    "(pytestmark) they are shared by its tests, a closer marker overriding some of them"
)


# -- options ------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apact", "apact (consumer-driven contract testing)")
    group.addoption(
        "--apact-pact-dir",
        metavar="DIR",
        default=None,
        help="where the pact fixture writes pact files (default: $APACT_PACT_DIR, the apact_pact_dir "
        "ini option, or <rootdir>/pacts)",
    )
    parser.addini("apact_pact_dir", "where the pact fixture writes pact files (relative to the ini file)", default=None)
    # Broker options (issue 7) go here, each with its environment variable, read
    # through _setting() like --apact-pact-dir.


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _PACT_MARKER)


def _setting(config: pytest.Config, option: str, variable: str, ini: str) -> tuple[str, Path] | None:
    """A setting and the directory a relative path in it is relative to: the command
    line's and the environment's to where pytest was started, the ini file's to its
    directory."""
    value = config.getoption(option)
    if value:
        return value, config.invocation_params.dir
    value = os.environ.get(variable)
    if value:
        return value, config.invocation_params.dir
    value = config.getini(ini)
    if value:
        return value, config.inipath.parent if config.inipath is not None else config.rootpath
    return None


def _pact_dir(config: pytest.Config) -> Path:
    """The pact directory this session writes to (see the module documentation)."""
    found = _setting(config, "apact_pact_dir", "APACT_PACT_DIR", "apact_pact_dir")
    if found is None:
        return config.rootpath / "pacts"
    value, base = found
    return (base / value).resolve()


# -- the consumer side ------------------------------------------------------------------------


@pytest.fixture
def pact_dir(request: pytest.FixtureRequest) -> Path:
    """The directory pact files are written to (``--apact-pact-dir``, ``$APACT_PACT_DIR``,
    the ``apact_pact_dir`` ini option, else ``<rootdir>/pacts``)."""
    return _pact_dir(request.config)


@pytest.fixture
def pact(request: pytest.FixtureRequest, pact_dir: Path) -> Pact:
    """A new `Pact` for this test, with the settings of its ``pact``
    markers (the closest first: the test's, its class's, its module's). Use it as
    ``async with pact:``; the pact file is written (merged) when the block ends."""
    try:
        settings = _pact_settings(request.node)
    except ValueError as wrong:
        pytest.fail(str(wrong), pytrace=False)
    if "consumer" not in settings or "provider" not in settings:
        pytest.fail(
            "the pact fixture needs a consumer and a provider: mark the test, its class or its module, "
            "e.g. pytestmark = pytest.mark.pact('Sous Chef', 'Grill Chef')",
            pytrace=False,
        )
    from ..consumer import Pact

    consumer, provider = settings.pop("consumer"), settings.pop("provider")
    settings.setdefault("pact_dir", pact_dir)
    return Pact(consumer, provider, **settings)


def _pact_settings(node: pytest.Item) -> dict[str, Any]:
    """The settings of a test's ``pact`` markers, merged: a closer marker wins."""
    settings: dict[str, Any] = {}
    for marker in node.iter_markers("pact"):
        if len(marker.args) > 2:
            raise ValueError(f"the pact marker takes (consumer, provider) positionally, got {marker.args!r}")
        unknown = sorted(set(marker.kwargs) - set(_PACT_SETTINGS))
        if unknown:
            raise ValueError(
                f"the pact marker does not take {', '.join(unknown)} (it takes {', '.join(_PACT_SETTINGS)})"
            )
        for name, value in [*zip(_PACT_SETTINGS, marker.args), *marker.kwargs.items()]:
            settings.setdefault(name, value)
    return settings


# -- the provider side ---------------------------------------------------------------------------


def interaction_tests(
    verifier: Verifier,
    *sources: Source,
    auth: Auth = None,
    consumers: str | Collection[str] | None = None,
    description: str | re.Pattern[str] | None = None,
    state: str | re.Pattern[str] | None = None,
    no_state: bool = False,
    backend: str = "asyncio",
    allow_empty: bool = False,
) -> Callable[..., None]:
    """One pytest test per interaction of the pacts in ``sources`` for ``verifier``'s
    provider: assign the result to a ``test_`` name in a test module:

    ```python
    test_grill_chef = interaction_tests(verifier, "pacts/")
    ```

    Its items are ``test_grill_chef[Sous Chef :: a request for a steak [steaks are
    available]]`` (consumer, description, provider states), so ``-k``, ``--lf``, ``-x``,
    pytest-xdist and ``--junitxml`` work per interaction; a failing item shows the
    verifier's report of that interaction. The pacts are read when the module is
    collected; the first item to run verifies, in one ``verifier.verify()`` (so
    concurrently, on ``backend``), all the items of this test selected in the
    session, and each item reports its own verdict. Pending failures are ``xfail``,
    interactions the verifier leaves out (filtered, pending with ``pending="skip"``) are skipped.

    ``consumers``, ``description``, ``state`` and ``no_state`` choose the interactions
    that become tests (as in `Verifier.verify`); ``auth`` is for URL
    sources. A test with no interaction to verify fails, unless ``allow_empty``.
    """
    from ._interactions import make_tests

    return make_tests(
        verifier,
        sources,
        auth=auth,
        consumers=consumers,
        description=description,
        state=state,
        no_state=no_state,
        backend=backend,
        allow_empty=allow_empty,
    )


def openapi_tests(
    *sources: str | os.PathLike[str] | PactFile,
    spec: str | os.PathLike[str] | Mapping[str, Any] | OpenAPIDocument | None = None,
    app: object = None,
    provider: str | None = None,
    consumers: str | Collection[str] | None = None,
    allow_empty: bool = False,
) -> Callable[..., None]:
    """One pytest test per interaction of the pacts in ``sources``, checked against the
    provider's OpenAPI document (``spec``: a file, a URL, a dict or an
    `OpenAPIDocument`; or ``app``: a FastAPI app, or any ASGI app
    serving ``/openapi.json``) without running the provider:

    ```python
    test_grill_chef_document = openapi_tests("pacts/", spec="openapi.yaml")
    ```

    Items are id'd as `interaction_tests`'s; a failing one shows its mismatches.
    See ``docs/openapi.md``.
    """
    from ._openapi import make_tests

    return make_tests(sources, spec=spec, app=app, provider=provider, consumers=consumers, allow_empty=allow_empty)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:  # noqa: ANN401
    """A line per verification that ran in this process (with its notices)."""
    if VERIFICATIONS not in config.stash:
        return
    from ._interactions import summary_lines

    lines = summary_lines(config.stash[VERIFICATIONS])
    if lines:
        terminalreporter.write_sep("-", "apact verifications")
        for line in lines:
            terminalreporter.write_line(line)
